"""Insights exports (service/insights/exports.py, export_views.py): what leaves the
application holds no group under k, no formula, and every download is recorded. On
PostgreSQL and on the embedded default (SQLite)."""

import csv
import datetime as dt
import io
from collections import Counter

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from service.extensions import db
from service.insights import exports
from service.insights.export_models import InsightExport
from service.tenancy import tenant_scope
from tests.conftest import login
from tests.factories import make_department, make_world
from tests.insights.export_rows import LAST_MONTH, add_feedback

NOT_ENOUGH = "Not enough responses to show"
WHOLE_COMPANY_ONLY = (
    "The answers are exported for the whole company only: remove the filter on department,"
    " function, location, length of service or type of exit."
)
PERIOD = f"from={LAST_MONTH:%Y-%m}&to={LAST_MONTH:%Y-%m}"
FORMATS = ("csv", "xlsx")


@pytest.fixture
def three_departments(dialect_app):
    """Tenant A with "=Zaal" (12 responses), "Support" (8) and "Keuken" (4, under k=5).
    Keuken is hidden; Support too, so Keuken cannot be had by difference."""
    world = make_world()
    tenant = world.a.tenant
    departments = {name: make_department(tenant, name) for name in ("=Zaal", "Support", "Keuken")}
    add_feedback(tenant, 12, department_id=departments["=Zaal"].id, text='=HYPERLINK("x")')
    add_feedback(tenant, 8, department_id=departments["Support"].id)
    add_feedback(tenant, 4, department_id=departments["Keuken"].id, themes=("workload",))
    return dialect_app, world, departments


def client_of(app, email: str, language: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    login(client, email)
    return client


def download(client, kind: str, file_format: str, query: str = PERIOD):
    response = client.get(f"/t/tenant-a/insights/export/{kind}.{file_format}?{query}")
    assert response.status_code == 200, (kind, file_format, response.status_code)
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def read_tables(content: bytes, file_format: str) -> dict[str, list[list]]:
    """Title (XLSX sheet; "csv" for a whole CSV) → rows, every cell as written."""
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        return {"csv": rows}
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


def cells(tables: dict, skip=()) -> list:
    return [
        cell for title, rows in tables.items() if title not in skip for row in rows for cell in row
    ]


def test_text_cells_are_never_formulas(three_departments):
    app, world, _departments = three_departments
    client = client_of(app, "hr@a.example")
    rows = read_tables(download(client, "answers", "csv"), "csv")["csv"]
    assert '\'=HYPERLINK("x")' in [row[8] for row in rows]
    assert "'=Zaal" in [row[1] for row in rows]
    heatmap = read_tables(download(client, "heatmap", "csv"), "csv")["csv"]
    assert "'=Zaal" in heatmap[1]
    assert "=Zaal" not in heatmap[1]

    book = load_workbook(io.BytesIO(download(client, "answers", "xlsx")))
    texts = [row[8] for row in book.active.iter_rows() if row[8].value == '=HYPERLINK("x")']
    assert texts
    assert all(cell.data_type == "s" for cell in texts)
    zaal = [row[1] for row in book.active.iter_rows() if row[1].value == "=Zaal"]
    assert zaal
    assert all(cell.data_type == "s" for cell in zaal)


def test_a_department_under_k_appears_in_no_export_of_feedback(three_departments):
    """Turnover lists departures and headcounts HR recorded (no feedback, no threshold):
    there alone may Keuken's name appear, as on the dashboard."""
    app, world, _departments = three_departments
    client = client_of(app, "hr@a.example")
    for kind in exports.KINDS:
        for file_format in FORMATS:
            content = download(client, kind, file_format)
            if file_format == "csv":
                sections = content.decode("utf-8-sig").split("\r\n\r\n")
                found = [part for part in sections if not part.startswith('"Turnover"')]
            else:
                found = cells(read_tables(content, file_format), skip={"Turnover"})
            if kind != "turnover":
                assert "Keuken" not in str(found), (kind, file_format)
    turnover = read_tables(download(client, "turnover", "xlsx"), "xlsx")["Turnover"]
    assert turnover[0] == [
        "Department",
        "Departures",
        "Headcount",
        "Annual turnover (%)",
        "Times the company's",
    ]
    answers = read_tables(download(client, "answers", "csv"), "csv")["csv"]
    departments = [row[1] for row in answers[1:]]
    # Keuken's 4 and, by complementary suppression, Support's 8 (2 answers each).
    assert departments.count(NOT_ENOUGH) == 2 * (4 + 8)
    assert departments.count("'=Zaal") == 2 * 12
    quarter = f"{LAST_MONTH.year}-Q{(LAST_MONTH.month - 1) // 3 + 1}"
    assert {row[0] for row in answers[1:]} == {quarter}


def test_a_combination_under_k_loses_every_attribute(dialect_app):
    """Each department and each type of exit reaches k, but Support × voluntary is 3."""
    world = make_world()
    tenant = world.a.tenant
    zaal, support = make_department(tenant, "Zaal"), make_department(tenant, "Support")
    add_feedback(tenant, 6, department_id=zaal.id)
    add_feedback(tenant, 3, department_id=support.id)
    add_feedback(tenant, 5, department_id=support.id, exit_type="involuntary")
    client = client_of(dialect_app, "hr@a.example")
    rows = read_tables(download(client, "answers", "xlsx"), "xlsx")
    (answers,) = rows.values()
    shown = {(row[1], row[5]) for row in answers[1:]}
    assert shown == {("Zaal", "Voluntary"), (NOT_ENOUGH, NOT_ENOUGH)}
    hidden = [row for row in answers[1:] if row[1] == NOT_ENOUGH]
    assert len(hidden) == 2 * (3 + 5)  # complementary: never fewer than k without attributes
    assert all(set(row[1:6]) == {NOT_ENOUGH} for row in hidden)  # the quarter stays


def test_a_view_not_allowed_exports_only_the_message(three_departments):
    app, world, departments = three_departments
    client = client_of(app, "hr@a.example")
    query = f"{PERIOD}&department={departments['Keuken'].id}"
    for kind in exports.KINDS:
        message = WHOLE_COMPANY_ONLY if kind == "answers" else NOT_ENOUGH
        assert download(client, kind, "csv", query).decode("utf-8-sig") == f'"{message}"\r\n'
        tables = read_tables(download(client, kind, "xlsx", query), "xlsx")
        assert cells(tables) == [message], kind
    with tenant_scope(world.a.tenant.id):
        assert set(db.session.scalars(sa.select(InsightExport.rows))) == {0}


def test_answers_need_the_quote_threshold(dialect_app):
    world = make_world()
    add_feedback(world.a.tenant, 8)  # k = 5 is reached; the quote threshold (2k = 10) is not
    client = client_of(dialect_app, "hr@a.example")
    refused = download(client, "answers", "csv").decode("utf-8-sig")
    assert refused.startswith('"Not enough responses in this period to export answers')
    assert refused.count("\r\n") == 1
    themes = read_tables(download(client, "themes", "csv"), "csv")["csv"]
    assert themes[1][:3] == ["Pay and benefits", "8", "100.0"]
    page = client.get(f"/t/tenant-a/insights/exports?{PERIOD}").get_data(as_text=True)
    assert "Not enough responses in this period to export answers" in page


def test_answers_come_in_whole_quarters_and_only_for_the_whole_company(dialect_app):
    """A month's export holds its whole quarter; a quarter under the quote threshold is in
    no export, so two periods never differ by a small group's texts; a narrowed filter
    exports no answer (its texts would join another filter's)."""
    world = make_world()
    tenant = world.a.tenant
    add_feedback(tenant, 6, month=dt.date(2026, 4, 1), text="April")
    add_feedback(tenant, 6, month=dt.date(2026, 5, 1), text="May")
    add_feedback(tenant, 3, month=dt.date(2026, 7, 1), text="July")  # Q3: 3 of 10
    client = client_of(dialect_app, "hr@a.example")
    for query in ("from=2026-04&to=2026-04", "from=2026-05&to=2026-07", "from=2026-01&to=2026-09"):
        rows = read_tables(download(client, "answers", "csv", query), "csv")["csv"][1:]
        texts = Counter(row[8] for row in rows if row[6] == "improve")
        assert texts == {"April": 6, "May": 6}, query
        assert {row[0] for row in rows} == {"2026-Q2"}
    refused = download(client, "answers", "csv", "from=2026-07&to=2026-09")
    assert "Not enough responses in this period" in refused.decode("utf-8-sig")
    narrowed = "from=2026-04&to=2026-06&tenure=10_plus"
    only = download(client, "answers", "xlsx", narrowed)
    assert cells(read_tables(only, "xlsx")) == [WHOLE_COMPANY_ONLY]


def test_every_export_is_recorded_and_the_hr_admin_sees_the_history(three_departments):
    app, world, departments = three_departments
    hr = client_of(app, "hr@a.example")
    query = f"{PERIOD}&department={departments['=Zaal'].id}"
    content = download(hr, "themes", "xlsx", query)
    with tenant_scope(world.a.tenant.id):
        (record,) = db.session.scalars(sa.select(InsightExport))
    assert record.by_user_id == world.a.users["hr"].id
    assert (record.kind, record.file_format) == ("themes", "xlsx")
    assert record.filter_args == {
        "from": f"{LAST_MONTH:%Y-%m}",
        "to": f"{LAST_MONTH:%Y-%m}",
        "department": str(departments["=Zaal"].id),
    }
    assert record.rows == len(read_tables(content, "xlsx")["Themes"]) - 1 == 1
    admin_page = client_of(app, "hr_admin@a.example").get("/t/tenant-a/insights/exports")
    assert "Export history" in admin_page.get_data(as_text=True)
    assert "hr@a.example" in admin_page.get_data(as_text=True)
    hr_page = hr.get("/t/tenant-a/insights/exports").get_data(as_text=True)
    assert "Export history" not in hr_page


def test_leadership_reads_but_does_not_export(three_departments):
    app, _world, _departments = three_departments
    leadership = client_of(app, "leadership@a.example")
    assert leadership.get("/t/tenant-a/insights/exports").status_code == 403
    assert leadership.get(f"/t/tenant-a/insights/export/themes.csv?{PERIOD}").status_code == 403


def test_another_tenants_exports_are_404(three_departments):
    app, world, departments = three_departments
    add_feedback(world.b.tenant, 12)
    client = client_of(app, "hr@a.example")
    for path in ("insights/exports", "insights/export/answers.csv", "insights/export/themes.xlsx"):
        assert client.get(f"/t/tenant-b/{path}").status_code == 404
    with tenant_scope(world.b.tenant.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InsightExport)) == 0
    # Tenant B's department in A's filter is ignored, not followed.
    other = world.b.objects["department"].id
    page = client.get(f"/t/tenant-a/insights/exports?{PERIOD}&department={other}")
    assert "An unknown filter value was ignored." in page.get_data(as_text=True)


def test_every_table_of_the_dashboard_exports(three_departments):
    app, _world, _departments = three_departments
    client = client_of(app, "hr@a.example")
    tables = read_tables(download(client, "dashboard", "xlsx"), "xlsx")
    assert list(tables) == [
        "Volume per month",
        "Themes",
        "Themes per quarter (%)",
        "Themes per department (%)",
        "Themes per job function (%)",
        "Themes per location (%)",
        "Turnover",
        "Scores",
        "Ratings",
    ]
    assert tables["Themes"][1][:3] == ["Pay and benefits", 20, 83.3]
    csv_text = download(client, "dashboard", "csv").decode("utf-8-sig")
    assert csv_text.count("\r\n\r\n") == len(tables) - 1


def test_the_export_page_keeps_the_filter_in_its_links(three_departments):
    app, _world, departments = three_departments
    client = client_of(app, "hr@a.example")
    zaal = departments["=Zaal"].id
    page = client.get(f"/t/tenant-a/insights/exports?period=6&department={zaal}")
    body = page.get_data(as_text=True)
    assert '<option value="6" selected>The last 6 months</option>' in body
    assert f'<input type="hidden" name="department" value="{zaal}">' in body
    assert "export/themes.csv?from=" in body
    assert f"department={zaal}" in body.split("export/themes.csv?")[1].split('"')[0]
    assert "The answers are exported for the whole company only" in body
