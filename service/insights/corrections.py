"""HR's word on the themes of one answer, and what HR reads beside each answer.

A correction is remembered (``ThemeCorrection``) and applied at once to that one answer's
tags; every later reading applies it again (service/insights/analysis.py ``corrected``), so
a removed theme stays removed and an added one stays. Only the answer is rewritten, never
the month its response belongs to.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from service.extensions import db
from service.insights import taxonomy
from service.insights.analysis import Tag, corrected, refresh_themes
from service.insights.models import (
    COARSE_COLUMNS,
    AnswerInsight,
    Feedback,
    Origin,
    ThemeCorrection,
    ThemeTag,
    Verdict,
)
from service.model_types import new_id
from service.refusals import Refused
from service.tenancy import current_tenant_id, get_for_tenant_or_404, of_current_tenant


@dataclass(frozen=True)
class AnswerThemes:
    """One answer as HR reviews it: its sentiment (free text) and its tags."""

    feedback_id: uuid.UUID
    question_key: str
    sentiment: str | None
    tags: tuple[ThemeTag, ...]


def answers_of(feedback_ids: Iterable[uuid.UUID]) -> dict[tuple, AnswerThemes]:
    """(feedback id, question key) → the answer's sentiment and tags, for a page of feedback."""
    ids = list(feedback_ids)
    if not ids:
        return {}
    tags: dict[uuid.UUID, list[ThemeTag]] = {}
    for tag in db.session.scalars(
        sa.select(ThemeTag)
        .where(of_current_tenant(ThemeTag), ThemeTag.feedback_id.in_(ids))
        .order_by(ThemeTag.theme)
    ):
        tags.setdefault(tag.answer_id, []).append(tag)
    answers = db.session.scalars(
        sa.select(AnswerInsight).where(
            of_current_tenant(AnswerInsight), AnswerInsight.feedback_id.in_(ids)
        )
    )
    return {
        (answer.feedback_id, answer.question_key): AnswerThemes(
            answer.feedback_id,
            answer.question_key,
            answer.sentiment,
            tuple(tags.get(answer.id, ())),
        )
        for answer in answers
    }


def answer_or_404(feedback_id: uuid.UUID, question_key: str) -> AnswerInsight:
    """The tenant's answer; another tenant's feedback (or no such answer) is a 404."""
    get_for_tenant_or_404(Feedback, feedback_id)
    answer = db.session.scalar(
        sa.select(AnswerInsight).where(
            of_current_tenant(AnswerInsight),
            AnswerInsight.feedback_id == feedback_id,
            AnswerInsight.question_key == question_key,
        )
    )
    if answer is None:
        abort(404)
    return answer


def themes_of(answer: AnswerInsight) -> AnswerThemes:
    return answers_of([answer.feedback_id])[(answer.feedback_id, answer.question_key)]


def correct(answer: AnswerInsight, theme: str, verdict: Verdict, user_id) -> None:
    """Remember HR's verdict on ``theme`` for this answer and rewrite the answer's tags.

    Confirming a theme the answer lacks adds it, adding one it has confirms it; removing one
    it lacks is remembered (detection will not bring it back) and changes nothing else."""
    if theme not in taxonomy.theme_keys():
        raise Refused({"theme": [_("Choose a theme from the list.")]})
    rows = list(
        db.session.scalars(
            sa.select(ThemeTag).where(of_current_tenant(ThemeTag), ThemeTag.answer_id == answer.id)
        )
    )
    found = {tag.theme for tag in rows if tag.origin != Origin.HR}
    if verdict == Verdict.CONFIRM and theme not in found:
        verdict = Verdict.ADD
    elif verdict == Verdict.ADD and theme in found:
        verdict = Verdict.CONFIRM
    _remember(answer, theme, verdict, user_id)
    verdicts = {
        row.theme: row.verdict
        for row in db.session.scalars(
            sa.select(ThemeCorrection).where(
                of_current_tenant(ThemeCorrection),
                ThemeCorrection.feedback_id == answer.feedback_id,
                ThemeCorrection.question_key == answer.question_key,
            )
        )
    }
    # Corrections apply to what detection and hints found; HR's own tags come from verdicts.
    read = [Tag(row.theme, row.origin, row.why) for row in rows if row.origin != Origin.HR]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    coarse = {key: getattr(answer, key) for key in COARSE_COLUMNS}
    for tag in corrected(read, verdicts):
        db.session.add(
            ThemeTag(
                answer_id=answer.id,
                feedback_id=answer.feedback_id,
                question_key=answer.question_key,
                theme=tag.theme,
                origin=tag.origin,
                why=tag.why,
                confirmed=tag.confirmed,
                **coarse,
            )
        )
    db.session.flush()
    refresh_themes(Feedback.id == answer.feedback_id)
    db.session.commit()


def _remember(answer: AnswerInsight, theme: str, verdict: Verdict, user_id) -> None:
    values = {"verdict": verdict, "by_user_id": user_id}
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # Two verdicts on one theme at once: the last one wins, neither fails.
    db.session.execute(
        dialect.insert(ThemeCorrection)
        .values(
            tenant_id=current_tenant_id(),
            id=new_id(),
            feedback_id=answer.feedback_id,
            question_key=answer.question_key,
            theme=theme,
            **values,
        )
        .on_conflict_do_update(
            index_elements=["tenant_id", "feedback_id", "question_key", "theme"], set_=values
        )
    )


SENTIMENTS = {
    "positive": _l("positive"),
    "neutral": _l("neutral"),
    "negative": _l("negative"),
}


def review(feedback_ids: Iterable[uuid.UUID]) -> dict:
    """What a page showing answers needs to show and correct their themes."""
    return {
        "answer_themes": answers_of(feedback_ids),
        "theme_label": taxonomy.theme_label,
        "theme_choices": taxonomy.theme_choices(),
        "sentiments": SENTIMENTS,
    }
