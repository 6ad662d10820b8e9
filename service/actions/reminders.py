"""Reminder digests: one email per action owner, never one per action.

An owner is written to when one of their pending actions comes within the tenant's
``action_reminder_days`` of its due date (each due date is announced once; a moved one is
announced again), and once a week while any of theirs is overdue. Each digest lists
everything of theirs that is due soon or overdue, with links, in the owner's language.

Exactly once per owner and day, structurally: the digest's row (unique per tenant, owner
and day) is inserted in the same transaction as its outbox email. A second scan finds the
row; a racing job's insert fails on the unique key and rolls its email back with it.
Digests go out from ``SEND_FROM_HOUR`` in the tenant's time zone, not in the night.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from service.accounts.models import User
from service.accounts.tasks import external_url
from service.actions.digest_models import ActionDigest
from service.actions.models import PENDING_STATUSES, Action
from service.extensions import db
from service.i18n import language_for
from service.mail.outbox import queue_email
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import Membership, Tenant

log = logging.getLogger(__name__)
SEND_FROM_HOUR = 7
OVERDUE_EVERY = dt.timedelta(days=7)
# A due date is announced at most this long before it (the setting's upper limit).
LOOK_BACK = dt.timedelta(days=31)


@dataclass(frozen=True)
class Listed:
    id: uuid.UUID
    title: str
    due_on: dt.date


@dataclass(frozen=True)
class Digest:
    """What one owner is sent today (plain values: each digest is its own transaction)."""

    membership_id: uuid.UUID
    email: str
    name: str
    language: str
    due_soon: list[Listed]
    overdue: list[Listed]

    @property
    def listed(self) -> list[list[str]]:
        return [[str(a.id), a.due_on.isoformat()] for a in [*self.overdue, *self.due_soon]]


@dataclass(frozen=True)
class Sender:
    """The tenant, as its digests need it."""

    slug: str
    name: str
    reminder_days: int


def tenant_day(tenant: Tenant, now: dt.datetime) -> dt.datetime:
    return now.astimezone(ZoneInfo(tenant.time_zone))


def plan_digests(tenant: Tenant, today: dt.date) -> list[Digest]:
    """The digests the current tenant's owners are due today (none for an owner already
    written to today)."""
    horizon = today + dt.timedelta(days=tenant.action_reminder_days)
    rows = db.session.execute(
        sa.select(Action.id, Action.title, Action.due_on, Membership.id.label("owner"), User)
        .join(Membership, Membership.id == Action.owner_membership_id)
        .join(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(Action),
            of_current_tenant(Membership),
            Action.status.in_(PENDING_STATUSES),
            Action.due_on <= horizon,
            Membership.deactivated_at.is_(None),
            User.active.is_(True),
        )
        .order_by(Action.due_on, Action.title)
    ).all()
    earlier = db.session.scalars(
        sa.select(ActionDigest).where(
            of_current_tenant(ActionDigest), ActionDigest.period >= today - LOOK_BACK
        )
    ).all()
    sent_today = {d.membership_id for d in earlier if d.period == today}
    announced = {(d.membership_id, tuple(pair)) for d in earlier for pair in d.listed}
    overdue_lately = {
        d.membership_id for d in earlier if d.overdue_count and d.period > today - OVERDUE_EVERY
    }

    owners: dict[uuid.UUID, tuple[User, list[Listed], list[Listed]]] = {}
    for row in rows:
        _user, due_soon, overdue = owners.setdefault(row.owner, (row.User, [], []))
        (overdue if row.due_on < today else due_soon).append(Listed(row.id, row.title, row.due_on))
    digests = []
    for membership_id, (user, due_soon, overdue) in owners.items():
        if membership_id in sent_today:
            continue
        news = any(
            (membership_id, (str(a.id), a.due_on.isoformat())) not in announced for a in due_soon
        )
        weekly = bool(overdue) and membership_id not in overdue_lately
        if news or weekly:
            language = language_for(user, tenant.default_language)
            digests.append(
                Digest(membership_id, user.email, user.display_name, language, due_soon, overdue)
            )
    return digests


def send_digest(tenant: Sender, today: dt.date, digest: Digest) -> bool:
    """Record and queue one owner's digest in one transaction; False when another scan or
    job got there first (the unique key refused this one, and its email with it)."""
    base = current_app.config["PUBLIC_URL"]

    def link(action: Listed) -> dict:
        url = external_url(base, "actions.show", tenant_slug=tenant.slug, action_id=action.id)
        return {"title": action.title, "due_on": action.due_on, "url": url}

    record = ActionDigest(
        membership_id=digest.membership_id,
        period=today,
        listed=digest.listed,
        overdue_count=len(digest.overdue),
    )
    db.session.add(record)
    try:
        db.session.flush()  # the unique key first: a refused digest queues nothing
        record.email_id = queue_email(
            to=digest.email,
            template="action_digest",
            language=digest.language,
            context={
                "name": digest.name,
                "company": tenant.name,
                "days": tenant.reminder_days,
                "due_soon": [link(a) for a in digest.due_soon],
                "overdue": [link(a) for a in digest.overdue],
                "mine_url": external_url(base, "actions.mine", tenant_slug=tenant.slug),
            },
            tenant_id=current_tenant_id(),
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("action digest of %s for %s was already sent", digest.membership_id, today)
        return False
    return True


def send_due_digests(now: dt.datetime) -> int:
    """Every digest the current tenant owes at ``now``; how many were sent."""
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or not tenant.is_active:
        return 0
    local = tenant_day(tenant, now)
    if local.hour < SEND_FROM_HOUR:
        return 0
    today = local.date()
    sender = Sender(tenant.slug, tenant.name, tenant.action_reminder_days)
    digests = plan_digests(tenant, today)
    db.session.rollback()  # the plan's read ends here; each digest is its own transaction
    return sum(send_digest(sender, today, digest) for digest in digests)
