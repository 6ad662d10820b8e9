"""A tenant's report settings and recipients (HR admin), and what the report pages read:
the archive with each copy's delivery status, the next sending moment, failed deliveries.

Each change is one transaction. Switching the reports on, or to another cadence, counts
from that moment (``enabled_at``): a period whose sending moment is already past is not
mailed at once, the next one is.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from service.accounts.models import User
from service.audit.trail import record
from service.extensions import db
from service.listing import paginate
from service.mail.models import MailStatus, TenantEmail
from service.model_types import as_utc
from service.refusals import Refused, commit_or_refuse
from service.reports.models import (
    RECIPIENTS_MAX,
    Cadence,
    Report,
    ReportDelivery,
    ReportRecipient,
    ReportSettings,
)
from service.reports.periods import Period, due_moment, latest_due, period_containing
from service.reports.sending import language_of_member, settings_of_current_tenant
from service.roles import TenantRole
from service.tenancy import get_for_tenant_or_404, of_current_tenant
from service.tenants.models import Membership, Tenant

SCHEDULE = ("cadence", "weekday", "day_of_month", "hour")
EDITABLE = ("enabled", *SCHEDULE, "attach_pdf")
# The order members are offered as recipients: leadership first, whom the reports are for.
ROLE_ORDER = (
    TenantRole.LEADERSHIP,
    TenantRole.HR_ADMIN,
    TenantRole.HR,
    TenantRole.INTERVIEWER,
    TenantRole.MEMBER,
)

# --- the settings ------------------------------------------------------------------------


def current_settings() -> ReportSettings:
    """The stored settings, or the defaults (not stored) before the first save."""
    found = settings_of_current_tenant()
    if found is not None:
        return found
    return ReportSettings(
        enabled=False,
        cadence=Cadence.MONTHLY,
        weekday=0,
        day_of_month=1,
        hour=8,
        attach_pdf=False,
    )


def save_settings(data: dict, now: dt.datetime) -> bool:
    """Store the settings; False (and no write) when nothing differs. Switching on, or to
    another cadence while on, sets ``enabled_at`` to ``now``."""
    settings = settings_of_current_tenant()
    values = {key: data[key] for key in EDITABLE}
    values["cadence"] = Cadence(values["cadence"])
    if settings is None:
        settings = current_settings()
        db.session.add(settings)
    elif all(getattr(settings, key) == value for key, value in values.items()):
        return False
    changed = {
        key: [_plain(getattr(settings, key)), _plain(value)]
        for key, value in values.items()
        if getattr(settings, key) != value
    }
    switched_on = values["enabled"] and (not settings.enabled or settings.enabled_at is None)
    if switched_on or (values["enabled"] and values["cadence"] != settings.cadence):
        settings.enabled_at = now
    for key, value in values.items():
        setattr(settings, key, value)
    settings.updated_at = now
    record("report.settings_change", settings, changed)
    commit_or_refuse({"form": [_("The settings were just saved by someone else: try again.")]})
    return True


def _plain(value):
    return str(value) if isinstance(value, Cadence) else value


@dataclass(frozen=True)
class NextReport:
    period: Period
    moment: dt.datetime  # aware, in the tenant's zone
    now: bool  # due already: the next scan (within minutes) sends it


def next_report(settings: ReportSettings, tenant: Tenant, now: dt.datetime) -> NextReport | None:
    """The next scheduled report and its sending moment; None while the reports are off.
    A due period not yet sent goes first (the scan sends it within minutes)."""
    if not settings.enabled or settings.enabled_at is None:
        return None
    due = latest_due(settings, tenant.time_zone, now)
    if due is not None and not _sent(due[0].key):
        return NextReport(due[0], due[1], True)
    zone = tenant.time_zone
    args = (settings.weekday, settings.day_of_month, settings.hour, zone)
    local = now.astimezone(ZoneInfo(zone))
    period = period_containing(settings.cadence, local.date()).previous()
    moment = due_moment(period, *args)
    while moment <= now or moment < as_utc(settings.enabled_at):
        period = period.next()
        moment = due_moment(period, *args)
    return NextReport(period, moment, False)


def _sent(period_key: str) -> bool:
    return (
        db.session.scalar(
            sa.select(Report.id).where(of_current_tenant(Report), Report.period_key == period_key)
        )
        is not None
    )


# --- recipients --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientRow:
    id: uuid.UUID
    name: str | None  # a member's name; None for an extra address
    address: str
    language: str
    role: str | None  # a member's role
    active: bool  # a deactivated member gets no report (their row stays until removed)


def recipient_rows() -> list[RecipientRow]:
    """Every recipient as the settings page lists them: members, then extra addresses."""
    rows = db.session.execute(
        sa.select(ReportRecipient, Membership, User)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.tenant_id == ReportRecipient.tenant_id,
                Membership.id == ReportRecipient.membership_id,
            ),
        )
        .outerjoin(User, User.id == Membership.user_id)
        .where(of_current_tenant(ReportRecipient))
        .order_by(ReportRecipient.created_at, ReportRecipient.id)
    ).all()
    found = []
    for recipient, membership, user in rows:
        if membership is None:
            found.append(
                RecipientRow(recipient.id, None, recipient.address, recipient.language, None, True)
            )
        else:
            active = membership.deactivated_at is None and user.active
            found.append(
                RecipientRow(
                    recipient.id,
                    user.display_name,
                    user.email,
                    recipient.language,
                    membership.role.value,
                    active,
                )
            )
    return sorted(found, key=lambda row: row.name is None)


def member_choices() -> list[tuple[Membership, User]]:
    """The active members not yet recipients: leadership first, then by name."""
    listed = sa.select(ReportRecipient.membership_id).where(
        of_current_tenant(ReportRecipient), ReportRecipient.membership_id.is_not(None)
    )
    rows = db.session.execute(
        sa.select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(Membership),
            Membership.deactivated_at.is_(None),
            Membership.assigned_by_agency.is_(False),
            User.active.is_(True),
            Membership.id.not_in(listed),
        )
    ).all()
    order = {role: index for index, role in enumerate(ROLE_ORDER)}
    return sorted(
        rows, key=lambda row: (order[row[0].role], row[1].display_name.casefold(), row[1].email)
    )


def recipient_or_404(recipient_id) -> ReportRecipient:
    return get_for_tenant_or_404(ReportRecipient, recipient_id)


def _count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReportRecipient)
        .where(of_current_tenant(ReportRecipient))
    )


def _refuse_when_full(field: str) -> None:
    if _count() >= RECIPIENTS_MAX:
        raise Refused(
            {
                field: [
                    _(
                        "A report goes to at most %(most)s recipients: remove one first.",
                        most=RECIPIENTS_MAX,
                    )
                ]
            }
        )


def _taken(field: str) -> dict[str, list[str]]:
    return {field: [_("This recipient is already on the list.")]}


def add_member(data: dict, tenant: Tenant) -> ReportRecipient:
    """A member as a recipient, in the language given or else their own."""
    _refuse_when_full("membership_id")
    found = db.session.execute(
        sa.select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(Membership),
            Membership.id == data["membership_id"],
            Membership.deactivated_at.is_(None),
            Membership.assigned_by_agency.is_(False),
            User.active.is_(True),
        )
    ).first()
    if found is None:
        raise Refused({"membership_id": [_("Choose a member of the company.")]})
    membership, user = found
    if _listed(ReportRecipient.membership_id == membership.id) or _listed(
        sa.func.lower(ReportRecipient.address) == user.email.lower()
    ):
        raise Refused(_taken("membership_id"))
    recipient = ReportRecipient(
        membership_id=membership.id,
        language=data["language"] or language_of_member(user, tenant),
    )
    db.session.add(recipient)
    record("report.settings_change", recipient, {"added": user.display_name})
    commit_or_refuse(_taken("membership_id"))
    return recipient


def add_address(data: dict) -> ReportRecipient:
    """An extra address (someone without an account here), with its report's language."""
    _refuse_when_full("address")
    address = data["address"]
    member_address = (
        sa.select(ReportRecipient.id)
        .join(
            Membership,
            sa.and_(
                Membership.tenant_id == ReportRecipient.tenant_id,
                Membership.id == ReportRecipient.membership_id,
            ),
        )
        .join(User, User.id == Membership.user_id)
        .where(of_current_tenant(ReportRecipient), sa.func.lower(User.email) == address.lower())
    )
    if _listed(sa.func.lower(ReportRecipient.address) == address.lower()) or (
        db.session.scalar(member_address) is not None
    ):
        raise Refused(_taken("address"))
    recipient = ReportRecipient(address=address, language=data["language"])
    db.session.add(recipient)
    record("report.settings_change", recipient, {"added": address})
    commit_or_refuse(_taken("address"))
    return recipient


def _listed(condition) -> bool:
    return (
        db.session.scalar(
            sa.select(ReportRecipient.id).where(of_current_tenant(ReportRecipient), condition)
        )
        is not None
    )


def remove_recipient(recipient: ReportRecipient) -> None:
    record("report.settings_change", recipient, {"removed": recipient_name(recipient)})
    db.session.delete(recipient)
    db.session.commit()


def recipient_name(recipient: ReportRecipient) -> str:
    """How the pages name a recipient: the member's name and address, or the address."""
    if recipient.membership_id is None:
        return recipient.address
    user = db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(of_current_tenant(Membership), Membership.id == recipient.membership_id)
    )
    return f"{user.display_name} ({user.email})"


# --- the archive -------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    address: str
    language: str
    status: str  # "on_its_way", "delivered", "failed", "kept", "unknown"
    sent_at: dt.datetime | None
    error: str | None


_STATES = {
    MailStatus.PENDING: "on_its_way",
    MailStatus.SENDING: "on_its_way",
    MailStatus.SENT: "delivered",
    MailStatus.FAILED: "failed",
    MailStatus.KEPT: "kept",
}


@dataclass(frozen=True)
class ArchivedReport:
    report: Report
    sent_by: str | None  # who sent it now; None: the schedule
    deliveries: list[Delivery]

    @property
    def failed(self) -> int:
        return sum(1 for delivery in self.deliveries if delivery.status == "failed")


def archive_page(page: int) -> tuple[Pagination, list[ArchivedReport]]:
    """Every report, newest first, one page, each with its deliveries' statuses."""
    pagination = paginate(
        sa.select(Report)
        .where(of_current_tenant(Report))
        .order_by(Report.created_at.desc(), Report.id.desc()),
        page,
    )
    return pagination, _archived(pagination.items)


def _archived(reports: list[Report]) -> list[ArchivedReport]:
    ids = [report.id for report in reports]
    rows = db.session.execute(
        sa.select(ReportDelivery, TenantEmail)
        .outerjoin(
            TenantEmail,
            sa.and_(
                TenantEmail.tenant_id == ReportDelivery.tenant_id,
                TenantEmail.id == ReportDelivery.email_id,
            ),
        )
        .where(of_current_tenant(ReportDelivery), ReportDelivery.report_id.in_(ids))
        .order_by(ReportDelivery.address)
    ).all()
    by_report: dict[uuid.UUID, list[Delivery]] = {report_id: [] for report_id in ids}
    for delivery, email in rows:
        by_report[delivery.report_id].append(
            Delivery(
                delivery.address,
                delivery.language,
                _STATES[email.status] if email is not None else "unknown",
                email.sent_at if email is not None else None,
                email.last_error if email is not None else None,
            )
        )
    senders = {report.sent_by for report in reports if report.sent_by is not None}
    names = {}
    if senders:
        names = dict(
            db.session.execute(
                sa.select(User.id, User.display_name).where(User.id.in_(senders))
            ).all()
        )
    return [
        ArchivedReport(
            report,
            names.get(report.sent_by, _("a former member")) if report.sent_by else None,
            by_report[report.id],
        )
        for report in reports
    ]


def latest_failures() -> ArchivedReport | None:
    """The latest report when one of its copies failed for good (the HR admin's notice)."""
    latest = db.session.scalar(
        sa.select(Report)
        .where(of_current_tenant(Report))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(1)
    )
    if latest is None:
        return None
    archived = _archived([latest])[0]
    return archived if archived.failed else None
