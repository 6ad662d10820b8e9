"""Insight rows written directly, as analysis would write them."""

import datetime as dt
import uuid

from service.extensions import db
from service.insights.models import AnswerInsight, Feedback, Origin, Source, ThemeTag, theme_columns
from service.tenancy import tenant_scope


def add_feedback(
    tenant_id: uuid.UUID,
    month: dt.date,
    count: int,
    themes: dict[str, int] | None = None,
    texts: bool = False,
    **coarse,
) -> None:
    """`count` pieces of feedback of `month`, the first n of them raising each theme
    (``themes``: theme → n), with a free text when `texts`."""
    values = {
        "source": Source.SURVEY,
        "month": month,
        "exit_type": "voluntary",
        "regretted": False,
        **coarse,
    }
    feedback, answers, tags = [], [], []
    for index in range(count):
        raised = [theme for theme, count in (themes or {}).items() if index < count]
        feedback.append(Feedback(id=uuid.uuid4(), language="en", **theme_columns(raised), **values))
        answers.append(
            AnswerInsight(
                id=uuid.uuid4(),
                feedback_id=feedback[-1].id,
                question_key="why",
                text=f"Answer {index} of {month:%B}, in my own words." if texts else None,
                **values,
            )
        )
        tags += [
            ThemeTag(
                answer_id=answers[-1].id,
                feedback_id=feedback[-1].id,
                question_key="why",
                theme=theme,
                origin=Origin.DETECTED,
                **values,
            )
            for theme, raised in (themes or {}).items()
            if index < raised
        ]
    with tenant_scope(tenant_id):
        for rows in (feedback, answers, tags):  # the keys between them: parents first
            db.session.add_all(rows)
            db.session.flush()
        db.session.commit()
