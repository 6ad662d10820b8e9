"""Shared fixtures: a migrated PostgreSQL database per test session, cleaned per test.

PostgreSQL and Redis are real servers here (TEST_DATABASE_URL, TEST_REDIS_URL). Where one
is absent (a laptop) its tests skip; under CI (CI=true) a skipped test fails the run.

The database is built as in production (README "Row-level security"): owned by an owner
role that runs the migrations, while the app — requests, jobs, the test's own queries —
connects as an application role that owns nothing and cannot bypass row-level security.
Only the clean-up between tests (and a test that says so) connects as the superuser.
"""

import contextlib
import contextvars
import os
import re
import uuid

import psycopg
import pytest
import redis
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from service import create_app
from service.audit.append_only import sqlite_purge
from service.config import TestConfig
from service.database_roles import create_roles
from service.extensions import db

# Property tests: Hypothesis times each example and its own data generation, which on a
# machine busy with other work says nothing about the code under test.
settings.register_profile("exitloop", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("exitloop")

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Cluster-wide roles, shared by every test run (created once, if missing).
OWNER_ROLE = "exitloop_test_owner"
APPLICATION_ROLE = "exitloop_test_app"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def as_role(url: str, role: str) -> str:
    """The same database, connected as ``role`` (the test cluster trusts local logins)."""
    return sa.engine.make_url(url).set(username=role, password=None).render_as_string(False)


@contextlib.contextmanager
def fresh_database():
    """A new PostgreSQL database, owned by the owner role, dropped afterwards; yields the URL
    the application connects with (the application role). Skips without PostgreSQL."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}: {exc}")
    name = f"exitloop_test_{uuid.uuid4().hex[:10]}"
    url = _sa_url(f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}")
    create_roles(ADMIN_URL, as_role(url, OWNER_ROLE), as_role(url, APPLICATION_ROLE))
    try:
        yield as_role(url, APPLICATION_ROLE)
    finally:
        for key in [key for key in _engines if key[0] == name]:
            _engines.pop(key).dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def database_url():
    """A fresh PostgreSQL database for this test session."""
    with fresh_database() as url:
        yield url


_engines: dict[tuple[str, str], sa.Engine] = {}


def engine_as(app, role: str) -> sa.Engine:
    """A connection pool to the app's PostgreSQL database as ``role`` (kept for the session)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if (url.database, role) not in _engines:
        _engines[url.database, role] = sa.create_engine(url.set(username=role, password=None))
    return _engines[url.database, role]


def admin_engine(app) -> sa.Engine:
    """The superuser on the app's database: above row-level security and grants (the
    clean-up between tests, a test that sets up what no role of the app may)."""
    return engine_as(app, sa.engine.make_url(_sa_url(ADMIN_URL)).username)


class RequestClient(FlaskClient):
    """Each request runs in a fresh context, as on a server: its own app context, `g`,
    database session and tenant — never the ones the test itself has pushed."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(database_url: str, **overrides):
    """The app on ``database_url``; on the session's PostgreSQL database (as the application
    role), migrations run as the owner role."""
    owner_url = as_role(database_url, OWNER_ROLE) if APPLICATION_ROLE in database_url else None
    config = TestConfig(database_url, owner_url)
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    app.test_client_class = RequestClient
    return app


def migrated_sqlite_app(tmp_path_factory, name: str):
    """The app on a fresh SQLite file (the embedded default), migrated the production way."""
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp(name) / "exitloop.sqlite3"
    app = make_test_app(f"sqlite:///{path}", REDIS_URL=None)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def migrated_app(database_url):
    """The app on a database built the production way: `flask db upgrade`."""
    from flask_migrate import upgrade

    app = make_test_app(database_url, REDIS_URL=None)
    with app.app_context():
        upgrade()
    return app


def truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            # As the superuser: above row-level security and the audit tables' grants.
            # DELETE beats TRUNCATE on tables this small (a TRUNCATE makes new files for
            # each of ~50 tables, every test); as replica, no trigger or key check fires.
            with admin_engine(app).begin() as connection:
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    connection.execute(sa.text(f"DELETE FROM {table}"))
            return
        with db.engine.begin() as connection, sqlite_purge():  # the audit tables refuse others
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))


def reset_rate_limits(app) -> None:
    """Forget this run's counted attempts (other runs sharing Redis db 13 use another prefix)."""
    from service.extensions import limiter

    limiter.init_app(app)  # the limiter is one object: bind it to this app's storage again
    store = redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"], socket_connect_timeout=1)
    try:
        keys = list(store.scan_iter(match=f"*{app.config['RATELIMIT_KEY_PREFIX']}*"))
    except redis.ConnectionError:
        return  # no Redis (a laptop): the limiter falls back to memory, and its tests skip
    if keys:
        store.delete(*keys)


@pytest.fixture
def app(migrated_app):
    """The app with an empty (migrated) database and an application context."""
    truncate_all(migrated_app)
    reset_rate_limits(migrated_app)
    migrated_app.config["REDIS_URL"] = None
    with migrated_app.app_context():
        yield migrated_app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """CSRF stays on in tests: read the token from a page like a browser would."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = "pw"):
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return response


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, one per session for every test that needs a browser."""
    from tests.browser.conftest import launch_browser

    yield from launch_browser()


@pytest.fixture
def world(app):
    """Two tenants of two agencies, each with departments and a user for every role."""
    from tests.snapshots import world as restored_world

    return restored_world()


def pytest_sessionfinish(session, exitstatus):
    """Under CI every test must run: a skip means a missing server or browser."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; every test must run here.", red=True
        )
        session.exitstatus = 1


def translated(text: str, language: str) -> str:
    """The catalog's translation of ``text``: what a user of that language reads."""
    from flask_babel import force_locale, gettext

    with force_locale(language):
        return gettext(text)


@contextlib.contextmanager
def statements_sent(pattern: str = ""):
    """The SQL statements (those matching ``pattern``) sent inside the block, by any
    connection (the test client's requests included)."""
    matcher = re.compile(pattern, re.IGNORECASE)
    seen: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        if matcher.match(statement):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def writes_to(table: str):
    """The INSERT, UPDATE and DELETE statements on ``table`` sent inside the block."""
    return statements_sent(rf"^\s*(INSERT INTO|UPDATE|DELETE FROM) {table}\b")
