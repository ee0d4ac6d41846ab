"""The skill-talent structure as an Excel workbook: the figures of GET …/skill-structure, numbers as
numbers (counts as integers, ratios as exact decimals shown as percentages), headings in Chinese like
the other exports (the workbook goes upward to the bureau).

Sheets: 技能人才结构 (per enterprise: now, and if every proposed promotion were confirmed; the bureau's
workbook ends with a 合计 row), 证书年度 (certificates per year and level), 职业 (people per occupation
and level).
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from competition.domain.levels import LEVEL_NAMES

LEVELS = (5, 4, 3, 2, 1)
LEVEL_HEADERS = [LEVEL_NAMES[level] for level in LEVELS]
TOTAL = "合计"
NOW, PENDING = "现状", "若待审核晋升全部确认"
PERCENT = "0.00%"

SUMMARY_HEADERS = ["企业代码", "企业名称", "口径", "职工人数", "技能人才", *LEVEL_HEADERS, "无等级",
                   "高技能人才", "高技能人才占比", "技能人才占比", "高技能人才占比目标"]
YEAR_HEADERS = ["企业代码", "企业名称", "发证年度", *LEVEL_HEADERS, "合计"]
OCCUPATION_HEADERS = ["企业代码", "企业名称", "职业编码", "职业名称", *LEVEL_HEADERS, "无等级", "合计", "高技能人才",
                      "高技能人才占比"]


def _ratio(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _levels(by_level: Mapping[str, int]) -> list[int]:
    return [by_level[str(level)] for level in LEVELS]


def _summary_row(code: str, name: str, basis: str, figures: Mapping[str, Any], target: str | None) -> list[Any]:
    return [code, name, basis, figures["people"], figures["skilled"], *_levels(figures["by_level"]), figures["none"],
            figures["high_skill"], _ratio(figures["high_skill_ratio"]), _ratio(figures["skilled_ratio"]),
            _ratio(target)]


def _sections(code: str, name: str, data: Mapping[str, Any],
              target: str | None) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    summary = [_summary_row(code, name, NOW, data, target), _summary_row(code, name, PENDING, data["pending"], target)]
    years = [[code, name, row["year"], *_levels(row["by_level"]), sum(row["by_level"].values())]
             for row in data["by_year"]]
    occupations = [[code, name, row["occupation_code"], row.get("occupation_name", ""), *_levels(row["by_level"]),
                    row["none"], row["skilled"] + row["none"], row["high_skill"], _ratio(row["high_skill_ratio"])]
                   for row in data["by_occupation"]]
    return summary, years, occupations


def _sheet(workbook: Workbook, title: str, headers: list[str], rows: list[list[Any]], percent_from: int | None = None,
           first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(headers)
    fill = PatternFill("solid", fgColor="F3E3C3")
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
        line = sheet.max_row
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=column)
            if isinstance(value, str):
                cell.data_type, cell.number_format = "s", "@"  # never a formula
            elif percent_from is not None and column >= percent_from:
                cell.number_format = PERCENT
        if row and row[0] == TOTAL:
            for cell in sheet[line]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(10, min(28, len(header) * 2 + 2))


def workbook(rows: Sequence[Mapping[str, Any]], *, total: Mapping[str, Any] | None = None) -> bytes:
    """`rows`: enterprise structures as `skill_structure.enterprise_dict` gives them; `total`: the bureau's
    total row (figures of `overview_dict`)."""
    summary: list[list[Any]] = []
    years: list[list[Any]] = []
    occupations: list[list[Any]] = []
    for data in rows:
        enterprise = data["enterprise"]
        parts = _sections(enterprise["code"], enterprise["name"], data, data["high_skill_target"])
        for bucket, part in zip((summary, years, occupations), parts):
            bucket.extend(part)
    if total is not None:
        parts = _sections(TOTAL, "", total, None)
        for bucket, part in zip((summary, years, occupations), parts):
            bucket.extend(part)
    book = Workbook()
    _sheet(book, "技能人才结构", SUMMARY_HEADERS, summary, percent_from=SUMMARY_HEADERS.index("高技能人才占比") + 1,
           first=True)
    _sheet(book, "证书年度", YEAR_HEADERS, years)
    _sheet(book, "职业", OCCUPATION_HEADERS, occupations, percent_from=len(OCCUPATION_HEADERS))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
