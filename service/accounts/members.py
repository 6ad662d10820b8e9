"""A tenant's members: the list, role changes, deactivation (under the tenant context).

The last active HR administrator can be neither demoted nor deactivated. The check runs
with the tenant's HR-administrator rows locked (SELECT … FOR UPDATE on PostgreSQL), so two
simultaneous demotions cannot both pass it.
"""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from service.accounts import sessions
from service.accounts.models import AgencyMembership, User
from service.audit import trail as audit
from service.extensions import db
from service.listing import contains, paginate
from service.model_types import utcnow
from service.refusals import Refused
from service.tenancy import get_for_tenant_or_404, of_current_tenant, unscoped
from service.tenants.models import Agency, Membership, Tenant, TenantRole

SEARCH_MAX = 100


LAST_ADMIN = _l("The company needs at least one active HR administrator. Name another first.")
MANAGED_BY_AGENCY = _l("This consultant's assignment is managed by the agency.")


def _last_admin() -> Refused:
    """The change would leave the tenant without an active HR administrator."""
    return Refused({"form": [LAST_ADMIN]})


def _managed_by_agency() -> Refused:
    """A consultant's assignment is changed by the agency, not on the members page."""
    return Refused({"form": [MANAGED_BY_AGENCY]})


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


def member_or_404(membership_id: uuid.UUID) -> MemberRow:
    membership = get_for_tenant_or_404(Membership, membership_id)
    return MemberRow(membership, db.session.get(User, membership.user_id))


def _active_admins() -> sa.Select:
    return sa.select(Membership).where(
        of_current_tenant(Membership),
        Membership.role == TenantRole.HR_ADMIN,
        Membership.deactivated_at.is_(None),
    )


def deactivation_refusal(membership: Membership) -> LazyString | None:
    """Why deactivate() would refuse (read without locks, to say so before anyone
    confirms), or None."""
    if membership.assigned_by_agency:
        return MANAGED_BY_AGENCY
    if _would_orphan(membership, list(db.session.scalars(_active_admins()))):
        return LAST_ADMIN
    return None


def _lock_active_admins() -> list[Membership]:
    """Lock the tenant's active HR-administrator rows until the transaction ends."""
    query = _active_admins().with_for_update().execution_options(populate_existing=True)
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


def change_role(membership_id: uuid.UUID, role: str) -> bool:
    """False (and no write) when the member already has ``role``."""
    membership, admins = _locked_member(membership_id)
    if membership.role == role:
        db.session.rollback()
        return False
    if role != TenantRole.HR_ADMIN and _would_orphan(membership, admins):
        db.session.rollback()
        raise _last_admin()
    audit.record("membership.role_change", membership, {"role": [membership.role.value, role]})
    membership.role = TenantRole(role)
    db.session.commit()
    return True


def deactivate(membership_id: uuid.UUID) -> bool:
    """End the member's access here at once; a user left with no access anywhere is
    deactivated and signed out everywhere. False (and no write) when already deactivated."""
    membership, admins = _locked_member(membership_id)
    if membership.deactivated_at is not None:
        db.session.rollback()
        return False
    if _would_orphan(membership, admins):
        db.session.rollback()
        raise _last_admin()
    membership.deactivated_at = utcnow()
    audit.record("membership.deactivate", membership)
    db.session.flush()
    deactivate_if_without_access(membership.user_id)
    db.session.commit()
    return True


def reactivate(membership_id: uuid.UUID) -> bool:
    """False (and no write) when the member has access already."""
    membership = get_for_tenant_or_404(Membership, membership_id)
    if membership.assigned_by_agency:
        raise _managed_by_agency()
    if membership.deactivated_at is None:
        return False
    membership.deactivated_at = None
    audit.record("membership.reactivate", membership)
    user = db.session.get(User, membership.user_id)
    user.active = True
    db.session.commit()
    return True


def keeps_access(
    user_id: uuid.UUID,
    ending_membership: Membership | None = None,
    ending_agency: Agency | None = None,
) -> bool:
    """Whether the user has an active membership, an agency role or the platform role,
    leaving out what is about to end: one membership, or an agency with the assignments
    it made to its clients."""
    user = db.session.get(User, user_id)
    if user.is_platform_admin:
        return True
    memberships = (
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.user_id == user_id, Membership.deactivated_at.is_(None))
    )
    roles = (
        sa.select(sa.func.count())
        .select_from(AgencyMembership)
        .where(AgencyMembership.user_id == user_id)
    )
    if ending_membership is not None:
        memberships = memberships.where(
            ~sa.and_(
                Membership.tenant_id == ending_membership.tenant_id,
                Membership.id == ending_membership.id,
            )
        )
    if ending_agency is not None:
        clients = sa.select(Tenant.id).where(Tenant.agency_id == ending_agency.id)
        memberships = memberships.where(
            ~sa.and_(Membership.assigned_by_agency.is_(True), Membership.tenant_id.in_(clients))
        )
        roles = roles.where(AgencyMembership.agency_id != ending_agency.id)
    with unscoped("a person's access across companies"):
        return bool(db.session.scalar(memberships) or db.session.scalar(roles))


def deactivate_if_without_access(user_id: uuid.UUID) -> None:
    """A user with no active membership, agency role or platform role is deactivated and
    every session ends (the caller commits)."""
    if not keeps_access(user_id):
        db.session.get(User, user_id).active = False
        sessions.revoke_all(user_id)
