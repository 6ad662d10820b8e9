"""Insight rows written directly, as service/insights/analysis.py would have read them: the
exports' and the benchmark's tests need known groups, not the reading of answers."""

import datetime as dt
import uuid

from service.extensions import db
from service.insights.figures import add_months, month_start
from service.insights.models import AnswerInsight, Feedback, Origin, Source, ThemeTag, theme_columns
from service.tenancy import tenant_scope

LAST_MONTH = add_months(month_start(dt.date.today()), -1)


def add_feedback(
    tenant,
    count: int,
    *,
    text: str = "Te weinig loon voor het werk",
    themes=("compensation",),
    pay: int | None = 1,
    **coarse,
) -> None:
    """`count` pieces of feedback, each with a yes/no "pay" answer and a free text
    ("improve") that raises `themes`; coarse attributes default to last month, voluntary."""
    values = {
        "source": Source.SURVEY,
        "month": LAST_MONTH,
        "exit_type": "voluntary",
        "regretted": False,
        **coarse,
    }
    with tenant_scope(tenant.id):
        for _ in range(count):
            feedback = Feedback(id=uuid.uuid4(), language="nl", **theme_columns(themes), **values)
            db.session.add(feedback)
            db.session.flush()  # no relationship orders the inserts: the feedback first
            if pay is not None:
                db.session.add(
                    AnswerInsight(feedback_id=feedback.id, question_key="pay", number=pay, **values)
                )
            answer = AnswerInsight(
                id=uuid.uuid4(),
                feedback_id=feedback.id,
                question_key="improve",
                text=text,
                sentiment="negative",
                **values,
            )
            db.session.add(answer)
            db.session.flush()
            for theme in themes:
                db.session.add(
                    ThemeTag(
                        answer_id=answer.id,
                        feedback_id=feedback.id,
                        question_key="improve",
                        theme=theme,
                        origin=Origin.DETECTED,
                        **values,
                    )
                )
        db.session.commit()
