"""Feedback to correct: a published questionnaire with a yes/no and a free-text question,
responses to it, and the month read into insight rows."""

import datetime as dt

import sqlalchemy as sa

from service.extensions import db
from service.insights.analysis import read_survey_month
from service.insights.models import Feedback, ThemeTag, theme_columns
from service.model_types import utcnow
from service.surveys.document import Question, Questionnaire, QuestionType, to_json
from service.surveys.models import QuestionTemplate, TemplateVersion
from service.tenancy import tenant_scope
from tests.factories import _detached, make_survey_response

MONTH = dt.date(2026, 11, 1)


def free_text_version(tenant) -> TemplateVersion:
    questions = (
        Question(
            key="pay",
            type=QuestionType.YES_NO,
            required=False,
            text={"nl": "Speelde het loon mee?", "fr": "Le salaire a-t-il joué ?"},
            theme="compensation",
        ),
        Question(
            key="why",
            type=QuestionType.FREE_TEXT,
            required=False,
            text={"nl": "Waarom vertrekt u?", "fr": "Pourquoi partez-vous ?"},
        ),
    )
    document = to_json(Questionnaire(languages=("nl", "fr"), questions=questions))
    with tenant_scope(tenant.id):
        template = QuestionTemplate(name="Exit", languages=["nl", "fr"], origin="blank")
        db.session.add(template)
        db.session.flush()
        version = TemplateVersion(
            template_id=template.id, number=1, document=document, published_at=utcnow()
        )
        db.session.add(version)
        db.session.commit()
        return _detached(version)


def respond(tenant, version, text: str, pay: str = "no", language: str = "nl"):
    """A response to ``version``, and its month read again (as the reshuffle job does)."""
    response = make_survey_response(
        tenant, version, answers={"pay": pay, "why": text}, language=language, month=MONTH
    )
    read_month(tenant, again=False)
    return response


def read_month(tenant, again: bool = True) -> None:
    """The month read as after a submission (earlier readings kept, ``again=False``) or
    anew, every answer detected again (as after a change of the tenant's themes)."""
    with tenant_scope(tenant.id):
        read_survey_month(MONTH, again=again)
        db.session.commit()


def themes_of(tenant, response, key: str = "why") -> dict[str, ThemeTag]:
    """The tags of one answer, by theme; first checks that the piece of feedback lists the
    themes of all its tags (the dashboard counts that list)."""
    with tenant_scope(tenant.id):
        db.session.expire_all()
        assert_themes_follow_tags(response.id)
        rows = db.session.scalars(
            sa.select(ThemeTag).where(
                ThemeTag.feedback_id == response.id, ThemeTag.question_key == key
            )
        )
        return {row.theme: _detached(row) for row in rows}


def assert_themes_follow_tags(feedback_id) -> None:
    """``Feedback.themes`` and ``default_themes`` hold exactly the themes of the feedback's
    tags (within a tenant scope)."""
    raised = db.session.scalars(
        sa.select(ThemeTag.theme).where(ThemeTag.feedback_id == feedback_id)
    )
    listed = db.session.execute(
        sa.select(Feedback.themes, Feedback.default_themes).where(Feedback.id == feedback_id)
    ).one()
    assert dict(listed._mapping) == theme_columns(raised), (listed, feedback_id)
