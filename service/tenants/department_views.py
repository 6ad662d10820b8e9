"""Departments and their effective-dated headcount history (/t/<slug>/departments/)."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from service.listing import list_request
from service.permissions import require
from service.refusals import Refused, validate_and_apply
from service.rendering import render
from service.tenancy import get_for_tenant_or_404
from service.tenants import services
from service.tenants.models import Department
from service.tenants.schemas import (
    HeadcountSchema,
    NameSchema,
)
from service.tenants.views import FIRST_PAGE, bp, saved, tenant_today


def _departments_page(form=None, errors=None, status=200, notice=None, listing=None):
    listing = listing or list_request(request.args)
    today = tenant_today()
    pagination, rows = services.department_page(listing.term, listing.page, today)
    return render(
        "tenants/departments.html",
        block="listing",
        status=status,
        rows=rows,
        pagination=pagination,
        listing=listing,
        today=today,
        form=form or {},
        errors=errors or {},
        notice=notice,
    )


@bp.get("/departments/")
@require("tenant.structure.view")
def departments():
    return _departments_page()


@bp.post("/departments/")
@require("tenant.structure.manage")
def create_department():
    form = request.form.to_dict()
    data, _created, errors = validate_and_apply(
        NameSchema(), form, lambda data: services.create_named(Department, **data)
    )
    if errors:
        return _departments_page(form, errors, 422, listing=FIRST_PAGE)
    return saved(
        _("Department “%(name)s” added.", name=data["name"]),
        "tenants.departments",
        lambda notice: _departments_page(notice=notice, listing=FIRST_PAGE),
    )


def _department_page(department, status=200, notice=None, **forms):
    return render(
        "tenants/department.html",
        block="history" if "headcount_form" in forms or notice else None,
        status=status,
        department=department,
        history=services.headcount_history(department),
        rename_form=forms.get("rename_form") or {"name": department.name},
        rename_errors=forms.get("rename_errors") or {},
        headcount_form=forms.get("headcount_form") or {},
        headcount_errors=forms.get("headcount_errors") or {},
        notice=notice,
    )


@bp.get("/departments/<uuid:department_id>")
@require("tenant.structure.view")
def department(department_id: uuid.UUID):
    return _department_page(get_for_tenant_or_404(Department, department_id))


@bp.post("/departments/<uuid:department_id>/rename")
@require("tenant.structure.manage")
def rename_department(department_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    form = request.form.to_dict()
    data, _renamed, errors = validate_and_apply(
        NameSchema(), form, lambda data: services.update_named(department, **data)
    )
    if errors:
        return _department_page(department, 422, rename_form=form, rename_errors=errors)
    flash(_("Department renamed to “%(name)s”.", name=data["name"]), "success")
    return redirect(url_for("tenants.department", department_id=department.id))


@bp.post("/departments/<uuid:department_id>/delete")
@require("tenant.structure.manage")
def delete_department(department_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    name = department.name
    try:
        services.delete_unused(department)
    except Refused as refused:
        flash(" ".join(refused.errors["form"]), "error")
        return redirect(url_for("tenants.department", department_id=department_id))
    flash(_("Department “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("tenants.departments"))


@bp.post("/departments/<uuid:department_id>/headcounts")
@require("tenant.structure.manage")
def add_headcount(department_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    form = request.form.to_dict()
    _data, _added, errors = validate_and_apply(
        HeadcountSchema(), form, lambda data: services.add_headcount(department, **data)
    )
    if errors:
        return _department_page(department, 422, headcount_form=form, headcount_errors=errors)
    return saved(
        _("Headcount added."),
        "tenants.department",
        lambda notice: _department_page(department, notice=notice),
        department_id=department.id,
    )


def _headcount_page(department, entry, form, errors, status=200):
    return render(
        "tenants/headcount.html",
        status=status,
        department=department,
        entry=entry,
        form=form,
        errors=errors,
    )


@bp.route(
    "/departments/<uuid:department_id>/headcounts/<uuid:headcount_id>", methods=["GET", "POST"]
)
@require("tenant.structure.manage")
def headcount(department_id: uuid.UUID, headcount_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    entry = services.headcount_entry_or_404(department, headcount_id)
    if request.method == "GET":
        form = {"effective_from": entry.effective_from.isoformat(), "headcount": entry.headcount}
        return _headcount_page(department, entry, form, {})
    form = request.form.to_dict()
    _data, _corrected, errors = validate_and_apply(
        HeadcountSchema(), form, lambda data: services.correct_headcount(entry, **data)
    )
    if errors:
        return _headcount_page(department, entry, form, errors, 422)
    flash(_("Headcount corrected."), "success")
    return redirect(url_for("tenants.department", department_id=department.id))


@bp.post("/departments/<uuid:department_id>/headcounts/<uuid:headcount_id>/delete")
@require("tenant.structure.manage")
def remove_headcount(department_id: uuid.UUID, headcount_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    services.remove_headcount(services.headcount_entry_or_404(department, headcount_id))
    flash(_("Headcount removed."), "success")
    return redirect(url_for("tenants.department", department_id=department.id))
