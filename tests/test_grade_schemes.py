"""Enterprise grade schemes through the API (promotion.md, Enterprise grade scheme; api.md)."""
from __future__ import annotations

import copy

import pytest

from competition.domain.grades import EIGHT_GRADE_TEMPLATE
from tests.masterdata import ELECTRICIAN, add_occupation, create_enterprise, eight_grades, person_body, put_scheme
from tests.support import assert_error


def grades(*rows):
    """rows of (code, level) or (code, level, appointed_only), names made up from the codes."""
    return [{"code": r[0], "name": f"等级{r[0]}", "national_level": r[1], **({"appointed_only": r[2]} if len(r) > 2
                                                                         else {})} for r in rows]


FIVE = [("g5", 5), ("g4", 4), ("g3", 3), ("g2", 2), ("g1", 1)]


@pytest.fixture
def enterprise(client, admin):
    return create_enterprise(client, admin, "E1")


def test_template_endpoint(client, make_user):
    judge = make_user("judge")
    response = client.get("/api/v1/grade-scheme-templates/eight-grade", headers=judge.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body == EIGHT_GRADE_TEMPLATE.to_dicts()
    assert [g["name"] for g in body] == ["学徒工", "初级工", "中级工", "高级工", "技师", "高级技师", "特级技师",
                                         "首席技师"]
    assert [g["national_level"] for g in body] == [None, 5, 4, 3, 2, 1, 1, 1]
    assert [g["appointed_only"] for g in body] == [False] * 6 + [True, True]
    assert_error(client.get("/api/v1/grade-scheme-templates/eight-grade"), 401)


def test_put_template_then_read_current(client, admin, enterprise, make_user):
    assert_error(client.get(f"/api/v1/enterprises/{enterprise}/grade-scheme", headers=admin.headers), 404)
    response = put_scheme(client, admin, enterprise)
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 1
    assert [{k: g[k] for k in ("code", "name", "national_level", "appointed_only")} for g in body["grades"]] == \
        eight_grades()
    assert body["grades"][4]["level_label"] == "二级/技师" and body["grades"][0]["level_label"] is None
    hr = make_user("hr", enterprise_id=enterprise)
    for account in (admin, make_user("organizer"), hr):
        current = client.get(f"/api/v1/enterprises/{enterprise}/grade-scheme", headers=account.headers)
        assert current.status_code == 200
        assert current.get_json()["version"] == 1 and current.get_json()["grades"] == body["grades"]


def test_hr_sets_own_scheme_and_sub_levels_are_allowed(client, enterprise, make_user):
    hr = make_user("hr", enterprise_id=enterprise)
    sub_levels = grades(("g5", 5), ("g4", 4), ("g3", 3), ("tech1", 2), ("tech2", 2), ("g1", 1))
    response = put_scheme(client, hr, enterprise, sub_levels)
    assert response.status_code == 200, response.get_json()
    assert [g["code"] for g in response.get_json()["grades"]] == ["g5", "g4", "g3", "tech1", "tech2", "g1"]


def test_each_change_is_a_new_version_and_old_versions_stay_readable(app, client, admin, enterprise):
    assert put_scheme(client, admin, enterprise).get_json()["version"] == 1
    changed = eight_grades()
    changed[4]["name"] = "技师（一档）"
    second = put_scheme(client, admin, enterprise, changed)
    assert second.status_code == 200 and second.get_json()["version"] == 2
    third = put_scheme(client, admin, enterprise, grades(*FIVE))
    assert third.get_json()["version"] == 3
    # The same scheme again is no change: no new version.
    assert put_scheme(client, admin, enterprise, grades(*FIVE)).get_json()["version"] == 3

    url = f"/api/v1/enterprises/{enterprise}/grade-scheme"
    assert client.get(url, headers=admin.headers).get_json()["version"] == 3
    old = client.get(f"{url}?version=1", headers=admin.headers)
    assert old.status_code == 200
    assert old.get_json()["version"] == 1 and old.get_json()["grades"][4]["name"] == "技师"
    assert client.get(f"{url}?version=2", headers=admin.headers).get_json()["grades"][4]["name"] == "技师（一档）"
    assert_error(client.get(f"{url}?version=9", headers=admin.headers), 404)
    assert_error(client.get(f"{url}?version=0", headers=admin.headers), 422, field="version")

    from competition.extensions import db
    from competition.models import AuditEntry

    with app.app_context():
        entries = db.session.query(AuditEntry).filter_by(action="grade_scheme.update").order_by(AuditEntry.seq).all()
        assert [e.after["version"] for e in entries] == [1, 2, 3]
        assert entries[0].before is None and entries[1].before["version"] == 1


# --- every validation rule: 422 naming the offending grade ----------------------------------------

def assert_rejected(client, account, enterprise, submitted, grade, fragment):
    response = put_scheme(client, account, enterprise, submitted)
    body = assert_error(response, 422, field="grades")
    named = [e for e in body["errors"]["grades"] if e["grade"] == grade]
    assert named, body
    assert any(fragment in e["message"] for e in named), body
    if isinstance(grade, str):
        assert grade in body["message"], body["message"]
    return body


@pytest.mark.backends
def test_codes_must_be_unique(client, admin, enterprise):
    assert_rejected(client, admin, enterprise, grades(*FIVE, ("g4", 1)), "g4", "duplicate")


@pytest.mark.parametrize("missing", [5, 4, 3, 2, 1])
def test_every_national_level_needs_a_grade(client, admin, enterprise, missing):
    body = assert_rejected(client, admin, enterprise, grades(*[r for r in FIVE if r[1] != missing]), None,
                           f"national level {missing}")
    assert f"national level {missing}" in body["message"]


def test_levels_never_go_down_along_the_order(client, admin, enterprise):
    assert_rejected(client, admin, enterprise,
                    grades(("g5", 5), ("g3", 3), ("g4", 4), ("g2", 2), ("g1", 1)), "g4", "never go down")


def test_null_level_grades_only_at_the_bottom(client, admin, enterprise):
    assert_rejected(client, admin, enterprise,
                    grades(("apprentice", None), ("g5", 5), ("helper", None), ("g4", 4), ("g3", 3), ("g2", 2),
                           ("g1", 1)), "helper", "bottom")


def test_appointed_only_grades_only_at_the_top(client, admin, enterprise):
    assert_rejected(client, admin, enterprise,
                    grades(("g5", 5), ("g4", 4), ("g3", 3), ("g2", 2), ("chief", 1, True), ("g1", 1)),
                    "chief", "top")


def test_appointed_only_grades_map_to_level_1(client, admin, enterprise):
    assert_rejected(client, admin, enterprise,
                    grades(("g5", 5), ("g4", 4), ("g3", 3), ("g2", 2), ("g1", 1), ("special", 2, True)),
                    "special", "level 1")


def test_level_1_needs_a_grade_competition_can_reach(client, admin, enterprise):
    assert_rejected(client, admin, enterprise,
                    grades(("g5", 5), ("g4", 4), ("g3", 3), ("g2", 2), ("special", 1, True)), "special",
                    "not appointed_only")


@pytest.mark.parametrize("change,grade,fragment", [
    (lambda g: g[1].update(national_level=6), "junior", "national_level"),
    (lambda g: g[1].update(national_level="5"), "junior", "national_level"),
    (lambda g: g[1].update(national_level=True), "junior", "national_level"),
    (lambda g: g[2].update(name="   "), "intermediate", "name"),
    (lambda g: g[2].update(name="名" * 201), "intermediate", "name"),
    (lambda g: g[3].update(appointed_only="yes"), "senior", "appointed_only"),
    (lambda g: g[3].update(colour="red"), "senior", "unknown field"),
    (lambda g: g[4].update(code="x" * 33), 4, "code"),
    (lambda g: g[4].update(code=" technician"), 4, "code"),
    (lambda g: g[4].pop("code"), 4, "code"),
    (lambda g: g[5].pop("name"), "senior_technician", "name"),
])
def test_grade_fields_are_checked(client, admin, enterprise, change, grade, fragment):
    submitted = copy.deepcopy(eight_grades())
    change(submitted)
    body = assert_rejected(client, admin, enterprise, submitted, grade, fragment)
    if isinstance(grade, int):
        assert f"#{grade + 1} (index {grade})" in body["message"]


def test_several_errors_are_reported_together(client, admin, enterprise):
    body = assert_error(put_scheme(client, admin, enterprise,
                                   grades(("g5", 5), ("g5", 4), ("x", None), ("g2", 2), ("g1", 1))),
                        422, field="grades")
    named = {e["grade"] for e in body["errors"]["grades"]}
    assert {"g5", "x", None} <= named


def test_body_shape(client, admin, enterprise):
    url = f"/api/v1/enterprises/{enterprise}/grade-scheme"
    assert_error(client.put(url, json={}, headers=admin.headers), 422, field="grades")
    assert_error(client.put(url, json={"grades": "5,4,3"}, headers=admin.headers), 422, field="grades")
    assert_error(client.put(url, json={"grades": eight_grades(), "x": 1}, headers=admin.headers), 422, field="x")
    assert_error(client.put(url, json={"grades": []}, headers=admin.headers), 422, field="grades")


def test_nothing_is_stored_on_422(client, admin, enterprise):
    assert put_scheme(client, admin, enterprise, grades(*FIVE[:-1])).status_code == 422
    assert_error(client.get(f"/api/v1/enterprises/{enterprise}/grade-scheme", headers=admin.headers), 404)


# --- a held grade cannot be removed ---------------------------------------------------------------

def with_second_technician_grade():
    """新八级 plus 技师二档 (a sub-level of level 2) above 技师."""
    ladder = eight_grades()
    ladder.insert(5, {"code": "technician_2", "name": "技师二档", "national_level": 2, "appointed_only": False})
    return ladder


@pytest.mark.backends
def test_removing_a_held_grade_is_409_naming_it(client, admin, enterprise):
    add_occupation(client, admin, ELECTRICIAN)
    assert put_scheme(client, admin, enterprise, with_second_technician_grade()).status_code == 200
    created = client.post(f"/api/v1/enterprises/{enterprise}/people",
                          json=person_body(1, grades=[{"occupation_code": "6-31-01-03", "grade_code": "technician_2"}]),
                          headers=admin.headers)
    assert created.status_code == 201, created.get_json()
    body = assert_error(put_scheme(client, admin, enterprise, eight_grades()), 409)
    assert "technician_2" in body["message"] and "技师二档" in body["message"]
    assert [e["grade"] for e in body["errors"]["grades"]] == ["technician_2"]
    url = f"/api/v1/enterprises/{enterprise}/grade-scheme"
    assert client.get(url, headers=admin.headers).get_json()["version"] == 1
    # Removing a grade nobody holds is fine ...
    without_chief = [g for g in with_second_technician_grade() if g["code"] != "chief_technician"]
    response = put_scheme(client, admin, enterprise, without_chief)
    assert response.status_code == 200 and response.get_json()["version"] == 2
    # ... and so is renaming a held grade: people hold codes.
    renamed = [dict(g, name="技师（二档）") if g["code"] == "technician_2" else g for g in without_chief]
    assert put_scheme(client, admin, enterprise, renamed).get_json()["version"] == 3
    # Once nobody holds it any more, it can go.
    person = created.get_json()["id"]
    assert client.patch(f"/api/v1/enterprises/{enterprise}/people/{person}", json={"grades": []},
                        headers=admin.headers).status_code == 200
    assert put_scheme(client, admin, enterprise, eight_grades()).get_json()["version"] == 4


def test_a_grade_held_in_another_enterprise_does_not_block(client, admin):
    add_occupation(client, admin, ELECTRICIAN)
    a, b = create_enterprise(client, admin, "A"), create_enterprise(client, admin, "B")
    for enterprise in (a, b):
        assert put_scheme(client, admin, enterprise, with_second_technician_grade()).status_code == 200
    assert client.post(f"/api/v1/enterprises/{a}/people",
                       json=person_body(1, grades=[{"occupation_code": "6-31-01-03", "grade_code": "technician_2"}]),
                       headers=admin.headers).status_code == 201
    assert put_scheme(client, admin, b, eight_grades()).status_code == 200
    assert_error(put_scheme(client, admin, a, eight_grades()), 409)


# --- who may ----------------------------------------------------------------------------------------

def test_scheme_access(client, admin, make_user):
    a, b = create_enterprise(client, admin, "A"), create_enterprise(client, admin, "B")
    assert put_scheme(client, admin, a).status_code == 200
    hr_b = make_user("hr", enterprise_id=b)
    url = f"/api/v1/enterprises/{a}/grade-scheme"
    assert_error(client.get(url, headers=hr_b.headers), 404)
    assert_error(client.get(f"{url}?version=1", headers=hr_b.headers), 404)
    assert_error(put_scheme(client, hr_b, a), 404)
    organizer, judge = make_user("organizer"), make_user("judge")
    assert client.get(url, headers=organizer.headers).status_code == 200
    assert_error(put_scheme(client, organizer, a), 403)
    assert_error(client.get(url, headers=judge.headers), 403)
    assert_error(put_scheme(client, judge, a), 403)
    assert_error(client.get(url), 401)
    assert_error(client.put(url, json={"grades": eight_grades()}), 401)
    assert_error(put_scheme(client, admin, 9999), 404)
