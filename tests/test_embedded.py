"""The embedded default: SQLite in a folder, no Redis — migrations, demo data, a login."""

import threading
import urllib.request

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from service.demo import seed_demo
from service.extensions import db
from service.insights.dashboard import PANELS
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.invitation_links import link_token
from service.surveys.invitation_models import InvitationStatus, SurveyInvitation
from service.tenancy import tenant_scope
from service.tenants.models import Department, Tenant
from tests.conftest import login, migrated_sqlite_app

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    app = migrated_sqlite_app(tmp_path_factory, "embedded")
    with app.app_context():
        seed_demo("demo-password")
        seed_demo("demo-password")  # idempotent
    return app


def test_migrations_apply_and_demo_is_seeded_once(embedded_app):
    with embedded_app.app_context():
        slugs = set(db.session.scalars(sa.select(Tenant.slug)))
        assert slugs == {
            "het-anker", "maison-lumiere", "codeway", "de-zwaan", "bistro-margot", "scheldezicht"
        }  # fmt: skip
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
        with tenant_scope(tenant.id):
            count = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Department)
                .where(Department.tenant_id == tenant.id)
            )
        assert count == 4


def test_demo_login_reaches_the_tenant_home(embedded_app):
    client = embedded_app.test_client()
    login(client, "hr.admin@het-anker.example", "demo-password")
    home = client.get("/t/het-anker/")
    assert home.status_code == 200
    assert "Brasserie Het Anker" in home.get_data(as_text=True)
    assert client.get("/t/codeway/").status_code == 404


def test_the_app_serves_over_http(embedded_app):
    server = make_server("127.0.0.1", 0, embedded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/healthz"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — loopback only
            assert response.status == 200
            assert b'"queue":"embedded"' in response.read()
    finally:
        server.shutdown()


def test_sqlite_refuses_a_cross_tenant_reference(embedded_app):
    with embedded_app.app_context():
        tenants = dict(db.session.execute(sa.select(Tenant.slug, Tenant.id)).all())
        anker, codeway = tenants["het-anker"], tenants["codeway"]
        with tenant_scope(anker):
            department = db.session.scalar(
                sa.select(Department.id).where(Department.tenant_id == anker).limit(1)
            )
        insert = sa.text(
            "INSERT INTO department_headcounts"
            " (tenant_id, id, department_id, effective_from, headcount)"
            " VALUES (:tenant, :id, :department, '2026-06-01', 3)"
        )
        params = {"id": codeway.hex, "department": department.hex}
        with db.engine.connect() as connection:
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(insert, {**params, "tenant": codeway.hex})
            connection.rollback()
            connection.execute(insert, {**params, "tenant": anker.hex})
            connection.rollback()


def test_the_new_screens_work_on_sqlite(embedded_app):
    """Departures, invitations, interviews, responses, the board and insights on the embedded
    default."""
    client = embedded_app.test_client()
    login(client, "hr.admin@het-anker.example", "demo-password")
    for page in ("departures/", "responses/", "actions/", "actions/?view=table", "actions/mine"):
        assert client.get(f"/t/het-anker/{page}").status_code == 200, page
    # The insights dashboard: every panel's grouped query (months, quarters) on SQLite too.
    dashboard = client.get("/t/het-anker/insights/?period=24")
    assert dashboard.status_code == 200
    for name in PANELS:
        assert f'id="panel-{name}"' in dashboard.get_data(as_text=True), name
        panel = client.get(f"/t/het-anker/insights/panels/{name}?dimension=location")
        assert panel.status_code == 200, name
    assert client.get("/t/het-anker/insights/quotes?theme=compensation").status_code == 200
    with embedded_app.app_context(), tenant_scope(_tenant_id(embedded_app, "het-anker")):
        interview = db.session.scalar(
            sa.select(Interview).where(Interview.status == InterviewStatus.PLANNED)
        )
        opened = db.session.scalar(
            sa.select(SurveyInvitation).where(SurveyInvitation.status == InvitationStatus.OPENED)
        )
        token = link_token(opened)
    assert client.get(f"/t/het-anker/departures/{interview.departure_id}").status_code == 200
    consultant = embedded_app.test_client()
    login(consultant, "consultant@talentbrug.example", "demo-password")
    assert "Het Anker" in consultant.get("/interviews/").get_data(as_text=True)
    assert consultant.get(f"/t/het-anker/interviews/{interview.id}").status_code == 200
    leaver = embedded_app.test_client()
    opened_page = leaver.get(f"/s/{token}")
    assert opened_page.status_code == 303
    assert leaver.get("/s/").status_code == 200


def _tenant_id(app, slug: str):
    with app.app_context():
        return db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
