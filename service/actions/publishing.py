""" "You said, we did": HR publishes a done action's public summary, opt-in per action, to a
page the tenant shares with staff and candidates (service/actions/public_views.py).

What the page shows is only what HR wrote for it — the action's title, this summary, its
themes and the month it was done — never its evidence, description, outcome or owner.
Each change is one transaction, kept in the action's history like every other change.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from service.accounts.models import User
from service.actions.models import PUBLIC_SUMMARY_MAX, Action, ActionStatus, EventKind
from service.actions.services import _check_revision, _commit, _record
from service.extensions import db
from service.model_types import utcnow
from service.refusals import Refused
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Tenant, TenantStatus

# The public page lists the latest ones; older ones stay published, out of sight.
PAGE_SIZE = 50


def publish_action(action: Action, revision: int, summary: str, *, actor: User | None) -> bool:
    """Publish (or re-word) the public summary of a done action; False when the same
    summary is published already."""
    _check_revision(action, revision)
    summary = (summary or "").strip()
    errors: dict[str, list[str]] = {}
    if action.status != ActionStatus.DONE:
        errors["form"] = [_("Only a done action can be published: close it as done first.")]
    if not summary:
        errors["public_summary"] = [_("Write what changed, for staff and candidates to read.")]
    elif len(summary) > PUBLIC_SUMMARY_MAX:
        errors["public_summary"] = [_("Keep the summary to 1,000 characters.")]
    if errors:
        db.session.rollback()
        raise Refused(errors)
    if action.published and action.public_summary == summary:
        db.session.rollback()
        return False
    changes = {"public_summary": [action.public_summary, summary]}
    if not action.published:
        changes["published"] = [False, True]
    action.published, action.public_summary = True, summary
    action.updated_at = utcnow()
    _record(action, EventKind.PUBLISHED, actor, changes=changes)
    _commit(action)
    return True


def unpublish_action(action: Action, revision: int, *, actor: User | None) -> bool:
    """Take it off the public page (its summary is kept for a later publication); False
    when it was not published."""
    _check_revision(action, revision)
    if not action.published:
        db.session.rollback()
        return False
    action.published = False
    action.updated_at = utcnow()
    _record(action, EventKind.UNPUBLISHED, actor, changes={"published": [True, False]})
    _commit(action)
    return True


@dataclass(frozen=True)
class PublicChange:
    """One line of the public page: nothing else of the action leaves the company."""

    title: str
    summary: str
    themes: tuple[str, ...]
    done_in: dt.date  # the day it was done (the page shows only its month)


@dataclass(frozen=True)
class PublicPage:
    tenant_name: str
    agency_id: object
    languages: tuple[str, ...]
    default_language: str
    changes: list[PublicChange]


def public_page(tenant_slug: str) -> PublicPage | None:
    """What the tenant published, newest first; None for an unknown or suspended tenant
    and for one that published nothing (the page then says the same for all three)."""
    tenant = db.session.scalar(
        sa.select(Tenant).where(Tenant.slug == tenant_slug, Tenant.status == TenantStatus.ACTIVE)
    )
    if tenant is None:
        return None
    zone = ZoneInfo(tenant.time_zone)
    with tenant_scope(tenant.id):
        actions = db.session.scalars(
            sa.select(Action)
            .where(
                of_current_tenant(Action),
                Action.published.is_(True),
                Action.status == ActionStatus.DONE,
                Action.public_summary.is_not(None),
            )
            .order_by(Action.done_at.desc(), Action.id)
            .limit(PAGE_SIZE)
        ).all()
        changes = [
            PublicChange(
                title=action.title,
                summary=action.public_summary,
                themes=tuple(action.themes),
                done_in=(action.done_at or action.updated_at).astimezone(zone).date(),
            )
            for action in actions
        ]
    if not changes:
        return None
    return PublicPage(
        tenant.name, tenant.agency_id, tuple(tenant.languages), tenant.default_language, changes
    )
