"""Bulk import of people from a spreadsheet (.xlsx) or CSV file (api.md, POST .../people/import).

All rows are checked first; if any row is wrong, nothing is imported and every bad row is reported
as `{"row", "field", "column", "message"}` with the row number the spreadsheet shows (the header is
row 1). A good file creates or updates people, matched by person number within the enterprise, in
the caller's single transaction.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from competition import clock
from competition.domain.identity import ID_TYPES, RESIDENT_ID_CARD, IdNumberError, id_check_char
from competition.errors import ServiceError
from competition.extensions import db
from competition.inputs import text_problem
from competition.models import Enterprise, Occupation, Person, PersonGrade
from competition.services import audit, occupations, parse_pool, spreadsheets
from competition.services.people import (
    NAME_MAX,
    PERSON_NO_MAX,
    SchemeView,
    audit_view,
    check_grade,
    check_id,
    check_phone,
    check_text,
)

MAX_ROWS = spreadsheets.MAX_ROWS

# Canonical field -> accepted column headers (Chinese first, then the API's field names).
COLUMNS: dict[str, tuple[str, ...]] = {
    "person_no": ("工号", "学号", "工号/学号", "人员编号", "person_no"),
    "name": ("姓名", "name"),
    "id_type": ("证件类型", "id_type"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "id_number"),
    "kind": ("人员类别", "kind"),
    "phone": ("手机号", "手机号码", "手机", "phone"),
    "occupation_code": ("职业编码", "职业代码", "occupation_code"),
    "grade": ("等级", "等级代码", "grade", "grade_code"),
}
LABELS = {field: names[0] for field, names in COLUMNS.items()}
LABELS["person_no"] = "工号/学号"
REQUIRED = ("person_no", "name", "id_number", "kind")
IGNORED_COLUMNS = frozenset({"序号", "备注"})
_HEADER_TO_FIELD = {name.lower(): field for field, names in COLUMNS.items() for name in names}

KIND_VALUES = {"职工": "employee", "员工": "employee", "employee": "employee",
               "学生": "student", "student": "student"}
ID_TYPE_ALIASES = {"身份证": RESIDENT_ID_CARD}

TEMPLATE_HEADERS = ["工号", "姓名", "证件类型", "证件号码", "人员类别", "手机号", "职业编码", "等级"]


def _example_id() -> str:
    first17 = "21010219900307123"
    return first17 + id_check_char(first17)


TEMPLATE_EXAMPLE = ["E0001", "张三", RESIDENT_ID_CARD, _example_id(), "职工", "13800138000", "6-31-01-03", "高级工"]


@dataclass
class Cell:
    text: str
    numeric: bool = False


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]

    def text(self, name: str) -> str:
        cell = self.cells.get(name)
        return cell.text if cell else ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "rows": self.rows}


@dataclass
class _Checked:
    row: Row
    person_no: str
    name: str
    id_type: str
    id_number: str
    kind: str
    phone: str | None
    has_phone: bool
    occupation: Occupation | None = None
    grade_code: str | None = None


@dataclass
class _Report:
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, name: str, message: str) -> None:
        self.errors.append({"row": row, "field": name, "column": LABELS.get(name, name), "message": message})


# --- reading the file ---------------------------------------------------------------------------

def _cell(value: Any) -> Cell:
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell(str(value))
    if isinstance(value, int):
        return Cell(str(value), numeric=True)
    if isinstance(value, float):
        return Cell(str(int(value)) if value.is_integer() else str(value), numeric=True)
    if isinstance(value, datetime):
        return Cell(value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat())
    if isinstance(value, date):
        return Cell(value.isoformat())
    return Cell(str(value).replace("\u00a0", " ").strip())


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ServiceError(422, "The file is not a readable .xlsx workbook.",
                           errors={"file": [f"not a readable .xlsx workbook ({type(error).__name__})"]}) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(spreadsheets.bounded(sheet.iter_rows(values_only=True)), start=1):
            yield number, [_cell(value) for value in values]
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel on Chinese Windows saves "CSV" as GB18030/GBK; accept it rather than garble it
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise ServiceError(422, "The CSV file is not UTF-8 text.",
                               errors={"file": ["not UTF-8 text; save the file as \"CSV UTF-8\""]}) from None
    try:
        for number, values in enumerate(spreadsheets.bounded(csv.reader(io.StringIO(text, newline=""))), start=1):
            yield number, [_cell(value) for value in values]
    except csv.Error as error:
        raise ServiceError(422, f"The CSV file cannot be read: {error}.", errors={"file": [str(error)]}) from None


def read_rows(filename: str, content: bytes) -> tuple[set[str], list[Row]]:
    """The fields present and the data rows (blank rows skipped), or 422 for an unusable file or header."""
    lower = (filename or "").lower()
    if lower.endswith(".xlsx") or (not lower.endswith(".csv") and content[:2] == b"PK"):
        spreadsheets.check_workbook(content)  # declared rows and columns, unpacked size: before any row is read
        raw = _xlsx_rows(content)
    elif lower.endswith(".csv"):
        raw = _csv_rows(content)
    else:
        raise ServiceError(422, "Upload a .xlsx or .csv file.",
                           errors={"file": ["must be a .xlsx workbook or a .csv file (UTF-8)"]})
    header: dict[int, str] | None = None
    rows: list[Row] = []
    refused = _Report()  # texts that may not enter (NUL, unpaired surrogates, control characters)
    for number, cells in raw:
        if not any(cell.text for cell in cells):
            continue
        if header is None:
            header = _header(number, cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ServiceError(422, f"The file has more than {MAX_ROWS} rows; split it into several files.",
                               errors={"file": [f"more than {MAX_ROWS} rows"]})
        row = Row(number, {name: cells[index] for index, name in header.items() if index < len(cells)})
        for name, cell in row.cells.items():
            problem = text_problem(cell.text)
            if problem is not None:
                refused.add(number, name, problem)
        rows.append(row)
    if refused.errors:
        raise ServiceError(422, _summary(refused.errors), errors=refused.errors)
    if header is None:
        raise ServiceError(422, "The file is empty: it needs a header row and at least one person.",
                           errors={"file": ["empty"]})
    if not rows:
        raise ServiceError(422, "The file has a header row but no people.", errors={"file": ["no data rows"]})
    return set(header.values()), rows


def parse_file(filename: str, content: bytes) -> tuple[list[str], list[list[Any]]]:
    """`read_rows` in a parse worker (parse_pool), as plain data: fields, [number, {field: [text, numeric]}]."""
    present, rows = read_rows(filename, content)
    return sorted(present), [[r.number, {n: [c.text, c.numeric] for n, c in r.cells.items()}] for r in rows]


def _header(number: int, cells: list[Cell]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    errors = _Report()
    for index, cell in enumerate(cells):
        title = cell.text.strip()
        if not title or title in IGNORED_COLUMNS:
            continue
        name = _HEADER_TO_FIELD.get(title.lower())
        if name is None:
            errors.add(number, title, f"unknown column {title!r}; accepted columns: " +
                       ", ".join("/".join(names) for names in COLUMNS.values()))
        elif name in mapping.values():
            errors.add(number, name, f"column {title!r} repeats {LABELS[name]}")
        else:
            mapping[index] = name
    for name in REQUIRED:
        if name not in mapping.values():
            errors.add(number, name, f"missing column {LABELS[name]} ({'/'.join(COLUMNS[name])})")
    if ("occupation_code" in mapping.values()) != ("grade" in mapping.values()):
        missing = "grade" if "occupation_code" in mapping.values() else "occupation_code"
        errors.add(number, missing, f"columns 职业编码 and 等级 go together; missing {LABELS[missing]}")
    if errors.errors:
        raise ServiceError(422, _summary(errors.errors), errors=errors.errors)
    return mapping


def _summary(errors: list[dict[str, Any]]) -> str:
    rows = sorted({e["row"] for e in errors})
    first = errors[0]
    where = f"row {first['row']}, {first['column']}"
    count = f"{len(rows)} row has" if len(rows) == 1 else f"{len(rows)} rows have"
    return f"{count} errors; nothing was imported. First: {where}: {first['message']}"


# --- checking rows ------------------------------------------------------------------------------

def _check_row(row: Row, present: set[str], scheme: SchemeView, known: dict[str, Occupation],
               report: _Report) -> _Checked | None:
    before = len(report.errors)
    values: dict[str, Any] = {}
    for name, limit in (("person_no", PERSON_NO_MAX), ("name", NAME_MAX)):
        try:
            values[name] = check_text(row.text(name), limit, LABELS[name])
        except ValueError as error:
            report.add(row.number, name, str(error))
    id_type = row.text("id_type") or RESIDENT_ID_CARD
    id_type = ID_TYPE_ALIASES.get(id_type, id_type)
    if id_type not in ID_TYPES:
        report.add(row.number, "id_type", f"unknown ID type {id_type!r}; expected one of {', '.join(ID_TYPES)}")
    else:
        try:
            values["id_number"] = check_id(id_type, row.text("id_number"))
        except IdNumberError as error:
            message = str(error) if row.text("id_number") else "ID number must not be blank"
            cell = row.cells.get("id_number")
            if cell is not None and cell.numeric:
                message += " (the cell holds a number, which loses digits: format the column as text)"
            report.add(row.number, "id_number", message)
    kind_text = row.text("kind")
    kind = KIND_VALUES.get(kind_text.lower()) if kind_text else None
    if kind is None:
        report.add(row.number, "kind", f"must be 职工 (employee) or 学生 (student), not {kind_text!r}"
                   if kind_text else "must not be blank: 职工 (employee) or 学生 (student)")
    try:
        phone = check_phone(row.text("phone"))
    except ValueError as error:
        report.add(row.number, "phone", str(error))
        phone = None
    occupation = grade_code = None
    occupation_code, grade_text = row.text("occupation_code"), row.text("grade")
    if occupation_code or grade_text:
        if not occupation_code:
            report.add(row.number, "occupation_code", "a grade needs the occupation it is held in")
        elif not grade_text:
            report.add(row.number, "grade", f"give the grade held in occupation {occupation_code}")
        elif (problem := occupations.check_code(occupation_code)) is not None:
            report.add(row.number, "occupation_code", f"{occupation_code!r} {problem}")
        elif (occupation := known.get(occupation_code)) is None:
            report.add(row.number, "occupation_code", f"unknown occupation {occupation_code}")
        else:
            grade = scheme.by_code_or_name(grade_text)
            try:
                if grade is None:
                    check_grade(scheme, occupation, grade_text)  # raises with the right message
                else:
                    check_grade(scheme, occupation, grade.code)
                    grade_code = grade.code
            except ValueError as error:
                report.add(row.number, "grade", str(error).replace("grade ", "grade code or name ", 1)
                           if grade is None else str(error))
    if len(report.errors) > before:
        return None
    assert kind is not None  # reported above otherwise
    return _Checked(row, values["person_no"], values["name"], id_type, values["id_number"], kind, phone,
                    "phone" in present, occupation, grade_code)


def check(enterprise: Enterprise, present: set[str], rows: list[Row]) -> tuple[list[_Checked], dict[str, Person]]:
    """Every row checked against the rules, the file itself and the enterprise's people; returns the
    checked rows and the enterprise's people by person number."""
    report = _Report()
    scheme = SchemeView.of(enterprise.id)
    known = occupations.by_codes(r.text("occupation_code") for r in rows if r.text("occupation_code"))
    by_no, by_id = _existing(enterprise.id)
    seen_no: dict[str, int] = {}
    seen_id: dict[tuple[str, str], int] = {}
    checked: list[_Checked] = []
    for row in rows:
        item = _check_row(row, present, scheme, known, report)
        # Duplicates count even when the earlier row has other errors (its raw values are compared).
        person_no = item.person_no if item else row.text("person_no").strip()
        id_type = ID_TYPE_ALIASES.get(row.text("id_type"), row.text("id_type")) or RESIDENT_ID_CARD
        id_key = (item.id_type, item.id_number) if item else (id_type, row.text("id_number").strip().upper())
        duplicate = False
        if person_no and (earlier := seen_no.get(person_no)) is not None:
            report.add(row.number, "person_no", f"person number {person_no} repeats row {earlier}")
            duplicate = True
        if id_key[1] and (earlier := seen_id.get(id_key)) is not None:
            report.add(row.number, "id_number", f"this ID number repeats row {earlier}")
            duplicate = True
        if person_no:
            seen_no.setdefault(person_no, row.number)
        if id_key[1]:
            seen_id.setdefault(id_key, row.number)
        if item is None or duplicate:
            continue
        holder = by_id.get((item.id_type, item.id_number))
        if holder is not None and holder.person_no != item.person_no:
            report.add(row.number, "id_number", f"this ID number is already registered for person {holder.person_no}")
            continue
        checked.append(item)
    if report.errors:
        report.errors.sort(key=lambda e: e["row"])
        raise ServiceError(422, _summary(report.errors), errors=report.errors)
    return checked, by_no


def _existing(enterprise_id: int) -> tuple[dict[str, Person], dict[tuple[str, str], Person]]:
    people = list(db.session.scalars(select(Person).where(Person.enterprise_id == enterprise_id)))
    return {p.person_no: p for p in people}, {(p.id_type, p.id_number): p for p in people}


# --- applying -----------------------------------------------------------------------------------

def import_people(enterprise: Enterprise, filename: str, content: bytes) -> ImportResult:
    """Check the whole file, then create or update its people; one audit entry for the import."""
    fields, plain = parse_pool.parse(parse_file, filename, content)  # in a worker process: never stalls this one
    rows = [Row(number, {name: Cell(*cell) for name, cell in cells.items()}) for number, cells in plain]
    checked, by_no = check(enterprise, set(fields), rows)
    result = ImportResult(rows=len(checked))
    for item in checked:
        person = by_no.get(item.person_no)
        if person is None:
            person = Person(enterprise_id=enterprise.id, person_no=item.person_no, name=item.name,
                            id_type=item.id_type, id_number=item.id_number, kind=item.kind, phone=item.phone)
            db.session.add(person)
            if item.occupation is not None:
                person.grades.append(PersonGrade(occupation_id=item.occupation.id, occupation=item.occupation,
                                                 grade_code=item.grade_code, source="import"))
            result.created += 1
            continue
        before = audit_view(person)
        person.name, person.id_type, person.id_number, person.kind = (item.name, item.id_type, item.id_number,
                                                                      item.kind)
        if item.has_phone:
            person.phone = item.phone
        if item.occupation is not None:
            assert item.grade_code is not None  # checked together with the occupation
            held = next((g for g in person.grades if g.occupation_id == item.occupation.id), None)
            if held is None:
                person.grades.append(PersonGrade(occupation_id=item.occupation.id, occupation=item.occupation,
                                                 grade_code=item.grade_code, source="import"))
            elif held.grade_code != item.grade_code:
                held.grade_code, held.source, held.since = item.grade_code, "import", clock.now()
        if audit_view(person) != before:
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    if result.created or result.updated:
        audit.record("people.import", f"enterprise:{enterprise.id}",
                     after={"file": (filename or "")[:200], **result.as_dict()})
    return result


# --- downloadable templates ---------------------------------------------------------------------

def template_csv() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    widths = [12, 12, 14, 24, 10, 16, 14, 12]
    for column, width in enumerate(widths, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = width
        header = sheet.cell(row=1, column=column)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="EEF0F5")
        header.alignment = Alignment(horizontal="center")
        for row in range(2, 1002):  # text cells: 工号, ID and phone numbers keep every digit and leading zeros
            sheet.cell(row=row, column=column).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    for line in (
        ["列", "说明"],
        ["工号", "职工的工号或学生的学号（也可用列名“学号”），在本企业内唯一；已存在的工号会更新该人员"],
        ["姓名", "必填"],
        ["证件类型", "可留空（默认居民身份证）；可选：" + "、".join(ID_TYPES)],
        ["证件号码", "居民身份证为18位，校验位须正确；请将本列设为文本格式"],
        ["人员类别", "职工 或 学生"],
        ["手机号", "可留空"],
        ["职业编码", "国家职业分类编码，如 6-31-01-03（电工）；与“等级”一起填写或一起留空"],
        ["等级", "本企业当前等级体系中的等级代码或名称，如 高级工"],
        ["", "导入时先检查所有行：任何一行有误则全部不导入，并列出所有有误的行。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 90
    notes.cell(row=1, column=1).font = notes.cell(row=1, column=2).font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
