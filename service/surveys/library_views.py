"""The agency's library of question templates (/agency/<slug>/library/): kept by the
agency admin (started from a preset or blank, edited in place), read by its consultants,
adopted by its client companies as a starting point for their own templates."""

import uuid

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from service.config import LANGUAGES
from service.confirmation import Confirmation, ask, asking
from service.permissions import can, require
from service.refusals import validate_and_apply
from service.rendering import render
from service.scopes import agency_blueprint
from service.surveys import editor, preview, services
from service.surveys.schemas import NewTemplateSchema, RenameSchema

bp = agency_blueprint("library", __name__, "/library")


def _index_page(form=None, errors=None, status=200):
    return render(
        "surveys/library.html",
        status=status,
        templates=services.library(g.agency.id),
        starts=services.starting_points(None),
        form=form or {"languages": list(LANGUAGES), "start": "preset:core"},
        errors=errors or {},
    )


@bp.get("/")
@require("agency.library.view")
def index():
    return _index_page()


@bp.post("/")
@require("agency.library.manage")
def create():
    form = {**request.form.to_dict(), "languages": request.form.getlist("languages")}
    _data, template, errors = validate_and_apply(
        NewTemplateSchema(),
        form,
        lambda data: services.create_library_template(
            g.agency.id,
            data["name"],
            [language for language in LANGUAGES if language in data["languages"]],
            data["start"],
        ),
    )
    if errors:
        return _index_page(form, errors, 422)
    flash(_("“%(name)s” added to the library.", name=template.name), "success")
    return redirect(url_for("library.template", library_template_id=template.id))


def _template_page(template, status=200, open_key=None, errors=None, form=None, notice=None):
    return render(
        "surveys/library_template.html",
        block="editor",
        status=status,
        tmpl=template,
        shown=template,
        editable=can(g.role, "agency.library.manage"),
        urls=editor.editor_urls("library", library_template_id=template.id),
        **editor.editor_context(template, open_key, errors, form, notice),
    )


def _editing(library_template_id) -> editor.Editing:
    template = services.library_template_or_404(g.agency.id, library_template_id)
    return editor.Editing(
        row=template,
        page=lambda **kwargs: _template_page(template, **kwargs),
        back=url_for("library.template", library_template_id=template.id),
    )


@bp.get("/<uuid:library_template_id>")
@require("agency.library.view")
def template(library_template_id: uuid.UUID):
    return _template_page(services.library_template_or_404(g.agency.id, library_template_id))


@bp.post("/<uuid:library_template_id>/questions")
@require("agency.library.manage")
def add_question(library_template_id: uuid.UUID):
    return editor.add_question(_editing(library_template_id))


@bp.post("/<uuid:library_template_id>/questions/<key>")
@require("agency.library.manage")
def update_question(library_template_id: uuid.UUID, key: str):
    return editor.update_question(_editing(library_template_id), key)


@bp.post("/<uuid:library_template_id>/questions/<key>/move")
@require("agency.library.manage")
def move_question(library_template_id: uuid.UUID, key: str):
    return editor.move_question(_editing(library_template_id), key)


@bp.route("/<uuid:library_template_id>/questions/<key>/remove", methods=["GET", "POST"])
@require("agency.library.manage")
def remove_question(library_template_id: uuid.UUID, key: str):
    return editor.remove_question(_editing(library_template_id), key)


@bp.post("/<uuid:library_template_id>/rename")
@require("agency.library.manage")
def rename(library_template_id: uuid.UUID):
    template = services.library_template_or_404(g.agency.id, library_template_id)
    _data, changed, errors = validate_and_apply(
        RenameSchema(), request.form.to_dict(), lambda data: services.rename(template, data["name"])
    )
    if errors:
        return _template_page(template, status=422, errors=errors)
    if changed:
        flash(_("The template has been renamed."), "success")
    return redirect(url_for("library.template", library_template_id=template.id))


@bp.route("/<uuid:library_template_id>/delete", methods=["GET", "POST"])
@require("agency.library.manage")
def delete(library_template_id: uuid.UUID):
    template = services.library_template_or_404(g.agency.id, library_template_id)
    if asking():
        return ask(
            Confirmation(
                question=_("Remove “%(name)s” from the library?", name=template.name),
                consequences=[
                    _("The template and its questions leave the agency's library for good."),
                    _("Client templates started from it keep their own copy."),
                ],
                confirm=_("Remove from the library"),
                back=url_for("library.template", library_template_id=template.id),
            )
        )
    name = template.name
    services.delete_library_template(template)
    flash(
        _(
            "“%(name)s” has been removed from the library. Client templates started from it "
            "keep their own copy.",
            name=name,
        ),
        "success",
    )
    return redirect(url_for("library.index"))


@bp.get("/<uuid:library_template_id>/preview")
@require("agency.library.view")
def preview_template(library_template_id: uuid.UUID):
    template = services.library_template_or_404(g.agency.id, library_template_id)
    return preview.page(
        services.document_of(template),
        title=template.name,
        back=url_for("library.template", library_template_id=template.id),
        here=lambda language: url_for(
            "library.preview_template", library_template_id=template.id, lang=language
        ),
    )
