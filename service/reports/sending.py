"""Sending reports: the scheduled report of a period exactly once, and "send now".

Exactly once per tenant and period, structurally: the report's row (unique per tenant and
period key) is inserted in the same transaction as one outbox email per recipient. A second
scan, a retried or duplicated job, or a scheduler back after a stop, finds the row, or its
insert fails on the unique key and rolls its emails back with it. Delivery is the outbox's
(retries with back-off, a permanent refusal marked failed), each email recorded against the
report as a delivery, so the archive shows who got it.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from service import pdf
from service.accounts.models import User
from service.accounts.tasks import external_url
from service.audit.trail import record
from service.extensions import db
from service.i18n import language_for
from service.mail import relay
from service.mail.models import TenantEmail
from service.mail.outbox import Attachment, queue_email
from service.reports import content as report_content
from service.reports import rendering
from service.reports.models import (
    DEFAULT_CADENCE,
    Report,
    ReportDelivery,
    ReportRecipient,
    ReportSettings,
)
from service.reports.periods import Period, latest_due, period_containing
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import Membership, Tenant, TenantStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    name: str | None = None  # a member's name; None for an extra address


def settings_of_current_tenant() -> ReportSettings | None:
    return db.session.scalar(sa.select(ReportSettings).where(of_current_tenant(ReportSettings)))


def recipients() -> list[Recipient]:
    """Who the current tenant's reports go to: each listed member with an active account
    and membership (at their account's address), and each extra address."""
    rows = db.session.execute(
        sa.select(ReportRecipient, User)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.tenant_id == ReportRecipient.tenant_id,
                Membership.id == ReportRecipient.membership_id,
            ),
        )
        .outerjoin(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(ReportRecipient),
            sa.or_(
                ReportRecipient.address.is_not(None),
                sa.and_(Membership.deactivated_at.is_(None), User.active.is_(True)),
            ),
        )
        .order_by(ReportRecipient.created_at)
    ).all()
    found: dict[str, Recipient] = {}
    for recipient, user in rows:
        if user is None:
            found.setdefault(
                recipient.address.lower(), Recipient(recipient.address, recipient.language)
            )
        else:
            found.setdefault(
                user.email.lower(), Recipient(user.email, recipient.language, user.display_name)
            )
    return list(found.values())


def local_today(tenant: Tenant, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(tenant.time_zone)).date()


def last_ended_period(tenant: Tenant, settings: ReportSettings | None, now: dt.datetime) -> Period:
    """The period a preview or "send now" shows: the last one ended by ``now``."""
    cadence = settings.cadence if settings is not None else DEFAULT_CADENCE
    return period_containing(cadence, local_today(tenant, now)).previous()


def send_due_report(now: dt.datetime) -> bool:
    """The current tenant's scheduled report, if one is due at ``now`` and not yet sent;
    True when this call sent it."""
    tenant = db.session.get(Tenant, current_tenant_id())
    settings = settings_of_current_tenant()
    if tenant is None or tenant.status != TenantStatus.ACTIVE or settings is None:
        return False
    due = latest_due(settings, tenant.time_zone, now)
    if due is None:
        return False
    period, _moment = due
    sent = db.session.scalar(
        sa.select(Report.id).where(of_current_tenant(Report), Report.period_key == period.key)
    )
    if sent is not None:
        return False
    try:
        report_id = _send(
            tenant, settings, period, local_today(tenant, now), period.key, by=None, inline=True
        ).id
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("report %s of tenant %s was already sent", period.key, tenant.id)
        return False
    # Delivered here, in the job, rather than by a job per copy (a work-horse each): what a
    # crash leaves pending, the outbox sweep delivers.
    for email_id in _email_ids(report_id):
        relay.deliver(TenantEmail, email_id)
    return True


def _email_ids(report_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        db.session.scalars(
            sa.select(ReportDelivery.email_id).where(
                of_current_tenant(ReportDelivery), ReportDelivery.report_id == report_id
            )
        )
    )


def send_now(by: uuid.UUID, now: dt.datetime) -> Report:
    """An extra copy of the last ended period's report, to every recipient, now (HR's
    "send now"); it does not stand in for the scheduled one. Commits."""
    tenant = db.session.get(Tenant, current_tenant_id())
    settings = settings_of_current_tenant()
    period = last_ended_period(tenant, settings, now)
    report = _send(tenant, settings, period, local_today(tenant, now), None, by=by)
    db.session.commit()
    return report


def preview(now: dt.datetime) -> dict:
    """The content "send now" would send, not kept."""
    tenant = db.session.get(Tenant, current_tenant_id())
    period = last_ended_period(tenant, settings_of_current_tenant(), now)
    return report_content.build(tenant, period, local_today(tenant, now))


def _send(
    tenant: Tenant,
    settings: ReportSettings | None,
    period: Period,
    today: dt.date,
    key: str | None,
    by: uuid.UUID | None,
    inline: bool = False,
) -> Report:
    """Record the report and queue one email per recipient (never commits)."""
    report = Report(
        period_key=key,
        cadence=period.cadence,
        period_start=period.start,
        period_end=period.end,
        content=report_content.build(tenant, period, today),
        sent_by=by,
    )
    db.session.add(report)
    db.session.flush()  # the unique key first: a refused report queues nothing
    listed = recipients()
    # Figures leave the application by email: the trail says which, to how many, and who
    # asked (nobody for a scheduled one).
    record("report.send", report, {"period": period.key, "recipients": len(listed)})
    attach_pdf = settings is not None and settings.attach_pdf
    queue_copies(tenant, report, listed, attach_pdf=attach_pdf, deliver_after_commit=not inline)
    return report


def queue_copies(
    tenant: Tenant,
    report: Report,
    listed: list[Recipient],
    attach_pdf: bool,
    deliver_after_commit: bool = True,
) -> list[uuid.UUID]:
    """One outbox email per recipient, each recorded as the report's delivery; their ids
    (never commits). With ``attach_pdf``, the PDF is made once per language."""
    pdfs: dict[str, Attachment | None] = {}
    email_ids = []
    for recipient in listed:
        if attach_pdf and recipient.language not in pdfs:
            pdfs[recipient.language] = _pdf_attachment(report, recipient.language)
        email_id = queue_email(
            to=recipient.address,
            template="report",
            language=recipient.language,
            context=email_context(tenant, report, recipient),
            tenant_id=tenant.id,
            attachment=pdfs.get(recipient.language),
            deliver_after_commit=deliver_after_commit,
        )
        db.session.add(
            ReportDelivery(
                report_id=report.id,
                address=recipient.address,
                language=recipient.language,
                email_id=email_id,
            )
        )
        email_ids.append(email_id)
    return email_ids


def _pdf_attachment(report: Report, language: str) -> Attachment | None:
    """The report as a PDF in ``language``; None where this machine cannot make PDFs (the
    emails then go without: the report matters more than its attachment)."""
    if not pdf.available():
        log.warning("report %s sent without its PDF: WeasyPrint is missing", report.id)
        return None
    return Attachment(
        name=rendering.pdf_name(report.content),
        mime_type="application/pdf",
        data=rendering.pdf_of(report.content, language, report),
    )


def email_context(tenant: Tenant, report: Report, recipient: Recipient) -> dict:
    base = current_app.config["PUBLIC_URL"]
    return {
        "report": report.content,
        "name": recipient.name,
        "dashboard_url": external_url(base, "insights.index", tenant_slug=tenant.slug),
        "report_url": external_url(
            base, "reports.show", tenant_slug=tenant.slug, report_id=report.id
        ),
    }


def language_of_member(user: User, tenant: Tenant) -> str:
    """The default language of a member added as a recipient."""
    return language_for(user, tenant.default_language)
