"""Award schemes on contests, awards decided at final, GET /contests/{id}/awards and the results
files' award column (events.md, Awards)."""
from __future__ import annotations

import csv
import io

import pytest

from tests.contest_fixtures import create_contest, ensure_occupation, new_account
from tests.event_fixtures import MEDALS, PROVINCIAL, scored_contest
from tests.support import assert_error

# Both databases: awards decided and stored, written for both backends.
pytestmark = pytest.mark.backends


def contest_count(client, account) -> int:
    return len(client.get("/api/v1/contests", headers=account.headers).get_json())


def test_an_award_scheme_with_overlapping_ranks_or_percentages_over_100_is_refused(client, admin, backend):
    ensure_occupation(client.application)
    organizer = new_account(client, admin, "organizer")
    overlapping = [{"code": "a", "name": "A", "ranks": [1, 3]}, {"code": "b", "name": "B", "ranks": [3, 4]}]
    over = [*PROVINCIAL, {"code": "fourth", "name": "优秀奖", "top_percent": 41}]
    before = contest_count(client, organizer)
    for awards, field in ((overlapping, "awards.1.ranks"), (over, "awards.3.top_percent"),
                          ([{"code": "a", "name": "A", "ranks": [1, 1], "top_percent": 5}], "awards.0")):
        response = client.post("/api/v1/contests", json={**_body(), "awards": awards}, headers=organizer.headers)
        assert_error(response, 422, field=field)
    assert contest_count(client, organizer) == before
    contest = create_contest(client, organizer, awards=PROVINCIAL)
    assert contest["awards"] == PROVINCIAL
    response = client.patch(f"/api/v1/contests/{contest['id']}", json={"awards": overlapping},
                            headers=organizer.headers)
    assert_error(response, 422, field="awards.1.ranks")
    assert client.get(f"/api/v1/contests/{contest['id']}", headers=organizer.headers).get_json()["awards"] == PROVINCIAL


def _body():
    from tests.contest_fixtures import contest_body

    return contest_body()


def test_the_award_scheme_changes_only_in_draft(client, admin, backend):
    setup = scored_contest(client, admin, [90, 80], final=False, awards=PROVINCIAL)
    response = client.patch(setup.url, json={"awards": MEDALS}, headers=setup.organizer.headers)
    assert_error(response, 409, field="awards")


def test_awards_are_decided_at_final_and_public_only_then(client, admin, backend):
    totals = [100 - n for n in range(12)]  # twelve ranked: 1, 2 and 3 places of 10/20/30 %
    setup = scored_contest(client, admin, totals, final=False, awards=PROVINCIAL)
    assert_error(client.get(f"{setup.url}/awards"), 404)
    assert client.get(f"{setup.url}/awards", headers=setup.organizer.headers).get_json() == []
    setup.lock()
    assert setup.transition("final").status_code == 200
    rows = client.get(f"{setup.url}/awards").get_json()
    assert [(r["rank"], r["competitor"]["bib"], r["award"]["code"]) for r in rows] == [
        (1, "1", "first"), (2, "2", "second"), (3, "3", "second"), (4, "4", "third"), (5, "5", "third"),
        (6, "6", "third")]
    assert rows[0]["total"] == "100.00" and rows[0]["award"]["name"] == "一等奖"
    table = list(csv.reader(io.StringIO(client.get(f"{setup.url}/results.csv").data.decode("utf-8-sig"))))
    column = table[0].index("奖项")
    awards = ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"]
    assert [line[column] for line in table[1:]] == awards + [""] * 6
    # reopening takes the awards back with the final ranking
    response = setup.transition("running_again", reason="复核")
    assert response.status_code == 200
    assert client.get(f"{setup.url}/awards", headers=setup.organizer.headers).get_json() == []


def test_tied_competitors_share_the_award_and_the_next_starts_after_them(client, admin, backend):
    setup = scored_contest(client, admin, [90, 90, 80, 70, 60, 50], awards=MEDALS)
    rows = client.get(f"{setup.url}/awards").get_json()
    assert [(r["competitor"]["bib"], r["award"]["code"]) for r in rows] == [("1", "gold"), ("2", "gold"),
                                                                           ("3", "bronze")]


def test_awards_stay_hidden_during_a_results_ceremony_until_revealed(client, admin, backend):
    setup = scored_contest(client, admin, [90, 80, 70], awards=MEDALS)
    assert client.post(f"{setup.url}/reveal/start", headers=setup.organizer.headers).status_code == 200
    assert client.get(f"{setup.url}/awards").get_json() == []
    client.post(f"{setup.url}/reveal/next", headers=setup.organizer.headers)  # bronze revealed
    assert [r["award"]["code"] for r in client.get(f"{setup.url}/awards").get_json()] == ["bronze"]
    assert len(client.get(f"{setup.url}/awards", headers=setup.organizer.headers).get_json()) == 3
    xlsx_rows = client.get(f"{setup.url}/results.csv").data.decode("utf-8-sig")
    assert "金牌" not in xlsx_rows and "铜牌" in xlsx_rows


def test_a_contest_held_for_its_ceremony_shows_no_award_before_the_reveal(app, client, admin, backend):
    """live.md `ceremony: true`: from final until the last reveal step no public view shows awards."""
    from competition.extensions import db
    from competition.models import Contest

    setup = scored_contest(client, admin, [90, 80, 70], awards=MEDALS)
    with app.app_context():
        db.session.get(Contest, setup.contest_id).ceremony = True  # held for the ceremony
        db.session.commit()
    assert client.get(f"{setup.url}/awards").get_json() == []
    assert len(client.get(f"{setup.url}/awards", headers=setup.organizer.headers).get_json()) == 3
    event = client.post("/api/v1/events", json={"name": "赛事", "starts_on": "2026-05-01",
                                                 "ends_on": "2026-05-01"}, headers=setup.organizer.headers)
    client.put(f"/api/v1/events/{event.get_json()['id']}/contests", json={"contest_ids": [setup.contest_id]},
               headers=setup.organizer.headers)
    eid = event.get_json()["id"]
    assert client.get(f"/api/v1/events/{eid}/medal-table").get_json()["rows"] == []
    assert client.get(f"/api/v1/events/{eid}/overview").get_json()[0]["leader"] is None
