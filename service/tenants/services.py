"""A tenant's organisation structure and settings: reads and one-transaction changes.

Everything here runs under the tenant context set by the resolver (or tenant_scope).
"""

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from service.audit import trail as audit
from service.departures.models import Departure
from service.extensions import db
from service.listing import contains, paginate
from service.refusals import Refused, commit_or_refuse
from service.surveys import invitations
from service.surveys.models import TemplateVersion
from service.tenancy import TenantOwned, get_for_tenant_or_404, of_current_tenant
from service.tenants.models import (
    Department,
    DepartmentHeadcount,
    JobFunction,
    Location,
    Membership,
    Tenant,
)


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    headcount: int | None
    since: dt.date | None


def headcount_on(day: dt.date) -> sa.Select:
    """(department_id, headcount, effective_from) in force on ``day`` for each department."""
    latest = (
        sa.select(
            DepartmentHeadcount.department_id,
            sa.func.max(DepartmentHeadcount.effective_from).label("effective_from"),
        )
        .where(of_current_tenant(DepartmentHeadcount), DepartmentHeadcount.effective_from <= day)
        .group_by(DepartmentHeadcount.department_id)
        .subquery()
    )
    return (
        sa.select(
            DepartmentHeadcount.department_id,
            DepartmentHeadcount.headcount,
            DepartmentHeadcount.effective_from,
        )
        .where(of_current_tenant(DepartmentHeadcount))
        .join(
            latest,
            sa.and_(
                latest.c.department_id == DepartmentHeadcount.department_id,
                latest.c.effective_from == DepartmentHeadcount.effective_from,
            ),
        )
    )


def _search(model, term: str, *columns) -> sa.Select:
    query = sa.select(model).where(of_current_tenant(model))
    if term:
        query = query.where(sa.or_(*(contains(column, term) for column in columns)))
    return query.order_by(model.name, model.id)


def department_page(term: str, page: int, day: dt.date) -> tuple[Pagination, list[DepartmentRow]]:
    """One page of departments matching ``term``, each with its headcount on ``day``."""
    pagination = paginate(_search(Department, term, Department.name), page)
    ids = [department.id for department in pagination.items]
    in_force = headcount_on(day).where(DepartmentHeadcount.department_id.in_(ids))
    current = {row.department_id: row for row in db.session.execute(in_force)}
    rows = []
    for department in pagination.items:
        found = current.get(department.id)
        rows.append(
            DepartmentRow(
                department,
                found.headcount if found else None,
                found.effective_from if found else None,
            )
        )
    return pagination, rows


def job_function_page(term: str, page: int) -> Pagination:
    return paginate(_search(JobFunction, term, JobFunction.name), page)


def location_page(term: str, page: int) -> Pagination:
    return paginate(_search(Location, term, Location.name, Location.city), page)


def headcount_history(department: Department) -> list[DepartmentHeadcount]:
    return list(
        db.session.scalars(
            sa.select(DepartmentHeadcount)
            .where(
                of_current_tenant(DepartmentHeadcount),
                DepartmentHeadcount.department_id == department.id,
            )
            .order_by(DepartmentHeadcount.effective_from.desc())
        )
    )


@dataclass(frozen=True)
class DepartmentUsage:
    """What deleting a department takes with it."""

    headcount_entries: int
    first_headcount: dt.date | None  # the date of the oldest entry
    people: int | None  # the headcount in force on the day asked; None: none recorded
    departures: int  # departures recorded there: while any remain it cannot be deleted


def department_usage(department: Department, day: dt.date) -> DepartmentUsage:
    entries = headcount_history(department)
    in_force = [entry for entry in entries if entry.effective_from <= day]
    departures = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Departure)
        .where(of_current_tenant(Departure), Departure.department_id == department.id)
    )
    return DepartmentUsage(
        headcount_entries=len(entries),
        first_headcount=entries[-1].effective_from if entries else None,
        people=in_force[0].headcount if in_force else None,
        departures=departures,
    )


def headcount_before(entry: DepartmentHeadcount) -> DepartmentHeadcount | None:
    """The entry in force just before ``entry``: what applies again once it is removed."""
    return db.session.scalar(
        sa.select(DepartmentHeadcount)
        .where(
            of_current_tenant(DepartmentHeadcount),
            DepartmentHeadcount.department_id == entry.department_id,
            DepartmentHeadcount.effective_from < entry.effective_from,
        )
        .order_by(DepartmentHeadcount.effective_from.desc())
        .limit(1)
    )


def headcount_entry_or_404(department: Department, entry_id: uuid.UUID) -> DepartmentHeadcount:
    entry = get_for_tenant_or_404(DepartmentHeadcount, entry_id)
    if entry.department_id != department.id:
        abort(404)
    return entry


def setup_counts() -> dict[str, int]:
    """What the tenant has set up: its structure, and its own active members (the agency's
    consultants are not the client's team)."""

    def count(model, *where) -> int:
        query = sa.select(sa.func.count()).select_from(model).where(of_current_tenant(model))
        return db.session.scalar(query.where(*where))

    return {
        "departments": count(Department),
        "job_functions": count(JobFunction),
        "locations": count(Location),
        "members": count(
            Membership,
            Membership.deactivated_at.is_(None),
            Membership.assigned_by_agency.is_(False),
        ),
        "published_templates": count(TemplateVersion, TemplateVersion.published_at.is_not(None)),
        "departures": count(Departure),
    }


# Changes: one transaction each, refused with field messages.


def name_taken(model: type[TenantOwned], name: str, except_id: uuid.UUID | None = None) -> bool:
    """Names are unique per tenant regardless of case: "Sales" and "sales" are one."""
    query = sa.select(model.id).where(
        of_current_tenant(model), sa.func.lower(model.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(model.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def _name_in_use() -> dict[str, list[str]]:
    return {"name": [_("This name is already in use.")]}


def create_named(model: type[TenantOwned], **values) -> TenantOwned:
    """A new department, function or location."""
    if name_taken(model, values["name"]):
        raise Refused(_name_in_use())
    created = model(**values)
    db.session.add(created)
    commit_or_refuse(_name_in_use())
    return created


def _differs(obj, values: dict) -> bool:
    return any(getattr(obj, key) != value for key, value in values.items())


def update_named(obj: TenantOwned, **values) -> bool:
    """Rename a department or function, or change a location; False (and no write) when
    the values are the ones it already has."""
    if not _differs(obj, values):
        return False
    if name_taken(type(obj), values["name"], except_id=obj.id):
        raise Refused(_name_in_use())
    for key, value in values.items():
        setattr(obj, key, value)
    commit_or_refuse(_name_in_use())
    return True


def delete_unused(obj: TenantOwned) -> None:
    """Delete a department, function or location that nothing refers to.

    Whatever records a department, function or location (departures, answers) refers to it
    by a RESTRICT foreign key, so the database itself says whether it is still used.
    A department's own headcount history goes with it.
    """
    db.session.delete(obj)
    commit_or_refuse({"form": [_("It is still in use, so it cannot be deleted.")]})


def _date_taken() -> dict[str, list[str]]:
    return {"effective_from": [_("A headcount is already recorded from this date.")]}


def _headcount_on(department_id: uuid.UUID, day: dt.date) -> DepartmentHeadcount | None:
    return db.session.scalar(
        sa.select(DepartmentHeadcount).where(
            of_current_tenant(DepartmentHeadcount),
            DepartmentHeadcount.department_id == department_id,
            DepartmentHeadcount.effective_from == day,
        )
    )


def add_headcount(department: Department, effective_from: dt.date, headcount: int) -> None:
    if _headcount_on(department.id, effective_from) is not None:
        raise Refused(_date_taken())
    db.session.add(
        DepartmentHeadcount(
            department_id=department.id, effective_from=effective_from, headcount=headcount
        )
    )
    commit_or_refuse(_date_taken())


def correct_headcount(entry: DepartmentHeadcount, effective_from: dt.date, headcount: int) -> bool:
    """False (and no write) when the entry already says this."""
    if not _differs(entry, {"effective_from": effective_from, "headcount": headcount}):
        return False
    same_day = _headcount_on(entry.department_id, effective_from)
    if same_day is not None and same_day.id != entry.id:
        raise Refused(_date_taken())
    entry.effective_from = effective_from
    entry.headcount = headcount
    commit_or_refuse(_date_taken())
    return True


def remove_headcount(entry: DepartmentHeadcount) -> None:
    db.session.delete(entry)
    db.session.commit()


EDITABLE_SETTINGS = (
    "name",
    "languages",
    "default_language",
    "time_zone",
    "confidentiality_k",
    "quote_threshold",
    "data_protection_contact",
    "default_channel",
    "action_reminder_days",
    "survey_invite_days_before",
    "survey_reminder_days",
    "survey_expiry_days",
    "audit_retention_days",
)
SURVEY_SCHEDULE = {"survey_invite_days_before", "survey_reminder_days", "survey_expiry_days"}


def update_settings(tenant: Tenant, settings: dict) -> bool:
    """Name, languages, time zone, threshold and contact; never the slug or status.
    False (and no write) when nothing differs from what is stored."""
    values = {key: settings[key] for key in EDITABLE_SETTINGS}
    if values["audit_retention_days"] is None:  # not on this form: unchanged
        values["audit_retention_days"] = tenant.audit_retention_days
    if set(values["languages"]) == set(tenant.languages):
        values["languages"] = tenant.languages  # the same languages, listed in another order
    if not _differs(tenant, values):
        return False
    changed = {key for key, value in values.items() if getattr(tenant, key) != value}
    audited = {key: [getattr(tenant, key), values[key]] for key in sorted(changed)}
    if retention := audited.pop("audit_retention_days", None):
        audit.record("retention.change", tenant, {"audit_retention_days": retention})
    if audited:
        audit.record("settings.change", tenant, audited)
    for key, value in values.items():
        setattr(tenant, key, value)
    if changed & {*SURVEY_SCHEDULE, "time_zone"}:
        invitations.replan(tenant)  # the mails not yet sent follow the new schedule
    db.session.commit()
    return True
