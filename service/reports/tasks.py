"""Report jobs: the periodic scan and its one job per tenant whose report is due."""

import datetime as dt

import sqlalchemy as sa

from service.config import LANGUAGES
from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import task
from service.mail.outbox import render_email
from service.model_types import utcnow
from service.reports.models import Report, ReportSettings
from service.reports.periods import latest_due
from service.reports.sending import preview, send_due_report
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Tenant, TenantStatus


def due_tenants(now: dt.datetime) -> list[str]:
    """The active tenants whose latest due report is not sent yet (a platform-wide read of
    settings and report keys only, by design)."""
    with unscoped("report scan: tenants with a report due"):
        rows = db.session.execute(
            sa.select(ReportSettings, Tenant.time_zone)
            .join(Tenant, Tenant.id == ReportSettings.tenant_id)
            .where(ReportSettings.enabled.is_(True), Tenant.status == TenantStatus.ACTIVE)
        ).all()
        wanted = {}
        for settings, zone in rows:
            due = latest_due(settings, zone, now)
            if due is not None:
                wanted[settings.tenant_id] = due[0].key
        sent = set()
        if wanted:
            sent = set(
                db.session.execute(
                    sa.select(Report.tenant_id, Report.period_key).where(
                        Report.period_key.in_(set(wanted.values()))
                    )
                ).all()
            )
    db.session.rollback()
    return [str(tenant_id) for tenant_id, key in wanted.items() if (tenant_id, key) not in sent]


@task()
def scan_reports(now: str | None = None) -> None:
    """Periodic: one job per tenant whose report is due. ``now`` (ISO): the moment the scan
    stands for, passed on so every tenant's job judges the same period."""
    now = now or utcnow().isoformat()
    for tenant_id in due_tenants(dt.datetime.fromisoformat(now)):
        enqueue(send_report, tenant_id, now)


@task(queue="reports")
def send_report(tenant_id: str, now: str) -> None:
    """The tenant's due report; idempotent (sent once per tenant and period, whoever runs
    it and however often)."""
    with tenant_scope(tenant_id):
        send_due_report(dt.datetime.fromisoformat(now))


def warm_up() -> None:
    """Build and word one report without sending or keeping it (the worker runs this before
    it forks work-horses, so each starts with a report's SQL and templates compiled)."""
    with unscoped("report warm-up before forking"):
        tenant_id = db.session.scalar(
            sa.select(ReportSettings.tenant_id).where(ReportSettings.enabled.is_(True)).limit(1)
        )
    if tenant_id is None:
        return
    with tenant_scope(tenant_id):
        content = preview(utcnow())
        for language in LANGUAGES:
            render_email("report", language, {"report": content, "mail_brand": None})
    db.session.rollback()
