"""The whole-tenant export: started by the HR admin after re-authentication, built by its
job with progress, holding every row of the tenant (and none of another), downloaded once."""

import datetime as dt
import hashlib
import io
import json
import zipfile

import sqlalchemy as sa

from service.extensions import db
from service.model_types import utcnow
from service.tenancy import GLOBAL_TABLES, tenant_scope, unscoped
from service.tenant_data.models import ExportStatus, TenantExport
from service.tenant_data.tasks import scan_tenant_data
from service.tenants.models import Membership, Tenant
from tests.audit.helpers import entries
from tests.conftest import login, translated
from tests.factories import make_tenant_export
from tests.snapshots import demo_data
from tests.tenant_data.helpers import age_the_proof, post, says

DATA = "/t/{slug}/settings/data"


def _exports(tenant_id) -> list[TenantExport]:
    db.session.expire_all()
    with tenant_scope(tenant_id):
        return list(db.session.scalars(sa.select(TenantExport).order_by(TenantExport.created_at)))


def _tenant(slug: str) -> Tenant:
    return db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))


def _rows_in_database(table: sa.Table, tenant_id) -> int:
    with unscoped("a test counts a tenant's rows in a Core table"):
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(table).where(table.c.tenant_id == tenant_id)
        )


def test_the_export_holds_every_row_of_the_tenant_and_none_of_another(app):
    demo_data("pw")
    anker = _tenant("het-anker")
    client = app.test_client()
    login(client, "hr.admin@het-anker.example")
    started = post(
        client, DATA.format(slug="het-anker") + "/exports", page=DATA.format(slug="het-anker")
    )
    assert started.status_code == 303

    (export,) = _exports(anker.id)  # the embedded runner built it right after the commit
    assert export.status == ExportStatus.READY, export.error
    archive = zipfile.ZipFile(io.BytesIO(export.archive))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"] == {"id": str(anker.id), "name": anker.name, "slug": "het-anker"}
    revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert manifest["schema_revision"] == revision
    files = {entry["table"]: entry for entry in manifest["files"]}

    # Every tenant-owned table of the live schema (not the models: what the database holds).
    live = sa.MetaData()
    live.reflect(db.engine)
    tenant_tables = [t for t in live.sorted_tables if t.name not in GLOBAL_TABLES]
    assert {t.name for t in tenant_tables} | {"users"} == set(files)
    assert {entry["name"] for entry in manifest["files"]} | {"manifest.json"} == set(
        archive.namelist()
    )
    filled = 0
    for table in tenant_tables:
        entry = files[table.name]
        content = archive.read(entry["name"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        rows = [json.loads(line) for line in content.decode().splitlines()]
        assert len(rows) == entry["rows"] == _rows_in_database(table, anker.id), table.name
        assert {row["tenant_id"] for row in rows} <= {str(anker.id)}, table.name
        filled += bool(rows)
    assert filled >= 20  # the demo company fills most tables: the counts above mean something
    assert "archive" not in json.loads(archive.read("tenant_exports.jsonl").splitlines()[0])

    with tenant_scope(anker.id):
        members = set(db.session.scalars(sa.select(Membership.user_id)))
    accounts = [json.loads(line) for line in archive.read("users.jsonl").splitlines()]
    assert {account["id"] for account in accounts} == {str(user_id) for user_id in members}
    assert all(set(account) == {"id", "display_name", "email"} for account in accounts)
    assert export.rows == sum(entry["rows"] for entry in manifest["files"])
    assert export.sha256 == hashlib.sha256(export.archive).hexdigest()


def test_the_archive_is_downloaded_once_then_gone(app, world):
    a = world.a
    export = make_tenant_export(a.tenant, a.users["hr_admin"])
    client = app.test_client()
    login(client, "hr_admin@a.example")
    url = f"{DATA.format(slug='tenant-a')}/exports/{export.id}/download"

    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/zip"
    assert first.headers["Content-Disposition"].startswith(
        'attachment; filename="exitloop-tenant-a-'
    )
    assert first.data == b"PK\x05\x06" + b"\x00" * 18
    second = client.get(url)
    assert second.status_code == 410
    assert says(second, "This archive is gone")

    stored = next(e for e in _exports(a.tenant.id) if e.id == export.id)
    assert (stored.status, stored.archive) == (ExportStatus.DOWNLOADED, None)
    (entry,) = entries(a.tenant, "tenant_export.download")
    assert entry.object_id == export.id
    assert entry.actor_id == a.users["hr_admin"].id


def test_only_the_person_who_started_it_downloads_it(app, world):
    a = world.a
    other_admin = a.users["hr_admin"]
    export = make_tenant_export(a.tenant, a.users["hr"])  # as if HR had been HR admin then
    client = app.test_client()
    login(client, other_admin.email)
    url = f"{DATA.format(slug='tenant-a')}/exports/{export.id}/download"
    assert client.get(url).status_code == 403
    assert next(e for e in _exports(a.tenant.id) if e.id == export.id).archive is not None


def test_another_tenants_export_is_a_404(app, world):
    b_export = world.b.objects["tenant_export"]
    client = app.test_client()
    login(client, "hr_admin@a.example")
    url = f"{DATA.format(slug='tenant-a')}/exports/{b_export.id}/download"
    assert client.get(url).status_code == 404
    assert next(e for e in _exports(world.b.tenant.id) if e.id == b_export.id).archive


def test_an_archive_never_downloaded_is_dropped_at_its_expiry(app, world):
    a = world.a
    export = world.a.objects["tenant_export"]
    fresh = make_tenant_export(
        a.tenant, a.users["hr_admin"], expires_at=utcnow() + dt.timedelta(hours=30)
    )

    scan_tenant_data((export.expires_at + dt.timedelta(minutes=1)).isoformat())

    stored = {e.id: e for e in _exports(a.tenant.id)}
    assert (stored[export.id].status, stored[export.id].archive) == (ExportStatus.EXPIRED, None)
    assert stored[fresh.id].archive is not None  # not expired yet
    (b_export,) = _exports(world.b.tenant.id)  # made with A's: it expired too, by its own job
    assert (b_export.status, b_export.archive) == (ExportStatus.EXPIRED, None)
    client = app.test_client()
    login(client, "hr_admin@a.example")
    gone = client.get(f"{DATA.format(slug='tenant-a')}/exports/{export.id}/download")
    assert gone.status_code == 410


def test_a_download_past_the_expiry_is_refused_before_the_scan_comes(app, world):
    a = world.a
    export = make_tenant_export(
        a.tenant, a.users["hr_admin"], expires_at=utcnow() - dt.timedelta(minutes=1)
    )
    client = app.test_client()
    login(client, "hr_admin@a.example")
    url = f"{DATA.format(slug='tenant-a')}/exports/{export.id}/download"
    assert client.get(url).status_code == 410
    stored = next(e for e in _exports(a.tenant.id) if e.id == export.id)
    assert (stored.status, stored.archive) == (ExportStatus.EXPIRED, None)


def test_starting_an_export_asks_to_confirm_identity_first(app, world):
    client = app.test_client()
    login(client, "hr_admin@a.example")
    age_the_proof()
    page = DATA.format(slug="tenant-a")
    response = post(
        client, page + "/exports", page=page, headers={"Referer": f"http://localhost{page}"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/confirm-identity")
    assert len(_exports(world.a.tenant.id)) == 1  # the world's own, nothing new
    assert entries(world.a.tenant, "tenant_export.start") == []


def test_the_start_is_audited_and_one_export_runs_at_a_time(app, world):
    a = world.a
    with tenant_scope(a.tenant.id):
        db.session.add(TenantExport(requested_by=a.users["hr_admin"].id))  # pending
        db.session.commit()
    client = app.test_client()
    login(client, "hr_admin@a.example")
    page = DATA.format(slug="tenant-a")
    response = post(client, page + "/exports", page=page, follow_redirects=True)
    assert says(response, "An export is already under way: it is shown below.")
    assert len(_exports(a.tenant.id)) == 2
    assert entries(a.tenant, "tenant_export.start") == []

    with tenant_scope(a.tenant.id):
        db.session.execute(sa.delete(TenantExport).where(TenantExport.status == "pending"))
        db.session.commit()
    post(client, page + "/exports", page=page)
    newest = _exports(a.tenant.id)[-1]
    assert newest.status == ExportStatus.READY
    newest_id = newest.id
    (entry,) = entries(a.tenant, "tenant_export.start")
    assert entry.object_id == newest_id


def test_a_running_export_shows_its_progress_and_polls(app, world):
    a = world.a
    with tenant_scope(a.tenant.id):
        db.session.add(
            TenantExport(
                requested_by=a.users["hr_admin"].id,
                status=ExportStatus.RUNNING,
                tables_total=40,
                tables_done=10,
            )
        )
        db.session.commit()
    client = app.test_client()
    login(client, "hr_admin@a.example")
    fragment = client.get(DATA.format(slug="tenant-a"), headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="tenant-exports"')
    assert 'hx-trigger="load delay:1s"' in html
    assert says(fragment, "%(done)s of %(total)s files written", lang="nl", done=10, total=40)
    assert '<progress id="export-bar-' in html


def test_an_archive_over_the_limit_fails_with_a_clear_message(app, world):
    app.config["TENANT_EXPORT_MAX_BYTES"] = 1000
    try:
        client = app.test_client()
        login(client, "hr_admin@a.example")
        page = DATA.format(slug="tenant-a")
        post(client, page + "/exports", page=page)
    finally:
        app.config["TENANT_EXPORT_MAX_BYTES"] = 256 * 1024 * 1024
    failed = _exports(world.a.tenant.id)[-1]
    assert (failed.status, failed.archive) == (ExportStatus.FAILED, None)
    # Told in the language of the person who started it (the page's: Dutch here).
    message = (
        "The archive would be larger than %(size)s MB. Ask your agency or the platform"
        " for the export."
    )
    assert failed.error == translated(message, "nl") % {"size": "0,001"}
    assert failed.error in client.get(page).get_data(as_text=True)


def test_a_download_asks_to_confirm_identity_first_and_keeps_the_archive(app, world):
    export = world.a.objects["tenant_export"]
    client = app.test_client()
    login(client, "hr_admin@a.example")
    age_the_proof()
    url = f"{DATA.format(slug='tenant-a')}/exports/{export.id}/download"
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/confirm-identity")
    assert next(e for e in _exports(world.a.tenant.id) if e.id == export.id).archive is not None
