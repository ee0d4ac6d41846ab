"""Every /api/v1 operation × every role answers as roles.md and api.md say.

The table ACCESS is keyed by (method, rule) exactly as in `app.url_map`; a route without a row fails
("no access rule for ..."), and a row without a route fails too, so the table cannot drift from the
code. Each role's cell is what that caller gets with an empty/minimal body:

  OK   allowed: 2xx, or a validation/state answer (400, 409, 413, 422) - never 401/403/404
  401  anonymous where a user is needed      403  signed in, wrong role
  404  hidden (other enterprise's hr) or unknown id (ids that do not exist for everyone)
"""
from __future__ import annotations

import pytest

from tests.support import PASSWORD
from tests.world import build_world

OK = "ok"
ROLES = ("anonymous", "admin", "organizer", "judge", "chief", "hr", "hr_other")


def row(anonymous, admin, organizer, judge, chief, hr, hr_other):
    return dict(zip(ROLES, (anonymous, admin, organizer, judge, chief, hr, hr_other)))


PUBLIC = row(OK, OK, OK, OK, OK, OK, OK)
ANY_USER = row(401, OK, OK, OK, OK, OK, OK)
ADMIN = row(401, OK, 403, 403, 403, 403, 403)
ORGANIZER = row(401, OK, OK, 403, 403, 403, 403)            # admin may do everything an organizer may
JURY = row(401, OK, OK, 403, OK, 403, 403)                  # organizer + chief judge
CHIEF = row(401, 403, 403, 403, OK, 403, 403)               # the chief judge alone (locks)
JUDGING = row(401, 403, 403, OK, OK, 403, 403)              # judges only (marks are personal)
MARK_READERS = row(401, OK, OK, OK, OK, 403, 403)           # chief/organizer all, a judge own marks
STAFF = row(401, OK, OK, OK, OK, OK, OK)
ENTERPRISE_READ = row(401, OK, OK, 403, 403, OK, 404)       # admin, organizer, its hr; other hr 404
ENTERPRISE_HR = row(401, OK, 403, 403, 403, OK, 404)        # admin, its hr; other hr 404

# (method, rule) -> expected per role.  "the contest" is a running contest (build_world).
ACCESS: dict[tuple[str, str], dict[str, object]] = {
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("DELETE", "/api/v1/auth/token"): row(401, 204, 204, 204, 204, 204, 204),  # a spare token (see below)
    ("GET", "/api/v1/auth/tokens"): ANY_USER,
    ("DELETE", "/api/v1/auth/tokens/<int:token_id>"): row(401, 404, 404, 404, 404, 404, 404),  # no such token
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("PATCH", "/api/v1/users/<int:user_id>"): ADMIN,
    ("GET", "/api/v1/users/me"): ANY_USER,
    ("POST", "/api/v1/users/<int:user_id>/unlock"): ORGANIZER,
    # master data
    ("GET", "/api/v1/enterprises"): row(401, OK, OK, 403, 403, OK, OK),
    ("POST", "/api/v1/enterprises"): ADMIN,
    ("GET", "/api/v1/enterprises/<int:enterprise_id>"): ENTERPRISE_READ,
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/grade-scheme"): ENTERPRISE_READ,
    ("PUT", "/api/v1/enterprises/<int:enterprise_id>/grade-scheme"): ENTERPRISE_HR,
    # organisers list people to register competitors (ID numbers masked: asserted below)
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/people"): row(401, OK, OK, 403, 403, OK, 404),
    ("POST", "/api/v1/enterprises/<int:enterprise_id>/people"): ENTERPRISE_HR,
    # no file: other hr gets 422 before the enterprise is looked up - the same answer for any id, so
    # nothing can be probed; with a valid file it is 404 (test_people_import.py)
    ("POST", "/api/v1/enterprises/<int:enterprise_id>/people/import"): row(401, OK, 403, 403, 403, OK, 422),
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/people/<int:person_id>"): ENTERPRISE_HR,
    ("PATCH", "/api/v1/enterprises/<int:enterprise_id>/people/<int:person_id>"): ENTERPRISE_HR,
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/certificates.csv"): ENTERPRISE_HR,
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/certificates.xlsx"): ENTERPRISE_HR,
    # skill-talent structure (promotion.md): admin and its hr; the bureau's overview is the admin's
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/skill-structure"): ENTERPRISE_HR,
    ("GET", "/api/v1/enterprises/<int:enterprise_id>/skill-structure.xlsx"): ENTERPRISE_HR,
    ("PUT", "/api/v1/enterprises/<int:enterprise_id>/skill-structure/target"): ENTERPRISE_HR,
    ("GET", "/api/v1/skill-structure"): ADMIN,
    ("GET", "/api/v1/skill-structure.xlsx"): ADMIN,
    ("GET", "/api/v1/grade-scheme-templates/eight-grade"): ANY_USER,
    ("GET", "/api/v1/people-import-template.csv"): ANY_USER,
    ("GET", "/api/v1/people-import-template.xlsx"): ANY_USER,
    ("GET", "/api/v1/occupations"): STAFF,
    ("POST", "/api/v1/occupations"): ORGANIZER,
    ("GET", "/api/v1/policy-library"): ANY_USER,
    ("GET", "/api/v1/marking-scheme-template.xlsx"): ORGANIZER,
    # contests
    ("GET", "/api/v1/contests"): PUBLIC,
    ("POST", "/api/v1/contests"): ORGANIZER,
    ("GET", "/api/v1/contests/<int:contest_id>"): PUBLIC,
    ("PATCH", "/api/v1/contests/<int:contest_id>"): ORGANIZER,
    ("GET", "/api/v1/contests/<int:contest_id>/competitors"): row(401, OK, OK, OK, OK, 403, 403),
    ("POST", "/api/v1/contests/<int:contest_id>/competitors"): ORGANIZER,
    ("PATCH", "/api/v1/contests/<int:contest_id>/competitors/<int:competitor_id>"): JURY,
    ("GET", "/api/v1/contests/<int:contest_id>/judges"): JURY,
    ("POST", "/api/v1/contests/<int:contest_id>/judges"): ORGANIZER,
    ("PATCH", "/api/v1/contests/<int:contest_id>/judges/<int:judge_id>"): ORGANIZER,
    ("DELETE", "/api/v1/contests/<int:contest_id>/judges/<int:judge_id>"): ORGANIZER,
    ("GET", "/api/v1/contests/<int:contest_id>/marking-scheme"): ORGANIZER,
    ("PUT", "/api/v1/contests/<int:contest_id>/marking-scheme"): ORGANIZER,
    ("POST", "/api/v1/contests/<int:contest_id>/marking-scheme/import"): ORGANIZER,
    ("POST", "/api/v1/contests/<int:contest_id>/transition"): ORGANIZER,
    ("POST", "/api/v1/contests/<int:contest_id>/unfreeze"): ORGANIZER,
    # marking
    ("GET", "/api/v1/judge/contests"): JUDGING,
    ("GET", "/api/v1/contests/<int:contest_id>/worklist"): JUDGING,
    ("GET", "/api/v1/contests/<int:contest_id>/marks"): MARK_READERS,
    ("PUT", "/api/v1/contests/<int:contest_id>/marks"): JUDGING,
    ("POST", "/api/v1/contests/<int:contest_id>/modules/<string:module_code>/lock"): CHIEF,
    ("POST", "/api/v1/contests/<int:contest_id>/modules/<string:module_code>/unlock"): CHIEF,
    ("GET", "/api/v1/contests/<int:contest_id>/progress"): JURY,
    ("GET", "/api/v1/contests/<int:contest_id>/judge-analysis"): JURY,
    # results (the contest is running, not final: the public gets 404 for result files)
    ("GET", "/api/v1/contests/<int:contest_id>/standings"): PUBLIC,
    ("GET", "/api/v1/contests/<int:contest_id>/results.csv"): row(404, OK, OK, 404, OK, 404, 404),
    ("GET", "/api/v1/contests/<int:contest_id>/results.xlsx"): row(404, OK, OK, 404, OK, 404, 404),
    ("POST", "/api/v1/contests/<int:contest_id>/reveal/start"): ORGANIZER,
    ("POST", "/api/v1/contests/<int:contest_id>/reveal/next"): ORGANIZER,
    # promotions and certificates (ids below are unknown: allowed roles get 404)
    ("GET", "/api/v1/contests/<int:contest_id>/promotions"): row(401, OK, OK, 403, 403, OK, OK),
    ("GET", "/api/v1/promotions/<int:promotion_id>"): row(401, 404, 404, 403, 403, 404, 404),
    # decisions belong to the hr of the person's employer (api.md), not even to admin
    ("POST", "/api/v1/promotions/<int:promotion_id>/confirm"): row(401, 403, 403, 403, 403, 404, 404),
    ("POST", "/api/v1/promotions/<int:promotion_id>/reject"): row(401, 403, 403, 403, 403, 404, 404),
    ("POST", "/api/v1/promotions/decide"): row(401, 403, 403, 403, 403, OK, OK),  # per row: unknown id
    ("GET", "/api/v1/certificates/<string:number>"): row(401, 404, 403, 403, 403, 404, 404),
    ("GET", "/api/v1/verify/<string:number>"): row(404, 404, 404, 404, 404, 404, 404),
    # appeals (the appeal id below is unknown: allowed roles get 404)
    ("GET", "/api/v1/contests/<int:contest_id>/appeals"): JURY,
    ("POST", "/api/v1/contests/<int:contest_id>/appeals"): ORGANIZER,
    ("POST", "/api/v1/appeals/<int:appeal_id>/decide"): row(401, 404, 404, 403, 403, 403, 403),
    # events (events.md; the event id below is unknown: everyone allowed gets 404)
    ("GET", "/api/v1/events"): PUBLIC,
    ("POST", "/api/v1/events"): ORGANIZER,
    ("GET", "/api/v1/events/<int:event_id>"): row(404, 404, 404, 404, 404, 404, 404),
    ("PATCH", "/api/v1/events/<int:event_id>"): row(401, 404, 404, 403, 403, 403, 403),
    ("PUT", "/api/v1/events/<int:event_id>/contests"): ORGANIZER,
    ("GET", "/api/v1/events/<int:event_id>/overview"): row(404, 404, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/events/<int:event_id>/medal-table"): row(404, 404, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/events/<int:event_id>/medal-table.xlsx"): row(404, 404, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/award-schemes"): PUBLIC,
    ("GET", "/api/v1/contests/<int:contest_id>/awards"): row(404, OK, OK, 404, OK, 404, 404),
    ("POST", "/api/v1/contests/<int:contest_id>/qualify"): ORGANIZER,
    ("POST", "/api/v1/contests/<int:contest_id>/draw"): ORGANIZER,
    # audit
    ("GET", "/api/v1/audit"): ORGANIZER,
    ("GET", "/api/v1/audit/verify"): ORGANIZER,
}

ALLOWED_STATUSES = {200, 201, 204, 400, 409, 413, 422}

# Minimal valid bodies where an empty body would only test validation; {} elsewhere.
def _grades() -> dict:
    from competition.domain.grades import EIGHT_GRADE_TEMPLATE

    return {"grades": EIGHT_GRADE_TEMPLATE.to_dicts()}


GRADES = _grades()
PERSON = {"person_no": "X9001", "name": "新员工", "id_type": "居民身份证", "id_number": "110105194912310021",
          "kind": "employee"}


def bodies(world) -> dict[tuple[str, str], dict]:
    return {
        ("PUT", "/api/v1/contests/<int:contest_id>/marks"):
            {"competitor_id": world.competitors["c1"], "aspect_code": "B1", "value": "1"},
        ("POST", "/api/v1/contests/<int:contest_id>/modules/<string:module_code>/unlock"): {"reason": "复核"},
        ("PUT", "/api/v1/enterprises/<int:enterprise_id>/grade-scheme"): GRADES,
        ("POST", "/api/v1/enterprises/<int:enterprise_id>/people"): PERSON,
        ("PUT", "/api/v1/enterprises/<int:enterprise_id>/skill-structure/target"): {"high_skill_target": "0.3"},
        ("POST", "/api/v1/promotions/<int:promotion_id>/confirm"): {"version": 1},
        ("POST", "/api/v1/promotions/<int:promotion_id>/reject"): {"version": 1, "reason": "名额已满"},
        ("POST", "/api/v1/promotions/decide"): {"decisions": [{"id": 987654, "version": 1, "action": "confirm"}]},
        ("POST", "/api/v1/appeals/<int:appeal_id>/decide"): {"decision": "dismissed", "reason": "理由不足"},
    }


def api_operations(app) -> list[tuple[str, str]]:
    operations = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                operations.append((method, rule.rule))
    return sorted(operations, key=lambda op: (op[1], op[0]))


@pytest.fixture
def backend():
    """SQLite only: the access checks do not depend on the database, and 60 × 7 requests add up."""
    return "sqlite"


def test_every_api_route_has_an_access_rule(app):
    operations = set(api_operations(app))
    missing = sorted(operations - set(ACCESS))
    stale = sorted(set(ACCESS) - operations)
    assert not missing, "\n".join(f"no access rule for {m} {r}" for m, r in missing)
    assert not stale, "\n".join(f"access rule for a route that does not exist: {m} {r}" for m, r in stale)


def test_access_matrix(app, client, make_user):
    world = build_world(app, make_user)
    admin = make_user("admin")
    hr = make_user("hr", enterprise_id=world.enterprises["E1"])
    hr_other = make_user("hr", enterprise_id=world.enterprises["E2"])
    callers = {"anonymous": None, "admin": admin, "organizer": world.organizer, "judge": world.judges["j1"],
               "chief": world.judges["chief"], "hr": hr, "hr_other": hr_other}
    from competition.extensions import db
    from competition.models import ContestJudge
    with app.app_context():
        judge_row = db.session.query(ContestJudge).filter_by(contest_id=world.contest_id,
                                                             user_id=world.judges["j2"].id).one()
        judge_row_id = judge_row.id
        judge_row_fields = {c.name: getattr(judge_row, c.name) for c in ContestJudge.__table__.columns}

    def restore_judge_row():  # an allowed DELETE withdrew j2: put the same row back for the next caller
        with app.app_context():
            if db.session.get(ContestJudge, judge_row_id) is None:
                db.session.add(ContestJudge(**judge_row_fields))
                db.session.commit()
    values = {"contest_id": world.contest_id, "competitor_id": world.competitors["c1"],
              "judge_id": judge_row_id, "module_code": "A", "enterprise_id": world.enterprises["E1"],
              "person_id": world.people["c1"], "user_id": world.judges["j2"].id, "promotion_id": 987654,
              "appeal_id": 987654, "event_id": 987654, "token_id": 987654, "number": "Y2126000000000000001"}

    # a grade scheme for E1, so that reading it is 200 for those allowed
    response = client.put(f"/api/v1/enterprises/{world.enterprises['E1']}/grade-scheme", json=GRADES,
                          headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    minimal = bodies(world)

    failures = []
    for method, rule in api_operations(app):
        expected_row = ACCESS.get((method, rule))
        if expected_row is None:
            failures.append(f"no access rule for {method} {rule}")
            continue
        url = rule
        for name, value in values.items():
            for converter in ("int", "string"):
                url = url.replace(f"<{converter}:{name}>", str(value))
        assert "<" not in url, f"no test value for a parameter of {rule}"
        for role in ROLES:
            account = callers[role]
            headers = account.headers if account else {}
            if (method, rule) == ("DELETE", "/api/v1/auth/token") and account:  # it revokes the token it is sent with
                spare = client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD})
                headers = {"Authorization": f"Bearer {spare.get_json()['token']}"}
            kwargs = {}
            if method in {"POST", "PUT", "PATCH"} and not rule.endswith("/import"):
                kwargs["json"] = minimal.get((method, rule), {})
            response = client.open(url, method=method, headers=headers, **kwargs)
            status = response.status_code
            if method == "DELETE":
                restore_judge_row()
            expected = expected_row[role]
            if status >= 500:
                failures.append(f"{method} {rule} as {role}: {status} (server error)")
            elif expected == OK and status not in ALLOWED_STATUSES:
                failures.append(f"{method} {rule} as {role}: {status}, expected allowed (2xx/4xx validation)")
            elif expected != OK and status != expected:
                failures.append(f"{method} {rule} as {role}: {status}, expected {expected}")
            if status in {401, 403, 404}:
                assert response.is_json, (method, rule, role, response.get_data(as_text=True)[:200])
    assert not failures, f"{len(failures)} access mismatches:\n" + "\n".join(failures)


def test_anonymous_writes_are_401_whatever_the_body(app, client, make_user):
    """Authentication comes before body validation: no 422 (nor 413/400) leaks to anonymous callers."""
    world = build_world(app, make_user)
    url = f"/api/v1/contests/{world.contest_id}/marks"
    for kwargs in ({"json": {}}, {"data": "{not json", "content_type": "application/json"},
                   {"json": {"competitor_id": "x", "value": [1] * 10}}):
        response = client.put(url, **kwargs)
        assert response.status_code == 401, (kwargs, response.get_json())
        assert response.get_json()["code"] == 401


def test_id_numbers_are_masked_for_organizers(app, client, make_user):
    """api.md: ID numbers never leave the API unmasked except to admin and the person's own hr."""
    world = build_world(app, make_user)
    from competition.extensions import db
    from competition.models import Person
    with app.app_context():
        person = db.session.get(Person, world.people["c1"])
        full = person.id_number
    url = f"/api/v1/enterprises/{world.enterprises['E1']}/people"
    organizer_view = client.get(url, headers=world.organizer.headers)
    assert organizer_view.status_code == 200
    assert full not in organizer_view.get_data(as_text=True)
    hr = make_user("hr", enterprise_id=world.enterprises["E1"])
    hr_view = client.get(url, headers=hr.headers)
    assert hr_view.status_code == 200
    assert full in hr_view.get_data(as_text=True)
