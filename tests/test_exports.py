"""api.md, GET /contests/{id}/results.csv and results.xlsx."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.contest_fixtures import SMALL_FULL_MARKS, WORLDSKILLS_SCHEME, setup_contest
from tests.support import assert_error

# Both databases: exports of exact numbers read back from each database.
pytestmark = pytest.mark.backends

HEADER = ["名次", "参赛号", "姓名", "单位", "T 理论知识", "P 操作技能", "T1 理论考试", "A 模块A 电气安装",
          "B 模块B 调试与排故", "总分", "奖项", "状态", "完成"]
SECOND = {"T1.1": "81.5", "A1": "7.5", "A2": [2, 2, 3], "B1": 15, "B2": ["10.5", 11, 12]}


def finished(client, admin, **fields):
    """A final contest: bib 1 full marks, bib 2 partial figures, bib 3 absent."""
    setup = setup_contest(client, admin, competitors=3, judges=3, start=True, **fields)
    setup.store("1", SMALL_FULL_MARKS)
    setup.store("2", SECOND)
    client.patch(f"{setup.url}/competitors/{setup.competitor_id('3')}", json={"status": "absent"},
                 headers=setup.organizer.headers)
    setup.lock()
    assert setup.transition("final").status_code == 200
    return setup


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


def test_public_gets_404_before_final(client, admin, make_user):
    setup = setup_contest(client, admin, competitors=1, judges=2, start=True)
    for suffix in ("csv", "xlsx"):
        url = f"{setup.url}/results.{suffix}"
        assert_error(client.get(url), 404)
        assert_error(client.get(url, headers=setup.judges[1].headers), 404)
        for account in (setup.organizer, admin, setup.chief):
            assert client.get(url, headers=account.headers).status_code == 200


def test_draft_results_are_404_to_the_public(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=0)
    assert_error(client.get(f"{setup.url}/results.csv"), 404)
    assert client.get(f"{setup.url}/results.csv", headers=setup.organizer.headers).status_code == 200


def test_csv_after_final(client, admin):
    setup = finished(client, admin)
    rows = read_csv(client.get(f"{setup.url}/results.csv"))
    assert rows[0] == HEADER
    standings = setup.standings()["rows"]
    assert [r[1] for r in rows[1:]] == [s["competitor"]["bib"] for s in standings] == ["1", "2", "3"]
    first, second, absent = rows[1:]
    assert first == ["1", "1", "张三", standings[0]["competitor"]["enterprise"], "100.00", "50.00", "100.00",
                     "16.00", "34.00", "100.00", "", "正常", "是"]
    # bib 2: A2 = 6 × 7/3 / 3 = 4.666…, B2 = mean(10.5, 11, 12) = 11.1666…
    assert second[4:10] == ["81.50", "38.33", "81.50", "12.17", "26.17", "78.12"]
    assert second[9] == standings[1]["total"]
    assert absent[0] == "" and absent[11] == "缺赛"


def test_xlsx_numbers_are_exact_with_the_precision_format(client, admin):
    setup = finished(client, admin)
    sheet = read_xlsx(client.get(f"{setup.url}/results.xlsx"))
    assert [c.value for c in sheet[1]] == HEADER
    second = [c for c in sheet[3]]
    assert second[0].value == 2 and second[1].value == "2"
    assert Decimal(str(second[9].value)) == Decimal("78.12") and second[9].number_format == "0.00"
    assert Decimal(str(second[5].value)) == Decimal("38.33")
    assert sheet.cell(row=4, column=1).value is None  # the absent competitor has no rank


def test_precision_sets_the_number_format(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=1, judges=1, start=True,
                          precision=1)
    setup.store("1", {"M1": "77.25"})
    sheet = read_xlsx(client.get(f"{setup.url}/results.xlsx", headers=setup.organizer.headers))
    total = sheet.cell(row=2, column=7)
    assert sheet.cell(row=1, column=7).value == "总分"
    assert Decimal(str(total.value)) == Decimal("77.3") and total.number_format == "0.0"
    rows = read_csv(client.get(f"{setup.url}/results.csv", headers=setup.organizer.headers))
    assert rows[1][6] == "77.3"


def test_staff_export_before_final_uses_the_jury_view(client, admin):
    from datetime import datetime, timedelta, timezone

    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=1, judges=1, start=True)
    now = datetime.now(timezone.utc)
    setup.store("1", {"M1": 40}, at=now - timedelta(hours=2))
    client.patch(setup.url, json={"freeze_at": (now - timedelta(hours=1)).isoformat()},
                 headers=setup.organizer.headers)
    setup.store("1", {"M1": 90})
    rows = read_csv(client.get(f"{setup.url}/results.csv", headers=setup.organizer.headers))
    assert rows[1][6] == "90.00"  # jury: never frozen
    assert setup.standings()["rows"][0]["total"] == "40.00"


def test_public_export_matches_public_standings_of_a_final_only_contest(client, admin):
    setup = finished(client, admin, visibility="final_only")
    rows = read_csv(client.get(f"{setup.url}/results.csv"))
    board = setup.standings()["rows"]
    assert [(r[0], r[9]) for r in rows[1:]] == [(str(b["rank"] or ""), b["total"]) for b in board]


def test_team_names_with_members(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=1, judges=1, start=True,
                          team_size=2)
    rows = read_csv(client.get(f"{setup.url}/results.csv", headers=setup.organizer.headers))
    assert rows[1][2] == "代表队1（张三、李四）"


def test_names_are_never_formulas(client, admin, app):
    from competition.extensions import db
    from competition.models import Person

    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=1, judges=1, start=True)
    with app.app_context():
        db.session.get(Person, setup.people[0]).name = "=HYPERLINK(\"http://x\",\"y\")"
        db.session.commit()
    sheet = read_xlsx(client.get(f"{setup.url}/results.xlsx", headers=setup.organizer.headers))
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    rows = read_csv(client.get(f"{setup.url}/results.csv", headers=setup.organizer.headers))
    assert rows[1][2].startswith("'=")


@pytest.mark.parametrize("text, shown", [("--", "--"), ("-", "-"), ("-1+2", "'-1+2"), ("=1+2", "'=1+2"),
                                         ("@SUM(A1)", "'@SUM(A1)"), ("--1", "'--1"), ("张三", "张三")])
def test_spreadsheet_text_quotes_formulas_but_not_a_run_of_dashes(text, shown):
    from competition.services.exports import safe_text

    assert safe_text(text) == shown
