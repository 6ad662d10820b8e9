"""Departures from a file: encodings, delimiters, headings, bad files, preview, and an import
that is all-or-nothing, idempotent and safe when run twice at once."""

import datetime as dt
import io
import re
import threading
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from service.departures import imports, tasks
from service.departures.import_models import DepartureImport, ImportStatus
from service.departures.models import Departure, ExitType
from service.extensions import db
from service.tenancy import tenant_scope
from tests.tenants.helpers import post_form, sign_in, text

DUTCH = "Naam;E-mail;Afdeling;Datum in dienst;Datum uit dienst;Type uitdiensttreding\n"
ROWS = (
    "Élodie Hoëbeke;elodie@a.example;Sales tenant-a;01/03/2019;31/12/2025;vrijwillig\n"
    "Jan Peeters;jan@a.example;Sales tenant-a;2020-01-06;31.01.2026;ontslag\n"
    "Marie Dubois;;Sales tenant-a;;15-02-2026;pensioen\n"
)


def csv_file(text_: str = DUTCH + ROWS, encoding: str = "utf-8") -> bytes:
    return text_.encode(encoding)


def xlsx_file(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


def upload(client, content: bytes, name: str = "leavers.csv"):
    return post_form(
        client,
        "/t/tenant-a/departures/import",
        {"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def import_id_of(response) -> str:
    match = re.search(r"/departures/import/([0-9a-f-]{36})", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def confirm(client, import_id: str):
    return post_form(client, f"/t/tenant-a/departures/import/{import_id}/confirm")


def departures(world, side="a"):
    """The departures an import made (the test world has one recorded by hand)."""
    db.session.expire_all()
    with tenant_scope(getattr(world, side).tenant.id):
        found = db.session.scalars(
            sa.select(Departure)
            .where(Departure.id != getattr(world, side).objects["departure"].id)
            .order_by(Departure.full_name)
        ).all()
        db.session.expunge_all()  # read after the scope without reloading
        return found


def the_import(world, import_id) -> DepartureImport:
    db.session.expire_all()
    with tenant_scope(world.a.tenant.id):
        record = db.session.scalar(
            sa.select(DepartureImport).where(DepartureImport.id == import_id)
        )
        db.session.expunge(record)
        return record


def header_and_rows(content: bytes):
    table = imports.read_table(content)
    return table.header, [cells for _line, cells in table.rows]


# --- Reading -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_every_usual_encoding_reads_the_accents(encoding):
    header, rows = header_and_rows(csv_file(encoding=encoding))
    assert header[0] == "Naam"  # the BOM is gone
    assert rows[0][0] == "Élodie Hoëbeke"


def test_a_windows_1252_quote_reads_as_itself():
    header, rows = header_and_rows("Naam;Opmerking\nAn;’t is goed – €\n".encode("cp1252"))
    assert rows[0][1] == "’t is goed – €"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_every_common_delimiter(delimiter):
    content = DUTCH.replace(";", delimiter) + ROWS.replace(";", delimiter)
    header, rows = header_and_rows(content.encode())
    assert len(header) == 6
    assert rows[1][:2] == ["Jan Peeters", "jan@a.example"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Naam", "Afdeling", "Functie", "Vestiging", "Datum in dienst", "Laatste werkdag"],
            ["full_name", "department", "job_function", "location", "hired_on", "last_day"],
        ),
        (
            ["Nom", "Service", "Fonction", "Site", "Date d'entrée", "Date de sortie"],
            ["full_name", "department", "job_function", "location", "hired_on", "last_day"],
        ),
        (
            ["Name", "Department", "Function", "Location", "Hire date", "Last day"],
            ["full_name", "department", "job_function", "location", "hired_on", "last_day"],
        ),
        (
            ["E-mail", "Privé e-mail", "Motif de départ", "DÉPARTEMENT", " type_uitdiensttreding "],
            ["work_email", "personal_email", "exit_type", "department", None],
        ),
    ],
)
def test_headings_are_guessed_in_dutch_french_and_english(header, expected):
    mapping = imports.guess_mapping(header, {})
    field_of = {number: name for name, number in mapping.items()}
    # The last heading of the last case repeats the exit type: the first column keeps it.
    assert [field_of.get(number) for number in range(len(header))] == expected


def test_dates_exit_types_and_yes_no_in_three_languages():
    assert imports.parse_date("31/12/2025") == dt.date(2025, 12, 31)
    assert imports.parse_date("31-12-2025") == imports.parse_date("31.12.2025")
    assert imports.parse_date("2025-12-31") == dt.date(2025, 12, 31)
    with pytest.raises(ValueError, match="does not exist"):
        imports.parse_date("31/02/2025")
    with pytest.raises(ValueError, match="four digits"):
        imports.parse_date("31/12/25")
    for word, exit_type in {
        "Vrijwillig": ExitType.VOLUNTARY,
        "licenciement": ExitType.INVOLUNTARY,
        "Fin de contrat": ExitType.END_OF_CONTRACT,
        "einde contract": ExitType.END_OF_CONTRACT,
        "Pension": ExitType.RETIREMENT,
    }.items():
        assert imports.EXIT_TYPES[imports.header_key(word)] == exit_type
    assert imports.YES_NO["oui"] is imports.YES_NO["ja"] is True
    assert imports.YES_NO["non"] is imports.YES_NO["nee"] is False


def test_xlsx_date_cells_and_formulas_are_read_as_text_never_run():
    content = xlsx_file(
        [
            ["Naam", "Datum uit dienst", "Type uitdiensttreding", "Opmerking"],
            ['=HYPERLINK("http://evil.example","klik")', dt.date(2025, 12, 31), "ontslag", "+1"],
            ["@SUM(A1)", dt.datetime(2026, 1, 31), "pensioen", "-2+3"],
        ]
    )
    header, rows = header_and_rows(content)
    assert header[1] == "Datum uit dienst"
    assert rows[0][:2] == ['=HYPERLINK("http://evil.example","klik")', "2025-12-31"]
    assert rows[1][1] == "2026-01-31"


# --- Bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or XLSX file."),
        (b"", "The file is empty."),
        (b"  \r\n\r\n", "The file is empty."),
        (b"PK\x03\x04 not really a zip", "This is not a CSV or XLSX file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file (.xls)"),
    ],
)
def test_a_file_that_is_no_table_is_refused_with_its_reason(hr_admin, content, message):
    response = upload(hr_admin, content)
    assert response.status_code == 422
    assert message in text(response)


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_unpacked(hr_admin, monkeypatch):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100 * 1024
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(1))
    response = upload(hr_admin, bomb.getvalue(), "leavers.xlsx")
    assert response.status_code == 422
    assert "unpacks to an unreasonable size" in text(response)
    assert not opened


def test_a_file_just_over_the_size_limit_gets_a_clear_message(hr_admin):
    response = upload(hr_admin, b"x;" * (imports.MAX_FILE_BYTES // 2) + b"x")
    assert response.status_code == 413
    assert "The file is larger than 10 MB." in text(response)


def test_a_file_of_the_limit_is_read(hr_admin):
    content = csv_file()
    padding = imports.MAX_FILE_BYTES - len(content)
    response = upload(hr_admin, content + b"\n" * padding)
    assert response.status_code == 302


def test_fifty_megabytes_of_junk_get_the_same_message(hr_admin):
    response = upload(hr_admin, b"\x07" * (50 * 1024 * 1024))
    assert response.status_code == 303
    assert "The file is larger than 10 MB." in text(hr_admin.get(response.headers["Location"]))


def test_a_file_without_header_and_one_missing_columns(hr_admin):
    response = upload(hr_admin, csv_file(ROWS))
    page = text(hr_admin.get(response.headers["Location"]))
    assert "The first line must name the columns" in page
    response = upload(hr_admin, csv_file("Naam;Afdeling\nAn;Sales\n"))
    page = hr_admin.get(response.headers["Location"])
    assert page.status_code == 422
    assert "Choose the column for each required field: Last working day, Exit type." in text(page)
    assert "/confirm" not in text(page)


# --- Preview -----------------------------------------------------------------------------


def test_the_preview_shows_each_rows_errors_and_warnings_and_writes_nothing(hr_admin, world):
    content = DUTCH + (
        # leaves before being hired
        "An Claes;an@a.example;Sales tenant-a;01/01/2026;31/12/2025;vrijwillig\n"
        "Bert Smet;bert@;Sales tenant-a;;31/12/2025;vrijwillig\n"  # bad email
        "Carl Maes;carl@a.example;Nieuwbouw;;31/12/2025;vrijwillig\n"  # new department
        "Dirk Wouters;dirk@a.example;Sales tenant-a;;31/12/2025;vrijwillig\n"
        "Dirk W.;DIRK@a.example;Sales tenant-a;;31/12/2025;vrijwillig\n"  # same person, same day
    )
    page = hr_admin.get(upload(hr_admin, content.encode()).headers["Location"])
    body = text(page)
    assert page.status_code == 422
    assert "The last working day is before the hire date." in body
    assert "“bert@” is not an email address." in body
    assert "“Nieuwbouw” is new and will be created." in body  # the HR admin manages structure
    assert "Repeats an earlier row of the file: left out." in body
    assert "2 rows have errors" in body
    assert "Lines with errors: 2, 3." in body
    assert departures(world) == []


def test_hr_may_not_create_departments_by_import(client, world):
    sign_in(client, "hr@a.example")
    content = DUTCH + "Carl Maes;carl@a.example;Nieuwbouw;;31/12/2025;vrijwillig\n"
    body = text(client.get(upload(client, content.encode()).headers["Location"]))
    assert "“Nieuwbouw” does not exist; ask your HR admin to add it first." in body


# --- Import ------------------------------------------------------------------------------


def test_an_import_creates_the_departures_and_drops_the_file(hr_admin, world):
    import_id = import_id_of(upload(hr_admin, csv_file(encoding="cp1252")))
    response = confirm(hr_admin, import_id)
    assert response.status_code == 302
    status = text(hr_admin.get(response.headers["Location"]))
    assert "3 departures created." in status
    assert "<progress" in status
    assert "hx-get" not in status  # done: the page stops polling
    made = departures(world)
    assert [d.full_name for d in made] == ["Jan Peeters", "Marie Dubois", "Élodie Hoëbeke"]
    elodie = made[2]
    assert (elodie.hired_on, elodie.last_day) == (dt.date(2019, 3, 1), dt.date(2025, 12, 31))
    assert elodie.exit_type == ExitType.VOLUNTARY
    assert elodie.department_id == world.a.objects["department"].id
    assert made[1].identity_key == "marie dubois"
    record = the_import(world, import_id)
    assert record.status == ImportStatus.DONE
    assert record.content is None  # the file itself is not kept
    assert str(elodie.import_id) == import_id


def test_the_same_file_twice_imports_nothing_the_second_time_and_says_so(hr_admin, world):
    confirm(hr_admin, import_id_of(upload(hr_admin, csv_file())))
    second = import_id_of(upload(hr_admin, csv_file()))
    preview = text(hr_admin.get(f"/t/tenant-a/departures/import/{second}/preview"))
    assert "This file was already imported on" in preview
    assert "3 rows are duplicates and will be left out." in preview
    status = text(hr_admin.get(confirm(hr_admin, second).headers["Location"]))
    assert "Nothing new was imported: every row was already a departure." in status
    assert "3 rows left out: already departures (same person and last day)." in status
    assert len(departures(world)) == 3


def test_a_failure_halfway_leaves_nothing(hr_admin, world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    real_insert = imports.insert_chunk
    calls = []

    def insert_failing_the_second_time(rows):
        calls.append(rows)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_insert(rows)

    monkeypatch.setattr(imports, "insert_chunk", insert_failing_the_second_time)
    import_id = import_id_of(upload(hr_admin, csv_file()))
    status = text(hr_admin.get(confirm(hr_admin, import_id).headers["Location"]))
    assert len(calls) == 2  # the first row was inserted before the failure
    assert departures(world) == []
    assert "Nothing of this file was imported" in status
    record = the_import(world, import_id)
    assert record.status == ImportStatus.FAILED
    assert record.content is None


def test_a_row_that_turned_bad_after_the_preview_refuses_the_whole_import(hr_admin, world):
    import_id = import_id_of(upload(hr_admin, csv_file()))
    with tenant_scope(world.a.tenant.id):
        record = db.session.get(DepartureImport, (world.a.tenant.id, import_id))
        record.status, record.rows_total = ImportStatus.PENDING, 3
        record.content = csv_file(
            DUTCH + ROWS + "Zoë;zoe@a.example;Sales tenant-a;;31/02/2026;ja\n"
        )
        record.mapping = imports.guess_mapping(DUTCH.strip().split(";"), {})
        db.session.commit()
    tasks.run_departure_import(import_id, str(world.a.tenant.id), "en")
    assert departures(world) == []
    record = the_import(world, import_id)
    assert record.status == ImportStatus.FAILED
    assert record.error.startswith("Line 5: Last working day: This date does not exist")


def test_a_corrected_mapping_is_remembered_for_the_next_file(hr_admin, world):
    content = csv_file(DUTCH.replace("Datum uit dienst", "Vertrokken op") + ROWS)
    import_id = import_id_of(upload(hr_admin, content))
    page = text(hr_admin.get(f"/t/tenant-a/departures/import/{import_id}/preview"))
    assert "Choose the column for each required field: Last working day." in page
    form = {
        f"column-{n}": name
        for n, name in enumerate(
            ["full_name", "work_email", "department", "hired_on", "last_day", "exit_type"]
        )
    }
    response = post_form(hr_admin, f"/t/tenant-a/departures/import/{import_id}/preview", form)
    assert response.status_code == 302
    confirm(hr_admin, import_id)
    assert len(departures(world)) == 3
    following = import_id_of(upload(hr_admin, content.replace(b"2025", b"2024")))
    page = text(hr_admin.get(f"/t/tenant-a/departures/import/{following}/preview"))
    assert '<option value="last_day" selected>' in page
    assert "/confirm" in page


def _pending_import(world, content: bytes) -> str:
    with tenant_scope(world.a.tenant.id):
        header = imports.read_table(content).header
        record = DepartureImport(
            filename="race.csv",
            fingerprint=imports.fingerprint(content),
            content=content,
            status=ImportStatus.PENDING,
            mapping=imports.guess_mapping(header, {}),
            rows_total=200,
        )
        db.session.add(record)
        db.session.commit()
        return str(record.id)


def test_two_imports_of_one_file_at_once_import_each_row_once(app, world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 20)
    rows = "".join(
        f"Person {n};p{n}@a.example;Sales tenant-a;;{1 + n % 28:02d}/01/2026;vrijwillig\n"
        for n in range(200)
    )
    content = csv_file(DUTCH + rows)
    ids = [_pending_import(world, content), _pending_import(world, content)]
    start = threading.Barrier(2)
    errors = []

    def run(import_id):
        try:
            with app.app_context():
                start.wait()
                tasks.run_departure_import(import_id, str(world.a.tenant.id))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(import_id,)) for import_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(departures(world)) == 200
    records = [the_import(world, import_id) for import_id in ids]
    assert [r.status for r in records] == [ImportStatus.DONE, ImportStatus.DONE]
    assert sum(r.created_count for r in records) == 200
    assert sum(r.skipped_existing for r in records) == 200


def test_progress_is_visible_while_the_import_runs(app, world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    content = csv_file()
    import_id = _pending_import(world, content)
    seen = []

    def watch(rows):
        # Another connection, like the status page: the progress is already committed.
        with db.engine.connect() as other:
            seen.append(
                other.execute(
                    sa.text("SELECT rows_done FROM departure_imports WHERE id = :id"),
                    {"id": import_id},
                ).scalar()
            )
        return real_insert(rows)

    real_insert = imports.insert_chunk
    monkeypatch.setattr(imports, "insert_chunk", watch)
    tasks.run_departure_import(import_id, str(world.a.tenant.id))
    assert seen == [0, 2]


# --- Access ------------------------------------------------------------------------------


def test_another_tenants_import_answers_404(hr_admin, world):
    other = world.b.objects["departure_import"].id
    assert hr_admin.get(f"/t/tenant-a/departures/import/{other}").status_code == 404
    assert hr_admin.get(f"/t/tenant-a/departures/import/{other}/preview").status_code == 404
    assert confirm(hr_admin, str(other)).status_code == 404


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("hr_admin@a.example", 200),
        ("hr@a.example", 200),
        ("leadership@a.example", 403),
        ("member@a.example", 403),
        ("agency_admin@agency-a.example", 403),
    ],
)
def test_only_hr_sees_the_imports(client, world, email, status):
    sign_in(client, email)
    assert client.get("/t/tenant-a/departures/import").status_code == status
    own = world.a.objects["departure_import"].id
    assert client.get(f"/t/tenant-a/departures/import/{own}").status_code == status


def test_a_running_import_polls_its_progress_and_a_finished_one_stops(hr_admin, world):
    import_id = _pending_import(world, csv_file())
    with tenant_scope(world.a.tenant.id):
        record = db.session.get(DepartureImport, (world.a.tenant.id, import_id))
        record.status, record.rows_done = ImportStatus.RUNNING, 50
        db.session.commit()
    page = hr_admin.get(
        f"/t/tenant-a/departures/import/{import_id}", headers={"HX-Request": "true"}
    )
    body = text(page)
    assert body.lstrip().startswith('<section id="import-progress"')  # the partial alone
    assert 'hx-trigger="load delay:1s"' in body
    assert '<progress id="import-bar" max="200" value="50">' in body
    assert "50 of 200 rows checked and imported" in body
    tasks.run_departure_import(import_id, str(world.a.tenant.id), "en")  # running: left alone
    with tenant_scope(world.a.tenant.id):
        record = db.session.get(DepartureImport, (world.a.tenant.id, import_id))
        record.status = ImportStatus.DONE
        db.session.commit()
    body = text(hr_admin.get(f"/t/tenant-a/departures/import/{import_id}"))
    assert "hx-get" not in body.split('id="import-progress"')[1]


def test_an_xlsx_with_formula_cells_imports_them_as_plain_text(hr_admin, world):
    content = xlsx_file(
        [
            ["Nom", "E-mail", "Date de sortie", "Motif de départ", "Remarque"],
            [
                '=HYPERLINK("http://evil.example","x")',
                "a@a.example",
                dt.date(2025, 12, 31),
                "démission",
                "+32 470 00 00 00",
            ],
            ["@Zoé", "z@a.example", "31/01/2026", "Fin de contrat", "-1"],
        ]
    )
    status = text(
        hr_admin.get(
            confirm(hr_admin, import_id_of(upload(hr_admin, content, "x.xlsx"))).headers["Location"]
        )
    )
    assert "2 departures created." in status
    made = {d.full_name: d for d in departures(world)}
    assert set(made) == {'=HYPERLINK("http://evil.example","x")', "@Zoé"}
    assert made["@Zoé"].note == "-1"
    assert made["@Zoé"].exit_type == ExitType.END_OF_CONTRACT
