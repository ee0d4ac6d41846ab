"""promotion.md, Certificates; api.md GET /certificates/{number}, /verify/{number}, the certificate exports;
the printable certificate page and the public verification page."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from competition.domain.certificates import CERT_NUMBER_RE, parse_certificate_number
from competition.domain.identity import mask_id_number
from tests.contest_fixtures import new_account
from tests.promotion_fixtures import promotion_contest, set_person
from tests.support import assert_error

# Both databases: serial numbers under unique constraints.
pytestmark = pytest.mark.backends

EXPORT_HEADER = ["姓名", "证件类型", "证件号码", "职业编码", "职业名称", "职业分类版本", "工种/方向", "等级",
                 "企业等级", "证书编号", "发证日期", "发证单位", "竞赛名称", "名次", "总分"]


def id_number_of(app, person_id: int) -> str:
    from competition.extensions import db
    from competition.models import Person

    with app.app_context():
        return db.session.get(Person, person_id).id_number


@pytest.fixture
def issued(client, admin):
    """Bib 1 (张三, enterprise A) confirmed: 高级工 → 技师."""
    contest = promotion_contest(client, admin, [95, 90, 85, 80], grades={1: "senior"})
    response = contest.confirm(1)
    assert response.status_code == 200, response.get_json()
    return contest, response.get_json()["certificate"]


# --- numbers -------------------------------------------------------------------------------------------

def test_numbers_follow_the_enterprise_settings_and_serials_count_per_prefix(client, admin):
    from competition.extensions import db
    from competition.models import Enterprise

    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 90, 89, 88])
    with client.application.app_context():
        enterprise = db.session.get(Enterprise, contest.enterprise_of(1))
        enterprise.cert_prefix, enterprise.org_code, enterprise.province_code, enterprise.site_code = (
            "S", "1234", "11", "654321")
        db.session.commit()
    numbers = {bib: contest.confirm(bib).get_json()["certificate"]["number"] for bib in (1, 3, 5, 7)}
    assert all(CERT_NUMBER_RE.fullmatch(n) for n in numbers.values())
    year = numbers[1][13:15]
    parts = {bib: parse_certificate_number(n) for bib, n in numbers.items()}
    assert {(p.kind, p.org_code, p.province_code, p.site_code, p.year) for p in parts.values()} == {
        ("S", "1234", "11", "654321", year)}
    # bibs 1 and 3 reach level 2 (前3名), bibs 5 and 7 level 3 (第4-10名): a serial sequence per prefix.
    assert [(parts[b].level, parts[b].serial) for b in (1, 3, 5, 7)] == [(2, 1), (2, 2), (3, 1), (3, 2)]
    # The other enterprise's numbers have their own prefix and start at 1 again.
    other = parse_certificate_number(contest.confirm(2).get_json()["certificate"]["number"])
    assert (other.kind, other.site_code, other.level, other.serial) == ("Y", contest_site(client, contest, 2), 2, 1)


def contest_site(client, contest, bib) -> str:
    from competition.extensions import db
    from competition.models import Enterprise

    with client.application.app_context():
        return db.session.get(Enterprise, contest.enterprise_of(bib)).site_code


def test_the_year_of_issue_is_taken_in_the_contest_time_zone(app, client, admin):
    """Confirmed 31 Dec 2026 16:30 UTC = 1 Jan 2027 00:30 in Asia/Shanghai: the number says 27."""
    from competition.extensions import db
    from competition.models import Promotion, User
    from competition.services import promotion_review

    contest = promotion_contest(client, admin, [95, 90])
    row = contest.outcome(1)
    hr = contest.hr_of(1)
    with app.test_request_context():
        user = db.session.get(User, hr.id)
        promotion = db.session.get(Promotion, row["id"])
        decided = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)
        promotion_review.confirm(promotion, user, row["version"], at=decided)
        db.session.commit()
        certificate = promotion.certificate
        assert certificate.issue_date == date(2027, 1, 1)
        assert parse_certificate_number(certificate.number).year == "27"


# --- the full certificate -------------------------------------------------------------------------------

def test_who_may_see_a_certificate(client, admin, issued):
    contest, certificate = issued
    url = f"/api/v1/certificates/{certificate['number']}"
    full_id = id_number_of(client.application, contest.person(1))
    for account in (admin, contest.hr_of(1)):
        response = client.get(url, headers=account.headers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == certificate and response.get_json()["id_number"] == full_id
    assert_error(client.get(url, headers=contest.hr_of(2).headers), 404)  # another enterprise's hr
    assert_error(client.get(url, headers=contest.setup.organizer.headers), 403)
    assert_error(client.get(url, headers=contest.setup.chief.headers), 403)
    assert_error(client.get(url), 401)
    unknown = certificate["number"][:-6] + "999999"
    assert_error(client.get(f"/api/v1/certificates/{unknown}", headers=admin.headers), 404)
    assert_error(client.get("/api/v1/certificates/not-a-number", headers=admin.headers), 404)


def test_a_certificate_is_a_snapshot(client, admin, issued):
    contest, certificate = issued
    set_person(client.application, contest.person(1), name="张三丰")
    again = client.get(f"/api/v1/certificates/{certificate['number']}", headers=admin.headers).get_json()
    assert again["person_name"] == "张三" == certificate["person_name"]


def test_id_numbers_are_masked_for_anyone_else(app, client, admin, issued):
    from competition.extensions import db
    from competition.models import Certificate, User
    from competition.services import certificates

    contest, certificate = issued
    organizer = contest.setup.organizer
    with app.app_context():
        row = db.session.query(Certificate).one()
        assert certificates.shown_id_number(db.session.get(User, admin.id), row) == row.id_number
        assert certificates.shown_id_number(db.session.get(User, contest.hr_of(1).id), row) == row.id_number
        for viewer in (db.session.get(User, organizer.id), db.session.get(User, contest.hr_of(2).id), None):
            assert certificates.shown_id_number(viewer, row) == mask_id_number(row.id_number)


# --- public verification --------------------------------------------------------------------------------

def test_public_verification_shows_masked_fields_only(client, issued):
    contest, certificate = issued
    response = client.get(f"/api/v1/verify/{certificate['number']}")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {"valid": True, "number": certificate["number"], "name": "张*", "occupation_code": "6-31-01-03",
                    "occupation_name": "电工", "level": 2, "level_label": "二级/技师", "issuer": certificate["issuer"],
                    "issue_date": certificate["issue_date"]}
    text = response.get_data(as_text=True)
    full_id = id_number_of(client.application, contest.person(1))
    assert full_id not in text and mask_id_number(full_id) not in text and "张三" not in text
    assert_error(client.get(f"/api/v1/verify/{certificate['number'][:-1]}9"), 404)
    assert_error(client.get("/api/v1/verify/Y0000"), 404)


def test_names_are_masked_as_the_spec_says(client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91])
    for bib, name in ((1, "欧阳明华"), (3, "张三丰"), (5, "王")):
        set_person(client.application, contest.person(bib), name=name)
    masked = {}
    for bib in (1, 3, 5):
        number = contest.confirm(bib).get_json()["certificate"]["number"]
        masked[bib] = client.get(f"/api/v1/verify/{number}").get_json()["name"]
    assert masked == {1: "欧**华", 3: "张*丰", 5: "*"}


# --- exports for the provincial supervision platform ------------------------------------------------------

def test_exports(client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 90], grades={1: "senior"})
    set_person(client.application, contest.person(3), name='=HYPERLINK("http://evil.example","点我")')
    first = contest.confirm(1).get_json()["certificate"]
    second = contest.confirm(3).get_json()["certificate"]
    assert contest.confirm(2).status_code == 200  # the other enterprise: not in this export
    enterprise = contest.enterprise_of(1)
    ids = [id_number_of(client.application, contest.person(b)) for b in (1, 3)]

    for account in (admin, contest.hr_of(1)):
        response = client.get(f"/api/v1/enterprises/{enterprise}/certificates.csv", headers=account.headers)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert rows[0] == EXPORT_HEADER
        assert [r[9] for r in rows[1:]] == [first["number"], second["number"]]
        # "--" (no direction) is no formula: it stays as the platforms write it, with no quote before it.
        assert rows[1] == ["张三", "居民身份证", ids[0], "6-31-01-03", "电工", "2022", "--", "二级/技师", "技师",
                           first["number"], first["issue_date"], first["issuer"], "2026年电工职业技能竞赛",
                           "1", "95.00"]
        assert rows[2][0] == "'" + '=HYPERLINK("http://evil.example","点我")'  # stays text
        assert rows[2][2] == ids[1]

    response = client.get(f"/api/v1/enterprises/{enterprise}/certificates.xlsx", headers=contest.hr_of(1).headers)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == EXPORT_HEADER and len(values) == 3
    assert values[1][:3] == ["张三", "居民身份证", ids[0]] and values[1][9] == first["number"]
    assert values[1][13] == 1 and values[1][14] == 95 and isinstance(values[1][14], (int, float))
    assert sheet.cell(row=2, column=15).number_format == "0.00"  # a number Excel sums, shown as 95.00
    assert values[1][6] == "--"
    formula = sheet.cell(row=3, column=1)
    assert formula.value == '=HYPERLINK("http://evil.example","点我")' and formula.data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.cell(row=2, column=3).data_type == "s"  # the ID number is text, never a number

    for suffix in ("csv", "xlsx"):
        url = f"/api/v1/enterprises/{enterprise}/certificates.{suffix}"
        assert_error(client.get(url, headers=contest.hr_of(2).headers), 404)
        assert_error(client.get(url, headers=contest.setup.organizer.headers), 403)
        assert_error(client.get(url), 401)
    assert_error(client.get("/api/v1/enterprises/999999/certificates.csv", headers=admin.headers), 404)


def test_an_enterprise_without_certificates_exports_the_header_only(client, admin):
    contest = promotion_contest(client, admin, [95, 90])
    response = client.get(f"/api/v1/enterprises/{contest.enterprise_of(1)}/certificates.csv", headers=admin.headers)
    assert list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == [EXPORT_HEADER]


# --- pages -----------------------------------------------------------------------------------------------

def sign_in(client, username: str) -> None:
    from tests.support import PASSWORD

    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


def test_certificate_page(app, client, admin, issued):
    contest, certificate = issued
    number = certificate["number"]
    browser = app.test_client()
    response = browser.get(f"/certificates/{number}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(browser, contest.hr_of(1).username)
    response = browser.get(f"/certificates/{number}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("职业技能等级证书", number, "二级/技师", "技师", "电工", "张三", certificate["issuer"],
                 id_number_of(app, contest.person(1)), "data:image/svg+xml", "certificate.css",
                 f'data-verify-url="{certificate["verify_url"]}"', "职业技能竞赛直接晋升"):
        assert text in html, text
    assert "<script>" not in html and "onclick" not in html
    other = app.test_client()
    sign_in(other, contest.hr_of(2).username)
    assert other.get(f"/certificates/{number}").status_code == 404
    organizer = app.test_client()
    sign_in(organizer, contest.setup.organizer.username)
    assert organizer.get(f"/certificates/{number}").status_code == 403


def test_verify_page(app, client, issued):
    contest, certificate = issued
    response = app.test_client().get(f"/verify/{certificate['number']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "证书有效" in html and "张*" in html and certificate["number"] in html and "二级/技师" in html
    full_id = id_number_of(app, contest.person(1))
    assert full_id not in html and mask_id_number(full_id) not in html and "张三" not in html
    missing = app.test_client().get("/verify/Y000021000001262999999")
    assert missing.status_code == 404 and "未找到该证书" in missing.get_data(as_text=True)
    assert app.test_client().get("/verify/<script>").status_code == 404


def test_hr_promotions_page(app, client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93, 92], grades={1: "senior"})
    assert contest.confirm(3).status_code == 200
    browser = app.test_client()
    sign_in(browser, contest.hr_of(1).username)
    response = browser.get("/hr/promotions")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2026年电工职业技能竞赛" in html
    assert "高级工 (三级/高级工)" in html and "技师 (二级/技师)" in html
    assert html.count('data-testid="promotion-row"') == 2  # bibs 1 and 3: this enterprise only
    assert "/certificates/" in html and 'type="application/json" id="promo-labels"' in html
    overview = browser.get("/hr").get_data(as_text=True)
    assert 'data-testid="promotions-card"' in overview and "项待审核" in overview
    # An admin picks the enterprise and reads without deciding.
    viewer = app.test_client()
    sign_in(viewer, admin.username)
    page = viewer.get(f"/hr/promotions?enterprise_id={contest.enterprise_of(2)}").get_data(as_text=True)
    assert page.count('data-testid="promotion-row"') == 2 and 'data-action="confirm"' not in page
    judge = app.test_client()
    sign_in(judge, contest.setup.chief.username)
    assert judge.get("/hr/promotions").status_code == 403


def test_policy_library_is_reachable_by_a_new_organizer(client, admin):
    organizer = new_account(client, admin, "organizer")
    assert client.get("/api/v1/policy-library", headers=organizer.headers).status_code == 200
