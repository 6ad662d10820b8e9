"""A leaver with a live survey link, on a questionnaire with every kind of question."""

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa

from service.departures.models import Channel, Departure
from service.extensions import db
from service.model_types import utcnow
from service.surveys.document import Choice, Question, Questionnaire, QuestionType, to_json
from service.surveys.invitation_models import SurveyDraft, SurveyInvitation
from service.surveys.models import QuestionTemplate, TemplateVersion
from service.surveys.response_models import SurveyResponse
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Tenant
from tests.factories import make_departure, make_live_survey_invitation


def _texts(nl: str, fr: str, en: str) -> dict:
    return {"nl": nl, "fr": fr, "en": en}


QUESTIONS = (
    Question(
        key="reason",
        type=QuestionType.SINGLE_CHOICE,
        required=True,
        text=_texts("Waarom vertrek je?", "Pourquoi partez-vous ?", "Why are you leaving?"),
        choices=(
            Choice("pay", _texts("Het loon", "Le salaire", "Pay")),
            Choice("manager", _texts("Mijn leidinggevende", "Mon responsable", "My manager")),
            Choice("growth", _texts("Groeikansen", "L'évolution", "Growth")),
        ),
    ),
    Question(
        key="pay",
        type=QuestionType.YES_NO,
        required=True,
        text=_texts("Speelde het loon mee?", "Le salaire a-t-il joué ?", "Did pay matter?"),
    ),
    Question(
        key="manager",
        type=QuestionType.RATING,
        required=False,
        text=_texts("Steunde je leidinggevende je?", "Votre responsable ?", "Your manager?"),
        scale_low=_texts("Helemaal niet", "Pas du tout", "Not at all"),
        scale_high=_texts("Helemaal wel", "Tout à fait", "Fully"),
    ),
    Question(
        key="recommend",
        type=QuestionType.ENPS,
        required=False,
        text=_texts(
            "Zou je ons aanraden?", "Nous recommanderiez-vous ?", "Would you recommend us?"
        ),
        role="enps",
    ),
    Question(
        key="improve",
        type=QuestionType.FREE_TEXT,
        required=False,
        text=_texts(
            "Wat kunnen we beter doen?", "Que pourrions-nous améliorer ?", "What to improve?"
        ),
    ),
    Question(
        key="themes",
        type=QuestionType.MULTIPLE_CHOICE,
        required=False,
        text=_texts("Wat speelde nog mee?", "Quoi d'autre ?", "What else mattered?"),
        choices=(
            Choice("hours", _texts("De uren", "Les horaires", "Hours")),
            Choice("team", _texts("Het team", "L'équipe", "The team")),
        ),
    ),
)
DOCUMENT = Questionnaire(languages=("nl", "fr", "en"), questions=QUESTIONS)
# A complete set of answers, as the form sends them.
COMPLETE = {"answer_reason": "manager", "answer_pay": "no", "answer_manager": "2"}


@dataclass
class Leaver:
    tenant: Tenant
    departure: Departure
    invitation: SurveyInvitation
    token: str
    version: TemplateVersion

    @property
    def link(self) -> str:
        return f"/s/{self.token}"


def survey_version(tenant: Tenant) -> TemplateVersion:
    with tenant_scope(tenant.id):
        template = QuestionTemplate(
            name="Leaver survey", languages=["nl", "fr", "en"], origin="blank"
        )
        db.session.add(template)
        db.session.flush()
        version = TemplateVersion(
            template_id=template.id, number=1, document=to_json(DOCUMENT), published_at=utcnow()
        )
        db.session.add(version)
        db.session.commit()
        db.session.refresh(version)
        db.session.expunge(version)
        return version


def make_leaver(tenant: Tenant, name: str = "An Leaver", **invitation_values) -> Leaver:
    version = survey_version(tenant)
    departure = make_departure(
        tenant,
        name,
        channel=Channel.SURVEY,
        hired_on=dt.date(2021, 3, 1),
        last_day=dt.date(2026, 8, 31),
        regretted=True,
    )
    invitation, token = make_live_survey_invitation(tenant, departure, version, **invitation_values)
    return Leaver(tenant, departure, invitation, token, version)


FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def open_survey(client, leaver: Leaver) -> str:
    """Follow the link as the leaver's browser does; returns the page's CSRF token."""
    response = client.get(leaver.link)
    assert response.status_code == 303, response.status_code
    page = client.get(response.location)
    assert page.status_code == 200, page.status_code
    return FORM_TOKEN.search(page.get_data(as_text=True)).group(1)


def invitation_row(leaver: Leaver) -> SurveyInvitation:
    db.session.expire_all()
    with tenant_scope(leaver.tenant.id):
        return db.session.get(SurveyInvitation, (leaver.tenant.id, leaver.invitation.id))


def draft_of(leaver: Leaver) -> SurveyDraft | None:
    db.session.expire_all()
    with tenant_scope(leaver.tenant.id):
        return db.session.scalar(
            sa.select(SurveyDraft).where(SurveyDraft.invitation_id == leaver.invitation.id)
        )


def responses_of(tenant: Tenant) -> list[SurveyResponse]:
    db.session.expire_all()
    with tenant_scope(tenant.id):
        return list(db.session.scalars(sa.select(SurveyResponse)))


def a_month_on() -> None:
    """Responses are listed once their month has ended: move this month's to the last."""
    this_month = dt.date.today().replace(day=1)
    with unscoped("a test looks across tenants"):
        db.session.execute(
            sa.update(SurveyResponse)
            .where(SurveyResponse.month == this_month)
            .values(month=last_month_of(this_month))
        )
        db.session.commit()


def last_month_of(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)
