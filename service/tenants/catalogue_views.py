"""Functions and locations: one list, add, edit and delete (/t/<slug>/functions/, …)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from service.confirmation import Confirmation, ask, asking
from service.listing import list_request
from service.permissions import require
from service.refusals import Refused, validate_and_apply
from service.rendering import render
from service.tenancy import get_for_tenant_or_404
from service.tenants import services
from service.tenants.models import JobFunction, Location
from service.tenants.schemas import (
    LocationSchema,
    NameSchema,
)
from service.tenants.views import FIRST_PAGE, bp, saved


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
    delete_question: LazyString  # with %(name)s


FUNCTIONS = Catalogue(
    JobFunction,
    NameSchema,
    "tenants/job_functions.html",
    "tenants/job_function.html",
    "tenants.job_functions",
    "tenants.job_function",
    "job_function_id",
    services.job_function_page,
    _l("Delete the function “%(name)s”?"),
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
    _l("Delete the location “%(name)s”?"),
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
    data, _created, errors = validate_and_apply(
        catalogue.schema(), form, lambda data: services.create_named(catalogue.model, **data)
    )
    if errors:
        return _catalogue_page(catalogue, form, errors, 422, listing=FIRST_PAGE)
    return saved(
        _("“%(name)s” added.", name=data["name"]),
        catalogue.list_endpoint,
        lambda notice: _catalogue_page(catalogue, notice=notice, listing=FIRST_PAGE),
    )


def _catalogue_edit(catalogue, item):
    if request.method == "GET":
        form = {key: getattr(item, key) for key in catalogue.schema().fields}
        return render(catalogue.edit_template, item=item, form=form, errors={})
    form = request.form.to_dict()
    _data, updated, errors = validate_and_apply(
        catalogue.schema(), form, lambda data: services.update_named(item, **data)
    )
    if errors:
        return render(catalogue.edit_template, status=422, item=item, form=form, errors=errors)
    if updated:
        flash(_("Changes saved."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for(catalogue.list_endpoint))


def _catalogue_delete(catalogue, item):
    if asking():
        return ask(
            Confirmation(
                question=catalogue.delete_question % {"name": item.name},
                consequences=[
                    _(
                        "Only the entry itself is lost: while anything still refers to it, it "
                        "cannot be deleted. This cannot be undone."
                    )
                ],
                confirm=_("Delete"),
                back=url_for(catalogue.edit_endpoint, **{catalogue.id_argument: item.id}),
            )
        )
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


@bp.route("/functions/<uuid:job_function_id>/delete", methods=["GET", "POST"])
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


@bp.route("/locations/<uuid:location_id>/delete", methods=["GET", "POST"])
@require("tenant.structure.manage")
def delete_location(location_id: uuid.UUID):
    return _catalogue_delete(LOCATIONS, get_for_tenant_or_404(Location, location_id))
