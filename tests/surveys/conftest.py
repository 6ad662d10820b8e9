"""Pure tests of the questionnaire document and presets: no database, no Exitloop app.

A bare Flask app with Flask-Babel reading service/translations is enough to check what a
Dutch or French reader sees.
"""

import pytest
from flask import Flask
from flask_babel import Babel


@pytest.fixture
def catalogs():
    app = Flask("service")  # root path service/: Flask-Babel reads service/translations
    Babel(app)
    with app.app_context():
        yield app


# The invitation tests' SMTP server and Redis (not the job tests' autouse fixture: the pure
# tests above need no app).
from tests.jobs.conftest import jobs_redis, smtp  # noqa: E402, F401
