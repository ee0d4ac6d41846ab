"""Bulk import of people from .xlsx and .csv (api.md, POST /enterprises/{id}/people/import)."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from tests.masterdata import create_enterprise, make_id, setup_enterprise
from tests.support import assert_error

HEADERS = ["工号", "姓名", "证件类型", "证件号码", "人员类别", "手机号", "职业编码", "等级"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗欧阳"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明华", "超"]
GRADES = ["初级工", "中级工", "高级工", "技师", "senior", "junior", "学徒工"]


def rows(count: int = 500) -> list[list]:
    """A realistic roster: employees and students, most holding a grade in 电工 or 车工."""
    out = []
    for n in range(1, count + 1):
        surname = "欧阳" if n % 37 == 0 else SURNAMES[n % 20]
        kind = "学生" if n % 10 == 0 else ("员工" if n % 7 == 0 else "职工")
        occupation, grade = ("", "") if n % 9 == 0 else (("6-31-01-03", GRADES[n % 7]) if n % 3
                                                         else ("6-18-01-01", GRADES[n % 3]))
        out.append([f"{'S' if kind == '学生' else 'E'}{n:05d}", surname + GIVEN[n % len(GIVEN)], "居民身份证",
                    make_id(n, region=("210102", "210302", "211002")[n % 3]), kind, f"139{n:08d}",
                    occupation, grade])
    return out


def xlsx(data: list[list], headers=HEADERS, numeric_phones: bool = True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "职工名册"
    sheet.append(headers)
    for row in data:
        row = list(row)
        if numeric_phones and row[5].isdigit():
            row[5] = int(row[5])  # Excel users type phone numbers as numbers
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(data: list[list], headers=HEADERS, bom: bool = True) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(data)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def upload(client, account, enterprise_id, content: bytes, filename: str = "people.xlsx"):
    return client.post(f"/api/v1/enterprises/{enterprise_id}/people/import",
                       data={"file": (io.BytesIO(content), filename)}, headers=account.headers,
                       content_type="multipart/form-data")


def count_people(app, enterprise_id) -> int:
    from competition.extensions import db
    from competition.models import Person

    with app.app_context():
        return db.session.query(Person).filter_by(enterprise_id=enterprise_id).count()


@pytest.fixture
def enterprise(client, admin):
    return setup_enterprise(client, admin, "A")


@pytest.fixture
def hr(make_user, enterprise):
    return make_user("hr", enterprise_id=enterprise)


@pytest.mark.backends
def test_500_row_workbook_with_chinese_headers(app, client, hr, enterprise):
    data = rows(500)
    response = upload(client, hr, enterprise, xlsx(data))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.get_json()["created"] == 500 and response.get_json()["updated"] == 0
    assert count_people(app, enterprise) == 500
    listed = client.get(f"/api/v1/enterprises/{enterprise}/people?q=E00007", headers=hr.headers).get_json()
    (person,) = listed
    assert person["name"] == data[6][1] and person["kind"] == "employee" and person["id_number"] == data[6][3]
    assert person["phone"] == "13900000007"
    assert data[6][6:] == ["6-31-01-03", "初级工"]
    assert person["grades"][0]["grade_code"] == "junior" and person["grades"][0]["occupation_name"] == "电工"
    student = client.get(f"/api/v1/enterprises/{enterprise}/people?q=S00010", headers=hr.headers).get_json()[0]
    assert student["kind"] == "student"
    from competition.extensions import db
    from competition.models import AuditEntry

    with app.app_context():
        (entry,) = db.session.query(AuditEntry).filter_by(action="people.import").all()
        assert entry.after["created"] == 500 and entry.target == f"enterprise:{enterprise}"
        assert data[0][3] not in json.dumps(entry.after)


def test_one_bad_row_among_500_imports_nothing(app, client, hr, enterprise):
    data = rows(500)
    data[341][3] = data[341][3][:17] + ("0" if data[341][3][17] != "0" else "1")  # a typo in the check digit
    response = upload(client, hr, enterprise, xlsx(data))
    body = assert_error(response, 422)
    assert body["errors"] == [{"row": 343, "field": "id_number", "column": "证件号码",
                               "message": body["errors"][0]["message"]}]
    assert "check character" in body["errors"][0]["message"]
    assert "row 343" in body["message"] and "nothing was imported" in body["message"]
    assert count_people(app, enterprise) == 0


def test_every_bad_row_is_listed(app, client, hr, enterprise):
    data = rows(20)
    data[0][1] = ""                                   # row 2: no name
    data[3][4] = "临时工"                               # row 5: unknown kind
    data[5][3] = "21010219901332123X"                  # row 7: no 32nd of 13th month
    data[7][6], data[7][7] = "6-31-01-03", "大师"       # row 9: grade not in the scheme
    data[8][6], data[8][7] = "9-99-99-99", "技师"       # row 10: unknown occupation
    data[10][0] = data[2][0]                           # row 12: repeats row 4's person number
    data[11][3] = data[1][3]                           # row 13: repeats row 3's ID number
    data[12][5] = "电话"                               # row 14: not a phone number
    data[13][2] = "军官证"                              # row 15: unknown ID type
    data[14][6], data[14][7] = "6-18-01-01", "技师"     # row 16: 车工 offers levels 5..3 only
    data[15][7] = ""                                   # row 17: occupation without grade
    if not data[15][6]:
        data[15][6] = "6-31-01-03"
    body = assert_error(upload(client, hr, enterprise, csv_bytes(data), "roster.csv"), 422)
    found = [(e["row"], e["field"]) for e in body["errors"]]
    assert found == [(2, "name"), (5, "kind"), (7, "id_number"), (9, "grade"), (10, "occupation_code"),
                     (12, "person_no"), (13, "id_number"), (14, "phone"), (15, "id_type"), (16, "grade"),
                     (17, "grade")]
    messages = {e["row"]: e["message"] for e in body["errors"]}
    assert "repeats row 4" in messages[12] and "repeats row 3" in messages[13]
    assert "does not offer national level 2" in messages[16]
    assert body["message"].startswith("11 rows have errors")
    assert count_people(app, enterprise) == 0


def test_csv_with_bom_without_bom_and_english_headers(app, client, hr, enterprise):
    data = rows(30)
    response = upload(client, hr, enterprise, csv_bytes(data[:10], bom=True), "a.csv")
    assert response.status_code == 200 and response.get_json()["created"] == 10
    response = upload(client, hr, enterprise, csv_bytes(data[10:20], bom=False), "b.csv")
    assert response.status_code == 200 and response.get_json()["created"] == 10
    english = ["person_no", "name", "id_type", "id_number", "kind", "phone", "occupation_code", "grade_code"]
    english_rows = [r[:4] + [{"职工": "employee", "员工": "employee", "学生": "student"}[r[4]]] + r[5:]
                    for r in data[20:]]
    response = upload(client, hr, enterprise, csv_bytes(english_rows, headers=english), "c.csv")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 10
    assert count_people(app, enterprise) == 30


@pytest.mark.backends
def test_gb18030_csv_from_chinese_excel_is_read(client, hr, enterprise):
    content = csv_bytes(rows(3), bom=False).decode("utf-8").encode("gb18030")
    response = upload(client, hr, enterprise, content, "名册.csv")
    assert response.status_code == 200 and response.get_json()["created"] == 3


def test_updates_existing_people_by_person_no(app, client, hr, enterprise):
    data = rows(50)
    assert upload(client, hr, enterprise, xlsx(data)).get_json()["created"] == 50
    changed = [list(r) for r in data[:10]]
    changed[0][1] = "王新名"
    changed[1][7] = "技师" if changed[1][6] == "6-31-01-03" else "高级工"
    changed[2][5] = "13812345678"
    new = rows(52)[50:]
    response = upload(client, hr, enterprise, xlsx(changed + new))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 3, "unchanged": 7, "rows": 12}
    assert count_people(app, enterprise) == 52
    first = client.get(f"/api/v1/enterprises/{enterprise}/people?q={data[0][0]}", headers=hr.headers).get_json()[0]
    assert first["name"] == "王新名"
    second = client.get(f"/api/v1/enterprises/{enterprise}/people?q={data[1][0]}", headers=hr.headers).get_json()[0]
    assert second["grades"][0]["grade_name"] == changed[1][7] and second["grades"][0]["source"] == "import"


def test_an_id_number_held_by_another_existing_person_is_an_error(app, client, hr, enterprise):
    data = rows(5)
    assert upload(client, hr, enterprise, xlsx(data)).status_code == 200
    clash = [["E09999", "新人", "居民身份证", data[2][3], "职工", "", "", ""]]
    body = assert_error(upload(client, hr, enterprise, xlsx(clash)), 422)
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["field"] == "id_number"
    assert data[2][0] in body["errors"][0]["message"]


def test_numeric_id_cell_gets_a_hint(client, hr, enterprise):
    """Excel keeps numbers as doubles: an ID number typed into a number cell loses its last digits."""
    number = next(make_id(n) for n in range(1, 100)
                  if make_id(n).isdigit() and int(float(make_id(n))) != int(make_id(n)))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["E1", "张三", "居民身份证", float(number), "职工", None, None, None])
    out = io.BytesIO()
    workbook.save(out)
    body = assert_error(upload(client, hr, enterprise, out.getvalue()), 422)
    assert body["errors"][0]["field"] == "id_number"
    assert "format the column as text" in body["errors"][0]["message"]


def test_header_problems(client, hr, enterprise):
    body = assert_error(upload(client, hr, enterprise, csv_bytes(rows(2), headers=HEADERS[:-1] + ["级别"]),
                               "x.csv"), 422)
    assert body["errors"][0]["row"] == 1 and "级别" in body["errors"][0]["message"]
    missing_name = [h for h in HEADERS if h != "姓名"]
    body = assert_error(upload(client, hr, enterprise, csv_bytes([r[:1] + r[2:] for r in rows(2)],
                                                                 headers=missing_name), "x.csv"), 422)
    assert body["errors"] == [{"row": 1, "field": "name", "column": "姓名", "message": body["errors"][0]["message"]}]
    # A 序号 column and 学号 instead of 工号 are fine.
    response = upload(client, hr, enterprise, csv_bytes([[str(i + 1)] + r for i, r in enumerate(rows(2))],
                                                        headers=["序号", "学号"] + HEADERS[1:]), "x.csv")
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("content,filename,field", [
    (b"", "empty.csv", "file"),
    (b"\xef\xbb\xbf" + "工号,姓名,证件号码,人员类别\r\n".encode(), "header-only.csv", "file"),
    (b"not a workbook", "people.xlsx", "file"),
    (b"PK\x03\x04garbage", "people.xlsx", "file"),
    (b"\xd0\xcf\x11\xe0", "people.xls", "file"),
    (b"\xff\xfe\x00\x00\xff", "people.csv", "file"),
])
def test_unusable_files_are_422(client, hr, enterprise, content, filename, field):
    assert_error(upload(client, hr, enterprise, content, filename), 422, field=field)


def test_missing_file_field_is_422(client, hr, enterprise):
    response = client.post(f"/api/v1/enterprises/{enterprise}/people/import", data={},
                           headers=hr.headers, content_type="multipart/form-data")
    assert_error(response, 422, field="file")


def test_imports_may_be_larger_than_1_mib_up_to_10(app, client, hr, enterprise):
    data = [r + ["备注" * 700] for r in rows(500)]  # about 2 MiB: remarks column is ignored
    content = csv_bytes(data, headers=HEADERS + ["备注"])
    assert 1024 * 1024 < len(content) < 10 * 1024 * 1024
    response = upload(client, hr, enterprise, content, "big.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["created"] == 500
    too_big = b"\xef\xbb\xbf" + b"x" * (10 * 1024 * 1024 + 1)
    assert_error(upload(client, hr, enterprise, too_big, "huge.csv"), 413)
    # Other endpoints keep the 1 MiB limit.
    assert_error(client.post(f"/api/v1/enterprises/{enterprise}/people",
                             json={"name": "x" * (1024 * 1024 + 10)}, headers=hr.headers), 413)


def test_scoping_and_roles(client, admin, make_user, enterprise):
    other = create_enterprise(client, admin, "B")
    content = xlsx(rows(3))
    assert_error(upload(client, make_user("hr", enterprise_id=other), enterprise, content), 404)
    assert_error(upload(client, make_user("organizer"), enterprise, content), 403)
    assert_error(upload(client, make_user("judge"), enterprise, content), 403)
    response = client.post(f"/api/v1/enterprises/{enterprise}/people/import",
                           data={"file": (io.BytesIO(content), "p.xlsx")}, content_type="multipart/form-data")
    assert_error(response, 401)
    assert upload(client, admin, enterprise, content).status_code == 200


def test_templates_download_and_import_as_they_are(client, make_user, hr, enterprise):
    judge = make_user("judge")
    response = client.get("/api/v1/people-import-template.csv", headers=judge.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, example = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header == HEADERS and example[1] == "张三"
    workbook_response = client.get("/api/v1/people-import-template.xlsx", headers=judge.headers)
    assert workbook_response.status_code == 200
    workbook = load_workbook(io.BytesIO(workbook_response.data), read_only=True)
    first = list(workbook.worksheets[0].iter_rows(values_only=True, max_row=2))
    assert list(first[0]) == HEADERS and first[1][1] == "张三"
    assert_error(client.get("/api/v1/people-import-template.csv"), 401)
    assert_error(client.get("/api/v1/people-import-template.xlsx"), 401)
    # The templates import as they come (their example row is valid).
    assert upload(client, hr, enterprise, workbook_response.data, "template.xlsx").get_json()["created"] == 1
    assert upload(client, hr, enterprise, response.data, "template.csv").get_json() == {
        "created": 0, "updated": 0, "unchanged": 1, "rows": 1}


def test_browser_session_import_over_1_mib(app, client, hr, enterprise):
    """The page posts with the session cookie and the CSRF header; the 10 MiB limit applies there too
    (the CSRF check reads the form, so the import limit must be in force before it runs)."""
    import re

    from tests.support import signed_in

    browser = signed_in(app, hr.username)
    html = browser.get("/hr/people/import").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    content = csv_bytes([r + ["备注" * 700] for r in rows(500)], headers=HEADERS + ["备注"])
    assert len(content) > 1024 * 1024

    def post(headers):
        return browser.post(f"/api/v1/enterprises/{enterprise}/people/import",
                            data={"file": (io.BytesIO(content), "big.csv")}, headers=headers,
                            content_type="multipart/form-data")

    assert_error(post({}), 403)  # no CSRF token: refused
    response = post({"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["created"] == 500


def test_a_repeat_of_a_bad_row_is_still_a_repeat(app, client, hr, enterprise):
    data = rows(6)
    data[1][4] = "临时工"           # row 3: bad kind
    data[4][0] = data[1][0]        # row 6: repeats row 3's person number
    body = assert_error(upload(client, hr, enterprise, csv_bytes(data), "r.csv"), 422)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "kind"), (6, "person_no")]
    assert "repeats row 3" in body["errors"][1]["message"]
    assert count_people(app, enterprise) == 0
