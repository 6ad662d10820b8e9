"""Reading feedback into insight rows: themes from hints, detection and HR's corrections,
eNPS and coming back from the questions that play those roles, interview notes; read again
safely, and in the transaction that reshuffles the month."""

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from service.departures.models import ExitType
from service.extensions import db
from service.insights import analysis
from service.insights.analysis import Tag, structured_tags, text_tags
from service.insights.models import (
    AnswerInsight,
    Feedback,
    Origin,
    Source,
    ThemeCorrection,
    ThemeTag,
    Verdict,
)
from service.surveys import interviews
from service.surveys.document import Choice, Question, QuestionType
from service.surveys.interview_models import Interview
from service.surveys.presets import load_presets
from service.surveys.response_tasks import reshuffle_responses
from service.tenancy import tenant_scope
from tests.factories import (
    make_department,
    make_departure,
    make_interview,
    make_survey_response,
    make_tenant,
    make_user,
)
from tests.insights.insight_world import count_rows, insight_version, read_all

NOV = dt.date(2026, 11, 1)
PAY = "Het loon was veel te laag."


def question(kind: QuestionType, theme: str | None = None, choices=(), **more) -> Question:
    return Question(
        key="q",
        type=kind,
        required=False,
        text={"en": "?"},
        theme=theme,
        choices=tuple(Choice(key, {"en": key.title(), "nl": key}) for key in choices),
        **more,
    )


# --- Tags from structured answers and from text ----------------------------------------------


def test_a_yes_to_a_question_with_a_theme_raises_it():
    asked = question(QuestionType.YES_NO, theme="compensation")
    assert structured_tags(asked, "yes") == [Tag("compensation", Origin.HINT, "yes")]
    assert structured_tags(asked, "no") == []
    assert structured_tags(question(QuestionType.YES_NO), "yes") == []


def test_a_yes_no_question_raises_its_theme_on_its_concern_answer_only():
    breaks = question(QuestionType.YES_NO, theme="workload", concern="no")
    assert structured_tags(breaks, "no") == [Tag("workload", Origin.HINT, "no")]
    assert structured_tags(breaks, "yes") == []
    said_yes = question(QuestionType.YES_NO, theme="compensation", concern="yes")
    assert structured_tags(said_yes, "yes") == [Tag("compensation", Origin.HINT, "yes")]
    assert structured_tags(said_yes, "no") == []
    assert structured_tags(question(QuestionType.YES_NO, concern="no"), "no") == []


@pytest.mark.parametrize("key", load_presets())
def test_a_presets_yes_no_answers_raise_themes_only_on_their_concern(key):
    asked = [
        q for q in load_presets()[key].questionnaire.questions if q.type is QuestionType.YES_NO
    ]
    assert asked
    for yes_no in asked:
        concern = yes_no.concern or "yes"
        assert structured_tags(yes_no, concern) == [Tag(yes_no.theme, Origin.HINT, concern)]
        other = "no" if concern == "yes" else "yes"
        assert structured_tags(yes_no, other) == [], yes_no.key


def test_a_rating_of_two_or_less_raises_the_questions_theme():
    asked = question(QuestionType.RATING, theme="management")
    assert structured_tags(asked, 1) == [Tag("management", Origin.HINT, "1/5")]
    assert structured_tags(asked, "2") == [Tag("management", Origin.HINT, "2/5")]
    assert structured_tags(asked, 3) == []
    assert structured_tags(question(QuestionType.RATING), 1) == []


def test_a_choice_whose_key_is_a_theme_raises_it():
    single = question(QuestionType.SINGLE_CHOICE, choices=("growth", "moving"))
    assert structured_tags(single, "growth") == [Tag("growth", Origin.HINT, "Growth")]
    assert structured_tags(single, "moving") == []
    several = question(QuestionType.MULTIPLE_CHOICE, choices=("team", "workload", "moving"))
    assert structured_tags(several, ["team", "moving", "workload"]) == [
        Tag("team", Origin.HINT, "Team"),
        Tag("workload", Origin.HINT, "Workload"),
    ]
    hinted = question(QuestionType.SINGLE_CHOICE, theme="flexibility", choices=("yes", "no"))
    assert structured_tags(hinted, "yes") == [Tag("flexibility", Origin.HINT, "yes")]
    assert structured_tags(hinted, "no") == []


def test_free_text_is_tagged_with_why_and_a_sentiment():
    tags, sentiment = text_tags(PAY, "nl", {})
    assert tags == [Tag("compensation", Origin.DETECTED, "loon")]
    assert sentiment == "negative"
    tags, sentiment = text_tags("Fijne collega's, ik ging er graag heen.", "nl", {})
    assert sentiment == "positive"
    own = {"own_parking": ["parking"]}
    tags, _sentiment = text_tags("The parking was always full", "de", own)  # read as English
    assert Tag("own_parking", Origin.DETECTED, "parking") in tags


# --- Survey months ----------------------------------------------------------------------------


@pytest.fixture
def tenant(app):
    return make_tenant("reading", languages=["nl", "en"])


@pytest.fixture
def version(tenant):
    return insight_version(tenant)


def rows(tenant, model, *where):
    db.session.expire_all()
    with tenant_scope(tenant.id):
        return list(db.session.scalars(sa.select(model).where(*where)))


def tags_of(tenant, feedback_id) -> dict:
    found = rows(tenant, ThemeTag, ThemeTag.feedback_id == feedback_id)
    return {(tag.question_key, tag.theme): (tag.origin, tag.why, tag.confirmed) for tag in found}


def test_a_response_becomes_feedback_answers_and_tags(tenant, version):
    sales = make_department(tenant, "Sales")
    response = make_survey_response(
        tenant,
        version,
        department_id=sales.id,
        tenure_band="2_5",
        exit_type=ExitType.INVOLUNTARY,
        regretted=True,
        answers={
            "reason": "growth",
            "pay": "yes",
            "manager": 2,
            "training": 4,
            "recommend": 9,
            "back": "no",
            "improve": PAY,
        },
    )
    read_all(tenant)
    (feedback,) = rows(tenant, Feedback)
    assert feedback.id == response.id
    assert (feedback.source, feedback.month, feedback.language) == (Source.SURVEY, NOV, "nl")
    assert (feedback.enps, feedback.come_back) == (9, False)
    assert (feedback.department_id, feedback.tenure_band) == (sales.id, "2_5")
    assert (feedback.exit_type, feedback.regretted) == (ExitType.INVOLUNTARY, True)
    assert feedback.themes == ",compensation,growth,management,"  # what its tags raise
    answers = {a.question_key: a for a in rows(tenant, AnswerInsight)}
    assert set(answers) == {"reason", "pay", "manager", "training", "recommend", "back", "improve"}
    assert answers["reason"].choices == ["growth"]
    assert (answers["pay"].number, answers["back"].number) == (1, 0)
    assert (answers["manager"].number, answers["recommend"].number) == (2, 9)
    assert (answers["improve"].text, answers["improve"].sentiment) == (PAY, "negative")
    assert {a.department_id for a in answers.values()} == {sales.id}
    assert tags_of(tenant, response.id) == {
        ("reason", "growth"): (Origin.HINT, "No way up", False),
        ("pay", "compensation"): (Origin.HINT, "yes", False),
        ("manager", "management"): (Origin.HINT, "2/5", False),
        ("improve", "compensation"): (Origin.DETECTED, "loon", False),
    }
    assert {tag.month for tag in rows(tenant, ThemeTag)} == {NOV}


def test_come_back_yes_and_unanswered_roles(tenant, version):
    yes = make_survey_response(tenant, version, answers={"back": "yes"})
    none = make_survey_response(tenant, version, answers={"pay": "no", "improve": ""})
    read_all(tenant)
    found = {f.id: (f.enps, f.come_back) for f in rows(tenant, Feedback)}
    assert found == {yes.id: (None, True), none.id: (None, None)}
    assert [
        a.question_key for a in rows(tenant, AnswerInsight, AnswerInsight.feedback_id == none.id)
    ] == ["pay"]


def correct(tenant, feedback_id, question_key, theme, verdict) -> None:
    with tenant_scope(tenant.id):
        db.session.add(
            ThemeCorrection(
                feedback_id=feedback_id, question_key=question_key, theme=theme, verdict=verdict
            )
        )
        db.session.commit()


def test_corrections_win_and_survive_the_reshuffle(tenant, version):
    response = make_survey_response(
        tenant, version, answers={"pay": "yes", "improve": f"{PAY} De werkdruk was te hoog."}
    )
    read_all(tenant)
    assert tags_of(tenant, response.id) == {
        ("pay", "compensation"): (Origin.HINT, "yes", False),
        ("improve", "compensation"): (Origin.DETECTED, "loon", False),
        ("improve", "workload"): (Origin.DETECTED, "werkdruk", False),
    }
    correct(tenant, response.id, "improve", "compensation", Verdict.REMOVE)
    correct(tenant, response.id, "improve", "workload", Verdict.CONFIRM)
    correct(tenant, response.id, "improve", "recognition", Verdict.ADD)
    correct(tenant, response.id, "pay", "compensation", Verdict.ADD)  # already there
    expected = {
        ("pay", "compensation"): (Origin.HINT, "yes", True),
        ("improve", "workload"): (Origin.DETECTED, "werkdruk", True),
        ("improve", "recognition"): (Origin.HR, "", True),
    }
    reshuffle_responses(str(tenant.id), NOV.isoformat())
    assert tags_of(tenant, response.id) == expected
    with tenant_scope(tenant.id):
        assert analysis.read_survey_month(dt.date(2026, 11, 17)) == 1  # any day of the month
        db.session.commit()
    assert tags_of(tenant, response.id) == expected


def test_reading_everything_again_changes_nothing(tenant, version):
    for month in (dt.date(2026, 10, 1), NOV):
        make_survey_response(tenant, version, month=month, answers={"pay": "yes", "improve": PAY})
    read_all(tenant)
    before = {
        model: sorted(_comparable(row) for row in rows(tenant, model))
        for model in (Feedback, AnswerInsight, ThemeTag)
    }
    read_all(tenant)
    read_all(tenant)
    for model, found in before.items():
        assert sorted(_comparable(row) for row in rows(tenant, model)) == found
    assert [count_rows(tenant, m) for m in (Feedback, AnswerInsight, ThemeTag)] == [2, 4, 4]


def _comparable(row) -> tuple:
    """A row's values but its own random id (and its answer's, rewritten on each reading)."""
    skip = {"id", "answer_id"}
    return tuple(
        str(getattr(row, column.key)) for column in row.__table__.columns if column.key not in skip
    )


def test_another_tenants_feedback_is_not_read(tenant, version):
    other = make_tenant("other-reader")
    make_survey_response(other, insight_version(other), answers={"pay": "yes"})
    make_survey_response(tenant, version, answers={"pay": "yes"})
    read_all(tenant)
    assert count_rows(tenant, Feedback) == 1
    assert count_rows(other, Feedback) == 0


# --- Interviews ---------------------------------------------------------------------------------


def test_an_interview_is_read_when_it_is_completed_notes_included(tenant, version):
    kitchen = make_department(tenant, "Kitchen")
    departure = make_departure(
        tenant,
        "Els Claes",
        language="en",
        department_id=kitchen.id,
        hired_on=dt.date(2020, 1, 1),
        last_day=dt.date(2026, 6, 30),
        regretted=True,
    )
    interviewer = make_user("interviewer@reading.example")
    interview = make_interview(tenant, departure, interviewer, template_version_id=version.id)
    form = MultiDict(
        {
            "revision": "1",
            "answer_recommend": "3",
            "answer_back": "yes",
            "answer_pay": "no",
            "notes": "She spoke at length: the workload was far too high.",
        }
    )
    with current_app.test_request_context(), tenant_scope(tenant.id):
        assert rows(tenant, Feedback) == []
        planned = db.session.get(Interview, (tenant.id, interview.id))
        interviews.complete(planned, 1, form)
    (feedback,) = rows(tenant, Feedback)
    assert feedback.id == interview.id
    assert (feedback.source, feedback.language) == (Source.INTERVIEW, "en")
    assert feedback.month == dt.date.today().replace(day=1)  # completed today
    assert (feedback.department_id, feedback.tenure_band) == (kitchen.id, "5_10")
    assert (feedback.enps, feedback.come_back, feedback.regretted) == (3, True, True)
    notes = rows(tenant, AnswerInsight, AnswerInsight.question_key == analysis.NOTES_KEY)
    assert [(a.text, a.sentiment) for a in notes] == [
        ("She spoke at length: the workload was far too high.", "negative")
    ]
    assert tags_of(tenant, interview.id) == {
        ("_notes", "workload"): (Origin.DETECTED, "workload", False)
    }
    # Read again with everything else: the same rows, once.
    read_all(tenant)
    assert count_rows(tenant, Feedback) == 1
    assert len(rows(tenant, ThemeTag)) == 1
