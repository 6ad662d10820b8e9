"""Sign-in rules: one transaction each."""

from dataclasses import dataclass

import sqlalchemy as sa

from service.accounts.models import AgencyMembership, User
from service.accounts.passwords import hash_password, needs_rehash, verify_password
from service.extensions import db
from service.tenancy import unscoped
from service.tenants.models import Agency, Membership, Tenant, TenantStatus


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work whether the email exists."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, password) or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def set_preferred_language(user: User, language: str) -> None:
    user.preferred_language = language
    db.session.commit()


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
    with unscoped():  # the user's memberships span tenants by nature
        tenants = db.session.execute(
            sa.select(Tenant.slug, Tenant.name, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user.id, Tenant.status == TenantStatus.ACTIVE)
            .order_by(Tenant.name)
        ).all()
    found += [Destination("tenant", slug, name, role.value) for slug, name, role in tenants]
    return found
