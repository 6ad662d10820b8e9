"""Question templates: create, edit a draft, publish (freeze), new versions, archive, the
default; and the agency's library. One transaction per function.

Every edit names the revision it was made on: an edit on an older revision is stale (two
people on one draft: the later save is told, nothing is overwritten). A published version
never changes: the editor works on the template's one draft, and publishing it makes it the
current version.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from service.audit import trail as audit
from service.extensions import db
from service.model_types import utcnow
from service.refusals import Refused
from service.surveys.document import (
    Questionnaire,
    Severity,
    for_languages,
    from_json,
    is_complete,
    problems,
    to_json,
)
from service.surveys.models import AgencyTemplate, QuestionTemplate, TemplateVersion
from service.surveys.presets import load_presets
from service.tenancy import get_for_tenant_or_404, of_current_tenant

Editable = TemplateVersion | AgencyTemplate


class Stale(Exception):
    """The edit was made on an older revision than the one stored."""


@dataclass(frozen=True)
class TemplateRow:
    template: QuestionTemplate
    current: TemplateVersion | None  # the published version in use
    draft: TemplateVersion | None


# --- reading -----------------------------------------------------------------------------


def _versions_query(template_ids) -> sa.Select:
    return (
        sa.select(TemplateVersion)
        .where(of_current_tenant(TemplateVersion), TemplateVersion.template_id.in_(template_ids))
        .order_by(TemplateVersion.number)
    )


def template_rows(include_archived: bool = True) -> list[TemplateRow]:
    query = sa.select(QuestionTemplate).where(of_current_tenant(QuestionTemplate))
    if not include_archived:
        query = query.where(QuestionTemplate.archived_at.is_(None))
    templates = list(
        db.session.scalars(
            query.order_by(
                QuestionTemplate.archived_at.is_not(None),
                QuestionTemplate.is_default.desc(),
                QuestionTemplate.name,
            )
        )
    )
    current: dict = {}
    drafts: dict = {}
    for version in db.session.scalars(_versions_query([t.id for t in templates])):
        if version.is_draft:
            drafts[version.template_id] = version
        else:
            current[version.template_id] = version  # ordered by number: the last wins
    return [TemplateRow(t, current.get(t.id), drafts.get(t.id)) for t in templates]


def template_or_404(template_id) -> QuestionTemplate:
    return get_for_tenant_or_404(QuestionTemplate, template_id)


def row_of(template: QuestionTemplate) -> TemplateRow:
    current = draft = None
    for version in db.session.scalars(_versions_query([template.id])):
        if version.is_draft:
            draft = version
        else:
            current = version
    return TemplateRow(template, current, draft)


def versions_of(template: QuestionTemplate) -> list[TemplateVersion]:
    return list(db.session.scalars(_versions_query([template.id])))


def version_or_404(template: QuestionTemplate, number: int) -> TemplateVersion:
    found = db.session.scalar(
        _versions_query([template.id]).where(TemplateVersion.number == number)
    )
    if found is None:
        abort(404)
    return found


def document_of(row: Editable) -> Questionnaire:
    return from_json(row.document)


# --- creating ----------------------------------------------------------------------------


def starting_points(agency_id) -> list[tuple[str, str]]:
    """(value, label) of what a new template can start from: presets, the agency's
    library, blank. Labels of presets are in the reader's language."""
    language = str(get_locale().language) if get_locale() else "en"
    found = [
        (f"preset:{preset.key}", preset.name.get(language) or preset.name.get("en", preset.key))
        for preset in load_presets().values()
    ]
    if agency_id is not None:
        found += [(f"agency:{t.id}", t.name) for t in library(agency_id)]
    return found


def _starting_document(start: str, languages: list[str], agency_id) -> tuple[Questionnaire, str]:
    kind, _, value = start.partition(":")
    if kind == "preset" and value in load_presets():
        preset = load_presets()[value]
        return for_languages(
            preset.questionnaire, languages
        ), f"preset:{preset.key}@{preset.version}"
    if kind == "agency" and agency_id is not None:
        source = _library_template(agency_id, value)
        if source is not None:
            document = for_languages(from_json(source.document), languages)
            return document, f"agency:{source.name}"[:200]
    if kind == "blank":
        return Questionnaire(languages=tuple(languages), questions=()), "blank"
    raise Refused({"start": [_l("Choose where the template starts from.")]})


def create_template(name: str, languages: list[str], start: str, agency_id) -> QuestionTemplate:
    """A new template with its first draft, started from a preset, the agency's library or
    blank, in ``languages`` (some of the tenant's)."""
    document, origin = _starting_document(start, languages, agency_id)
    template = QuestionTemplate(name=name, languages=list(languages), origin=origin)
    db.session.add(template)
    db.session.flush()
    db.session.add(TemplateVersion(template_id=template.id, number=1, document=to_json(document)))
    _audit(template, "created", name=name, origin=origin)
    db.session.commit()
    return template


def _audit(template: QuestionTemplate | AgencyTemplate, change: str, **facts) -> None:
    """A template's life in the audit trail: created, published, renamed, archived, made the
    default, deleted (a draft's every edit is not: its publication is the change). An
    agency's library template (renamed, like a company's) goes to the platform's trail."""
    if isinstance(template, AgencyTemplate):
        changes = {"change": change, **facts}
        audit.record("agency.library_change", template, changes, agency_id=template.agency_id)
        return
    audit.record("template.change", template, {"change": change, **facts})


# --- editing -----------------------------------------------------------------------------


def _problem_errors(found, question_key: str | None = None) -> dict[str, list]:
    """Problems as form-field errors: ``text_nl`` … for a question's fields."""
    errors: dict[str, list] = {}
    for problem in found:
        if question_key is not None and problem.question != question_key:
            continue
        name = problem.field + (f"_{problem.language}" if problem.language else "")
        if problem.field in ("choice_label", "choice_key"):
            name = "choices" + (f"_{problem.language}" if problem.language else "")
        errors.setdefault(name, []).append(problem.translated())
    return errors


def _invalid(document: Questionnaire) -> list:
    return [p for p in problems(document) if p.severity is Severity.INVALID]


def apply_edit(
    row: Editable,
    revision: int,
    change: Callable[[Questionnaire], Questionnaire],
    question_key: str | None = None,
) -> Editable:
    """Change ``row``'s document (a draft version or a library template) if ``revision`` is
    still the stored one; raises Stale, or Refused with the question's field messages when
    the change would break a rule (an unfinished translation is fine in a draft)."""
    if isinstance(row, TemplateVersion) and not row.is_draft:
        raise Refused({"form": [_l("This version is published and can no longer change.")]})
    if revision != row.revision:
        db.session.rollback()
        raise Stale
    changed = change(document_of(row))
    invalid = _invalid(changed)
    if invalid:
        db.session.rollback()
        errors = _problem_errors(invalid, question_key) or _problem_errors(invalid)
        raise Refused(errors)
    row.document = to_json(changed)
    row.updated_at = utcnow()
    try:
        db.session.commit()
    except StaleDataError:  # another save committed in between
        db.session.rollback()
        raise Stale from None
    return row


def draft_or_404(template: QuestionTemplate) -> TemplateVersion:
    draft = row_of(template).draft
    if draft is None:
        abort(404)
    return draft


def start_draft(template: QuestionTemplate) -> TemplateVersion:
    """The template's draft: the existing one, or a new version copied from the current."""
    row = row_of(template)
    if row.draft is not None:
        return row.draft
    if template.archived_at is not None:
        raise Refused({"form": [_l("Restore the template before you change it.")]})
    draft = TemplateVersion(
        template_id=template.id, number=row.current.number + 1, document=row.current.document
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def publish(template: QuestionTemplate, revision: int) -> TemplateVersion:
    """Freeze the draft as the template's current version; refused while a language is
    missing or a rule is broken."""
    draft = draft_or_404(template)
    if revision != draft.revision:
        raise Stale
    if not is_complete(document_of(draft)):
        raise Refused(
            {
                "form": [
                    _l(
                        "The template cannot be published yet: complete every question in "
                        "every language first (the questions marked below)."
                    )
                ]
            }
        )
    draft.published_at = utcnow()
    _audit(template, "published", version=draft.number)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Stale from None
    return draft


def discard_draft(template: QuestionTemplate) -> None:
    """Drop the draft of a template that has a published version (its changes are lost)."""
    row = row_of(template)
    if row.draft is None or row.current is None:
        raise Refused({"form": [_l("There is no draft to discard.")]})
    _audit(template, "draft_discarded", version=row.draft.number)
    db.session.delete(row.draft)
    db.session.commit()


def rename(template: QuestionTemplate, name: str) -> bool:
    if template.name == name:
        return False
    _audit(template, "renamed", name=[template.name, name])
    template.name = name
    db.session.commit()
    return True


def set_archived(template: QuestionTemplate, archived: bool) -> bool:
    """Archive (not offered for new departures; kept for what refers to it) or restore."""
    if (template.archived_at is not None) == archived:
        return False
    if archived and template.is_default:
        raise Refused({"form": [_l("Choose another default template before archiving this one.")]})
    template.archived_at = utcnow() if archived else None
    _audit(template, "archived" if archived else "restored")
    db.session.commit()
    return True


def make_default(template: QuestionTemplate) -> bool:
    """The tenant's default for new departures: a published, active template."""
    if template.is_default:
        return False
    row = row_of(template)
    if row.current is None or template.archived_at is not None:
        raise Refused({"form": [_l("Only a published, active template can be the default.")]})
    db.session.execute(
        sa.update(QuestionTemplate)
        .where(of_current_tenant(QuestionTemplate), QuestionTemplate.is_default.is_(True))
        .values(is_default=False)
    )
    db.session.flush()
    template.is_default = True
    _audit(template, "made_default")
    db.session.commit()
    return True


def delete_unpublished(template: QuestionTemplate) -> None:
    """A template never published is referred to by nothing: it may go."""
    row = row_of(template)
    if row.current is not None:
        raise Refused({"form": [_l("A published template is archived, never deleted.")]})
    if row.draft is not None:
        db.session.delete(row.draft)
        db.session.flush()
    _audit(template, "deleted", name=template.name)
    db.session.delete(template)
    db.session.commit()


# --- the agency's library ------------------------------------------------------------------


def library(agency_id) -> list[AgencyTemplate]:
    return list(
        db.session.scalars(
            sa.select(AgencyTemplate)
            .where(AgencyTemplate.agency_id == agency_id)
            .order_by(AgencyTemplate.name)
        )
    )


def _library_template(agency_id, template_id) -> AgencyTemplate | None:
    try:
        template_id = uuid.UUID(str(template_id))
    except ValueError:
        return None
    return db.session.scalar(
        sa.select(AgencyTemplate).where(
            AgencyTemplate.agency_id == agency_id, AgencyTemplate.id == template_id
        )
    )


def library_template_or_404(agency_id, template_id) -> AgencyTemplate:
    found = _library_template(agency_id, template_id)
    if found is None:
        abort(404)
    return found


def create_library_template(agency_id, name: str, languages: list[str], start: str):
    if start.startswith("agency:"):
        raise Refused({"start": [_l("Choose where the template starts from.")]})
    document, origin = _starting_document(start, languages, None)
    template = AgencyTemplate(
        agency_id=agency_id,
        name=name,
        languages=list(languages),
        origin=origin,
        document=to_json(document),
    )
    db.session.add(template)
    _audit(template, "created", name=name, origin=origin)
    db.session.commit()
    return template


def delete_library_template(template: AgencyTemplate) -> None:
    """Clients' templates copied from it keep their own copy."""
    _audit(template, "deleted", name=template.name)
    db.session.delete(template)
    db.session.commit()
