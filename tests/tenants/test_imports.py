"""CSV import: a preview of every row with its errors, then all rows or none."""

import base64
import csv
import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.imports import (
    HEADERS,
    KINDS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    header_key,
)
from service.tenants.models import Department, DepartmentHeadcount, JobFunction, Location
from tests.tenants.helpers import post_form, sign_in, text


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


def upload(client, kind: str, content: bytes, htmx: bool = False):
    return post_form(
        client,
        f"/t/tenant-a/import/{kind}",
        {"file": (io.BytesIO(content), f"{kind}.csv")},
        htmx=htmx,
        content_type="multipart/form-data",
    )


def confirm(client, kind: str, content: bytes):
    encoded = base64.b64encode(content).decode()
    return post_form(client, f"/t/tenant-a/import/{kind}/confirm", {"content": encoded})


def rows_of(world, model) -> list[str]:
    with tenant_scope(world.a.tenant.id):
        return sorted(db.session.scalars(sa.select(model.name)))


def test_a_valid_file_previews_then_imports(hr_admin, world):
    content = "\ufeffname;city\nBrugge Markt;Brugge\nLeuven;\n".encode()
    preview = upload(hr_admin, "locations", content, htmx=True)
    assert preview.status_code == 200
    body = text(preview)
    assert body.lstrip().startswith('<section id="preview"')
    assert "2 rows read." in body
    assert "Import all 2 rows" in body
    assert rows_of(world, Location) == ["Gent tenant-a"]  # a preview writes nothing

    encoded = re.search(r'name="content" value="([^"]+)"', body).group(1)
    done = post_form(hr_admin, "/t/tenant-a/import/locations/confirm", {"content": encoded})
    assert done.status_code == 302
    assert "2 rows imported." in text(hr_admin.get(done.headers["Location"]))
    assert rows_of(world, Location) == ["Brugge Markt", "Gent tenant-a", "Leuven"]


def test_the_preview_lists_every_error_with_its_line(hr_admin, world):
    content = (
        "name,headcount,effective_from\n"
        "Keuken,14,2026-01-01\n"
        ",3,2026-01-01\n"
        f"{'x' * 121},3,2026-01-01\n"
        "Zaal,-2,2026-01-01\n"
        "Bar,6,\n"
        "Sales tenant-a,9,2025-01-01\n"
        "keuken,15,01/01/2026\n"
    ).encode()
    response = upload(hr_admin, "departments", content)
    assert response.status_code == 422
    body = text(response)
    assert "6 rows have errors; nothing will be imported" in body
    assert "Import all" not in body
    expected = {
        3: "name: Enter a name.",
        4: "name: Use at most 120 characters.",
        5: "headcount: Enter a number from 0 to 1,000,000.",
        6: "Fill in both headcount and effective from, or neither.",
        7: "effective from: A headcount is already recorded from this date.",
        8: "This row repeats an earlier row of the file.",
    }
    for line, message in expected.items():
        assert re.search(
            rf'<td class="num"[^>]*>{line}</td>.*?<li>{re.escape(message)}</li>', body, re.S
        ), line
    assert rows_of(world, Department) == ["Sales tenant-a"]


def test_confirming_a_file_with_one_bad_row_imports_nothing(hr_admin, world):
    content = b"name\nKok\nKelner\nKok\n"
    response = confirm(hr_admin, "functions", content)
    assert response.status_code == 422
    assert "This row repeats an earlier row of the file." in text(response)
    assert rows_of(world, JobFunction) == ["Representative tenant-a"]


def test_departments_import_adds_history_to_existing_departments(hr_admin, world):
    content = (
        b"name;headcount;effective_from\n"
        b"Sales tenant-a;12;01/01/2026\n"
        b"Keuken;14;2025-01-01\n"
        b"Keuken;16;2026-01-01\n"
        b"Administratie;;\n"
    )
    assert confirm(hr_admin, "departments", content).status_code == 302
    assert rows_of(world, Department) == ["Administratie", "Keuken", "Sales tenant-a"]
    with tenant_scope(world.a.tenant.id):
        history = db.session.execute(
            sa.select(
                Department.name, DepartmentHeadcount.effective_from, DepartmentHeadcount.headcount
            )
            .join(DepartmentHeadcount, DepartmentHeadcount.department_id == Department.id)
            .order_by(Department.name, DepartmentHeadcount.effective_from)
        ).all()
    assert [tuple(row) for row in history] == [
        ("Keuken", dt.date(2025, 1, 1), 14),
        ("Keuken", dt.date(2026, 1, 1), 16),
        ("Sales tenant-a", dt.date(2025, 1, 1), 10),
        ("Sales tenant-a", dt.date(2026, 1, 1), 12),
    ]


def test_an_existing_name_is_an_error(hr_admin, world):
    response = upload(hr_admin, "functions", b"name\nrepresentative TENANT-A\n")
    assert response.status_code == 422
    assert "name: This name is already in use." in text(response)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty."),
        (b"name\n", "The file has a header but no rows."),
        (b"naam;kostprijs\nKok;3\n", "Unknown column “kostprijs”: expected name."),
        (b"name,naam\nKok,Kok\n", "The column “name” appears twice."),
        (b";\nKok;\n", "The column “name” is missing: expected name."),
        ("name\nKök\n".encode("latin-1"), "The file is not UTF-8 text."),
    ],
)
def test_a_file_that_cannot_be_read_says_why(hr_admin, world, content, problem):
    response = upload(hr_admin, "functions", content)
    assert response.status_code == 422
    assert problem in text(response)
    assert rows_of(world, JobFunction) == ["Representative tenant-a"]


def test_file_size_limit_is_exact(hr_admin, world):
    header = b"name\n"
    row = b"Function\n"
    filler = b"#" * (MAX_IMPORT_BYTES - len(header) - len(row) - 1) + b"\n"
    at_limit = header + filler + row  # the filler is one (erroneous) long name line
    assert len(at_limit) == MAX_IMPORT_BYTES
    response = upload(hr_admin, "functions", at_limit)
    assert "larger than" not in text(response)
    over = upload(hr_admin, "functions", at_limit + b"x")
    assert over.status_code == 422
    assert "The file is larger than 100 KB." in text(over)


def test_row_limit_is_exact(hr_admin, world):
    rows = "".join(f"F{n}\n" for n in range(MAX_IMPORT_ROWS))
    assert confirm(hr_admin, "functions", f"name\n{rows}".encode()).status_code == 302
    assert len(rows_of(world, JobFunction)) == MAX_IMPORT_ROWS + 1

    too_many = "".join(f"G{n}\n" for n in range(MAX_IMPORT_ROWS + 1))
    response = upload(hr_admin, "functions", f"name\n{too_many}".encode())
    assert response.status_code == 422
    assert f"The file has more than {MAX_IMPORT_ROWS} rows." in text(response)


def test_no_file_and_a_tampered_confirmation(hr_admin, world):
    response = post_form(
        hr_admin, "/t/tenant-a/import/functions", content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Choose a CSV file to upload." in text(response)
    tampered = post_form(hr_admin, "/t/tenant-a/import/functions/confirm", {"content": "%%%"})
    assert tampered.status_code == 400


def test_import_is_for_managers_only(client, world):
    sign_in(client, "hr@a.example")
    assert upload(client, "functions", b"name\nKok\n").status_code == 403
    assert confirm(client, "functions", b"name\nKok\n").status_code == 403
    assert rows_of(world, JobFunction) == ["Representative tenant-a"]


def test_a_file_with_old_mac_line_endings_previews_and_imports(hr_admin, world):
    content = b"name;city\rBrugge Markt;Brugge\rLeuven;\r"
    preview = upload(hr_admin, "locations", content)
    assert preview.status_code == 200
    assert "2 rows read." in text(preview)
    assert confirm(hr_admin, "locations", content).status_code == 302
    assert rows_of(world, Location) == ["Brugge Markt", "Gent tenant-a", "Leuven"]
    mixed = b"name\r\nKok\rZaalverantwoordelijke\n"
    assert confirm(hr_admin, "functions", mixed).status_code == 302
    assert rows_of(world, JobFunction) == [
        "Kok",
        "Representative tenant-a",
        "Zaalverantwoordelijke",
    ]


NOT_UTF8 = "The file is not UTF-8 text."


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("name\nKok\n".encode("utf-16"), NOT_UTF8),  # with a byte-order mark
        ("name\nKok\n".encode("utf-16-le"), NOT_UTF8),
        ("name\nKok\n".encode("utf-16-be"), NOT_UTF8),
        (b"\x00" * 64, NOT_UTF8),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_UTF8),
        (bytes(range(256)), NOT_UTF8),
        (b"\x01\x02;\x03\r\x04", "Unknown column “\x01\x02”: expected name."),
        (b"\r\r\n\n", "The file is empty."),
        (b"name\r", "The file has a header but no rows."),
    ],
)
def test_junk_is_refused_politely_in_the_preview_and_the_confirmation(
    hr_admin, world, content, problem
):
    for response in (
        upload(hr_admin, "functions", content),
        confirm(hr_admin, "functions", content),
    ):
        assert response.status_code == 422
        assert problem in text(response)
    assert rows_of(world, JobFunction) == ["Representative tenant-a"]


# Files in the person's language: headings in nl, fr or en; the page names each column by
# its heading in the page's language; a sample file to start from.


def read_in(client, language: str):
    client.set_cookie("exitloop_lang", language)
    return client


def preview_of(response) -> str:
    """The preview section alone: what the person reads after checking a file."""
    return text(response).split('<section id="preview"', 1)[1]


def departments_of(world) -> list[tuple]:
    with tenant_scope(world.a.tenant.id):
        query = sa.select(Department.name, DepartmentHeadcount.headcount).outerjoin(
            DepartmentHeadcount, DepartmentHeadcount.department_id == Department.id
        )
        return sorted(tuple(row) for row in db.session.execute(query))


def test_a_dutch_headed_file_imports(hr_admin, world):
    read_in(hr_admin, "nl")
    content = b"Naam;Aantal;Vanaf\nKeuken;14;31/12/2025\nZaal;9;31.12.2025\n"
    preview = upload(hr_admin, "departments", content)
    assert preview.status_code == 200
    assert "2 rijen gelezen." in preview_of(preview)
    assert confirm(hr_admin, "departments", content).status_code == 302
    assert departments_of(world) == [("Keuken", 14), ("Sales tenant-a", 10), ("Zaal", 9)]


def test_a_french_headed_file_imports_whatever_case_accents_and_spaces(hr_admin, world):
    read_in(hr_admin, "fr")
    content = "\ufeffNom;Effectif;À partir du\nCuisine;14;2025-12-31\n".encode()
    assert confirm(hr_admin, "departments", content).status_code == 302
    loose = b" NOM ; effectif ;A PARTIR  DU\nSalle;9;31-12-2025\n"
    assert confirm(hr_admin, "departments", loose).status_code == 302
    sites = "\ufeffLieu,Commune\nSiège social,Bruxelles\n".encode()
    assert confirm(hr_admin, "locations", sites).status_code == 302
    assert departments_of(world) == [("Cuisine", 14), ("Sales tenant-a", 10), ("Salle", 9)]
    assert rows_of(world, Location) == ["Gent tenant-a", "Siège social"]


@pytest.mark.parametrize(
    ("language", "content", "problem"),
    [
        (
            "nl",
            "Naam;Aantal;Kostprijs\nKeuken;14;3\n",
            "Onbekende kolom “Kostprijs”: verwacht wordt naam, aantal, vanaf.",
        ),
        (
            "fr",
            "Nom;Effectif;Coût\nCuisine;14;3\n",
            "Colonne « Coût » inconnue : colonnes attendues : nom, effectif, à partir du.",
        ),
        (
            "en",
            "Name;Headcount;Cost\nKitchen;14;3\n",
            "Unknown column “Cost”: expected name, headcount, effective from.",
        ),
        ("nl", "Aantal;Vanaf\n14;31/12/2025\n", "De kolom “naam” ontbreekt"),
        ("nl", "Naam;Afdeling\nKeuken;Keuken\n", "De kolom “naam” komt twee keer voor."),
    ],
)
def test_a_file_with_an_unknown_or_missing_column_says_which_in_the_pages_language(
    hr_admin, world, language, content, problem
):
    read_in(hr_admin, language)
    response = upload(hr_admin, "departments", content.encode())
    assert response.status_code == 422
    assert problem in preview_of(response)
    assert confirm(hr_admin, "departments", content.encode()).status_code == 422
    assert rows_of(world, Department) == ["Sales tenant-a"]


def test_row_errors_and_the_preview_name_columns_as_the_dutch_page_does(hr_admin, world):
    read_in(hr_admin, "nl")
    content = b"naam;aantal;vanaf\nKeuken;veel;31/12/2025\nZaal;9;\nSales tenant-a;;\n"
    body = preview_of(upload(hr_admin, "departments", content))
    headings = re.findall(r'<th scope="col">([^<]*)</th>', body)
    assert headings == ["Regel", "naam", "aantal", "vanaf", "Fouten"]
    assert "aantal: Vul een geheel getal in." in body
    assert "Vul zowel aantal als vanaf in, of geen van beide." in body
    assert "naam: Deze naam is al in gebruik." in body
    assert "headcount" not in body
    assert "effective_from" not in body


@pytest.mark.parametrize(
    "written", ["31/12/2025", "31-12-2025", "31.12.2025", "2025-12-31", " 31/12/2025 "]
)
def test_dates_as_belgians_write_them_and_iso_are_read(hr_admin, world, written):
    content = f"name;headcount;effective_from\nKeuken;14;{written}\n".encode()
    assert confirm(hr_admin, "departments", content).status_code == 302
    with tenant_scope(world.a.tenant.id):
        days = db.session.scalars(sa.select(DepartmentHeadcount.effective_from))
        assert dt.date(2025, 12, 31) in set(days)


@pytest.mark.parametrize(
    ("language", "written", "message"),
    [
        ("en", "31/02/2025", "effective from: This date does not exist"),
        ("en", "12/31/2025", "effective from: This date does not exist"),
        ("en", "2025-02-30", "effective from: This date does not exist"),
        ("en", "31/12/25", "effective from: Write the year in four digits"),
        ("en", "31/12-2025", "effective from: Enter a date as 31/12/2025 or 2025-12-31."),
        ("en", "2025/12/31", "effective from: Enter a date as 31/12/2025 or 2025-12-31."),
        ("en", "31/12/1899", "effective from: Enter a date between 1900 and 2100."),
        ("nl", "31/02/2025", "vanaf: Deze datum bestaat niet"),
        ("fr", "31/12/25", "à partir du : Veuillez écrire l'année en quatre chiffres"),
    ],
)
def test_an_impossible_or_ambiguous_date_is_refused_at_its_row_and_column(
    hr_admin, world, language, written, message
):
    read_in(hr_admin, language)
    content = f"name;headcount;effective_from\nKeuken;14;31/12/2025\nZaal;9;{written}\n"
    body = preview_of(upload(hr_admin, "departments", content.encode()))
    row = re.search(r'<td class="num"[^>]*>3</td>(.*?)</tr>', body, re.S).group(1)
    assert message in html.unescape(row)
    assert written.strip() in row  # the value as the file gives it, beside the message
    assert rows_of(world, Department) == ["Sales tenant-a"]


SAMPLE_HEADINGS = {
    ("departments", "nl"): ["naam", "aantal", "vanaf"],
    ("departments", "fr"): ["nom", "effectif", "à partir du"],
    ("departments", "en"): ["name", "headcount", "effective from"],
    ("functions", "nl"): ["naam"],
    ("functions", "fr"): ["nom"],
    ("functions", "en"): ["name"],
    ("locations", "nl"): ["naam", "gemeente"],
    ("locations", "fr"): ["nom", "localité"],
    ("locations", "en"): ["name", "city"],
}
SAMPLE_NAMES = {
    ("departments", "nl"): (
        "voorbeeld-afdelingen.csv",
        ["Boekhouding", "Klantendienst", "Logistiek"],
    ),
    ("departments", "fr"): (
        "exemple-departements.csv",
        ["Comptabilité", "Logistique", "Service clientèle"],
    ),
    ("departments", "en"): (
        "sample-departments.csv",
        ["Accounting", "Customer service", "Logistics"],
    ),
    ("functions", "nl"): ("voorbeeld-functies.csv", ["Vertegenwoordiger", "Webontwikkelaar"]),
    ("functions", "fr"): ("exemple-fonctions.csv", ["Développeur web", "Gérant de magasin"]),
    ("functions", "en"): ("sample-functions.csv", ["Store manager", "Web developer"]),
    ("locations", "nl"): ("voorbeeld-vestigingen.csv", ["Hoofdkantoor", "Magazijn"]),
    ("locations", "fr"): ("exemple-sites.csv", ["Entrepôt", "Magasin Veldstraat"]),
    ("locations", "en"): ("sample-locations.csv", ["Head office", "Shop Veldstraat"]),
}
MODELS = {"departments": Department, "functions": JobFunction, "locations": Location}


@pytest.mark.parametrize(("kind", "language"), sorted(SAMPLE_HEADINGS))
def test_the_sample_file_speaks_the_pages_language_and_imports_as_it_is(
    hr_admin, world, kind, language
):
    read_in(hr_admin, language)
    page = text(hr_admin.get(f"/t/tenant-a/import/{kind}"))
    assert f'href="/t/tenant-a/import/{kind}/sample.csv"' in page

    sample = hr_admin.get(f"/t/tenant-a/import/{kind}/sample.csv")
    assert sample.status_code == 200
    assert sample.mimetype == "text/csv"
    filename, names = SAMPLE_NAMES[kind, language]
    assert sample.headers["Content-Disposition"] == f"attachment; filename={filename}"
    content = sample.get_data()
    assert content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == SAMPLE_HEADINGS[kind, language]
    assert len(lines) == 4

    preview = upload(hr_admin, kind, content)
    assert preview.status_code == 200, preview_of(preview)
    assert confirm(hr_admin, kind, content).status_code == 302
    imported = rows_of(world, MODELS[kind])
    assert len(imported) == 4
    assert set(names) <= set(imported)


def test_the_sample_of_another_tenant_is_not_found(hr_admin, world):
    assert hr_admin.get("/t/tenant-a/import/departments/sample.csv").status_code == 200
    assert hr_admin.get("/t/tenant-b/import/departments/sample.csv").status_code == 404


def test_the_sample_is_for_those_who_may_import(app, world):
    for email, status in (("hr@a.example", 403), ("agency_admin@agency-a.example", 200)):
        client = app.test_client()
        sign_in(client, email)
        assert client.get("/t/tenant-a/import/departments/sample.csv").status_code == status


@pytest.mark.parametrize(
    ("kind", "language", "said", "unsaid"),
    [
        (
            "departments",
            "nl",
            ["“aantal” en “vanaf” zijn optioneel", "namen van hoogstens"],
            "gemeente",
        ),
        ("functions", "nl", ["Eén functie per rij", "namen van hoogstens"], "gemeente"),
        ("locations", "nl", ["“gemeente” is optioneel", "namen en gemeenten"], "aantal"),
        ("departments", "fr", ["« effectif » et « à partir du » sont facultatifs"], "localité"),
        ("functions", "fr", ["Une fonction par ligne"], "localité"),
        ("locations", "fr", ["« localité » est facultatif", "noms et localités"], "effectif"),
        ("departments", "en", ["“headcount” and “effective from” are optional"], "cities"),
        ("functions", "en", ["One function per row", "names of at most"], "cities"),
        ("locations", "en", ["“city” is optional", "names and cities"], "headcount"),
    ],
)
def test_each_import_page_helps_with_its_own_columns(hr_admin, world, kind, language, said, unsaid):
    read_in(hr_admin, language)
    page = html.unescape(text(hr_admin.get(f"/t/tenant-a/import/{kind}")))
    card = page.split('<section class="card">', 1)[1].split("</section>", 1)[0]
    for words in said:
        assert words in card
    assert unsaid not in card


def test_every_heading_names_one_column_of_its_kind():
    for kind, by_column in HEADERS.items():
        keys = [header_key(header) for headers in by_column.values() for header in headers]
        assert len(keys) == len(set(keys)), kind
        assert set(by_column) == set(KINDS[kind].columns)
