"""Departures from a file (/t/<slug>/departures/import…): upload, map the columns, a preview
of every row, confirm; a background job imports it with a progress bar; past imports.

The uploaded file waits in its draft import row until the person confirms or leaves it; the
job drops it when the import ends, and a new upload drops the drafts left over a day.
"""

import uuid

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from service.departures import imports
from service.departures.import_models import DepartureImport, ImportStatus
from service.departures.import_services import (
    abandon_import,
    confirm_import,
    map_columns,
    start_import,
)
from service.extensions import db
from service.permissions import can, require
from service.rendering import render
from service.scopes import tenant_blueprint
from service.tenancy import get_for_tenant_or_404, of_current_tenant

bp = tenant_blueprint("departure_imports", __name__, "/departures/import")

SHOWN_IMPORTS = 20
# The request may carry the file and a form around it; the file itself is checked exactly.
REQUEST_MARGIN = 64 * 1024


def _too_large() -> str:
    return _("The file is larger than %(size)s MB.", size=imports.MAX_FILE_BYTES // 2**20)


@bp.url_value_preprocessor
def _allow_the_upload_size(endpoint, values) -> None:
    """This upload alone may be larger than the app's 5 MB for other forms. Set before the
    app's CSRF check reads the form, which happens before any before_request of ours."""
    if endpoint == "departure_imports.import_upload":
        request.max_content_length = imports.MAX_FILE_BYTES + REQUEST_MARGIN


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(_error):
    # Raised while the form is read, before the tenant is resolved: say it on the list.
    flash(_too_large(), "error")
    slug = request.path.split("/")[2]  # /t/<slug>/…: the scope has not read it yet
    return redirect(url_for(".import_list", tenant_slug=slug), 303)


def _may_create_structure() -> bool:
    return can(g.get("role"), "tenant.structure.manage")


def _imports_page(problems=(), status=200):
    past = db.session.scalars(
        sa.select(DepartureImport)
        .where(of_current_tenant(DepartureImport), DepartureImport.status != ImportStatus.DRAFT)
        .order_by(DepartureImport.created_at.desc())
        .limit(SHOWN_IMPORTS)
    ).all()
    return render(
        "departures/import.html",
        status=status,
        problems=problems,
        past=past,
        labels=[imports.label(name) for name in imports.REQUIRED],
        max_mb=imports.MAX_FILE_BYTES // (1024 * 1024),
        may_manage=can(g.get("role"), "tenant.departures.manage"),
        create_structure=_may_create_structure(),
    )


@bp.get("")
@require("tenant.departures.view")
def import_list():
    return _imports_page()


@bp.post("")
@require("tenant.departures.manage")
def import_upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _imports_page([_("Choose a CSV or XLSX file to upload.")], 422)
    content = upload.stream.read(imports.MAX_FILE_BYTES + 1)
    if len(content) > imports.MAX_FILE_BYTES:
        return _imports_page([_too_large()], 413)
    try:
        imports.read_table(content)
    except imports.FileRefused as refused:
        return _imports_page([str(refused)], 422)
    draft = start_import(upload.filename, content, _may_create_structure())
    return redirect(url_for(".import_preview", import_id=draft.id))


def _draft_or_status(import_id: uuid.UUID):
    record = get_for_tenant_or_404(DepartureImport, import_id)
    if record.status != ImportStatus.DRAFT:
        return record, redirect(url_for(".import_status", import_id=record.id))
    return record, None


def _preview_page(record: DepartureImport, status=200, extra_problems=()):
    page = request.args.get("page", 1, type=int) or 1
    result = imports.preview(record.content, record.mapping, record.create_structure, max(page, 1))
    result.problems += extra_problems
    earlier = imports.earlier_import(record.fingerprint, record.id)
    field_of = {number: name for name, number in result.mapping.items()}
    return render(
        "departures/import_preview.html",
        status=status if result.importable or status != 200 else 422,
        record=record,
        result=result,
        earlier=earlier,
        fields=imports.FIELDS,
        required=imports.REQUIRED,
        column_fields=[field_of.get(number, "") for number in range(len(result.header))],
        shown_fields=[name for name in imports.FIELDS if name in result.mapping],
        label=imports.label,
    )


@bp.get("/<uuid:import_id>/preview")
@require("tenant.departures.manage")
def import_preview(import_id: uuid.UUID):
    record = get_for_tenant_or_404(DepartureImport, import_id)
    # Once confirmed, the preview's address shows where the import stands.
    return _preview_page(record) if record.status == ImportStatus.DRAFT else _status_page(record)


@bp.post("/<uuid:import_id>/preview")
@require("tenant.departures.manage")
def import_mapping(import_id: uuid.UUID):
    """The columns as the person mapped them; the preview is checked again with them."""
    record, moved = _draft_or_status(import_id)
    if moved:
        return moved
    mapping: dict[str, int] = {}
    problems = []
    for key, name in request.form.items():
        if not key.startswith("column-") or name not in imports.FIELDS:
            continue
        try:
            number = int(key.removeprefix("column-"))
        except ValueError:
            abort(400)
        if name in mapping:
            problems.append(_("Two columns fill %(field)s: choose one.", field=imports.label(name)))
        mapping[name] = number
    # The person's own choice, once it is one: the first guess for the next file too.
    map_columns(record, mapping, remember=not problems)
    if problems:
        return _preview_page(record, 422, problems)
    return redirect(url_for(".import_preview", import_id=record.id))


@bp.post("/<uuid:import_id>/confirm")
@require("tenant.departures.manage")
def import_confirm(import_id: uuid.UUID):
    record, moved = _draft_or_status(import_id)
    if moved:
        return moved
    result = imports.preview(record.content, record.mapping, record.create_structure)
    if not result.importable:
        return _preview_page(record, 422)
    # The summary's messages are written in the language of the person who confirmed.
    confirm_import(record, result, str(get_locale()))
    return redirect(url_for(".import_status", import_id=record.id))


@bp.post("/<uuid:import_id>/cancel")
@require("tenant.departures.manage")
def import_cancel(import_id: uuid.UUID):
    record, moved = _draft_or_status(import_id)
    if moved:
        return moved
    abandon_import(record)
    flash(_("Nothing was imported; the file was dropped."), "success")
    return redirect(url_for(".import_list"))


@bp.get("/<uuid:import_id>")
@require("tenant.departures.view")
def import_status(import_id: uuid.UUID):
    record = get_for_tenant_or_404(DepartureImport, import_id)
    if record.status == ImportStatus.DRAFT:
        return redirect(url_for(".import_preview", import_id=record.id))
    return _status_page(record)


def _status_page(record: DepartureImport):
    return render(
        "departures/import_status.html",
        block="progress",
        record=record,
        earlier=imports.earlier_import(record.fingerprint, record.id),
    )
