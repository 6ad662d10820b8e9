"""What insights count: every answer, online and interview alike, read once into rows that
aggregate fast, and HR's corrections and the tenant's own themes that shape that reading.

One piece of feedback (a confidential survey response or a completed interview) becomes a
``Feedback`` row with the coarse attributes reporting filters on, one ``AnswerInsight`` per
answered question (the number of a rating, an eNPS or a yes/no, the chosen keys, the text
and its sentiment) and one ``ThemeTag`` per theme an answer raises, with why. Each row
repeats the coarse attributes, so every panel of the dashboard is one grouped query on one
table, without joins; the feedback row also lists the themes its tags raise
(``Feedback.themes``), so that one query over the feedback counts every theme as well
(bench/insights.py times it).

These rows are derived: ``service.insights.analysis`` rebuilds them from the responses, the
interviews, the tenant's themes and HR's corrections, which are the only facts here that
nothing else can rebuild. For confidential responses the rows are rewritten a month at a
time in the same transaction that reshuffles the responses (service/surveys/responses.py),
in the order of the responses' random ids, so they keep no trace of when a response came in.
"""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from service.departures.models import ExitType, TenureBand
from service.extensions import db
from service.model_types import created_at_column, text_enum
from service.tenancy import TenantOwned, tenant_fk

WHY_MAX = 300  # the words that fired, joined
KEY_MAX = 40  # question and theme keys


class Source(enum.StrEnum):
    SURVEY = "survey"  # a confidential online response
    INTERVIEW = "interview"  # an identified interview


class Origin(enum.StrEnum):
    """Where a tag comes from."""

    HINT = "hint"  # the question's theme and a structured answer ("was pay a factor?" yes)
    DETECTED = "detected"  # found in free text by the detector
    HR = "hr"  # added by HR


class Verdict(enum.StrEnum):
    CONFIRM = "confirm"
    REMOVE = "remove"
    ADD = "add"


class Coarse:
    """The attributes every insight row repeats: what reporting filters and groups on."""

    source: Mapped[Source] = mapped_column(text_enum(Source, "insight_source"))
    month: Mapped[dt.date]  # the first day of the month the feedback came in
    department_id: Mapped[uuid.UUID | None]
    job_function_id: Mapped[uuid.UUID | None]
    location_id: Mapped[uuid.UUID | None]
    tenure_band: Mapped[TenureBand | None] = mapped_column(text_enum(TenureBand, "tenure_band"))
    exit_type: Mapped[ExitType] = mapped_column(text_enum(ExitType, "exit_type"))
    regretted: Mapped[bool]

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805
        name = cls.__tablename__
        return (
            tenant_fk("department_id", "departments"),
            tenant_fk("job_function_id", "job_functions"),
            tenant_fk("location_id", "locations"),
            sa.Index(f"ix_{name}_month", "tenant_id", "month"),
            *cls.__extra_args__,
        )

    __extra_args__: tuple = ()


COARSE_COLUMNS = (
    "source",
    "month",
    "department_id",
    "job_function_id",
    "location_id",
    "tenure_band",
    "exit_type",
    "regretted",
)


class Feedback(Coarse, TenantOwned, db.Model):
    """One response or interview. Its id is the response's (random) or the interview's."""

    __tablename__ = "insight_feedback"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-9)
    language: Mapped[str] = mapped_column(sa.String(2))
    enps: Mapped[int | None]  # 0–10, from the question with the eNPS role
    come_back: Mapped[bool | None]  # from the question with the come-back role
    # The themes its tags raise (`theme_columns` writes both): written with the tags
    # (analysis), and set again from them wherever tags change alone (analysis.refresh_themes).
    themes: Mapped[str] = mapped_column(sa.Text, default=",", server_default=",")
    default_themes: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")


# The bit of each default theme in ``Feedback.default_themes``. Stored in every row: a bit
# is never reused or moved; a new default theme takes the next one (at most 63).
DEFAULT_THEME_BITS = {
    "compensation": 0,
    "management": 1,
    "communication": 2,
    "culture": 3,
    "growth": 4,
    "recognition": 5,
    "training": 6,
    "role_fit": 7,
    "team": 8,
    "workload": 9,
    "flexibility": 10,
    "conditions": 11,
    "other": 12,
}


def theme_list(themes) -> str:
    """Themes as ``Feedback.themes`` holds them: ",culture,pay," (each once, in order), ","
    for none. Theme keys hold no comma."""
    return "".join(f",{key}" for key in sorted(set(themes))) + ","


def theme_columns(themes) -> dict:
    """``Feedback.themes`` and ``Feedback.default_themes`` of a piece of feedback whose
    tags raise `themes`."""
    themes = set(themes)
    bits = sum(1 << bit for key, bit in DEFAULT_THEME_BITS.items() if key in themes)
    return {"themes": theme_list(themes), "default_themes": bits}


def raises(theme: str):
    """The condition "this piece of feedback raises `theme`": a default theme is one bit
    tested per row, a tenant's own one substring (both far cheaper for the database than
    reading the tags, and the same on SQLite)."""
    if theme in DEFAULT_THEME_BITS:
        return Feedback.default_themes.op("&")(1 << DEFAULT_THEME_BITS[theme]) != 0
    return lists(Feedback.themes, theme)


def lists(column, theme: str):
    """The condition "the theme list in `column` (",a,b,") holds `theme`"."""
    position = sa.func.strpos if db.engine.dialect.name == "postgresql" else sa.func.instr
    return position(column, f",{theme},") > 0


class AnswerInsight(Coarse, TenantOwned, db.Model):
    """One answered question of one piece of feedback."""

    __tablename__ = "insight_answers"
    __extra_args__ = (
        tenant_fk("feedback_id", "insight_feedback", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "feedback_id", "question_key"),
        # Ratings (figures.ratings) from the index alone: the numbers of each question, of
        # the whole company and of one department. Key columns only: PostgreSQL keeps each
        # repeated key once (INCLUDE columns would prevent it), a sixteenth of the size.
        *(
            sa.Index(
                name,
                "tenant_id",
                *columns,
                "question_key",
                "month",
                "number",
                postgresql_where=sa.text("number IS NOT NULL"),
                sqlite_where=sa.text("number IS NOT NULL"),
            )
            for name, columns in (
                ("ix_insight_answers_numbers", ()),
                ("ix_insight_answers_department_numbers", ("department_id",)),
            )
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-9)
    feedback_id: Mapped[uuid.UUID]
    question_key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    number: Mapped[int | None] = mapped_column(sa.SmallInteger)  # rating, eNPS, yes=1/no=0
    choices: Mapped[list | None] = mapped_column(sa.JSON)  # chosen keys
    text: Mapped[str | None] = mapped_column(sa.Text)  # free text as typed
    sentiment: Mapped[str | None] = mapped_column(sa.String(8))  # of a free text


class ThemeTag(Coarse, TenantOwned, db.Model):
    """A theme one answer raises, and why."""

    __tablename__ = "insight_tags"
    __extra_args__ = (
        tenant_fk("answer_id", "insight_answers", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "answer_id", "theme"),
        sa.Index("ix_insight_tags_feedback", "tenant_id", "feedback_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-9)
    answer_id: Mapped[uuid.UUID]
    feedback_id: Mapped[uuid.UUID]
    question_key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    theme: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    origin: Mapped[Origin] = mapped_column(text_enum(Origin, "tag_origin"))
    why: Mapped[str] = mapped_column(sa.String(WHY_MAX), default="")
    confirmed: Mapped[bool] = mapped_column(default=False)


class Cell:
    """The coarse attributes a roll-up row counts a month of feedback by (``rollup``): the
    filters and breakdowns the dashboard is opened with. Tenure and exit type are left out
    (they would multiply the rows fivefold); a view narrowed by them reads the rows."""

    month: Mapped[dt.date]
    department_id: Mapped[uuid.UUID | None]
    job_function_id: Mapped[uuid.UUID | None]
    location_id: Mapped[uuid.UUID | None]

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805
        return (sa.Index(f"ix_{cls.__tablename__}_month", "tenant_id", "month"),)


CELL_COLUMNS = ("month", "department_id", "job_function_id", "location_id")


class FeedbackCell(Cell, TenantOwned, db.Model):
    """How many pieces of feedback of one month and group (`Cell`) there are, what their
    scores rest on and how many raise each theme: ``service.insights.rollup`` rewrites a
    month's rows from ``Feedback`` whenever that month's feedback changes."""

    __tablename__ = "insight_feedback_cells"

    # The tenant's own themes of these pieces of feedback, as ``Feedback.themes`` lists
    # them ("," for none): a group's feedback with different own themes has a row each.
    own_themes: Mapped[str] = mapped_column(sa.Text)
    responses: Mapped[int]
    enps_answers: Mapped[int]
    promoters: Mapped[int]
    detractors: Mapped[int]
    come_back_answers: Mapped[int]
    come_back_yes: Mapped[int]
    # One count per default theme (``raised_<key>``) follows, from DEFAULT_THEME_BITS.


for _key in DEFAULT_THEME_BITS:
    setattr(FeedbackCell, f"raised_{_key}", mapped_column(sa.Integer, nullable=False))
del _key


class RatingCell(TenantOwned, db.Model):
    """How many answers of one question of one month and department gave 1, 2, … 5 (the
    rating scale); rewritten with the month's ``FeedbackCell`` rows. Ratings are filtered,
    never broken down: a view narrowed by anything but the department reads the answers."""

    __tablename__ = "insight_rating_cells"
    __table_args__ = (sa.Index("ix_insight_rating_cells_month", "tenant_id", "month"),)

    month: Mapped[dt.date]
    department_id: Mapped[uuid.UUID | None]
    question_key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    n1: Mapped[int]
    n2: Mapped[int]
    n3: Mapped[int]
    n4: Mapped[int]
    n5: Mapped[int]


class StaleMonth(TenantOwned, db.Model):
    """A month whose feedback changed since its cells were counted: the database writes it
    (triggers on ``insight_feedback``, migrations/versions/0026), ``rollup`` counts the
    month again and deletes it before the transaction commits."""

    __tablename__ = "insight_stale_months"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "month"),)

    month: Mapped[dt.date]


class ThemeCorrection(TenantOwned, db.Model):
    """HR's word on one theme of one answer; it wins over detection and is remembered
    when the answers are read again."""

    __tablename__ = "theme_corrections"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "feedback_id", "question_key", "theme"),)

    feedback_id: Mapped[uuid.UUID]
    question_key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    theme: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    verdict: Mapped[Verdict] = mapped_column(text_enum(Verdict, "theme_verdict"))
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = created_at_column()


class TenantTheme(TenantOwned, db.Model):
    """A theme of the tenant's own beside the default taxonomy, with its keywords."""

    __tablename__ = "tenant_themes"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(sa.String(KEY_MAX))  # "own_" + a slug, never renamed
    labels: Mapped[dict] = mapped_column(sa.JSON)  # language → label
    keywords: Mapped[dict] = mapped_column(sa.JSON)  # language → [keyword, …]
    created_at: Mapped[dt.datetime] = created_at_column()
