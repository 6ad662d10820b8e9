"""Inviting people: into a tenant with a role, or into an agency.

An invitation belongs to the tenant or agency that made it. It keeps what the inviter
typed, is listed, resent and cancelled only there, and never touches another tenant's
invitations or anyone's account. Access starts only when the person accepts through the
emailed single-use link: a new person chooses a name and a password; someone who already
has an account signs in and accepts. Nothing tells the inviter whether the address has an
account elsewhere.

Agency staff reach the agency's clients only through the agency (the implicit agency_admin
role, or a consultant's assignment): they never hold a tenant-managed membership of one of
those clients, and a client's member never joins that client's agency.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import sessions
from service.accounts.links import LinkRefused, Refusal
from service.accounts.models import (
    AgencyInvitation,
    AgencyMembership,
    AgencyRole,
    TenantInvitation,
    User,
)
from service.accounts.passwords import hash_password
from service.accounts.tokens import new_token, token_hash
from service.accounts.users import find_user, normalise_email
from service.audit import trail as audit
from service.confirmation import Confirmation
from service.extensions import db
from service.i18n import language_for
from service.labels import ROLES
from service.mail.outbox import queue_email
from service.model_types import as_utc, utcnow
from service.refusals import Refused
from service.tenancy import (
    current_tenant_id,
    get_for_tenant_or_404,
    of_current_tenant,
    tenant_scope,
    unscoped,
)
from service.tenants.models import Agency, Membership, Tenant, TenantRole

Invitation = TenantInvitation | AgencyInvitation


@dataclass(frozen=True)
class Found:
    """A valid invitation, the place it leads to and the account its address already has."""

    invitation: Invitation
    place: Tenant | Agency
    account: User | None

    @property
    def needs_password(self) -> bool:
        """A new person (or one without a usable account) chooses a password; someone with
        an account signs in instead."""
        return self.account is None or not self.account.has_password or not self.account.active


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])


# --- sending -----------------------------------------------------------------------------


def _issue(invitation: Invitation, place_name: str, inviter: User, tenant_id=None) -> None:
    """A fresh link for ``invitation`` and the email carrying it (the caller commits), in
    the language the inviter chose, unless the address has an account that chose its own."""
    token = new_token()
    now = utcnow()
    invitation.token_hash = token_hash(token)
    invitation.created_at, invitation.expires_at = now, now + lifetime()
    invitation.invited_by = inviter.id
    account = find_user(invitation.email)
    language = language_for(account, invitation.language)
    with force_locale(language):
        role_label = str(ROLES[invitation.role.value])
    queue_email(
        to=invitation.email,
        template="invitation",
        language=language,
        context={
            "name": invitation.display_name,
            "inviter": inviter.display_name,
            "place": place_name,
            "role": role_label,
            "url": url_for("accounts.accept_invitation", token=token, _external=True),
            "has_account": account is not None and account.has_password,
            "days": int(lifetime().total_seconds() // 86400),
        },
        tenant_id=tenant_id,
        secret=True,
    )


def _already_member() -> Refused:
    return Refused({"email": [_("This person is already a member.")]})


def _agency_staff_refusal() -> Refused:
    return Refused(
        {
            "email": [
                _(
                    "This person works for the company's agency: the agency gives its staff "
                    "access (consultants through an assignment)."
                )
            ]
        }
    )


def _client_member_refusal() -> Refused:
    return Refused(
        {
            "email": [
                _(
                    "This person is a member of one of the agency's client companies and "
                    "cannot also join the agency."
                )
            ]
        }
    )


def is_agency_staff(user_id: uuid.UUID, agency_id: uuid.UUID | None) -> bool:
    if agency_id is None:
        return False
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AgencyMembership)
            .where(AgencyMembership.agency_id == agency_id, AgencyMembership.user_id == user_id)
        )
        > 0
    )


def _is_client_member(user_id: uuid.UUID, agency_id: uuid.UUID) -> bool:
    """Whether the user holds a tenant-managed membership of one of the agency's clients."""
    with unscoped("an agency's clients' memberships of one person"):
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(
                Tenant.agency_id == agency_id,
                Membership.user_id == user_id,
                Membership.assigned_by_agency.is_(False),
            )
        )
    return count > 0


def _active_membership(user: User | None) -> Membership | None:
    if user is None:
        return None
    return db.session.scalar(
        sa.select(Membership).where(
            of_current_tenant(Membership),
            Membership.user_id == user.id,
            Membership.deactivated_at.is_(None),
        )
    )


def _pending_tenant_invitation(email: str) -> TenantInvitation | None:
    return db.session.scalar(
        sa.select(TenantInvitation).where(
            of_current_tenant(TenantInvitation),
            TenantInvitation.email == email,
            TenantInvitation.unanswered(),
        )
    )


@dataclass(frozen=True)
class Sent:
    email: str
    replaced: bool  # an earlier pending invitation to the same address was replaced


def invite_to_tenant(
    tenant: Tenant, email: str, display_name: str, role: str, language: str, inviter: User
) -> Sent:
    """Invite ``email`` into the current tenant with ``role``; raises Refused. An earlier
    pending invitation of this tenant to the same address is replaced (its link dies)."""
    assert tenant.id == current_tenant_id()
    email = normalise_email(email)
    user = find_user(email)
    if user is not None and is_agency_staff(user.id, tenant.agency_id):
        raise _agency_staff_refusal()
    if _active_membership(user) is not None:
        raise _already_member()
    earlier = _pending_tenant_invitation(email)
    if earlier is not None:
        earlier.cancelled_at = utcnow()
    invitation = TenantInvitation(
        email=email, display_name=display_name, role=TenantRole(role), language=language
    )
    db.session.add(invitation)
    _issue(invitation, tenant.name, inviter, tenant_id=tenant.id)
    audit.record("membership.invite", invitation, {"role": role, "language": language})
    db.session.commit()
    return Sent(email, replaced=earlier is not None)


def invite_to_agency(
    agency: Agency, email: str, display_name: str, role: str, language: str, inviter: User
) -> Sent:
    """Invite ``email`` into the agency with ``role``; raises Refused."""
    email = normalise_email(email)
    user = find_user(email)
    if user is not None:
        if db.session.get(AgencyMembership, (agency.id, user.id)) is not None:
            raise Refused({"email": [_("This person already belongs to the agency.")]})
        if _is_client_member(user.id, agency.id):
            raise _client_member_refusal()
    earlier = db.session.scalar(
        sa.select(AgencyInvitation).where(
            AgencyInvitation.agency_id == agency.id,
            AgencyInvitation.email == email,
            AgencyInvitation.unanswered(),
        )
    )
    if earlier is not None:
        earlier.cancelled_at = utcnow()
    invitation = AgencyInvitation(
        agency_id=agency.id,
        email=email,
        display_name=display_name,
        role=AgencyRole(role),
        language=language,
    )
    db.session.add(invitation)
    _issue(invitation, agency.brand_name or agency.name, inviter)
    audit.record("agency.invite_staff", invitation, {"role": role}, agency_id=agency.id)
    db.session.commit()
    return Sent(email, replaced=earlier is not None)


def sent_message(sent: Sent) -> str:
    """What the inviter is told: sent, or, where no MAIL_SERVER is set (the embedded
    default), kept in the outbox and who can read it there."""
    if current_app.config["MAIL_SERVER"]:
        if sent.replaced:
            return _(
                "A new invitation has been sent to %(email)s; the link of the earlier one no "
                "longer works.",
                email=sent.email,
            )
        return _("The invitation has been sent to %(email)s.", email=sent.email)
    if sent.replaced:
        ready = _(
            "A new invitation to %(email)s is ready; the link of the earlier one no longer works.",
            email=sent.email,
        )
    else:
        ready = _("The invitation to %(email)s is ready.", email=sent.email)
    if current_user.is_platform_admin:
        where = _(
            "Mail is not sent in this installation (no MAIL_SERVER): you can read it in the outbox."
        )
    else:
        where = _(
            "Mail is not sent in this installation (no MAIL_SERVER): a platform administrator "
            "can read it in the outbox."
        )
    return f"{ready} {where}"


def cancelled_message(invitation: Invitation) -> str:
    return _(
        "The invitation to %(email)s has been cancelled: its link no longer works.",
        email=invitation.email,
    )


def cancellation(invitation: Invitation, place_name: str, back: str) -> Confirmation:
    return Confirmation(
        question=_("Cancel the invitation to %(email)s?", email=invitation.email),
        consequences=[
            _(
                "Its link stops working at once: %(name)s can no longer use it to join %(place)s.",
                name=invitation.display_name,
                place=place_name,
            )
        ],
        undo=_("To invite them again later, send a new invitation."),
        confirm=_("Cancel the invitation"),
        back=back,
        back_label=_("Keep the invitation"),
    )


# --- pending invitations: listed, resent and cancelled where they were made --------------


def pending_for_tenant() -> list[TenantInvitation]:
    return list(
        db.session.scalars(
            sa.select(TenantInvitation)
            .where(
                of_current_tenant(TenantInvitation),
                TenantInvitation.unanswered(),
            )
            .order_by(TenantInvitation.created_at.desc())
        )
    )


def pending_for_agency(agency: Agency) -> list[AgencyInvitation]:
    return list(
        db.session.scalars(
            sa.select(AgencyInvitation)
            .where(
                AgencyInvitation.agency_id == agency.id,
                AgencyInvitation.unanswered(),
            )
            .order_by(AgencyInvitation.created_at.desc())
        )
    )


def pending_tenant_invitation_or_404(invitation_id: uuid.UUID) -> TenantInvitation:
    invitation = get_for_tenant_or_404(TenantInvitation, invitation_id)
    if not invitation.is_pending:
        abort(404)
    return invitation


def agency_invitation_or_404(agency: Agency, invitation_id: uuid.UUID) -> AgencyInvitation:
    invitation = db.session.scalar(
        sa.select(AgencyInvitation).where(
            AgencyInvitation.agency_id == agency.id, AgencyInvitation.id == invitation_id
        )
    )
    if invitation is None or not invitation.is_pending:
        abort(404)
    return invitation


def resend(invitation: Invitation, place_name: str, inviter: User) -> None:
    """The same invitation with a new link in a new email; the earlier link now says it
    was replaced."""
    invitation.cancelled_at = utcnow()
    copy = {column: getattr(invitation, column) for column in _COPIED}
    tenant_id = getattr(invitation, "tenant_id", None)
    if tenant_id is None:
        replacement = AgencyInvitation(agency_id=invitation.agency_id, **copy)
    else:
        replacement = TenantInvitation(**copy)
    db.session.add(replacement)
    _issue(replacement, place_name, inviter, tenant_id=tenant_id)
    db.session.commit()


_COPIED = ("email", "display_name", "language", "role")


def cancel(invitation: Invitation) -> None:
    invitation.cancelled_at = utcnow()
    db.session.commit()


# --- accepting ---------------------------------------------------------------------------


def _by_token(token: str, lock: bool = False) -> tuple[Invitation, Tenant | Agency] | None:
    digest = token_hash(token)
    query = sa.select(AgencyInvitation).where(AgencyInvitation.token_hash == digest)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    invitation = db.session.scalar(query)
    if invitation is not None:
        return invitation, db.session.get(Agency, invitation.agency_id)
    with unscoped("invitation link: the token's hash names one invitation"):
        tenant_id = db.session.scalar(
            sa.select(TenantInvitation.tenant_id).where(TenantInvitation.token_hash == digest)
        )
    if tenant_id is None:
        return None
    with tenant_scope(tenant_id):
        query = sa.select(TenantInvitation).where(
            of_current_tenant(TenantInvitation), TenantInvitation.token_hash == digest
        )
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        invitation = db.session.scalar(query)
    return invitation, db.session.get(Tenant, tenant_id)


def check(token: str, lock: bool = False) -> Found:
    """The valid invitation of ``token``, or LinkRefused (unknown, used, cancelled or
    replaced, expired)."""
    found = _by_token(token, lock)
    if found is None:
        raise LinkRefused(Refusal.UNKNOWN)
    invitation, place = found
    if invitation.accepted_at is not None:
        raise LinkRefused(Refusal.USED)
    if invitation.cancelled_at is not None:
        raise LinkRefused(Refusal.CANCELLED)
    if as_utc(invitation.expires_at) <= utcnow():
        raise LinkRefused(Refusal.EXPIRED)
    return Found(invitation, place, find_user(invitation.email))


def _join(found: Found, user: User) -> None:
    """Give ``user`` the invitation's access (the caller commits); raises Refused, with the
    session rolled back, when the agency rule forbids it."""
    try:
        _grant(found, user)
    except Refused:
        db.session.rollback()
        raise
    user.active = True


def _grant(found: Found, user: User) -> None:
    invitation = found.invitation
    invitation.accepted_at = utcnow()
    if isinstance(invitation, AgencyInvitation):
        if _is_client_member(user.id, invitation.agency_id):
            raise _client_member_refusal()
        if db.session.get(AgencyMembership, (invitation.agency_id, user.id)) is None:
            db.session.add(
                AgencyMembership(
                    agency_id=invitation.agency_id, user_id=user.id, role=invitation.role
                )
            )
    else:
        with tenant_scope(invitation.tenant_id):
            if is_agency_staff(user.id, found.place.agency_id):
                raise _agency_staff_refusal()
            membership = db.session.scalar(
                sa.select(Membership).where(
                    of_current_tenant(Membership), Membership.user_id == user.id
                )
            )
            if membership is None:
                db.session.add(Membership(user_id=user.id, role=invitation.role))
            elif membership.deactivated_at is not None:  # a former member comes back
                membership.role, membership.deactivated_at = invitation.role, None
            db.session.flush()  # written under its tenant, as the safety net requires


def accept(token: str, user: User) -> Found:
    """The signed-in ``user`` (the invited address) accepts; raises LinkRefused, Refused."""
    found = check(token, lock=True)
    if found.account is None or found.account.id != user.id:
        db.session.rollback()
        raise LinkRefused(Refusal.UNKNOWN)
    _join(found, user)
    _commit(found)
    return found


def accept_with_password(token: str, display_name: str, password: str) -> tuple[Found, User]:
    """A new person (or an account without a usable password) accepts by choosing a name
    and a password, and is signed in here; raises LinkRefused, Refused."""
    found = check(token, lock=True)
    if not found.needs_password:
        db.session.rollback()
        raise LinkRefused(Refusal.UNKNOWN)
    user = found.account
    if user is None:
        # The invitation's language was the inviter's guess, not the person's choice: they
        # are offered the choice once signed in (service/i18n.py).
        user = User(email=found.invitation.email)
        db.session.add(user)
    user.display_name = display_name
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    db.session.flush()
    _join(found, user)
    sessions.revoke_all(user.id)
    sessions.start_session(user, remember=False)
    _commit(found)
    return found, user


def _commit(found: Found) -> None:
    """A tenant invitation's row is written under its own tenant."""
    if isinstance(found.invitation, TenantInvitation):
        with tenant_scope(found.invitation.tenant_id):
            db.session.commit()
    else:
        db.session.commit()
