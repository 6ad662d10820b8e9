"""Departures from an HR system's export (CSV or XLSX): read, map the columns, check every
row, then import all rows or none.

The file is read as a stream of rows, twice: once for the preview (every row checked,
nothing written) and once by the import job (checked again, inserted in chunks in one
transaction). Nothing holds all parsed rows at once.

Columns are guessed from their headings in Dutch, French or English (SYNONYMS), after the
tenant's remembered mapping (DepartureImportMapping); headings are compared like the
structure import compares them (header_key).
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from service.departures.identity import identity_key
from service.departures.import_models import DepartureImport, DepartureImportMapping
from service.departures.models import (
    EMAIL_MAX,
    MANAGER_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    Channel,
    Departure,
    DepartureStatus,
    ExitType,
)
from service.departures.services import default_template_id
from service.extensions import db
from service.model_types import new_id, utcnow
from service.surveys import invitations
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.imports import BELGIAN_DATE, ISO_DATE, SHORT_YEAR_DATE, header_key
from service.tenants.models import Department, JobFunction, Location, Tenant
from service.validation import N_

MAX_FILE_BYTES = 10 * 1024 * 1024  # a 100,000-row export is about 15 MB as CSV, 5 MB as XLSX
MAX_ROWS = 100_000
# A real XLSX unzips to a few times its size; a zip bomb to thousands of times.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
DELIMITERS = (";", ",", "\t", "|")
DECODE_SLICE = 64 * 1024
CHUNK_ROWS = 1000  # rows per INSERT, and how often the job reports progress
SHOWN_CELL_LENGTH = 40
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)

FIELDS = (
    "full_name",
    "work_email",
    "personal_email",
    "phone",
    "language",
    "department",
    "job_function",
    "location",
    "manager_name",
    "hired_on",
    "last_day",
    "exit_type",
    "regretted",
    "note",
)
REQUIRED = ("full_name", "last_day", "exit_type")
LABELS = {
    "full_name": N_("Name"),
    "work_email": N_("Work email"),
    "personal_email": N_("Personal email"),
    "phone": N_("Phone"),
    "language": N_("Language"),
    "department": N_("Department"),
    "job_function": N_("Function"),
    "location": N_("Location"),
    "manager_name": N_("Manager"),
    "hired_on": N_("Hire date"),
    "last_day": N_("Last working day"),
    "exit_type": N_("Exit type"),
    "regretted": N_("Regretted loss"),
    "note": N_("Note"),
}
# Every heading an HR export may give each field, in Dutch, French and English; compared
# without case, accents, underscores or extra spaces (header_key): add a synonym here.
SYNONYMS = {
    "full_name": (
        *("naam", "volledige naam", "medewerker", "werknemer", "naam medewerker"),
        *("nom", "nom complet", "employé", "collaborateur", "travailleur"),
        *("name", "full name", "employee", "employee name"),
    ),
    "work_email": (
        *("e-mail", "email", "mail", "e-mail werk", "werk e-mail", "e-mailadres"),
        *("e-mail professionnel", "email professionnel", "courriel", "adresse e-mail"),
        *("work email", "work e-mail", "business email", "email address"),
    ),
    "personal_email": (
        *("privé e-mail", "prive e-mail", "persoonlijk e-mail", "e-mail privé", "privé mail"),
        *("e-mail personnel", "email personnel", "e-mail privé", "courriel personnel"),
        *("personal email", "personal e-mail", "private email", "private e-mail"),
    ),
    "phone": (
        *("telefoon", "gsm", "telefoonnummer", "mobiel"),
        *("téléphone", "portable", "numéro de téléphone"),
        *("phone", "mobile", "phone number", "telephone"),
    ),
    "language": ("taal", "langue", "language", "lang"),
    "department": ("afdeling", "dienst", "département", "service", "department", "dept"),
    "job_function": ("functie", "fonction", "poste", "function", "job title", "job", "role"),
    "location": ("vestiging", "locatie", "site", "lieu", "établissement", "location", "office"),
    "manager_name": (
        *("leidinggevende", "manager", "chef", "verantwoordelijke"),
        *("responsable", "supérieur", "line manager"),
    ),
    "hired_on": (
        *("datum in dienst", "in dienst", "indiensttreding", "startdatum"),
        *("date d'entrée", "date d'entree en service", "entrée", "date d'engagement"),
        *("hire date", "hired on", "start date", "date hired"),
    ),
    "last_day": (
        *("datum uit dienst", "uit dienst", "laatste werkdag", "einddatum", "uitdiensttreding"),
        *("date de sortie", "sortie", "dernier jour", "dernier jour de travail", "date de fin"),
        *("last day", "last working day", "leaving date", "end date", "exit date"),
    ),
    "exit_type": (
        *("type uitdiensttreding", "reden vertrek", "reden uitdiensttreding", "type vertrek"),
        *("motif de départ", "type de départ", "motif de sortie", "raison du départ"),
        *("exit type", "reason for leaving", "leaving reason", "termination type"),
    ),
    "regretted": (
        *("spijtig verlies", "betreurd vertrek", "betreurd", "regrettable"),
        *("départ regretté", "regretté", "perte regrettée"),
        *("regretted", "regretted loss", "regrettable loss"),
    ),
    "note": ("opmerking", "notitie", "commentaar", "remarque", "note", "commentaire", "comment"),
}
FIELD_OF_HEADER = {
    header_key(header): name for name, headers in SYNONYMS.items() for header in headers
}
EXIT_TYPES = {
    header_key(word): exit_type
    for exit_type, words in {
        ExitType.VOLUNTARY: (
            *("vrijwillig", "ontslag door werknemer", "eigen ontslag", "opzeg werknemer"),
            *("volontaire", "démission", "voluntary", "resignation", "resigned"),
        ),
        ExitType.INVOLUNTARY: (
            *("onvrijwillig", "ontslag", "ontslag door werkgever", "ontslagen"),
            *("involontaire", "licenciement", "licencié"),
            *("involuntary", "dismissal", "dismissed", "termination", "fired"),
        ),
        ExitType.END_OF_CONTRACT: (
            *("einde contract", "einde overeenkomst", "contract afgelopen"),
            *("fin de contrat", "fin du contrat", "end of contract", "contract ended"),
        ),
        ExitType.RETIREMENT: ("pensioen", "gepensioneerd", "pension", "retraite", "retirement"),
    }.items()
    for word in (*words, exit_type.value)
}
YES_NO = {
    **{header_key(word): True for word in ("ja", "j", "oui", "o", "yes", "y", "1", "true", "x")},
    **{header_key(word): False for word in ("nee", "neen", "n", "non", "no", "0", "false")},
}
LANGUAGES = {
    header_key(word): code
    for code, words in {
        "nl": ("nl", "nederlands", "néerlandais", "dutch", "vlaams"),
        "fr": ("fr", "frans", "français", "french"),
        "en": ("en", "engels", "anglais", "english"),
    }.items()
    for word in words
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class FileRefused(Exception):
    """The file as a whole cannot be read: its message says why and what to do."""


def label(name: str) -> str:
    return _(LABELS[name])


# --- Reading the file: a header and a stream of rows of text ---------------------------


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line or row number, cells), blank rows skipped


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_table(content: bytes) -> Table:
    """The file's first row and an iterator over the others; FileRefused if unreadable."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)s MB.", size=MAX_FILE_BYTES // (1024 * 1024))
        )
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("This is an old Excel file (.xls): save it as .xlsx or as CSV."))
    else:
        rows = _csv_rows(content)
    header: list[str] | None = None
    for _line, cells in rows:
        header = cells
        break
    if header is None:
        raise FileRefused(_("The file is empty."))
    while header and not header[-1].strip():
        header.pop()
    return Table(header, rows)


def encoding_of(content: bytes) -> str:
    """UTF-8 (with or without BOM) when it is that, else Windows-1252 (Excel's "CSV" on a
    Belgian Windows), else Latin-1; a NUL byte means it is no text file at all. Checked in
    slices, so the whole file is never held decoded."""
    if b"\x00" in content:
        raise FileRefused(_("This is not a CSV or XLSX file."))
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), DECODE_SLICE):
                decoder.decode(content[start : start + DECODE_SLICE])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    encoding = encoding_of(content)
    first_line = content.lstrip(b"\r\n").split(b"\n", 1)[0].decode(encoding, "replace")
    delimiter = max(DELIMITERS, key=first_line.count)
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)

    def rows():
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield reader.line_num, cells
        except csv.Error:
            raise FileRefused(
                _("Line %(line)s cannot be read as CSV.", line=reader.line_num + 1)
            ) from None

    return rows()


def _check_zip(content: bytes) -> None:
    """Refuse a zip bomb before anything unzips it: sizes come from the zip's directory."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused(_("This is not a CSV or XLSX file.")) from None
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_ZIP_RATIO * len(content):
        raise FileRefused(_("This XLSX file unpacks to an unreasonable size: it is refused."))


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    _check_zip(content)
    # Imported here: openpyxl is only needed by an XLSX upload.
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell's value is its formula, read as text, never run.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception:
        raise FileRefused(
            _("This XLSX file cannot be read: save it again as .xlsx or CSV.")
        ) from None

    def rows():
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values]
                if any(cell.strip() for cell in cells):
                    yield number, cells
        finally:
            workbook.close()

    return rows()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- The columns: which field each column of the file fills ----------------------------


def remembered_mapping() -> dict[str, str]:
    """{header key: field} as the tenant mapped its last confirmed file."""
    rows = db.session.execute(
        sa.select(DepartureImportMapping.header, DepartureImportMapping.field).where(
            of_current_tenant(DepartureImportMapping)
        )
    )
    return {row.header: row.field for row in rows if row.field in FIELDS}


def guess_mapping(header: list[str], remembered: dict[str, str]) -> dict[str, int]:
    """{field: column number}: the remembered mapping first, then the synonyms; the first
    column to claim a field gets it."""
    mapping: dict[str, int] = {}
    for number, heading in enumerate(header):
        key = header_key(heading)
        name = remembered.get(key) or FIELD_OF_HEADER.get(key)
        if name and name not in mapping:
            mapping[name] = number
    return mapping


def remember_mapping(header: list[str], mapping: dict[str, int]) -> None:
    """The confirmed mapping becomes the first guess for the tenant's next file."""
    wanted = {header_key(header[number])[:120]: name for name, number in mapping.items()}
    wanted.pop("", None)
    saved = {
        row.header: row
        for row in db.session.scalars(
            sa.select(DepartureImportMapping).where(of_current_tenant(DepartureImportMapping))
        )
    }
    for key, name in wanted.items():
        if key in saved:
            saved[key].field = name
        else:
            db.session.add(DepartureImportMapping(header=key, field=name))


def mapping_problems(header: list[str], mapping: dict[str, int]) -> list[str]:
    missing = [name for name in REQUIRED if name not in mapping]
    if not missing:
        return []
    return [
        _(
            "Choose the column for each required field: %(fields)s.",
            fields=", ".join(label(name) for name in missing),
        )
    ]


def looks_like_data(header: list[str]) -> bool:
    """A first line holding an email or a date is a row, not a header."""
    return any(EMAIL.fullmatch(cell.strip()) or _date_or_none(cell) is not None for cell in header)


# --- Checking rows -----------------------------------------------------------------------


@dataclass
class CheckedRow:
    line: int
    cells: dict[str, str]  # field: the file's text
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skip: str | None = None  # "existing" or "repeated": a duplicate, left out
    values: dict | None = None  # the departure's columns when the row is importable


@dataclass
class Context:
    """What rows are checked against: the tenant's structure and saved departures."""

    tenant_id: object
    languages: list[str]
    default_language: str
    channel: Channel
    template_id: object  # the tenant's default template, as for a departure made by hand
    create_structure: bool
    structure: dict[str, dict[str, object]]  # field: {lower name: id}
    existing: set[int]  # digests (see `_person_day`) of the tenant's departures
    seen: set[int] = field(default_factory=set)  # digests of the file's rows so far
    to_create: dict[str, dict[str, str]] = field(default_factory=dict)  # field: {lower: name}


STRUCTURE_MODELS = {"department": Department, "job_function": JobFunction, "location": Location}
STRUCTURE_COLUMNS = {
    "department": "department_id",
    "job_function": "job_function_id",
    "location": "location_id",
}


def _person_day(identity: str, last_day: dt.date) -> int:
    """ "The same person leaving on the same day" as a 64-bit digest: the sets of these that
    find duplicates cost some 60 bytes a row instead of 170 (a key string, a date, a tuple),
    so a 100,000-row file stays small. Two different rows share a digest with odds of about
    one in three billion for 100,000 rows; the preview would then show one as a duplicate."""
    digest = hashlib.blake2b(f"{identity}\0{last_day.isoformat()}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


def load_context(create_structure: bool) -> Context:
    tenant = db.session.get(Tenant, current_tenant_id())
    structure = {
        name: {
            row.name.lower(): row.id
            for row in db.session.execute(
                sa.select(model.name, model.id).where(of_current_tenant(model))
            )
        }
        for name, model in STRUCTURE_MODELS.items()
    }
    existing = {
        _person_day(row.identity_key, row.last_day)
        for row in db.session.execute(
            sa.select(Departure.identity_key, Departure.last_day).where(
                of_current_tenant(Departure)
            )
        )
    }
    return Context(
        tenant_id=tenant.id,
        languages=list(tenant.languages),
        default_language=tenant.default_language,
        channel=Channel(tenant.default_channel),
        template_id=default_template_id(),
        create_structure=create_structure,
        structure=structure,
        existing=existing,
    )


def _date_or_none(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date:
    """31/12/2025, 31-12-2025, 31.12.2025 or 2025-12-31 (an XLSX date cell reads as ISO);
    ValueError with the message to show."""
    text = text.strip()
    if text[:10] != text and ISO_DATE.fullmatch(text[:10]) and text[10:] in ("", " 00:00:00"):
        text = text[:10]
    if match := ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := BELGIAN_DATE.fullmatch(text):
        day, _separator, month, year = match.groups()
    elif SHORT_YEAR_DATE.fullmatch(text):
        raise ValueError(
            _("Write the year in four digits (31/12/2025): a short year is ambiguous.")
        )
    else:
        raise ValueError(_("Enter a date as 31/12/2025 or 2025-12-31."))
    try:
        day = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(
            _("This date does not exist: write the day, the month, then the year.")
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(_("Enter a date between 1900 and 2100."))
    return day


def _shortened(text: str) -> str:
    return text if len(text) <= SHOWN_CELL_LENGTH else text[: SHOWN_CELL_LENGTH - 1] + "…"


def check_row(context: Context, line: int, mapping: dict[str, int], cells: list[str]) -> CheckedRow:
    row = CheckedRow(
        line, {name: cells[i].strip() if i < len(cells) else "" for name, i in mapping.items()}
    )
    text = row.cells
    errors = row.errors

    def error(name: str, message: str) -> None:
        errors.append(_("%(column)s: %(message)s", column=label(name), message=message))

    def limited(name: str, limit: int) -> str | None:
        value = text.get(name, "")
        if len(value) > limit:
            error(name, _("At most %(max)s characters.", max=limit))
        return value or None

    values: dict = {}
    values["full_name"] = limited("full_name", NAME_MAX)
    if not values["full_name"]:
        error("full_name", _("Fill in the name."))
    for name in ("work_email", "personal_email"):
        values[name] = limited(name, EMAIL_MAX)
        if values[name] and not EMAIL.fullmatch(values[name]):
            error(name, _("“%(value)s” is not an email address.", value=_shortened(values[name])))
    values["phone"] = limited("phone", PHONE_MAX)
    values["manager_name"] = limited("manager_name", MANAGER_MAX)
    values["note"] = limited("note", NOTE_MAX)

    language = text.get("language", "")
    if not language:
        values["language"] = context.default_language
    elif (code := LANGUAGES.get(header_key(language))) in context.languages:
        values["language"] = code
    else:
        error(
            "language",
            _(
                "Use one of the languages of this organisation: %(languages)s.",
                languages=", ".join(context.languages),
            ),
        )

    for name in ("hired_on", "last_day"):
        values[name] = None
        if text.get(name):
            try:
                values[name] = parse_date(text[name])
            except ValueError as refused:
                error(name, str(refused))
        elif name == "last_day":
            error(name, _("Fill in the last working day."))
    if values["hired_on"] and values["last_day"] and values["last_day"] < values["hired_on"]:
        error("last_day", _("The last working day is before the hire date."))

    exit_text = text.get("exit_type", "")
    values["exit_type"] = EXIT_TYPES.get(header_key(exit_text))
    if values["exit_type"] is None:
        error(
            "exit_type",
            _(
                "“%(value)s” is not an exit type: voluntary, involuntary, end of contract"
                " or retirement.",
                value=_shortened(exit_text),
            )
            if exit_text
            else _("Fill in the exit type."),
        )

    regretted = text.get("regretted", "")
    values["regretted"] = YES_NO.get(header_key(regretted)) if regretted else False
    if values["regretted"] is None:
        error("regretted", _("Answer yes or no."))

    for name, column in STRUCTURE_COLUMNS.items():
        values[column] = _structure(context, row, name, limited(name, 120))

    if errors:
        return row
    key = identity_key(values["work_email"], values["personal_email"], values["full_name"])
    duplicate = _person_day(key, values["last_day"])
    if duplicate in context.existing:
        row.skip = "existing"
        row.warnings.append(_("Already a departure (same person and last day): left out."))
    elif duplicate in context.seen:
        row.skip = "repeated"
        row.warnings.append(_("Repeats an earlier row of the file: left out."))
    context.seen.add(duplicate)
    if row.skip is None:
        values.update(
            tenant_id=context.tenant_id,
            identity_key=key,
            channel=context.channel,
            template_id=context.template_id,
            status=DepartureStatus.NEW,
        )
        row.values = values
    return row


def _structure(context: Context, row: CheckedRow, name: str, value: str | None):
    if not value:
        return None
    lower = value.lower()
    known = context.structure[name]
    if lower in known:
        return known[lower]
    if context.create_structure:
        context.to_create.setdefault(name, {}).setdefault(lower, value)
        row.warnings.append(
            _(
                "%(column)s: “%(value)s” is new and will be created.",
                column=label(name),
                value=_shortened(value),
            )
        )
        return lower  # replaced by the new row's id at import
    row.errors.append(
        _(
            "%(column)s: “%(value)s” does not exist; ask your HR admin to add it first.",
            column=label(name),
            value=_shortened(value),
        )
    )
    return None


def checked_rows(table: Table, mapping: dict[str, int], context: Context) -> Iterator[CheckedRow]:
    for count, (line, cells) in enumerate(table.rows, start=1):
        if count > MAX_ROWS:
            raise FileRefused(_("The file has more than %(rows)s rows.", rows=MAX_ROWS))
        yield check_row(context, line, mapping, cells)


# --- The preview --------------------------------------------------------------------------


PAGE_ROWS = 100
SHOWN_PROBLEM_LINES = 50


@dataclass
class Preview:
    header: list[str]
    mapping: dict[str, int]
    problems: list[str] = field(default_factory=list)
    rows_total: int = 0
    with_errors: int = 0
    with_warnings: int = 0
    skipped: int = 0
    page: int = 1
    rows: list[CheckedRow] = field(default_factory=list)  # this page's rows only
    problem_lines: list[int] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.rows_total // PAGE_ROWS))

    @property
    def importable(self) -> bool:
        return not self.problems and self.rows_total > 0 and self.with_errors == 0

    @property
    def to_import(self) -> int:
        return self.rows_total - self.skipped


def preview(
    content: bytes, mapping: dict[str, int] | None, create_structure: bool, page: int = 1
) -> Preview:
    """Every row checked, this page's rows kept; nothing is written."""
    try:
        table = read_table(content)
    except FileRefused as refused:
        return Preview([], {}, problems=[str(refused)])
    if mapping is None:
        mapping = guess_mapping(table.header, remembered_mapping())
    mapping = {name: number for name, number in mapping.items() if 0 <= number < len(table.header)}
    result = Preview(table.header, mapping, page=page)
    if not mapping and looks_like_data(table.header):
        result.problems.append(
            _(
                "The first line must name the columns (%(example)s): it holds a row.",
                example=", ".join(label(name) for name in REQUIRED),
            )
        )
        return result
    result.problems += mapping_problems(table.header, mapping)
    if result.problems:
        return result
    first = (page - 1) * PAGE_ROWS
    try:
        for index, row in enumerate(checked_rows(table, mapping, load_context(create_structure))):
            result.rows_total += 1
            result.with_errors += bool(row.errors)
            result.with_warnings += bool(row.warnings)
            result.skipped += row.skip is not None
            if row.errors and len(result.problem_lines) < SHOWN_PROBLEM_LINES:
                result.problem_lines.append(row.line)
            if first <= index < first + PAGE_ROWS:
                row.values = None  # the page shows the text; keep no values around
                result.rows.append(row)
    except FileRefused as refused:
        result.problems.append(str(refused))
        return result
    if result.rows_total == 0:
        result.problems.append(_("The file has a header but no rows."))
    return result


# --- The import ---------------------------------------------------------------------------


@dataclass
class Outcome:
    created: int = 0
    skipped_existing: int = 0
    skipped_repeated: int = 0


class ImportRefused(Exception):
    """A row has an error: the whole import is refused (nothing of it stays)."""


def _insert_statement():
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # The model, not its table: the tenant safety net checks each row's tenant_id. Two
    # imports of one file at once: the unique (tenant, identity_key, last_day) lets one in.
    return (
        dialect.insert(Departure)
        .on_conflict_do_nothing(index_elements=["tenant_id", "identity_key", "last_day"])
        .returning(Departure.id)
    )


def insert_chunk(rows: list[dict]) -> list[uuid.UUID]:
    """Insert these departures; the ids of the new ones (a conflict is someone else's row).
    One cached statement with many parameter sets: SQLAlchemy batches them into few
    multi-row INSERTs ("insertmanyvalues") without compiling each chunk anew."""
    return db.session.scalars(
        _insert_statement(), rows, execution_options={"insertmanyvalues_page_size": 100}
    ).all()


def import_rows(
    content: bytes,
    mapping: dict[str, int],
    create_structure: bool,
    import_id=None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Check and insert every row in the caller's transaction; ImportRefused on the first
    row with an error, FileRefused if the file cannot be read. The caller commits."""
    table = read_table(content)
    context = load_context(create_structure)
    outcome = Outcome()
    chunk: list[dict] = []
    done = 0
    now = utcnow()
    tenant = db.session.get(Tenant, current_tenant_id())

    def flush() -> None:
        if not chunk:
            return
        _create_structure(context, chunk)
        created = set(insert_chunk(chunk))
        invitations.schedule_imported([row for row in chunk if row["id"] in created], tenant)
        outcome.created += len(created)
        outcome.skipped_existing += len(chunk) - len(created)
        chunk.clear()

    for row in checked_rows(table, mapping, context):
        done += 1
        if row.errors:
            raise ImportRefused(_("Line %(line)s: %(error)s", line=row.line, error=row.errors[0]))
        if row.skip == "existing":
            outcome.skipped_existing += 1
        elif row.skip == "repeated":
            outcome.skipped_repeated += 1
        else:
            chunk.append(
                {
                    **row.values,
                    "id": new_id(),
                    "import_id": import_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if len(chunk) >= CHUNK_ROWS:
            flush()
        if progress is not None and done % CHUNK_ROWS == 0:
            progress(done)
    flush()
    if progress is not None:
        progress(done)
    return outcome


def _create_structure(context: Context, chunk: list[dict]) -> None:
    """New departments, functions and locations the chunk names, then their ids in it."""
    for name, new in context.to_create.items():
        model = STRUCTURE_MODELS[name]
        known = context.structure[name]
        for lower, value in new.items():
            if lower not in known:
                created = model(id=new_id(), name=value)
                db.session.add(created)
                known[lower] = created.id
        db.session.flush()
    context.to_create.clear()
    for row in chunk:
        for name, column in STRUCTURE_COLUMNS.items():
            if isinstance(row[column], str):
                row[column] = context.structure[name][row[column]]


def earlier_import(fingerprint_: str, import_id) -> DepartureImport | None:
    """The tenant's last finished import of this very file, if any."""
    return db.session.scalar(
        sa.select(DepartureImport)
        .where(
            of_current_tenant(DepartureImport),
            DepartureImport.fingerprint == fingerprint_,
            DepartureImport.status == "done",
            DepartureImport.id != import_id,
        )
        .order_by(DepartureImport.finished_at.desc())
        .limit(1)
    )


def unexpected_failure() -> str:
    return _("The import failed unexpectedly; nothing of it was saved. Try again later.")
