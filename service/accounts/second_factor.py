"""The second factor: time-based codes (TOTP, RFC 6238) from an authenticator app, and ten
one-time recovery codes for the day the phone is lost.

A secret is stored when enrolment starts but is in force only once the person typed a code
that proves their app holds it. A code is accepted once: the time step it belongs to is
recorded, and a code of that step or an earlier one is refused (no replay within its
window). Recovery codes are stored as hashes (service/accounts/tokens.py), each used once.
"""

import datetime as dt
import hmac
import secrets

import pyotp
import segno
import sqlalchemy as sa
from flask_babel import gettext as _

from service.accounts.models import PlatformSettings, RecoveryCode, User
from service.accounts.tokens import token_hash
from service.extensions import db
from service.model_types import utcnow
from service.refusals import Refused
from service.tenants.models import Tenant

ISSUER = "Exitloop"
RECOVERY_CODE_COUNT = 10
# One step (30 seconds) either way for a phone whose clock is a little off.
DRIFT_STEPS = 1


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)  # 6 digits, 30 seconds, SHA-1: what every authenticator reads


def provisioning_uri(user: User) -> str:
    return _totp(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User) -> str:
    """The enrolment QR code as an <svg> element, made here: the secret never leaves the
    server for a third-party image service."""
    code = segno.make(provisioning_uri(user), error="m")
    return code.svg_inline(scale=4, title=_("QR code for your authenticator app"))


def spaced_secret(user: User) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    secret = user.totp_secret or ""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    if len(code) != 6 or not code.isdigit():
        return None
    totp = _totp(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_code(user: User, code: str) -> bool:
    """A code from the app, once: its time step must be later than the last one accepted.
    The conditional UPDATE lets only one of two concurrent requests with the same code
    through. The caller commits."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, _normalise(code), utcnow())
    if step is None:
        return False
    accepted = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if accepted:
        user.totp_last_step = step
    return accepted == 1


def _use_recovery_code(user: User, code: str) -> bool:
    """An unused recovery code of ``user``, used up now (the caller commits)."""
    normalised = _normalise(code)
    if not normalised:
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_hash(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def verify(user: User, code: str) -> bool:
    """The second factor of an enrolled user: a code from the app, or an unused recovery
    code (used up). The caller commits (or rolls back: nothing is used up then)."""
    if not user.has_second_factor:
        return False
    return _accept_code(user, code) or _use_recovery_code(user, code)


def _new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes ("a1b2c-3d4e5"), replacing any earlier ones; shown once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits each, and only ten tries per quarter hour
        db.session.add(RecoveryCode(user_id=user.id, code_hash=token_hash(raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def start_enrolment(user: User) -> None:
    """A new secret, not yet in force (starting again replaces an unconfirmed one)."""
    if user.has_second_factor:
        raise Refused({"form": [_("Your second factor is already set up.")]})
    user.totp_secret = pyotp.random_base32()  # 160 bits, RFC 4226's recommendation
    user.totp_last_step = None
    db.session.commit()


def complete_enrolment(user: User, code: str) -> list[str]:
    """The second factor in force once ``code`` proves the app holds the secret; returns
    the recovery codes, to be shown once. Raises Refused for a wrong code."""
    if user.has_second_factor or user.totp_secret is None:
        raise Refused({"form": [_("Start the set-up again.")]})
    if not _accept_code(user, code):
        db.session.rollback()
        raise Refused(
            {"code": [_("This code is not right. Type the 6 digits your app shows now.")]}
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the recovery codes (the old ones stop working); shown once."""
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()


# Who must use it


def required_for_staff() -> bool:
    """The platform requires it of every platform administrator and agency staff member."""
    settings = db.session.get(PlatformSettings, 1)
    return settings is not None and settings.require_second_factor_for_staff


def _own_first(user: User, required: bool) -> None:
    """Whoever switches the requirement on has a second factor already: they would
    otherwise be sent to set one up at their very next page."""
    if required and not user.has_second_factor:
        raise Refused({"form": [_("Set up your own second factor first.")]})


def set_required_for_staff(user: User, required: bool) -> bool:
    """False (and no write) when the setting already says this."""
    _own_first(user, required)
    settings = db.session.get(PlatformSettings, 1)
    if settings is None:
        settings = PlatformSettings(id=1, require_second_factor_for_staff=False)
        db.session.add(settings)
    if settings.require_second_factor_for_staff == required:
        db.session.rollback()
        return False
    settings.require_second_factor_for_staff = required
    db.session.commit()
    return True


def set_required_in_tenant(user: User, tenant: Tenant, required: bool) -> bool:
    """False (and no write) when the tenant already says this."""
    _own_first(user, required)
    if tenant.require_second_factor == required:
        return False
    tenant.require_second_factor = required
    db.session.commit()
    return True
