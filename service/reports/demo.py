"""Demo reports: each demo client sends its leadership a report on its own cadence, and
its archive holds the last few periods' reports as they went out.

Het Anker reports monthly, Maison Lumière quarterly (with the PDF for its board meetings),
Codeway weekly. The reports go to the leadership members, in their language, and to one
extra address in the company's language. Het Anker's HR administrator added the works
council shortly before the latest report, with a typing error: that copy bounced, and the
archive says so.

The archive is built as the scan would have built it: for each period, its content from the
dashboard as of the day it was due, one outbox email per recipient, rendered in their
language and already delivered (marked sent, or failed, before the commit, so the relay
never sends any of them). ``enabled_at`` lies before the oldest archived report, and the
latest due period is in the archive: the next scan sends the next real period, no earlier.
A client that has report settings is left alone (idempotent).
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from service.accounts.models import User
from service.actions.models import Action
from service.extensions import db
from service.insights import figures
from service.mail.models import MailStatus, TenantEmail
from service.reports import content as report_content
from service.reports.models import (
    Cadence,
    Report,
    ReportRecipient,
    ReportSettings,
)
from service.reports.periods import Period, due_moment, latest_due
from service.reports.sending import language_of_member, queue_copies, recipients
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Membership, Tenant, TenantRole

BOUNCE = "550 5.1.1 User unknown"


@dataclass(frozen=True)
class DemoReports:
    cadence: Cadence
    archived: int  # how many past periods the archive holds
    extra: str  # the extra address, before the @
    weekday: int = 0  # Monday
    day_of_month: int = 1
    hour: int = 8
    attach_pdf: bool = False
    # The extra address was added (mistyped) just before the latest report, which bounced.
    bounced: bool = False


PLANS = {
    # The works council ("ondernemingsraad"), one letter short.
    "het-anker": DemoReports(Cadence.MONTHLY, 5, "ondernemingsrad", bounced=True),
    # The managing director's assistant, for the board meeting's papers.
    "maison-lumiere": DemoReports(
        Cadence.QUARTERLY, 4, "assistante.direction", day_of_month=2, hour=7, attach_pdf=True
    ),
    "codeway": DemoReports(Cadence.WEEKLY, 4, "ceo.office"),
}


def seed_tenant_reports(tenant: Tenant, now: dt.datetime) -> None:
    plan = PLANS.get(tenant.slug)
    if plan is None:
        return
    with tenant_scope(tenant.id):
        if db.session.scalar(sa.select(ReportSettings.id).where(of_current_tenant(ReportSettings))):
            return
        settings = ReportSettings(
            enabled=True,
            cadence=plan.cadence,
            weekday=plan.weekday,
            day_of_month=plan.day_of_month,
            hour=plan.hour,
        )
        periods = _archived_periods(plan, settings, tenant.time_zone, now)
        args = (plan.weekday, plan.day_of_month, plan.hour, tenant.time_zone)
        moments = [due_moment(period, *args) for period in periods]
        # Switched on a week and a bit before the oldest report went out.
        settings.enabled_at = settings.updated_at = _at(moments[0] - dt.timedelta(days=9), 10, 17)
        db.session.add(settings)
        for membership_id, user in _leadership():
            db.session.add(
                ReportRecipient(
                    membership_id=membership_id,
                    language=language_of_member(user, tenant),
                    created_at=settings.enabled_at,
                )
            )
        extra = ReportRecipient(
            address=f"{plan.extra}@{tenant.slug}.example",
            language=tenant.default_language,
            created_at=settings.enabled_at,
        )
        if plan.bounced:  # added between the last two reports
            extra.created_at = settings.updated_at = _at(moments[-1] - dt.timedelta(days=6), 16, 42)
        else:
            db.session.add(extra)
        db.session.flush()
        # One period's "before" is the previous one's "now": the answers' counts are read
        # once (the archive writes nothing they count).
        with figures.shared():
            for period, moment in zip(periods[:-1], moments[:-1], strict=True):
                _archive(tenant, period, moment, now)
            if plan.bounced:
                db.session.add(extra)
                db.session.flush()
            bounced = extra.address if plan.bounced else None
            _archive(tenant, periods[-1], moments[-1], now, bounced=bounced)
        settings.attach_pdf = plan.attach_pdf  # the archive's copies went without the PDF
        db.session.commit()


def _archived_periods(plan: DemoReports, settings, zone: str, now: dt.datetime) -> list[Period]:
    """The last ``plan.archived`` periods whose report was due by ``now``, oldest first."""
    settings.enabled_at = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # as if on for ever
    period, _moment = latest_due(settings, zone, now)
    periods = [period]
    while len(periods) < plan.archived:
        periods.insert(0, periods[0].previous())
    return periods


def _at(moment: dt.datetime, hour: int, minute: int) -> dt.datetime:
    """That day (in the moment's zone) at ``hour:minute``, in UTC."""
    return moment.replace(hour=hour, minute=minute).astimezone(dt.UTC)


def _leadership() -> list[tuple]:
    """The current tenant's active leadership members and their accounts."""
    return db.session.execute(
        sa.select(Membership.id, User)
        .join(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(Membership),
            Membership.role == TenantRole.LEADERSHIP,
            Membership.deactivated_at.is_(None),
        )
        .order_by(User.display_name)
    ).all()


def _archive(
    tenant: Tenant,
    period: Period,
    moment: dt.datetime,
    now: dt.datetime,
    bounced: str | None = None,
) -> None:
    """The period's report as the scan sent it a few minutes after ``moment``, delivered
    (never later than ``now``: a report due a minute before the seed went out at once)."""
    sent = min(moment.astimezone(dt.UTC) + dt.timedelta(minutes=3, seconds=12), now)
    today = moment.date()
    content = report_content.build(tenant, period, today)
    _as_it_was(content, moment)
    report = Report(
        period_key=period.key,
        cadence=period.cadence,
        period_start=period.start,
        period_end=period.end,
        content=content,
        created_at=sent,
    )
    db.session.add(report)
    db.session.flush()
    listed = recipients()
    email_ids = queue_copies(tenant, report, listed, attach_pdf=False)
    for number, (recipient, email_id) in enumerate(zip(listed, email_ids, strict=True)):
        email = db.session.get(TenantEmail, (tenant.id, email_id))
        email.created_at = email.next_attempt_at = sent
        email.attempts = 1
        if recipient.address == bounced:
            email.status, email.last_error = MailStatus.FAILED, BOUNCE
        else:
            email.status = MailStatus.SENT
            email.sent_at = min(sent + dt.timedelta(seconds=2 + number), now)


def _as_it_was(content: dict, moment: dt.datetime) -> None:
    """Drop from the pending lists the actions created after the report went out (the
    archive is built today, from today's board)."""
    later = set(
        db.session.scalars(
            sa.select(Action.title).where(
                of_current_tenant(Action), Action.created_at > moment.astimezone(dt.UTC)
            )
        )
    )
    for name in ("on_track", "overdue"):
        listed = content["actions"][name]
        kept = [item for item in listed["items"] if item["title"] not in later]
        listed["count"] -= len(listed["items"]) - len(kept)
        listed["items"] = kept
