"""The audit trail's retention: the daily scan (in the scheduler's list) purges, per tenant,
exactly the entries older than that tenant's setting, and the platform's by its own."""

import datetime as dt

from service.audit import trail
from service.audit.models import AuditEntry, PlatformAuditEntry
from service.audit.tasks import scan_audit_retention
from service.extensions import db
from service.jobs.scheduler import SCHEDULE
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.audit.helpers import entries, platform_entries

NOW = dt.datetime(2030, 6, 1, 3, 0, tzinfo=dt.UTC)


def _dated(tenant, days_ago: float, label: str) -> None:
    """An entry written ``days_ago`` days before NOW (as if the clock had moved since)."""
    with tenant_scope(tenant.id):
        trail.record("settings.change", changes={"label": label})
        entry = next(obj for obj in db.session.new if isinstance(obj, AuditEntry))
        entry.at = NOW - dt.timedelta(days=days_ago)
        db.session.commit()


def _platform_dated(days_ago: float, label: str) -> None:
    trail.record("agency.create", changes={"label": label})
    entry = next(obj for obj in db.session.new if isinstance(obj, PlatformAuditEntry))
    entry.at = NOW - dt.timedelta(days=days_ago)
    db.session.commit()


def _labels(found) -> set[str]:
    return {entry.changes.get("label") for entry in found} - {None}


def test_the_purge_is_in_the_schedule():
    assert any(p.task == "service.audit.tasks.scan_audit_retention" for p in SCHEDULE)


def test_the_purge_removes_exactly_what_is_past_each_tenants_retention(app, world):
    a, b = world.a.tenant, world.b.tenant
    db.session.get(Tenant, b.id).audit_retention_days = 1000
    db.session.commit()
    for tenant in (a, b):
        _dated(tenant, 729.9, "kept")
        _dated(tenant, 730.1, "past two years")
        _dated(tenant, 1000.1, "past 1000 days")
    _platform_dated(729, "platform kept")
    _platform_dated(731, "platform past")
    # The world's own entries (an action created) were written today: years before NOW.
    of_today = len([entry for entry in entries(a) if "label" not in entry.changes])

    scan_audit_retention(NOW.isoformat())

    assert _labels(entries(a)) == {"kept"}  # the default: 730 days
    assert _labels(entries(b)) == {"kept", "past two years"}  # its own 1000 days
    assert _labels(platform_entries()) == {"platform kept"}
    purge = entries(a, "audit.purge")
    assert len(purge) == 1
    assert purge[0].changes["removed"] == 2 + of_today
    assert purge[0].actor_id is None  # the system


def test_a_second_run_removes_nothing_more(app, world):
    _dated(world.a.tenant, 800, "past")
    scan_audit_retention(NOW.isoformat())
    scan_audit_retention(NOW.isoformat())
    assert len(entries(world.a.tenant, "audit.purge")) == 1
    assert _labels(entries(world.a.tenant)) == set()
