"""Sign-in, sign-out, the scope chooser and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from service.accounts import services
from service.accounts.schemas import LanguageSchema, LoginSchema
from service.i18n import LANGUAGE_COOKIE
from service.rendering import render
from service.validation import load_or_errors

bp = Blueprint("accounts", __name__)

# Routes anyone may open; every other route sits in a scope or requires login
# (tests/test_routes.py walks the url_map against these lists).
PUBLIC_ENDPOINTS = frozenset({"accounts.login", "accounts.language", "health.healthz", "static"})
LOGIN_ONLY_ENDPOINTS = frozenset({"accounts.index", "accounts.logout"})


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def url_for_destination(destination: services.Destination) -> str:
    if destination.kind == "platform":
        return url_for("platform.home")
    if destination.kind == "agency":
        return url_for("agencies.home", agency_slug=destination.slug)
    return url_for("tenants.home", tenant_slug=destination.slug)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("accounts.index"))
    errors: dict = {}
    form = request.form.to_dict()
    if request.method == "POST":
        data, errors = load_or_errors(LoginSchema(), form)
        if data is not None:
            user = services.authenticate(data["email"], data["password"])
            if user is not None:
                login_user(user)
                return redirect(safe_next(request.args.get("next"), url_for("accounts.index")))
            errors = {"form": [_("The email address or password is incorrect.")]}
    status = 422 if errors else 200
    return render("auth/login.html", block="login_form", status=status, form=form, errors=errors)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have been signed out."), "info")
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
    )


@bp.post("/language")
def language():
    data, errors = load_or_errors(LanguageSchema(), request.form.to_dict())
    if data is None:
        abort(400)
    response = redirect(safe_next(data["next"]))
    if current_user.is_authenticated:
        services.set_preferred_language(current_user, data["language"])
    response.set_cookie(
        LANGUAGE_COOKIE,
        data["language"],
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response
