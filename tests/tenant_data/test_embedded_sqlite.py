"""The export and the deletion on the embedded default (SQLite, jobs in-process): the same
archive, and the audit trail's SQLite trigger lets the deletion's purge through."""

import datetime as dt
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenancy import tenant_scope
from service.tenant_data.models import ExportStatus, TenantExport
from service.tenant_data.tasks import scan_tenant_data
from service.tenants.models import Tenant
from tests.conftest import login, migrated_sqlite_app
from tests.factories import make_world
from tests.tenant_data.helpers import post

pytestmark = pytest.mark.embedded
DATA = "/t/tenant-a/settings/data"


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    app = migrated_sqlite_app(tmp_path_factory, "embedded-tenant-data")
    with app.app_context():
        world = make_world()
        with tenant_scope(world.a.tenant.id):  # the world's stand-in: one export at a time
            db.session.execute(sa.delete(TenantExport))
            db.session.commit()
    return app


def test_export_then_deletion_on_sqlite(embedded_app):
    client = embedded_app.test_client()
    login(client, "hr_admin@a.example")
    assert post(client, DATA + "/exports", page=DATA).status_code == 303
    with embedded_app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "tenant-a"))
        tenant_id = tenant.id
        with tenant_scope(tenant_id):
            export = db.session.scalar(sa.select(TenantExport))
            assert export.status == ExportStatus.READY, export.error
            manifest = json.loads(zipfile.ZipFile(io.BytesIO(export.archive)).read("manifest.json"))
    assert sum(entry["rows"] for entry in manifest["files"]) > 30

    name = manifest["tenant"]["name"]
    assert post(client, DATA + "/deletion", {"company_name": name}, page=DATA).status_code == 303
    with embedded_app.app_context():
        due = db.session.get(Tenant, tenant_id).deletion_due_at
        scan_tenant_data((due + dt.timedelta(hours=1)).replace(tzinfo=dt.UTC).isoformat())
        db.session.remove()
        assert db.session.get(Tenant, tenant_id) is None
        with db.engine.connect() as connection:
            tables = connection.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).scalars()
            left = {}
            for table in tables:
                columns = {
                    row[1] for row in connection.execute(sa.text(f"PRAGMA table_info({table})"))
                }
                if "tenant_id" in columns and table != "platform_audit_entries":
                    left[table] = connection.execute(
                        sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :id"),
                        {"id": tenant_id.hex},
                    ).scalar()
            assert left
            assert not any(left.values()), left
