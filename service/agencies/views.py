"""Agency pages under /agency/<agency_slug>/: the portfolio of client tenants, the brand."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from service.agencies import brand, services
from service.agencies.schemas import BrandSchema, TenantCreateSchema
from service.audit import trail as audit
from service.colours import MIN_CONTRAST, contrast_with_white
from service.confirmation import Confirmation, ask, asking
from service.insights import benchmark
from service.labels import SECTORS
from service.listing import list_request
from service.permissions import can, require
from service.platform.logos import MAX_LOGO_BYTES, logo_errors, logo_response, read_upload
from service.refusals import validate_and_apply
from service.rendering import render
from service.reports.labels import CADENCES
from service.scopes import agency_blueprint
from service.surveys.themes import theme_label
from service.tenants.models import TenantStatus
from service.tenants.schemas import time_zones

bp = agency_blueprint("agencies", __name__)

# Pages of the people part (invitations, consultants) linked from the portfolio when present.
PEOPLE_LINKS = ("agency_people.invite_tenant_admin", "agency_people.consultants")


@bp.get("/")
@require("agency.home")
def home():
    if not can(g.role, "agency.portfolio.view"):
        clients = services.assigned_clients(g.agency, current_user)
        return render("agencies/home.html", agency=g.agency, pagination=None, clients=clients)
    listing = list_request(request.args)
    pagination = services.portfolio_page(g.agency, listing.term, listing.page)
    return render(
        "agencies/home.html",
        block="listing",
        agency=g.agency,
        listing=listing,
        pagination=pagination,
        hr_admins=services.hr_admin_states(pagination.items),
        people_links={e for e in PEOPLE_LINKS if e in current_app.view_functions},
    )


def _new_tenant_page(form, errors, status=200):
    return render(
        "agencies/new_tenant.html",
        status=status,
        agency=g.agency,
        form=form,
        errors=errors,
        sectors=[("", _("Choose a sector")), *SECTORS.items()],
        time_zones=sorted(time_zones()),
    )


@bp.get("/tenants/new")
@require("agency.tenants.manage")
def new_tenant():
    form = {
        "languages": ["nl"],
        "default_language": "nl",
        "time_zone": "Europe/Brussels",
        "confidentiality_k": 5,
    }
    return _new_tenant_page(form, {})


@bp.post("/tenants/new")
@require("agency.tenants.manage")
def create_tenant():
    form = {**request.form.to_dict(), "languages": request.form.getlist("languages")}
    data, tenant, errors = validate_and_apply(
        TenantCreateSchema(), form, lambda data: services.create_tenant(g.agency, data)
    )
    if errors:
        return _new_tenant_page(form, errors, 422)
    flash(_("Client company “%(name)s” created.", name=tenant.name), "success")
    return redirect(url_for("agencies.home"))


def _suspension(tenant) -> Confirmation:
    members = services.active_members(tenant)
    suspended = _("“%(name)s” is already suspended.", name=tenant.name)
    return Confirmation(
        question=_("Suspend “%(name)s”?", name=tenant.name),
        consequences=[
            ngettext(
                "Its %(num)s member loses access until you reactivate it; nothing is deleted.",
                "Its %(num)s members lose access until you reactivate it; nothing is deleted.",
                members,
            )
        ],
        undo=_("To undo, choose Reactivate in the list of client companies."),
        refusal=None if tenant.is_active else suspended,
        confirm=_("Suspend"),
        back=url_for("agencies.home"),
    )


@bp.route("/tenants/<uuid:tenant_id>/suspend", methods=["GET", "POST"])
@require("agency.tenants.manage")
def suspend_tenant(tenant_id: uuid.UUID):
    tenant = services.client_or_404(g.agency, tenant_id)
    if asking():
        return ask(_suspension(tenant))
    if services.set_tenant_status(tenant, TenantStatus.SUSPENDED):
        flash(
            _(
                "“%(name)s” is suspended: its members have no access until you reactivate it.",
                name=tenant.name,
            ),
            "success",
        )
    else:
        flash(_("“%(name)s” was already suspended.", name=tenant.name), "info")
    return redirect(url_for("agencies.home"))


@bp.post("/tenants/<uuid:tenant_id>/reactivate")
@require("agency.tenants.manage")
def reactivate_tenant(tenant_id: uuid.UUID):
    tenant = services.client_or_404(g.agency, tenant_id)
    if services.set_tenant_status(tenant, TenantStatus.ACTIVE):
        flash(_("“%(name)s” is active again.", name=tenant.name), "success")
    else:
        flash(_("“%(name)s” was already active.", name=tenant.name), "info")
    return redirect(url_for("agencies.home"))


@bp.get("/tenants/<uuid:tenant_id>/benchmark")
@require("agency.benchmark.view")
def client_benchmark(tenant_id: uuid.UUID):
    tenant = services.client_or_404(g.agency, tenant_id)
    today = dt.datetime.now(ZoneInfo(tenant.time_zone)).date()
    compared = benchmark.compare(tenant, today)
    # A read across the agency's clients: the platform's trail says who compared which.
    audit.record_read("agency.benchmark_view", tenant, tenant_id=tenant.id)
    return render(
        "agencies/benchmark.html",
        agency=g.agency,
        tenant=tenant,
        benchmark=compared,
        theme_label=theme_label,
        min_peers=benchmark.MIN_PEERS,
        months=benchmark.PERIOD_MONTHS,
    )


@bp.get("/reports")
@require("agency.reports.view")
def reports():
    """Across the portfolio: whose leadership reports went out, failed or are off. The
    statuses only: a report's figures are the client's, never shown to the agency."""
    listing = list_request(request.args)
    pagination = services.portfolio_page(g.agency, listing.term, listing.page)
    return render(
        "agencies/reports.html",
        block="listing",
        agency=g.agency,
        listing=listing,
        pagination=pagination,
        states=services.report_states(pagination.items),
        cadences=CADENCES,
    )


# The brand: what the agency's clients see of it


def _brand_page(form, errors, status=200):
    agency = g.agency
    shown = brand.brand_of(agency.id)
    return render(
        "agencies/brand.html",
        status=status,
        agency=agency,
        brand=shown,
        contrast=contrast_with_white(shown.colour) if shown.colour else None,
        minimum_contrast=MIN_CONTRAST,
        form=form,
        errors=errors,
        max_logo_kb=MAX_LOGO_BYTES // 1024,
    )


@bp.get("/brand")
@require("agency.brand.edit")
def brand_settings():
    agency = g.agency
    form = {"brand_name": agency.brand_name or "", "brand_colour": agency.brand_colour or ""}
    return _brand_page(form, {})


@bp.post("/brand")
@require("agency.brand.edit")
def edit_brand():
    form = request.form.to_dict()
    logo = read_upload(request.files.get("logo"))
    data, changed, errors = validate_and_apply(
        BrandSchema(), form, lambda data: services.update_brand(g.agency, data, logo)
    )
    if data is None and (refused_logo := logo_errors(logo)):
        errors["logo"] = refused_logo  # all the form's mistakes at once
    if errors:
        return _brand_page(form, errors, 422)
    if changed:
        flash(_("Brand saved: your client companies' pages and emails now show it."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("agencies.brand_settings"))


@bp.get("/logo")
@require("agency.home")
def logo():
    found = brand.logo_of(g.agency.id)
    if found is None:
        abort(404)
    return logo_response(*found)
