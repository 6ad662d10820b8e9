"""Building interviews for the interview tests: a template with every question type."""

import sqlalchemy as sa

from service.extensions import db
from service.model_types import utcnow
from service.surveys.document import Choice, Question, Questionnaire, QuestionType, to_json
from service.surveys.interview_models import Interview
from service.surveys.models import QuestionTemplate, TemplateVersion
from service.tenancy import tenant_scope
from tests.factories import make_departure, make_interview


def _texts(text: str) -> dict:
    return {"nl": text, "fr": text}


RICH = Questionnaire(
    languages=("nl", "fr"),
    questions=(
        Question(key="why", type=QuestionType.FREE_TEXT, required=True, text=_texts("Why?")),
        Question(
            key="manager",
            type=QuestionType.RATING,
            required=False,
            text=_texts("Manager?"),
            scale_low=_texts("Bad"),
            scale_high=_texts("Good"),
        ),
        Question(
            key="reason",
            type=QuestionType.SINGLE_CHOICE,
            required=False,
            text=_texts("Main reason?"),
            choices=(Choice("pay", _texts("Pay")), Choice("boss", _texts("Boss"))),
        ),
        Question(
            key="extras",
            type=QuestionType.MULTIPLE_CHOICE,
            required=False,
            text=_texts("Also?"),
            choices=(Choice("hours", _texts("Hours")), Choice("commute", _texts("Commute"))),
        ),
        Question(key="recommend", type=QuestionType.ENPS, required=False, text=_texts("Rec?")),
    ),
)


def rich_template(tenant, name: str = "Rich questions") -> QuestionTemplate:
    """A template whose one published version holds every kind of question."""
    with tenant_scope(tenant.id):
        template = QuestionTemplate(name=name, languages=["nl", "fr"], origin="blank")
        db.session.add(template)
        db.session.flush()
        db.session.add(
            TemplateVersion(
                template_id=template.id,
                number=1,
                document=to_json(RICH),
                published_at=utcnow(),
            )
        )
        db.session.commit()
        db.session.refresh(template)
        db.session.expunge(template)
        return template


def rich_interview(tenant, interviewer, full_name: str = "Els Claes") -> Interview:
    template = rich_template(tenant)
    departure = make_departure(tenant, full_name, template_id=template.id)
    with tenant_scope(tenant.id):
        version_id = db.session.scalar(
            sa.select(TemplateVersion.id).where(
                TemplateVersion.tenant_id == tenant.id,
                TemplateVersion.template_id == template.id,
            )
        )
    return make_interview(tenant, departure, interviewer, template_version_id=version_id)


def stored_interview(tenant, interview_id) -> Interview:
    with tenant_scope(tenant.id):
        found = db.session.scalar(
            sa.select(Interview).where(
                Interview.tenant_id == tenant.id, Interview.id == interview_id
            )
        )
        db.session.expunge(found)
        db.session.commit()
        return found
