"""An agency's consultants and their assignments to the agency's client tenants.

An assignment is a Membership with role ``interviewer`` flagged ``assigned_by_agency``;
unassigning deletes it, so the consultant's access ends with the next request.
"""

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from service.accounts.models import AgencyMembership, AgencyRole, User
from service.extensions import db
from service.tenancy import of_current_tenant, tenant_scope, unscoped
from service.tenants.models import Agency, Membership, Tenant, TenantRole


class AssignmentRefused(Exception):
    """The consultant already has another kind of access to that tenant."""


@dataclass
class ConsultantRow:
    user: User
    tenants: list[Tenant] = field(default_factory=list)


def portfolio(agency: Agency) -> list[Tenant]:
    query = sa.select(Tenant).where(Tenant.agency_id == agency.id).order_by(Tenant.name)
    return list(db.session.scalars(query))


def consultants(agency: Agency) -> list[ConsultantRow]:
    """Every consultant of the agency with the client tenants they are assigned to."""
    users = db.session.scalars(
        sa.select(User)
        .join(AgencyMembership, AgencyMembership.user_id == User.id)
        .where(
            AgencyMembership.agency_id == agency.id,
            AgencyMembership.role == AgencyRole.CONSULTANT,
        )
        .order_by(User.display_name, User.email)
    ).all()
    rows = {user.id: ConsultantRow(user) for user in users}
    with unscoped():  # assignments across the agency's own client tenants
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


def assign(tenant: Tenant, user: User) -> None:
    """Give the consultant the interviewer role in the tenant (idempotent)."""
    with tenant_scope(tenant.id):
        existing = _assignment(user)
        if existing is not None and not existing.assigned_by_agency:
            db.session.rollback()
            raise AssignmentRefused
        if existing is None:
            db.session.add(
                Membership(user_id=user.id, role=TenantRole.INTERVIEWER, assigned_by_agency=True)
            )
        db.session.commit()


def unassign(tenant: Tenant, user: User) -> None:
    """Remove the consultant's assignment: their access to the tenant ends at once."""
    with tenant_scope(tenant.id):
        existing = _assignment(user)
        if existing is not None and existing.assigned_by_agency:
            db.session.delete(existing)
        db.session.commit()
