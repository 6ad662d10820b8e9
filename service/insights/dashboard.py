"""The dashboard's content for one filter: every panel, already within the thresholds.

Views render it (whole or one panel at a time for htmx), exports write its tables, reports
summarise it and bench/insights.py times it: all through `build` and the panel functions
below, which only call service/insights/figures.py.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from service.extensions import db
from service.insights import figures
from service.insights.figures import Filter
from service.insights.thresholds import HIDDEN, Thresholds
from service.surveys.document import QuestionType, from_json
from service.surveys.models import TemplateVersion
from service.tenancy import of_current_tenant

# A theme's share moves "up" or "down" from the period before by at least this much.
TREND_STEP = 0.05
PANELS = ("volume", "themes", "trend", "heatmap", "turnover", "scores", "ratings")


@dataclass(frozen=True)
class RatingQuestion:
    key: str
    text: str  # in the reader's language when the template has it


def rating_questions(language: str) -> list[RatingQuestion]:
    """The rating questions of the tenant's templates, each key once (its newest wording)."""
    versions = db.session.scalars(
        sa.select(TemplateVersion)
        .where(of_current_tenant(TemplateVersion), TemplateVersion.published_at.is_not(None))
        .order_by(TemplateVersion.created_at.desc())
    )
    found: dict[str, RatingQuestion] = {}
    for version in versions:
        for question in from_json(version.document).questions:
            if question.type == QuestionType.RATING and question.key not in found:
                text = question.text.get(language) or next(iter(question.text.values()), "")
                found[question.key] = RatingQuestion(question.key, text or question.key)
    return list(found.values())


def trend_of(figure: figures.ThemeFigure) -> str | None:
    """ "up", "down" or "steady" against the period before; None without a comparison."""
    if figure.share is HIDDEN or figure.previous is HIDDEN or not figure.previous.base:
        return None
    change = figure.share.share - figure.previous.share
    if change >= TREND_STEP:
        return "up"
    if change <= -TREND_STEP:
        return "down"
    return "steady"


@dataclass(frozen=True)
class Dashboard:
    filter: Filter
    allowed: bool  # False: the filtered view rests on too few responses (or leaves too few out)
    responses: int
    volume: list | None = None
    themes: list | None = None
    trend: figures.Grid | None = None
    heatmap: figures.Grid | None = None
    turnover: tuple | None = None
    scores: figures.Scores | None = None
    ratings: list | None = None
    rating_texts: dict | None = None

    @property
    def response_rate(self) -> float | None:
        """Responses per departure over the period (None without departures)."""
        if self.scores is None or not self.scores.departures:
            return None
        return self.responses / self.scores.departures


def panel(name: str, filter_: Filter, thresholds: Thresholds, dimension: str, language: str):
    """One panel's figures."""
    if name == "volume":
        return figures.volume(filter_, thresholds)
    if name == "themes":
        return figures.themes(filter_, thresholds)
    if name == "trend":
        return figures.trend(filter_, thresholds)
    if name == "heatmap":
        return figures.heatmap(filter_, thresholds, dimension)
    if name == "turnover":
        return figures.turnover(filter_)
    if name == "scores":
        return figures.scores(filter_, thresholds)
    if name == "ratings":
        questions = rating_questions(language)
        return figures.ratings(filter_, thresholds, [question.key for question in questions])
    raise ValueError(f"unknown panel {name!r}")


def build(
    filter_: Filter,
    thresholds: Thresholds,
    dimension: str = "department_id",
    language="en",
    panels: tuple[str, ...] = PANELS,
) -> Dashboard:
    """Every panel for `filter_` (or only `panels`: a report needs a few); nothing but the
    count when the view is not allowed."""
    if not figures.view_allowed(filter_, thresholds):
        return Dashboard(filter=filter_, allowed=False, responses=0)
    count = figures.responses(filter_)
    questions = rating_questions(language) if "ratings" in panels else []
    with figures.shared():  # panels that rest on the same counts share their queries
        return Dashboard(
            filter=filter_,
            allowed=True,
            responses=count,
            rating_texts={question.key: question.text for question in questions},
            **{
                name: panel(name, filter_, thresholds, dimension, language)
                for name in panels
                if name != "ratings"
            },
            ratings=(
                figures.ratings(filter_, thresholds, [question.key for question in questions])
                if "ratings" in panels
                else None
            ),
        )
