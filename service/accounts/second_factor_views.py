"""The second factor's pages: the code step of the sign-in, confirming one's identity
before a sensitive change, and setting up or removing the authenticator (profile)."""

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from service.accounts import second_factor, services, sessions
from service.accounts.reauth import recent_proof_required
from service.accounts.schemas import CodeSchema, ConfirmIdentitySchema
from service.accounts.views import WAITING, safe_next, sign_in_limits
from service.i18n import offer_language_choice
from service.refusals import validate_and_apply
from service.rendering import render

bp = Blueprint("second_factor", __name__)


def _waiting_key() -> str:
    """The failed codes count against the same per-account limit as failed passwords."""
    waiting = session.get(WAITING) or {}
    found = sessions.awaiting_second_factor(waiting.get("token", ""))
    return "account:" + (found[1].email if found else "none")


@bp.route("/login/code", methods=["GET", "POST"])
@sign_in_limits("auth/second_factor.html", _waiting_key)
def code():
    waiting = session.get(WAITING) or {}
    token = waiting.get("token", "")
    found = sessions.awaiting_second_factor(token)
    if found is None:
        session.pop(WAITING, None)
        flash(_("This sign-in has expired. Sign in again."), "info")
        return redirect(url_for("accounts.login"))
    errors: dict = {}
    if request.method == "POST":
        _data, user, errors = validate_and_apply(
            CodeSchema(),
            request.form.to_dict(),
            lambda data: services.complete_sign_in(token, data["code"]),
        )
        if not errors:
            target = safe_next(waiting.get("next"), url_for("accounts.index"))
            sessions.renew_session()
            login_user(user, remember=found[0].remember)
            offer_language_choice(user)
            return redirect(target)
    return render("auth/second_factor.html", status=422 if errors else 200, errors=errors, form={})


def _confirm_key() -> str:
    return "account:" + (current_user.email if current_user.is_authenticated else "none")


@bp.route("/confirm-identity", methods=["GET", "POST"])
@login_required
@sign_in_limits("auth/confirm_identity.html", _confirm_key)
def confirm_identity():
    target = safe_next(request.args.get("next"), url_for("accounts.index"))
    errors: dict = {}
    if request.method == "POST":
        _data, _done, errors = validate_and_apply(
            ConfirmIdentitySchema(),
            request.form.to_dict(),
            lambda data: services.confirm_identity(
                current_user, data["password"], data.get("code")
            ),
        )
        if not errors:
            return redirect(target)
    return render(
        "auth/confirm_identity.html", status=422 if errors else 200, errors=errors, form={}
    )


# Setting it up, on the profile


def _manage_page(status=200, errors=None, codes=None):
    user = current_user
    enrolling = not user.has_second_factor and user.totp_secret is not None
    return render(
        "accounts/second_factor.html",
        status=status,
        errors=errors or {},
        enrolling=enrolling,
        qr_svg=second_factor.qr_svg(user) if enrolling else None,
        secret=second_factor.spaced_secret(user) if enrolling else None,
        codes=codes,
        unused=second_factor.unused_recovery_codes(user) if user.has_second_factor else 0,
    )


@bp.get("/profile/second-factor")
@login_required
def manage():
    return _manage_page()


@bp.post("/profile/second-factor/start")
@login_required
@recent_proof_required
def start():
    _data, _done, errors = validate_and_apply(
        None, {}, lambda _data: second_factor.start_enrolment(current_user)
    )
    if errors:
        return _manage_page(422, errors)
    return redirect(url_for("second_factor.manage"))


@bp.post("/profile/second-factor/confirm")
@login_required
@recent_proof_required
def confirm():
    _data, codes, errors = validate_and_apply(
        CodeSchema(),
        request.form.to_dict(),
        lambda data: second_factor.complete_enrolment(current_user, data["code"]),
    )
    if errors:
        return _manage_page(422, errors)
    flash(_("Your second factor is set up: it is asked at every sign-in from now."), "success")
    return _manage_page(codes=codes)


@bp.post("/profile/second-factor/recovery-codes")
@login_required
@recent_proof_required
def new_recovery_codes():
    if not current_user.has_second_factor:
        return redirect(url_for("second_factor.manage"))
    codes = second_factor.new_recovery_codes(current_user)
    flash(_("New recovery codes: the earlier ones no longer work."), "success")
    return _manage_page(codes=codes)


@bp.post("/profile/second-factor/disable")
@login_required
@recent_proof_required
def disable():
    second_factor.disable(current_user)
    flash(_("Your second factor has been removed."), "info")
    return redirect(url_for("second_factor.manage"))
