"""A tenant's question templates (/t/<slug>/templates/): the list, a new template from a
preset, the agency's library or blank, the editor of its draft, publishing, versions,
preview, archive and the default."""

import uuid

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from service.confirmation import Confirmation, ask, asking
from service.permissions import can, require
from service.refusals import Refused, validate_and_apply
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.surveys import editor, preview, services
from service.surveys.schemas import NewTemplateSchema, RenameSchema, RevisionSchema

bp = tenant_blueprint("surveys", __name__, "/templates")


def _index_page(form=None, errors=None, status=200):
    return render(
        "surveys/index.html",
        status=status,
        rows=services.template_rows(),
        starts=services.starting_points(current_tenant.agency_id),
        form=form or {"languages": list(current_tenant.languages), "start": _default_start()},
        errors=errors or {},
    )


def _default_start() -> str:
    return f"preset:{current_tenant.sector.value}"


@bp.get("/")
@require("tenant.templates.view")
def index():
    return _index_page()


@bp.post("/")
@require("tenant.templates.manage")
def create():
    form = {**request.form.to_dict(), "languages": request.form.getlist("languages")}

    def change(data):
        allowed = list(current_tenant.languages)
        chosen = [language for language in allowed if language in data["languages"]]
        if len(chosen) != len(set(data["languages"])):
            raise Refused({"languages": [_("Choose among the company's languages.")]})
        return services.create_template(
            data["name"], chosen, data["start"], current_tenant.agency_id
        )

    _data, template, errors = validate_and_apply(NewTemplateSchema(), form, change)
    if errors:
        return _index_page(form, errors, 422)
    flash(_("Template “%(name)s” created as a draft.", name=template.name), "success")
    return redirect(url_for("surveys.template", template_id=template.id))


# --- one template ------------------------------------------------------------------------


def _template_page(template, status=200, open_key=None, errors=None, form=None, notice=None):
    row = services.row_of(template)
    editable = row.draft is not None and can(g.role, "tenant.templates.manage")
    shown = row.draft if editable else (row.current or row.draft)
    context = editor.editor_context(shown, open_key, errors, form, notice)
    return render(
        "surveys/template.html",
        block="editor",
        status=status,
        tmpl=template,
        row=row,
        shown=shown,
        editable=editable,
        versions=services.versions_of(template),
        urls=editor.editor_urls("surveys", template_id=template.id),
        **context,
    )


def _editing(template) -> editor.Editing:
    return editor.Editing(
        row=services.draft_or_404(template),
        page=lambda **kwargs: _template_page(template, **kwargs),
        back=url_for("surveys.template", template_id=template.id),
    )


@bp.get("/<uuid:template_id>")
@require("tenant.templates.view")
def template(template_id: uuid.UUID):
    return _template_page(services.template_or_404(template_id))


@bp.post("/<uuid:template_id>/questions")
@require("tenant.templates.manage")
def add_question(template_id: uuid.UUID):
    return editor.add_question(_editing(services.template_or_404(template_id)))


@bp.post("/<uuid:template_id>/questions/<key>")
@require("tenant.templates.manage")
def update_question(template_id: uuid.UUID, key: str):
    return editor.update_question(_editing(services.template_or_404(template_id)), key)


@bp.post("/<uuid:template_id>/questions/<key>/move")
@require("tenant.templates.manage")
def move_question(template_id: uuid.UUID, key: str):
    return editor.move_question(_editing(services.template_or_404(template_id)), key)


@bp.route("/<uuid:template_id>/questions/<key>/remove", methods=["GET", "POST"])
@require("tenant.templates.manage")
def remove_question(template_id: uuid.UUID, key: str):
    return editor.remove_question(_editing(services.template_or_404(template_id)), key)


def _template_action(template_id, schema, change, done, confirmation=None):
    """The form flow of the template's own buttons (publish, archive …): back to the
    template with ``done`` (when something changed) or the reason it was refused. With a
    ``confirmation``, a GET asks first (service/confirmation.py)."""
    template = services.template_or_404(template_id)
    if confirmation is not None and asking():
        return ask(confirmation(template))
    try:
        _data, changed, errors = validate_and_apply(
            schema, request.form.to_dict(), lambda data: change(template, data)
        )
    except services.Stale:
        return _template_page(
            template,
            status=409,
            notice=_("Someone else changed this template in the meantime: check it again."),
        )
    if errors:
        return _template_page(template, status=422, errors=errors)
    if changed is not False:
        flash(done(template) if callable(done) else done, "success")
    return redirect(url_for("surveys.template", template_id=template.id))


def _back(template) -> str:
    return url_for("surveys.template", template_id=template.id)


def _publishing(template) -> Confirmation:
    row = services.row_of(template)
    draft = services.draft_or_404(template)
    consequences = [
        _("Its questions, choices, texts and order are frozen: they can never change again."),
        _("New departures get this version; later changes go into a new draft version."),
    ]
    if row.current is not None:
        consequences.append(
            _(
                "Version %(number)s stays readable, with the answers given on it.",
                number=row.current.number,
            )
        )
    return Confirmation(
        question=_(
            "Publish version %(number)s of “%(name)s”?", number=draft.number, name=template.name
        ),
        consequences=consequences,
        confirm=_("Publish and freeze"),
        back=_back(template),
        fields=[("revision", str(draft.revision))],
    )


@bp.route("/<uuid:template_id>/publish", methods=["GET", "POST"])
@require("tenant.templates.manage")
def publish(template_id: uuid.UUID):
    return _template_action(
        template_id,
        RevisionSchema(),
        lambda template, data: services.publish(template, data["revision"]),
        lambda template: _(
            "Version %(number)s of “%(name)s” is published: it is frozen from now on.",
            number=services.row_of(template).current.number,
            name=template.name,
        ),
        _publishing,
    )


@bp.post("/<uuid:template_id>/draft")
@require("tenant.templates.manage")
def start_draft(template_id: uuid.UUID):
    return _template_action(
        template_id,
        None,
        lambda template, _data: services.start_draft(template),
        _("A new draft version is open. The published version stays in use until you publish."),
    )


@bp.route("/<uuid:template_id>/discard", methods=["GET", "POST"])
@require("tenant.templates.manage")
def discard_draft(template_id: uuid.UUID):
    return _template_action(
        template_id,
        None,
        lambda template, _data: services.discard_draft(template),
        _("The draft has been discarded; the published version is unchanged."),
        lambda template: Confirmation(
            question=_("Discard the draft of “%(name)s”?", name=template.name),
            consequences=[
                _("Every change made in this draft is lost."),
                _(
                    "The published version %(number)s stays in use, unchanged.",
                    number=services.row_of(template).current.number,
                ),
            ],
            confirm=_("Discard the draft"),
            back=_back(template),
        ),
    )


@bp.post("/<uuid:template_id>/rename")
@require("tenant.templates.manage")
def rename(template_id: uuid.UUID):
    return _template_action(
        template_id,
        RenameSchema(),
        lambda template, data: services.rename(template, data["name"]),
        _("The template has been renamed."),
    )


@bp.route("/<uuid:template_id>/archive", methods=["GET", "POST"])
@require("tenant.templates.manage")
def archive(template_id: uuid.UUID):
    return _template_action(
        template_id,
        None,
        lambda template, _data: services.set_archived(template, True),
        _("The template is archived: it is no longer offered for new departures."),
        lambda template: Confirmation(
            question=_("Archive “%(name)s”?", name=template.name),
            consequences=[
                _("It is no longer offered for new departures."),
                _("Its versions and the answers given on them stay readable; nothing is deleted."),
            ],
            undo=_("To undo, open the template and choose Restore."),
            confirm=_("Archive the template"),
            back=_back(template),
        ),
    )


@bp.post("/<uuid:template_id>/restore")
@require("tenant.templates.manage")
def restore(template_id: uuid.UUID):
    return _template_action(
        template_id,
        None,
        lambda template, _data: services.set_archived(template, False),
        _("The template is active again."),
    )


@bp.post("/<uuid:template_id>/default")
@require("tenant.templates.manage")
def make_default(template_id: uuid.UUID):
    return _template_action(
        template_id,
        None,
        lambda template, _data: services.make_default(template),
        _("This template is now the default for new departures."),
    )


@bp.route("/<uuid:template_id>/delete", methods=["GET", "POST"])
@require("tenant.templates.manage")
def delete(template_id: uuid.UUID):
    template = services.template_or_404(template_id)
    if asking():
        return ask(
            Confirmation(
                question=_("Delete the draft template “%(name)s”?", name=template.name),
                consequences=[
                    _(
                        "It was never published: its draft and every question in it are "
                        "deleted for good."
                    )
                ],
                confirm=_("Delete the template"),
                back=_back(template),
            )
        )
    name = template.name
    _data, _deleted, errors = validate_and_apply(
        None, {}, lambda _data: services.delete_unpublished(template)
    )
    if errors:
        return _template_page(template, status=422, errors=errors)
    flash(_("The draft template “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("surveys.index"))


# --- versions and preview ----------------------------------------------------------------


@bp.get("/<uuid:template_id>/versions/<int:number>")
@require("tenant.templates.view")
def version(template_id: uuid.UUID, number: int):
    template = services.template_or_404(template_id)
    shown = services.version_or_404(template, number)
    return render(
        "surveys/version.html",
        tmpl=template,
        shown=shown,
        versions=services.versions_of(template),
        **editor.editor_context(shown),
    )


@bp.get("/<uuid:template_id>/preview")
@require("tenant.templates.view")
def preview_template(template_id: uuid.UUID):
    template = services.template_or_404(template_id)
    row = services.row_of(template)
    number = request.args.get("version", type=int)
    shown = services.version_or_404(template, number) if number else (row.draft or row.current)
    return preview.page(
        services.document_of(shown),
        title=template.name,
        back=url_for("surveys.template", template_id=template.id),
        here=lambda language: url_for(
            "surveys.preview_template", template_id=template.id, version=number, lang=language
        ),
    )
