"""The relay: claim due outbox rows, send each over SMTP, record what happened.

A claim moves a row from ``pending`` to ``sending`` and commits *before* the SMTP
conversation, under ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL and a guarded UPDATE
(status and attempts unchanged) everywhere, so two relays never both own a row. The only
window for a duplicate is a crash between the server's acceptance and the recording of it:
the row then stays ``sending`` until MAIL_CLAIM_TIMEOUT, and reclaiming it is logged.

Call with the tenant context set for TenantEmail rows (the tasks do).
"""

import datetime as dt
import logging
import time
import uuid

import sqlalchemy as sa
from flask import current_app

from service.agencies.brand import logo_of
from service.extensions import db
from service.mail.models import ERROR_MAX, MailStatus, TenantEmail
from service.mail.smtp import PermanentRefusal, build_message, send
from service.model_types import utcnow
from service.tenancy import of_current_tenant
from service.tenants.models import Tenant

log = logging.getLogger(__name__)
# A relay run claims BATCH rows at a time for up to RUN_SECONDS, then leaves the rest to the
# next sweep. Even with every SMTP step timing out (MAIL_TIMEOUT), a run ends well inside the
# job timeout and MAIL_CLAIM_TIMEOUT, so no row is reclaimed while its relay is still alive.
BATCH = 10
RUN_SECONDS = 120


def _scope(model) -> list:
    return [of_current_tenant(model)] if model is TenantEmail else []


def is_due(model, now: dt.datetime):
    stale = now - dt.timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    return sa.or_(
        sa.and_(model.status == MailStatus.PENDING, model.next_attempt_at <= now),
        sa.and_(model.status == MailStatus.SENDING, model.claimed_at <= stale),
    )


def has_due(model) -> bool:
    found = db.session.scalar(
        sa.select(model.id).where(*_scope(model), is_due(model, utcnow())).limit(1)
    )
    return found is not None


def claim(model, *, email_id: uuid.UUID | None = None, limit: int = 1) -> list[uuid.UUID]:
    """Claim up to ``limit`` due rows (or the one row ``email_id``) in one committed step."""
    now = utcnow()
    query = (
        sa.select(model.id, model.status, model.attempts, model.claimed_at)
        .where(*_scope(model), is_due(model, now))
        .order_by(model.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if email_id is not None:
        query = query.where(model.id == email_id)
    claimed = []
    for row in db.session.execute(query).all():
        won = db.session.execute(
            sa.update(model)
            .where(
                *_scope(model),
                model.id == row.id,
                model.status == row.status,
                model.attempts == row.attempts,
            )
            .values(status=MailStatus.SENDING, claimed_at=now, attempts=row.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            continue  # another relay got there first (SQLite has no row locks)
        if row.status == MailStatus.SENDING:
            log.warning(
                "mail %s was left 'sending' since %s: resending it, a duplicate is possible",
                row.id,
                row.claimed_at,
            )
        claimed.append(row.id)
    db.session.commit()
    return claimed


def send_claimed(model, email_id: uuid.UUID) -> MailStatus | None:
    """Send one claimed row (or keep it when no MAIL_SERVER is set) and record the outcome."""
    config = current_app.config
    email = db.session.scalar(sa.select(model).where(*_scope(model), model.id == email_id))
    if email is None or email.status != MailStatus.SENDING:
        db.session.rollback()
        return None
    if not config["MAIL_SERVER"]:
        email.status, email.claimed_at = MailStatus.KEPT, None
        db.session.commit()
        return MailStatus.KEPT

    message = build_message(email, logo=_logo(email))
    secret, attempts = email.secret, email.attempts
    db.session.commit()  # no transaction stays open during the SMTP conversation
    try:
        send(message)
    except PermanentRefusal as exc:
        return _record_failure(model, email_id, attempts, exc, permanent=True)
    except Exception as exc:
        log.warning("mail %s: attempt %d failed: %s", email_id, attempts, exc)
        return _record_failure(model, email_id, attempts, exc, permanent=False)

    # A secret mail's attachment goes with its body: it may carry the same secret. Its name
    # and type stay, like the subject, for the record.
    erased = (
        {"body_text": None, "body_html": None, "attachment_text": None, "attachment_data": None}
        if secret
        else {}
    )
    _update(model, email_id, status=MailStatus.SENT, sent_at=utcnow(), last_error=None, **erased)
    return MailStatus.SENT


def _logo(email) -> tuple[bytes, str] | None:
    """The agency logo a tenant email's HTML shows, read now rather than copied into every
    row. Removed since the mail was queued: none (the HTML's alt text, the brand, shows)."""
    if not isinstance(email, TenantEmail) or not email.brand_logo:
        return None
    agency_id = db.session.scalar(sa.select(Tenant.agency_id).where(Tenant.id == email.tenant_id))
    return logo_of(agency_id) if agency_id is not None else None


def deliver(model, email_id: uuid.UUID) -> MailStatus | None:
    """Deliver one row if it is due; None when it is not (sent, kept, or another relay's)."""
    claimed = claim(model, email_id=email_id)
    return send_claimed(model, claimed[0]) if claimed else None


def relay_due(model) -> int:
    """Deliver due rows in small batches for up to RUN_SECONDS; how many were handled."""
    handled, deadline = 0, time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        batch = claim(model, limit=BATCH)
        if not batch:
            break
        for email_id in batch:
            send_claimed(model, email_id)
        handled += len(batch)
    return handled


def _record_failure(model, email_id, attempts: int, exc: Exception, *, permanent: bool):
    config = current_app.config
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    if permanent or attempts >= config["MAIL_MAX_ATTEMPTS"]:
        log.error("mail %s failed for good after %d attempt(s): %s", email_id, attempts, error)
        _update(model, email_id, status=MailStatus.FAILED, claimed_at=None, last_error=error)
        return MailStatus.FAILED
    delays = config["MAIL_RETRY_DELAYS"]
    delay = delays[min(attempts - 1, len(delays) - 1)]
    _update(
        model,
        email_id,
        status=MailStatus.PENDING,
        claimed_at=None,
        last_error=error,
        next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
    )
    return MailStatus.PENDING


def _update(model, email_id: uuid.UUID, **values) -> None:
    db.session.execute(
        sa.update(model)
        .where(*_scope(model), model.id == email_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
