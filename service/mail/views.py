"""/platform/outbox: the outbox for platform admins.

Every row shows its delivery state; a body is shown only for platform mail without a secret
link and for mail *kept* in development (no MAIL_SERVER). A sent tenant email (a leadership
report, say) may carry a client's feedback, which the platform must never read; a pending or
failed reset or invitation link would open an account, and through it the same feedback.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, validate

from service.extensions import db
from service.listing import page_number, paginate
from service.mail import services
from service.mail.models import MailStatus, PlatformEmail, TenantEmail
from service.permissions import require
from service.rendering import render
from service.scopes import platform_blueprint
from service.tenancy import unscoped
from service.tenants.models import Tenant
from service.validation import N_, load_or_errors

bp = platform_blueprint("outbox", __name__, "/outbox")
PER_PAGE = 50
KINDS = {"platform": PlatformEmail, "tenant": TenantEmail}
STATUS_LABELS = {
    MailStatus.PENDING: _l("Waiting"),
    MailStatus.SENDING: _l("Sending"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
    MailStatus.KEPT: _l("Kept (not sent)"),
}
KIND_LABELS = {"platform": _l("Platform mail"), "tenant": _l("Client company mail")}


class OutboxFilter(Schema):
    class Meta:
        unknown = EXCLUDE  # page and q: the pager's

    kind = fields.String(
        load_default="platform",
        validate=validate.OneOf(list(KINDS), error=N_("Choose a kind of mail.")),
    )
    status = fields.String(
        load_default="",
        validate=validate.OneOf(["", *MailStatus], error=N_("Choose a status.")),
    )


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS}


@bp.get("/")
@require("platform.outbox.view")
def index():
    chosen, errors = load_or_errors(OutboxFilter(), request.args.to_dict())
    if errors:  # a hand-edited URL: show the default list rather than an error
        chosen = OutboxFilter().load({})
    model = KINDS[chosen["kind"]]
    query = sa.select(model).order_by(model.created_at.desc())
    if chosen["status"]:
        query = query.where(model.status == MailStatus(chosen["status"]))
    # Platform-wide reads of delivery metadata; bodies stay on the detail page's rules.
    with unscoped("platform outbox: delivery metadata of every tenant"):
        page = paginate(query, page_number(request.args), per_page=PER_PAGE)
        tenants = _tenant_names({e.tenant_id for e in page.items if model is TenantEmail})
    return render(
        "platform/outbox.html",
        block="outbox_list",
        page=page,
        chosen=chosen,
        tenants=tenants,
        statuses=list(MailStatus),
        **_labels(),
    )


def _email_or_404(kind: str, email_id):
    model = KINDS.get(kind) or abort(404)
    with unscoped("platform outbox: one email by id"):
        return db.session.scalar(sa.select(model).where(model.id == email_id)) or abort(404)


def _body_visible(email) -> bool:
    # A secret body (a reset or invitation link) would let the operator into the account,
    # and through it into a client's feedback: shown only when kept in development.
    return email.status == MailStatus.KEPT or (
        isinstance(email, PlatformEmail) and not email.secret
    )


@bp.get("/<kind>/<uuid:email_id>")
@require("platform.outbox.view")
def show(kind: str, email_id):
    email = _email_or_404(kind, email_id)
    with unscoped("platform outbox: the company of one email"):
        tenants = _tenant_names({email.tenant_id} if isinstance(email, TenantEmail) else set())
    return render(
        "platform/outbox_email.html",
        email=email,
        kind=kind,
        tenants=tenants,
        body_visible=_body_visible(email),
        **_labels(),
    )


# The email's HTML styles itself inline, as mail must. A srcdoc frame would inherit the
# page's policy, which refuses inline styles; served alone, the body gets a policy of its
# own: inline styles and data: images only, no script, sandboxed, framed by this site only.
EMAIL_BODY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


@bp.get("/<kind>/<uuid:email_id>/html")
@require("platform.outbox.view")
def email_html(kind: str, email_id):
    email = _email_or_404(kind, email_id)
    if not _body_visible(email) or not email.body_html:
        abort(404)
    response = current_app.response_class(email.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_BODY_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/<kind>/<uuid:email_id>/retry")
@require("platform.outbox.retry")
def retry(kind: str, email_id):
    model = KINDS.get(kind) or abort(404)
    if not services.retry_failed_email(model, email_id):
        abort(404)
    flash(_("The message will be sent again."), "success")
    return redirect(url_for("outbox.show", kind=kind, email_id=email_id))


def _tenant_names(tenant_ids: set) -> dict:
    if not tenant_ids:
        return {}
    rows = db.session.execute(sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids)))
    return dict(rows.all())
