"""Insights exports: the de-identified answers and every dashboard table, as CSV or XLSX.

The tables are built only from what service/insights/dashboard.py (and so figures.py)
gives for the same filter: a figure hidden on screen is "Not enough responses to show" in
the file too, and a view the dashboard refuses exports nothing but that message.

The answers (one row per answer: quarter, coarse attributes, question, answer, sentiment,
themes) carry free text, and a text is a key that joins two exports row by row: the texts
of "department Zaal" and those of "10 years or more" meet in a group the thresholds never
saw, and "January–June" minus "February–June" leaves January's. So the answers are held
to rules that do not depend on the filter, and two exports can only repeat each other:

1. the whole company only: a narrowed filter exports a message, not the answers;
2. whole quarters only: the period is widened to the quarters it touches, and a quarter
   with fewer responses than the quote threshold is never exported (so every difference
   between two periods is whole quarters that reach it);
3. an answer's attributes (department, job function, location, tenure band, exit type)
   are decided over all the tenant's exportable feedback, not the period's: each column
   hides the values ``Thresholds.hidden_groups`` hides in a breakdown by it (those under
   k, then the next smallest by complementary suppression), and within each quarter the
   combination left on a row (one department × one tenure band may be one person) is a
   group too: combinations under k lose every attribute, again with complementary
   suppression, so a quarter's rows without attributes are never fewer than k.

Rows come in the order of their random ids, so nothing says which answers one person gave;
the month is never finer than the quarter. Every export is recorded (InsightExport).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.accounts.models import User
from service.audit import trail as audit
from service.departures.labels import EXIT_TYPES, TENURE_BANDS
from service.exports import CSV_TYPE, XLSX_TYPE, Table, write_csv_tables, write_xlsx
from service.extensions import db
from service.insights import dashboard, figures
from service.insights.export_models import FileFormat, InsightExport
from service.insights.figures import Filter, Share
from service.insights.filters import arguments
from service.insights.models import AnswerInsight, Feedback, ThemeTag
from service.insights.taxonomy import theme_label
from service.insights.thresholds import HIDDEN, NOT_ENOUGH, Thresholds
from service.surveys.document import QuestionType, from_json
from service.surveys.models import TemplateVersion
from service.tenancy import of_current_tenant
from service.tenants.models import Department, JobFunction, Location

ANSWERS = "answers"
DASHBOARD = "dashboard"  # every table below, one sheet (or CSV section) each
TABLES = ("volume", "themes", "trend", "heatmap", "turnover", "scores", "ratings")
KINDS = (ANSWERS, DASHBOARD, *TABLES)
KIND_LABELS = {
    ANSWERS: _l("The answers, de-identified"),
    DASHBOARD: _l("Every dashboard table"),
    "volume": _l("Volume per month"),
    "themes": _l("Themes"),
    "trend": _l("Themes per quarter (%)"),
    "heatmap": _l("Heat maps"),
    "turnover": _l("Turnover"),
    "scores": _l("Scores"),
    "ratings": _l("Ratings"),
}
# The heat map export holds all three breakdowns, each a table of its own.
HEATMAPS = {
    "department_id": _l("Themes per department (%)"),
    "job_function_id": _l("Themes per job function (%)"),
    "location_id": _l("Themes per location (%)"),
}
HISTORY_SHOWN = 20
ATTRIBUTES = ("quarter", *figures.DIMENSIONS, "tenure_band", "exit_type")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    content: bytes
    rows: int


def export(
    kind: str,
    file_format: FileFormat,
    filter_: Filter,
    thresholds: Thresholds,
    language: str,
    slug: str,
    user_id,
) -> ExportFile:
    """Build one export and record it (one transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r}")
    tables = tables_of(kind, filter_, thresholds, language)
    if kind == ANSWERS and not filter_.narrowed:
        filter_ = answers_period(filter_)  # what the file covers: whole quarters
    content = (write_xlsx if file_format == FileFormat.XLSX else write_csv_tables)(tables)
    rows = sum(len(table.rows) for table in tables)
    exported = InsightExport(
        by_user_id=user_id,
        kind=kind,
        file_format=file_format,
        filter_args=arguments(filter_),
        rows=rows,
    )
    db.session.add(exported)
    changes = {"kind": kind, "format": file_format.value, "rows": rows, **exported.filter_args}
    audit.record("export.insights", exported, changes)
    db.session.commit()
    period = f"{filter_.first:%Y-%m}_{filter_.last:%Y-%m}"
    return ExportFile(
        filename=f"{slug}-{kind}-{period}.{file_format}",
        mimetype=XLSX_TYPE if file_format == FileFormat.XLSX else CSV_TYPE,
        content=content,
        rows=rows,
    )


def history(limit: int = HISTORY_SHOWN) -> list[tuple[InsightExport, str | None]]:
    """The latest exports, newest first, each with the name of who took it."""
    return list(
        db.session.execute(
            sa.select(InsightExport, User.display_name)
            .outerjoin(User, User.id == InsightExport.by_user_id)
            .where(of_current_tenant(InsightExport))
            .order_by(InsightExport.created_at.desc(), InsightExport.id.desc())
            .limit(limit)
        ).tuples()
    )


def tables_of(kind: str, filter_: Filter, thresholds: Thresholds, language: str) -> list[Table]:
    if kind == ANSWERS:
        return [answers(filter_, thresholds, language)]
    board = dashboard.build(filter_, thresholds, language=language)
    if not board.allowed:
        return [_refused(_("Insights"))]
    names = _Names()
    builders = {
        "volume": lambda: [_volume(board)],
        "themes": lambda: [_themes(board)],
        "trend": lambda: [_trend(board)],
        "heatmap": lambda: [
            _heatmap(
                str(title),
                dashboard.panel("heatmap", filter_, thresholds, dimension, language),
                names,
            )
            for dimension, title in HEATMAPS.items()
        ],
        "turnover": lambda: [_turnover(board, names)],
        "scores": lambda: [_scores(board)],
        "ratings": lambda: [_ratings(board)],
    }
    if kind == DASHBOARD:
        return [table for name in TABLES for table in builders[name]()]
    return builders[kind]()


def _refused(title: str) -> Table:
    """All a refused view exports: the message, and not one figure."""
    return Table(title=title, header=[str(NOT_ENOUGH)], rows=[])


# --- Cells ------------------------------------------------------------------------------


def _cell(value):
    """A figure as a cell: HIDDEN as its message, a share as a percentage."""
    if value is HIDDEN:
        return str(HIDDEN)
    if isinstance(value, Share):
        return round(100 * value.share, 1)
    if isinstance(value, float):
        return round(value, 2)
    return value


def _count(value):
    return str(HIDDEN) if value is HIDDEN else value.count


class _Names:
    """Department, job function and location names by id (the current tenant's)."""

    def __init__(self):
        self._names: dict = {}
        for model in (Department, JobFunction, Location):
            self._names.update(
                db.session.execute(sa.select(model.id, model.name).where(of_current_tenant(model)))
                .tuples()
                .all()
            )

    def __call__(self, key) -> str:
        if key is None:
            return _("Not recorded")
        return self._names.get(key, "")


# --- The dashboard's tables ---------------------------------------------------------------


def _volume(board) -> Table:
    return Table(
        str(KIND_LABELS["volume"]),
        [_("Month"), _("Departures"), _("Responses"), _("Response rate (%)")],
        [
            [f"{row.month:%Y-%m}", row.departures, _cell(row.responses), _percent(row.rate)]
            for row in board.volume
        ],
    )


def _percent(value):
    return str(HIDDEN) if value is HIDDEN else round(100 * value, 1)


def _themes(board) -> Table:
    return Table(
        str(KIND_LABELS["themes"]),
        [
            _("Theme"),
            _("Responses raising it"),
            _("Share (%)"),
            _("Share in the period before (%)"),
        ],
        [
            [theme_label(row.theme), _count(row.share), _cell(row.share), _cell(row.previous)]
            for row in board.themes
        ],
    )


def _grid_rows(grid, column_name, columns=None) -> tuple[list, list]:
    columns = grid.columns if columns is None else columns
    header = [_("Theme"), *(column_name(key) for key in columns)]
    rows = [[_("Responses"), *(_cell(grid.sizes[key]) for key in columns)]]
    rows += [
        [theme_label(theme), *(_cell(grid.cells[(theme, key)]) for key in columns)]
        for theme in grid.themes
    ]
    return header, rows


def _trend(board) -> Table:
    header, rows = _grid_rows(board.trend, str)
    return Table(str(KIND_LABELS["trend"]), header, rows)


def _heatmap(title: str, grid, names) -> Table:
    """A hidden group's name would tell that it exists and is small: hidden departments
    (functions, locations) are not named, only counted in one "other groups" column."""
    shown = [key for key in grid.columns if grid.sizes[key] is not HIDDEN]
    header, rows = _grid_rows(grid, names, shown)
    if len(shown) < len(grid.columns):
        header.append(_("Other groups"))
        for row in rows:
            row.append(str(HIDDEN))
    return Table(title, header, rows)


def _turnover(board, names) -> Table:
    company, departments = board.turnover
    header = [
        _("Department"),
        _("Departures"),
        _("Headcount"),
        _("Annual turnover (%)"),
        _("Times the company's"),
    ]
    rows = [[_("The whole company"), company.departures, company.headcount, _rate(company.rate)]]
    rows += [
        [
            names(row.department_id),
            row.departures,
            row.headcount,
            _rate(row.rate),
            None if row.times(company) is None else round(row.times(company), 2),
        ]
        for row in departments
    ]
    return Table(str(KIND_LABELS["turnover"]), header, rows)


def _rate(rate):
    return None if rate is None else round(100 * rate, 1)


def _scores(board) -> Table:
    scores = board.scores
    return Table(
        str(KIND_LABELS["scores"]),
        [_("Figure"), _("Value")],
        [
            [_("eNPS (−100 to 100)"), _cell(scores.enps)],
            [_("Would come back (%)"), _cell(scores.come_back)],
            [_("Regretted departures"), scores.regretted],
            [_("Departures"), scores.departures],
        ],
    )


def _ratings(board) -> Table:
    header = [_("Question"), _("Answers"), _("Average (1–5)"), *map(str, range(1, 6))]
    rows = []
    for rating in board.ratings:
        hidden = rating.distribution is HIDDEN  # then the count is withheld too
        rows.append(
            [
                board.rating_texts.get(rating.question_key, rating.question_key),
                str(HIDDEN) if hidden else rating.answers,
                _cell(rating.average),
                *([str(HIDDEN)] * 5 if hidden else [rating.distribution[v] for v in range(1, 6)]),
            ]
        )
    return Table(str(KIND_LABELS["ratings"]), header, rows)


# --- The answers --------------------------------------------------------------------------


def answers_period(filter_: Filter) -> Filter:
    """The whole quarters `filter_`'s period touches, for the whole company."""
    first = filter_.first.replace(month=(filter_.first.month - 1) // 3 * 3 + 1)
    last = filter_.last.replace(month=(filter_.last.month - 1) // 3 * 3 + 3)
    return Filter(first=first, last=last)


def answers_refusal(filter_: Filter, thresholds: Thresholds) -> str | None:
    """Why the answers cannot be exported for `filter_`; None when they can."""
    if filter_.narrowed:
        return _(
            "The answers are exported for the whole company only: remove the filter on"
            " department, function, location, length of service or type of exit."
        )
    period = answers_period(filter_)
    if not any(period.first <= first <= period.last for first in _exportable_quarters(thresholds)):
        return _(
            "Not enough responses in this period to export answers with their free text:"
            " a quarter is exported once %(count)s people have responded in it.",
            count=thresholds.quote_k,
        )
    return None


def answers(filter_: Filter, thresholds: Thresholds, language: str) -> Table:
    title = _("Answers")
    refusal = answers_refusal(filter_, thresholds)
    if refusal is not None:
        return Table(title=title, header=[refusal], rows=[])
    period = answers_period(filter_)
    attributes = _shown_attributes(thresholds)
    themes = defaultdict(list)
    for answer_id, theme in db.session.execute(
        sa.select(ThemeTag.answer_id, ThemeTag.theme)
        .where(*period.where(ThemeTag))
        .order_by(ThemeTag.theme)
    ):
        themes[answer_id].append(theme_label(theme))
    questions = _questions(language)
    names = _Names()
    rows = []
    for answer in db.session.scalars(
        sa.select(AnswerInsight)
        .where(*period.where(AnswerInsight))
        .order_by(AnswerInsight.id)  # random ids: an order that says nothing
    ):
        if answer.feedback_id not in attributes:
            continue  # its quarter has too few responses
        quarter, *groups = attributes[answer.feedback_id]
        text, choices, kind = questions.get(answer.question_key, (answer.question_key, {}, None))
        labels = [
            _attribute_label(name, value, names)
            for name, value in zip(ATTRIBUTES[1:], groups, strict=True)
        ]
        rows.append(
            [
                quarter,
                *labels,
                answer.question_key,
                text,
                _answer_cell(answer, choices, kind),
                answer.sentiment,
                "; ".join(themes.get(answer.id, ())),
            ]
        )
    header = [
        _("Quarter"),
        _("Department"),
        _("Job function"),
        _("Location"),
        _("Length of service"),
        _("Type of exit"),
        _("Question key"),
        _("Question"),
        _("Answer"),
        _("Sentiment"),
        _("Themes"),
    ]
    return Table(title, header, rows)


def quarter_of(month: dt.date) -> str:
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


def _quarter_start(month: dt.date) -> dt.date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1)


def _exportable_quarters(thresholds: Thresholds) -> set[dt.date]:
    """The first months of the quarters with at least the quote threshold's responses."""
    counts = Counter()
    for month, count in db.session.execute(
        sa.select(Feedback.month, sa.func.count())
        .where(of_current_tenant(Feedback))
        .group_by(Feedback.month)
    ):
        counts[_quarter_start(month)] += count
    return {quarter for quarter, count in counts.items() if thresholds.quotes_allowed(count)}


def _shown_attributes(thresholds: Thresholds) -> dict:
    """Feedback id → its quarter and attributes, for all the tenant's feedback in quarters
    that may be exported, each attribute HIDDEN where the group it names is too small,
    alone or combined within the quarter (see the module's docstring)."""
    exportable = _exportable_quarters(thresholds)
    columns = [getattr(Feedback, name) for name in ATTRIBUTES[1:]]
    found = {
        feedback_id: (quarter_of(month), *values)
        for feedback_id, month, *values in db.session.execute(
            sa.select(Feedback.id, Feedback.month, *columns).where(of_current_tenant(Feedback))
        )
        if _quarter_start(month) in exportable
    }
    for index in range(1, len(ATTRIBUTES)):
        hidden = thresholds.hidden_groups(Counter(values[index] for values in found.values()))
        for feedback_id, values in found.items():
            if values[index] in hidden:
                found[feedback_id] = (*values[:index], HIDDEN, *values[index + 1 :])
    by_quarter = defaultdict(Counter)
    for values in found.values():
        by_quarter[values[0]][values] += 1
    hidden = set().union(*(thresholds.hidden_groups(sizes) for sizes in by_quarter.values()))
    return {
        feedback_id: (values[0], *(HIDDEN,) * (len(ATTRIBUTES) - 1)) if values in hidden else values
        for feedback_id, values in found.items()
    }


def _attribute_label(name: str, value, names: _Names):
    if value is HIDDEN:
        return str(HIDDEN)
    if name == "tenure_band":
        return str(TENURE_BANDS[value]) if value else _("Not recorded")
    if name == "exit_type":
        return str(EXIT_TYPES[value])
    return names(value)


def _answer_cell(answer: AnswerInsight, choices: dict, kind):
    if answer.text is not None:
        return answer.text
    if answer.choices:
        return "; ".join(choices.get(key, key) for key in answer.choices)
    if kind == QuestionType.YES_NO and answer.number is not None:
        return _("Yes") if answer.number else _("No")
    return answer.number


def _questions(language: str) -> dict:
    """Question key → (its text, its choices' labels, its type), in the reader's language
    when the template has it, from the newest published version that asks it."""
    versions = db.session.scalars(
        sa.select(TemplateVersion)
        .where(of_current_tenant(TemplateVersion), TemplateVersion.published_at.is_not(None))
        .order_by(TemplateVersion.created_at.desc())
    )
    found: dict = {}
    for version in versions:
        for question in from_json(version.document).questions:
            if question.key not in found:
                choices = {choice.key: _in(choice.label, language) for choice in question.choices}
                found[question.key] = (
                    _in(question.text, language) or question.key,
                    choices,
                    question.type,
                )
    return found


def _in(texts, language: str) -> str:
    return texts.get(language) or next(iter(texts.values()), "")
