"""api.md, PUT /contests/{id}/marking-scheme and POST .../marking-scheme/import (.xlsx); scoring.md,
Marking scheme."""
from __future__ import annotations

import copy
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.contest_fixtures import SMALL_SCHEME, WORLDSKILLS_SCHEME, setup_contest
from tests.support import assert_error

# 电工 6-31-01-03: theory 30 % (one module), practical 70 % with modules A and B; measurement,
# judgement and panel aspects.
ELECTRICIAN_SCHEME = {"components": [
    {"code": "T", "name": "理论知识", "weight": 30, "modules": [
        {"code": "T1", "name": "理论考试", "aspects": [
            {"code": "T1.1", "name": "理论考试成绩", "type": "measurement", "max_mark": 100,
             "description": "机考成绩"}]}]},
    {"code": "P", "name": "操作技能", "weight": 70, "modules": [
        {"code": "A", "name": "模块A 电气安装", "aspects": [
            {"code": "A1", "name": "元器件布置", "type": "measurement", "max_mark": 10, "description": "按图纸布置"},
            {"code": "A2", "name": "接线工艺", "type": "judgement", "max_mark": 6, "panel_size": 3, "max_spread": 1,
             "description": "0-3 分评价"}]},
        {"code": "B", "name": "模块B 调试与排故", "aspects": [
            {"code": "B1", "name": "功能调试", "type": "measurement", "max_mark": 20},
            {"code": "B2", "name": "安全文明生产", "type": "panel", "max_mark": 14, "panel_size": 5,
             "aggregate": "trimmed", "trim": 1}]}]},
]}

CHINESE = ("组成部分", "组成部分名称", "权重", "模块", "模块名称", "评分项", "评分项名称", "类型", "满分", "裁判人数",
           "汇总方式", "去掉最高最低分个数", "最大分差", "评分说明")
ELECTRICIAN_ROWS = [
    ("T", "理论知识", 30, "T1", "理论考试", "T1.1", "理论考试成绩", "测量", 100, None, None, None, None, "机考成绩"),
    ("P", "操作技能", 70, "A", "模块A 电气安装", "A1", "元器件布置", "测量", 10, None, None, None, None, "按图纸布置"),
    (None, None, None, None, None, "A2", "接线工艺", "评价", 6, 3, None, None, 1, "0-3 分评价"),  # merged cells
    ("P", None, None, "B", "模块B 调试与排故", "B1", "功能调试", "测量", 20, None, None, None, None, None),
    ("P", None, 70, "B", None, "B2", "安全文明生产", "裁判组", 14, 5, "去掉最高最低", 1, None, None),
]
ENGLISH = ("component", "component_name", "weight", "module", "module_name", "aspect", "aspect_name", "type",
           "max_mark", "panel_size", "aggregate", "trim", "max_spread", "description")


def xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, setup, data: bytes, filename="scheme.xlsx"):
    return client.post(f"{setup.url}/marking-scheme/import", data={"file": (io.BytesIO(data), filename)},
                       headers=setup.organizer.headers, content_type="multipart/form-data")


def put(client, setup, scheme):
    return client.put(f"{setup.url}/marking-scheme", json=scheme, headers=setup.organizer.headers)


@pytest.fixture
def draft(client, admin):
    return setup_contest(client, admin, scheme=None, competitors=2, judges=0)


# --- PUT ------------------------------------------------------------------------------------------------

def test_put_stores_the_scheme_and_rebuilds_the_standings(client, admin, draft):
    response = put(client, draft, ELECTRICIAN_SCHEME)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["scheme_version"] == 1
    assert body["components"][1]["modules"][1]["aspects"][1]["aggregate"] == "trimmed"
    assert put(client, draft, WORLDSKILLS_SCHEME).get_json()["scheme_version"] == 2
    rows = draft.standings(draft.organizer, "jury")["rows"]
    assert all(set(r["components"]) == {"C"} and set(r["modules"]) == {"M"} for r in rows)
    contest = client.get(draft.url, headers=draft.organizer.headers).get_json()
    assert contest["scheme_version"] == 2 and contest["scheme"]["components"][0]["code"] == "C"
    entries = client.get(f"/api/v1/audit?contest_id={draft.contest_id}", headers=admin.headers).get_json()
    assert [e["after"]["scheme_version"] for e in entries if e["action"] == "contest.scheme"] == [1, 2]


def broken(change):
    scheme = copy.deepcopy(ELECTRICIAN_SCHEME)
    change(scheme)
    return scheme


@pytest.mark.parametrize("scheme, path", [
    (broken(lambda s: s["components"][0].update(weight=40)), "components"),
    (broken(lambda s: s["components"][1]["modules"][0]["aspects"][1].update(code="A1")),
     "components.1.modules.0.aspects.1.code"),
    (broken(lambda s: s["components"][1]["modules"][1].update(code="A")), "components.1.modules.1.code"),
    (broken(lambda s: s["components"][1]["modules"][0]["aspects"][0].update(type="guess")),
     "components.1.modules.0.aspects.0.type"),
    (broken(lambda s: s["components"][1]["modules"][1]["aspects"][1].update(panel_size=2, trim=1)),
     "components.1.modules.1.aspects.1.trim"),
    (broken(lambda s: s["components"][1]["modules"][1]["aspects"][1].update(panel_size=4, trim=2)),
     "components.1.modules.1.aspects.1.trim"),
    (broken(lambda s: s["components"][0]["modules"][0]["aspects"][0].update(max_mark="10.005")),
     "components.0.modules.0.aspects.0.max_mark"),
    (broken(lambda s: s["components"][0]["modules"][0]["aspects"][0].update(colour="red")),
     "components.0.modules.0.aspects.0.colour"),
])
def test_put_validation_names_the_path(client, draft, scheme, path):
    assert_error(put(client, draft, scheme), 422, field=path)


def test_put_rejects_unknown_top_level_fields_and_missing_components(client, draft):
    assert_error(put(client, draft, {**ELECTRICIAN_SCHEME, "version": 3}), 422, field="version")
    assert_error(put(client, draft, {}), 422, field="components")


def test_put_only_in_draft_and_by_organizers(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=1, start=True)
    assert_error(put(client, setup, ELECTRICIAN_SCHEME), 409)
    assert_error(client.put(f"{setup.url}/marking-scheme", json=ELECTRICIAN_SCHEME), 401)
    assert_error(client.put(f"{setup.url}/marking-scheme", json=ELECTRICIAN_SCHEME, headers=setup.chief.headers),
                 403)


def test_scheme_must_keep_the_tie_breaker_codes(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=0, tie_breakers=[{"module": "A"}])
    assert_error(put(client, setup, WORLDSKILLS_SCHEME), 409, field="tie_breakers.0")
    assert put(client, setup, SMALL_SCHEME).status_code == 200


# --- import ---------------------------------------------------------------------------------------------

def test_xlsx_import_gives_the_same_scheme_as_json(client, admin, draft):
    other = setup_contest(client, admin, scheme=None, competitors=0, judges=0, organizer=draft.organizer)
    from_json = put(client, other, ELECTRICIAN_SCHEME)
    response = upload(client, draft, xlsx(CHINESE, ELECTRICIAN_ROWS))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == from_json.get_json()
    stored = client.get(draft.url, headers=draft.organizer.headers).get_json()["scheme"]
    assert stored == client.get(other.url, headers=other.organizer.headers).get_json()["scheme"]
    rows = draft.standings(draft.organizer, "jury")["rows"]
    assert set(rows[0]["modules"]) == {"T1", "A", "B"}


def test_xlsx_import_with_english_headers_and_values(client, draft):
    rows = [list(r) for r in ELECTRICIAN_ROWS]
    kinds = {"测量": "measurement", "评价": "judgement", "裁判组": "panel", "去掉最高最低": "trimmed"}
    rows = [[kinds.get(v, v) if isinstance(v, str) else v for v in row] for row in rows]
    response = upload(client, draft, xlsx(ENGLISH, rows))
    assert response.status_code == 200, response.get_json()
    aspects = [a for c in response.get_json()["components"] for m in c["modules"] for a in m["aspects"]]
    assert [a["type"] for a in aspects] == ["measurement", "measurement", "judgement", "measurement", "panel"]


def test_minimal_columns_default_names_to_codes(client, draft):
    headers = ("组成部分", "权重", "模块", "评分项", "类型", "满分", "裁判人数")
    rows = [("C", 100, "M", "M1", "测量", 60.5, None), ("C", None, "M", "M2", "评价", 39.5, 3)]
    response = upload(client, draft, xlsx(headers, rows))
    assert response.status_code == 200, response.get_json()
    component = response.get_json()["components"][0]
    assert component["name"] == "C" and component["modules"][0]["aspects"][0]["max_mark"] == "60.5"


def bad_rows_response(client, draft, rows, headers=CHINESE):
    response = upload(client, draft, xlsx(headers, rows))
    return assert_error(response, 422)["errors"]


def test_a_bad_row_is_named(client, draft):
    rows = [list(r) for r in ELECTRICIAN_ROWS]
    rows[2][8] = "六分"  # A2 max_mark, Excel row 4
    errors = bad_rows_response(client, draft, rows)
    assert {"row": 4, "field": "max_mark", "message": "must be a number"} in errors


def test_domain_errors_are_mapped_to_rows(client, draft):
    rows = [list(r) for r in ELECTRICIAN_ROWS]
    rows[4][9] = 2  # B2: trimmed panel of 2 judges (row 6)
    rows[3][7] = "猜"  # B1 type (row 5)
    errors = bad_rows_response(client, draft, rows)
    assert any(e["row"] == 5 and e["field"] == "type" for e in errors), errors
    rows[3][7] = "测量"
    errors = bad_rows_response(client, draft, rows)
    assert [(e["row"], e["field"]) for e in errors] == [(6, "trim")]
    rows[4][9] = 5
    rows[3][5] = "A1"  # duplicate aspect code on row 5
    errors = bad_rows_response(client, draft, rows)
    assert [(e["row"], e["field"]) for e in errors] == [(5, "aspect")]


def test_weights_not_summing_to_100(client, draft):
    rows = [list(r) for r in ELECTRICIAN_ROWS]
    rows[0][2] = 40
    errors = bad_rows_response(client, draft, rows)
    assert errors[0]["field"] == "weight" and "100" in errors[0]["message"]


def test_conflicting_weights_and_modules(client, draft):
    rows = [list(r) for r in ELECTRICIAN_ROWS]
    rows[4][2] = 60  # B2 row repeats P's weight differently
    errors = bad_rows_response(client, draft, rows)
    assert [(e["row"], e["field"]) for e in errors] == [(6, "weight")]
    rows[4][2] = None
    rows.append(("T", None, None, "A", None, "T9", "x", "测量", 1, None, None, None, None, None))
    errors = bad_rows_response(client, draft, rows)
    assert [(e["row"], e["field"]) for e in errors] == [(7, "module")]


def test_missing_and_unknown_columns(client, draft):
    headers = ("组成部分", "权重", "模块", "评分项", "满分", "颜色")
    errors = bad_rows_response(client, draft, [("C", 100, "M", "M1", 10, "红")], headers)
    assert {(e["row"], e["field"]) for e in errors} == {(1, "颜色"), (1, "type")}


def test_not_an_xlsx_file(client, draft):
    errors = assert_error(upload(client, draft, b"component,weight\nT,30\n", "scheme.csv"), 422)["errors"]
    assert errors[0]["field"] == "file"
    response = client.post(f"{draft.url}/marking-scheme/import", data={},
                           headers=draft.organizer.headers, content_type="multipart/form-data")
    assert_error(response, 422, field="file")


def test_empty_sheet(client, draft):
    errors = bad_rows_response(client, draft, [])
    assert errors[0]["row"] == 2


def test_import_only_in_draft(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=0, start=True)
    assert_error(upload(client, setup, xlsx(CHINESE, ELECTRICIAN_ROWS)), 409)


def test_template_downloads_and_imports(client, draft):
    assert_error(client.get("/api/v1/marking-scheme-template.xlsx"), 401)
    response = client.get("/api/v1/marking-scheme-template.xlsx", headers=draft.organizer.headers)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in workbook.worksheets[0][1]][:3] == ["组成部分", "组成部分名称", "权重"]
    imported = upload(client, draft, response.data)
    assert imported.status_code == 200, imported.get_json()
    assert [c["code"] for c in imported.get_json()["components"]] == ["T", "P"]


def test_import_accepts_bodies_over_one_mebibyte(client, draft):
    """Imports may be up to 10 MiB (api.md): a 2 MiB upload is read (and refused as not a workbook)."""
    response = upload(client, draft, b"x" * (2 * 1024 * 1024))
    assert_error(response, 422)
