"""Departments and their effective-dated headcount history (/t/<slug>/departments/)."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from service.confirmation import Confirmation, ask, asking
from service.listing import list_request
from service.permissions import require
from service.refusals import Refused, validate_and_apply
from service.rendering import render
from service.scopes import tenant_today
from service.tenancy import get_for_tenant_or_404
from service.tenants import services
from service.tenants.models import Department
from service.tenants.schemas import (
    HeadcountSchema,
    NameSchema,
)
from service.tenants.views import FIRST_PAGE, bp, saved


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
    data, renamed, errors = validate_and_apply(
        NameSchema(), form, lambda data: services.update_named(department, **data)
    )
    if errors:
        return _department_page(department, 422, rename_form=form, rename_errors=errors)
    if renamed:
        flash(_("Department renamed to “%(name)s”.", name=data["name"]), "success")
    else:
        name = data["name"]
        flash(_("Nothing changed: the department is already called “%(name)s”.", name=name), "info")
    return redirect(url_for("tenants.department", department_id=department.id))


def _department_deletion(department: Department) -> Confirmation:
    usage = services.department_usage(department, tenant_today())
    if usage.headcount_entries:
        lost = [
            ngettext(
                "Its headcount history (%(num)s entry since %(date)s) will be deleted.",
                "Its headcount history (%(num)s entries since %(date)s) will be deleted.",
                usage.headcount_entries,
                date=format_date(usage.first_headcount, "long"),
            )
        ]
    else:
        lost = [_("It has no headcount history.")]
    if usage.people is not None:
        lost.append(
            ngettext(
                "%(num)s person is recorded there today.",
                "%(num)s people are recorded there today.",
                usage.people,
            )
        )
    refusal = None
    if usage.departures:
        refusal = ngettext(
            "%(num)s departure is recorded in this department, so it cannot be deleted. "
            "Rename it instead if its name has changed.",
            "%(num)s departures are recorded in this department, so it cannot be deleted. "
            "Rename it instead if its name has changed.",
            usage.departures,
        )
    return Confirmation(
        question=_("Delete the department “%(name)s”?", name=department.name),
        consequences=[*lost, _("This cannot be undone.")],
        refusal=refusal,
        confirm=_("Delete the department"),
        back=url_for("tenants.department", department_id=department.id),
    )


@bp.route("/departments/<uuid:department_id>/delete", methods=["GET", "POST"])
@require("tenant.structure.manage")
def delete_department(department_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    if asking():
        return ask(_department_deletion(department))
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
    _data, corrected, errors = validate_and_apply(
        HeadcountSchema(), form, lambda data: services.correct_headcount(entry, **data)
    )
    if errors:
        return _headcount_page(department, entry, form, errors, 422)
    if corrected:
        flash(_("Headcount corrected."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for("tenants.department", department_id=department.id))


def _headcount_removal(department: Department, entry) -> Confirmation:
    date = format_date(entry.effective_from, "long")
    before = services.headcount_before(entry)
    if before is not None:
        effect = _(
            "From %(date)s on, the earlier headcount of %(num)s (from %(since)s) applies again.",
            date=date,
            num=before.headcount,
            since=format_date(before.effective_from, "long"),
        )
    else:
        effect = _(
            "It is the first headcount of %(department)s: without it, no headcount applies "
            "from %(date)s until a later one.",
            department=department.name,
            date=date,
        )
    return Confirmation(
        question=_(
            "Remove the headcount of %(num)s from %(date)s?", num=entry.headcount, date=date
        ),
        consequences=[effect],
        undo=_("To undo, add it again: %(num)s from %(date)s.", num=entry.headcount, date=date),
        confirm=_("Remove the headcount"),
        back=url_for("tenants.headcount", department_id=department.id, headcount_id=entry.id),
    )


@bp.route(
    "/departments/<uuid:department_id>/headcounts/<uuid:headcount_id>/delete",
    methods=["GET", "POST"],
)
@require("tenant.structure.manage")
def remove_headcount(department_id: uuid.UUID, headcount_id: uuid.UUID):
    department = get_for_tenant_or_404(Department, department_id)
    entry = services.headcount_entry_or_404(department, headcount_id)
    if asking():
        return ask(_headcount_removal(department, entry))
    services.remove_headcount(entry)
    flash(_("Headcount removed."), "success")
    return redirect(url_for("tenants.department", department_id=department.id))
