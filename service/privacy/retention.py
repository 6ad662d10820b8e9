"""The daily retention job's work for one tenant: what is past its time leaves.

- a departure whose last day lies further back than ``departure_retention_months`` loses its
  identified data (service/privacy/identified.py), once;
- an interview held (or planned) further back than ``interview_retention_months`` is
  deleted with its answers, notes and insight rows;
- a confidential response of a month further back than ``confidential_retention_months``
  is deleted with its insight rows (a response knows only its month: it stays through the
  whole month at the limit);
- a sent, failed or kept email written more than ``outbox_retention_days`` ago is deleted;
  one still waiting for the relay (pending, sending) never is.

A day at the limit stays: a departure whose last day was 15 January 2025 is kept through
15 January 2027 with 24 months, and anonymised from the 16th. What went is counted in one
audit entry. Run twice at the same moment, the second run finds nothing (idempotent).
"""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from service.audit.trail import record
from service.departures.models import Departure
from service.extensions import db
from service.insights.models import Feedback, Source
from service.mail.models import MailStatus, TenantEmail
from service.privacy import identified
from service.privacy.limits import months_before
from service.surveys.interview_models import Interview
from service.surveys.response_models import SurveyResponse
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import Tenant

# Delivered or given up: an email in these statuses has done what it was written for.
SETTLED_MAIL = (MailStatus.SENT, MailStatus.FAILED, MailStatus.KEPT)


def _departures(tenant: Tenant, today: dt.date, now: dt.datetime) -> Counter:
    before = months_before(today, tenant.departure_retention_months)
    expired = db.session.scalars(
        sa.select(Departure).where(
            of_current_tenant(Departure),
            Departure.anonymised_at.is_(None),
            Departure.last_day < before,
        )
    ).all()
    removed: Counter = Counter()
    for departure in expired:
        removed.update(identified.anonymise(departure, now))
    return removed


def _interviews(tenant: Tenant, today: dt.date, now: dt.datetime) -> int:
    before = dt.datetime.combine(
        months_before(today, tenant.interview_retention_months), now.timetz()
    )
    held = sa.func.coalesce(Interview.completed_at, Interview.scheduled_at)
    expired = db.session.scalars(
        sa.select(Interview).where(of_current_tenant(Interview), held < before)
    ).all()
    return identified.remove_interviews(list(expired))


def _responses(tenant: Tenant, today: dt.date) -> int:
    first_kept = months_before(today, tenant.confidential_retention_months).replace(day=1)
    ids = db.session.scalars(
        sa.select(SurveyResponse.id).where(
            of_current_tenant(SurveyResponse), SurveyResponse.month < first_kept
        )
    ).all()
    if not ids:
        return 0
    feedback = db.session.scalars(
        sa.select(Feedback.id).where(
            of_current_tenant(Feedback), Feedback.source == Source.SURVEY, Feedback.id.in_(ids)
        )
    ).all()
    identified.remove_feedback(list(feedback))
    return db.session.execute(
        sa.delete(SurveyResponse)
        .where(of_current_tenant(SurveyResponse), SurveyResponse.id.in_(ids))
        .execution_options(synchronize_session=False)
    ).rowcount


def _emails(tenant: Tenant, now: dt.datetime) -> int:
    before = now - dt.timedelta(days=tenant.outbox_retention_days)
    return db.session.execute(
        sa.delete(TenantEmail)
        .where(
            of_current_tenant(TenantEmail),
            TenantEmail.status.in_(SETTLED_MAIL),
            TenantEmail.created_at < before,
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def apply_retention(now: dt.datetime) -> Counter:
    """Remove what the current tenant keeps past its retention at ``now``; one transaction.
    Days are the tenant's own (a last day ends at midnight where the company is)."""
    tenant = db.session.get(Tenant, current_tenant_id())
    today = now.astimezone(ZoneInfo(tenant.time_zone)).date()
    removed = _departures(tenant, today, now)
    removed["interviews"] += _interviews(tenant, today, now)
    removed["responses"] += _responses(tenant, today)
    removed["emails"] += _emails(tenant, now)
    done = {kind: count for kind, count in sorted(removed.items()) if count}
    if done:
        record("retention.apply", tenant, {**done, "at": now.isoformat()})
    db.session.commit()
    return Counter(done)
