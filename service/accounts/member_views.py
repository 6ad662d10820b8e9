"""A tenant's members page (/t/<slug>/members): list and search, invite, change a role,
deactivate and reactivate. Open to the tenant's HR administrators and its agency's admins."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import invitations, members
from service.accounts.schemas import RoleSchema, TenantInviteSchema
from service.labels import ROLES
from service.listing import list_request
from service.permissions import require
from service.refusals import validate_and_apply
from service.rendering import render
from service.roles import TenantRole
from service.scopes import current_tenant, tenant_blueprint
from service.tenancy import get_for_tenant_or_404
from service.tenants.models import Membership

bp = tenant_blueprint("members", __name__, "/members")

ROLE_CHOICES = tuple(TenantRole)


def _page(status=200, invite_form=None, invite_errors=None, row_errors=None):
    listing = list_request(request.args)
    pagination, rows = members.members_page(listing.term, listing.page)
    return render(
        "accounts/members.html",
        block="listing" if request.method == "GET" else None,
        status=status,
        pagination=pagination,
        rows=rows,
        listing=listing,
        role_choices=ROLE_CHOICES,
        role_options=[(code, ROLES[code]) for code in ROLE_CHOICES],
        pending=invitations.pending_for_tenant(),
        invite_form=invite_form or {"language": current_tenant.default_language},
        invite_errors=invite_errors or {},
        row_errors=row_errors or {},
    )


@bp.get("/")
@require("tenant.members.manage")
def index():
    return _page()


@bp.post("/invite")
@require("tenant.members.manage")
def invite():
    form = request.form.to_dict()
    data, sent, errors = validate_and_apply(
        TenantInviteSchema(),
        form,
        lambda data: invitations.invite_to_tenant(current_tenant, **data, inviter=current_user),
    )
    if errors:
        return _page(422, invite_form=form, invite_errors=errors)
    flash(invitations.sent_message(sent), "info")
    return redirect(url_for("members.index"))


@bp.post("/invitations/<uuid:invitation_id>/resend")
@require("tenant.members.manage")
def resend_invitation(invitation_id: uuid.UUID):
    invitation = invitations.pending_tenant_invitation_or_404(invitation_id)
    invitations.resend(invitation, current_tenant.name, current_user)
    flash(invitations.sent_message(invitations.Sent(invitation.email, replaced=True)), "info")
    return redirect(url_for("members.index"))


@bp.post("/invitations/<uuid:invitation_id>/cancel")
@require("tenant.members.manage")
def cancel_invitation(invitation_id: uuid.UUID):
    invitation = invitations.pending_tenant_invitation_or_404(invitation_id)
    invitations.cancel(invitation)
    flash(invitations.cancelled_message(invitation), "info")
    return redirect(url_for("members.index"))


def _row_change(membership_id: uuid.UUID, schema, change, done: str):
    """The form flow of a member row: a refusal re-renders the list with the reason on the
    row; otherwise back to the list with ``done``."""
    get_for_tenant_or_404(Membership, membership_id)  # another tenant's member: 404 first
    _data, _changed, errors = validate_and_apply(schema, request.form.to_dict(), change)
    if errors:
        reason = " ".join(str(message) for messages in errors.values() for message in messages)
        return _page(422, row_errors={membership_id: reason})
    flash(done, "info")
    return redirect(url_for("members.index"))


@bp.post("/<uuid:membership_id>/role")
@require("tenant.members.manage")
def change_role(membership_id: uuid.UUID):
    return _row_change(
        membership_id,
        RoleSchema(),
        lambda data: members.change_role(membership_id, data["role"]),
        _("The role has been changed."),
    )


@bp.post("/<uuid:membership_id>/deactivate")
@require("tenant.members.manage")
def deactivate(membership_id: uuid.UUID):
    return _row_change(
        membership_id,
        None,
        lambda _data: members.deactivate(membership_id),
        _("The member has been deactivated and no longer has access."),
    )


@bp.post("/<uuid:membership_id>/reactivate")
@require("tenant.members.manage")
def reactivate(membership_id: uuid.UUID):
    return _row_change(
        membership_id,
        None,
        lambda _data: members.reactivate(membership_id),
        _("The member has access again."),
    )
