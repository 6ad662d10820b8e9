"""From insight to action: "Create action" on a theme, a hot spot or a pattern opens the
board's own form, prefilled, with the evidence it will keep shown above it.

    /t/<slug>/insights/new-action?theme=<key>&source=theme|hotspot|pattern
        [&dimension=department|function|location&group=<id>]
        &<the dashboard's filter (service/insights/filters.py)>

The evidence is built from the figures (so within the thresholds) on the GET and built
again from the same arguments on the POST: nothing posted is trusted as evidence.
"""

import calendar
import datetime as dt
from dataclasses import replace

from flask import abort, g, request, url_for
from flask_babel import gettext as _

from service.actions import action_form
from service.actions.evidence import QUOTE_MAX, Evidence
from service.departures.labels import EXIT_TYPES, TENURE_BANDS
from service.insights import figures, filters, patterns
from service.insights.figures import Filter
from service.insights.taxonomy import theme_keys, theme_label
from service.insights.thresholds import Thresholds
from service.permissions import require
from service.scopes import tenant_blueprint, tenant_today
from service.tenancy import get_for_tenant_or_404

bp = tenant_blueprint("insight_actions", __name__, "/insights")

SOURCES = ("theme", "hotspot", "pattern")
QUOTES_KEPT = 3


def _thresholds() -> Thresholds:
    return Thresholds.of(g.tenant)


@bp.app_template_global()
def insight_patterns(filter_: Filter) -> list[patterns.Pattern]:
    """The patterns of a dashboard's filter (templates/insights/_patterns.html)."""
    return patterns.patterns(filter_, _thresholds())


@bp.app_template_global()
def new_action_url(filter_: Filter, source: str, theme=None, dimension=None, group=None) -> str:
    """The "Create action" link of a theme, hot spot or pattern of the filtered view
    (`dimension`: a query argument or the Filter field a pattern names)."""
    if dimension in dict(filters.STRUCTURE.values()):
        dimension = filters.argument_of(dimension)
    extra = {"theme": theme, "source": source, "dimension": dimension, "group": group}
    extra = {key: str(value) for key, value in extra.items() if value is not None}
    return url_for("insight_actions.new", **extra, **filters.arguments(filter_))


def _reading() -> tuple[Filter, str | None, str]:
    """The filter narrowed to the group, the theme, the source and what the links name;
    an unknown theme, source or group (another tenant's) is a 404."""
    args = request.args
    theme = args.get("theme") or None
    if theme is not None and theme not in theme_keys():
        abort(404)
    source = args.get("source") or "theme"
    if source not in SOURCES:
        abort(404)
    filter_ = filters.read(args, tenant_today()).filter
    dimension, group = args.get("dimension"), args.get("group")
    if dimension or group:
        if dimension not in filters.STRUCTURE or not group:
            abort(404)
        field, model = filters.STRUCTURE[dimension]
        filter_ = replace(filter_, **{field: get_for_tenant_or_404(model, group).id})
    return filter_, theme, source


def _named(filter_: Filter) -> dict[str, str]:
    """What the figures were narrowed to, in words, as the evidence keeps it."""
    found = {}
    labels = {"department": _("Department"), "function": _("Function"), "location": _("Location")}
    for argument, (name, model) in filters.STRUCTURE.items():
        value = getattr(filter_, name)
        if value is not None:
            found[labels[argument]] = get_for_tenant_or_404(model, value).name
    if filter_.tenure_band is not None:
        found[_("Tenure")] = str(TENURE_BANDS[filter_.tenure_band])
    if filter_.exit_type is not None:
        found[_("Exit type")] = str(EXIT_TYPES[filter_.exit_type])
    return found


def evidence_of(
    filter_: Filter, theme: str | None, source: str, thresholds: Thresholds
) -> Evidence:
    """The snapshot of the figures behind the action: counts only where the view may be
    shown, quotes only where the quote threshold allows."""
    last_day = calendar.monthrange(filter_.last.year, filter_.last.month)[1]
    evidence = Evidence(
        themes=(theme,) if theme else (),
        filters=_named(filter_),
        period_from=filter_.first,
        period_to=dt.date(filter_.last.year, filter_.last.month, last_day),
        source=f"insights.{source}",
    )
    if not figures.view_allowed(filter_, thresholds):
        return evidence
    answered = figures.responses(filter_)
    counts = {}
    quotes = ()
    if theme:
        share = figures.theme_share(filter_, thresholds, theme).share  # shown: view allowed
        counts[_("Raised %(theme)s", theme=theme_label(theme))] = share.count
        found = (
            figures.quotes(filter_, thresholds, theme)
            if thresholds.quotes_allowed(answered)
            else []
        )
        quotes = tuple(_cut(quote.text) for quote in (found or [])[:QUOTES_KEPT])
    return replace(evidence, respondents=answered, counts=counts, quotes=quotes)


def _cut(text: str) -> str:
    text = text.strip()
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def _title(filter_: Filter, theme: str | None) -> str:
    """ "Act on workload in Kitchen": the theme (or departures) and the group it was found in."""
    subject = theme_label(theme).lower() if theme else _("departures")
    places = [
        get_for_tenant_or_404(model, getattr(filter_, name)).name
        for name, model in filters.STRUCTURE.values()
        if getattr(filter_, name) is not None
    ]
    if places:
        return _("Act on %(subject)s in %(place)s", subject=subject, place=", ".join(places))
    return _("Act on %(subject)s", subject=subject)


def _page() -> dict:
    return {
        "target": request.full_path if request.query_string else request.path,
        "back": (
            url_for(
                "insights.index",
                **filters.arguments(filters.read(request.args, tenant_today()).filter),
            ),
            _("Insights"),
        ),
    }


@bp.get("/new-action")
@require("tenant.actions.manage")
def new():
    filter_, theme, source = _reading()
    evidence = evidence_of(filter_, theme, source, _thresholds())
    form = {
        "title": _title(filter_, theme)[:160],
        "themes": [theme] if theme else [],
        "department_ids": [str(filter_.department_id)] if filter_.department_id else [],
        "job_function_ids": [str(filter_.job_function_id)] if filter_.job_function_id else [],
        "priority": "normal",
    }
    return action_form.form_page(form, {}, evidence=evidence, **_page())


@bp.post("/new-action")
@require("tenant.actions.manage")
def create():
    filter_, theme, source = _reading()
    return action_form.create(evidence_of(filter_, theme, source, _thresholds()), **_page())
