"""Sign-in, sign-out, profile and passwords: one transaction each."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from service.accounts import links, second_factor, sessions
from service.accounts.models import AgencyMembership, LinkPurpose, User
from service.accounts.passwords import hash_password, needs_rehash, verify_password
from service.accounts.tasks import send_password_reset
from service.accounts.users import find_user, normalise_email
from service.audit import trail as audit
from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.model_types import utcnow
from service.refusals import Refused
from service.tenancy import unscoped
from service.tenants.models import Agency, Membership, Tenant, TenantStatus


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work whether the email exists."""
    user = find_user(email)
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, password) or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def sign_in(email: str, password: str, remember: bool = False) -> User:
    """Check the credentials and open a server-side session (rehashing the password if
    its parameters changed); the returned user carries the session token. Raises Refused
    (the same for an unknown address and a wrong password). For a user with a second
    factor the session waits for the code (``complete_sign_in``) and signs nobody in."""
    user = authenticate(email, password)
    if user is None:
        db.session.rollback()
        audit.record_sign_in(find_user(email), email, succeeded=False)
        db.session.commit()
        raise Refused({"form": [_("The email address or password is incorrect.")]})
    sessions.start_session(user, remember, second_factor_due=user.has_second_factor)
    if not user.has_second_factor:  # else signed in, and audited, once the code is given
        audit.record_sign_in(user, email, succeeded=True)
    db.session.commit()
    return user


def _wrong_code() -> dict[str, list[str]]:
    return {"code": [_("This code is not right, or was used already. Try the next one.")]}


def complete_sign_in(token: str, code: str) -> User:
    """The second step: a code from the app or an unused recovery code turns the waiting
    session ``token`` into a signed-in one; the returned user carries it. Raises Refused."""
    waiting = sessions.awaiting_second_factor(token)
    if waiting is None:
        raise Refused({"form": [_("This sign-in has expired. Sign in again.")]})
    record, user = waiting
    if not second_factor.verify(user, code):
        db.session.rollback()
        audit.record_sign_in(user, user.email, succeeded=False)
        db.session.commit()
        raise Refused(_wrong_code())
    sessions.complete_second_factor(record, user, token)
    audit.record_sign_in(user, user.email, succeeded=True)
    db.session.commit()
    return user


def confirm_identity(user: User, password: str, code: str | None) -> None:
    """Re-authentication before a sensitive change: the password, and the second factor
    when enrolled; recorded on this session. Raises Refused; a failure is audited as a
    failed sign-in of the account (someone at its open session did not know its secrets)."""
    refusal = None
    if not verify_password(user.password_hash, password):
        refusal = {"password": [_("This is not your current password.")]}
    elif user.has_second_factor and not second_factor.verify(user, code or ""):
        refusal = _wrong_code()
    if refusal is not None:
        db.session.rollback()
        audit.record_sign_in(user, user.email, succeeded=False)
        db.session.commit()
        raise Refused(refusal)
    sessions.confirm_identity(user.session_id)
    db.session.commit()


def sign_out(user: User) -> None:
    if user.session_id is not None:
        sessions.revoke(user.session_id)
        db.session.commit()


def sign_out_everywhere(user: User) -> None:
    sessions.revoke_all(user.id)
    db.session.commit()


def set_preferred_language(user: User, language: str) -> None:
    user.preferred_language = language
    db.session.commit()


def update_profile(user: User, display_name: str, language: str) -> bool:
    """False (and no write) when the profile already says this."""
    if (user.display_name, user.preferred_language) == (display_name, language):
        return False
    user.display_name = display_name
    user.preferred_language = language
    db.session.commit()
    return True


def _set_password(user: User, password: str) -> None:
    """New hash; every earlier link is retired (the caller ends sessions as it must)."""
    now = utcnow()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    links.retire(user, now=now)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Every session ends and this browser continues in a new one (the user now carries
    its token); raises Refused when the current password is wrong."""
    if not verify_password(user.password_hash, current_password):
        raise Refused({"current_password": [_("This is not your current password.")]})
    _set_password(user, new_password)
    # Every session ends, this one too: a copy of its cookie taken before the change dies.
    sessions.revoke_all(user.id)
    sessions.start_session(user, remember=False)
    db.session.commit()


def request_password_reset(email: str, base_url: str, language: str) -> None:
    """Ask for a reset link for ``email``. The request itself only hands a job over, the
    same work whether or not the address is known: the answer and its timing tell nothing.
    (In the embedded default the job runs in-process right after this commit.) ``language``
    is the page's: the email's language unless the account has chosen one."""
    enqueue_after_commit(send_password_reset, normalise_email(email), base_url, language)
    db.session.commit()


def set_password_from_link(token: str, purpose: LinkPurpose, password: str, remember=False):
    """Redeem an invitation or reset link: set the password, end every other session and
    sign in here. Raises links.LinkRefused; the link is locked, so it works only once."""
    link, user = links.check(token, purpose, lock=True)
    _set_password(user, password)  # also marks this link used
    sessions.revoke_all(user.id)
    # A reset link proves the mailbox, not the second factor: that is still asked.
    sessions.start_session(user, remember, second_factor_due=user.has_second_factor)
    db.session.commit()
    return user


@dataclass(frozen=True)
class Destination:
    """A place the user can work in: a tenant, an agency or the platform."""

    kind: str
    slug: str
    name: str
    role: str


def destinations(user: User) -> list[Destination]:
    """Every scope the user belongs to, for the switcher; reads the user's own memberships."""
    found: list[Destination] = []
    if user.is_platform_admin:
        found.append(Destination("platform", "", "Exitloop", "platform_admin"))
    agencies = db.session.execute(
        sa.select(Agency.slug, Agency.name, AgencyMembership.role)
        .join(AgencyMembership, AgencyMembership.agency_id == Agency.id)
        .where(AgencyMembership.user_id == user.id)
        .order_by(Agency.name)
    )
    found += [Destination("agency", slug, name, role.value) for slug, name, role in agencies]
    with unscoped("a person's workspaces across companies"):
        tenants = db.session.execute(
            sa.select(Tenant.slug, Tenant.name, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .outerjoin(Agency, Agency.id == Tenant.agency_id)
            .where(
                Membership.user_id == user.id,
                Membership.deactivated_at.is_(None),
                Tenant.status == TenantStatus.ACTIVE,
                # an assignment lasts only while the assigning agency is active; agency
                # staff reach the agency's clients only through the agency (service/scopes.py)
                sa.or_(
                    sa.and_(
                        Membership.assigned_by_agency.is_(False),
                        ~sa.exists().where(
                            AgencyMembership.agency_id == Tenant.agency_id,
                            AgencyMembership.user_id == user.id,
                        ),
                    ),
                    sa.and_(
                        Membership.assigned_by_agency.is_(True),
                        Agency.status == TenantStatus.ACTIVE,
                    ),
                ),
            )
            .order_by(Tenant.name)
        ).all()
    found += [Destination("tenant", slug, name, role.value) for slug, name, role in tenants]
    return found


def suspended_tenant_names(user: User) -> list[str]:
    """The suspended companies the user is a member of: named on the start page, so that
    their people learn why their workspace is gone."""
    with unscoped("a person's suspended companies"):
        return list(
            db.session.scalars(
                sa.select(Tenant.name)
                .join(Membership, Membership.tenant_id == Tenant.id)
                .where(
                    Membership.user_id == user.id,
                    Membership.deactivated_at.is_(None),
                    Tenant.status == TenantStatus.SUSPENDED,
                )
                .order_by(Tenant.name)
            )
        )
