"""Tenant pages under /t/<tenant_slug>/: the blueprint, the overview and the settings.

The organisation structure lives beside it: department_views, catalogue_views, import_views."""

from collections.abc import Callable

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import second_factor
from service.accounts.reauth import recent_proof_required
from service.accounts.schemas import RequirementSchema
from service.departures.labels import CHANNELS
from service.listing import ListRequest
from service.permissions import can, require
from service.refusals import validate_and_apply
from service.rendering import render, wants_fragment
from service.reports import settings as report_settings
from service.scopes import current_tenant, tenant_blueprint
from service.tenants import services
from service.tenants.checklist import getting_started
from service.tenants.schemas import (
    TenantOwnSettingsSchema,
    time_zones,
)

bp = tenant_blueprint("tenants", __name__)

FIRST_PAGE = ListRequest("", 1)


def saved(message: str, endpoint: str, fragment: Callable, **values):
    """After a change: the refreshed fragment for htmx, else a flash and a redirect."""
    if wants_fragment():
        return fragment(notice=message)
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.get("/")
@require("tenant.home")
def home():
    # The HR admin learns here when the latest leadership report could not be delivered.
    failures = report_settings.latest_failures() if can(g.role, "tenant.reports.manage") else None
    if not can(g.role, "tenant.structure.view"):
        return render(
            "tenants/home.html", tenant=current_tenant, counts=None, steps=[], failures=failures
        )
    counts = services.setup_counts()
    return render(
        "tenants/home.html",
        tenant=current_tenant,
        counts=counts,
        steps=getting_started(counts, g.role),
        failures=failures,
    )


# Settings: the tenant's own, never its slug or status


def _settings_page(form, errors, status=200):
    return render(
        "tenants/settings.html",
        status=status,
        tenant=current_tenant,
        form=form,
        errors=errors,
        time_zones=sorted(time_zones()),
        channels=CHANNELS.items(),
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
        "quote_threshold": tenant.quote_threshold or "",
        "data_protection_contact": tenant.data_protection_contact or "",
        "default_channel": tenant.default_channel,
        "action_reminder_days": tenant.action_reminder_days,
        "survey_invite_days_before": tenant.survey_invite_days_before,
        "survey_reminder_days": tenant.survey_reminder_days.replace(",", ", "),
        "survey_expiry_days": tenant.survey_expiry_days,
        "audit_retention_days": tenant.audit_retention_days,
    }
    return _settings_page(form, {})


@bp.post("/settings")
@require("tenant.settings.edit")
@recent_proof_required  # the confidentiality thresholds guard who can be recognised
def edit_settings():
    form = {**request.form.to_dict(), "languages": request.form.getlist("languages")}
    if not can(g.role, "tenant.retention.edit"):  # the company's choice, not its agency's
        form.pop("audit_retention_days", None)
    _data, changed, errors = validate_and_apply(
        TenantOwnSettingsSchema(),
        form,
        lambda data: services.update_settings(current_tenant, data),
    )
    if errors:
        return _settings_page(form, errors, 422)
    if changed:
        flash(_("Settings saved."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for("tenants.settings"))


@bp.post("/settings/second-factor")
@require("tenant.second_factor.manage")
@recent_proof_required
def second_factor_requirement():
    _data, changed, errors = validate_and_apply(
        RequirementSchema(),
        request.form.to_dict(),
        lambda data: second_factor.set_required_in_tenant(
            current_user, current_tenant, data["required"]
        ),
    )
    company = current_tenant.name
    if errors:
        flash(" ".join(errors.get("form", [])), "error")
    elif not changed:
        flash(_("No changes to save."), "info")
    elif current_tenant.require_second_factor:
        flash(_("Everyone in %(company)s now needs a second factor.", company=company), "success")
    else:
        flash(_("A second factor is now optional in %(company)s.", company=company), "success")
    return redirect(url_for("tenants.settings"))
