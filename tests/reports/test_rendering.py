"""How a report reads: the email (HTML and text parts), the printable page and the PDF, on
the demo data (a believable report: figures, themes, hot spots, actions, "did it work?").

The email's HTML must parse cleanly and refer to nothing outside the message but our own
links; its text part must carry every figure the HTML shows; the PDF must open on A4 with
the figures in it. Screenshots of the email and the page land in test-artifacts/ (kept by
CI, ignored by git): report-email-<language>-<width>.png (and .txt beside it),
report-page-<width>.png and report.pdf.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from service.extensions import db
from service.mail.models import TenantEmail
from service.mail.outbox import queue_email
from service.reports import content as report_content
from service.reports import rendering
from service.reports.models import Cadence, Report
from service.reports.periods import period_containing
from service.reports.sending import Recipient, email_context
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.browser.conftest import ARTIFACTS
from tests.conftest import csrf_token, reset_rate_limits, translated, truncate_all
from tests.snapshots import demo_data
from tests.test_pdf import poppler  # noqa: F401 — fixture: poppler-utils read the PDF back

PASSWORD = "report-demo"
SLUG = "codeway"  # figures, themes, hot spots, overdue actions and "did it work?" results
LANGUAGES = ("en", "nl", "fr")
VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input")
    + ("link", "meta", "param", "source", "track", "wbr")
)
# A number as a figure shows it: "1.234", "−9", "+24", "42" (a date's day and year count too).
NUMBER = re.compile(r"[−+-]?\d+(?:[.,\u202f\u00a0]\d+)*")


class StrictHTML(HTMLParser):
    """html.parser that also fails on what it forgives: an end tag that closes nothing open,
    an element left open; and collects the text and every reference."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.references: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "background", "action", "srcset", "poster"):
                self.references.append(value or "")
            if name == "style":
                self.styles.append(value or "")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1] == "title":
            return
        self.text.append(data)

    def check(self, html: str) -> "StrictHTML":
        self.feed(html)
        self.close()
        if self.open:
            self.errors.append(f"left open: {self.open}")
        return self


def numbers(text: str) -> set[str]:
    return {found.replace("\u202f", " ").replace("\u00a0", " ") for found in NUMBER.findall(text)}


@pytest.fixture(autouse=True)
def _fresh_embedded_state():
    """Not the job tests' (tests/reports/conftest.py), which empties the database for each
    test: these share one seeded database per module and run no jobs."""
    return


@pytest.fixture(scope="module")
def demo(migrated_app):
    """The demo data, seeded once for this module (no test here empties the database), and
    a report of the last ended month of the demo tenant SLUG."""
    truncate_all(migrated_app)
    reset_rate_limits(migrated_app)
    with migrated_app.app_context():
        logins = demo_data(PASSWORD)
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == SLUG))
        today = dt.date.today()
        period = period_containing(Cadence.MONTHLY, today).previous()
        with tenant_scope(tenant.id):
            report = Report(
                period_key=period.key,
                cadence=period.cadence,
                period_start=period.start,
                period_end=period.end,
                content=report_content.build(tenant, period, today),
            )
            db.session.add(report)
            db.session.commit()
            ids = {"tenant": tenant.id, "report": report.id}
        db.session.remove()
    hr_admin = next(
        user["email"]
        for user in logins["users"]
        if {"scope": "tenant", "slug": SLUG, "role": "hr_admin"} in user["roles"]
    )
    return {**ids, "hr_admin": hr_admin, "app": migrated_app}


@pytest.fixture
def context(demo):
    with demo["app"].app_context():
        yield
        db.session.remove()


def email_in(demo, language: str) -> TenantEmail:
    """The report's email as the outbox renders it (brand included), not kept."""
    with tenant_scope(demo["tenant"]):
        tenant = db.session.get(Tenant, demo["tenant"])
        report = db.session.get(Report, (demo["tenant"], demo["report"]))
        recipient = Recipient("board@example.com", language, "Anna Peeters")
        email_id = queue_email(
            to=recipient.address,
            template="report",
            language=language,
            context=email_context(tenant, report, recipient),
            tenant_id=tenant.id,
        )
        email = db.session.get(TenantEmail, (tenant.id, email_id))
        db.session.expunge(email)
        db.session.rollback()
        return email


def content_of(demo) -> dict:
    with tenant_scope(demo["tenant"]):
        return db.session.get(Report, (demo["tenant"], demo["report"])).content


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_html_part_parses_and_refers_to_nothing_outside(demo, context, language):
    email = email_in(demo, language)
    parsed = StrictHTML().check(email.body_html)
    assert parsed.errors == []
    assert not parsed.tags & {"script", "link", "style", "iframe", "object", "form"}
    public = demo["app"].config["PUBLIC_URL"]
    for reference in parsed.references:
        ours = reference.startswith(public + "/") or reference.startswith("cid:")
        assert ours, f"external reference {reference!r}"
    assert all("url(" not in style for style in parsed.styles)
    assert "url(" not in email.body_html
    # the bars of the top themes are table cells in the brand colour, widths in percent
    assert re.search(r'<td width="\d+%" height="10" style="background:#', email.body_html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_text_part_carries_every_figure_of_the_html(demo, context, language):
    email = email_in(demo, language)
    shown = numbers(" ".join(StrictHTML().check(email.body_html).text))
    told = numbers(email.body_text)
    assert shown, "the HTML part shows no figures"
    assert shown - told == set()
    with tenant_scope(demo["tenant"]), force_locale(f"{language}_BE"):
        reading = rendering.read(content_of(demo))
    # the demo's story: every part of the report has something to show
    assert reading.themes
    assert reading.hot_spots
    assert reading.did_it_work
    for figure in reading.figures:
        assert f"{figure.label}: {figure.value}" in email.body_text
    for theme in reading.themes:
        assert f"{theme.name}: {theme.share}" in email.body_text
        assert theme.share in " ".join(StrictHTML().check(email.body_html).text)


def test_subjects_and_headings_speak_the_readers_language(demo, context):
    emails = {language: email_in(demo, language) for language in LANGUAGES}
    company = "Codeway"
    assert emails["en"].subject.startswith(f"{company} exit feedback: Monthly report, ")
    for language in ("nl", "fr"):
        email = emails[language]
        assert company in email.subject
        assert email.subject != emails["en"].subject
        heading = translated("Monthly report, %(month)s", language).split("%")[0]
        assert heading != "Monthly report, "
        assert email.subject.split(": ", 1)[1].startswith(heading)
        for words in ("Key figures", "Top reasons for leaving", "Action progress"):
            assert translated(words, language) != words
            assert translated(words, language) in email.body_html
            assert translated(words, language) in email.body_text


def test_a_screenshot_of_the_email_is_kept(demo, context, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    for language, width in [*((language, 680) for language in LANGUAGES), ("en", 375)]:
        page = browser.new_page(viewport={"width": width, "height": 900})
        fetched: list[str] = []

        def refuse(route, fetched=fetched):
            fetched.append(route.request.url)
            route.abort()

        page.route("**/*", refuse)
        email = email_in(demo, language)
        page.set_content(email.body_html)
        path = ARTIFACTS / f"report-email-{language}-{width}.png"
        # the text part beside it, as a reader of plain text mail gets it
        path.with_suffix(".txt").write_text(f"{email.subject}\n\n{email.body_text}")
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        assert fetched == []  # the message fetches nothing
        assert path.stat().st_size > 10_000
        page.close()


def _signed_in(demo):
    client = demo["app"].test_client()
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": demo["hr_admin"], "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_the_page_shows_the_report_and_prints_on_a4(demo):
    client = _signed_in(demo)
    page = client.get(f"/t/{SLUG}/reports/{demo['report']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert StrictHTML().check(html).errors == []
    assert "style=" not in html.split("<main", 1)[1]  # the CSP: no inline style in the page
    with demo["app"].app_context(), tenant_scope(demo["tenant"]), force_locale("en_BE"):
        reading = rendering.read(content_of(demo))
    assert reading.title in html
    for figure in reading.figures:
        assert figure.value in html
    assert f"/t/{SLUG}/reports/{demo['report']}/report.pdf" in html
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert "@page { size: A4;" in css
    assert "@media print" in css


def test_a_screenshot_of_the_page_at_phone_and_desk_width(demo, browser):
    client = _signed_in(demo)
    origin = "http://exitloop.test"

    def serve(route):
        url = urlsplit(route.request.url)
        if url.hostname != "exitloop.test":
            route.abort()
            return
        response = client.get(url.path + (f"?{url.query}" if url.query else ""))
        route.fulfill(
            status=response.status_code,
            headers={"Content-Type": response.content_type},
            body=response.get_data(),
        )

    ARTIFACTS.mkdir(exist_ok=True)
    for width in (375, 1100):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.route("**/*", serve)
        page.goto(f"{origin}/t/{SLUG}/reports/{demo['report']}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        path = ARTIFACTS / f"report-page-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        page.emulate_media(media="print")
        assert page.locator(".site-header").is_hidden()
        page.close()


def test_the_pdf_download_is_an_a4_report_with_its_figures(demo, poppler):  # noqa: F811
    client = _signed_in(demo)
    response = client.get(f"/t/{SLUG}/reports/{demo['report']}/report.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.endswith('.pdf"')
    content = response.get_data()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(content)
    text = " ".join(poppler("pdftotext", content, "-enc", "UTF-8").split())
    with demo["app"].app_context(), tenant_scope(demo["tenant"]), force_locale("en_BE"):
        reading = rendering.read(content_of(demo))
    assert reading.title in text
    for figure in reading.figures:  # the tiles stand in a grid: read column by column
        assert figure.label in text
        assert figure.value in text
    for theme in reading.themes:
        assert f"{theme.name} {theme.share}" in text
    info = poppler("pdfinfo", content)
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (round(float(n)) for n in size.split()[2:5:2])
    assert (width, height) == (595, 842)


def _content(**changes) -> dict:
    """A report's content made by hand: the words for each case, without a database."""
    action = {
        "title": "Review the shift roster",
        "owner": "Els Peeters",
        "due_on": "2026-11-20",
        "status": "done",
        "progress": 60,
        "outcome": "Weekend shifts now rotate",
        "themes": ["workload"],
    }
    listed = {"count": 0, "items": []}
    content = {
        "version": 1,
        "company": "Brasserie Het Anker",
        "cadence": "weekly",
        "period": {"key": "2026-W48", "start": "2026-11-23", "end": "2026-11-29"},
        "months": {"first": "2026-10-01", "last": "2026-10-01"},
        "previous_months": {"first": "2026-09-01", "last": "2026-09-01"},
        "k": 5,
        "shown": True,
        "key_figures": {
            "departures": {"now": 1234, "before": 1240},
            "responses": {"now": 12, "before": 12},
            "response_rate": {"now": 0.62, "before": 0.574},
            "enps": {"now": 8, "before": -4},
            "come_back": {"now": None, "before": 0.4},
            "regretted": {"now": 3, "before": None},
        },
        "themes": [{"theme": "workload", "share": 0.25, "previous": 0.5, "trend": "down"}],
        "hot_spots": [],
        "actions": {
            "done": {"count": 13, "items": [action]},
            "on_track": listed,
            "overdue": {"count": 1, "items": [{**action, "status": "open", "outcome": None}]},
            "new": listed,
        },
        "did_it_work": [],
    }
    return {**content, **changes}


def test_the_words_of_each_case(demo, context):
    # the words are made in the language of the moment: read them within it
    with tenant_scope(demo["tenant"]), force_locale("en_BE"):
        weekly = rendering.read(_content())
        quarterly = rendering.read(
            _content(
                cadence="quarterly",
                period={"key": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"},
                months={"first": "2026-10-01", "last": "2026-12-01"},
            )
        )
        monthly = rendering.read(
            _content(
                cadence="monthly",
                period={"key": "2026-11", "start": "2026-11-01", "end": "2026-11-30"},
            )
        )
        assert weekly.title == "Week 48, 23–29 November 2026"
        assert weekly.compared == "Figures for October 2026, compared with September 2026."
        assert weekly.action_period == "23–29 November 2026"
        assert quarterly.title == "Quarterly report, Q4 2026"
        assert quarterly.months.replace("\u2009", " ") == "October – December 2026"
        assert monthly.title == "Monthly report, November 2026"
        assert monthly.action_period is None
        figures = {figure.key: figure for figure in weekly.figures}
        assert figures["departures"].value == "1.234"  # Belgian digits
        assert (figures["departures"].change.amount, figures["departures"].change.tone) == (
            "−6",
            "good",
        )
        assert figures["responses"].change.arrow == "▶"
        # shares change in whole points, as the two percentages read (62% against 57%)
        assert figures["response_rate"].change.words == "+5 pp, was 57%"
        assert figures["enps"].value == "+8"
        assert figures["enps"].change.amount == "+12"
        assert figures["come_back"].value == "Not enough responses to show"
        assert figures["come_back"].change is None
        assert figures["regretted"].change is None  # nothing to compare with
        (theme,) = weekly.themes
        assert (theme.share, theme.width, theme.arrow, theme.trend) == (
            "25%",
            25,
            "▼",
            "down from 50%",
        )
        done = next(listed for listed in weekly.actions if listed.key == "done")
        assert done.items[0].outcome == "Weekend shifts now rotate"
        assert done.more == "and 12 more"
        overdue = next(listed for listed in weekly.actions if listed.key == "overdue")
        assert overdue.items[0].details == ["Els Peeters", "due 20 November 2026", "60% done"]
        assert overdue.more is None
