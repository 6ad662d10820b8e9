"""Platform pages about people (/platform/…): inviting an agency's first admin, and
requiring a second factor of every platform and agency staff member."""

import uuid

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import invitations, second_factor
from service.accounts.reauth import recent_proof_required
from service.accounts.schemas import InviteSchema, RequirementSchema
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


@bp.route("/second-factor", methods=["GET", "POST"])
@require("platform.second_factor.manage")
@recent_proof_required
def second_factor_requirement():
    errors: dict = {}
    if request.method == "POST":
        _data, changed, errors = validate_and_apply(
            RequirementSchema(),
            request.form.to_dict(),
            lambda data: second_factor.set_required_for_staff(current_user, data["required"]),
        )
        if not errors:
            flash(_("Saved.") if changed else _("No changes to save."), "success")
            return redirect(url_for("platform_people.second_factor_requirement"))
    return render(
        "accounts/staff_second_factor.html",
        status=422 if errors else 200,
        errors=errors,
        required=second_factor.required_for_staff(),
    )
