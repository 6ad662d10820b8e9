"""Invitation jobs: the periodic scan fans out one job per tenant with something to do;
that job sends the due first mails and reminders, expires and marks bounced invitations.

Each step commits on its own, claimed with a conditional UPDATE (service/surveys/
invitation_steps.py): a second scheduler, a re-run or a retried job sends no second copy.
"""

import logging
import uuid

import sqlalchemy as sa

from service.departures.models import Departure
from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import task
from service.mail.models import MailStatus, TenantEmail
from service.model_types import utcnow
from service.surveys import invitation_steps as steps
from service.surveys.invitation_models import LIVE_STATUSES, SurveyInvitation
from service.surveys.invitation_schedule import Step
from service.tenancy import current_tenant_id, of_current_tenant, tenant_scope, unscoped
from service.tenants.models import Tenant, TenantStatus

log = logging.getLogger(__name__)
BATCH = 200  # invitations per query; the job loops until nothing is due


def tenants_with_work(now) -> list[uuid.UUID]:
    """Active tenants with a step due or a sent invitation whose last mail failed: ids
    only, a platform-wide read by design."""
    active = sa.select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE)
    due = sa.select(SurveyInvitation.tenant_id).where(
        SurveyInvitation.status.in_(LIVE_STATUSES),
        SurveyInvitation.next_step_at <= now,
        SurveyInvitation.tenant_id.in_(active),
    )
    failed = (
        sa.select(SurveyInvitation.tenant_id)
        .join(
            TenantEmail,
            sa.and_(
                TenantEmail.tenant_id == SurveyInvitation.tenant_id,
                TenantEmail.id == SurveyInvitation.last_email_id,
            ),
        )
        .where(
            SurveyInvitation.status.in_(steps.SENT_STATUSES),
            TenantEmail.status == MailStatus.FAILED,
            SurveyInvitation.tenant_id.in_(active),
        )
    )
    with unscoped("survey scan: tenants with a step due"):
        found = set(db.session.scalars(due.distinct())) | set(db.session.scalars(failed.distinct()))
    db.session.rollback()
    return sorted(found)


@task()
def scan_invitations() -> None:
    """Periodic: one invitation job per tenant with something to do."""
    for tenant_id in tenants_with_work(utcnow()):
        enqueue(run_invitations, str(tenant_id))


@task(timeout=600)
def run_invitations(tenant_id: str) -> None:
    with tenant_scope(tenant_id):
        run_due()


def run_due(now=None) -> dict[str, int]:
    """Every step due for the current tenant; how many of each were taken (by this job)."""
    now = now or utcnow()
    done = dict.fromkeys([*Step, "bounced", "postponed"], 0)
    tenant = db.session.get(Tenant, current_tenant_id())
    for invitation in steps.bounced_invitations():
        done["bounced"] += steps.mark_bounced(invitation)
        db.session.commit()
    cadence = steps.cadence_of(tenant)
    seen: set[uuid.UUID] = set()
    while batch := _due(now, seen):
        for invitation in batch:
            seen.add(invitation.id)
            departure = db.session.get(Departure, (invitation.tenant_id, invitation.departure_id))
            step = steps.step_of(invitation, cadence, now)
            if step.at > now:  # the settings changed since it was planned
                invitation.next_step_at = step.at
            elif step.step == Step.FIRST_MAIL:
                if steps.send_first_mail(invitation, departure, tenant, now):
                    done[Step.FIRST_MAIL] += 1
                elif invitation.status in LIVE_STATUSES and invitation.first_sent_at is None:
                    steps.postpone(invitation, now)  # no address or template yet
                    done["postponed"] += 1
            elif step.step == Step.REMINDER:
                done[Step.REMINDER] += steps.send_reminder(invitation, departure, tenant, now)
            else:
                done[Step.EXPIRE] += steps.expire(invitation, now)
            db.session.commit()
    if any(done.values()):
        log.info("survey invitations of tenant %s: %s", tenant.id, done)
    return done


def _due(now, seen: set[uuid.UUID]) -> list[SurveyInvitation]:
    query = (
        sa.select(SurveyInvitation)
        .where(
            of_current_tenant(SurveyInvitation),
            SurveyInvitation.status.in_(LIVE_STATUSES),
            SurveyInvitation.next_step_at <= now,
        )
        .order_by(SurveyInvitation.next_step_at)
        .limit(BATCH)
    )
    if seen:
        query = query.where(SurveyInvitation.id.not_in(seen))
    return list(db.session.scalars(query))
