"""Platform operator pages under /platform/: the agencies."""

import uuid

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from service.confirmation import Confirmation, ask, asking
from service.listing import list_request
from service.permissions import require
from service.platform import services
from service.platform.logos import MAX_LOGO_BYTES, logo_errors, logo_response, read_upload
from service.platform.schemas import AgencySchema
from service.refusals import validate_and_apply
from service.rendering import render
from service.scopes import platform_blueprint
from service.tenant_data.deletion import scheduled_deletions
from service.tenants.models import TenantStatus

bp = platform_blueprint("platform", __name__)

# The people part's page for inviting an agency's first admin, linked when present.
INVITE_AGENCY_ADMIN = "platform_people.invite_agency_admin"


@bp.get("/")
@require("platform.home")
def home():
    listing = list_request(request.args)
    pagination, client_counts = services.agency_page(listing.term, listing.page)
    return render(
        "platform/home.html",
        block="listing",
        listing=listing,
        pagination=pagination,
        client_counts=client_counts,
        agency_admins=services.agency_admin_states(pagination.items),
        can_invite=INVITE_AGENCY_ADMIN in current_app.view_functions,
        deletions=scheduled_deletions(),
    )


def _new_agency_page(form, errors, status=200):
    return render(
        "platform/new_agency.html",
        status=status,
        form=form,
        errors=errors,
        max_logo_kb=MAX_LOGO_BYTES // 1024,
    )


@bp.get("/agencies/new")
@require("platform.agencies.manage")
def new_agency():
    return _new_agency_page({}, {})


@bp.post("/agencies/new")
@require("platform.agencies.manage")
def create_agency():
    form = request.form.to_dict()
    logo = read_upload(request.files.get("logo"))
    data, agency, errors = validate_and_apply(
        AgencySchema(), form, lambda data: services.create_agency(data, logo)
    )
    if data is None and (refused_logo := logo_errors(logo)):
        errors["logo"] = refused_logo  # all the form's mistakes at once
    if errors:
        return _new_agency_page(form, errors, 422)
    flash(_("Agency “%(name)s” created.", name=agency.name), "success")
    return redirect(url_for("platform.home"))


@bp.get("/agencies/<uuid:agency_id>/logo")
@require("platform.home")
def agency_logo(agency_id: uuid.UUID):
    agency = services.agency_or_404(agency_id)
    if agency.logo is None:
        abort(404)
    return logo_response(agency.logo, agency.logo_mime_type)


def _suspension(agency) -> Confirmation:
    reach = services.agency_reach(agency)
    active = agency.status == TenantStatus.ACTIVE
    return Confirmation(
        question=_("Suspend “%(name)s”?", name=agency.name),
        consequences=[
            ngettext(
                "Its %(num)s administrator or consultant loses access to the agency and to "
                "its clients until you reactivate it.",
                "Its %(num)s administrators and consultants lose access to the agency and to "
                "its clients until you reactivate it.",
                reach.staff,
            ),
            ngettext(
                "Its %(num)s client company stays open to its own members; nothing is deleted.",
                "Its %(num)s client companies stay open to their own members; nothing is deleted.",
                reach.clients,
            ),
        ],
        undo=_("To undo, choose Reactivate in the list of agencies."),
        refusal=None if active else _("“%(name)s” is already suspended.", name=agency.name),
        confirm=_("Suspend"),
        back=url_for("platform.home"),
    )


@bp.route("/agencies/<uuid:agency_id>/suspend", methods=["GET", "POST"])
@require("platform.agencies.manage")
def suspend_agency(agency_id: uuid.UUID):
    agency = services.agency_or_404(agency_id)
    if asking():
        return ask(_suspension(agency))
    if services.set_agency_status(agency, TenantStatus.SUSPENDED):
        flash(
            _(
                "“%(name)s” is suspended: its administrators and consultants have no access "
                "until you reactivate it.",
                name=agency.name,
            ),
            "success",
        )
    else:
        flash(_("“%(name)s” was already suspended.", name=agency.name), "info")
    return redirect(url_for("platform.home"))


@bp.post("/agencies/<uuid:agency_id>/reactivate")
@require("platform.agencies.manage")
def reactivate_agency(agency_id: uuid.UUID):
    agency = services.agency_or_404(agency_id)
    if services.set_agency_status(agency, TenantStatus.ACTIVE):
        flash(_("“%(name)s” is active again.", name=agency.name), "success")
    else:
        flash(_("“%(name)s” was already active.", name=agency.name), "info")
    return redirect(url_for("platform.home"))
