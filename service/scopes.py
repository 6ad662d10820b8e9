"""The resolvers: which tenant, agency or platform a URL names, and the user's role there.

``/t/<tenant_slug>/…``, ``/agency/<agency_slug>/…`` and ``/platform/…`` pages live on
blueprints made here, and only here is membership checked: a scope the user does not
belong to answers 404, exactly as if it did not exist.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.local import LocalProxy

from service.accounts import second_factor
from service.accounts.models import AgencyMembership, AgencyRole
from service.errors import Suspended
from service.extensions import db, login_manager
from service.rendering import to_page
from service.tenancy import current_tenant_id, of_current_tenant, reset_tenant, set_tenant
from service.tenants.models import Agency, Membership, Tenant, TenantStatus

SCOPED_BLUEPRINTS: dict[str, str] = {}

current_tenant: Tenant = LocalProxy(lambda: g.tenant)


def _scoped_blueprint(name: str, import_name: str, prefix: str, scope: str, resolve) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=prefix)
    bp.before_request(_require_login)
    bp.before_request(resolve)
    bp.after_request(_remember_workspace)
    SCOPED_BLUEPRINTS[name] = scope
    return bp


def _require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


# The longest page address remembered as the way back; a longer one is cut to its path.
MAX_WAY_BACK = 500


def _remember_workspace(response):
    """The last page a person read in a workspace, and that workspace's name: the way back
    from the pages outside every workspace (the profile). Full pages only, not fragments,
    images or refusals."""
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.mimetype != "text/html"
        or request.headers.get("HX-Request")
    ):
        return response
    path = request.full_path if request.query_string else request.path
    scope = g.get("tenant") or g.get("agency")
    place = {
        "path": path if len(path) <= MAX_WAY_BACK else request.path,
        "name": scope.name if scope is not None else "Exitloop",
    }
    if session.get("workspace") != place:
        session["workspace"] = place
    return response


def _slug_blueprint(name, import_name, scope: str, url: str, prefix: str, resolve) -> Blueprint:
    """A blueprint under /<url>/<{scope}_slug>: the slug goes to ``g``, and url_for fills
    it in from the scope being served, so views never pass it around."""
    slug = f"{scope}_slug"
    bp = _scoped_blueprint(name, import_name, f"/{url}/<{slug}>{prefix}", scope, resolve)

    @bp.url_value_preprocessor
    def _pull_slug(endpoint, values):
        setattr(g, slug, values.pop(slug))

    @bp.url_defaults
    def _add_slug(endpoint, values):
        if slug not in values and scope in g:
            values[slug] = getattr(g, scope).slug

    return bp


def tenant_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    return _slug_blueprint(name, import_name, "tenant", "t", prefix, _resolve_tenant)


def agency_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    return _slug_blueprint(name, import_name, "agency", "agency", prefix, _resolve_agency)


def platform_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    return _scoped_blueprint(name, import_name, "/platform" + prefix, "platform", _resolve_platform)


def tenant_role(user, tenant: Tenant) -> str | None:
    """The user's effective role in ``tenant`` (call with the tenant context set)."""
    membership = db.session.scalar(
        sa.select(Membership).where(
            of_current_tenant(Membership),
            Membership.tenant_id == tenant.id,
            Membership.user_id == user.id,
            Membership.deactivated_at.is_(None),  # a deactivated member has no access
        )
    )
    staff_role = agency_role(user, tenant.agency_id) if tenant.agency_id else None
    if membership is not None and membership.assigned_by_agency:
        if not _agency_is_active(tenant.agency_id):
            return None  # a suspended agency's consultants lose its clients, as its admins do
        return membership.role.value
    if staff_role is None:
        return membership.role.value if membership is not None else None
    # Agency staff reach the agency's clients only through the agency: a tenant-managed
    # membership they somehow hold there counts for nothing (it would outlive a suspension).
    if staff_role == "agency_admin" and _agency_is_active(tenant.agency_id):
        return "agency_admin"
    return None


def _agency_is_active(agency_id) -> bool:
    status = db.session.scalar(sa.select(Agency.status).where(Agency.id == agency_id))
    return status == TenantStatus.ACTIVE


def agency_role(user, agency_id) -> str | None:
    query = sa.select(AgencyMembership.role).where(
        AgencyMembership.agency_id == agency_id, AgencyMembership.user_id == user.id
    )
    role = db.session.scalar(query)
    return role.value if isinstance(role, AgencyRole) else None


def _resolve_tenant():
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == g.tenant_slug))
    if tenant is None:
        abort(404)
    g.tenant_token = set_tenant(tenant.id)
    role = tenant_role(current_user, tenant)
    if role is None:
        abort(404)
    if tenant.status != TenantStatus.ACTIVE and role != "agency_admin":
        raise Suspended("tenant")
    g.tenant, g.role = tenant, role
    if role == "agency_admin":  # its way back to the portfolio (templates/base.html)
        g.portfolio_agency = db.session.get(Agency, tenant.agency_id)
    if tenant.require_second_factor or (
        role == "agency_admin" and second_factor.required_for_staff()
    ):
        return _second_factor_first()
    return None


def _resolve_agency():
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == g.agency_slug))
    if agency is None:
        abort(404)
    role = agency_role(current_user, agency.id)
    if role is None:
        abort(404)
    if agency.status != TenantStatus.ACTIVE:
        raise Suspended("agency")  # a suspended agency's own members are refused, plainly
    g.agency, g.role = agency, role
    if second_factor.required_for_staff():
        return _second_factor_first()
    return None


def _resolve_platform():
    if not current_user.is_platform_admin:
        abort(404)
    g.role = "platform_admin"
    if second_factor.required_for_staff():
        return _second_factor_first()
    return None


def _second_factor_first():
    """Where a second factor is required, someone without one does nothing in the scope
    until they set it up: every page of it leads to the set-up."""
    if current_user.has_second_factor:
        return None
    flash(_("%(place)s requires a second factor. Set it up to continue.", place=_place()), "info")
    return to_page(url_for("second_factor.manage"))


def _place() -> str:
    scope = g.get("tenant") or g.get("agency")
    return scope.name if scope is not None else "Exitloop"


def release_tenant(exc=None) -> None:
    """Teardown: a reused worker thread must not keep the last request's tenant."""
    token = g.pop("tenant_token", None)
    if token is not None:
        reset_tenant(token)


def tenant_today() -> dt.date:
    """Today where the current tenant is (its time zone), in a request or a job: a deadline,
    a period or a month in progress is a day on the company's calendar."""
    tenant = db.session.get(Tenant, current_tenant_id())
    return dt.datetime.now(ZoneInfo(tenant.time_zone)).date()
