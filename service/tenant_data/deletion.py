"""Deleting a whole tenant: requested by its HR admin, carried out after the grace period
by the scan (tasks.py), cancellable until then.

The deletion walks every tenant-owned table from the metadata (children first), the audit
trail included through its one purge path (service/audit/append_only.py), then removes the
tenant row. What remains is the platform's record of it: a platform audit entry that keeps
the company's name, who asked and when, and how many rows went. The accounts of its members
stay: they are people's own (global) accounts, possibly members elsewhere.
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from service.accounts.models import AgencyMembership, User
from service.accounts.tasks import external_url
from service.audit.append_only import purge
from service.audit.models import AuditEntry
from service.audit.trail import record
from service.extensions import db
from service.i18n import language_for
from service.insights.models import StaleMonth
from service.mail.outbox import queue_email
from service.model_types import as_utc
from service.roles import TenantRole
from service.tenancy import of_current_tenant, tenant_scope, unscoped
from service.tenant_data.archive import tenant_tables
from service.tenants.models import Membership, Tenant

REMIND_BEFORE = dt.timedelta(days=1)


def due_day(tenant: Tenant) -> dt.date | None:
    """The day the deletion is due, on the company's calendar."""
    if tenant.deletion_due_at is None:
        return None
    return as_utc(tenant.deletion_due_at).astimezone(ZoneInfo(tenant.time_zone)).date()


def request_deletion(tenant_id: uuid.UUID, user: User, now: dt.datetime) -> Tenant:
    """Schedule the deletion after the grace period, tell the HR admins; a second request
    while one stands changes nothing."""
    tenant = db.session.get(Tenant, tenant_id, with_for_update=True)
    if tenant.deletion_due_at is None:
        grace = dt.timedelta(days=current_app.config["TENANT_DELETION_GRACE_DAYS"])
        tenant.deletion_requested_at = now
        tenant.deletion_requested_by = user.id
        tenant.deletion_due_at = now + grace
        tenant.deletion_reminded_at = None
        record("deletion.request", tenant, {"due_at": tenant.deletion_due_at.isoformat()})
        _tell_hr_admins(tenant, "tenant_deletion_requested", requested_by=user.display_name)
    db.session.commit()
    return tenant


def cancel_deletion(tenant_id: uuid.UUID) -> bool:
    """Withdraw the request; False when there was none (already cancelled)."""
    tenant = db.session.get(Tenant, tenant_id, with_for_update=True)
    if tenant.deletion_due_at is None:
        db.session.rollback()
        return False
    record("deletion.cancel", tenant, {"due_at": as_utc(tenant.deletion_due_at).isoformat()})
    tenant.deletion_requested_at = tenant.deletion_requested_by = None
    tenant.deletion_due_at = tenant.deletion_reminded_at = None
    db.session.commit()
    return True


def remind(tenant_id: uuid.UUID, now: dt.datetime) -> bool:
    """The reminder a day before, once (call with the tenant set); False when not due, or
    cancelled, or sent already."""
    tenant = db.session.get(Tenant, tenant_id, with_for_update=True)
    if (
        tenant is None
        or tenant.deletion_due_at is None
        or tenant.deletion_reminded_at is not None
        or not now >= as_utc(tenant.deletion_due_at) - REMIND_BEFORE
    ):
        db.session.rollback()
        return False
    tenant.deletion_reminded_at = now
    _tell_hr_admins(tenant, "tenant_deletion_reminder")
    db.session.commit()
    return True


def _tell_hr_admins(tenant: Tenant, template: str, **context) -> None:
    """One email to each active HR admin, in their language (call with the tenant set)."""
    admins = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            of_current_tenant(Membership),
            Membership.role == TenantRole.HR_ADMIN,
            Membership.deactivated_at.is_(None),
            User.active.is_(True),
        )
        .order_by(User.email)
    ).all()
    page = external_url(
        current_app.config["PUBLIC_URL"], "tenant_data.index", tenant_slug=tenant.slug
    )
    for admin in admins:
        queue_email(
            to=admin.email,
            template=template,
            language=language_for(admin, tenant.default_language),
            tenant_id=tenant.id,
            context={
                "name": admin.display_name,
                "company": tenant.name,
                "due_day": due_day(tenant),
                "page_url": page,
                **context,
            },
        )


END_OF_TIME = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def delete_if_due(tenant_id: uuid.UUID, now: dt.datetime) -> dict[str, int] | None:
    """Delete every row of the tenant, then the tenant, when its deletion is due at ``now``;
    the rows removed per table. None when there is nothing to do: no such tenant any more
    (a retried job), no request (cancelled), or not due yet."""
    tenant = db.session.get(Tenant, tenant_id, with_for_update=True)
    if tenant is None or tenant.deletion_due_at is None or as_utc(tenant.deletion_due_at) > now:
        db.session.rollback()
        return None
    requester = (
        db.session.get(User, tenant.deletion_requested_by) if tenant.deletion_requested_by else None
    )
    facts = {
        "name": tenant.name,
        "slug": tenant.slug,
        "requested_at": as_utc(tenant.deletion_requested_at).isoformat(),
        "requested_by": requester.display_name if requester else "",
        "due_at": as_utc(tenant.deletion_due_at).isoformat(),
    }
    agency_id = tenant.agency_id
    with tenant_scope(tenant.id):
        members = set(
            db.session.scalars(sa.select(Membership.user_id).where(of_current_tenant(Membership)))
        )
    removed: dict[str, int] = {}
    # The tenant set too: with row-level security the database asks for it. The audit
    # trail leaves through its one purge path (everything before the end of time).
    with tenant_scope(tenant.id), unscoped("a company's deletion: Core deletes, all tables"):
        for table in reversed(tenant_tables()):
            if table is StaleMonth.__table__:
                # Not the company's data: the database's note of the months whose feedback
                # changed, written again as the feedback goes; the tenant's row takes it.
                continue
            if table is AuditEntry.__table__:
                count = purge(db.session, AuditEntry, tenant.id, END_OF_TIME)
            else:
                deleted = sa.delete(table).where(table.c.tenant_id == tenant.id)
                count = db.session.execute(deleted).rowcount
            if count:
                removed[table.name] = count
        db.session.execute(sa.delete(Tenant.__table__).where(Tenant.__table__.c.id == tenant.id))
    accounts = _delete_accounts_left_without_access(members)
    db.session.expunge(tenant)
    record(
        "tenant.delete",
        changes={**facts, "rows": sum(removed.values()), "accounts": accounts},
        actor=None,
        tenant_id=tenant_id,
        agency_id=agency_id,
    )
    db.session.commit()
    return removed


def _delete_accounts_left_without_access(user_ids: set[uuid.UUID]) -> int:
    """The company's members whose account now opens nothing (no other company, no agency,
    not platform staff) go with it: their name and address were the company's to keep.
    An account with access elsewhere stays: it is that person's, not this company's."""
    if not user_ids:
        return 0
    with unscoped("a company's deletion: is a member's account used by another company?"):
        elsewhere = sa.select(Membership.user_id).where(Membership.user_id == User.id)
        return db.session.execute(
            sa.delete(User)
            .where(
                User.id.in_(user_ids),
                User.is_platform_admin.is_(False),
                ~sa.exists(elsewhere),
                ~sa.exists(
                    sa.select(AgencyMembership.user_id).where(AgencyMembership.user_id == User.id)
                ),
            )
            .execution_options(synchronize_session=False)
        ).rowcount


def scheduled_deletions(agency_id: uuid.UUID | None = None) -> list[Tenant]:
    """The tenants whose deletion is requested, soonest first (an agency's, or all)."""
    query = sa.select(Tenant).where(Tenant.deletion_due_at.is_not(None))
    if agency_id is not None:
        query = query.where(Tenant.agency_id == agency_id)
    return list(db.session.scalars(query.order_by(Tenant.deletion_due_at)))
