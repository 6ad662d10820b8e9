"""Agency pages about people (/agency/<slug>/…): the consultants and their assignments to
client tenants, their invitations, and inviting a client tenant's first HR admin."""

import uuid

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import consultants as assignments
from service.accounts import invitations
from service.accounts.schemas import AssignmentSchema, InviteSchema
from service.listing import list_request
from service.permissions import require
from service.refusals import validate_and_apply
from service.rendering import render
from service.scopes import agency_blueprint
from service.tenancy import tenant_scope

bp = agency_blueprint("agency_people", __name__)


def _consultants_page(status=200, invite_form=None, invite_errors=None, assign_errors=None):
    listing = list_request(request.args)
    pagination = assignments.consultant_page(g.agency, listing.term, listing.page)
    return render(
        "accounts/consultants.html",
        block="listing",
        status=status,
        agency=g.agency,
        listing=listing,
        pagination=pagination,
        people=[(user.id, user.display_name) for user in assignments.all_consultants(g.agency)],
        companies=[(tenant.id, tenant.name) for tenant in assignments.active_clients(g.agency)],
        invite_form=invite_form or {"language": "nl"},
        invite_errors=invite_errors or {},
        pending=invitations.pending_for_agency(g.agency),
        assign_errors=assign_errors or {},
    )


@bp.get("/consultants")
@require("agency.consultants.manage")
def consultants():
    return _consultants_page()


def _assignment_change(change):
    """The form flow of assigning and unassigning: the (tenant, consultant) the form names,
    both of this agency (another agency's: 404), handed to ``change``. Returns the pair and
    the errors."""

    def apply(data):
        user = assignments.consultant_of(g.agency, data["user_id"])
        tenant = assignments.client_of(g.agency, data["tenant_id"])
        if user is None or tenant is None:
            abort(404)  # another agency's consultant or client: as if it did not exist
        change(tenant, user)
        return tenant, user

    _data, pair, errors = validate_and_apply(AssignmentSchema(), request.form.to_dict(), apply)
    return (pair or (None, None)), errors


@bp.post("/consultants/assign")
@require("agency.consultants.manage")
def assign_consultant():
    (tenant, user), errors = _assignment_change(assignments.assign)
    if errors:
        return _consultants_page(422, assign_errors=errors)
    flash(
        _("%(name)s is now assigned to %(company)s.", name=user.display_name, company=tenant.name),
        "info",
    )
    return redirect(url_for("agency_people.consultants"))


@bp.post("/consultants/unassign")
@require("agency.consultants.manage")
def unassign_consultant():
    (tenant, user), errors = _assignment_change(assignments.unassign)
    if errors:
        return _consultants_page(422, assign_errors=errors)
    flash(
        _(
            "%(name)s no longer has access to %(company)s.",
            name=user.display_name,
            company=tenant.name,
        ),
        "info",
    )
    return redirect(url_for("agency_people.consultants"))


@bp.post("/consultants/<uuid:user_id>/remove")
@require("agency.consultants.manage")
def remove_consultant(user_id: uuid.UUID):
    user = assignments.consultant_of(g.agency, user_id)
    if user is None:
        abort(404)  # not a consultant of this agency: as if it did not exist
    assignments.remove_from_agency(g.agency, user)
    flash(
        _(
            "%(name)s no longer belongs to the agency and has lost every assignment.",
            name=user.display_name,
        ),
        "info",
    )
    return redirect(url_for("agency_people.consultants"))


@bp.post("/consultants/invite")
@require("agency.consultants.manage")
def invite_consultant():
    form = request.form.to_dict()
    _data, sent, errors = validate_and_apply(
        InviteSchema(),
        form,
        lambda data: invitations.invite_to_agency(
            g.agency, **data, role="consultant", inviter=current_user
        ),
    )
    if errors:
        return _consultants_page(422, invite_form=form, invite_errors=errors)
    flash(invitations.sent_message(sent), "info")
    return redirect(url_for("agency_people.consultants"))


@bp.post("/invitations/<uuid:agency_invitation_id>/resend")
@require("agency.consultants.manage")
def resend_invitation(agency_invitation_id: uuid.UUID):
    invitation = invitations.agency_invitation_or_404(g.agency, agency_invitation_id)
    invitations.resend(invitation, g.agency.brand_name or g.agency.name, current_user)
    flash(invitations.sent_message(invitations.Sent(invitation.email, replaced=True)), "info")
    return redirect(url_for("agency_people.consultants"))


@bp.post("/invitations/<uuid:agency_invitation_id>/cancel")
@require("agency.consultants.manage")
def cancel_invitation(agency_invitation_id: uuid.UUID):
    invitation = invitations.agency_invitation_or_404(g.agency, agency_invitation_id)
    invitations.cancel(invitation)
    flash(invitations.cancelled_message(invitation), "info")
    return redirect(url_for("agency_people.consultants"))


@bp.route("/tenants/<uuid:tenant_id>/invite-admin", methods=["GET", "POST"])
@require("agency.tenant_admin.invite")
def invite_tenant_admin(tenant_id: uuid.UUID):
    tenant = assignments.client_of(g.agency, tenant_id)
    if tenant is None:
        abort(404)
    form = (
        request.form.to_dict()
        if request.method == "POST"
        else {"language": tenant.default_language}
    )
    errors: dict = {}
    if request.method == "POST":
        with tenant_scope(tenant.id):
            _data, sent, errors = validate_and_apply(
                InviteSchema(),
                form,
                lambda data: invitations.invite_to_tenant(
                    tenant, **data, role="hr_admin", inviter=current_user
                ),
            )
        if not errors:
            flash(invitations.sent_message(sent), "info")
            return redirect(url_for("agencies.home"))
    return render(
        "accounts/invite_admin.html",
        status=422 if errors else 200,
        place=tenant.name,
        form=form,
        errors=errors,
        action=url_for("agency_people.invite_tenant_admin", tenant_id=tenant.id),
        back=url_for("agencies.home"),
    )
