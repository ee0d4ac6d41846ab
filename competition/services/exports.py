"""Results as CSV and Excel (api.md, GET /contests/{id}/results.csv, results.xlsx).

The rows are exactly the standings rows of the view the caller may see (standings.board_rows), so an
export never shows more, or other numbers, than GET /standings does. Columns: 名次, 参赛号, 姓名, 单位,
one per component ("CODE 名称") and per module, 总分, 奖项 (the award's name, events.md; empty where
none or where the view does not show the rank), 状态, 完成. CSV is UTF-8 with a byte order mark
(Excel opens Chinese correctly) and carries the rounded figures as text; the workbook carries them as
exact decimal numbers with the contest's precision as number format.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from competition.models import Contest
from competition.services import awards, standings

STATUS_LABELS = {"active": "正常", "absent": "缺赛", "withdrawn": "退赛", "disqualified": "取消资格"}
YES, NO = "是", "否"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text Excel would take for a formula


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # "text", "rank" or "score"
    key: str = ""


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Any]]  # text as str, rank as int or None, scores as rounded decimal strings or None
    precision: int


def result_table(contest: Contest, view: str, options: standings.BoardOptions) -> Table:
    columns = [Column("名次", "rank"), Column("参赛号", "text"), Column("姓名", "text"), Column("单位", "text")]
    summary = _scheme_columns(contest)
    columns += [Column(header, "score", f"{group}:{code}") for group, code, header in summary]
    columns += [Column("总分", "score", "total"), Column("奖项", "text"), Column("状态", "text"),
                Column("完成", "text")]
    given = awards.award_names(contest, view, options)
    rows = []
    for row in standings.board_rows(contest, view, options):
        competitor = row["competitor"]
        line: list[Any] = [row["rank"], competitor.get("bib") or competitor.get("marking_no") or "",
                           _name(competitor), competitor.get("enterprise", "")]
        line += [row[group].get(code) for group, code, _ in summary]
        line += [row["total"], given.get(competitor.get("id", -1), ""), STATUS_LABELS.get(row["status"], row["status"]),
                 YES if row["complete"] else NO]
        rows.append(line)
    return Table(columns, rows, contest.precision)


def _scheme_columns(contest: Contest) -> list[tuple[str, str, str]]:
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return []
    components = [("components", c.code, f"{c.code} {c.name}") for c in scheme.components]
    modules = [("modules", m.code, f"{m.code} {m.name}") for _, m in scheme.modules()]
    return components + modules


def _name(competitor: dict[str, Any]) -> str:
    """A person's name; a team's name with its members, or the members alone."""
    name: str = competitor.get("name", "")
    members = [m["name"] for m in competitor.get("members", [])]
    if members and name and name != "、".join(members):
        return f"{name}（{'、'.join(members)}）"
    return name


def safe_text(value: str) -> str:
    """Keep spreadsheet programs from running a name such as "=HYPERLINK(…)" as a formula. A run of
    dashes alone ("--", how the platforms write "no direction") is no formula and stays as it is."""
    if value.startswith(FORMULA_STARTS) and value.strip("-"):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if value is None else safe_text(value) if column.kind == "text" else value
                         for column, value in zip(table.columns, row)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table, title: str = "成绩") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    number_format = "0" if table.precision == 0 else "0." + "0" * table.precision
    for row_index, row in enumerate(table.rows, start=2):
        for col_index, (column, value) in enumerate(zip(table.columns, row), start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_index, column=col_index)
            if column.kind == "score":
                cell.value = Decimal(value)
                cell.number_format = number_format
            elif column.kind == "rank":
                cell.value = int(value)
            else:
                cell.value = str(value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 6), ("B", 10), ("C", 24), ("D", 28)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
