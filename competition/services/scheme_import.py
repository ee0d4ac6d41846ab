"""Marking schemes from spreadsheets (api.md, POST /contests/{id}/marking-scheme/import).

One row per aspect on the first sheet, a header row first. Columns (English or Chinese headers):

    component 组成部分 · weight 权重 · module 模块 · aspect 评分项 · type 类型 · max_mark 满分 ·
    panel_size 裁判人数, and optionally component_name 组成部分名称 · module_name 模块名称 ·
    aspect_name 评分项名称 · aggregate 汇总方式 · trim 去掉最高最低分个数 · max_spread 最大分差 ·
    description 评分说明 (a 备注/notes column is ignored).

A blank component cell continues the previous row's component (merged cells), likewise a blank
module cell within the same component; weight and names need only be given once. The rows become the
JSON shape of PUT /marking-scheme and are checked by `competition.domain.scheme.build_scheme`; every
problem is reported with its Excel row number: a 422 ServiceError, `errors = [{"row","field","message"}]`.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from competition.domain.scheme import SchemeError, build_scheme
from competition.errors import ServiceError
from competition.inputs import text_problem
from competition.services import spreadsheets

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_ROWS = 2000  # aspects in one scheme; a bigger sheet is not a marking scheme

# canonical column -> accepted headers (compared without case, spaces, underscores and "(...)")
COLUMNS: dict[str, tuple[str, ...]] = {
    "component": ("组成部分", "组成部分代码", "部分", "考核部分"),
    "component_name": ("组成部分名称", "部分名称", "考核部分名称"),
    "weight": ("权重", "比重", "权重%"),
    "module": ("模块", "模块代码", "模块编号"),
    "module_name": ("模块名称",),
    "aspect": ("评分项", "评分项代码", "评分项编号", "分项", "分项代码"),
    "aspect_name": ("评分项名称", "分项名称", "评分内容"),
    "type": ("类型", "评分类型", "评分方式"),
    "max_mark": ("满分", "分值", "配分"),
    "panel_size": ("裁判人数", "评分裁判人数", "裁判数"),
    "aggregate": ("汇总方式", "汇总", "计分方式"),
    "trim": ("去掉最高最低分个数", "去掉最高最低分数", "去尾个数"),
    "max_spread": ("最大分差", "允许分差"),
    "description": ("评分说明", "说明", "描述", "评分标准"),
}
IGNORED = ("备注", "注释", "note", "notes", "remark", "remarks", "comment", "comments")
REQUIRED = ("component", "weight", "module", "aspect", "type", "max_mark")
TYPES = {
    "measurement": ("measurement", "测量", "测量评分", "客观", "客观评分"),
    "judgement": ("judgement", "judgment", "评价", "评价评分", "主观", "主观评分"),
    "panel": ("panel", "裁判组", "裁判组评分", "专家组", "专家组评分"),
}
AGGREGATES = {
    "mean": ("mean", "平均", "平均值", "算术平均"),
    "median": ("median", "中位数"),
    "trimmed": ("trimmed", "去掉最高最低", "去掉最高最低分", "截尾平均", "去极值平均"),
}
# Domain field names inside an aspect / module / component -> the column that holds them.
_ASPECT_FIELD_COLUMN = {"code": "aspect", "name": "aspect_name"}
_MODULE_FIELD_COLUMN = {"code": "module", "name": "module_name"}
_COMPONENT_FIELD_COLUMN = {"code": "component", "name": "component_name", "weight": "weight"}


def rejected(errors: list[dict[str, Any]]) -> ServiceError:
    """A spreadsheet that is not a valid scheme: 422, `errors` lists `{"row", "field", "message"}`."""
    return ServiceError(422, "The spreadsheet is not a valid marking scheme; see errors (Excel row numbers).",
                        errors=errors)


def _normal(text: str) -> str:
    text = re.sub(r"[(（][^)）]*[)）]", "", text)  # "权重(%)", "满分（分）"
    return re.sub(r"[\s_\-]+", "", text).lower()


_HEADER_INDEX = {_normal(alias): column for column, aliases in COLUMNS.items() for alias in (column, *aliases)}
_TYPE_INDEX = {_normal(alias): kind for kind, aliases in TYPES.items() for alias in aliases}
_IGNORED_INDEX = frozenset(_normal(alias) for alias in IGNORED)
_AGGREGATE_INDEX = {_normal(alias): kind for kind, aliases in AGGREGATES.items() for alias in aliases}


@dataclass
class _Module:
    code: str
    row: int
    name: str | None = None
    aspects: list[dict[str, Any]] = field(default_factory=list)
    aspect_rows: list[int] = field(default_factory=list)


@dataclass
class _Component:
    code: str
    row: int
    weight: Any = None
    weight_row: int | None = None
    name: str | None = None
    modules: dict[str, _Module] = field(default_factory=dict)


class _Reader:
    """Collects the tree and every row's problems."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.components: dict[str, _Component] = {}
        self.module_owner: dict[str, str] = {}
        self.previous: tuple[str, str] | None = None  # (component, module) of the last good row

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append({"row": row, "field": column, "message": message})

    def header(self, cells: tuple[Any, ...]) -> dict[int, str]:
        columns: dict[int, str] = {}
        for index, cell in enumerate(cells):
            text = _text(cell)
            if not text:
                continue
            key = _normal(text)
            if key in _IGNORED_INDEX:
                continue
            column = _HEADER_INDEX.get(key)
            if column is None:
                self.error(1, text, "unknown column; see the template (GET /api/v1/marking-scheme-template.xlsx)")
            elif column in columns.values():
                self.error(1, text, f"column {column} appears twice")
            else:
                columns[index] = column
        for column in REQUIRED:
            if column not in columns.values():
                self.error(1, column, f"missing column {column} ({COLUMNS[column][0]})")
        return columns

    def row(self, number: int, values: dict[str, Any]) -> None:
        before = len(self.errors)
        component_code = _code(values.get("component"))
        module_code = _code(values.get("module"))
        if component_code is None:
            if self.previous is None:
                self.error(number, "component", "required")
                return
            component_code = self.previous[0]
            if module_code is None:
                module_code = self.previous[1]
        if module_code is None:
            self.error(number, "module", "required")
            return
        component = self.components.setdefault(component_code, _Component(component_code, number))
        owner = self.module_owner.setdefault(module_code, component_code)
        if owner != component_code:
            self.error(number, "module", f"module {module_code} already belongs to component {owner}")
            return
        self._component_settings(component, number, values)
        module = component.modules.setdefault(module_code, _Module(module_code, number))
        name = _text(values.get("module_name"))
        if name:
            if module.name and module.name != name:
                self.error(number, "module_name", f"differs from the name given for module {module_code} "
                                                  f"on row {module.row}")
            module.name = module.name or name
        aspect = self._aspect(number, values)
        if len(self.errors) == before:
            module.aspects.append(aspect)
            module.aspect_rows.append(number)
        self.previous = (component_code, module_code)

    def _component_settings(self, component: _Component, number: int, values: dict[str, Any]) -> None:
        weight = _number(values.get("weight"))
        if weight is None and _text(values.get("weight")):
            self.error(number, "weight", "must be a number")
        elif weight is not None:
            if component.weight is not None and Decimal(str(weight)) != Decimal(str(component.weight)):
                self.error(number, "weight", f"differs from the weight of component {component.code} "
                                             f"on row {component.weight_row}")
            elif component.weight is None:
                component.weight, component.weight_row = weight, number
        name = _text(values.get("component_name"))
        if name:
            if component.name and component.name != name:
                self.error(number, "component_name", f"differs from the name of component {component.code}")
            component.name = component.name or name

    def _aspect(self, number: int, values: dict[str, Any]) -> dict[str, Any]:
        code = _code(values.get("aspect"))
        if code is None:
            self.error(number, "aspect", "required")
        kind_text = _text(values.get("type"))
        kind = _TYPE_INDEX.get(_normal(kind_text)) if kind_text else None
        if kind is None:
            self.error(number, "type", "required" if not kind_text else
                       "must be measurement/测量, judgement/评价 or panel/裁判组")
        aspect: dict[str, Any] = {"code": code, "name": _text(values.get("aspect_name")) or code, "type": kind}
        for column in ("max_mark", "panel_size", "trim", "max_spread"):
            raw = values.get(column)
            value = _number(raw)
            if value is None and _text(raw):
                self.error(number, column, "must be a number")
            if value is not None:
                aspect[column] = value
        aggregate_text = _text(values.get("aggregate"))
        if aggregate_text:
            aggregate = _AGGREGATE_INDEX.get(_normal(aggregate_text))
            if aggregate is None:
                self.error(number, "aggregate", "must be mean/平均, median/中位数 or trimmed/去掉最高最低")
            aspect["aggregate"] = aggregate
        description = _text(values.get("description"))
        if description:
            aspect["description"] = description
        return aspect

    def scheme(self) -> dict[str, Any]:
        return {"components": [
            {"code": c.code, "name": c.name or c.code, "weight": c.weight,
             "modules": [{"code": m.code, "name": m.name or m.code, "aspects": m.aspects}
                         for m in c.modules.values()]}
            for c in self.components.values()]}

    def row_of(self, path: str) -> tuple[int | None, str]:
        """The Excel row and column behind a `build_scheme` error path."""
        parts = path.split(".")
        if len(parts) < 2 or parts[0] != "components" or not parts[1].isdigit():
            return None, "weight" if path == "components" else path
        component = list(self.components.values())[int(parts[1])]
        rest = parts[2:]
        if len(rest) >= 2 and rest[0] == "modules" and rest[1].isdigit():
            module = list(component.modules.values())[int(rest[1])]
            rest = rest[2:]
            if len(rest) >= 2 and rest[0] == "aspects" and rest[1].isdigit():
                index = int(rest[1])
                leaf = rest[2] if len(rest) > 2 else "aspect"
                return module.aspect_rows[index], _ASPECT_FIELD_COLUMN.get(leaf, leaf)
            leaf = rest[0] if rest else "module"
            return module.row, _MODULE_FIELD_COLUMN.get(leaf, leaf)
        leaf = rest[0] if rest else "component"
        row = component.weight_row if leaf == "weight" and component.weight_row else component.row
        return row, _COMPONENT_FIELD_COLUMN.get(leaf, leaf)


def read_scheme(data: bytes) -> dict[str, Any]:
    """The scheme in an .xlsx file, as the JSON body of PUT /marking-scheme (already validated)."""
    spreadsheets.check_workbook(data)  # declared rows and columns, unpacked size: before any row is read
    workbook = _open(data)
    try:
        return _read(workbook.worksheets[0])
    finally:
        workbook.close()


def _read(sheet: ReadOnlyWorksheet) -> dict[str, Any]:
    reader = _Reader()
    rows = spreadsheets.bounded(sheet.iter_rows(values_only=True))  # blank rows count towards the limit
    columns = reader.header(next(rows, ()))
    if reader.errors:
        raise rejected(reader.errors)
    count = 0
    for number, cells in enumerate(rows, start=2):
        values = {columns[i]: cell for i, cell in enumerate(cells) if i in columns}
        if all(_text(v) == "" for v in values.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            reader.error(number, "aspect", f"at most {MAX_ROWS} aspects")
            break
        checked = [(column, text_problem(v)) for column, v in values.items() if isinstance(v, str)]
        refused = [(column, problem) for column, problem in checked if problem is not None]
        for column, problem in refused:  # NUL, unpaired surrogates, control characters (api.md)
            reader.error(number, column, problem)
        if not refused:
            reader.row(number, values)
    if count == 0:
        reader.error(2, "aspect", "the sheet has no aspects")
    for component in reader.components.values():
        if component.weight is None and not any(e["row"] == component.row for e in reader.errors):
            reader.error(component.row, "weight", f"component {component.code} needs a weight")
    if reader.errors:
        raise rejected(reader.errors)
    raw = reader.scheme()
    try:
        build_scheme(raw)
    except SchemeError as error:
        problems: list[dict[str, Any]] = []
        for path, messages in error.errors.items():
            row, column = reader.row_of(path)
            problems.extend({"row": row, "field": column, "message": m} for m in messages)
        raise rejected(sorted(problems, key=lambda e: (e["row"] or 0, e["field"]))) from None
    return raw


def _open(data: bytes) -> Workbook:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise rejected([{"row": None, "field": "file",
                                  "message": f"not a readable .xlsx workbook ({type(exc).__name__})"}]) from None
    if not workbook.worksheets:
        raise rejected([{"row": None, "field": "file", "message": "the workbook has no sheet"}])
    return workbook


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _code(value: Any) -> str | None:
    return _text(value) or None


def _number(value: Any) -> Any:
    """A cell as something `build_scheme` reads exactly: ints stay ints, other numbers become strings."""
    if value is None or isinstance(value, (bool, datetime, date, time)):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value).strip().rstrip("%").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        try:
            return int(text)
        except ValueError:  # more digits than int() converts: build_scheme finds it out of range
            return text
    try:
        Decimal(text)
    except ArithmeticError:
        return None
    return text


# --- the downloadable template ---------------------------------------------------------------------------

TEMPLATE_HEADERS = ("组成部分", "组成部分名称", "权重", "模块", "模块名称", "评分项", "评分项名称", "类型", "满分",
                    "裁判人数", "汇总方式", "去掉最高最低分个数", "最大分差", "评分说明")
TEMPLATE_ROWS = (
    ("T", "理论知识", 30, "T1", "理论考试", "T1.1", "理论考试成绩", "测量", 100, None, None, None, None, "机考成绩"),
    ("P", "操作技能", 70, "A", "模块A 电气安装", "A1", "元器件布置", "测量", 10, None, None, None, None, "按图纸布置"),
    (None, None, None, "A", None, "A2", "接线工艺", "评价", 6, 3, None, None, 1, "0-3 分评价"),
    (None, None, None, "B", "模块B 调试与排故", "B1", "功能调试", "测量", 20, None, None, None, None, None),
    (None, None, None, "B", None, "B2", "安全文明生产", "裁判组", 14, 5, "去掉最高最低", 1, None, None),
)
TEMPLATE_NOTES = (
    ("列 column", "说明 meaning"),
    ("组成部分 component", "组成部分代码，如 T（理论知识）、P（操作技能）；空白表示沿用上一行"),
    ("权重 weight", "组成部分的权重（百分比），各组成部分之和为 100；每个组成部分填写一次即可"),
    ("模块 module", "模块代码，如 A、B；裁判长按模块锁定成绩"),
    ("评分项 aspect", "评分项代码，全表唯一，如 A1"),
    ("类型 type", "测量 measurement / 评价 judgement（0-3 分）/ 裁判组 panel"),
    ("满分 max_mark", "评分项满分，最多两位小数"),
    ("裁判人数 panel_size", "评价默认 3 人，裁判组默认 5 人；测量为 1"),
    ("汇总方式 aggregate", "裁判组：平均 mean / 中位数 median / 去掉最高最低 trimmed（默认）"),
    ("去掉最高最低分个数 trim", "去掉最高最低时各去掉几个（默认 1），裁判人数须大于其两倍"),
    ("最大分差 max_spread", "评价默认 1；裁判组可选；超过则需裁判协调"),
)


def template_workbook() -> bytes:
    """GET /marking-scheme-template.xlsx: the columns with a worked electrician (电工) example."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评分标准"
    sheet.append(TEMPLATE_HEADERS)
    for row in TEMPLATE_ROWS:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    for note in TEMPLATE_NOTES:
        notes.append(note)
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
