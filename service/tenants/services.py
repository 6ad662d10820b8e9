"""Reads and rules of a tenant's organisation structure (runs under the tenant context)."""

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from service.extensions import db
from service.tenancy import get_for_tenant_or_404, of_current_tenant
from service.tenants.models import Department, DepartmentHeadcount, JobFunction, Location


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


def departments_with_headcount(day: dt.date) -> list[DepartmentRow]:
    current = {row.department_id: row for row in db.session.execute(headcount_on(day))}
    departments = db.session.scalars(
        sa.select(Department).where(of_current_tenant(Department)).order_by(Department.name)
    )
    rows = []
    for department in departments:
        found = current.get(department.id)
        rows.append(
            DepartmentRow(
                department,
                found.headcount if found else None,
                found.effective_from if found else None,
            )
        )
    return rows


def department_with_history(department_id: uuid.UUID) -> tuple[Department, list]:
    department = get_for_tenant_or_404(Department, department_id)
    history = db.session.scalars(
        sa.select(DepartmentHeadcount)
        .where(
            of_current_tenant(DepartmentHeadcount),
            DepartmentHeadcount.department_id == department.id,
        )
        .order_by(DepartmentHeadcount.effective_from.desc())
    ).all()
    return department, history


def job_functions() -> list[JobFunction]:
    query = sa.select(JobFunction).where(of_current_tenant(JobFunction))
    return list(db.session.scalars(query.order_by(JobFunction.name)))


def locations() -> list[Location]:
    query = sa.select(Location).where(of_current_tenant(Location))
    return list(db.session.scalars(query.order_by(Location.name)))


def structure_counts() -> dict[str, int]:
    def count(model) -> int:
        query = sa.select(sa.func.count()).select_from(model).where(of_current_tenant(model))
        return db.session.scalar(query)

    return {
        "departments": count(Department),
        "job_functions": count(JobFunction),
        "locations": count(Location),
    }
