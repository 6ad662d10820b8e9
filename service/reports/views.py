"""Leadership reports in the browser (/t/<slug>/reports/): the archive and one report (HR
and leadership); the settings, recipients, preview and "send now" (HR admin)."""

from babel.dates import get_day_names
from flask import flash, g, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from service.config import LANGUAGES
from service.confirmation import Confirmation, ask, asking
from service.i18n import LANGUAGE_NAMES, day
from service.listing import page_number
from service.model_types import utcnow
from service.permissions import can, require
from service.refusals import validate_and_apply
from service.rendering import render, wants_fragment
from service.reports import sending, settings
from service.reports.labels import CADENCES
from service.reports.models import RECIPIENTS_MAX, Report
from service.reports.schemas import (
    AddressRecipientSchema,
    MemberRecipientSchema,
    ReportSettingsSchema,
)
from service.scopes import current_tenant, tenant_blueprint
from service.tenancy import get_for_tenant_or_404

bp = tenant_blueprint("reports", __name__, "/reports")


def _labels() -> dict:
    """What every report page names: cadences, weekdays, languages."""
    weekdays = get_day_names("wide", locale=get_locale())
    return {
        "cadences": CADENCES,
        "weekdays": [(day, weekdays[day].capitalize()) for day in range(7)],
        "day_names": [weekdays[day] for day in range(7)],  # in a sentence: "jeudi 3 déc."
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "language_names": LANGUAGE_NAMES,
    }


def _language() -> str:
    return getattr(get_locale(), "language", "en")


# --- the archive and one report ------------------------------------------------------------


@bp.get("/")
@require("tenant.reports.view")
def index():
    pagination, reports = settings.archive_page(page_number(request.args))
    manage = can(g.role, "tenant.reports.manage")
    return render(
        "reports/index.html",
        pagination=pagination,
        reports=reports,
        failures=settings.latest_failures() if manage else None,
        report_settings=settings.current_settings(),
        **_labels(),
    )


@bp.route("/<report_id>")
@require("tenant.reports.view")
def show(report_id: str):
    """One report as it was sent, printable (A4)."""
    report = get_for_tenant_or_404(Report, report_id)
    return render("reports/show.html", report=report, content=report.content, language=_language())


# --- the settings and recipients ---------------------------------------------------------------


def _form_of(stored) -> dict:
    return {
        "enabled": stored.enabled,
        "cadence": stored.cadence.value,
        "weekday": stored.weekday,
        "day_of_month": stored.day_of_month,
        "hour": stored.hour,
        "attach_pdf": stored.attach_pdf,
    }


def _settings_page(form=None, errors=None, status=200, block=None, notice=None, **forms):
    """The settings page, or its recipients block for htmx; ``forms``: the recipient form
    posted (``member_form`` and ``member_errors``, or ``address_form`` and
    ``address_errors``)."""
    stored = settings.current_settings()
    return render(
        "reports/settings.html",
        block=block,
        status=status,
        notice=notice,
        tenant=current_tenant,
        next_report=settings.next_report(stored, current_tenant, utcnow()),
        stored=stored,
        form=form if form is not None else _form_of(stored),
        errors=errors or {},
        member_form=forms.get("member_form", {}),
        member_errors=forms.get("member_errors", {}),
        address_form=forms.get("address_form", {}),
        address_errors=forms.get("address_errors", {}),
        recipients=settings.recipient_rows(),
        members=settings.member_choices(),
        recipients_max=RECIPIENTS_MAX,
        failures=settings.latest_failures(),
        **_labels(),
    )


@bp.get("/settings")
@require("tenant.reports.manage")
def settings_page():
    return _settings_page()


@bp.post("/settings")
@require("tenant.reports.manage")
def edit_settings():
    form = request.form.to_dict()
    _data, changed, errors = validate_and_apply(
        ReportSettingsSchema(), form, lambda data: settings.save_settings(data, utcnow())
    )
    if errors:
        form.setdefault("enabled", False)
        form.setdefault("attach_pdf", False)
        return _settings_page(form, errors, 422)
    if changed:
        flash(_("Report settings saved."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for("reports.settings_page"))


@bp.post("/recipients/members")
@require("tenant.reports.manage")
def add_member():
    form = request.form.to_dict()
    _data, recipient, errors = validate_and_apply(
        MemberRecipientSchema(), form, lambda data: settings.add_member(data, current_tenant)
    )
    if errors:
        return _settings_page(
            status=422, block="recipients", member_form=form, member_errors=errors
        )
    return _recipients_changed(
        _("%(name)s now gets the reports.", name=settings.recipient_name(recipient))
    )


@bp.post("/recipients/addresses")
@require("tenant.reports.manage")
def add_address():
    form = request.form.to_dict()
    _data, recipient, errors = validate_and_apply(
        AddressRecipientSchema(), form, settings.add_address
    )
    if errors:
        return _settings_page(
            status=422, block="recipients", address_form=form, address_errors=errors
        )
    return _recipients_changed(_("%(name)s now gets the reports.", name=recipient.address))


def _recipients_changed(message: str):
    """After a recipient is added: the refreshed list for htmx, else a flash and the page."""
    if wants_fragment():
        return _settings_page(block="recipients", notice=message)
    flash(message, "success")
    return redirect(url_for("reports.settings_page", _anchor="recipients"))


@bp.route("/recipients/<uuid:recipient_id>/remove", methods=["GET", "POST"])
@require("tenant.reports.manage")
def remove_recipient(recipient_id):
    recipient = settings.recipient_or_404(recipient_id)
    name = settings.recipient_name(recipient)
    if asking():
        return ask(
            Confirmation(
                question=_("Stop sending the reports to %(name)s?", name=name),
                consequences=[
                    _(
                        "The reports already sent stay in the archive. You can add this "
                        "recipient again at any time."
                    )
                ],
                confirm=_("Remove the recipient"),
                back=url_for("reports.settings_page", _anchor="recipients"),
            )
        )
    settings.remove_recipient(recipient)
    flash(_("%(name)s no longer gets the reports.", name=name), "success")
    return redirect(url_for("reports.settings_page", _anchor="recipients"))


# --- preview and send now ------------------------------------------------------------------


@bp.get("/preview")
@require("tenant.reports.manage")
def preview():
    """The report "send now" would send, with today's figures; nothing is kept or sent."""
    now = utcnow()
    period = sending.last_ended_period(current_tenant, settings.current_settings(), now)
    return render(
        "reports/preview.html",
        report=None,
        content=sending.preview(now),
        language=_language(),
        period=period,
        recipients=sending.recipients(),
        **_labels(),
    )


@bp.route("/send", methods=["GET", "POST"])
@require("tenant.reports.manage")
def send_now():
    """An extra copy of the last ended period's report to every recipient, after asking;
    with no recipient, it says so and sends nothing."""
    now = utcnow()
    recipients = sending.recipients()
    to_recipients = url_for("reports.settings_page", _anchor="recipients")
    if not recipients and not asking():
        flash(_("The report has no recipients yet: add one first. Nothing was sent."), "error")
        return redirect(to_recipients)
    if asking():
        period = sending.last_ended_period(current_tenant, settings.current_settings(), now)
        return ask(
            Confirmation(
                question=_("Send the report now?"),
                consequences=[
                    ngettext(
                        "The report of %(first)s to %(last)s goes to %(num)s recipient now, "
                        "as an extra copy: the scheduled reports go out as planned.",
                        "The report of %(first)s to %(last)s goes to %(num)s recipients now, "
                        "as an extra copy: the scheduled reports go out as planned.",
                        len(recipients),
                        first=day(period.start),
                        last=day(period.end),
                    )
                ],
                confirm=_("Send the report now"),
                back=url_for("reports.preview") if recipients else to_recipients,
                refusal=None
                if recipients
                else _("The report has no recipients yet: add one in the settings first."),
            )
        )
    sending.send_now(current_user.id, now)
    flash(
        ngettext(
            "The report is on its way to %(num)s recipient.",
            "The report is on its way to %(num)s recipients.",
            len(recipients),
        ),
        "success",
    )
    return redirect(url_for("reports.index"))
