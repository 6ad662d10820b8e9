"""`any_app`: a test on PostgreSQL (the session's database) and again on SQLite (one
migrated file per module), for the insights that must read alike on both."""

import pytest
from flask_migrate import upgrade

from service.extensions import db
from tests.conftest import make_test_app, truncate_all


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("insights") / "exitloop.sqlite3"
    app = make_test_app(f"sqlite:///{path}", REDIS_URL=None)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(params=["postgresql", "sqlite"])
def any_app(request):
    if request.param == "postgresql":
        yield request.getfixturevalue("app")
        return
    app = request.getfixturevalue("sqlite_app")
    truncate_all(app)
    with app.app_context():
        yield app
        db.session.remove()
