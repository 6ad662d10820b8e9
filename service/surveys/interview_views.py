"""Interviews: HR plans one from a departure (/t/<slug>/departures/<id>/interview); the
interviewer records it (/t/<slug>/interviews/<id>, autosaved as they type) and marks it
completed; everyone who interviews finds theirs across tenants on /interviews/."""

import uuid
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from werkzeug.datastructures import MultiDict

from service.audit import trail as audit
from service.confirmation import Confirmation, ask, asking
from service.departures.models import Departure
from service.departures.services import departure_or_404
from service.i18n import moment
from service.model_types import as_utc
from service.permissions import can, require
from service.refusals import Refused, validate_and_apply
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.surveys import interviews
from service.surveys.answers import posted
from service.surveys.interview_models import NOTES_MAX, Interview, InterviewStatus
from service.surveys.interview_panel import answers_html, read_out
from service.surveys.interview_schemas import MOMENT_FORMAT, AssignmentSchema
from service.surveys.my_interviews import interviews_of, reachable_tenant_slugs

bp = tenant_blueprint("interviews", __name__)
mine = Blueprint("my_interviews", __name__, url_prefix="/interviews")


# --- planning (HR, from the departure) -------------------------------------------------------


def _plan_page(departure: Departure, form: dict, errors: dict, status: int = 200):
    return render(
        "interviews/plan.html",
        status=status,
        departure=departure,
        interview=interviews.live_interview(departure),
        interviewers=[(str(u.id), u.display_name) for u in interviews.eligible_interviewers()],
        form=form,
        errors=errors,
    )


def _form_of(interview: Interview | None) -> dict:
    if interview is None:
        return {}
    local = as_utc(interview.scheduled_at).astimezone(ZoneInfo(current_tenant.time_zone))
    return {
        "interviewer_user_id": str(interview.interviewer_user_id),
        "scheduled_at": local.strftime(MOMENT_FORMAT),
        "place": interview.place or "",
        "video_link": interview.video_link or "",
    }


@bp.route("/departures/<uuid:departure_id>/interview", methods=["GET", "POST"])
@require("tenant.departures.manage")
def plan(departure_id: uuid.UUID):
    departure = departure_or_404(departure_id)
    if request.method == "GET":
        return _plan_page(departure, _form_of(interviews.live_interview(departure)), {})
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    _data, interview, errors = validate_and_apply(
        AssignmentSchema(), form, lambda data: interviews.plan_interview(departure, data)
    )
    if errors:
        return _plan_page(departure, form, errors, 422)
    interviewer = interviews.user_of(interview.interviewer_user_id)
    flash(
        _(
            "Interview planned with %(interviewer)s on %(moment)s: the invitation is on its way.",
            interviewer=interviewer.display_name,
            moment=moment(interview.scheduled_at),
        ),
        "success",
    )
    return redirect(url_for("departures.show", departure_id=departure.id))


@bp.route("/interviews/<uuid:interview_id>/cancel", methods=["GET", "POST"])
@require("tenant.departures.manage")
def cancel(interview_id: uuid.UUID):
    interview = interviews.interview_or_404(interview_id)
    departure = interviews.departure_of(interview)
    back = url_for("departures.show", departure_id=departure.id)
    if asking():
        refusal = None if interview.is_planned else _("Only a planned interview can be cancelled.")
        return ask(
            Confirmation(
                question=_("Cancel the interview with %(name)s?", name=departure.full_name),
                consequences=[
                    _("The interviewer is told, and the event leaves their calendar."),
                    _("Answers and notes recorded so far are kept with the cancelled interview."),
                ],
                confirm=_("Cancel the interview"),
                back=back,
                back_label=_("Keep it"),
                refusal=refusal,
            )
        )
    if interviews.cancel_interview(interview):
        flash(_("The interview is cancelled; the interviewer is told."), "success")
    else:
        flash(_("Only a planned interview can be cancelled."), "info")
    return redirect(back)


# --- recording (the interviewer, or HR) ------------------------------------------------------


def _mine_or_404(interview_id: uuid.UUID) -> Interview:
    """An interviewer opens only the interviews assigned to them; HR any of the tenant's."""
    interview = interviews.interview_or_404(interview_id)
    may_open_any = can(g.role, "tenant.interviews.edit_any")
    if interview.interviewer_user_id != current_user.id and not may_open_any:
        abort(404)
    return interview


def _interview_page(
    interview: Interview,
    status: int = 200,
    *,
    form: MultiDict | None = None,
    errors: dict | None = None,
    conflict: str | None = None,
):
    departure = interviews.departure_of(interview)
    errors = errors or {}
    planned = interview.is_planned and conflict is None
    questionnaire = answers_html(
        interview,
        departure,
        answers=posted(form) if form is not None else None,
        errors=errors,
        preview=not interview.is_planned,
    )
    return render(
        "interviews/interview.html",
        status=status,
        interview=interview,
        departure=departure,
        interviewer=interviews.user_of(interview.interviewer_user_id),
        questionnaire=questionnaire,
        notes=form.get("notes", "") if form is not None else interview.notes,
        notes_max=NOTES_MAX,
        planned=planned,
        errors=errors,
        conflict=conflict,
        saved=None,
        revision=_revision() if conflict else interview.revision,
        read_out=read_out(departure, current_tenant.name),
        back=_back(),
    )


def _back() -> tuple[str, str]:
    if can(g.role, "tenant.departures.view"):
        return url_for("departures.index"), _("Departures")
    return url_for("my_interviews.index"), _("My interviews")


@bp.get("/interviews/<uuid:interview_id>")
@require("tenant.interviews.edit")
def show(interview_id: uuid.UUID):
    interview = _mine_or_404(interview_id)
    page = _interview_page(interview)
    if interview.status == InterviewStatus.COMPLETED:  # the leaver's answers, by name
        audit.record_read("response.view_identified", interview)
    return page


def _revision() -> int | None:
    value = request.form.get("revision", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _state(interview: Interview, status: int, **state):
    """The autosave status block alone, whoever asks: the page's form keeps what was typed
    (only the page's htmx posts here)."""
    body = render_block(
        "interviews/interview.html",
        "autosave_state",
        interview=interview,
        revision=state.pop("revision", interview.revision),
        saved=state.pop("saved", None),
        conflict=state.pop("conflict", None),
        errors=state.pop("errors", {}),
        **state,
    )
    return make_response(body, status)


@bp.post("/interviews/<uuid:interview_id>/autosave")
@require("tenant.interviews.edit")
def autosave(interview_id: uuid.UUID):
    interview = _mine_or_404(interview_id)
    revision = _revision()
    try:
        changed = interviews.autosave(interview, revision, request.form)
    except interviews.Conflict as conflict:
        return _state(
            conflict.interview, 409, revision=revision, conflict=conflict.message, stored=True
        )
    except Refused as refused:
        return _state(interview, 422, revision=revision, errors=refused.errors)
    return _state(interview, 200, saved=changed)


@bp.post("/interviews/<uuid:interview_id>/complete")
@require("tenant.interviews.edit")
def complete(interview_id: uuid.UUID):
    interview = _mine_or_404(interview_id)
    try:
        interviews.complete(interview, _revision(), request.form)
    except interviews.Conflict as conflict:
        return _interview_page(interview, 409, form=request.form, conflict=conflict.message)
    except Refused as refused:
        return _interview_page(interview, 422, form=request.form, errors=refused.errors)
    flash(_("The interview is completed and recorded."), "success")
    return redirect(url_for("interviews.show", interview_id=interview.id))


# --- my interviews, across tenants -----------------------------------------------------------


@mine.get("/")
@login_required
def index():
    found = interviews_of(current_user)
    return render(
        "interviews/mine.html",
        upcoming=[row for row in found if row.status == InterviewStatus.PLANNED],
        completed=[row for row in found if row.status == InterviewStatus.COMPLETED],
    )


@mine.app_context_processor
def _may_interview():
    def may_interview() -> bool:
        """Whether the signed-in person interviews anywhere: the way to “My interviews”."""
        if not current_user.is_authenticated:
            return False
        if "may_interview" not in g:
            g.may_interview = bool(reachable_tenant_slugs(current_user))
        return g.may_interview

    return {"may_interview": may_interview}
