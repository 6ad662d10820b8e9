"""An agency's consultants and their assignments to the agency's client tenants.

An assignment is a Membership with role ``interviewer`` flagged ``assigned_by_agency``;
unassigning deletes it, so the consultant's access ends with the next request.
"""

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from service.accounts.members import deactivate_if_without_access
from service.accounts.models import AgencyMembership, AgencyRole, User
from service.audit import trail as audit
from service.extensions import db
from service.listing import contains, paginate
from service.refusals import Refused
from service.tenancy import of_current_tenant, tenant_scope, unscoped
from service.tenants.models import Agency, Membership, Tenant, TenantRole, TenantStatus


@dataclass
class ConsultantRow:
    user: User
    tenants: list[Tenant] = field(default_factory=list)


def portfolio(agency: Agency) -> list[Tenant]:
    query = sa.select(Tenant).where(Tenant.agency_id == agency.id).order_by(Tenant.name)
    return list(db.session.scalars(query))


def _consultants_query(agency: Agency) -> sa.Select:
    return (
        sa.select(User)
        .join(AgencyMembership, AgencyMembership.user_id == User.id)
        .where(
            AgencyMembership.agency_id == agency.id,
            AgencyMembership.role == AgencyRole.CONSULTANT,
        )
        .order_by(User.display_name, User.email)
    )


def all_consultants(agency: Agency) -> list[User]:
    """For the assignment form: an agency has tens of consultants, not thousands."""
    return list(db.session.scalars(_consultants_query(agency)))


def active_clients(agency: Agency) -> list[Tenant]:
    """The client tenants a consultant can be assigned to: not the suspended ones."""
    return [tenant for tenant in portfolio(agency) if tenant.status == TenantStatus.ACTIVE]


def consultant_page(agency: Agency, term: str, page: int):
    """One page of the agency's consultants matching ``term`` (name or email), each row
    with the client tenants it is assigned to."""
    query = _consultants_query(agency)
    if term:
        query = query.where(sa.or_(contains(User.display_name, term), contains(User.email, term)))
    pagination = paginate(query, page)
    pagination.rows = _with_assignments(agency, pagination.items)
    return pagination


def _with_assignments(agency: Agency, users: list[User]) -> list[ConsultantRow]:
    rows = {user.id: ConsultantRow(user) for user in users}
    with unscoped("consultants' assignments across the agency's clients"):
        assigned = db.session.execute(
            sa.select(Membership.user_id, Tenant)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(
                Tenant.agency_id == agency.id,
                Membership.assigned_by_agency.is_(True),
                Membership.user_id.in_(rows),
            )
            .order_by(Tenant.name)
        ).all()
    for user_id, tenant in assigned:
        rows[user_id].tenants.append(tenant)
    return list(rows.values())


def assigned_clients(agency: Agency, user: User) -> list[Tenant]:
    """The agency's client tenants the consultant is assigned to."""
    return _with_assignments(agency, [user])[0].tenants


def remove_from_agency(agency: Agency, user: User) -> None:
    """The consultant leaves the agency: every assignment to its clients ends, and a user
    left with no access anywhere is deactivated and signed out everywhere. One transaction."""
    for tenant in portfolio(agency):
        with tenant_scope(tenant.id):
            existing = _assignment(user)
            if existing is not None and existing.assigned_by_agency:
                db.session.delete(existing)
                db.session.flush()
    db.session.execute(
        sa.delete(AgencyMembership).where(
            AgencyMembership.agency_id == agency.id, AgencyMembership.user_id == user.id
        )
    )
    deactivate_if_without_access(user.id)
    audit.record("agency.remove_staff", user, agency_id=agency.id)
    db.session.commit()


def consultant_of(agency: Agency, user_id: uuid.UUID) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .join(AgencyMembership, AgencyMembership.user_id == User.id)
        .where(
            AgencyMembership.agency_id == agency.id,
            AgencyMembership.role == AgencyRole.CONSULTANT,
            User.id == user_id,
        )
    )


def client_of(agency: Agency, tenant_id: uuid.UUID) -> Tenant | None:
    return db.session.scalar(
        sa.select(Tenant).where(Tenant.agency_id == agency.id, Tenant.id == tenant_id)
    )


def _assignment(user: User) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(of_current_tenant(Membership), Membership.user_id == user.id)
    )


def is_assigned(tenant: Tenant, user: User) -> bool:
    with tenant_scope(tenant.id):
        existing = _assignment(user)
        return existing is not None and existing.assigned_by_agency


def assign(tenant: Tenant, user: User) -> bool:
    """Give the consultant the interviewer role in the tenant; False (and no write) when
    they are assigned there already."""
    with tenant_scope(tenant.id):
        existing = _assignment(user)
        if existing is not None and not existing.assigned_by_agency:
            db.session.rollback()  # the consultant has another kind of access there
            raise Refused({"tenant_id": [_l("This consultant already has another role there.")]})
        if existing is not None:
            db.session.rollback()
            return False
        db.session.add(
            Membership(user_id=user.id, role=TenantRole.INTERVIEWER, assigned_by_agency=True)
        )
        audit.record("agency.consultant_assign", user, agency_id=tenant.agency_id)
        db.session.commit()
        return True


def unassign(tenant: Tenant, user: User) -> bool:
    """Remove the consultant's assignment: their access to the tenant ends at once. False
    (and no write) when they were not assigned there."""
    with tenant_scope(tenant.id):
        existing = _assignment(user)
        if existing is None or not existing.assigned_by_agency:
            db.session.rollback()
            return False
        db.session.delete(existing)
        audit.record("agency.consultant_unassign", user, agency_id=tenant.agency_id)
        db.session.commit()
        return True
