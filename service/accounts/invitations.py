"""Inviting people: into a tenant with a role, or into an agency.

An invitation creates (or finds) the user and gives the access at once; the email carries
a single-use link to choose a password, or, for someone who already has one, a plain link
to sign in. The inviter chooses the email's language (the tenant's default unless changed).
"""

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale

from service.accounts import links
from service.accounts.models import AgencyMembership, AgencyRole, LinkPurpose, User
from service.accounts.services import find_user, normalise_email
from service.extensions import db
from service.labels import ROLES
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import Agency, Membership, Tenant, TenantRole


class AlreadyMember(Exception):
    """The address already has access here."""


def _user_for(email: str, display_name: str, language: str) -> User:
    user = find_user(email)
    if user is None:
        user = User(
            email=normalise_email(email), display_name=display_name, preferred_language=language
        )
        db.session.add(user)
        db.session.flush()
    elif not user.active:
        user.active = True  # invited back after losing all access
    return user


def _send(user: User, language: str, place: str, role: str, inviter: User, tenant_id=None):
    from service.mail.outbox import queue_email

    has_account = user.has_password
    with force_locale(language):
        role_label = str(ROLES[role])
    if has_account:
        url = url_for("accounts.login", _external=True)
    else:
        token = links.issue(user, LinkPurpose.INVITATION)
        url = url_for("accounts.accept_invitation", token=token, _external=True)
    queue_email(
        to=user.email,
        template="invitation",
        language=language,
        context={
            "name": user.display_name,
            "inviter": inviter.display_name,
            "place": place,
            "role": role_label,
            "url": url,
            "has_account": has_account,
            "days": int(links.lifetime(LinkPurpose.INVITATION).total_seconds() // 86400),
        },
        tenant_id=tenant_id,
        secret=not has_account,
    )


def invite_to_tenant(
    tenant: Tenant, email: str, display_name: str, role: str, language: str, inviter: User
) -> Membership:
    """Give ``email`` the role in the current tenant and email them; raises AlreadyMember."""
    assert tenant.id == current_tenant_id()
    user = _user_for(email, display_name, language)
    membership = db.session.scalar(
        sa.select(Membership).where(of_current_tenant(Membership), Membership.user_id == user.id)
    )
    if membership is not None and membership.deactivated_at is None:
        db.session.rollback()
        raise AlreadyMember(email)
    if membership is None:
        membership = Membership(user_id=user.id, role=TenantRole(role))
        db.session.add(membership)
    else:  # a former member comes back, with the role chosen now
        membership.role, membership.deactivated_at = TenantRole(role), None
        membership.assigned_by_agency = False
    _send(user, language, tenant.name, role, inviter, tenant_id=tenant.id)
    db.session.commit()
    return membership


def invite_to_agency(
    agency: Agency, email: str, display_name: str, role: str, language: str, inviter: User
) -> AgencyMembership:
    """Give ``email`` the agency role and email them; raises AlreadyMember."""
    user = _user_for(email, display_name, language)
    existing = db.session.get(AgencyMembership, (agency.id, user.id))
    if existing is not None:
        db.session.rollback()
        raise AlreadyMember(email)
    membership = AgencyMembership(agency_id=agency.id, user_id=user.id, role=AgencyRole(role))
    db.session.add(membership)
    _send(user, language, agency.brand_name or agency.name, role, inviter)
    db.session.commit()
    return membership
