""" "You said, we did" from HR's side (/t/<slug>/actions/<id>/publish, …/unpublish): write
a done action's public summary and publish it, or take it off the public page."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate

from service.actions.models import PUBLIC_SUMMARY_MAX, ActionStatus
from service.actions.publishing import publish_action, unpublish_action
from service.actions.services import StaleAction, action_or_404
from service.confirmation import Confirmation, ask, asking
from service.permissions import require
from service.refusals import validate_and_apply
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.validation import N_, FormSchema

bp = tenant_blueprint("publishing", __name__, "/actions")


class PublishSchema(FormSchema):
    public_summary = fields.String(
        required=True,
        validate=validate.Length(
            max=PUBLIC_SUMMARY_MAX, error=N_("Keep the summary to 1,000 characters.")
        ),
        error_messages={"required": N_("Write what changed, for staff and candidates to read.")},
    )
    revision = fields.Integer(
        required=True,
        error_messages={
            "required": N_("Reload the page and try again."),
            "invalid": N_("Reload the page and try again."),
        },
    )


def _public_url() -> str:
    return url_for("you_said_we_did.page", tenant_slug=current_tenant.slug, _external=True)


@bp.route("/<uuid:action_id>/publish", methods=["GET", "POST"])
@require("tenant.actions.manage")
def publish(action_id: uuid.UUID):
    action = action_or_404(action_id)
    form = {"public_summary": action.public_summary or "", "revision": str(action.revision)}
    errors: dict = {}
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key in form}
        # A stale revision is a refusal too: its message says someone else saved first.
        _data, changed, errors = validate_and_apply(
            PublishSchema(),
            form,
            lambda data: publish_action(
                action, data["revision"], data["public_summary"], actor=current_user
            ),
        )
        if not errors:
            if changed:
                flash(_("Published on the “You said, we did” page."), "success")
            else:
                flash(_("No changes to save."), "info")
            return redirect(url_for("actions.show", action_id=action.id))
        action = action_or_404(action_id)  # as it is now: a stale form starts again from it
        form["revision"] = str(action.revision)
    return render(
        "actions/publish.html",
        status=422 if errors else 200,
        action=action,
        done=action.status == ActionStatus.DONE,
        form=form,
        errors=errors,
        public_url=_public_url(),
        summary_max=PUBLIC_SUMMARY_MAX,
    )


@bp.route("/<uuid:action_id>/unpublish", methods=["GET", "POST"])
@require("tenant.actions.manage")
def unpublish(action_id: uuid.UUID):
    action = action_or_404(action_id)
    back = url_for("actions.show", action_id=action.id)
    if asking():
        return ask(
            Confirmation(
                question=_("Take “%(title)s” off the public page?", title=action.title),
                consequences=[
                    _("Staff and candidates no longer see it on the “You said, we did” page."),
                    _("Its summary is kept: you can publish it again later."),
                ],
                confirm=_("Take it off the page"),
                back=back,
                back_label=_("Keep it published"),
                refusal=None if action.published else _("This action is not published."),
                fields=[("revision", str(action.revision))],
            )
        )
    revision = request.form.get("revision", type=int)
    try:
        changed = unpublish_action(
            action, revision if revision is not None else -1, actor=current_user
        )
    except StaleAction:
        flash(
            _("Someone else changed this action in the meantime: check it and try again."), "error"
        )
        return redirect(back)
    if changed:
        flash(_("Taken off the “You said, we did” page."), "success")
    else:
        flash(_("This action is not published."), "info")
    return redirect(back)
