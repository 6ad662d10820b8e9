"""An agency's portfolio of client tenants: reads and one-transaction changes."""

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from service.accounts.models import TenantInvitation, User
from service.audit import trail as audit
from service.extensions import db
from service.listing import contains, paginate
from service.mail.models import MailStatus, TenantEmail
from service.model_types import as_utc, new_id
from service.platform.logos import image_type, logo_errors
from service.refusals import Refused, commit_or_refuse
from service.reports.models import Cadence, Report, ReportDelivery, ReportSettings
from service.tenancy import of_current_tenant, tenant_scope, unscoped
from service.tenants.models import Agency, Membership, Tenant, TenantRole, TenantStatus


def portfolio_page(agency: Agency, term: str, page: int) -> Pagination:
    query = sa.select(Tenant).where(Tenant.agency_id == agency.id)
    if term:
        query = query.where(sa.or_(contains(Tenant.name, term), contains(Tenant.slug, term)))
    return paginate(query.order_by(Tenant.name, Tenant.id), page)


def hr_admin_states(tenants: list[Tenant]) -> dict[uuid.UUID, str]:
    """For each of these clients: "active" when it has an active HR admin, "pending" when
    an HR-admin invitation still waits for an answer; absent when it has neither (an
    expired invitation waits for nothing: the agency invites again)."""
    ids = [tenant.id for tenant in tenants]
    with unscoped("an agency's portfolio: its clients' invitations"):
        pending = db.session.scalars(
            sa.select(TenantInvitation.tenant_id).where(
                TenantInvitation.tenant_id.in_(ids),
                TenantInvitation.role == TenantRole.HR_ADMIN,
                TenantInvitation.awaiting_answer(),
            )
        )
        states = dict.fromkeys(pending, "pending")
        active = db.session.scalars(
            sa.select(Membership.tenant_id).where(
                Membership.tenant_id.in_(ids),
                Membership.role == TenantRole.HR_ADMIN,
                Membership.deactivated_at.is_(None),
                Membership.assigned_by_agency.is_(False),
            )
        )
        states.update(dict.fromkeys(active, "active"))
    return states


def assigned_clients(agency: Agency, consultant: User) -> list[Tenant]:
    """The agency's client companies the consultant is assigned to, by name."""
    with unscoped("a consultant's assignments across the agency's clients"):
        return list(
            db.session.scalars(
                sa.select(Tenant)
                .join(Membership, Membership.tenant_id == Tenant.id)
                .where(
                    Tenant.agency_id == agency.id,
                    Membership.user_id == consultant.id,
                    Membership.assigned_by_agency.is_(True),
                )
                .order_by(Tenant.name, Tenant.id)
            )
        )


def client_or_404(agency: Agency, tenant_id: uuid.UUID) -> Tenant:
    """A tenant of this agency; another agency's tenant is a 404."""
    tenant = db.session.scalar(
        sa.select(Tenant).where(Tenant.id == tenant_id, Tenant.agency_id == agency.id)
    )
    if tenant is None:
        abort(404)
    return tenant


def active_members(tenant: Tenant) -> int:
    """The people who reach ``tenant`` through a membership (assigned consultants too):
    those a suspension shuts out."""
    with tenant_scope(tenant.id):
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(of_current_tenant(Membership), Membership.deactivated_at.is_(None))
        )


def _slug_in_use() -> dict[str, list[str]]:
    return {"slug": [_("This web address is already in use. Choose another one.")]}


def create_tenant(agency: Agency, data: dict) -> Tenant:
    if db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == data["slug"])) is not None:
        raise Refused(_slug_in_use())
    # The id now: the audit entry names it before the flush.
    tenant = Tenant(id=new_id(), agency_id=agency.id, status=TenantStatus.ACTIVE, **data)
    db.session.add(tenant)
    audit.record("agency.tenant_create", tenant, {"slug": tenant.slug}, tenant_id=tenant.id)
    commit_or_refuse(_slug_in_use())
    return tenant


def set_tenant_status(tenant: Tenant, status: TenantStatus) -> bool:
    """Suspending shuts the tenant's members out at once (service/scopes.py). False (and
    no write) when the tenant already has that status."""
    if tenant.status == status:
        return False
    audit.record(
        "agency.tenant_status_change",
        tenant,
        {"status": [tenant.status.value, status.value]},
        tenant_id=tenant.id,
    )
    tenant.status = status
    db.session.commit()
    return True


def update_brand(agency: Agency, data: dict, logo: bytes | None) -> bool:
    """Save the brand (a new logo wins over "remove"); whether anything changed."""
    if refused := logo_errors(logo):
        raise Refused({"logo": refused})
    wanted = {
        "brand_name": data["brand_name"],
        "brand_colour": data["brand_colour"].lower() if data["brand_colour"] else None,
    }
    if logo is not None:
        wanted |= {"logo": logo, "logo_mime_type": image_type(logo)}
    elif data["remove_logo"]:
        wanted |= {"logo": None, "logo_mime_type": None}
    changed = any(getattr(agency, field) != value for field, value in wanted.items())
    if changed:  # which fields, not the logo's bytes
        names = [field for field, value in wanted.items() if getattr(agency, field) != value]
        audit.record("agency.brand_change", agency, {"fields": names}, agency_id=agency.id)
    for field, value in wanted.items():
        setattr(agency, field, value)
    db.session.commit()
    return changed


@dataclass(frozen=True)
class ReportState:
    """What the portfolio shows of a client's leadership reports: statuses, never figures."""

    enabled: bool
    cadence: str | None  # None: never set up
    period_start: dt.date | None  # the latest report's period; None: never sent
    period_end: dt.date | None
    sent_at: dt.datetime | None
    deliveries: dict[str, int]  # outbox status -> copies of the latest report

    @property
    def summary(self) -> str:
        """ "off", "never_sent", "no_recipients", "failed", "on_its_way", "kept" or
        "delivered" (every copy delivered)."""
        if self.sent_at is None:
            return "never_sent" if self.enabled else "off"
        counts = self.deliveries
        if not counts:
            return "no_recipients"
        if counts.get(MailStatus.FAILED):
            return "failed"
        if counts.get(MailStatus.PENDING) or counts.get(MailStatus.SENDING):
            return "on_its_way"
        if counts.get(MailStatus.KEPT):
            return "kept"
        return "delivered"

    @property
    def failed(self) -> int:
        return self.deliveries.get(MailStatus.FAILED, 0)


def report_states(tenants: list[Tenant]) -> dict[uuid.UUID, ReportState]:
    """For each of these clients (all of one agency): its report settings, its latest
    report's period and moment, and how many copies of it are in each delivery status.
    Three narrow reads across the page's clients; no report content is read."""
    ids = [tenant.id for tenant in tenants]
    with unscoped("an agency's portfolio: its clients' reports"):
        settings = {
            row.tenant_id: row
            for row in db.session.execute(
                sa.select(
                    ReportSettings.tenant_id, ReportSettings.enabled, ReportSettings.cadence
                ).where(ReportSettings.tenant_id.in_(ids))
            )
        }
        newest = (
            sa.select(
                Report.tenant_id,
                Report.id,
                Report.period_start,
                Report.period_end,
                Report.created_at,
                sa.func.row_number()
                .over(
                    partition_by=Report.tenant_id,
                    order_by=(Report.created_at.desc(), Report.id.desc()),
                )
                .label("rank"),
            )
            .where(Report.tenant_id.in_(ids))
            .subquery()
        )
        latest = {
            row.tenant_id: row
            for row in db.session.execute(sa.select(newest).where(newest.c.rank == 1))
        }
        counts: dict[uuid.UUID, dict[str, int]] = {}
        report_ids = [row.id for row in latest.values()]
        for tenant_id, status, number in db.session.execute(
            sa.select(ReportDelivery.tenant_id, TenantEmail.status, sa.func.count())
            .join(
                TenantEmail,
                sa.and_(
                    TenantEmail.tenant_id == ReportDelivery.tenant_id,
                    TenantEmail.id == ReportDelivery.email_id,
                ),
            )
            .where(ReportDelivery.tenant_id.in_(ids), ReportDelivery.report_id.in_(report_ids))
            .group_by(ReportDelivery.tenant_id, TenantEmail.status)
        ):
            counts.setdefault(tenant_id, {})[MailStatus(status).value] = number
    states = {}
    for tenant_id in ids:
        setting, report = settings.get(tenant_id), latest.get(tenant_id)
        states[tenant_id] = ReportState(
            enabled=bool(setting and setting.enabled),
            cadence=Cadence(setting.cadence).value if setting else None,
            period_start=report.period_start if report else None,
            period_end=report.period_end if report else None,
            sent_at=as_utc(report.created_at) if report else None,
            deliveries=counts.get(tenant_id, {}),
        )
    return states
