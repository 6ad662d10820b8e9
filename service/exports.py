"""The one way to write an export (CSV or XLSX): no cell is ever read as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets ("CSV injection"): an imported name such as
``=HYPERLINK(…)`` would run in the reader's spreadsheet. Following OWASP's guidance such a
text cell of a CSV gets a leading ``'`` and every text cell is quoted; numbers stay numbers.
An XLSX stores a cell's type beside its value: there every text is written as a string
cell (openpyxl alone would store a text starting with ``=`` as a formula).
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"  # what Excel expects in Belgium, and what our imports read
BOM = "\ufeff"  # tells Excel the file is UTF-8
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_MAX = 31  # Excel's limit
# Control characters an XLSX cannot hold (XML 1.0); tab, line feed and return stay.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Table:
    """One table of an export: a sheet of a workbook, a section of a CSV."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence]


def safe_cell(value):
    """The value as a CSV writes it: numbers as they are, None empty, text defused."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _writer(out):
    return csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_NONNUMERIC)


def write_csv(rows: Iterable[Sequence], header: Sequence[str]) -> bytes:
    """UTF-8 with a byte-order mark, ``;``-separated, text quoted, CRLF line ends."""
    out = io.StringIO()
    writer = _writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")


def write_csv_tables(tables: Sequence[Table]) -> bytes:
    """Tables in one CSV: a single one as it is (its header the first line); several each
    under its title, an empty line between them."""
    out = io.StringIO()
    writer = _writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(cell) for cell in table.header])
        writer.writerows([safe_cell(cell) for cell in row] for row in table.rows)
    return (BOM + out.getvalue()).encode("utf-8")


def write_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table; text always as text, numbers as numbers."""
    # Imported here: openpyxl is only needed by an XLSX export.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))

        def cells(values, sheet=sheet):
            return [_xlsx_cell(WriteOnlyCell(sheet), value) for value in values]

        sheet.append(cells(table.header))
        for row in table.rows:
            sheet.append(cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(cell, value):
    if value is None:
        return cell
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float | Decimal):
        cell.value = value
        return cell
    cell.value = _NOT_IN_XML.sub("", str(value))
    cell.data_type = "s"  # never "f": a text that starts with "=" stays a text
    return cell


def _sheet_title(title: str, used: set[str]) -> str:
    base = _NOT_IN_SHEET_TITLE.sub(" ", str(title)).strip()[:SHEET_TITLE_MAX] or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        suffix = f" {number}"
        name, number = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name
