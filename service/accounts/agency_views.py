"""Agency pages about people (/agency/<slug>/…): the consultants and their assignments to
client tenants, their invitations, and inviting a client tenant's first HR admin."""

import uuid

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from service.accounts import consultants as assignments
from service.accounts import invitations, members
from service.accounts.schemas import AssignmentSchema, InviteSchema
from service.confirmation import Confirmation, ask, asking
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


def _pair_or_404(user_id: uuid.UUID, tenant_id: uuid.UUID):
    """The consultant and the client tenant, both of this agency (another agency's: 404)."""
    user = assignments.consultant_of(g.agency, user_id)
    tenant = assignments.client_of(g.agency, tenant_id)
    if user is None or tenant is None:
        abort(404)  # another agency's consultant or client: as if it did not exist
    return tenant, user


@bp.post("/consultants/assign")
@require("agency.consultants.manage")
def assign_consultant():
    def apply(data):
        tenant, user = _pair_or_404(data["user_id"], data["tenant_id"])
        return tenant, user, assignments.assign(tenant, user)

    _data, done, errors = validate_and_apply(AssignmentSchema(), request.form.to_dict(), apply)
    if errors:
        return _consultants_page(422, assign_errors=errors)
    tenant, user, assigned = done
    names = {"name": user.display_name, "company": tenant.name}
    if assigned:
        flash(_("%(name)s is now assigned to %(company)s.", **names), "success")
    else:
        flash(_("%(name)s was already assigned to %(company)s.", **names), "info")
    return redirect(url_for("agency_people.consultants"))


def _unassignment(tenant, user) -> Confirmation:
    names = {"name": user.display_name, "company": tenant.name}
    assigned = assignments.is_assigned(tenant, user)
    return Confirmation(
        question=_("Remove %(name)s from %(company)s?", **names),
        consequences=[_("Their access to %(company)s ends at once.", **names)],
        undo=_("You can assign them again on the consultants page at any time."),
        refusal=None if assigned else _("%(name)s is not assigned to %(company)s.", **names),
        confirm=_("Remove the assignment"),
        back=url_for("agency_people.consultants"),
    )


@bp.route("/consultants/<uuid:user_id>/clients/<uuid:tenant_id>/unassign", methods=["GET", "POST"])
@require("agency.consultants.manage")
def unassign_consultant(user_id: uuid.UUID, tenant_id: uuid.UUID):
    tenant, user = _pair_or_404(user_id, tenant_id)
    if asking():
        return ask(_unassignment(tenant, user))
    names = {"name": user.display_name, "company": tenant.name}
    if assignments.unassign(tenant, user):
        flash(
            _(
                "%(name)s no longer has access to %(company)s. To undo, assign them again below.",
                **names,
            ),
            "success",
        )
    else:
        flash(_("%(name)s was not assigned to %(company)s.", **names), "info")
    return redirect(url_for("agency_people.consultants"))


def _removal(user) -> Confirmation:
    agency = g.agency
    clients = [tenant.name for tenant in assignments.assigned_clients(agency, user)]
    if clients:
        ending = ngettext(
            "Their assignment to %(num)s client company ends at once: %(companies)s.",
            "Their assignments to %(num)s client companies end at once: %(companies)s.",
            len(clients),
            companies=", ".join(clients),
        )
    else:
        ending = _("They are not assigned to any client company.")
    lost = [_("They lose access to %(agency)s at once.", agency=agency.name), ending]
    if not members.keeps_access(user.id, ending_agency=agency):
        lost.append(
            _(
                "They have no other workspace, so their account is deactivated and signed out "
                "on every device."
            )
        )
    return Confirmation(
        question=_("Remove %(name)s from %(agency)s?", name=user.display_name, agency=agency.name),
        consequences=lost,
        undo=_("To undo, invite them to the agency again and assign them anew."),
        confirm=_("Remove from the agency"),
        back=url_for("agency_people.consultants"),
    )


@bp.route("/consultants/<uuid:user_id>/remove", methods=["GET", "POST"])
@require("agency.consultants.manage")
def remove_consultant(user_id: uuid.UUID):
    user = assignments.consultant_of(g.agency, user_id)
    if user is None:
        abort(404)  # not a consultant of this agency: as if it did not exist
    if asking():
        return ask(_removal(user))
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


@bp.route("/invitations/<uuid:agency_invitation_id>/cancel", methods=["GET", "POST"])
@require("agency.consultants.manage")
def cancel_invitation(agency_invitation_id: uuid.UUID):
    invitation = invitations.agency_invitation_or_404(g.agency, agency_invitation_id)
    if asking():
        place = g.agency.brand_name or g.agency.name
        back = url_for("agency_people.consultants")
        return ask(invitations.cancellation(invitation, place, back))
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
