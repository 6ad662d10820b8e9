"""CSV import of departments, functions and locations: preview every row, then all or nothing.

The preview is stateless: the confirmed file travels back with the confirmation and is
parsed and checked again, so what is imported is exactly what was last checked.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import fields, validate

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
BELGIAN_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class DepartmentRowSchema(FormSchema):
    name = name_field()
    headcount = fields.Integer(
        load_default=None,
        validate=validate.Range(0, HEADCOUNT_MAX, error=N_("Enter a number from 0 to 1,000,000.")),
        error_messages={"invalid": N_("Enter a whole number.")},
    )
    effective_from = fields.Date(
        load_default=None,
        validate=validate.Range(
            EARLIEST_DATE, LATEST_DATE, error=N_("Enter a date between 1900 and 2100.")
        ),
        error_messages={"invalid": N_("Enter a date as YYYY-MM-DD or DD/MM/YYYY.")},
    )


@dataclass(frozen=True)
class ImportKind:
    columns: tuple[str, ...]
    schema: type[FormSchema]
    model: type


KINDS = {
    "departments": ImportKind(
        ("name", "headcount", "effective_from"), DepartmentRowSchema, Department
    ),
    "functions": ImportKind(("name",), NameSchema, JobFunction),
    "locations": ImportKind(("name", "city"), LocationSchema, Location),
}


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
        header = [cell.strip().lower() for cell in next(reader, [])]
        if not any(header):
            result.problems.append(_("The file is empty."))
            return result
        if not _header_fits(result, header):
            return result
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(result.rows) == MAX_IMPORT_ROWS:
                result.problems.append(
                    _("The file has more than %(rows)s rows.", rows=MAX_IMPORT_ROWS)
                )
                return result
            result.rows.append(_check_row(kind, reader.line_num, header, cells))
    except csv.Error:
        result.problems.append(_("Line %(line)s cannot be read as CSV.", line=reader.line_num + 1))
        return result
    if not result.rows:
        result.problems.append(_("The file has a header but no rows."))
        return result
    _check_against_each_other_and_saved(result)
    return result


def _header_fits(result: ImportPreview, header: list[str]) -> bool:
    expected = KINDS[result.kind].columns
    unknown = [column for column in header if column not in expected]
    if unknown or len(set(header)) != len(header) or "name" not in header:
        result.problems.append(
            _(
                "The first line must name the columns: %(columns)s.",
                columns=", ".join(expected),
            )
        )
        return False
    return True


def _check_row(kind: str, line: int, header: list[str], cells: list[str]) -> ImportRow:
    row = ImportRow(line, dict(zip(header, cells, strict=False)))
    if len(cells) > len(header):
        row.errors.append(_("This row has more values than the first line has columns."))
        return row
    data = dict(row.cells)
    if kind == "departments":
        data["effective_from"] = _iso_date(data.get("effective_from", ""))
    values, errors = load_or_errors(KINDS[kind].schema(), data)
    for column, messages in errors.items():
        row.errors += [f"{column}: {message}" for message in messages]
    half_dated = values is not None and (values.get("headcount") is None) != (
        values.get("effective_from") is None
    )
    if kind == "departments" and half_dated:
        row.errors.append(_("Give both a headcount and its effective date, or neither."))
    row.values = values if not row.errors else None
    return row


def _iso_date(value: str) -> str:
    """Accept DD/MM/YYYY (what a Belgian spreadsheet shows) besides YYYY-MM-DD."""
    match = BELGIAN_DATE.match(value.strip())
    if match is None:
        return value
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return value


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
            row.errors.append(_("This name is already in use."))
        elif (existing.id, day) in dated:
            row.errors.append(_("A headcount is already recorded from this date."))
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
