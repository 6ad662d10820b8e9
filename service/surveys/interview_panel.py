"""The “Interview” panel of a departure's page: the planned interview, or the completed,
identified response in full (read-only answers and notes) for HR."""

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from service.departures.models import Departure
from service.insights.analysis import NOTES_KEY
from service.insights.corrections import review
from service.surveys import interviews
from service.surveys.document import Questionnaire
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.preview import questionnaire_html


def language_of(interview_document: Questionnaire, departure: Departure) -> str:
    """The questions are read to the leaver: in their language when the template has it."""
    if departure.language in interview_document.languages:
        return departure.language
    return interview_document.languages[0]


def answers_html(interview: Interview, departure: Departure, **options) -> Markup:
    document = interviews.questionnaire_of(interview)
    return questionnaire_html(
        document,
        language_of(document, departure),
        answers=options.pop("answers", None) or interview.answers,
        embedded=True,
        **options,
    )


def panel(departure: Departure) -> dict:
    """What the departure's page shows of its interview."""
    if not interviews.takes_interview(departure):
        return {"interview_panel": None}
    interview = interviews.live_interview(departure)
    completed = interview is not None and interview.status == InterviewStatus.COMPLETED
    return {
        "interview_panel": {
            "interview": interview,
            "interviewer": interviews.user_of(interview.interviewer_user_id) if interview else None,
            "answered": answers_html(interview, departure) if completed else None,
            "answered_count": len(interview.answers) if interview else 0,
            "themed": _themed(interview, departure) if completed else [],
        },
        **review([interview.id] if completed else []),
    }


def _themed(interview: Interview, departure: Departure) -> list[tuple[str, str]]:
    """(question key, question as read) of each answer that has themes to review, and the
    notes."""
    document = interviews.questionnaire_of(interview)
    language = language_of(document, departure)
    answers = interview.answers or {}
    themed = [
        (question.key, question.text.get(language) or question.key)
        for question in document.questions
        if answers.get(question.key) not in (None, "", [])
    ]
    if (interview.notes or "").strip():
        themed.append((NOTES_KEY, _("Notes")))
    return themed


def read_out(departure: Departure, company: str) -> str:
    """What the interviewer reads to the leaver first, in the leaver's language."""
    with force_locale(f"{departure.language}_BE"):
        return _(
            "This interview is not anonymous: your answers and my notes are recorded with "
            "your name and read by the HR team of %(company)s. You may skip any question.",
            company=company,
        )
