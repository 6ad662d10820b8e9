"""Tenant pages under /t/<tenant_slug>/: overview, organisation structure, settings."""

import binascii
import datetime as dt
import uuid
from base64 import b64decode, b64encode
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.listing import ListRequest, list_request
from service.permissions import can, require
from service.rendering import render, wants_fragment
from service.scopes import current_tenant, tenant_blueprint
from service.tenancy import get_for_tenant_or_404
from service.tenants import imports, services
from service.tenants.models import Department, JobFunction, Location
from service.tenants.refusals import Refused
from service.tenants.schemas import (
    HeadcountSchema,
    LocationSchema,
    NameSchema,
    TenantSettingsSchema,
    time_zones,
)
from service.validation import load_or_errors

bp = tenant_blueprint("tenants", __name__)

FIRST_PAGE = ListRequest("", 1)


def _tenant_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(current_tenant.time_zone)).date()


def _saved(message: str, endpoint: str, fragment: Callable, **values):
    """After a change: the refreshed fragment for htmx, else a flash and a redirect."""
    if wants_fragment():
        return fragment(notice=message)
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.get("/")
@require("tenant.home")
def home():
    counts = services.structure_counts() if can(g.role, "tenant.structure.view") else None
    return render("tenants/home.html", tenant=current_tenant, counts=counts)


# Departments and their headcount history


def _departments_page(form=None, errors=None, status=200, notice=None, listing=None):
    listing = listing or list_request(request.args)
    today = _tenant_today()
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
    data, errors = load_or_errors(NameSchema(), form)
    if data is not None:
        try:
            services.create_named(Department, **data)
        except Refused as refused:
            errors = refused.errors
    if errors:
        return _departments_page(form, errors, 422, listing=FIRST_PAGE)
    return _saved(
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
    data, errors = load_or_errors(NameSchema(), form)
    if data is not None:
        try:
            services.update_named(department, **data)
        except Refused as refused:
            errors = refused.errors
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
    data, errors = load_or_errors(HeadcountSchema(), form)
    if data is not None:
        try:
            services.add_headcount(department, **data)
        except Refused as refused:
            errors = refused.errors
    if errors:
        return _department_page(department, 422, headcount_form=form, headcount_errors=errors)
    return _saved(
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
    data, errors = load_or_errors(HeadcountSchema(), form)
    if data is not None:
        try:
            services.correct_headcount(entry, **data)
        except Refused as refused:
            errors = refused.errors
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


# Functions and locations: the same list, add, edit and delete


@dataclass(frozen=True)
class Catalogue:
    model: type
    schema: type
    list_template: str
    edit_template: str
    list_endpoint: str
    edit_endpoint: str
    id_argument: str
    search: Callable


FUNCTIONS = Catalogue(
    JobFunction,
    NameSchema,
    "tenants/job_functions.html",
    "tenants/job_function.html",
    "tenants.job_functions",
    "tenants.job_function",
    "job_function_id",
    services.job_function_page,
)
LOCATIONS = Catalogue(
    Location,
    LocationSchema,
    "tenants/locations.html",
    "tenants/location.html",
    "tenants.locations",
    "tenants.location",
    "location_id",
    services.location_page,
)


def _catalogue_page(catalogue, form=None, errors=None, status=200, notice=None, listing=None):
    listing = listing or list_request(request.args)
    return render(
        catalogue.list_template,
        block="listing",
        status=status,
        pagination=catalogue.search(listing.term, listing.page),
        listing=listing,
        form=form or {},
        errors=errors or {},
        notice=notice,
    )


def _catalogue_create(catalogue):
    form = request.form.to_dict()
    data, errors = load_or_errors(catalogue.schema(), form)
    if data is not None:
        try:
            services.create_named(catalogue.model, **data)
        except Refused as refused:
            errors = refused.errors
    if errors:
        return _catalogue_page(catalogue, form, errors, 422, listing=FIRST_PAGE)
    return _saved(
        _("“%(name)s” added.", name=data["name"]),
        catalogue.list_endpoint,
        lambda notice: _catalogue_page(catalogue, notice=notice, listing=FIRST_PAGE),
    )


def _catalogue_edit(catalogue, item):
    if request.method == "GET":
        form = {key: getattr(item, key) for key in catalogue.schema().fields}
        return render(catalogue.edit_template, item=item, form=form, errors={})
    form = request.form.to_dict()
    data, errors = load_or_errors(catalogue.schema(), form)
    if data is not None:
        try:
            services.update_named(item, **data)
        except Refused as refused:
            errors = refused.errors
    if errors:
        return render(catalogue.edit_template, status=422, item=item, form=form, errors=errors)
    flash(_("Changes saved."), "success")
    return redirect(url_for(catalogue.list_endpoint))


def _catalogue_delete(catalogue, item):
    name = item.name
    try:
        services.delete_unused(item)
    except Refused as refused:
        flash(" ".join(refused.errors["form"]), "error")
        return redirect(url_for(catalogue.edit_endpoint, **{catalogue.id_argument: item.id}))
    flash(_("“%(name)s” deleted.", name=name), "success")
    return redirect(url_for(catalogue.list_endpoint))


@bp.get("/functions/")
@require("tenant.structure.view")
def job_functions():
    return _catalogue_page(FUNCTIONS)


@bp.post("/functions/")
@require("tenant.structure.manage")
def create_job_function():
    return _catalogue_create(FUNCTIONS)


@bp.route("/functions/<uuid:job_function_id>", methods=["GET", "POST"])
@require("tenant.structure.manage")
def job_function(job_function_id: uuid.UUID):
    return _catalogue_edit(FUNCTIONS, get_for_tenant_or_404(JobFunction, job_function_id))


@bp.post("/functions/<uuid:job_function_id>/delete")
@require("tenant.structure.manage")
def delete_job_function(job_function_id: uuid.UUID):
    return _catalogue_delete(FUNCTIONS, get_for_tenant_or_404(JobFunction, job_function_id))


@bp.get("/locations/")
@require("tenant.structure.view")
def locations():
    return _catalogue_page(LOCATIONS)


@bp.post("/locations/")
@require("tenant.structure.manage")
def create_location():
    return _catalogue_create(LOCATIONS)


@bp.route("/locations/<uuid:location_id>", methods=["GET", "POST"])
@require("tenant.structure.manage")
def location(location_id: uuid.UUID):
    return _catalogue_edit(LOCATIONS, get_for_tenant_or_404(Location, location_id))


@bp.post("/locations/<uuid:location_id>/delete")
@require("tenant.structure.manage")
def delete_location(location_id: uuid.UUID):
    return _catalogue_delete(LOCATIONS, get_for_tenant_or_404(Location, location_id))


# CSV import: upload, preview every row with its errors, confirm all or nothing

IMPORT_KINDS = "<any(departments, functions, locations):structure>"
IMPORT_TITLES = {
    "departments": _l("Import departments"),
    "functions": _l("Import functions"),
    "locations": _l("Import locations"),
}
IMPORT_TARGETS = {
    "departments": "tenants.departments",
    "functions": "tenants.job_functions",
    "locations": "tenants.locations",
}


def _import_page(kind: str, result=None, status=200):
    content = b64encode(result.content).decode() if result and result.importable else None
    return render(
        "tenants/import.html",
        block="preview" if result is not None else None,
        status=status,
        kind=kind,
        title=IMPORT_TITLES[kind],
        columns=imports.KINDS[kind].columns,
        result=result,
        content=content,
        max_rows=imports.MAX_IMPORT_ROWS,
        max_kb=imports.MAX_IMPORT_BYTES // 1024,
        back=IMPORT_TARGETS[kind],
    )


@bp.get(f"/import/{IMPORT_KINDS}")
@require("tenant.structure.manage")
def import_form(structure: str):
    return _import_page(structure)


@bp.post(f"/import/{IMPORT_KINDS}")
@require("tenant.structure.manage")
def import_preview(structure: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        result = imports.ImportPreview(structure, problems=[_("Choose a CSV file to upload.")])
    else:
        # One byte over the limit is enough to refuse; never read a huge upload whole.
        result = imports.preview(structure, upload.stream.read(imports.MAX_IMPORT_BYTES + 1))
    return _import_page(structure, result, 200 if result.importable else 422)


@bp.post(f"/import/{IMPORT_KINDS}/confirm")
@require("tenant.structure.manage")
def import_confirm(structure: str):
    try:
        content = b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    result = imports.preview(structure, content)
    if result.importable:
        try:
            count = imports.apply(result)
        except Refused as refused:
            result.problems += refused.errors["form"]
        else:
            flash(_("%(count)s rows imported.", count=count), "success")
            return redirect(url_for(IMPORT_TARGETS[structure]))
    return _import_page(structure, result, 422)


# Settings: the tenant's own, never its slug or status


def _settings_page(form, errors, status=200):
    return render(
        "tenants/settings.html",
        status=status,
        tenant=current_tenant,
        form=form,
        errors=errors,
        time_zones=sorted(time_zones()),
    )


@bp.get("/settings")
@require("tenant.settings.view")
def settings():
    tenant = current_tenant
    form = {
        "name": tenant.name,
        "languages": tenant.languages,
        "default_language": tenant.default_language,
        "time_zone": tenant.time_zone,
        "confidentiality_k": tenant.confidentiality_k,
        "data_protection_contact": tenant.data_protection_contact or "",
    }
    return _settings_page(form, {})


@bp.post("/settings")
@require("tenant.settings.edit")
def edit_settings():
    form = {**request.form.to_dict(), "languages": request.form.getlist("languages")}
    data, errors = load_or_errors(TenantSettingsSchema(), form)
    if errors:
        return _settings_page(form, errors, 422)
    services.update_settings(current_tenant, data)
    flash(_("Settings saved."), "success")
    return redirect(url_for("tenants.settings"))
