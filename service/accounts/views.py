"""Sign-in and sign-out, the links emailed for invitations and password resets, the
profile, the workspace chooser and switcher, and the language switch."""

from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from service.accounts import invitations, links, services, sessions
from service.accounts.links import LinkRefused, Refusal
from service.accounts.models import LinkPurpose
from service.accounts.schemas import (
    AcceptInvitationSchema,
    ForgotPasswordSchema,
    LanguageSchema,
    LoginSchema,
    NewPasswordSchema,
    PasswordChangeSchema,
    ProfileSchema,
)
from service.confirmation import Confirmation, ask, asking
from service.errors import retry_after, wait_minutes
from service.extensions import limiter
from service.i18n import LANGUAGE_COOKIE, language_for, offer_language_choice, select_language
from service.labels import ROLES
from service.refusals import validate_and_apply
from service.rendering import render
from service.tenants.models import Agency

bp = Blueprint("accounts", __name__)

# Routes anyone may open; every other route sits in a scope or requires login
# (tests/test_routes.py walks the url_map against these lists).
PUBLIC_ENDPOINTS = frozenset(
    {
        "accounts.login",
        "accounts.language",
        "accounts.forgot_password",
        "accounts.reset_password",
        "accounts.accept_invitation",
        # The sign-in's second step: proven by the waiting session of a right password.
        "second_factor.code",
        # The leaver's survey (service/surveys/leaver_views.py): proven by its link or cookie.
        "leaver.open",
        "leaver.survey",
        "leaver.save",
        "leaver.submit",
        "leaver.decline",
        "leaver.thanks",
        "leaver.declined",
        "health.healthz",
        "static",
        # "You said, we did": what a company chose to publish, for anyone to read.
        "you_said_we_did.page",
        "you_said_we_did.brand_stylesheet",
        "you_said_we_did.brand_logo",
    }
)
LOGIN_ONLY_ENDPOINTS = frozenset(
    {
        "accounts.index",
        "accounts.logout",
        "accounts.sign_out_everywhere",
        "accounts.profile",
        "accounts.change_password",
        "second_factor.confirm_identity",
        "second_factor.manage",
        "second_factor.start",
        "second_factor.confirm",
        "second_factor.new_recovery_codes",
        "second_factor.disable",
        "my_interviews.index",  # service/surveys/interview_views.py: across the user's tenants
    }
)


# The sign-in waiting for its second factor, in the Flask session: the token of a
# server-side session that signs nobody in until the code comes (sessions.py).
WAITING = "second_factor"


def _failed(response) -> bool:
    """Only failed attempts count against a limit: a good password is never locked out."""
    return response.status_code != 302


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _limit(name: str) -> str:
    return current_app.config[name]


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never an open redirect. Browsers read a backslash as a slash
    and drop tabs and newlines, so "/\\evil.example" would be another site: refused."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    return target


def url_for_destination(destination: services.Destination) -> str:
    if destination.kind == "platform":
        return url_for("platform.home")
    if destination.kind == "agency":
        return url_for("agencies.home", agency_slug=destination.slug)
    return url_for("tenants.home", tenant_slug=destination.slug)


class Workspace(NamedTuple):
    """A scope of the switcher: where it leads, and whether this page is in it."""

    destination: services.Destination
    href: str
    current: bool


def _is_current(destination: services.Destination) -> bool:
    if destination.kind == "tenant":
        return g.get("tenant") is not None and g.tenant.slug == destination.slug
    if destination.kind == "agency":
        return g.get("agency") is not None and g.agency.slug == destination.slug
    return g.get("role") == "platform_admin"


@bp.app_context_processor
def _workspace_switcher():
    def workspaces() -> list[Workspace]:
        """Every scope the signed-in user belongs to, for the switcher."""
        if not current_user.is_authenticated:
            return []
        return [
            Workspace(d, url_for_destination(d), _is_current(d))
            for d in services.destinations(current_user)
        ]

    return {"workspaces": workspaces}


def _locked_out(template: str):
    """A limit's on_breach: the form again, with the address typed, a short headline and
    how long to wait (service/errors.py answers the 429 with it)."""

    def answer(_limit):
        wait = wait_minutes(retry_after())
        form = request.form.to_dict()
        return render(template, status=429, form=form, errors={}, wait=wait)

    return answer


def sign_in_limits(template: str, account_key: Callable[[], str]) -> Callable:
    """The limits of a form that proves who someone is (password, code): failed posts per
    address and per account; a breach answers ``template`` again with how long to wait."""

    def decorate(view: Callable) -> Callable:
        for setting, key in (
            ("LOGIN_LIMIT_PER_ACCOUNT", account_key),
            ("LOGIN_LIMIT_PER_IP", None),
        ):
            extra = {"key_func": key} if key else {}
            view = limiter.limit(
                lambda setting=setting: _limit(setting),
                methods=["POST"],
                deduct_when=_failed,
                on_breach=_locked_out(template),
                **extra,
            )(view)
        return view

    return decorate


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits("auth/login.html", _account_key)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("accounts.index"))
    errors: dict = {}
    form = request.form.to_dict()
    if request.method == "POST":
        data, user, errors = validate_and_apply(
            LoginSchema(), form, lambda data: services.sign_in(**data)
        )
        if not errors:
            sessions.renew_session()
            target = safe_next(request.args.get("next"), url_for("accounts.index"))
            if user.has_second_factor:  # second_factor_views.code signs in
                session[WAITING] = {"token": user.session_token, "next": target}
                return redirect(url_for("second_factor.code"))
            login_user(user, remember=data["remember"])
            offer_language_choice(user)
            return redirect(target)
    status = 422 if errors else 200
    return render("auth/login.html", block="login_form", status=status, form=form, errors=errors)


@bp.post("/logout")
@login_required
def logout():
    services.sign_out(current_user)
    sessions.renew_session()
    logout_user()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/sign-out-everywhere", methods=["GET", "POST"])
@login_required
def sign_out_everywhere():
    if asking():
        live = len(sessions.live_sessions(current_user.id))
        return ask(
            Confirmation(
                question=_("Sign out on every device?"),
                consequences=[
                    ngettext(
                        "This is your only session; it ends.",
                        "Your %(num)s sessions end, this one included.",
                        live,
                    ),
                    _("You then sign in again wherever you want to continue; nothing is lost."),
                ],
                confirm=_("Sign out everywhere"),
                back=url_for("accounts.profile"),
            )
        )
    services.sign_out_everywhere(current_user)
    sessions.renew_session()
    logout_user()
    flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/")
@login_required
def index():
    destinations = services.destinations(current_user)
    if len(destinations) == 1:
        return redirect(url_for_destination(destinations[0]))
    return render(
        "auth/index.html",
        destinations=[(d, url_for_destination(d)) for d in destinations],
        suspended=services.suspended_tenant_names(current_user),
    )


def _way_back() -> tuple[str, str | None]:
    """The page of the workspace the person came from and its name (remembered by
    service/scopes.py); without one, the start page, which leads to every workspace."""
    place = session.get("workspace") or {}
    path = safe_next(place.get("path"), "")
    if not path:
        return url_for("accounts.index"), None
    return path, place.get("name")


def _profile_page(status=200, profile_errors=None, password_errors=None, form=None):
    back_href, back_name = _way_back()
    return render(
        "accounts/profile.html",
        status=status,
        back_href=back_href,
        back_name=back_name,
        form=form or {},
        profile_errors=profile_errors or {},
        password_errors=password_errors or {},
        sessions=sessions.live_sessions(current_user.id),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    if request.method == "GET":
        return _profile_page()
    form = request.form.to_dict()
    _data, changed, errors = validate_and_apply(
        ProfileSchema(), form, lambda data: services.update_profile(current_user, **data)
    )
    if errors:
        return _profile_page(422, profile_errors=errors, form=form)
    flash(_("Your profile has been saved.") if changed else _("No changes to save."), "info")
    return redirect(url_for("accounts.profile"))


@bp.post("/profile/password")
@login_required
def change_password():
    _data, _changed, errors = validate_and_apply(
        PasswordChangeSchema(),
        request.form.to_dict(),
        lambda data: services.change_password(
            current_user, data["current_password"], data["password"]
        ),
    )
    if errors:
        return _profile_page(422, password_errors=errors)
    sessions.renew_session()
    login_user(current_user._get_current_object())
    flash(_("Your password has been changed. Every other session has been signed out."), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(
    lambda: _limit("LINK_LIMIT_PER_IP"),
    methods=["POST"],
    on_breach=_locked_out("auth/forgot_password.html"),
)
@limiter.limit(
    lambda: _limit("LOGIN_LIMIT_PER_ACCOUNT"),
    methods=["POST"],
    key_func=_account_key,
    on_breach=_locked_out("auth/forgot_password.html"),
)
def forgot_password():
    form = request.form.to_dict()
    errors: dict = {}
    if request.method == "POST":
        _data, _asked, errors = validate_and_apply(
            ForgotPasswordSchema(),
            form,
            lambda data: services.request_password_reset(
                data["email"], request.url_root, select_language()
            ),
        )
        if not errors:  # the same answer whether or not the address is known
            return render("auth/forgot_password_sent.html")
    status = 422 if errors else 200
    return render("auth/forgot_password.html", status=status, form=form, errors=errors)


def _link_refused(reason: Refusal):
    status = 404 if reason is Refusal.UNKNOWN else 410
    response = render("auth/link_refused.html", status=status, reason=reason.value)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _sign_in_here(user) -> None:
    """Sign ``user`` in on this browser in a fresh session, ending whoever was signed in
    here before."""
    if current_user.is_authenticated and current_user.id != user.id:
        services.sign_out(current_user)
        logout_user()
    sessions.renew_session()
    login_user(user)
    offer_language_choice(user)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("LINK_LIMIT_PER_IP"), methods=["POST"])
def reset_password(token: str):
    """GET shows the form (mail scanners may open links: nothing is used up);
    POST sets the password, uses up the link and signs in."""
    purpose = LinkPurpose.PASSWORD_RESET
    try:
        user = links.check(token, purpose)[1]
    except LinkRefused as refused:
        return _link_refused(refused.reason)
    g.link_language = user.preferred_language
    errors: dict = {}
    if request.method == "POST":
        try:
            _data, user, errors = validate_and_apply(
                NewPasswordSchema(),
                request.form.to_dict(),
                lambda data: services.set_password_from_link(token, purpose, data["password"]),
            )
        except LinkRefused as refused:
            return _link_refused(refused.reason)
        if not errors:
            if user.has_second_factor:
                if current_user.is_authenticated:
                    logout_user()
                sessions.renew_session()
                session[WAITING] = {"token": user.session_token, "next": url_for("accounts.index")}
                flash(
                    _("Your password has been set. To sign in, enter your second factor's code."),
                    "info",
                )
                return redirect(url_for("second_factor.code"))
            _sign_in_here(user)
            flash(_("Your password has been set. Welcome to Exitloop."), "info")
            return redirect(url_for("accounts.index"))
    return _no_referrer(
        render("auth/reset_password.html", status=422 if errors else 200, user=user, errors=errors)
    )


def _place_url(found: invitations.Found) -> str:
    if isinstance(found.place, Agency):
        return url_for("agencies.home", agency_slug=found.place.slug)
    return url_for("tenants.home", tenant_slug=found.place.slug)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("LINK_LIMIT_PER_IP"), methods=["POST"])
def accept_invitation(token: str):
    """GET explains the invitation (mail scanners may open links: nothing is used up).
    A new person chooses a name and a password; someone with an account signs in as that
    address and accepts. Access starts only then."""
    try:
        found = invitations.check(token)
    except LinkRefused as refused:
        return _link_refused(refused.reason)
    g.link_language = language_for(found.account, found.invitation.language)  # its email's
    form = request.form.to_dict() or {"display_name": found.invitation.display_name}
    errors: dict = {}
    if request.method == "POST":
        signed_in_as_invitee = (
            not found.needs_password
            and current_user.is_authenticated
            and current_user.id == found.account.id
        )
        try:
            if signed_in_as_invitee:
                _data, _found, errors = validate_and_apply(
                    None, form, lambda _data: invitations.accept(token, current_user)
                )
                if not errors:
                    _sign_in_here(current_user._get_current_object())  # new access: new session
                    flash(_("Welcome to %(place)s.", place=found.place.name), "info")
                    return redirect(_place_url(found))
            elif found.needs_password:
                _data, accepted, errors = validate_and_apply(
                    AcceptInvitationSchema(),
                    form,
                    lambda data: invitations.accept_with_password(
                        token, data["display_name"], data["password"]
                    ),
                )
                if not errors:
                    accepted_found, user = accepted
                    _sign_in_here(user)
                    flash(_("Your password has been set. Welcome to Exitloop."), "info")
                    return redirect(_place_url(accepted_found))
        except LinkRefused as refused:
            return _link_refused(refused.reason)
        if errors:
            found = invitations.check(token)  # a refusal rolled back: read it afresh
    return _no_referrer(
        render(
            "auth/accept_invitation.html",
            status=422 if errors else 200,
            found=found,
            form=form,
            errors=errors,
            role=ROLES[found.invitation.role.value],
        )
    )


@bp.post("/language")
def language():
    data, _set, errors = validate_and_apply(
        LanguageSchema(),
        request.form.to_dict(),
        lambda data: (
            current_user.is_authenticated
            and services.set_preferred_language(current_user, data["language"])
        ),
    )
    if errors:
        abort(400)
    response = redirect(safe_next(data["next"]))
    response.set_cookie(
        LANGUAGE_COOKIE,
        data["language"],
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response
