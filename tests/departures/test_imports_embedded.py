"""The departure import in the embedded default (SQLite, no Redis): the job runs in-process
right after the confirming commit, and the same file twice imports nothing the second time."""

import io
import re

import pytest
import sqlalchemy as sa

from service.demo import seed_demo
from service.departures.models import Departure
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.conftest import login, migrated_sqlite_app
from tests.tenants.helpers import post_form, text

pytestmark = pytest.mark.embedded

FILE = (
    "Naam;E-mail;Afdeling;Datum uit dienst;Type uitdiensttreding;Spijtig verlies\n"
    "Lotte Vermeulen;lotte@het-anker.example;Zaal;31/12/2025;vrijwillig;ja\n"
    "Jens Peeters;jens@het-anker.example;Terras;31/01/2026;ontslag;nee\n"
).encode("cp1252")


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    app = migrated_sqlite_app(tmp_path_factory, "embedded-import")
    with app.app_context():
        seed_demo("demo-password")
    return app


def import_file(client) -> str:
    response = post_form(
        client,
        "/t/het-anker/departures/import",
        {"file": (io.BytesIO(FILE), "leavers.csv")},
        content_type="multipart/form-data",
    )
    preview = re.search(r"/import/([0-9a-f-]{36})/preview", response.headers["Location"])
    confirmed = post_form(client, f"/t/het-anker/departures/import/{preview.group(1)}/confirm")
    return text(client.get(confirmed.headers["Location"]))


def test_the_import_runs_in_process_on_sqlite(embedded_app):
    client = embedded_app.test_client()
    with embedded_app.app_context():
        login(client, "hr.admin@het-anker.example", "demo-password")
        first = import_file(client)
        assert "2 vertrekken aangemaakt." in first  # the demo HR admin reads Dutch
        second = import_file(client)
        assert "Er werd niets nieuws geïmporteerd" in second
        tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "het-anker"))
        with tenant_scope(tenant_id):
            names = db.session.scalars(
                sa.select(Departure.full_name)
                .where(Departure.import_id.is_not(None))  # the demo's own were recorded by hand
                .order_by("full_name")
            )
            assert list(names) == ["Jens Peeters", "Lotte Vermeulen"]  # Terras was created
