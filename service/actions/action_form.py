"""The form that creates (or edits) an action, shared by the board's own "New action" and by
any page that starts an action from something it shows (an insight), which adds the
evidence it rests on: that page passes it here rather than copying the form."""

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.actions import services
from service.actions.evidence import Evidence
from service.actions.labels import LABELS
from service.actions.models import Action
from service.actions.schemas import LIST_FIELDS, ActionSchema
from service.departures.services import structure_choices
from service.insights.taxonomy import theme_choices, theme_keys
from service.refusals import validate_and_apply
from service.rendering import render, to_page


def posted() -> dict:
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    return form


def form_data() -> dict:
    """The posted form, its repeated fields (checkboxes) as lists."""
    form = posted()
    for key in LIST_FIELDS:
        form[key] = [value for value in request.form.getlist(key) if value]
    return form


def form_page(
    form,
    errors,
    status=200,
    action: Action | None = None,
    target: str | None = None,
    evidence: Evidence | None = None,
    back: tuple[str, str] | None = None,
):
    """The form page; ``target`` is where a new action's form posts (the board's create by
    default), ``evidence`` is shown read-only above the fields and ``back`` (url, label) is
    the way back when it is not the board."""
    choices = structure_choices()
    return render(
        "actions/form.html",
        block="action_form",
        status=status,
        form=form,
        errors=errors,
        action=action,
        target=target,
        evidence=evidence,
        back=back,
        owners=services.owner_choices(),
        departments=[(row.id, row.name) for row in choices["departments"]],
        job_functions=[(row.id, row.name) for row in choices["job_functions"]],
        themes=theme_choices(),
        **LABELS,
    )


def create(evidence: Evidence | None = None, **page):
    """The posted form creates an action (with ``evidence``) and leads to it; or the form
    again with its messages (``page``: form_page's target and back)."""
    form = form_data()
    _data, action, errors = validate_and_apply(
        ActionSchema(),
        form,
        lambda data: services.create_action(
            **data, evidence=evidence, actor=current_user, theme_keys=theme_keys()
        ),
    )
    if errors:
        return form_page(form, errors, 422, evidence=evidence, **page)
    flash(_("Action “%(title)s” created.", title=action.title), "success")
    return to_page(url_for("actions.show", action_id=action.id))
