"""Insight figures are SQL of two dialects: `dialect_app` runs a test on PostgreSQL and on
the embedded default (SQLite), each database migrated the production way."""

import contextlib

import pytest
from flask_migrate import upgrade

from service.extensions import db
from tests.conftest import (
    admin_engine,
    fresh_database,
    make_test_app,
    migrated_sqlite_app,
    reset_rate_limits,
    truncate_all,
)


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    return migrated_sqlite_app(tmp_path_factory, "insights")


@pytest.fixture(params=["postgresql", "sqlite"])
def dialect_app(request):
    """An empty migrated database of each dialect, with an application context."""
    if request.param == "postgresql":
        yield request.getfixturevalue("app")
        return
    app = request.getfixturevalue("sqlite_app")
    truncate_all(app)
    reset_rate_limits(app)
    with app.app_context():
        yield app
        db.session.remove()


@contextlib.contextmanager
def migrated_up_to(dialect: str, revision: str, tmp_path):
    """The app on a fresh database of `dialect` migrated up to `revision` (a migration's
    test then writes the rows that revision had, and upgrades), and a connection above
    row-level security to write them."""
    if dialect == "sqlite":
        app = make_test_app(f"sqlite:///{tmp_path / 'exitloop.sqlite3'}", REDIS_URL=None)
        with app.app_context():
            upgrade(revision=revision)
            yield app, db.engine
        return
    with fresh_database() as url:
        app = make_test_app(url, REDIS_URL=None)
        with app.app_context():
            upgrade(revision=revision)
            yield app, admin_engine(app)
            db.session.remove()
            db.engine.dispose()
