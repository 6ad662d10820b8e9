"""Insight figures are SQL of two dialects: `dialect_app` runs a test on PostgreSQL and on
the embedded default (SQLite), each database migrated the production way."""

import pytest

from service.extensions import db
from tests.conftest import migrated_sqlite_app, reset_rate_limits, truncate_all


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
