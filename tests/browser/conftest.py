"""Browser fixtures: the real app on a live server, headless Chromium, accessibility checks.

Playwright drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser.
The server runs in a thread on the session's migrated PostgreSQL database, seeded with the
demo data, so the browser sees exactly what `make run` shows. A browser cannot see an
uncommitted transaction, so every module starts from a truncated, freshly seeded database.
"""

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import got_request_exception
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import truncate_all
from tests.snapshots import demo_data

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "browser-demo"  # noqa: S105 — demo data of a throwaway database
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

# Without these flags Chromium phones home (updates, sync, field trials) and, with no
# network here, floods the log with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def _require_browser_tools() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip(f"axe-core is missing at {AXE} (make browser-deps)")


@dataclass
class LiveServer:
    url: str
    app: object
    errors: list = field(default_factory=list)
    demo: dict = field(default_factory=dict)

    def reseed(self) -> dict:
        """Empty the database and seed the demo data again; returns the demo logins."""
        truncate_all(self.app)
        with self.app.app_context():
            self.demo = demo_data(DEMO_PASSWORD)
        return self.demo


@pytest.fixture(scope="session")
def _server(migrated_app):
    _require_browser_tools()
    errors: list = []

    def record(sender, exception, **extra):
        errors.append(repr(exception))

    got_request_exception.connect(record, migrated_app)
    server = make_server("127.0.0.1", 0, migrated_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}", app=migrated_app, errors=errors
        )
    finally:
        server.shutdown()
        thread.join(timeout=5)
        got_request_exception.disconnect(record, migrated_app)


@pytest.fixture(scope="module")
def live_server(_server):
    """The real app over HTTP with the demo data (password DEMO_PASSWORD) fresh per module."""
    _server.reseed()
    return _server


def launch_browser():
    """One headless Chromium for the whole session (tests/conftest.py's `browser` fixture):
    a second sync Playwright in the same process refuses to start."""
    _require_browser_tools()
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


class HostGuard:
    """Aborts and records every request that would leave this machine, page errors, and
    what the Content-Security-Policy refused (Chromium reports it on the console)."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []

    def console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def route(self, route) -> None:
        url = route.request.url
        scheme, host = urlsplit(url).scheme, urlsplit(url).hostname
        if scheme in ("http", "https", "ws", "wss") and host not in LOCAL_HOSTS:
            self.external.append(url)
            route.abort("blockedbyclient")
            return
        route.continue_()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page(locale="en-GB", width=1280) -> a fresh page in its own browser context.

    The locale sets the Accept-Language header. The test fails if any request left the
    host, a page script threw, the page broke its Content-Security-Policy, or the server
    raised; a failed test leaves a screenshot.
    """
    opened: list[tuple] = []
    first_error = len(live_server.errors)

    def open_(locale: str = "en-GB", width: int = 1280, height: int = 900):
        guard = HostGuard()
        context = browser.new_context(
            locale=locale, viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(5000)
        context.route("**/*", guard.route)
        page = context.new_page()
        page.on("pageerror", lambda error: guard.page_errors.append(str(error)))
        page.on("console", guard.console)
        page.guard = guard
        opened.append((context, guard))
        return page

    yield open_
    failed = (
        getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    )
    problems = []
    for number, (context, guard) in enumerate(opened, start=1):
        if failed:
            for page in context.pages:
                screenshot(page, f"FAILED-{request.node.name}-{number}")
        context.close()
        problems += [f"request left the host: {url}" for url in guard.external]
        problems += [f"script error in the page: {error}" for error in guard.page_errors]
        problems += [f"refused by the CSP: {text}" for text in guard.csp_violations]
    problems += [f"server error: {error}" for error in live_server.errors[first_error:]]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(open_page):
    return open_page()


def page_at_width(page, width: int = 375):
    """Resize to a phone's width (375 px: an iPhone SE / mini) and return the page."""
    page.set_viewport_size({"width": width, "height": 812})
    return page


def assert_fits_width(page, width: int = 375) -> None:
    """No horizontal scrolling: nothing sticks out beyond the viewport."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        wide = page.evaluate(
            """(width) => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width)
                .slice(0, 5).map(el => el.outerHTML.slice(0, 120))""",
            width,
        )
        pytest.fail(
            f"{page.url} is {scroll_width}px wide at {width}px; too wide:\n" + "\n".join(wide),
            pytrace=False,
        )


def assert_accessible(page) -> None:
    """No axe-core violation of serious or critical impact on the current page."""
    # Evaluated, not added as a <script>: the pages' CSP refuses inline scripts, and
    # the test's own evaluation is not subject to it.
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious accessibility violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:160]}")
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page, name: str) -> Path:
    """A full-page PNG under test-artifacts/ (kept by CI, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # caret="initial": hiding the caret leaves style="" on every input, which htmx then
    # copies while settling a swap, and the page's CSP reports that as a violation.
    # A long page under load can take more than the 5 s the pages' actions get.
    page.screenshot(path=str(path), full_page=True, caret="initial", timeout=30_000)
    return path
