"""A tenant's members page (/t/<slug>/members): list and search, invite, change a role,
deactivate and reactivate. Open to the tenant's HR administrators and its agency's admins."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import invitations, members
from service.accounts.reauth import recent_proof_required
from service.accounts.schemas import RoleSchema, TenantInviteSchema
from service.confirmation import Confirmation, ask, asking
from service.labels import ROLES
from service.listing import list_request
from service.permissions import require
from service.refusals import validate_and_apply
from service.rendering import render
from service.roles import TenantRole
from service.scopes import current_tenant, tenant_blueprint

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


@bp.route("/invitations/<uuid:invitation_id>/cancel", methods=["GET", "POST"])
@require("tenant.members.manage")
def cancel_invitation(invitation_id: uuid.UUID):
    invitation = invitations.pending_tenant_invitation_or_404(invitation_id)
    if asking():
        return ask(
            invitations.cancellation(invitation, current_tenant.name, url_for("members.index"))
        )
    invitations.cancel(invitation)
    flash(invitations.cancelled_message(invitation), "info")
    return redirect(url_for("members.index"))


def _row_change(membership_id: uuid.UUID, schema, change, said):
    """The form flow of a member row: a refusal re-renders the list with the reason on the
    row; otherwise back to the list with what ``said(row, data, changed)`` tells."""
    row = members.member_or_404(membership_id)  # another tenant's member: 404 first
    data, changed, errors = validate_and_apply(schema, request.form.to_dict(), change)
    if errors:
        reason = " ".join(str(message) for messages in errors.values() for message in messages)
        return _page(422, row_errors={membership_id: reason})
    flash(said(row, data, changed), "success" if changed else "info")
    if changed and row.user.id == current_user.id:
        return redirect(url_for("accounts.index"))  # this page may be closed to them now
    return redirect(url_for("members.index"))


def _role_said(row, data, changed) -> str:
    name, role = row.user.display_name, ROLES[data["role"]]
    if changed:
        return _("%(name)s now has the role %(role)s.", name=name, role=role)
    return _("Nothing changed: %(name)s already has the role %(role)s.", name=name, role=role)


def _giving_up_admin(row, role: str | None) -> Confirmation | None:
    """An HR administrator who takes another role for themselves loses this page at once
    and cannot undo it: asked first (unless the change would be refused anyway)."""
    stays_admin = role == TenantRole.HR_ADMIN or role not in ROLE_CHOICES
    if stays_admin or row.user.id != current_user.id:
        return None
    if row.membership.role != TenantRole.HR_ADMIN or members.deactivation_refusal(row.membership):
        return None
    return Confirmation(
        question=_("Give up your role of %(role)s?", role=ROLES[TenantRole.HR_ADMIN]),
        consequences=[
            _(
                "Your role becomes %(role)s, and you lose the members and settings pages of "
                "%(company)s at once; only another HR administrator can give you the role back.",
                role=ROLES[role],
                company=current_tenant.name,
            )
        ],
        fields=[("role", role), ("confirmed", "yes")],
        confirm=_("Change my role"),
        back=url_for("members.index"),
    )


@bp.post("/<uuid:membership_id>/role")
@require("tenant.members.manage")
@recent_proof_required
def change_role(membership_id: uuid.UUID):
    giving_up = _giving_up_admin(members.member_or_404(membership_id), request.form.get("role"))
    if giving_up is not None and not request.form.get("confirmed"):
        return ask(giving_up)
    return _row_change(
        membership_id,
        RoleSchema(),
        lambda data: members.change_role(membership_id, data["role"]),
        _role_said,
    )


def _deactivation(row) -> Confirmation:
    name, company = row.user.display_name, current_tenant.name
    yourself = row.user.id == current_user.id
    if yourself:
        lost = [
            _(
                "That is you: you lose access to %(company)s at once, and only another HR "
                "administrator can give it back.",
                company=company,
            )
        ]
    else:
        lost = [_("They lose access to %(company)s at once.", company=company)]
    if not members.keeps_access(row.user.id, ending_membership=row.membership):
        lost.append(
            _("You have no other workspace, so you are also signed out on every device.")
            if yourself
            else _("They have no other workspace, so they are also signed out on every device.")
        )
    if row.membership.deactivated_at is not None:
        refusal = _("%(name)s is already deactivated.", name=name)
    else:
        refusal = members.deactivation_refusal(row.membership)
    return Confirmation(
        question=_("Deactivate %(name)s?", name=name),
        consequences=lost,
        undo=None if yourself else _("You can reactivate them later on the members page."),
        refusal=refusal,
        confirm=_("Deactivate"),
        back=url_for("members.index"),
    )


def _deactivation_said(row, _data, changed) -> str:
    name = row.user.display_name
    if changed:
        return _(
            "%(name)s has been deactivated and no longer has access. To undo, choose "
            "Reactivate on their row.",
            name=name,
        )
    return _("%(name)s was already deactivated.", name=name)


@bp.route("/<uuid:membership_id>/deactivate", methods=["GET", "POST"])
@require("tenant.members.manage")
def deactivate(membership_id: uuid.UUID):
    if asking():
        return ask(_deactivation(members.member_or_404(membership_id)))
    return _row_change(
        membership_id, None, lambda _data: members.deactivate(membership_id), _deactivation_said
    )


def _reactivation_said(row, _data, changed) -> str:
    name = row.user.display_name
    if changed:
        return _("%(name)s has access again.", name=name)
    return _("Nothing changed: %(name)s already has access.", name=name)


@bp.post("/<uuid:membership_id>/reactivate")
@require("tenant.members.manage")
def reactivate(membership_id: uuid.UUID):
    return _row_change(
        membership_id, None, lambda _data: members.reactivate(membership_id), _reactivation_said
    )
