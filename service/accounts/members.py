"""A tenant's members: the list, role changes, deactivation (under the tenant context).

The last active HR administrator can be neither demoted nor deactivated. The check runs
with the tenant's HR-administrator rows locked (SELECT … FOR UPDATE on PostgreSQL), so two
simultaneous demotions cannot both pass it.
"""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from service.accounts import sessions
from service.accounts.models import AgencyMembership, User
from service.extensions import db
from service.listing import contains, paginate
from service.model_types import utcnow
from service.refusals import Refused
from service.tenancy import get_for_tenant_or_404, of_current_tenant, unscoped
from service.tenants.models import Membership, TenantRole

SEARCH_MAX = 100


def _last_admin() -> Refused:
    """The change would leave the tenant without an active HR administrator."""
    return Refused(
        {
            "form": [
                _l("The company needs at least one active HR administrator. Name another first.")
            ]
        }
    )


def _managed_by_agency() -> Refused:
    """A consultant's assignment is changed by the agency, not on the members page."""
    return Refused({"form": [_l("This consultant's assignment is managed by the agency.")]})


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    user: User


def members_page(search: str, page: int):
    """One page of members (name or email containing ``search``), active first."""
    query = (
        sa.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(of_current_tenant(Membership))
        .order_by(Membership.deactivated_at.is_not(None), User.display_name, User.email)
    )
    if search:
        query = query.where(
            sa.or_(contains(User.display_name, search), contains(User.email, search))
        )
    pagination = paginate(query, page)
    users = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User).where(User.id.in_([m.user_id for m in pagination.items]))
        )
    }
    rows = [MemberRow(m, users[m.user_id]) for m in pagination.items]
    return pagination, rows


def _lock_active_admins() -> list[Membership]:
    """Lock the tenant's active HR-administrator rows until the transaction ends."""
    query = (
        sa.select(Membership)
        .where(
            of_current_tenant(Membership),
            Membership.role == TenantRole.HR_ADMIN,
            Membership.deactivated_at.is_(None),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query))


def _locked_member(membership_id: uuid.UUID) -> tuple[Membership, list[Membership]]:
    admins = _lock_active_admins()
    membership = get_for_tenant_or_404(Membership, membership_id)
    db.session.refresh(membership)  # the state after any change we waited for
    if membership.assigned_by_agency:
        db.session.rollback()
        raise _managed_by_agency()
    return membership, admins


def _would_orphan(membership: Membership, admins: list[Membership]) -> bool:
    is_admin = membership.role == TenantRole.HR_ADMIN and membership.deactivated_at is None
    return is_admin and len(admins) <= 1


def change_role(membership_id: uuid.UUID, role: str) -> Membership:
    membership, admins = _locked_member(membership_id)
    if role != TenantRole.HR_ADMIN and _would_orphan(membership, admins):
        db.session.rollback()
        raise _last_admin()
    membership.role = TenantRole(role)
    db.session.commit()
    return membership


def deactivate(membership_id: uuid.UUID) -> Membership:
    """End the member's access here at once; a user left with no access anywhere is
    deactivated and signed out everywhere."""
    membership, admins = _locked_member(membership_id)
    if membership.deactivated_at is not None:
        db.session.rollback()
        return membership
    if _would_orphan(membership, admins):
        db.session.rollback()
        raise _last_admin()
    membership.deactivated_at = utcnow()
    db.session.flush()
    deactivate_if_without_access(membership.user_id)
    db.session.commit()
    return membership


def reactivate(membership_id: uuid.UUID) -> Membership:
    membership = get_for_tenant_or_404(Membership, membership_id)
    if membership.assigned_by_agency:
        raise _managed_by_agency()
    membership.deactivated_at = None
    user = db.session.get(User, membership.user_id)
    user.active = True
    db.session.commit()
    return membership


def deactivate_if_without_access(user_id: uuid.UUID) -> None:
    """A user with no active membership, agency role or platform role is deactivated and
    every session ends (the caller commits)."""
    user = db.session.get(User, user_id)
    if user.is_platform_admin:
        return
    with unscoped():  # the user's access spans tenants by nature
        tenant_access = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.user_id == user_id, Membership.deactivated_at.is_(None))
        )
    agency_access = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AgencyMembership)
        .where(AgencyMembership.user_id == user_id)
    )
    if not tenant_access and not agency_access:
        user.active = False
        sessions.revoke_all(user_id)
