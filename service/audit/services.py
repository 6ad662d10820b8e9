"""Reading the audit trail: one page for the filters in the URL, the CSV of the same
filter, and the actors it names (for the filter's list)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from service.audit.models import AuditEntry, PlatformAuditEntry
from service.audit.trail import ACTIONS, OBJECT_LABELS, TENANT, actions_of, record
from service.exports import write_csv
from service.extensions import db
from service.listing import page_number, paginate
from service.tenancy import of_current_tenant
from service.tenants.models import Agency, Tenant

EXPORT_MAX_ROWS = 50_000  # one CSV; a narrower filter takes the rest


@dataclass(frozen=True)
class AuditFilter:
    actor: str  # an actor id as text, "" for anyone
    action: str  # an action key, "" for every action
    start: dt.date | None
    end: dt.date | None  # inclusive
    page: int

    def arguments(self) -> dict[str, str]:
        """The filter as URL arguments (links to pages and the CSV keep it)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in values.items() if value}


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def read_filter(args: MultiDict, trail: str) -> AuditFilter:
    """The filter from the query string; what cannot be read is left out, not refused."""
    action = args.get("action", "")
    actor = args.get("actor", "")[:36]
    start, end = _day(args.get("from")), _day(args.get("to"))
    if start and end and end < start:
        start, end = end, start
    return AuditFilter(
        actor=actor if _is_uuid(actor) else "",
        action=action if action in actions_of(trail) else "",
        start=start,
        end=end,
        page=page_number(args),
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _model(trail: str):
    return AuditEntry if trail == TENANT else PlatformAuditEntry


def _query(trail: str, chosen: AuditFilter, time_zone: str) -> sa.Select:
    model = _model(trail)
    query = sa.select(model).order_by(model.at.desc(), model.id.desc())
    if trail == TENANT:
        query = query.where(of_current_tenant(model))
    if chosen.actor:
        query = query.where(model.actor_id == chosen.actor)
    if chosen.action:
        query = query.where(model.action == chosen.action)
    zone = ZoneInfo(time_zone)
    if chosen.start:
        query = query.where(model.at >= dt.datetime.combine(chosen.start, dt.time(), zone))
    if chosen.end:
        after = chosen.end + dt.timedelta(days=1)
        query = query.where(model.at < dt.datetime.combine(after, dt.time(), zone))
    return query


def entries_page(trail: str, chosen: AuditFilter, time_zone: str):
    return paginate(_query(trail, chosen, time_zone), chosen.page)


def places(entries) -> dict[uuid.UUID, str]:
    """The names of the agencies and companies the platform's entries concern (both are
    global tables; an entry keeps only their ids)."""
    ids = {getattr(entry, key) for entry in entries for key in ("agency_id", "tenant_id")}
    ids.discard(None)
    if not ids:
        return {}
    agencies = db.session.execute(sa.select(Agency.id, Agency.name).where(Agency.id.in_(ids)))
    tenants = db.session.execute(sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids)))
    return dict([*agencies, *tenants])


def actors(trail: str) -> list[tuple[str, str]]:
    """(id, name as last recorded) of everyone the trail names as an actor, by name."""
    model = _model(trail)
    query = sa.select(model.actor_id, sa.func.max(model.actor_name)).where(
        model.actor_id.is_not(None)
    )
    if trail == TENANT:
        query = query.where(of_current_tenant(model))
    rows = db.session.execute(query.group_by(model.actor_id)).all()
    return sorted(((str(actor_id), name) for actor_id, name in rows), key=lambda row: row[1])


def _header() -> list[str]:
    return [
        _("When (UTC)"),
        _("Who"),
        _("Role"),
        _("Action"),
        _("Object"),
        _("Object id"),
        _("Details"),
        _("Network"),
    ]


def _row(entry) -> list:
    audited = ACTIONS.get(entry.action)
    details = "; ".join(f"{key}: {value}" for key, value in (entry.changes or {}).items())
    return [
        entry.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name or _("System"),
        entry.actor_role or "",
        str(audited.label) if audited else entry.action,
        str(OBJECT_LABELS.get(entry.object_type, entry.object_type or "")),
        str(entry.object_id) if entry.object_id else "",
        details,
        entry.ip or "",
    ]


def export_csv(trail: str, chosen: AuditFilter, time_zone: str) -> bytes:
    """The filtered entries as a CSV (formula-safe, service/exports.py); the export is
    itself an entry, committed with it."""
    entries = db.session.scalars(_query(trail, chosen, time_zone).limit(EXPORT_MAX_ROWS)).all()
    content = write_csv([_row(entry) for entry in entries], _header())
    action = "audit.export" if trail == TENANT else "platform.audit_export"
    record(action, changes={**chosen.arguments(), "rows": len(entries)})
    db.session.commit()
    return content
