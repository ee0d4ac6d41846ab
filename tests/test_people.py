"""People of an enterprise: ID validation, grades from the current scheme, masking, hr scoping."""
from __future__ import annotations

import json

import pytest

from competition.domain.identity import id_check_char, mask_id_number, mask_phone
from tests.masterdata import make_id, person_body, put_scheme, setup_enterprise
from tests.support import assert_error

ELECTRICIAN_SENIOR = {"occupation_code": "6-31-01-03", "grade_code": "senior"}


@pytest.fixture
def world(client, admin, make_user):
    """Enterprises A and B with the 新八级 scheme, their hr officers, an organizer and a judge."""
    a = setup_enterprise(client, admin, "A")
    b = setup_enterprise(client, admin, "B")
    return {"a": a, "b": b, "hr_a": make_user("hr", enterprise_id=a), "hr_b": make_user("hr", enterprise_id=b),
            "organizer": make_user("organizer"), "judge": make_user("judge")}


def people_url(enterprise_id, person_id=None):
    return f"/api/v1/enterprises/{enterprise_id}/people" + (f"/{person_id}" if person_id else "")


def create(client, account, enterprise_id, **body):
    response = client.post(people_url(enterprise_id), json=body, headers=account.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.mark.backends
def test_hr_creates_and_reads_a_person_with_grades(app, client, world):
    body = person_body(1, grades=[ELECTRICIAN_SENIOR, {"occupation_code": "6-18-01-01", "grade_code": "junior"}])
    person = create(client, world["hr_a"], world["a"], **body)
    assert person["person_no"] == "P0001" and person["name"] == "职工1" and person["kind"] == "employee"
    assert person["id_number"] == body["id_number"] and person["phone"] == body["phone"]
    assert person["masked"] is False and person["enterprise_id"] == world["a"]
    fetched = client.get(people_url(world["a"], person["id"]), headers=world["hr_a"].headers)
    assert fetched.status_code == 200
    grades = fetched.get_json()["grades"]
    assert [(g["occupation_code"], g["occupation_name"], g["grade_code"], g["grade_name"], g["national_level"],
             g["level_label"]) for g in grades] == [
        ("6-18-01-01", "车工", "junior", "初级工", 5, "五级/初级工"),
        ("6-31-01-03", "电工", "senior", "高级工", 3, "三级/高级工"),
    ]
    from competition.extensions import db
    from competition.models import AuditEntry

    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="person.create").one()
        assert entry.target == f"person:{person['id']}"
        dumped = json.dumps([entry.before, entry.after], ensure_ascii=False)
        assert body["id_number"] not in dumped and body["phone"] not in dumped
        assert entry.after["id_number"] == mask_id_number(body["id_number"])


def test_other_id_types_and_normalisation(client, world):
    passport = create(client, world["hr_a"], world["a"], **person_body(2, id_type="护照", id_number="e12345678"))
    assert passport["id_number"] == "E12345678"
    lower_x = "11010519491231002x"  # a real check character X typed in lower case
    person = create(client, world["hr_a"], world["a"], **person_body(3, id_number=lower_x, phone=None))
    assert person["id_number"] == "11010519491231002X" and person["phone"] is None


@pytest.mark.parametrize("id_number,fragment", [
    (make_id(1)[:17] + ("0" if make_id(1)[17] != "0" else "1"), "check character"),
    ("210102" + "19900231" + "123" + id_check_char("21010219900231123"), "date of birth"),
    ("210102" + "21000101" + "123" + id_check_char("21010221000101123"), "not plausible"),
    (make_id(1)[:17], "18 characters"),
    (make_id(1) + "1", "18 characters"),
    ("01010219900307123" + id_check_char("01010219900307123"), "cannot start with 0"),
    ("21010219900307A23X", "17 digits"),
])
def test_bad_id_numbers_are_422(app, client, world, id_number, fragment):
    body = assert_error(client.post(people_url(world["a"]), json=person_body(1, id_number=id_number),
                                    headers=world["hr_a"].headers), 422, field="id_number")
    assert fragment in body["errors"]["id_number"][0]
    from competition.extensions import db
    from competition.models import Person

    with app.app_context():
        assert db.session.query(Person).count() == 0


@pytest.mark.parametrize("change,field", [
    ({"id_type": "身份证明"}, "id_type"),
    ({"id_type": "护照", "id_number": "E1"}, "id_number"),
    ({"kind": "contractor"}, "kind"),
    ({"phone": "call me"}, "phone"),
    ({"phone": "1" * 33}, "phone"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "名" * 201}, "name"),
    ({"person_no": "P" * 33}, "person_no"),
    ({"person_no": " "}, "person_no"),
    ({"email": "a@b.c"}, "email"),
])
def test_field_checks(client, world, change, field):
    assert_error(client.post(people_url(world["a"]), json={**person_body(1), **change},
                             headers=world["hr_a"].headers), 422, field=field)


@pytest.mark.parametrize("grades,fragment", [
    ([{"occupation_code": "6-31-01-03", "grade_code": "master"}], "not in the enterprise's current grade scheme"),
    ([{"occupation_code": "9-99-99-99", "grade_code": "senior"}], "unknown occupation"),
    ([{"occupation_code": "6-18-01-01", "grade_code": "technician"}], "does not offer national level 2"),
    ([ELECTRICIAN_SENIOR, {"occupation_code": "6-31-01-03", "grade_code": "junior"}], "listed twice"),
])
def test_grades_must_exist_in_the_current_scheme(client, world, grades, fragment):
    body = assert_error(client.post(people_url(world["a"]), json=person_body(1, grades=grades),
                                    headers=world["hr_a"].headers), 422, field="grades")
    assert fragment in json.dumps(body["errors"], ensure_ascii=False)
    assert "grades[" in body["message"]


def test_grade_codes_follow_the_current_version(client, admin, world):
    ladder = [{"code": c, "name": n, "national_level": lv} for c, n, lv in
              [("L5", "五级", 5), ("L4", "四级", 4), ("L3", "三级", 3), ("L2", "二级", 2), ("L1", "一级", 1)]]
    assert put_scheme(client, admin, world["a"], ladder).status_code == 200
    assert_error(client.post(people_url(world["a"]), json=person_body(1, grades=[ELECTRICIAN_SENIOR]),
                             headers=world["hr_a"].headers), 422, field="grades")
    person = create(client, world["hr_a"], world["a"],
                    **person_body(1, grades=[{"occupation_code": "6-31-01-03", "grade_code": "L3"}]))
    assert person["grades"][0]["grade_name"] == "三级"


def test_an_enterprise_without_scheme_cannot_assign_grades(client, admin, make_user):
    from tests.masterdata import create_enterprise

    setup_enterprise(client, admin, "A")
    bare = create_enterprise(client, admin, "BARE")
    body = assert_error(client.post(people_url(bare), json=person_body(1, grades=[ELECTRICIAN_SENIOR]),
                                    headers=admin.headers), 422, field="grades")
    assert "no grade scheme" in body["message"]
    assert client.post(people_url(bare), json=person_body(1), headers=admin.headers).status_code == 201


@pytest.mark.backends
def test_duplicates_are_409(client, world):
    create(client, world["hr_a"], world["a"], **person_body(1))
    assert_error(client.post(people_url(world["a"]), json=person_body(1, id_number=make_id(2)),
                             headers=world["hr_a"].headers), 409, field="person_no")
    assert_error(client.post(people_url(world["a"]), json=person_body(2, id_number=make_id(1)),
                             headers=world["hr_a"].headers), 409, field="id_number")
    # The same person number and ID number in another enterprise are independent.
    create(client, world["hr_b"], world["b"], **person_body(1))


def test_patch_name_phone_kind_and_grades(client, world):
    person = create(client, world["hr_a"], world["a"], **person_body(1, grades=[ELECTRICIAN_SENIOR]))
    url = people_url(world["a"], person["id"])
    response = client.patch(url, json={"name": "王小明", "phone": "024-23456789", "kind": "student",
                                       "grades": [{"occupation_code": "6-31-01-03", "grade_code": "technician"},
                                                  {"occupation_code": "6-18-01-01", "grade_code": "senior"}]},
                            headers=world["hr_a"].headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["phone"], body["kind"]) == ("王小明", "024-23456789", "student")
    assert {g["occupation_code"]: g["grade_code"] for g in body["grades"]} == {"6-31-01-03": "technician",
                                                                                 "6-18-01-01": "senior"}
    # Leaving grades out keeps them; phone null clears it.
    body = client.patch(url, json={"phone": None}, headers=world["hr_a"].headers).get_json()
    assert body["phone"] is None and len(body["grades"]) == 2
    assert_error(client.patch(url, json={"grades": [{"occupation_code": "6-31-01-03", "grade_code": "nope"}]},
                              headers=world["hr_a"].headers), 422, field="grades")
    assert_error(client.patch(url, json={"person_no": "X"}, headers=world["hr_a"].headers), 422, field="person_no")
    assert_error(client.patch(url, json={"kind": "boss"}, headers=world["hr_a"].headers), 422, field="kind")
    assert_error(client.patch(url, json={"id_number": make_id(1)[:17] + "Z"}, headers=world["hr_a"].headers),
                 422, field="id_number")
    fixed = client.patch(url, json={"id_number": make_id(7)}, headers=world["hr_a"].headers)
    assert fixed.status_code == 200 and fixed.get_json()["id_number"] == make_id(7)


@pytest.mark.backends
def test_list_search_and_pagination(client, world):
    for n in range(1, 13):
        create(client, world["hr_a"], world["a"], **person_body(n, name=f"张{n}" if n % 2 else f"李{n}"))
    create(client, world["hr_b"], world["b"], **person_body(99))
    url = people_url(world["a"])
    first = client.get(f"{url}?page_size=5", headers=world["hr_a"].headers)
    assert first.status_code == 200
    assert [p["person_no"] for p in first.get_json()] == ["P0001", "P0002", "P0003", "P0004", "P0005"]
    pagination = json.loads(first.headers["X-Pagination"])
    assert pagination["total"] == 12 and pagination["total_pages"] == 3 and pagination["next_page"] == 2
    third = client.get(f"{url}?page_size=5&page=3", headers=world["hr_a"].headers)
    assert [p["person_no"] for p in third.get_json()] == ["P0011", "P0012"]
    found = client.get(f"{url}?q=张", headers=world["hr_a"].headers).get_json()
    assert len(found) == 6 and all(p["name"].startswith("张") for p in found)
    assert [p["person_no"] for p in client.get(f"{url}?q=P0010", headers=world["hr_a"].headers).get_json()] == ["P0010"]
    by_id = client.get(f"{url}?q={make_id(4)[6:14]}", headers=world["hr_a"].headers).get_json()
    assert [p["person_no"] for p in by_id] == ["P0004"]
    assert client.get(f"{url}?q=%25", headers=world["hr_a"].headers).get_json() == []
    assert_error(client.get(f"{url}?page_size=501", headers=world["hr_a"].headers), 422)


def test_masking_per_role(client, admin, world):
    body = person_body(1, grades=[ELECTRICIAN_SENIOR])
    person = create(client, world["hr_a"], world["a"], **body)
    masked_id, masked_phone = mask_id_number(body["id_number"]), mask_phone(body["phone"])
    assert masked_id != body["id_number"] and masked_phone == "138****0001"

    def listed(account, q=""):
        response = client.get(people_url(world["a"]) + (f"?q={q}" if q else ""), headers=account.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    for account in (admin, world["hr_a"]):
        (row,) = listed(account)
        assert (row["id_number"], row["phone"], row["masked"]) == (body["id_number"], body["phone"], False)
    (row,) = listed(world["organizer"])
    assert (row["id_number"], row["phone"], row["masked"]) == (masked_id, masked_phone, True)
    assert row["grades"][0]["grade_code"] == "senior"  # organizers still see the grade held
    # A masked viewer cannot find people by ID number either.
    assert listed(world["organizer"], q=body["id_number"][6:14]) == []
    assert admin and client.get(people_url(world["a"], person["id"]),
                                headers=admin.headers).get_json()["id_number"] == body["id_number"]


def test_hr_of_another_enterprise_gets_404_everywhere(client, world):
    person = create(client, world["hr_a"], world["a"], **person_body(1))
    own = create(client, world["hr_b"], world["b"], **person_body(2))
    hr_b = world["hr_b"].headers
    a, b = world["a"], world["b"]
    assert_error(client.get(f"/api/v1/enterprises/{a}", headers=hr_b), 404)
    assert_error(client.get(f"/api/v1/enterprises/{a}/grade-scheme", headers=hr_b), 404)
    assert_error(client.get(people_url(a), headers=hr_b), 404)
    assert_error(client.get(people_url(a, person["id"]), headers=hr_b), 404)
    assert_error(client.patch(people_url(a, person["id"]), json={"name": "x"}, headers=hr_b), 404)
    assert_error(client.post(people_url(a), json=person_body(3), headers=hr_b), 404)
    # Through its own enterprise's path, another enterprise's person id is just as unknown.
    assert_error(client.get(people_url(b, person["id"]), headers=hr_b), 404)
    assert_error(client.patch(people_url(b, person["id"]), json={"name": "x"}, headers=hr_b), 404)
    assert_error(client.get(people_url(b, 9999), headers=hr_b), 404)
    assert client.get(people_url(b, own["id"]), headers=hr_b).status_code == 200


def test_roles(client, world):
    person = create(client, world["hr_a"], world["a"], **person_body(1))
    organizer, judge = world["organizer"].headers, world["judge"].headers
    assert client.get(people_url(world["a"]), headers=organizer).status_code == 200
    assert_error(client.get(people_url(world["a"], person["id"]), headers=organizer), 403)
    assert_error(client.post(people_url(world["a"]), json=person_body(2), headers=organizer), 403)
    assert_error(client.patch(people_url(world["a"], person["id"]), json={"name": "x"}, headers=organizer), 403)
    for method, url in (("get", people_url(world["a"])), ("get", people_url(world["a"], person["id"])),
                        ("post", people_url(world["a"]))):
        assert_error(getattr(client, method)(url, json=person_body(2) if method == "post" else None,
                                             headers=judge), 403)
        assert_error(getattr(client, method)(url, json=person_body(2) if method == "post" else None), 401)
    assert_error(client.get(people_url(9999), headers=organizer), 404)


# --- the HR pages: sign-in, roles, scoping, masking -------------------------------------------------

def signed_in(app, account):
    """A test client with a browser session for `account`, signed in on /login (sessions live on the
    server: a cookie cannot be made up)."""
    from tests.support import signed_in as sign_in_page

    return sign_in_page(app, account.username)


HR_PAGES = ["/hr", "/hr/grade-scheme", "/hr/people", "/hr/people/import"]


@pytest.mark.parametrize("path", HR_PAGES)
def test_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path + "?enterprise_id=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "enterprise_id" in response.headers["Location"]


@pytest.mark.parametrize("path", HR_PAGES)
def test_pages_for_own_hr_and_admin(app, client, admin, world, path):
    create(client, world["hr_a"], world["a"], **person_body(1, grades=[ELECTRICIAN_SENIOR]))
    page = signed_in(app, world["hr_a"]).get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    assert "企业A" in html and "Content-Security-Policy" in page.headers
    assert "<script>" not in html and "onclick" not in html
    chooser = signed_in(app, admin).get(path)
    assert chooser.status_code == 200 and "选择企业" in chooser.get_data(as_text=True)
    assert f"enterprise_id={world['b']}" in chooser.get_data(as_text=True)
    assert signed_in(app, admin).get(f"{path}?enterprise_id={world['a']}").status_code == 200
    assert signed_in(app, admin).get(f"{path}?enterprise_id=9999").status_code == 404


@pytest.mark.parametrize("path", HR_PAGES)
def test_pages_refuse_other_roles_and_other_enterprises(app, world, path):
    judge = signed_in(app, world["judge"]).get(path)
    assert judge.status_code == 403 and "text/html" in judge.content_type
    other = signed_in(app, world["hr_b"]).get(f"{path}?enterprise_id={world['a']}")
    assert other.status_code == 404
    organizer = signed_in(app, world["organizer"]).get(f"{path}?enterprise_id={world['a']}")
    assert organizer.status_code == (200 if path == "/hr/people" else 403)


def test_people_page_masks_per_role(app, client, admin, world):
    body = person_body(1, grades=[ELECTRICIAN_SENIOR])
    create(client, world["hr_a"], world["a"], **body)
    for account in (world["hr_a"], admin):
        html = signed_in(app, account).get(f"/hr/people?enterprise_id={world['a']}").get_data(as_text=True)
        assert body["id_number"] in html and body["phone"] in html and "高级工" in html
    html = signed_in(app, world["organizer"]).get(f"/hr/people?enterprise_id={world['a']}").get_data(as_text=True)
    assert body["id_number"] not in html and body["phone"] not in html
    assert mask_id_number(body["id_number"]) in html and mask_phone(body["phone"]) in html
    assert "职工1" in html and "高级工" in html


@pytest.mark.backends
def test_people_page_search_and_pages(app, client, world):
    for n in range(1, 56):
        create(client, world["hr_a"], world["a"], **person_body(n))
    hr = signed_in(app, world["hr_a"])
    first = hr.get("/hr/people").get_data(as_text=True)
    assert "共 55 人" in first and "P0050" in first and "P0051" not in first and "第 1 / 2 页" in first
    second = hr.get("/hr/people?page=2").get_data(as_text=True)
    assert "P0051" in second and "P0050" not in second
    found = hr.get("/hr/people?q=P0007").get_data(as_text=True)
    assert "找到 1 人" in found and "P0007" in found


def test_grade_scheme_page_shows_the_ladder_and_old_versions(app, client, admin, world):
    changed = [dict(g, name="技师（一档）") if g["code"] == "technician" else g
               for g in client.get("/api/v1/grade-scheme-templates/eight-grade", headers=admin.headers).get_json()]
    assert put_scheme(client, admin, world["a"], changed).get_json()["version"] == 2
    hr = signed_in(app, world["hr_a"])
    html = hr.get("/hr/grade-scheme").get_data(as_text=True)
    assert "第 2 版" in html and "技师（一档）" in html and "二级/技师" in html and "仅评聘" in html
    ladder = html[html.index('data-testid="ladder"'):]  # the page's help texts name the grades too
    assert ladder.index("首席技师") < ladder.index("学徒工")  # highest at the top, lowest at the bottom
    old = hr.get("/hr/grade-scheme?version=1").get_data(as_text=True)
    assert "历史版本" in old and "技师（一档）" not in old and 'id="scheme-editor"' not in old
    assert hr.get("/hr/grade-scheme?version=7").status_code == 404
