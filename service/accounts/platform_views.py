"""Platform page about people, on the platform blueprint: an agency's first admin."""

import uuid

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import invitations
from service.accounts.schemas import InviteSchema
from service.extensions import db
from service.permissions import require
from service.platform.views import bp
from service.rendering import render
from service.tenants.models import Agency
from service.validation import load_or_errors


@bp.route("/agencies/<uuid:agency_id>/invite-admin", methods=["GET", "POST"])
@require("platform.agency_admin.invite")
def invite_agency_admin(agency_id: uuid.UUID):
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    form = request.form.to_dict() if request.method == "POST" else {"language": "nl"}
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_or_errors(InviteSchema(), form)
        if data is not None:
            try:
                invitations.invite_to_agency(
                    agency,
                    data["email"],
                    data["display_name"],
                    "agency_admin",
                    data["language"],
                    current_user,
                )
            except invitations.AlreadyMember:
                errors = {"email": [_("This person already belongs to the agency.")]}
            if not errors:
                flash(_("The invitation has been sent to %(email)s.", email=data["email"]), "info")
                return redirect(url_for("platform.home"))
    return render(
        "accounts/invite_admin.html",
        status=422 if errors else 200,
        place=agency.name,
        form=form,
        errors=errors,
        action=url_for("platform.invite_agency_admin", agency_id=agency.id),
        back=url_for("platform.home"),
    )
