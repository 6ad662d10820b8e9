"""The data page (/t/<slug>/settings/privacy), the retention form beside it, and erasing one
leaver (/t/<slug>/departures/<id>/erase)."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from service.accounts.reauth import recent_proof_required
from service.confirmation import Confirmation, ask, asking
from service.departures.services import departure_or_404
from service.permissions import require
from service.privacy import services
from service.privacy.disclosure import lines
from service.privacy.limits import LIMITS
from service.privacy.schemas import RetentionSchema
from service.refusals import validate_and_apply
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint

bp = tenant_blueprint("privacy", __name__, "/settings/privacy")
erasure = tenant_blueprint("erasure", __name__, "/departures")


@bp.get("/")
@require("tenant.privacy.view")
def index():
    return render("privacy/index.html", tenant=current_tenant, lines=lines(current_tenant))


def _retention_page(form: dict, errors: dict, status: int = 200):
    return render("privacy/retention.html", status=status, form=form, errors=errors, limits=LIMITS)


@bp.get("/retention")
@require("tenant.retention.edit")
def retention():
    return _retention_page(
        {limit.column: getattr(current_tenant, limit.column) for limit in LIMITS}, {}
    )


@bp.post("/retention")
@require("tenant.retention.edit")
@recent_proof_required  # how long the company keeps personal data is the controller's call
def edit_retention():
    form = request.form.to_dict()
    _data, changed, errors = validate_and_apply(
        RetentionSchema(), form, lambda data: services.update_retention(current_tenant, data)
    )
    if errors:
        return _retention_page(form, errors, 422)
    if changed:
        flash(_("Retention saved. The daily clean-up follows the new periods."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for("privacy.index"))


@erasure.route("/<uuid:departure_id>/erase", methods=["GET", "POST"])
@require("tenant.departures.erase")
@recent_proof_required  # nothing brings the data back
def erase(departure_id: uuid.UUID):
    departure = departure_or_404(departure_id)
    back = url_for("departures.show", departure_id=departure.id)
    if asking():
        refusal = None
        if departure.anonymised_at is not None:
            refusal = _("This person's data has already been erased.")
        return ask(
            Confirmation(
                question=_("Erase the data of %(name)s?", name=departure.full_name),
                consequences=[
                    _(
                        "The name, email addresses, phone, manager and note of this "
                        "departure are removed; the last working day and hire date keep only "
                        "their month."
                    ),
                    _(
                        "Interviews with this person are deleted, answers and notes "
                        "included, with the themes read from them. A planned interview is "
                        "deleted without an email to the interviewer (it would name the "
                        "person): tell them yourself."
                    ),
                    _(
                        "The survey link stops working and its address is removed; emails "
                        "to or about this person are deleted from the outbox."
                    ),
                    _(
                        "Confidential survey answers stay: they were never linked to the "
                        "person. Department, function, location and type of exit stay too, "
                        "for turnover figures."
                    ),
                    _("This cannot be undone."),
                ],
                confirm=_("Erase this person's data"),
                back=back,
                back_label=_("Keep the data"),
                refusal=refusal,
            )
        )
    if services.erase_departure(departure) is None:
        flash(_("This person's data has already been erased."), "info")
    else:
        flash(_("The leaver's data is erased."), "success")
    return redirect(back)
