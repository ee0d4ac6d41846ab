"""Issue 24, the smaller ones: the sign-in throttle of api.md and its release, bodies over the limit
sent chunked, no-store on pages with personal data, a conflicted chief judge, codes that break headers."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from tests.support import PASSWORD, assert_error, signed_in


def _sign_in(client, username, password, address="198.51.100.20"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_a_venue_of_thirty_devices_behind_one_address_survives_thirty_wrong_passwords(client, make_user):
    devices = [make_user("judge") for _ in range(30)]
    for device in devices:  # every tablet mistypes once
        assert _sign_in(client, device.username, "wrong-password").status_code == 401
    for device in devices:
        assert _sign_in(client, device.username, PASSWORD).status_code == 201, device.username


def test_the_account_delay_doubles_up_to_fifteen_minutes_and_only_failures_count(app, client, make_user):
    from competition.services import throttle

    assert [throttle.account_delay(n) for n in (4, 5, 6, 7)] == [0, 1, 2, 4]
    assert throttle.account_delay(40) == 15 * 60
    account = make_user("judge")
    for _ in range(4):  # failures, each followed by a success: never throttled
        assert _sign_in(client, account.username, "wrong").status_code == 401
        assert _sign_in(client, account.username, PASSWORD).status_code == 201
    for _ in range(5):
        assert _sign_in(client, account.username, "wrong").status_code == 401
    refused = _sign_in(client, account.username, PASSWORD)  # the delay applies to the right password too
    assert_error(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    _age_failures(app, seconds=5)  # the delay passed: one more failure doubles it
    assert _sign_in(client, account.username, "wrong").status_code == 401
    again = _sign_in(client, account.username, "wrong")
    assert_error(again, 429)  # refused attempts are not checked (nor counted)
    assert int(again.headers["Retry-After"]) == 2
    _age_failures(app, seconds=3)
    assert _sign_in(client, account.username, PASSWORD).status_code == 201  # a success clears them
    assert _sign_in(client, account.username, "wrong").status_code == 401


def _age_failures(app, *, seconds: int) -> None:
    from competition.extensions import db
    from competition.models import LoginFailure

    with app.app_context():
        for failure in db.session.query(LoginFailure):
            failure.at -= timedelta(seconds=seconds)
        db.session.commit()


def test_the_address_throttle_starts_at_one_hundred_failures(app, client, make_user):
    account = make_user("judge")
    for n in range(100):
        _sign_in(client, f"ghost{n}", "x", address="198.51.100.99")
    assert_error(_sign_in(client, account.username, PASSWORD, address="198.51.100.99"), 429)
    assert _sign_in(client, account.username, PASSWORD, address="198.51.100.98").status_code == 201


def test_an_admin_or_organizer_releases_an_account(client, make_user):
    account, organizer, judge = make_user("judge"), make_user("organizer"), make_user("judge")
    for _ in range(8):
        _sign_in(client, account.username, "wrong")
    assert_error(_sign_in(client, account.username, PASSWORD), 429)
    assert_error(client.post(f"/api/v1/users/{account.id}/unlock", headers=judge.headers), 403)
    assert_error(client.post(f"/api/v1/users/{2**40}/unlock", headers=organizer.headers), 404)
    response = client.post(f"/api/v1/users/{account.id}/unlock", headers=organizer.headers)
    assert response.status_code == 204
    assert _sign_in(client, account.username, PASSWORD).status_code == 201


def test_the_admin_page_has_the_unlock_button(app, make_user):
    admin = make_user("admin")
    page = signed_in(app, admin.username).get("/admin/users")
    assert page.status_code == 200
    script = app.test_client().get("/static/js/admin/users.js").get_data(as_text=True)
    assert "/unlock" in script and "'unlock'" in script


@pytest.mark.parametrize("path, limit", [("/api/v1/users", 1024 * 1024),
                                         ("/api/v1/enterprises/{e}/people/import", 10 * 1024 * 1024)])
def test_a_chunked_body_over_the_limit_is_413(app, client, make_user, path, limit):
    from tests.contest_fixtures import make_enterprise

    enterprise_id = make_enterprise(app)
    admin = make_user("admin")
    body = json.dumps({"username": "x" * (limit + 10), "password": "y"}).encode()
    response = client.post(path.format(e=enterprise_id), input_stream=io.BytesIO(body), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked", **admin.headers},
                           environ_overrides={"wsgi.input_terminated": True})
    assert_error(response, 413)
    # anonymous: 401 first, whatever the body
    response = client.post(path.format(e=enterprise_id), input_stream=io.BytesIO(body),
                           content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert_error(response, 401)
    # under the limit, chunked: read whole
    small = json.dumps({"username": "chunky", "password": "long-enough-pw", "display_name": "C",
                        "role": "organizer"}).encode()
    response = client.post("/api/v1/users", input_stream=io.BytesIO(small), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked", **admin.headers},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_json()


def test_pages_with_personal_data_are_not_stored(app, make_user):
    from tests.contest_fixtures import make_enterprise

    enterprise_id = make_enterprise(app)
    hr = make_user("hr", enterprise_id=enterprise_id)
    browser = signed_in(app, hr.username)
    for page in ("/hr", "/hr/people"):
        response = browser.get(page, follow_redirects=True)
        assert response.status_code == 200, page
        assert response.headers["Cache-Control"] == "no-store", page
    assert "no-store" not in (app.test_client().get("/contests").headers.get("Cache-Control") or "")


def test_a_chief_judge_may_not_change_a_competitor_of_their_own_enterprise(app, client, make_user):
    from competition.extensions import db
    from competition.models import ContestJudge
    from tests.world import build_world

    world = build_world(app, make_user)
    with app.app_context():  # the chief judge works for E2, c3's employer
        seat = db.session.query(ContestJudge).filter_by(user_id=world.judges["chief"].id).one()
        seat.enterprise_id = world.enterprises["E2"]
        db.session.commit()
    url = f"/api/v1/contests/{world.contest_id}/competitors"
    chief = world.judges["chief"].headers
    for body in ({"status": "absent", "reason": "未到场"}, {"time_used_seconds": 100}):
        body_refused = client.patch(f"{url}/{world.competitors['c3']}", json=body, headers=chief)
        assert_error(body_refused, 403, reason="conflict_of_interest")
        assert client.patch(f"{url}/{world.competitors['c1']}", json=body, headers=chief).status_code == 200
    competitor = client.get(f"{url}", headers=world.organizer.headers).get_json()
    c3 = next(c for c in competitor if c["id"] == world.competitors["c3"])
    assert c3["status"] == "active" and c3["time_used_seconds"] is None
    assert client.patch(f"{url}/{world.competitors['c3']}", json={"status": "absent"},
                        headers=world.organizer.headers).status_code == 200


def test_an_enterprise_code_with_cr_lf_stored_earlier_never_breaks_its_exports(app, client, make_user):
    from competition.extensions import db
    from competition.models import Enterprise
    from tests.contest_fixtures import make_enterprise

    enterprise_id = make_enterprise(app)
    with app.app_context():  # as stored before codes were restricted
        db.session.get(Enterprise, enterprise_id).code = "E\r\nX-Injected: 1"
        db.session.commit()
    admin = make_user("admin")
    for name in ("certificates.csv", "certificates.xlsx"):
        response = client.get(f"/api/v1/enterprises/{enterprise_id}/{name}", headers=admin.headers)
        assert response.status_code == 200, name
        assert "\r" not in response.headers["Content-Disposition"] and "X-Injected" not in response.headers

