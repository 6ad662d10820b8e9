"""The insights dashboard (/t/<slug>/insights/): every panel of service/insights/dashboard.py
for one filter, each panel also alone for htmx, and the de-identified quotes of a theme.

Every figure arrives here already within the confidentiality thresholds (HIDDEN where it
rests on too few responses): this module only reads the filter from the URL, picks the
panels and names things. The query string is the one of service/insights/filters.py, plus
``dimension`` (department, function or location) for the heat map.
"""

import datetime as dt
import functools
from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_percent
from flask import Response, abort, current_app, g, make_response, request, url_for
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2_fragments.flask import render_block

from service.departures.labels import EXIT_TYPES, TENURE_BANDS
from service.departures.services import structure_choices
from service.insights import dashboard, figures, filters
from service.insights.analysis import tenant_theme_keys
from service.insights.dashboard import Dashboard
from service.insights.detection import NEGATIVE, NEUTRAL, POSITIVE
from service.insights.taxonomy import theme_label
from service.insights.thresholds import HIDDEN, Thresholds
from service.permissions import can, require
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint, tenant_today

bp = tenant_blueprint("insights", __name__, "/insights")

# The heat map's dimension in the URL → the Filter field it groups on, and its name.
DIMENSIONS = {
    "department": ("department_id", _l("Department")),
    "function": ("job_function_id", _l("Function")),
    "location": ("location_id", _l("Location")),
}
DEFAULT_DIMENSION = "department"
SENTIMENTS = {
    POSITIVE: _l("Positive"),
    NEGATIVE: _l("Negative"),
    NEUTRAL: _l("Neutral"),
}
CUSTOM_PERIOD = "custom"


# --- what templates call (Jinja globals: a block rendered alone for htmx sees only those) ---


def theme_name(key: str) -> str:
    """The one call site of a theme's label on these pages."""
    return theme_label(key)


def percent(value, digits: int = 0) -> str:
    """A share as the reader's language writes a percentage. What is shown depends only on
    the share rounded to `digits` (rounded as Babel rounds it), so each such value is
    formatted once per language and digits, not once per cell of a page."""
    if value is HIDDEN or value is None:
        return str(HIDDEN)
    share = getattr(value, "share", value)
    if share < 0:  # Babel writes "-0%" for a share that rounds to nothing from below
        return _percent(str(get_locale()), digits, Decimal(str(share)))
    rounded = Decimal(str(share)).scaleb(2).quantize(Decimal(1).scaleb(-digits)).scaleb(-2)
    return _percent(str(get_locale()), digits, rounded)


@functools.lru_cache(maxsize=4096)
def _percent(language: str, digits: int, share: Decimal) -> str:
    pattern = "#,##0%" if not digits else "#,##0." + "0" * digits + "%"
    return format_percent(share, pattern, locale=language)


def decimal(value, pattern: str = "0.0") -> str:
    return format_decimal(value, pattern)


def month_name(month: dt.date, short: bool = False) -> str:
    return format_date(month, "MMM yy" if short else "MMM yyyy")


def month_labels(rows) -> list[str]:
    return [month_name(row.month, short=True) for row in rows]


def quarter_name(quarter: str) -> str:
    year, _sep, number = quarter.partition("-")
    return f"{number} {year}"


def shade(cell) -> int:
    """A heat map cell's shade, 0–5, by its share (0 for a hidden or empty cell)."""
    if cell is HIDDEN or not cell.base:
        return 0
    return min(5, int(cell.share * 10 + 0.999)) if cell.count else 0


def link(endpoint: str, arguments: dict, **extra) -> str:
    """A URL carrying the dashboard's filter, `extra` overriding (a cell's department).

    The same URL as ``url_for`` gives, built faster: a page links every cell of its heat
    maps (some 800 links), so the path is routed once per request and each link only
    encodes its query as Werkzeug does."""
    values = {**arguments, **{k: v for k, v in extra.items() if v is not None}}
    in_path = _path_arguments(endpoint)
    path_values = tuple((name, values.pop(name)) for name in sorted(in_path) if name in values)
    paths = g.setdefault("insight_paths", {})
    if (endpoint, path_values) not in paths:
        paths[endpoint, path_values] = url_for(endpoint, **dict(path_values))
    path = paths[endpoint, path_values]
    query = "&".join(_pair(name, str(value)) for name, value in values.items())
    return f"{path}?{query}" if query else path


QUERY_SAFE = "!$'()*,/:;?@"  # what Werkzeug leaves unencoded in a query


@functools.lru_cache(maxsize=4096)
def _pair(name: str, value: str) -> str:
    """One "name=value" of a query, encoded as Werkzeug does (the same few names and
    values recur in every link of a page: a filter, a theme, a department)."""
    return urlencode([(name, value)], safe=QUERY_SAFE)


@functools.cache
def _path_arguments(endpoint: str) -> frozenset:
    return frozenset(
        name for rule in current_app.url_map.iter_rules(endpoint) for name in rule.arguments
    )


@bp.record_once
def _template_helpers(state) -> None:
    env = state.app.jinja_env
    env.globals.update(
        theme_name=theme_name,
        insight_link=link,
        insight_percent=percent,
        insight_decimal=decimal,
        insight_month=month_name,
        insight_month_labels=month_labels,
        insight_quarter=quarter_name,
        insight_trend=dashboard.trend_of,
        insight_shade=shade,
        insight_hidden=HIDDEN,
    )
    env.globals["charts"] = env.get_template("insights/charts.html").module
    env.globals["insight_links"] = env.get_template("insights/links.html").module


# --- the filter of the URL --------------------------------------------------------------


def _filter_arguments(args) -> dict[str, str]:
    """The URL's arguments for filters.read. The form sends its months (from, to), its
    period and, as ``shown``, the period it showed: a period just chosen (not the one shown)
    wins over months left in the form; otherwise months win (the period is "custom")."""
    found = {key: value for key, value in args.items() if isinstance(value, str)}
    period = (found.get("period") or "").strip()
    shown = found.pop("shown", None)
    if period and period != CUSTOM_PERIOD and period != shown:
        found.pop("from", None)
        found.pop("to", None)
    elif period == CUSTOM_PERIOD or found.get("from") or found.get("to"):
        found.pop("period", None)
    return found


def _swap(period: str) -> str | None:
    """What of the form an htmx refresh sets right: its months (cleared by a period just
    chosen) or its period (months typed make it "custom")."""
    if not request.headers.get("HX-Request"):
        return None
    months = request.args.get("from") or request.args.get("to")
    if months and period != CUSTOM_PERIOD:
        return "months"
    if months and request.args.get("period") != CUSTOM_PERIOD:
        return "period"
    return None


def _dimension() -> str:
    value = request.args.get("dimension", "")
    return value if value in DIMENSIONS else DEFAULT_DIMENSION


def _reading() -> filters.Reading:
    return filters.read(_filter_arguments(request.args), tenant_today())


def _language() -> str:
    return getattr(get_locale(), "language", "en")


def _context(reading: filters.Reading, dimension: str) -> dict:
    """What every insights page needs beside its figures: names, choices, links."""
    structure = structure_choices()
    names = {
        key: {row.id: row.name for row in structure[plural]}
        for key, plural in (
            ("department", "departments"),
            ("function", "job_functions"),
            ("location", "locations"),
        )
    }
    arguments = filters.arguments(reading.filter)
    read = _filter_arguments(request.args)
    if read.get("from") or read.get("to"):
        period = CUSTOM_PERIOD
    elif read.get("period") in {str(n) for n in filters.PERIODS}:
        period = read["period"]
    else:
        period = str(filters.DEFAULT_PERIOD)
    return {
        "reading": reading,
        "filter": reading.filter,
        "problems": reading.problems,
        "arguments": arguments,
        "dimension": dimension,
        "dimensions": DIMENSIONS,
        "dimension_names": names[dimension],
        "names": names,
        "period": period,
        "swap": _swap(period),
        "periods": filters.PERIODS,
        "tenure_bands": TENURE_BANDS,
        "exit_types": EXIT_TYPES,
        "thresholds": Thresholds.of(current_tenant),
        "may_create_action": can(g.role, "tenant.actions.manage"),
    }


# --- the pages --------------------------------------------------------------------------


@bp.route("/")
@require("tenant.insights.view")
def index():
    reading, dimension = _reading(), _dimension()
    context = _context(reading, dimension)
    # The patterns the page draws read the same counts as its panels: one query each.
    with figures.shared():
        board = dashboard.build(
            reading.filter, context["thresholds"], DIMENSIONS[dimension][0], _language()
        )
        return render("insights/dashboard.html", block="panels", dashboard=board, **context)


@bp.route("/panels/<name>")
@require("tenant.insights.view")
def panel(name: str):
    if name not in dashboard.PANELS:
        abort(404)
    reading, dimension = _reading(), _dimension()
    context = _context(reading, dimension)
    thresholds = context["thresholds"]
    field = DIMENSIONS[dimension][0]
    if not figures.view_allowed(reading.filter, thresholds):
        board = Dashboard(filter=reading.filter, allowed=False, responses=0)
        return _fragment("not_enough", dashboard=board, **context)
    values = {name: dashboard.panel(name, reading.filter, thresholds, field, _language())}
    if name == "ratings":
        values["rating_texts"] = {
            question.key: question.text for question in dashboard.rating_questions(_language())
        }
    board = Dashboard(
        filter=reading.filter,
        allowed=True,
        responses=figures.responses(reading.filter),
        **values,
    )
    return _fragment(f"panel_{name}", dashboard=board, **context)


def _fragment(block: str, **context) -> Response:
    """One block of the dashboard, asked by htmx or not: a panel is never a page."""
    return make_response(render_block("insights/dashboard.html", block, **context))


@bp.route("/quotes")
@require("tenant.insights.view")
def quotes():
    reading, dimension = _reading(), _dimension()
    context = _context(reading, dimension)
    theme = (request.args.get("theme") or "").strip()
    if not theme:
        return render(
            "insights/quotes.html",
            block="quotes",
            status=400,
            theme=None,
            error=_("Choose a theme to read its quotes."),
            **context,
        )
    if theme not in tenant_theme_keys():
        abort(404)
    thresholds = context["thresholds"]
    allowed = figures.view_allowed(reading.filter, thresholds)
    found = figures.quotes(reading.filter, thresholds, theme) if allowed else HIDDEN
    return render(
        "insights/quotes.html",
        block="quotes",
        theme=theme,
        allowed=allowed,
        quotes=found,
        quotes_shown=figures.QUOTES_SHOWN,
        sentiment_names=SENTIMENTS,
        back=url_for("insights.index", **context["arguments"], dimension=dimension),
        **context,
    )
