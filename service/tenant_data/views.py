"""The company's data as a whole (/t/<slug>/settings/data, its HR admin): a full export
built in the background and downloaded once; the deletion of everything after a grace
period, cancellable until then (the banner on every page: templates/base.html)."""

import datetime as dt
import uuid

import sqlalchemy as sa
from flask import abort, current_app, flash, g, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts.models import User
from service.accounts.reauth import recent_proof_required
from service.extensions import db
from service.i18n import day
from service.model_types import utcnow
from service.permissions import can, require
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.tenancy import current_tenant_id, get_for_tenant_or_404, of_current_tenant
from service.tenant_data import deletion, keeping
from service.tenant_data.archive import tenant_tables
from service.tenant_data.exports import start_export
from service.tenant_data.models import TenantExport

bp = tenant_blueprint("tenant_data", __name__, "/settings/data")

SHOWN_EXPORTS = 10
CONFIRM_NAME_MAX = 200


def _page(errors=None, typed: str = "", status: int = 200):
    exports = db.session.scalars(
        sa.select(TenantExport)
        .where(of_current_tenant(TenantExport))
        .order_by(TenantExport.created_at.desc())
        .limit(SHOWN_EXPORTS)
    ).all()
    people = {export.requested_by for export in exports} | {current_tenant.deletion_requested_by}
    names = dict(
        db.session.execute(
            sa.select(User.id, User.display_name).where(User.id.in_(people - {None}))
        )
        .tuples()
        .all()
    )
    grace_days = current_app.config["TENANT_DELETION_GRACE_DAYS"]
    return render(
        "tenant_data/index.html",
        block="exports",
        status=status,
        exports=exports,
        names=names,
        errors=errors or {},
        typed=typed,
        tenant=current_tenant,
        due_day=deletion.due_day(current_tenant),
        grace_days=grace_days,
        grace_day=utcnow() + dt.timedelta(days=grace_days),
        table_count=len(tenant_tables()),
        may_delete=can(g.role, "tenant.deletion.manage"),
    )


@bp.get("")
@require("tenant.export.manage")
def index():
    return _page()


@bp.post("/exports")
@require("tenant.export.manage")
@recent_proof_required
def export_start():
    if start_export(current_user, str(get_locale())) is None:
        flash(_("An export is already under way: it is shown below."), "info")
    else:
        flash(_("The export has started. You may leave this page: it goes on."), "success")
    return redirect(url_for(".index"), 303)


@bp.get("/exports/<uuid:export_id>/download")
@require("tenant.export.manage")
@recent_proof_required
def export_download(export_id: uuid.UUID):
    export = get_for_tenant_or_404(TenantExport, export_id)
    if export.requested_by != current_user.id:
        abort(403)  # delivered to the person who asked for it, and only to them
    content = keeping.take_archive(export.id, utcnow())
    if content is None:
        return render("tenant_data/gone.html", status=410)
    response = make_response(content)
    name = f"exitloop-{g.tenant.slug}-{export.created_at:%Y%m%d-%H%M}.zip"
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/deletion")
@require("tenant.deletion.manage")
@recent_proof_required
def deletion_request():
    typed = request.form.get("company_name", "")[:CONFIRM_NAME_MAX]
    if " ".join(typed.split()).casefold() != " ".join(current_tenant.name.split()).casefold():
        message = _("Type the company's name exactly as shown: %(name)s", name=current_tenant.name)
        return _page({"company_name": [message]}, typed, 422)
    if current_tenant.deletion_due_at is not None:
        flash(_("The deletion was already requested."), "info")
        return redirect(url_for(".index"), 303)
    tenant = deletion.request_deletion(current_tenant_id(), current_user, utcnow())
    flash(
        _(
            "All data of %(company)s will be deleted on %(day)s. Until then you can cancel.",
            company=tenant.name,
            day=day(deletion.due_day(tenant)),
        ),
        "success",
    )
    return redirect(url_for(".index"), 303)


@bp.post("/deletion/cancel")
@require("tenant.deletion.manage")
def deletion_cancel():
    if deletion.cancel_deletion(current_tenant_id()):
        flash(_("The deletion is cancelled: nothing will be deleted."), "success")
    else:
        flash(_("No deletion was requested."), "info")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/t/") else url_for(".index"), 303)
