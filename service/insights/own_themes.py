"""A tenant's own themes beside the default taxonomy: add, edit, delete, each one transaction.

A theme has a name and keywords in each of the tenant's languages (names and keywords in a
language the tenant dropped are kept, for when it comes back). Its key, "own_" and a slug of
its first name, is given once and never renamed: tags, corrections and actions name it.
After any change the tenant's feedback is read again in the background, so that the new
keywords tag old answers too (service/insights/tasks.py).
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from service.actions.models import ActionTheme
from service.extensions import db
from service.i18n import LANGUAGE_NAMES
from service.insights import taxonomy
from service.insights.analysis import refresh_themes
from service.insights.detection import detect
from service.insights.models import KEY_MAX, TenantTheme, ThemeCorrection, ThemeTag, raises
from service.insights.tasks import reread_feedback
from service.insights.text import strip_accents
from service.jobs.queue import enqueue_after_commit
from service.refusals import Refused, commit_or_refuse
from service.tenancy import current_tenant_id, get_for_tenant_or_404, of_current_tenant
from service.tenants.models import Tenant

PREFIX = "own_"


def own_themes() -> list[TenantTheme]:
    return list(
        db.session.scalars(
            sa.select(TenantTheme)
            .where(of_current_tenant(TenantTheme))
            .order_by(TenantTheme.created_at, TenantTheme.key)
        )
    )


def theme_or_404(theme_id) -> TenantTheme:
    return get_for_tenant_or_404(TenantTheme, theme_id)


def _languages() -> list[str]:
    tenant = db.session.get(Tenant, current_tenant_id())
    return [tenant.default_language] + [
        code for code in tenant.languages if code != tenant.default_language
    ]


def _slug(label: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", strip_accents(label).lower()).strip("_")
    return words[: KEY_MAX - len(PREFIX) - 3].strip("_") or "theme"


def _new_key(label: str, taken: set[str]) -> str:
    key = base = PREFIX + _slug(label)
    number = 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    return key


def _kept(stored: dict, languages: list[str]) -> dict:
    """What is stored for languages the form does not show (the tenant dropped them)."""
    return {language: value for language, value in stored.items() if language not in languages}


def _checked(data: dict, theme: TenantTheme | None, others: list[TenantTheme]) -> dict:
    """The stored names and keywords with the form's, per language; Refused when a language
    of the tenant lacks either, or a keyword or name is another own theme's."""
    languages = _languages()
    labels = {**_kept(theme.labels if theme else {}, languages), **data["labels"]}
    keywords = {**_kept(theme.keywords if theme else {}, languages), **data["keywords"]}
    errors: dict[str, list[str]] = {}
    for language in languages:
        name = LANGUAGE_NAMES[language]
        if not labels.get(language):
            errors[f"label_{language}"] = [
                _("Give the theme a name in %(language)s.", language=name)
            ]
        elif any(
            (other.labels.get(language) or "").casefold() == labels[language].casefold()
            for other in others
        ):
            errors[f"label_{language}"] = [_("Another of your themes has this name.")]
        if not keywords.get(language):
            errors[f"keywords_{language}"] = [
                _("List at least one keyword in %(language)s.", language=name)
            ]
            continue
        together = {other.key: other.keywords.get(language, []) for other in others}
        try:  # the tenant's keywords are matched together: one word may name one theme only
            detect("", language, {**together, "own_new": keywords[language]})
        except ValueError:
            errors[f"keywords_{language}"] = [
                _("A keyword here (or one with the same stem) belongs to another of your themes.")
            ]
    if errors:
        raise Refused(errors)
    return {"labels": labels, "keywords": keywords}


def _changed() -> None:
    taxonomy.forget()
    enqueue_after_commit(reread_feedback, str(current_tenant_id()))


def create_theme(data: dict) -> TenantTheme:
    others = own_themes()
    values = _checked(data, None, others)
    first = values["labels"][_languages()[0]]
    theme = TenantTheme(key=_new_key(first, {other.key for other in others}), **values)
    db.session.add(theme)
    _changed()
    commit_or_refuse({"form": [_("Another theme was just added with this name: try again.")]})
    return theme


def update_theme(theme: TenantTheme, data: dict) -> bool:
    """False (and no write, no reading again) when nothing differs."""
    others = [other for other in own_themes() if other.key != theme.key]
    values = _checked(data, theme, others)
    if values == {"labels": theme.labels, "keywords": theme.keywords}:
        return False
    keywords_changed = values["keywords"] != theme.keywords
    theme.labels, theme.keywords = values["labels"], values["keywords"]
    taxonomy.forget()
    if keywords_changed:  # a new name alone tags nothing differently
        enqueue_after_commit(reread_feedback, str(current_tenant_id()))
    db.session.commit()
    return True


def linked_actions(theme: TenantTheme) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ActionTheme)
        .where(of_current_tenant(ActionTheme), ActionTheme.theme == theme.key)
    )


def tagged_answers(theme: TenantTheme) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ThemeTag)
        .where(of_current_tenant(ThemeTag), ThemeTag.theme == theme.key)
    )


def delete_theme(theme: TenantTheme) -> None:
    """Refused while an action names the theme (its history would lose a name); otherwise
    the theme goes with its tags and HR's corrections of it."""
    actions = linked_actions(theme)
    if actions:
        raise Refused(
            {
                "form": [
                    ngettext(
                        "%(num)s action names this theme: remove the theme from it first.",
                        "%(num)s actions name this theme: remove the theme from them first.",
                        actions,
                    )
                ]
            }
        )
    for model in (ThemeTag, ThemeCorrection):
        db.session.execute(
            sa.delete(model)
            .where(of_current_tenant(model), model.theme == theme.key)
            .execution_options(synchronize_session=False)
        )
    refresh_themes(raises(theme.key))
    db.session.delete(theme)
    _changed()
    db.session.commit()
