"""Tenant pages under /t/<tenant_slug>/."""

import datetime as dt
import uuid

from flask import g

from service.permissions import require
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.tenants import services

bp = tenant_blueprint("tenants", __name__)


@bp.get("/")
@require("tenant.home")
def home():
    counts = services.structure_counts() if g.role != "member" else None
    return render("tenants/home.html", tenant=current_tenant, counts=counts)


@bp.get("/departments/")
@require("tenant.structure.view")
def departments():
    today = dt.date.today()
    rows = services.departments_with_headcount(today)
    return render("tenants/departments.html", rows=rows, today=today)


@bp.get("/departments/<uuid:department_id>")
@require("tenant.structure.view")
def department(department_id: uuid.UUID):
    department, history = services.department_with_history(department_id)
    return render("tenants/department.html", department=department, history=history)


@bp.get("/functions/")
@require("tenant.structure.view")
def job_functions():
    return render("tenants/job_functions.html", job_functions=services.job_functions())


@bp.get("/locations/")
@require("tenant.structure.view")
def locations():
    return render("tenants/locations.html", locations=services.locations())


@bp.get("/settings")
@require("tenant.settings.view")
def settings():
    return render("tenants/settings.html", tenant=current_tenant)
