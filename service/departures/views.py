"""Departures by hand (/t/<slug>/departures/): the list, the form, a departure's page, edit
and cancel. Only HR sees them: a leaver's name is personal data."""

import uuid

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from service.audit import trail as audit
from service.confirmation import Confirmation, ask, asking
from service.departures import services
from service.departures.labels import LABELS
from service.departures.models import Departure, DepartureStatus
from service.departures.schemas import DepartureSchema
from service.i18n import LANGUAGE_NAMES
from service.permissions import can, require
from service.refusals import validate_and_apply
from service.rendering import render, to_page
from service.scopes import current_tenant, tenant_blueprint
from service.surveys import invitations
from service.surveys.interview_panel import panel as interview_panel
from service.surveys.interviews import planned_interview
from service.surveys.invitation_labels import INVITATION_STATUSES

bp = tenant_blueprint("departures", __name__, "/departures")

FORM_FIELDS = (
    "full_name",
    "work_email",
    "personal_email",
    "phone",
    "language",
    "department_id",
    "job_function_id",
    "location_id",
    "manager_membership_id",
    "manager_name",
    "hired_on",
    "last_day",
    "exit_type",
    "channel",
    "template_id",
    "note",
)


def _may_add_structure() -> bool:
    return can(g.role, "tenant.structure.manage")


def _choices() -> dict:
    return {
        **services.structure_choices(),
        "managers": services.manager_choices(),
        "templates": services.template_choices(),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in current_tenant.languages],
    }


# --- the list --------------------------------------------------------------------------------


@bp.get("/")
@require("tenant.departures.view")
def index():
    filters = services.filters_from(request.args)
    choices = services.structure_choices()
    pagination = services.departure_page(filters)
    response = render(
        "departures/index.html",
        block="listing",
        filters=filters,
        pagination=pagination,
        survey_statuses=invitations.latest_statuses([d.id for d in pagination.items]),
        invitation_statuses=INVITATION_STATUSES,
        counts=services.status_counts(filters),
        names={row.id: row.name for rows in choices.values() for row in rows},
        options={key: [(row.id, row.name) for row in rows] for key, rows in choices.items()},
        **LABELS,
    )
    if request.htmx:
        # The address bar shows the filters in use, not every empty field of the form.
        page = {"page": filters.page} if filters.page > 1 else {}
        response.headers["HX-Push-Url"] = url_for("departures.index", **filters.args, **page)
    return response


# --- one departure ---------------------------------------------------------------------------


def _form_page(form, errors, status=200, departure: Departure | None = None):
    return render(
        "departures/form.html",
        block="departure_form",
        status=status,
        form=form,
        errors=errors,
        departure=departure,
        may_add_structure=_may_add_structure(),
        **_choices(),
        **LABELS,
    )


def _posted_form() -> dict:
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    return form


@bp.get("/new")
@require("tenant.departures.manage")
def new():
    form = {"language": current_tenant.default_language, "channel": current_tenant.default_channel}
    default = services.default_template_id()
    if default is not None:
        form["template_id"] = str(default)
    return _form_page(form, {})


@bp.post("/new")
@require("tenant.departures.manage")
def create():
    form = _posted_form()
    _data, departure, errors = validate_and_apply(
        DepartureSchema(),
        form,
        lambda data: services.create_departure(data, _may_add_structure()),
    )
    if errors:
        return _form_page(form, errors, 422)
    flash(_("Departure of %(name)s recorded.", name=departure.full_name), "success")
    return to_page(url_for("departures.show", departure_id=departure.id))


@bp.get("/<uuid:departure_id>")
@require("tenant.departures.view")
def show(departure_id: uuid.UUID):
    departure = services.departure_or_404(departure_id)
    invitation = invitations.latest_invitation(departure.id)
    interview = interview_panel(departure)
    page = render(
        "departures/show.html",
        departure=departure,
        names=services.names_of(departure),
        language_name=departure.language,
        invitation=invitation,
        survey=invitations.panel_facts(invitation, departure, current_tenant)
        if invitation is not None
        else None,
        invitation_statuses=INVITATION_STATUSES,
        **interview,
        **LABELS,
    )
    shown = interview["interview_panel"]
    if shown is not None and shown["answered"] is not None:  # the completed, named response
        audit.record_read("response.view_identified", shown["interview"])
    return page


def _form_of(departure: Departure) -> dict:
    form = {}
    for key in FORM_FIELDS:
        value = getattr(departure, key)
        if value is None:
            continue
        form[key] = value.value if hasattr(value, "value") else str(value)
    if departure.regretted:
        form["regretted"] = "on"
    return form


@bp.route("/<uuid:departure_id>/edit", methods=["GET", "POST"])
@require("tenant.departures.manage")
def edit(departure_id: uuid.UUID):
    departure = services.departure_or_404(departure_id)
    if departure.anonymised_at is not None:  # erased: nothing of the person may come back
        flash(_("This person's data has been erased: the departure can no longer change."), "info")
        return to_page(url_for("departures.show", departure_id=departure.id))
    if request.method == "GET":
        return _form_page(_form_of(departure), {}, departure=departure)
    form = _posted_form()
    _data, changed, errors = validate_and_apply(
        DepartureSchema(),
        form,
        lambda data: services.update_departure(departure, data, _may_add_structure()),
    )
    if errors:
        return _form_page(form, errors, 422, departure=departure)
    if changed:
        flash(_("Departure saved."), "success")
    else:
        flash(_("No changes to save."), "info")
    return to_page(url_for("departures.show", departure_id=departure.id))


@bp.route("/<uuid:departure_id>/cancel", methods=["GET", "POST"])
@require("tenant.departures.manage")
def cancel(departure_id: uuid.UUID):
    departure = services.departure_or_404(departure_id)
    back = url_for("departures.show", departure_id=departure.id)
    if asking():
        refusal = None
        if departure.status == DepartureStatus.CANCELLED:
            refusal = _("This departure is already cancelled.")
        return ask(
            Confirmation(
                question=_("Cancel the departure of %(name)s?", name=departure.full_name),
                consequences=[
                    _(
                        "It stays recorded and marked as cancelled, but no survey or "
                        "interview will follow from it."
                    ),
                    _("The list no longer shows it unless you filter on the status “Cancelled”."),
                    *(
                        [_("The planned interview is cancelled too; the interviewer is told.")]
                        if planned_interview(departure)
                        else []
                    ),
                ],
                confirm=_("Cancel the departure"),
                back=back,
                back_label=_("Keep it"),
                refusal=refusal,
            )
        )
    if services.cancel_departure(departure):
        flash(_("The departure of %(name)s is cancelled.", name=departure.full_name), "success")
    else:
        flash(_("This departure is already cancelled."), "info")
    return redirect(back)
