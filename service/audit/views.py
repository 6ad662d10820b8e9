"""The audit trails' pages: a company's (/t/<slug>/settings/audit, its HR admin) and the
platform's (/platform/audit): filters in the URL, pages, and a CSV of the same filter
(the download is itself audited)."""

from flask import g, make_response, request

from service.audit import services
from service.audit.trail import ACTIONS, OBJECT_LABELS, PLATFORM, TENANT, actions_of
from service.exports import CSV_TYPE
from service.permissions import require
from service.rendering import render
from service.scopes import current_tenant, platform_blueprint, tenant_blueprint

bp = tenant_blueprint("audit", __name__, "/settings/audit")
platform = platform_blueprint("platform_audit", __name__, "/audit")

PLATFORM_TIME_ZONE = "UTC"  # the platform's page and filters read in UTC


def _page(trail: str, endpoint: str, time_zone: str):
    chosen = services.read_filter(request.args, trail)
    pagination = services.entries_page(trail, chosen, time_zone)
    return render(
        "audit/trail.html",
        block="entries",
        trail=trail,
        endpoint=endpoint,
        time_zone=time_zone,
        chosen=chosen,
        query=chosen.arguments(),
        pagination=pagination,
        places=services.places(pagination.items) if trail == PLATFORM else {},
        actors=services.actors(trail),
        action_labels=actions_of(trail),
        labels={key: audited.label for key, audited in ACTIONS.items()},
        object_labels=OBJECT_LABELS,
    )


def _download(trail: str, time_zone: str, filename: str):
    chosen = services.read_filter(request.args, trail)
    response = make_response(services.export_csv(trail, chosen, time_zone))
    response.headers["Content-Type"] = CSV_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/")
@require("tenant.audit.view")
def index():
    return _page(TENANT, "audit.index", current_tenant.time_zone)


@bp.get("/export.csv")
@require("tenant.audit.view")
def export():
    return _download(TENANT, current_tenant.time_zone, f"audit-{g.tenant.slug}.csv")


@platform.get("/")
@require("platform.audit.view")
def platform_index():
    return _page(PLATFORM, "platform_audit.platform_index", PLATFORM_TIME_ZONE)


@platform.get("/export.csv")
@require("platform.audit.view")
def platform_export():
    return _download(PLATFORM, PLATFORM_TIME_ZONE, "audit-platform.csv")
