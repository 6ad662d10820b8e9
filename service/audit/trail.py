"""``record``: add an audit entry for an action to the caller's transaction.

The actor, their role, the tenant and the address come from the request (or the job: no
actor, the system). The entry joins the caller's session and commits or rolls back with
the change it records. Each action key is declared in ACTIONS with the trail it goes to:
the tenant's (its HR admin reads it) or the platform's (agency and platform work, and reads
across tenants).
"""

import hashlib
import hmac
import ipaddress
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user

from service.audit.models import ACTOR_NAME_MAX, AuditEntry, PlatformAuditEntry
from service.extensions import db
from service.model_types import new_id
from service.tenancy import current_tenant_id, current_tenant_id_or_none, tenant_scope, unscoped
from service.tenants.models import Membership

TENANT, PLATFORM = "tenant", "platform"
VALUE_MAX = 200  # a changed value longer than this is cut: the trail says that, not what


@dataclass(frozen=True)
class Audited:
    trail: str  # TENANT or PLATFORM
    label: LazyString


ACTIONS: dict[str, Audited] = {
    "response.view_identified": Audited(TENANT, _l("Read an identified response")),
    "export.insights": Audited(TENANT, _l("Exported insights")),
    "audit.export": Audited(TENANT, _l("Exported the audit trail")),
    "template.change": Audited(TENANT, _l("Changed a question template")),
    "membership.invite": Audited(TENANT, _l("Invited a member")),
    "membership.role_change": Audited(TENANT, _l("Changed a member's role")),
    "membership.deactivate": Audited(TENANT, _l("Deactivated a member")),
    "membership.reactivate": Audited(TENANT, _l("Reactivated a member")),
    "settings.change": Audited(TENANT, _l("Changed the settings")),
    "retention.change": Audited(TENANT, _l("Changed how long data is kept")),
    "retention.apply": Audited(TENANT, _l("Removed or anonymised data past its retention")),
    "departure.erase": Audited(TENANT, _l("Erased a leaver's data")),
    "action.change": Audited(TENANT, _l("Created or changed an action")),
    "auth.sign_in": Audited(TENANT, _l("Sign-in")),
    "auth.sign_in_failed": Audited(TENANT, _l("Failed sign-in")),
    "audit.purge": Audited(TENANT, _l("Removed audit entries past their retention")),
    "report.send": Audited(TENANT, _l("Sent a leadership report")),
    "report.settings_change": Audited(TENANT, _l("Changed the report settings or recipients")),
    "tenant_export.start": Audited(TENANT, _l("Started an export of all the company's data")),
    "tenant_export.download": Audited(TENANT, _l("Downloaded the export of all the data")),
    "deletion.request": Audited(TENANT, _l("Requested the deletion of all the company's data")),
    "deletion.cancel": Audited(TENANT, _l("Cancelled the deletion of the company's data")),
    # The platform's trail.
    "platform.sign_in": Audited(PLATFORM, _l("Sign-in")),
    "platform.sign_in_failed": Audited(PLATFORM, _l("Failed sign-in")),
    "agency.create": Audited(PLATFORM, _l("Created an agency")),
    "agency.status_change": Audited(PLATFORM, _l("Suspended or reactivated an agency")),
    "agency.brand_change": Audited(PLATFORM, _l("Changed an agency's brand")),
    "agency.invite_staff": Audited(PLATFORM, _l("Invited agency staff")),
    "agency.remove_staff": Audited(PLATFORM, _l("Removed agency staff")),
    "agency.tenant_create": Audited(PLATFORM, _l("Created a client company")),
    "agency.tenant_status_change": Audited(
        PLATFORM, _l("Suspended or reactivated a client company")
    ),
    "agency.consultant_assign": Audited(PLATFORM, _l("Assigned a consultant")),
    "agency.consultant_unassign": Audited(PLATFORM, _l("Unassigned a consultant")),
    "agency.library_change": Audited(PLATFORM, _l("Changed the agency's template library")),
    "agency.benchmark_view": Audited(PLATFORM, _l("Read the agency benchmark")),
    "platform.audit_export": Audited(PLATFORM, _l("Exported the platform audit trail")),
    "tenant.delete": Audited(PLATFORM, _l("Deleted a client company and all its data")),
}


# What an entry's object is, in the reader's words (object_type is its table).
OBJECT_LABELS: dict[str, LazyString] = {
    "users": _l("Account"),
    "memberships": _l("Member"),
    "tenant_invitations": _l("Invitation"),
    "agency_invitations": _l("Invitation"),
    "question_templates": _l("Template"),
    "agency_templates": _l("Template"),
    "interviews": _l("Interview"),
    "departures": _l("Departure"),
    "actions": _l("Action"),
    "tenants": _l("Company"),
    "agencies": _l("Agency"),
    "insight_exports": _l("Export"),
    "tenant_exports": _l("Export"),
    "reports": _l("Report"),
    "report_settings": _l("Report settings"),
    "report_recipients": _l("Report recipient"),
}


def actions_of(trail: str) -> dict[str, LazyString]:
    return {key: audited.label for key, audited in ACTIONS.items() if audited.trail == trail}


def truncated_ip(address: str | None) -> str | None:
    """IPv4 to its /24, IPv6 to its /48: the network someone came from, not their line."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def _small(changes: dict | None) -> dict:
    """Changes as JSON can keep them, every text cut at VALUE_MAX."""

    def cut(value):
        if isinstance(value, dict):
            return {str(key): cut(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [cut(item) for item in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        text = str(value)
        return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"

    return cut(changes or {})


FROM_REQUEST = object()  # record()'s default actor: the signed-in user, if any


def _who(actor) -> dict:
    """The actor's columns: the given user (None: nobody), by default the signed-in one
    (nobody in a job: the system)."""
    if actor is FROM_REQUEST:
        signed_in = has_request_context() and current_user.is_authenticated
        actor = current_user if signed_in else None
    role = g.get("role") if has_request_context() else None
    if actor is None:
        return {"actor_id": None, "actor_name": "", "actor_role": role}
    return {
        "actor_id": actor.id,
        "actor_name": (actor.display_name or "")[:ACTOR_NAME_MAX],
        "actor_role": role,
    }


def _object(obj) -> dict:
    if obj is None:
        return {"object_type": None, "object_id": None}
    if obj.id is None:  # not flushed yet: the entry needs its id now (the default's job)
        obj.id = new_id()
    return {"object_type": obj.__tablename__, "object_id": obj.id}


def record(
    action: str, obj=None, changes: dict | None = None, *, actor=FROM_REQUEST, **where
) -> None:
    """Add the entry for ``action`` on ``obj`` to the session (the caller commits).

    ``actor``: who, when not the signed-in user (a sign-in, before it is one; None for
    nobody known, as for a failed one). ``where``:
    for the platform's trail, ``agency_id`` and ``tenant_id`` when the request's scope does
    not say them.
    """
    audited = ACTIONS[action]  # an unknown key is a bug: declare it in ACTIONS
    values = {
        "action": action,
        **_who(actor),
        **_object(obj),
        "changes": _small(changes),
        "ip": truncated_ip(request.remote_addr) if has_request_context() else None,
    }
    if audited.trail == TENANT:
        db.session.add(AuditEntry(tenant_id=current_tenant_id(), **values))
        return
    agency = g.get("agency") if has_request_context() else None
    db.session.add(
        PlatformAuditEntry(
            agency_id=where.get("agency_id") or (agency.id if agency is not None else None),
            tenant_id=where.get("tenant_id") or current_tenant_id_or_none(),
            **values,
        )
    )


def record_read(action: str, obj=None, changes: dict | None = None, **where) -> None:
    """A read that is audited (a page, a download): its entry is its own transaction."""
    record(action, obj, changes, **where)
    db.session.commit()


def address_fingerprint(email: str) -> dict:
    """What the platform's trail keeps of an address that names no account: its domain and
    a keyed hash (the same address gives the same fingerprint, so a run of attempts on one
    address shows), never the address itself, which may be a typo of someone else's."""
    local, _at, domain = email.strip().lower().rpartition("@")
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()
    return {"domain": domain[:VALUE_MAX] if local else "", "fingerprint": digest[:16]}


def record_sign_in(user, email: str, succeeded: bool) -> None:
    """A sign-in or a failed one: in the platform's trail, and in the trail of every
    company where the account is an active member (its HR admin sees who came in, and
    who was refused). A failure names the account as its object, not as its actor: whoever
    typed the password is not known to be them. Flushed here, tenant by tenant."""
    suffix = "" if succeeded else "_failed"
    actor = user if succeeded else None
    if user is None:
        record("platform.sign_in_failed", changes=address_fingerprint(email), actor=None)
        return
    record(f"platform.sign_in{suffix}", user, actor=actor)
    for tenant_id in _active_tenants(user.id):
        with tenant_scope(tenant_id):
            record(f"auth.sign_in{suffix}", user, actor=actor)
            db.session.flush()


def _active_tenants(user_id: uuid.UUID) -> list[uuid.UUID]:
    with unscoped("a person's own memberships across companies"):
        return list(
            db.session.scalars(
                sa.select(Membership.tenant_id).where(
                    Membership.user_id == user_id, Membership.deactivated_at.is_(None)
                )
            )
        )
