"""The leaver's page (/s/…): no account, no tenant in the URL.

``/s/<token>`` exchanges the emailed token for a short-lived cookie scoped to /s/ and
redirects to ``/s/``, so the token stays out of history, logs and Referer headers. Every
page after it is proven by that cookie alone, which names the invitation and so its tenant.
An unknown, expired, cancelled or used link (or a cookie that proves nothing any more)
gets one and the same page: same status, same body, whatever the reason.
"""

import logging
import re
import secrets
from collections.abc import Callable
from functools import lru_cache, wraps

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from service.config import LANGUAGES
from service.extensions import csrf, limiter
from service.i18n import LANGUAGE_NAMES
from service.rendering import render, respond
from service.security_headers import LEAVER_CONTENT_SECURITY_POLICY
from service.surveys import leaver
from service.surveys.answers import answer_text, missing_required, read
from service.surveys.invitation_models import DECLINE_REASON_MAX
from service.surveys.leaver import Standing, Survey
from service.tenancy import tenant_scope

bp = Blueprint("leaver", __name__, url_prefix="/s")
csrf.exempt(bp)  # its own form token: see _from_the_leavers_own_page

COOKIE = "exitloop_survey"
COOKIE_PATH = "/s/"
# Access logs that would write the link's path: the development server's and gunicorn's.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")
_TOKEN_IN_PATH = re.compile(r"/s/[A-Za-z0-9_-]{16,}")


def _redacted(value):
    return _TOKEN_IN_PATH.sub("/s/[link]", value) if isinstance(value, str) else value


class HideSurveyTokens(logging.Filter):
    """The token of a survey link is a password for one survey: the access log keeps the
    request, not the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        record.msg = _redacted(record.msg)
        return True


@bp.record_once
def _hide_tokens_from_access_logs(_state) -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideSurveyTokens) for f in logger.filters):
            logger.addFilter(HideSurveyTokens())


@bp.after_request
def _private(response):
    """Confidential pages: never stored, never named in a Referer, nothing from elsewhere."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = LEAVER_CONTENT_SECURITY_POLICY
    return response


def _proved_nothing(response) -> bool:
    return response.status_code == 404


def _proof() -> leaver.Proof | None:
    """The claim of this request's survey cookie, read (and its signature checked) once."""
    if "leaver_proof" not in g:
        g.leaver_proof = leaver.read_proof(request.cookies.get(COOKIE))
    return g.leaver_proof


# Per address: only attempts that prove nothing count, so a leaver saving as they type is
# never locked out, while guessing links or cookies is. Every link exchange is checked.
# A request carrying a cookie we signed (unexpired) is not checked at all: only the
# exchange of a real token gets one, so its bearer is not guessing anything (a forged or
# stale cookie is checked and counted), and the leaver behind an address that guesses is
# not held back. It saves a round trip to the limiter's Redis on every page and save, and,
# as the limiter's request filter (asked before it looks for any limit), most of its work.
_limited = limiter.shared_limit(
    lambda: current_app.config["SURVEY_LIMIT_PER_IP"], scope="leaver", deduct_when=_proved_nothing
)


@limiter.request_filter
def _proven_leaver() -> bool:
    return (
        request.blueprint == bp.name and request.endpoint != "leaver.open" and _proof() is not None
    )


@bp.before_request
def _from_the_leavers_own_page():
    """A form posted with a cookie that proves an invitation must carry that invitation's
    form token (service/surveys/leaver.py: not the session's CSRF token, which would set a
    session cookie on the leaver's every page). A post that proves nothing changes nothing:
    its view answers with the friendly page."""
    if request.method != "POST":
        return
    proof = _proof()
    if proof is not None and not leaver.form_token_matches(
        proof, request.form.get("csrf_token", "")
    ):
        raise CSRFError("The form token is missing or does not match the survey.")


def _friendly():
    """The one page for every link or cookie that does not lead to an open survey. It is
    shown in the browser's language, never the invitation's (that would tell them apart)."""
    response = render("leaver/unavailable.html", status=404)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _with_survey(view: Callable) -> Callable:
    """The view runs in the tenant of the invitation the cookie proves, with its survey,
    in the language of the survey page."""

    @wraps(view)
    def proven(*args, **kwargs):
        proof = _proof()
        if proof is None:
            return _friendly()
        with tenant_scope(proof.tenant_id):
            survey = leaver.survey_of_proof(proof)
            if survey is None:
                return _friendly()
            language = _language(survey)
            with force_locale(language):
                return view(survey, language, *args, **kwargs)

    return proven


def _set_cookie(response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=leaver.proof_max_age(),
        path=COOKIE_PATH,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def _language(survey: Survey) -> str:
    """The language chosen on the page, else the draft's, else the invitation's, among the
    questionnaire's languages."""
    return leaver.language_among(
        survey.document.languages,
        request.values.get("lang"),
        request.form.get("language"),
        survey.draft.language if survey.draft else None,
        survey.invitation.language,
    )


def _page(survey: Survey, language: str, status: int = 200, **context):
    block = context.pop("block", None)
    page = _page_context(survey, language, **context)
    return render("leaver/survey.html", status=status, block=block, **page)


def _page_context(survey: Survey, language: str, **context) -> dict:
    return dict(
        document=survey.document,
        language=language,
        languages=[(code, LANGUAGE_NAMES[code]) for code in survey.document.languages],
        answers=context.pop("answers", survey.draft.answers if survey.draft else {}),
        answer_text=answer_text,
        company=survey.company,
        errors=context.pop("errors", {}),
        closed=survey.standing is Standing.CLOSED,
        reason_max=DECLINE_REASON_MAX,
        csrf_token=lambda: leaver.form_token(_proof()),
        **context,
    )


# The page as a leaver first sees it (no draft, nothing refused, still open) is the same
# for every leaver of a published version (which never changes) in one language at one
# company, but for the form token: it is rendered once per process with a stand-in for the
# token, which each request replaces with its own. It holds nothing of any leaver.
_TOKEN_STAND_IN = f"csrf-{secrets.token_hex(16)}"
_BLANK_PAGES_MAX = 256
_blank_pages: dict[tuple, str] = {}


def _blank_page(survey: Survey, language: str):
    key = (survey.invitation.template_version_id, language, survey.company)
    page = _blank_pages.get(key)
    if page is None:
        if len(_blank_pages) >= _BLANK_PAGES_MAX:
            _blank_pages.clear()
        page = _blank_pages[key] = render_template(
            "leaver/survey.html",
            **_page_context(survey, language, answers={}) | {"csrf_token": lambda: _TOKEN_STAND_IN},
        )
    return respond(page.replace(_TOKEN_STAND_IN, leaver.form_token(_proof())))


@bp.get("/<token>", endpoint="open")
@_limited
def open_link(token: str):
    found = leaver.invitation_of_token(token)
    if found is None:
        return _friendly()
    response = redirect(url_for("leaver.survey"), 303)
    _set_cookie(response, leaver.open_link(found))
    return response


@bp.get("/")
@_limited
@_with_survey
def survey(survey: Survey, language: str):
    if survey.standing is Standing.CLOSED:
        return _page(survey, language, status=410)
    response = _page(survey, language) if survey.draft else _blank_page(survey, language)
    _set_cookie(response, leaver.proof(survey.invitation))  # each page seen keeps it alive
    return response


@bp.post("/draft")
@_limited
@_with_survey
def save(survey: Survey, language: str):
    """The autosave (htmx): the whole form, every few seconds while the leaver answers."""
    if survey.standing is Standing.CLOSED:
        return _page(survey, language, 409, block="save_status", save_state="closed")
    reading = read(survey.document, request.form)
    if reading.errors:
        return _page(survey, language, 422, block="save_status", errors=reading.errors, oob=True)
    leaver.save_draft(survey.invitation, reading.answers, language)
    response = _page(survey, language, block="save_status", save_state="saved", oob=True)
    _set_cookie(response, leaver.proof(survey.invitation))  # answering keeps it alive
    return response


@bp.post("/submit")
@_limited
def submit():
    """The answers go straight to the service, which ends the invitation the cookie proves
    and reads them against its questionnaire: a statement fewer than proving the survey
    first. Only when it writes nothing is the survey read, for the page that says why."""
    proof = _proof()
    if proof is not None:
        asked = (request.values.get("lang"), request.form.get("language"))
        with tenant_scope(proof.tenant_id):
            language = leaver.submit(proof, request.form, asked)
        if language is not None:
            response = redirect(url_for("leaver.thanks", lang=language), 303)
            response.delete_cookie(COOKIE, path=COOKIE_PATH)
            return response
    return _not_submitted()


@_with_survey
def _not_submitted(survey: Survey, language: str):
    reading = read(survey.document, request.form)
    if survey.standing is Standing.CLOSED:
        # Expired while they wrote: they are told, and see what they wrote.
        return _page(survey, language, 410, answers=reading.answers, errors=reading.errors)
    errors = reading.errors or missing_required(survey.document, reading.answers)
    if errors:
        return _page(survey, language, 422, answers=reading.answers, errors=errors)
    return _friendly()  # another tab sent it (or it ended) a moment before


@bp.post("/decline")
@_limited
@_with_survey
def decline(survey: Survey, language: str):
    reason = (request.form.get("reason") or "").replace("\r\n", "\n").strip()
    if survey.standing is Standing.CLOSED:
        return _page(survey, language, 410)
    if len(reason) > DECLINE_REASON_MAX:
        message = _(
            "Shorten your reason to %(limit)s characters (it has %(length)s).",
            limit=DECLINE_REASON_MAX,
            length=len(reason),
        )
        return _page(survey, language, 422, decline_error=message, reason=reason)
    if not leaver.decline(_proof(), reason):
        return _friendly()
    response = redirect(url_for("leaver.declined", lang=language), 303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _ending(kind: str):
    language = request.args.get("lang")
    if language not in LANGUAGES:
        language = get_locale().language  # the browser's
    return respond(_ending_page(kind, language))


@lru_cache(maxsize=2 * len(LANGUAGES))
def _ending_page(kind: str, language: str) -> str:
    """The page after the survey says the same to every leaver: rendered once per language."""
    with force_locale(language):
        return render_template("leaver/ended.html", kind=kind)


@bp.get("/thanks")
def thanks():
    return _ending("thanks")


@bp.get("/declined")
def declined():
    return _ending("declined")
