"""CSV import of departments, functions and locations: upload, a preview of every row with
its errors, then confirm — all or nothing; a sample file to start from (/t/<slug>/import/…)."""

import binascii
import io
from base64 import b64decode, b64encode

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.permissions import require
from service.refusals import Refused
from service.rendering import render
from service.tenants import imports
from service.tenants.views import bp

IMPORT_KINDS = "<any(departments, functions, locations):structure>"
IMPORT_TITLES = {
    "departments": _l("Import departments"),
    "functions": _l("Import functions"),
    "locations": _l("Import locations"),
}
SAMPLE_NAMES = {
    "departments": _l("sample-departments.csv"),
    "functions": _l("sample-functions.csv"),
    "locations": _l("sample-locations.csv"),
}
IMPORT_TARGETS = {
    "departments": "tenants.departments",
    "functions": "tenants.job_functions",
    "locations": "tenants.locations",
}


def _import_page(kind: str, result=None, status=200):
    content = b64encode(result.content).decode() if result and result.importable else None
    return render(
        "tenants/import.html",
        block="preview" if result is not None else None,
        status=status,
        kind=kind,
        title=IMPORT_TITLES[kind],
        headings=imports.headings(kind),
        heading=imports.heading,
        result=result,
        content=content,
        max_rows=imports.MAX_IMPORT_ROWS,
        max_kb=imports.MAX_IMPORT_BYTES // 1024,
        back=IMPORT_TARGETS[kind],
    )


@bp.get(f"/import/{IMPORT_KINDS}")
@require("tenant.structure.manage")
def import_form(structure: str):
    return _import_page(structure)


@bp.get(f"/import/{IMPORT_KINDS}/sample.csv")
@require("tenant.structure.manage")
def import_sample(structure: str):
    return send_file(
        io.BytesIO(imports.sample(structure)),
        mimetype="text/csv",
        as_attachment=True,
        download_name=str(SAMPLE_NAMES[structure]),
    )


@bp.post(f"/import/{IMPORT_KINDS}")
@require("tenant.structure.manage")
def import_preview(structure: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        result = imports.ImportPreview(structure, problems=[_("Choose a CSV file to upload.")])
    else:
        # One byte over the limit is enough to refuse; never read a huge upload whole.
        result = imports.preview(structure, upload.stream.read(imports.MAX_IMPORT_BYTES + 1))
    return _import_page(structure, result, 200 if result.importable else 422)


@bp.post(f"/import/{IMPORT_KINDS}/confirm")
@require("tenant.structure.manage")
def import_confirm(structure: str):
    try:
        content = b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    result = imports.preview(structure, content)
    if result.importable:
        try:
            count = imports.apply(result)
        except Refused as refused:
            result.problems += refused.errors["form"]
        else:
            flash(_("%(count)s rows imported.", count=count), "success")
            return redirect(url_for(IMPORT_TARGETS[structure]))
    return _import_page(structure, result, 422)
