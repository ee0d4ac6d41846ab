"""Import limits and parsing that never stalls the worker (api.md, Conventions: imports).

Imports (.csv/.xlsx) take at most MAX_ROWS data rows and MAX_COLUMNS columns. A workbook that declares
more (its sheet's `<dimension>`), holds more rows (blank ones count: a file of a million empty rows is
refused at row MAX_ROWS + 1, not read to its end), or unpacks to more than MAX_UNPACKED bytes is 422
before its rows are read. The size of an upload is capped by the body limit (10 MiB for imports).

Every import's parse (these checks included) runs in a worker process: competition.services.parse_pool.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from competition.errors import ServiceError

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_UNPACKED = 64 * 1024 * 1024  # all parts of a workbook, uncompressed
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")


def too_many_rows(found: str = "has more") -> ServiceError:
    return ServiceError(422, f"The file {found} than {MAX_ROWS} rows; split it into several files.",
                        errors={"file": [f"more than {MAX_ROWS} rows (the limit of an import)"]},
                        reason="too_many_rows")


def too_many_columns() -> ServiceError:
    return ServiceError(422, f"The file has more than {MAX_COLUMNS} columns.",
                        errors={"file": [f"more than {MAX_COLUMNS} columns (the limit of an import)"]},
                        reason="too_many_columns")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_workbook(content: bytes) -> None:
    """422 for a workbook over the limits, read from its zip directory and its sheets' declared
    dimensions only (a few KiB of each sheet, whatever it holds). Not a zip: left to the reader."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise ServiceError(422, "The workbook unpacks to more than an import may hold.",
                               errors={"file": [f"unpacks to more than {MAX_UNPACKED // 2**20} MiB"]},
                               reason="too_large")
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                _check_dimension(archive, member)
                _count_rows(archive, member)


def _check_dimension(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    with archive.open(member) as sheet:
        head = sheet.read(4096)
    match = _DIMENSION.search(head)
    if match is None:
        return
    last_column, last_row = (None if g is None else g.decode("ascii") for g in (
        match.group(3) or match.group(1), match.group(4) or match.group(2)))
    if last_row and int(last_row) > MAX_ROWS + 1:  # + the header row
        raise too_many_rows("declares more")
    if last_column and _column_number(last_column) > MAX_COLUMNS:
        raise too_many_columns()


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Count a sheet's `<row>` elements at C speed (inflate and a regex over each block), stopping
    at the first one past the limit: a sheet of a million empty rows is refused in milliseconds,
    before openpyxl (Python code, a row at a time) reads any."""
    count, tail = 0, b""
    with archive.open(member) as sheet:
        while True:
            block = sheet.read(1 << 16)
            if not block:
                return
            text = tail + block
            count += len(_ROW.findall(text, 0, max(0, len(text) - 16)))
            tail = text[max(0, len(text) - 16):]
            if count > MAX_ROWS + 1:
                raise too_many_rows("holds more")


def bounded(rows: Iterable[Iterable[Any]], *, header_rows: int = 1) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet, refusing the one past MAX_ROWS data rows (blank rows count) and any row
    wider than MAX_COLUMNS (trailing empty cells aside)."""
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS + header_rows:
            raise too_many_rows()
        row = tuple(row)
        if len(row) > MAX_COLUMNS:
            width = len(row)
            while width and (row[width - 1] is None or row[width - 1] == ""):
                width -= 1
            if width > MAX_COLUMNS:
                raise too_many_columns()
            row = row[:width]
        yield row


def _declared_size(sheet: ReadOnlyWorksheet) -> None:
    """openpyxl's ReadOnlyWorksheet._get_size, stopping where the rows begin: openpyxl looks for the
    `<dimension>` with "end" events, and the end of `<sheetData>` comes after every row, so a sheet
    without a dimension was read whole when the workbook was opened (a million empty rows: 10 s)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.constants import SHEET_MAIN_NS

    with sheet._get_source() as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == f"{{{SHEET_MAIN_NS}}}dimension":
                bounds = SheetDimension.from_tree(element).boundaries
                if bounds is not None:
                    sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = bounds
                return
            if element.tag == f"{{{SHEET_MAIN_NS}}}sheetData":
                return


def _install_bounded_size() -> None:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _declared_size


_install_bounded_size()

