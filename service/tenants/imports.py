"""CSV import of departments, functions and locations: preview every row, then all or nothing.

The preview is stateless: the confirmed file travels back with the confirmation and is
parsed and checked again, so what is imported is exactly what was last checked.

Files speak the person's language: a column may be headed in Dutch, French or English
(HEADERS), and the page, its messages and the sample file name each column by its heading
in the page's language (HEADINGS).
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import fields, validate

from service.exports import write_csv
from service.extensions import db
from service.model_types import new_id
from service.refusals import commit_or_refuse
from service.tenancy import of_current_tenant
from service.tenants.models import Department, DepartmentHeadcount, JobFunction, Location
from service.tenants.schemas import (
    EARLIEST_DATE,
    HEADCOUNT_MAX,
    LATEST_DATE,
    LocationSchema,
    NameSchema,
    name_field,
)
from service.validation import N_, FormSchema, load_or_errors

MAX_IMPORT_BYTES = 100 * 1024
MAX_IMPORT_ROWS = 1000
DELIMITERS = (";", ",", "\t")  # Excel in Belgium saves CSV with semicolons
SHOWN_HEADER_LENGTH = 40  # an unknown heading is quoted back at most this long

# Each column's heading on the page, in the sample file and in messages: an English msgid
# that gettext puts in the page's language.
HEADINGS = {
    "name": N_("name"),
    "headcount": N_("headcount"),
    "effective_from": N_("effective from"),
    "city": N_("city"),
}
# Every heading a file may give each column, in Dutch, French and English. They are compared
# without case, accents, underscores or extra spaces (header_key): add a synonym here.
NAME = ("name", "naam", "nom", "benaming", "dénomination")
HEADERS = {
    "departments": {
        "name": (*NAME, "department", "afdeling", "dienst", "département", "service"),
        "headcount": (
            *("headcount", "employees", "staff", "number"),
            *("aantal", "aantal medewerkers", "medewerkers", "personeelsbestand"),
            *("effectif", "effectifs", "nombre", "nombre de collaborateurs"),
        ),
        "effective_from": (
            *("effective from", "from", "date", "effective date"),
            *("vanaf", "datum", "ingangsdatum"),
            *("à partir du", "à partir de", "date d'effet"),
        ),
    },
    "functions": {
        "name": (*NAME, "function", "job title", "functie", "fonction", "poste"),
    },
    "locations": {
        "name": (*NAME, "location", "site", "locatie", "vestiging", "lieu"),
        "city": ("city", "town", "stad", "gemeente", "plaats", "ville", "commune", "localité"),
    },
}
# What a sample file holds besides its headings: believable Belgian rows, none of them
# in the demo data, so the sample imports as it is there too.
SAMPLE_DATE = dt.date(2026, 1, 1)
SAMPLE_ROWS = {
    "departments": (
        (N_("Customer service"), 24, SAMPLE_DATE),
        (N_("Logistics"), 38, SAMPLE_DATE),
        (N_("Accounting"), None, None),
    ),
    "functions": (
        (N_("Sales representative"),),
        (N_("Store manager"),),
        (N_("Web developer"),),
    ),
    "locations": (
        (N_("Head office"), N_("Brussels")),
        (N_("Warehouse"), N_("Antwerp")),
        (N_("Shop Veldstraat"), N_("Ghent")),
    ),
}

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Day first, as Belgians write it; the same separator twice (31/12-2025 is no date).
BELGIAN_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
SHORT_YEAR_DATE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2}")


class SpreadsheetDate(fields.Date):
    """A date as a Belgian spreadsheet shows it (31/12/2025, 31-12-2025, 31.12.2025) or ISO
    (2025-12-31); a two-digit year is refused as ambiguous, 31/02/2025 as impossible."""

    default_error_messages = {
        "invalid": N_("Enter a date as 31/12/2025 or 2025-12-31."),
        "ambiguous": N_("Write the year in four digits (31/12/2025): a short year is ambiguous."),
        "impossible": N_("This date does not exist: write the day, the month, then the year."),
    }

    def _deserialize(self, value, attr, data, **kwargs) -> dt.date:
        text = value.strip() if isinstance(value, str) else ""
        if match := ISO_DATE.fullmatch(text):
            year, month, day = match.groups()
        elif match := BELGIAN_DATE.fullmatch(text):
            day, _separator, month, year = match.groups()
        elif SHORT_YEAR_DATE.fullmatch(text):
            raise self.make_error("ambiguous")
        else:
            raise self.make_error("invalid")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise self.make_error("impossible") from None


class DepartmentRowSchema(FormSchema):
    name = name_field()
    headcount = fields.Integer(
        load_default=None,
        validate=validate.Range(0, HEADCOUNT_MAX, error=N_("Enter a number from 0 to 1,000,000.")),
        error_messages={"invalid": N_("Enter a whole number.")},
    )
    effective_from = SpreadsheetDate(
        load_default=None,
        validate=validate.Range(
            EARLIEST_DATE, LATEST_DATE, error=N_("Enter a date between 1900 and 2100.")
        ),
    )


@dataclass(frozen=True)
class ImportKind:
    columns: tuple[str, ...]  # the fields, in the order of the page and the sample
    schema: type[FormSchema]
    model: type


KINDS = {
    "departments": ImportKind(
        ("name", "headcount", "effective_from"), DepartmentRowSchema, Department
    ),
    "functions": ImportKind(("name",), NameSchema, JobFunction),
    "locations": ImportKind(("name", "city"), LocationSchema, Location),
}
REQUIRED_COLUMN = "name"


def header_key(text: str) -> str:
    """A heading as it is compared: no case, accents, BOM, underscores or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", "").replace("_", " "))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


# {kind: {header key: field}}, what the reader looks a heading up in.
COLUMN_OF_HEADER = {
    kind: {
        header_key(header): column for column, headers in by_column.items() for header in headers
    }
    for kind, by_column in HEADERS.items()
}


def heading(column: str) -> str:
    """The column's heading in the page's language."""
    return _(HEADINGS[column])


def at_column(column: str, message: str) -> str:
    """A row's message, led by the heading of the column it is about."""
    return _("%(column)s: %(message)s", column=heading(column), message=message)


def headings(kind: str) -> list[str]:
    return [heading(column) for column in KINDS[kind].columns]


def sample(kind: str) -> bytes:
    """A file to fill in: the headings and a few example rows in the page's language."""
    rows = [[_sample_cell(cell) for cell in row] for row in SAMPLE_ROWS[kind]]
    return write_csv(rows, headings(kind))


def _sample_cell(cell):
    if isinstance(cell, str):
        return _(cell)
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y")
    return cell


@dataclass
class ImportRow:
    line: int
    cells: dict[str, str]
    values: dict | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    kind: str
    content: bytes = b""
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def columns(self) -> tuple[str, ...]:
        return KINDS[self.kind].columns

    @property
    def headings(self) -> list[str]:
        return headings(self.kind)

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def importable(self) -> bool:
        return not self.problems and bool(self.rows) and self.rows_with_errors == 0


def preview(kind: str, content: bytes) -> ImportPreview:
    """Every row of the file with its errors; nothing is written."""
    result = ImportPreview(kind, content)
    if len(content) > MAX_IMPORT_BYTES:
        result.problems.append(
            _("The file is larger than %(size)s KB.", size=MAX_IMPORT_BYTES // 1024)
        )
        return result
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    # A NUL is no text either: no spreadsheet writes one, and PostgreSQL refuses it.
    if text is None or "\x00" in text:
        result.problems.append(_("The file is not UTF-8 text. Save it as “CSV UTF-8”."))
        return result
    # Windows ends lines with \r\n, old Macs with \r alone: the reader gets one newline.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
        # A spreadsheet may save empty columns after the last one: they say nothing.
        while header and not header[-1].strip():
            header.pop()
        if not text.strip():
            result.problems.append(_("The file is empty."))
            return result
        columns = _read_header(result, header)
        if columns is None:
            return result
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(result.rows) == MAX_IMPORT_ROWS:
                result.problems.append(
                    _("The file has more than %(rows)s rows.", rows=MAX_IMPORT_ROWS)
                )
                return result
            result.rows.append(_check_row(kind, reader.line_num, columns, cells))
    except csv.Error:
        result.problems.append(_("Line %(line)s cannot be read as CSV.", line=reader.line_num + 1))
        return result
    if not result.rows:
        result.problems.append(_("The file has a header but no rows."))
        return result
    _check_against_each_other_and_saved(result)
    return result


def _read_header(result: ImportPreview, header: list[str]) -> list[str] | None:
    """The column each heading of the file names, or None and the problems said."""
    known = COLUMN_OF_HEADER[result.kind]
    expected = ", ".join(result.headings)
    columns: list[str] = []
    problems = result.problems
    for number, cell in enumerate(header, start=1):
        column = known.get(header_key(cell))
        if not cell.strip():
            problems.append(
                _(
                    "Column %(number)s has no heading: expected %(columns)s.",
                    number=number,
                    columns=expected,
                )
            )
        elif column is None:
            problems.append(
                _(
                    "Unknown column “%(column)s”: expected %(columns)s.",
                    column=_shortened(cell.strip()),
                    columns=expected,
                )
            )
        elif column in columns:
            problems.append(_("The column “%(column)s” appears twice.", column=heading(column)))
        columns.append(column)
    if REQUIRED_COLUMN not in columns:
        problems.append(
            _(
                "The column “%(column)s” is missing: expected %(columns)s.",
                column=heading(REQUIRED_COLUMN),
                columns=expected,
            )
        )
    return None if problems else columns


def _shortened(text: str) -> str:
    return text if len(text) <= SHOWN_HEADER_LENGTH else text[: SHOWN_HEADER_LENGTH - 1] + "…"


def _check_row(kind: str, line: int, columns: list[str], cells: list[str]) -> ImportRow:
    row = ImportRow(line, dict(zip(columns, cells, strict=False)))
    if any(cell.strip() for cell in cells[len(columns) :]):
        row.errors.append(_("This row has more values than the first line has columns."))
        return row
    values, errors = load_or_errors(KINDS[kind].schema(), row.cells)
    for column, messages in errors.items():
        row.errors += [at_column(column, message) for message in messages]
    half_dated = values is not None and (values.get("headcount") is None) != (
        values.get("effective_from") is None
    )
    if kind == "departments" and half_dated:
        row.errors.append(
            _(
                "Fill in both %(headcount)s and %(date)s, or neither.",
                headcount=heading("headcount"),
                date=heading("effective_from"),
            )
        )
    row.values = values if not row.errors else None
    return row


def _key(row: ImportRow) -> tuple:
    name = row.values["name"].lower()
    return (name, row.values.get("effective_from"))


def _check_against_each_other_and_saved(result: ImportPreview) -> None:
    rows = [row for row in result.rows if row.values is not None]
    seen: set[tuple] = set()
    for row in rows:
        if _key(row) in seen:
            row.errors.append(_("This row repeats an earlier row of the file."))
        seen.add(_key(row))
    model = KINDS[result.kind].model
    saved = _saved_by_name(model, {row.values["name"].lower() for row in rows})
    dated = _saved_headcount_dates(saved.values()) if result.kind == "departments" else set()
    for row in rows:
        existing = saved.get(row.values["name"].lower())
        if existing is None:
            continue
        day = row.values.get("effective_from")
        if day is None:
            row.errors.append(at_column("name", _("This name is already in use.")))
        elif (existing.id, day) in dated:
            message = _("A headcount is already recorded from this date.")
            row.errors.append(at_column("effective_from", message))
    for row in rows:
        if row.errors:
            row.values = None


def _saved_by_name(model, names: set[str]) -> dict:
    if not names:
        return {}
    found = db.session.scalars(
        sa.select(model).where(of_current_tenant(model), sa.func.lower(model.name).in_(names))
    )
    return {item.name.lower(): item for item in found}


def _saved_headcount_dates(departments) -> set[tuple]:
    ids = [department.id for department in departments]
    if not ids:
        return set()
    query = sa.select(DepartmentHeadcount.department_id, DepartmentHeadcount.effective_from).where(
        of_current_tenant(DepartmentHeadcount), DepartmentHeadcount.department_id.in_(ids)
    )
    return {(row.department_id, row.effective_from) for row in db.session.execute(query)}


def apply(result: ImportPreview) -> int:
    """Write every row in one transaction (only an importable preview); returns the count."""
    assert result.importable
    model = KINDS[result.kind].model
    if result.kind == "departments":
        _apply_departments(result.rows)
    else:
        db.session.add_all(model(**row.values) for row in result.rows)
    commit_or_refuse(
        {"form": [_("Some rows were saved by someone else meanwhile. Check the file again.")]}
    )
    return len(result.rows)


def _apply_departments(rows: list[ImportRow]) -> None:
    departments = _saved_by_name(Department, {row.values["name"].lower() for row in rows})
    for row in rows:
        key = row.values["name"].lower()
        department = departments.get(key)
        if department is None:
            # The id is set here, not at flush, so headcounts can point at it right away.
            department = departments[key] = Department(id=new_id(), name=row.values["name"])
            db.session.add(department)
        if row.values["headcount"] is not None:
            db.session.add(
                DepartmentHeadcount(
                    department_id=department.id,
                    effective_from=row.values["effective_from"],
                    headcount=row.values["headcount"],
                )
            )
