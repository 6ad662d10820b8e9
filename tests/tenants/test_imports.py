"""CSV import: a preview of every row with its errors, then all rows or none."""

import base64
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
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
        6: "Give both a headcount and its effective date, or neither.",
        7: "A headcount is already recorded from this date.",
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
    assert "This name is already in use." in text(response)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty."),
        (b"name\n", "The file has a header but no rows."),
        (b"naam\nKok\n", "The first line must name the columns: name."),
        (b"name,name\nKok,Kok\n", "The first line must name the columns: name."),
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
        (b"\x01\x02;\x03\r\x04", "The first line must name the columns: name."),
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
