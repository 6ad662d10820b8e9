"""The embedded default: SQLite in a folder, no Redis — migrations, demo data, a login."""

import random
import threading
import urllib.request

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from service.demo import seed_demo
from service.departures.models import Departure, DepartureStatus
from service.extensions import db
from service.insights.dashboard import PANELS
from service.surveys.demo_writing import Leaver, answer
from service.surveys.document import from_json
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.invitation_links import link_token
from service.surveys.invitation_models import InvitationStatus, SurveyInvitation
from service.surveys.models import TemplateVersion
from service.surveys.response_models import SurveyResponse
from service.tenancy import tenant_scope
from service.tenants.models import Department, Tenant
from tests.conftest import login, migrated_sqlite_app
from tests.surveys.leaver_world import FORM_TOKEN as CSRF_FIELD

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


def test_a_leaver_submits_and_declines_on_sqlite(embedded_app):
    """The submit's single statement on PostgreSQL (a data-modifying WITH) runs as three
    steps on SQLite: refused answers still write nothing, then one response is stored and
    the invitation and departure end; a decline ends another."""
    tenant_id = _tenant_id(embedded_app, "het-anker")
    with embedded_app.app_context(), tenant_scope(tenant_id):
        sent = db.session.scalars(
            sa.select(SurveyInvitation).where(
                SurveyInvitation.status.in_([InvitationStatus.SENT, InvitationStatus.OPENED])
            )
        ).all()
        tokens = [link_token(invitation) for invitation in sent[:2]]
        ids = [invitation.id for invitation in sent[:2]]
        responses_before = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse))
    leaver = embedded_app.test_client()
    page = leaver.get(leaver.get(f"/s/{tokens[0]}").location).get_data(as_text=True)
    csrf = {"csrf_token": CSRF_FIELD.search(page).group(1), "language": "nl"}
    assert leaver.post("/s/submit", data=csrf).status_code == 422
    with embedded_app.app_context(), tenant_scope(tenant_id):
        version = db.session.get(SurveyInvitation, (tenant_id, ids[0])).template_version_id
        document = db.session.get(TemplateVersion, (tenant_id, version)).document
        questions = from_json(document).questions
    writer = Leaver("nl", ("workload",), ("team",), 0.5)
    rng = random.Random(1)
    answers = {f"answer_{q.key}": answer(rng, "horeca", q, writer) for q in questions}
    sent_page = leaver.post("/s/submit", data=csrf | answers)
    assert sent_page.status_code == 303, sent_page.get_data(as_text=True)[:300]
    assert leaver.get(sent_page.location).status_code == 200
    decliner = embedded_app.test_client()
    page = decliner.get(decliner.get(f"/s/{tokens[1]}").location).get_data(as_text=True)
    declined = decliner.post("/s/decline", data={"csrf_token": CSRF_FIELD.search(page).group(1)})
    assert declined.status_code == 303
    with embedded_app.app_context(), tenant_scope(tenant_id):
        submitted, refused = (db.session.get(SurveyInvitation, (tenant_id, id_)) for id_ in ids)
        assert submitted.status is InvitationStatus.COMPLETED
        assert refused.status is InvitationStatus.DECLINED
        departure = db.session.get(Departure, (tenant_id, submitted.departure_id))
        assert departure.status is DepartureStatus.ANSWERED
        count = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse))
        assert count == responses_before + 1
