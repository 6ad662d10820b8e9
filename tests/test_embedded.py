"""The embedded default: SQLite in a folder, no Redis — migrations, demo data, a login."""

import threading
import urllib.request

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from service.demo import seed_demo
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Department, Tenant
from tests.conftest import login, make_test_app

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("embedded") / "exitloop.sqlite3"
    app = make_test_app(f"sqlite:///{path}", REDIS_URL=None)
    with app.app_context():
        upgrade()
        seed_demo("demo-password")
        seed_demo("demo-password")  # idempotent
    return app


def test_migrations_apply_and_demo_is_seeded_once(embedded_app):
    with embedded_app.app_context():
        slugs = set(db.session.scalars(sa.select(Tenant.slug)))
        assert slugs == {"het-anker", "maison-lumiere", "codeway"}
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
