"""The tenant's themes (/t/<slug>/settings/themes/): the default taxonomy to read, and the
tenant's own themes to add, edit and delete (HR admin)."""

import uuid

from flask import flash, redirect, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from service.confirmation import Confirmation, ask, asking
from service.i18n import LANGUAGE_NAMES
from service.insights import own_themes, taxonomy
from service.insights.schemas import KEYWORD_MAX, KEYWORDS_MAX, LABEL_MAX, OwnThemeSchema
from service.permissions import require
from service.refusals import Refused, validate_and_apply
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.surveys.themes import THEME_KEYS, theme_description, theme_label

bp = tenant_blueprint("themes", __name__, "/settings/themes")


def _languages() -> list[tuple[str, str]]:
    codes = [current_tenant.default_language] + [
        code for code in current_tenant.languages if code != current_tenant.default_language
    ]
    return [(code, LANGUAGE_NAMES[code]) for code in codes]


def _defaults() -> list[dict]:
    """The default taxonomy with its name and description in each of the app's languages."""
    rows = []
    for key in THEME_KEYS:
        texts = {}
        for code in LANGUAGE_NAMES:
            with force_locale(f"{code}_BE"):
                texts[code] = (theme_label(key), theme_description(key))
        rows.append({"key": key, "texts": texts})
    return rows


def _form_of(theme) -> dict:
    form = {}
    for code in LANGUAGE_NAMES:
        form[f"label_{code}"] = theme.labels.get(code, "")
        form[f"keywords_{code}"] = "\n".join(theme.keywords.get(code, []))
    return form


def _limits() -> dict:
    return {"keywords_max": KEYWORDS_MAX, "keyword_max": KEYWORD_MAX, "label_max": LABEL_MAX}


def _index_page(form=None, errors=None, status=200):
    return render(
        "insights/themes.html",
        status=status,
        defaults=_defaults(),
        own=own_themes.own_themes(),
        languages=_languages(),
        language_names=LANGUAGE_NAMES,
        own_label=taxonomy.own_label,
        form=form or {},
        errors=errors or {},
        **_limits(),
    )


@bp.get("/")
@require("tenant.themes.manage")
def index():
    return _index_page()


@bp.post("/")
@require("tenant.themes.manage")
def create():
    form = request.form.to_dict()
    _data, theme, errors = validate_and_apply(OwnThemeSchema(), form, own_themes.create_theme)
    if errors:
        return _index_page(form, errors, 422)
    flash(_("Theme added. Your responses are being read again with its keywords."), "success")
    return redirect(url_for("themes.index", _anchor=f"theme-{theme.key}"))


def _edit_page(theme, form, errors, status=200):
    return render(
        "insights/theme.html",
        status=status,
        theme=theme,
        name=taxonomy.own_label(theme.labels, theme.key, current_tenant.default_language),
        languages=_languages(),
        form=form,
        errors=errors,
        **_limits(),
    )


@bp.route("/<uuid:theme_id>", methods=["GET", "POST"])
@require("tenant.themes.manage")
def edit(theme_id: uuid.UUID):
    theme = own_themes.theme_or_404(theme_id)
    if request.method == "GET":
        return _edit_page(theme, _form_of(theme), {})
    form = request.form.to_dict()
    _data, changed, errors = validate_and_apply(
        OwnThemeSchema(), form, lambda data: own_themes.update_theme(theme, data)
    )
    if errors:
        return _edit_page(theme, form, errors, 422)
    if changed:
        flash(_("Changes saved."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for("themes.index"))


@bp.route("/<uuid:theme_id>/delete", methods=["GET", "POST"])
@require("tenant.themes.manage")
def delete(theme_id: uuid.UUID):
    theme = own_themes.theme_or_404(theme_id)
    name = taxonomy.own_label(theme.labels, theme.key, current_tenant.default_language)
    back = url_for("themes.edit", theme_id=theme.id)
    actions = own_themes.linked_actions(theme)
    if asking():
        tagged = own_themes.tagged_answers(theme)
        return ask(
            Confirmation(
                question=_("Delete the theme “%(name)s”?", name=name),
                consequences=[
                    ngettext(
                        "Its tags go with it (%(num)s answer is tagged with it now), and so "
                        "do the corrections HR made with it. This cannot be undone.",
                        "Its tags go with it (%(num)s answers are tagged with it now), and "
                        "so do the corrections HR made with it. This cannot be undone.",
                        tagged,
                    )
                ],
                confirm=_("Delete the theme"),
                back=back,
                refusal=_("Actions on the board name this theme: remove it from them first.")
                if actions
                else None,
            )
        )
    try:
        own_themes.delete_theme(theme)
    except Refused as refused:
        flash(" ".join(refused.errors["form"]), "error")
        return redirect(back)
    flash(_("Theme “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("themes.index"))
