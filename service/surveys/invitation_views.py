"""HR's actions on a departure's survey invitation (/t/<slug>/departures/<id>/survey/…):
send now, resend with a new link, cancel. The panel itself is part of the departure's page."""

import uuid

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from service.confirmation import Confirmation, ask, asking
from service.departures.models import Departure
from service.permissions import require
from service.refusals import Refused
from service.scopes import current_tenant, tenant_blueprint
from service.surveys import invitation_actions, invitation_steps, invitations
from service.surveys.invitation_models import SurveyInvitation
from service.tenancy import get_for_tenant_or_404

bp = tenant_blueprint("survey_invitations", __name__, "/departures")


def _of(departure_id: uuid.UUID) -> tuple[Departure, SurveyInvitation]:
    departure = get_for_tenant_or_404(Departure, departure_id)
    invitation = invitations.latest_invitation(departure.id)
    if invitation is None:
        abort(404)
    return departure, invitation


def _back(departure: Departure):
    return redirect(url_for("departures.show", departure_id=departure.id) + "#survey")


@bp.post("/<uuid:departure_id>/survey/send")
@require("tenant.departures.manage")
def send_now(departure_id: uuid.UUID):
    departure, invitation = _of(departure_id)
    try:
        invitation_actions.send_now(invitation, departure, current_tenant)
    except Refused as refused:
        flash(" ".join(refused.errors["form"]), "error")
    else:
        flash(
            _("The survey invitation is on its way to %(address)s.", address=invitation.address),
            "success",
        )
    return _back(departure)


@bp.route("/<uuid:departure_id>/survey/resend", methods=["GET", "POST"])
@require("tenant.departures.manage")
def resend(departure_id: uuid.UUID):
    departure, invitation = _of(departure_id)
    if asking():
        return ask(
            Confirmation(
                question=_("Send the survey to %(name)s again?", name=departure.full_name),
                consequences=[
                    _("A new invitation with a new link goes out; the earlier link stops working."),
                    _("Answers already given are kept. Reminders and expiry start again."),
                ],
                confirm=_("Send again"),
                back=url_for("departures.show", departure_id=departure.id),
                refusal=None
                if invitation.status in invitation_steps.RESENDABLE
                else _("This invitation cannot be sent again."),
            )
        )
    try:
        invitation_actions.resend(invitation, departure, current_tenant)
    except Refused as refused:
        flash(" ".join(refused.errors["form"]), "error")
    else:
        flash(
            _("A new invitation is on its way to %(address)s.", address=invitation.address),
            "success",
        )
    return _back(departure)


@bp.route("/<uuid:departure_id>/survey/cancel", methods=["GET", "POST"])
@require("tenant.departures.manage")
def cancel(departure_id: uuid.UUID):
    departure, invitation = _of(departure_id)
    if asking():
        return ask(
            Confirmation(
                question=_("Cancel the survey of %(name)s?", name=departure.full_name),
                consequences=[
                    _("No invitation or reminder will be sent, and the link stops working."),
                    _("Answers the leaver has started are deleted."),
                ],
                confirm=_("Cancel the survey"),
                back=url_for("departures.show", departure_id=departure.id),
                back_label=_("Keep it"),
                refusal=None if invitation.is_live else _("This survey is no longer running."),
            )
        )
    if invitation_actions.cancel(invitation):
        flash(_("The survey of %(name)s is cancelled.", name=departure.full_name), "success")
    else:
        flash(_("This survey is no longer running."), "info")
    return _back(departure)
