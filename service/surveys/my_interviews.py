"""“My interviews”: a person's interviews across every tenant they serve.

The one cross-tenant read of interviews, kept narrow: only rows whose interviewer is the
person, only in tenants they can still reach with a role that conducts interviews (the
switcher's rule, service/accounts/services.py `destinations`: a removed or deactivated
member, a suspended tenant, or a suspended agency's consultant sees nothing there).
"""

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from service.accounts.models import User
from service.accounts.services import destinations
from service.departures.models import Departure
from service.extensions import db
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.interviews import CONDUCTING_ROLES
from service.tenancy import unscoped
from service.tenants.models import Tenant


@dataclass(frozen=True)
class MyInterview:
    interview_id: uuid.UUID
    tenant_slug: str
    tenant_name: str
    time_zone: str
    leaver: str
    scheduled_at: dt.datetime
    place: str | None
    video_link: str | None
    status: InterviewStatus


def reachable_tenant_slugs(user: User) -> set[str]:
    """The tenants where ``user`` may conduct interviews today."""
    return {
        place.slug
        for place in destinations(user)
        if place.kind == "tenant" and place.role in CONDUCTING_ROLES
    }


def interviews_of(user: User) -> list[MyInterview]:
    """The planned and completed interviews assigned to ``user`` in the tenants they can
    still reach, soonest first."""
    slugs = reachable_tenant_slugs(user)
    if not slugs:
        return []
    with unscoped("a person's interviews across their own companies"):
        rows = db.session.execute(
            sa.select(Interview, Departure.full_name, Tenant)
            .join(Tenant, Tenant.id == Interview.tenant_id)
            .join(
                Departure,
                sa.and_(
                    Departure.tenant_id == Interview.tenant_id,
                    Departure.id == Interview.departure_id,
                ),
            )
            .where(
                Interview.interviewer_user_id == user.id,
                Tenant.slug.in_(slugs),
                Interview.status != InterviewStatus.CANCELLED,
            )
            .order_by(Interview.scheduled_at, Interview.id)
        ).all()
    return [
        MyInterview(
            interview_id=interview.id,
            tenant_slug=tenant.slug,
            tenant_name=tenant.name,
            time_zone=tenant.time_zone,
            leaver=leaver,
            scheduled_at=interview.scheduled_at,
            place=interview.place,
            video_link=interview.video_link,
            status=interview.status,
        )
        for interview, leaver, tenant in rows
    ]
