"""The organiser's console (/organize, /organize/contests/{id}): who may open it, what it lists, the
navigation links to it, and the configuration each contest page hands to its plain-JS modules."""
from __future__ import annotations

import json
import re

import pytest

from tests.contest_fixtures import create_contest, ensure_occupation, setup_contest
from tests.support import signed_in


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the pages do not depend on the database


def page_config(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="organize-config">(.*?)</script>',
                                html, re.S).group(1))


@pytest.fixture
def running(client, admin):
    """A running contest built through the API (scheme, three competitors, three judges)."""
    return setup_contest(client, admin, start=True)


@pytest.fixture
def draft(client, running):
    """A draft contest of the same organiser, named so it can be found."""
    ensure_occupation(client.application)
    return create_contest(client, running.organizer, name="草稿中的竞赛 DRAFT-42",
                          occupation_code=running.occupation_code)


def test_anonymous_visitors_are_sent_to_sign_in(client, running):
    for path in ("/organize", f"/organize/contests/{running.contest_id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"] and "next=" in response.headers["Location"]


def test_other_roles_are_refused_and_unknown_contests_are_404(app, running, make_user):
    judge = signed_in(app, running.judges[1].username)
    hr = signed_in(app, make_user("hr", enterprise_id=running.enterprises[0]).username)
    for browser in (judge, hr):
        assert browser.get("/organize").status_code == 403
        assert browser.get(f"/organize/contests/{running.contest_id}").status_code == 403
    organizer = signed_in(app, running.organizer.username)
    assert organizer.get("/organize/contests/999999").status_code == 404
    assert organizer.get("/organize/contests/99999999999").status_code == 404


def test_the_list_shows_drafts_to_organisers_but_contests_does_not(app, client, running, draft, admin):
    for username in (running.organizer.username, admin.username):
        html = signed_in(app, username).get("/organize").get_data(as_text=True)
        assert "草稿中的竞赛 DRAFT-42" in html and f"/organize/contests/{draft['id']}" in html
        assert f"/organize/contests/{running.contest_id}" in html
        assert 'id="new-contest"' in html and "新建竞赛" in html
        assert "草稿" in html and "进行中" in html
    public = client.get("/contests").get_data(as_text=True)
    assert "DRAFT-42" not in public
    organizer_view = signed_in(app, running.organizer.username).get("/contests").get_data(as_text=True)
    assert "DRAFT-42" not in organizer_view
    assert f"/organize/contests/{running.contest_id}" in organizer_view


def test_the_nav_link_is_for_organisers_and_admins_only(app, client, running, admin, make_user):
    link = 'href="/organize"'
    assert link not in client.get("/").get_data(as_text=True)
    for username in (running.organizer.username, admin.username):
        assert link in signed_in(app, username).get("/").get_data(as_text=True)
    for account in (running.judges[1], make_user("hr", enterprise_id=running.enterprises[0])):
        browser = signed_in(app, account.username)
        assert link not in browser.get("/").get_data(as_text=True)
        contests = browser.get("/contests").get_data(as_text=True)
        assert "/organize/contests/" not in contests


def test_a_draft_page_offers_start_and_the_scheme_import(app, running, draft):
    html = signed_in(app, running.organizer.username).get(f"/organize/contests/{draft['id']}").get_data(as_text=True)
    config = page_config(html)
    assert config["contestId"] == draft["id"] and config["state"] == "draft"
    assert config["transitions"] == ["running"] and config["canUnfreeze"] is False
    assert {a["id"] for a in config["judgeAccounts"]} >= {j.id for j in running.judges}
    assert 'data-to="running"' in html and 'id="scheme-form"' in html and 'id="judge-form"' in html
    assert 'id="competitor-form"' in html
    assert f"/board/{draft['id']}" not in html  # no public board for a draft
    assert 'id="settings-form"' in html and 'value="草稿中的竞赛 DRAFT-42"' in html
    assert 'data-value="6-31-01-03"' in html and '<option value="enterprise" selected>' in html


def test_a_running_page_offers_provisional_and_final_and_the_live_links(app, running):
    contest_id = running.contest_id
    html = signed_in(app, running.organizer.username).get(f"/organize/contests/{contest_id}").get_data(as_text=True)
    config = page_config(html)
    assert config["contestId"] == contest_id and config["state"] == "running"
    assert config["transitions"] == ["provisional", "final"]
    assert 'data-to="provisional"' in html and 'data-to="final"' in html and 'data-to="running"' not in html
    assert 'id="scheme-form"' not in html and 'id="settings-form"' not in html  # fixed once running
    assert 'id="reveal-start"' not in html  # the ceremony is for final contests
    for link in (f"/board/{contest_id}", f"/board/{contest_id}?screen=1", f"/jury/{contest_id}",
                 f"/contests/{contest_id}/appeals", f"/contests/{contest_id}/judge-qr"):
        assert f'href="{link}"' in html, link


def test_a_frozen_contest_offers_unfreeze_and_a_final_one_reopening(app, client, admin):
    setup = setup_contest(client, admin, start=True, freeze_at="2020-01-01T08:00:00")
    organizer = signed_in(app, setup.organizer.username)
    html = organizer.get(f"/organize/contests/{setup.contest_id}").get_data(as_text=True)
    assert page_config(html)["canUnfreeze"] is True and 'id="unfreeze"' in html
    setup.store("1", {"T1.1": 80, "A1": 10, "A2": [3, 3, 3], "B1": 20, "B2": [14, 14, 14]})
    setup.store("2", {"T1.1": 70, "A1": 9, "A2": [3, 3, 3], "B1": 18, "B2": [12, 12, 12]})
    setup.store("3", {"T1.1": 60, "A1": 8, "A2": [2, 2, 2], "B1": 16, "B2": [10, 10, 10]})
    setup.lock()
    assert setup.transition("final").status_code == 200
    html = organizer.get(f"/organize/contests/{setup.contest_id}").get_data(as_text=True)
    config = page_config(html)
    assert config["state"] == "final" and config["transitions"] == ["running_again"]
    assert config["canUnfreeze"] is False and 'id="reopen-form"' in html
    assert config["reveal"] == {"started": False, "remaining": None}
    assert 'id="reveal-start"' in html and f'href="/api/v1/contests/{setup.contest_id}/results.xlsx"' in html


def test_a_team_page_builds_the_team_from_any_enterprise_and_an_individual_page_keeps_its_form(
        app, client, running, draft):
    team = create_contest(client, running.organizer, name="双人赛", occupation_code=running.occupation_code,
                          team_size=2)
    organizer = signed_in(app, running.organizer.username)
    html = organizer.get(f"/organize/contests/{team['id']}").get_data(as_text=True)
    assert page_config(html)["teamSize"] == 2
    form = html[html.index('id="competitor-form"'):html.index("</form>", html.index('id="competitor-form"'))]
    assert '<button type="button" class="button secondary" id="competitor-add-member"' in form
    assert 'aria-labelledby="competitor-members-label"' in form and 'id="competitor-members-label"' in form
    assert 'id="competitor-person" multiple' in form
    assert 'id="competitor-enterprise" required' not in form  # the members may come from any enterprise
    assert 'id="competitor-team"' in form
    text = json.loads(re.search(r'<script type="application/json" id="organize-text" data-i18n>(.*?)</script>',
                                html, re.S).group(1))
    assert {"needMembers", "teamFull", "alreadyInTeam", "removeMember", "noMembers"} <= text.keys()

    html = organizer.get(f"/organize/contests/{draft['id']}").get_data(as_text=True)  # an individual event
    form = html[html.index('id="competitor-form"'):html.index("</form>", html.index('id="competitor-form"'))]
    assert 'id="competitor-add-member"' not in form and 'id="competitor-members"' not in form
    assert '<select name="person" id="competitor-person" required></select>' in form
    assert '<select name="enterprise" id="competitor-enterprise" required>' in form


def test_the_page_offers_only_the_transitions_the_api_accepts(app, client, admin):
    """issue 21: no button is offered and then refused. Through a contest's day, each transition the page
    shows disabled is refused by the API with the reason the page gives, and each enabled one is accepted."""
    setup = setup_contest(client, admin, start=True)
    organizer = signed_in(app, setup.organizer.username)

    def offers() -> tuple[list[str], dict]:
        html = organizer.get(f"/organize/contests/{setup.contest_id}").get_data(as_text=True)
        config = page_config(html)
        for to in config["transitions"]:
            disabled = re.search(rf'data-to="{to}"[^>]*\bdisabled\b', html) is not None
            assert disabled == (to in config["refused"]), to
        return config["transitions"], config["refused"]

    transitions, refused = offers()  # running, nothing marked or locked
    assert transitions == ["provisional", "final"]
    assert refused["provisional"] == {"reason": "modules_unlocked", "errors": {"unlocked_modules": ["T1", "A", "B"]}}
    assert refused["final"]["reason"] == "not_ready_for_final"
    assert [c["bib"] for c in refused["final"]["errors"]["incomplete_competitors"]] == ["1", "2", "3"]
    for to, refusal in refused.items():
        answer = setup.transition(to)
        assert answer.status_code == 409 and answer.get_json()["reason"] == refusal["reason"], to
        assert answer.get_json()["errors"] == refusal["errors"], to

    for bib, base in (("1", 10), ("2", 9), ("3", 8)):
        setup.store(bib, {"T1.1": 80, "A1": base, "A2": [3, 3, 3], "B1": 20, "B2": [14, 14, 14]})
    setup.lock()
    transitions, refused = offers()  # every module locked, every competitor complete
    assert refused == {}
    assert setup.transition("final").status_code == 200
    assert offers() == (["running_again"], {})
