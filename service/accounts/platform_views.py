"""Platform page about people (/platform/…): inviting an agency's first admin."""

import uuid

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from service.accounts import invitations
from service.accounts.schemas import InviteSchema
from service.extensions import db
from service.permissions import require
from service.refusals import validate_and_apply
from service.rendering import render
from service.scopes import platform_blueprint
from service.tenants.models import Agency

bp = platform_blueprint("platform_people", __name__)


@bp.route("/agencies/<uuid:agency_id>/invite-admin", methods=["GET", "POST"])
@require("platform.agency_admin.invite")
def invite_agency_admin(agency_id: uuid.UUID):
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    form = request.form.to_dict() if request.method == "POST" else {"language": "nl"}
    errors: dict = {}
    if request.method == "POST":
        _data, sent, errors = validate_and_apply(
            InviteSchema(),
            form,
            lambda data: invitations.invite_to_agency(
                agency, **data, role="agency_admin", inviter=current_user
            ),
        )
        if not errors:
            flash(invitations.sent_message(sent), "info")
            return redirect(url_for("platform.home"))
    return render(
        "accounts/invite_admin.html",
        status=422 if errors else 200,
        place=agency.name,
        form=form,
        errors=errors,
        action=url_for("platform_people.invite_agency_admin", agency_id=agency.id),
        back=url_for("platform.home"),
    )
