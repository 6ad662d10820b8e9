"""Agencies, the platform's partners: reads and one-transaction changes."""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from service.accounts.models import AgencyInvitation, AgencyMembership
from service.audit import trail as audit
from service.extensions import db
from service.listing import contains, paginate
from service.model_types import new_id
from service.platform.logos import image_type, logo_errors
from service.refusals import Refused, commit_or_refuse
from service.roles import AgencyRole
from service.tenants.models import Agency, Tenant, TenantStatus


def agency_page(term: str, page: int) -> tuple[Pagination, dict[uuid.UUID, int]]:
    """One page of agencies matching ``term``, and the number of clients of each."""
    query = sa.select(Agency)
    if term:
        query = query.where(sa.or_(contains(Agency.name, term), contains(Agency.slug, term)))
    pagination = paginate(query.order_by(Agency.name, Agency.id), page)
    ids = [agency.id for agency in pagination.items]
    counts = dict(
        db.session.execute(
            sa.select(Tenant.agency_id, sa.func.count(Tenant.id))
            .where(Tenant.agency_id.in_(ids))
            .group_by(Tenant.agency_id)
        ).all()
    )
    return pagination, counts


def agency_admin_states(agencies: list[Agency]) -> dict[uuid.UUID, str]:
    """For each of these agencies: "active" when it has an agency admin, "pending" when an
    agency-admin invitation still waits for an answer; absent when it has neither (an
    expired invitation waits for nothing: the platform invites again)."""
    ids = [agency.id for agency in agencies]
    pending = db.session.scalars(
        sa.select(AgencyInvitation.agency_id).where(
            AgencyInvitation.agency_id.in_(ids),
            AgencyInvitation.role == AgencyRole.AGENCY_ADMIN,
            AgencyInvitation.awaiting_answer(),
        )
    )
    states = dict.fromkeys(pending, "pending")
    active = db.session.scalars(
        sa.select(AgencyMembership.agency_id).where(
            AgencyMembership.agency_id.in_(ids),
            AgencyMembership.role == AgencyRole.AGENCY_ADMIN,
        )
    )
    states.update(dict.fromkeys(active, "active"))
    return states


def agency_or_404(agency_id: uuid.UUID) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    return agency


@dataclass(frozen=True)
class AgencyReach:
    """Whom a suspension of the agency touches."""

    staff: int  # its administrators and consultants: they lose access
    clients: int  # its client companies: their own members keep theirs


def agency_reach(agency: Agency) -> AgencyReach:
    def count(model, column) -> int:
        query = sa.select(sa.func.count()).select_from(model).where(column == agency.id)
        return db.session.scalar(query)

    return AgencyReach(
        staff=count(AgencyMembership, AgencyMembership.agency_id),
        clients=count(Tenant, Tenant.agency_id),
    )


def _slug_in_use() -> dict[str, list[str]]:
    return {"slug": [_("This web address is already in use. Choose another one.")]}


def create_agency(data: dict, logo: bytes | None) -> Agency:
    errors = {}
    if db.session.scalar(sa.select(Agency.id).where(Agency.slug == data["slug"])) is not None:
        errors.update(_slug_in_use())
    if logo_errors(logo):
        errors["logo"] = logo_errors(logo)
    if errors:
        raise Refused(errors)
    agency = Agency(
        id=new_id(),  # named by its audit entry before the flush
        status=TenantStatus.ACTIVE,
        logo=logo,
        logo_mime_type=image_type(logo) if logo else None,
        **{**data, "brand_colour": (data["brand_colour"] or "").lower() or None},
    )
    db.session.add(agency)
    audit.record("agency.create", agency, {"slug": agency.slug}, agency_id=agency.id)
    commit_or_refuse(_slug_in_use())
    return agency


def set_agency_status(agency: Agency, status: TenantStatus) -> bool:
    """A suspended agency's members lose its pages and its clients' (service/scopes.py).
    False (and no write) when the agency already has that status."""
    if agency.status == status:
        return False
    audit.record(
        "agency.status_change",
        agency,
        {"status": [agency.status.value, status.value]},
        agency_id=agency.id,
    )
    agency.status = status
    db.session.commit()
    return True
