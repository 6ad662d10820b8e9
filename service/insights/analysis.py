"""Reading feedback into insight rows: every answer, its themes and why, in one taxonomy.

A theme is tagged from three sources (``Origin``):

- the question's theme hint with a structured answer: "was pay a factor?" yes (a yes/no
  question's ``concern``: "could you take your breaks?" raises it on no), a rating of 1 or
  2 on a question that probes a theme, a choice whose key is a theme ("the main reason");
- detection in free text (service/insights/detection.py), with the tenant's own themes;
- HR's corrections (``ThemeCorrection``), which win: a removed theme stays removed, an added
  one stays added, a confirmed one is shown as confirmed, every time the answers are read.

Confidential responses are read a month at a time (`read_survey_month`), in the transaction
that reshuffles them, and written in the order of their random ids; an interview is read
when it is completed (`read_interview`). Both replace what an earlier reading wrote, so
reading again (after a tenant adds a theme, say) is always safe.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from service.departures.models import Departure
from service.extensions import db
from service.insights.detection import LANGUAGES, detect
from service.insights.models import (
    COARSE_COLUMNS,
    WHY_MAX,
    AnswerInsight,
    Feedback,
    Origin,
    Source,
    TenantTheme,
    ThemeCorrection,
    ThemeTag,
    Verdict,
    theme_columns,
)
from service.surveys.document import (
    Question,
    Questionnaire,
    QuestionRole,
    QuestionType,
)
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.response_models import SurveyResponse, month_of
from service.surveys.responses import questionnaires
from service.surveys.themes import THEME_KEYS
from service.tenancy import current_tenant_id, of_current_tenant

NOTES_KEY = "_notes"  # an interview's free notes, read like an answer
LOW_RATING = 2  # a rating of 1 or 2 on a question that probes a theme raises it
_WHY_SEPARATOR = " · "


@dataclass(frozen=True)
class Tag:
    theme: str
    origin: Origin
    why: str = ""
    confirmed: bool = False


def tenant_keywords(language: str) -> dict[str, list[str]]:
    """The tenant's own themes: key → keywords in `language`, as detection takes them."""
    themes = db.session.scalars(sa.select(TenantTheme).where(of_current_tenant(TenantTheme)))
    return {
        theme.key: list(theme.keywords.get(language, []))
        for theme in themes
        if theme.keywords.get(language)
    }


def tenant_theme_keys() -> set[str]:
    rows = db.session.scalars(sa.select(TenantTheme.key).where(of_current_tenant(TenantTheme)))
    return set(THEME_KEYS) | set(rows)


def structured_tags(question: Question, value) -> list[Tag]:
    """The tags a structured answer raises through its question's theme hint (or, for a
    choice, the theme its key names)."""
    tags = []
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        chosen = value if isinstance(value, list) else [value]
        labels = {choice.key: choice.label for choice in question.choices}
        for key in chosen:
            if key in THEME_KEYS:
                tags.append(Tag(key, Origin.HINT, _label(labels.get(key), key)))
            elif question.theme and key == "yes":
                tags.append(Tag(question.theme, Origin.HINT, key))
    elif question.theme is None:
        return []
    elif question.type == QuestionType.YES_NO and value == (question.concern or "yes"):
        tags.append(Tag(question.theme, Origin.HINT, value))
    elif question.type == QuestionType.RATING and int(value) <= LOW_RATING:
        tags.append(Tag(question.theme, Origin.HINT, f"{int(value)}/5"))
    return tags


def _label(texts, fallback: str) -> str:
    if not texts:
        return fallback
    return texts.get("en") or next(iter(texts.values()), fallback)


def text_tags(text: str, language: str, keywords: Mapping[str, list[str]]) -> tuple[list, str]:
    """The tags detection finds in free text, and its sentiment."""
    found = detect(text, language if language in LANGUAGES else "en", keywords)
    tags = [
        Tag(
            hit.key,
            Origin.DETECTED,
            _WHY_SEPARATOR.join(dict.fromkeys(e.text for e in hit.evidence))[:WHY_MAX],
        )
        for hit in found.themes
    ]
    return tags, found.sentiment


def corrected(tags: list[Tag], verdicts: Mapping[str, Verdict]) -> list[Tag]:
    """HR's verdicts on one answer applied to its tags: corrections win."""
    kept = []
    for tag in tags:
        verdict = verdicts.get(tag.theme)
        if verdict == Verdict.REMOVE:
            continue
        # HR's word on a theme the answer raises anyway (added, or confirmed) confirms it.
        confirmed = verdict in (Verdict.CONFIRM, Verdict.ADD)
        kept.append(Tag(tag.theme, tag.origin, tag.why, confirmed=confirmed))
    present = {tag.theme for tag in kept}
    kept += [
        Tag(theme, Origin.HR, confirmed=True)
        for theme, verdict in sorted(verdicts.items())
        if verdict == Verdict.ADD and theme not in present
    ]
    return kept


def _corrections(feedback_ids: Iterable[uuid.UUID]) -> dict[tuple, dict[str, Verdict]]:
    ids = list(feedback_ids)
    found: dict[tuple, dict[str, Verdict]] = {}
    if not ids:
        return found
    rows = db.session.scalars(
        sa.select(ThemeCorrection).where(
            of_current_tenant(ThemeCorrection), ThemeCorrection.feedback_id.in_(ids)
        )
    )
    for row in rows:
        found.setdefault((row.feedback_id, row.question_key), {})[row.theme] = row.verdict
    return found


class _Reader:
    """Reads pieces of feedback of one tenant into rows, then writes them in one go."""

    def __init__(self) -> None:
        self.keywords: dict[str, dict[str, list[str]]] = {}
        self.feedback: list[dict] = []
        self.answers: list[dict] = []
        self.tags: list[dict] = []

    def _keywords(self, language: str) -> dict[str, list[str]]:
        if language not in self.keywords:
            self.keywords[language] = tenant_keywords(language)
        return self.keywords[language]

    def read(
        self,
        feedback_id: uuid.UUID,
        coarse: dict,
        language: str,
        questionnaire: Questionnaire,
        answers: Mapping,
        corrections: Mapping[tuple, dict[str, Verdict]],
        notes: str = "",
    ) -> None:
        tenant_id = current_tenant_id()
        row = {"tenant_id": tenant_id, "id": feedback_id, "language": language, **coarse}
        row["enps"] = row["come_back"] = None
        for question in questionnaire.questions:
            value = answers.get(question.key)
            if value is None or value == "" or value == []:
                continue
            if question.role == QuestionRole.ENPS:
                row["enps"] = int(value)
            elif question.role == QuestionRole.COME_BACK:
                row["come_back"] = value == "yes" or value == ["yes"]
            self._answer(feedback_id, coarse, language, question, value, corrections)
        if notes.strip():
            notes_question = Question(
                key=NOTES_KEY, type=QuestionType.FREE_TEXT, required=False, text={}
            )
            self._answer(feedback_id, coarse, language, notes_question, notes, corrections)
        self.feedback.append(row)

    def _answer(self, feedback_id, coarse, language, question, value, corrections) -> None:
        answer_id = uuid.uuid4()
        row = {
            "tenant_id": current_tenant_id(),
            "id": answer_id,
            "feedback_id": feedback_id,
            "question_key": question.key,
            "number": None,
            "choices": None,
            "text": None,
            "sentiment": None,
            **coarse,
        }
        if question.type == QuestionType.FREE_TEXT:
            tags, row["sentiment"] = text_tags(value, language, self._keywords(language))
            row["text"] = value
        else:
            tags = structured_tags(question, value)
            if question.type in (QuestionType.RATING, QuestionType.ENPS):
                row["number"] = int(value)
            elif question.type == QuestionType.YES_NO:
                row["number"] = 1 if value == "yes" else 0
            else:
                row["choices"] = value if isinstance(value, list) else [value]
        tags = corrected(_unique(tags), corrections.get((feedback_id, question.key), {}))
        self.answers.append(row)
        self.tags += [_tag_row(row, tag) for tag in tags]

    def keep(self, feedback: list, answers: list, tags: list, corrections: Mapping) -> None:
        """Write again what an earlier reading found, with HR's corrections applied (they
        are applied when made; applying them again changes nothing)."""
        self.feedback += feedback
        self.answers += answers
        by_answer: dict[uuid.UUID, list[dict]] = {}
        for tag in tags:
            by_answer.setdefault(tag["answer_id"], []).append(tag)
        for answer in answers:
            found = by_answer.get(answer["id"], [])
            verdicts = corrections.get((answer["feedback_id"], answer["question_key"]))
            if verdicts:
                earlier = [Tag(t["theme"], t["origin"], t["why"], t["confirmed"]) for t in found]
                self.tags += [_tag_row(answer, tag) for tag in corrected(earlier, verdicts)]
            else:
                self.tags += found

    def write(self) -> None:
        raised: dict[uuid.UUID, set[str]] = {}
        for tag in self.tags:
            raised.setdefault(tag["feedback_id"], set()).add(tag["theme"])
        for row in self.feedback:
            row.update(theme_columns(raised.get(row["id"], ())))
        for model, rows in (
            (Feedback, self.feedback),
            (AnswerInsight, self.answers),
            (ThemeTag, self.tags),
        ):
            if rows:
                db.session.execute(sa.insert(model), rows)


def _tag_row(answer: dict, tag: Tag) -> dict:
    """The insight_tags row of `tag` on the answer row `answer`."""
    return {
        "tenant_id": answer["tenant_id"],
        "id": uuid.uuid4(),
        "answer_id": answer["id"],
        "feedback_id": answer["feedback_id"],
        "question_key": answer["question_key"],
        "theme": tag.theme,
        "origin": tag.origin,
        "why": tag.why,
        "confirmed": tag.confirmed,
        **{key: answer[key] for key in COARSE_COLUMNS},
    }


def refresh_themes(*where) -> None:
    """Set the themes of the feedback `where` selects (conditions on ``Feedback``) from its
    tags again: after tags changed without their feedback being read (HR's correction, an
    own theme deleted)."""
    ids = list(
        db.session.scalars(sa.select(Feedback.id).where(of_current_tenant(Feedback), *where))
    )
    raised: dict[uuid.UUID, set[str]] = {feedback_id: set() for feedback_id in ids}
    for start in range(0, len(ids), 1000):
        rows = db.session.execute(
            sa.select(ThemeTag.feedback_id, ThemeTag.theme).where(
                of_current_tenant(ThemeTag), ThemeTag.feedback_id.in_(ids[start : start + 1000])
            )
        )
        for feedback_id, theme in rows:
            raised[feedback_id].add(theme)
    if ids:
        db.session.execute(
            sa.update(Feedback),
            [
                {"tenant_id": current_tenant_id(), "id": feedback_id, **theme_columns(themes)}
                for feedback_id, themes in raised.items()
            ],
        )


def _unique(tags: list[Tag]) -> list[Tag]:
    """One tag per theme per answer: the first source that raised it."""
    seen: dict[str, Tag] = {}
    for tag in tags:
        seen.setdefault(tag.theme, tag)
    return list(seen.values())


def _forget(where) -> None:
    """Delete the feedback rows `where` selects; their answers and tags go with them (the
    database cascades)."""
    db.session.execute(
        sa.delete(Feedback)
        .where(of_current_tenant(Feedback), where)
        .execution_options(synchronize_session=False)
    )


def read_survey_month(month, again: bool = False) -> int:
    """Rewrite the insight rows of the tenant's confidential responses of `month`, in the
    order of the responses' random ids: a response read before keeps what that reading
    found (HR's corrections included), a new one is read. With `again`, every response is
    read anew (the tenant's themes changed). The caller commits (in the transaction that
    reshuffles the responses). Returns how many responses the month holds."""
    month = month_of(month)
    earlier = {} if again else _earlier_reading(month)
    responses = list(
        db.session.scalars(
            sa.select(SurveyResponse)
            .where(of_current_tenant(SurveyResponse), SurveyResponse.month == month)
            .order_by(SurveyResponse.id)
        )
    )
    _forget(sa.and_(Feedback.source == Source.SURVEY, Feedback.month == month))
    corrections = _corrections(response.id for response in responses)
    by_version = questionnaires(responses)
    reader = _Reader()
    for response in responses:
        if response.id in earlier:
            reader.keep(*earlier[response.id], corrections)
            continue
        coarse = {
            "source": Source.SURVEY,
            "month": month,
            **{key: getattr(response, key) for key in COARSE_COLUMNS[2:]},
        }
        reader.read(
            response.id,
            coarse,
            response.language,
            by_version[response.template_version_id],
            response.answers,
            corrections,
        )
    reader.write()
    return len(responses)


_TABLES = (Feedback, AnswerInsight, ThemeTag)


def _earlier_reading(month) -> dict[uuid.UUID, tuple[list, list, list]]:
    """The rows an earlier reading wrote for the month's responses, by response id."""
    found: dict[uuid.UUID, tuple[list, list, list]] = {}
    for index, model in enumerate(_TABLES):
        columns = [getattr(model, column.key) for column in model.__table__.columns]
        rows = db.session.execute(
            sa.select(*columns).where(
                of_current_tenant(model), model.source == Source.SURVEY, model.month == month
            )
        )
        for row in rows:
            values = dict(row._mapping)
            feedback_id = values["id"] if model is Feedback else values["feedback_id"]
            found.setdefault(feedback_id, ([], [], []))[index].append(values)
    return found


def read_interview(interview, departure: Departure, questionnaire: Questionnaire) -> None:
    """Read a completed interview (identified: its rows carry the interview's id). The
    caller commits, with the completion."""
    _forget(Feedback.id == interview.id)
    coarse = {
        "source": Source.INTERVIEW,
        "month": month_of(interview.completed_at.date()),
        "department_id": departure.department_id,
        "job_function_id": departure.job_function_id,
        "location_id": departure.location_id,
        "tenure_band": departure.tenure_band,
        "exit_type": departure.exit_type,
        "regretted": departure.regretted,
    }
    reader = _Reader()
    reader.read(
        interview.id,
        coarse,
        departure.language or "nl",
        questionnaire,
        interview.answers or {},
        _corrections([interview.id]),
        notes=interview.notes or "",
    )
    reader.write()


def read_everything() -> None:
    """Read all of the tenant's feedback again (after its own themes changed, or to seed);
    the caller commits."""
    months = db.session.scalars(
        sa.select(SurveyResponse.month).where(of_current_tenant(SurveyResponse)).distinct()
    )
    for month in list(months):
        read_survey_month(month, again=True)
    completed = list(
        db.session.scalars(
            sa.select(Interview).where(
                of_current_tenant(Interview), Interview.status == InterviewStatus.COMPLETED
            )
        )
    )
    ids = {interview.departure_id for interview in completed}
    departures = {
        departure.id: departure
        for departure in db.session.scalars(
            sa.select(Departure).where(of_current_tenant(Departure), Departure.id.in_(ids))
        )
    }
    by_version = questionnaires(completed)
    for interview in completed:
        read_interview(
            interview,
            departures[interview.departure_id],
            by_version[interview.template_version_id],
        )
