"""How a report reads: its content (service/reports/content.py) worded in the language of the
moment, for every form it takes — the email's HTML and text parts, the printable page and
the PDF. One place, so the four say the same words and show the same figures.

Nothing is computed again here: values are formatted, and a change is the difference of the
two figures as they are shown (shares in whole percentage points). A hidden figure (None in
the content) reads "Not enough responses to show", the dashboard's own words.

Templates call ``report_reading(content)`` (a Jinja global, registered by pdf_views).
"""

import base64
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_interval
from flask import current_app, g, render_template
from flask_babel import (
    force_locale,
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    ngettext,
)
from flask_babel import gettext as _

from service import pdf
from service.agencies.brand import brand_of, logo_of
from service.extensions import db
from service.insights.taxonomy import theme_label
from service.insights.thresholds import NOT_ENOUGH
from service.reports import content as report_content
from service.tenancy import current_tenant_id
from service.tenants.models import Tenant

MONTH = "MMMM y"  # "November 2026", "november 2026", "novembre 2026"
DAY = "d MMMM y"  # "3 November 2026"
ARROWS = {"up": "▲", "down": "▼", "steady": "▶"}
# (key, kind, which way is good): kinds "count", "share" (0–1), "score" (eNPS, −100…100).
FIGURES = (
    ("departures", "count", "down"),
    ("response_rate", "share", "up"),
    ("enps", "score", "up"),
    ("regretted", "count", "down"),
    ("responses", "count", None),
    ("come_back", "share", "up"),
)
LISTS = ("overdue", "on_track", "done", "new")


@dataclass(frozen=True)
class Change:
    direction: str  # "up", "down", "steady"
    arrow: str  # ▲ ▼ ▶ (decoration: `amount` and `was` say it in words)
    amount: str  # the signed difference: "+3", "−5 pp"
    was: str  # the figure of the period before, formatted
    tone: str  # "good", "bad" or "neutral" (colour only)
    words: str  # "+3, was 11"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str  # formatted, or NOT_ENOUGH
    shown: bool
    change: Change | None  # None: no comparison (either side hidden)


@dataclass(frozen=True)
class Theme:
    name: str
    share: str
    width: int  # the share in whole percent, for a bar
    fraction: float
    direction: str | None
    arrow: str
    trend: str  # in words, with the share before


@dataclass(frozen=True)
class ActionLine:
    title: str
    details: list[str]  # owner, due date, progress …
    outcome: str | None


@dataclass(frozen=True)
class ActionList:
    key: str
    heading: str
    count: int
    items: list[ActionLine]
    more: str | None  # "and 3 more" when the list was cut


@dataclass(frozen=True)
class Side:
    share: str
    responses: str  # "12 responses"
    months: str  # "May – October 2026"


@dataclass(frozen=True)
class Result:
    title: str
    theme: str
    before: Side
    after: Side
    direction: str | None
    arrow: str


@dataclass(frozen=True)
class Reading:
    company: str
    title: str  # "Monthly report, November 2026"
    subject: str
    months: str  # the months the figures cover
    compared: str  # "Figures for November 2026, compared with October 2026."
    action_period: str | None  # a week's actions cover the week, not the figures' month
    shown: bool  # the figures rest on enough responses
    not_enough: str
    threshold: str  # the rule, with k
    figures: list[Figure]
    themes: list[Theme]
    hot_spots: list[str]
    actions: list[ActionList]
    did_it_work: list[Result]


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def months_name(months: dict) -> str:
    """ "November 2026", or "September – November 2026"."""
    first, last = _date(months["first"]), _date(months["last"])
    if first == last:
        return format_date(first, MONTH)
    return format_interval(first, last, "yMMMM", locale=get_locale())


def days_name(start: dt.date, end: dt.date) -> str:
    """ "23–29 November 2026", "30 November – 6 December 2026" (months in full)."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, DAY)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM')} – {format_date(end, DAY)}"
    return f"{format_date(start, DAY)} – {format_date(end, DAY)}"


def title(content: dict) -> str:
    period = content["period"]
    start, end = _date(period["start"]), _date(period["end"])
    if content["cadence"] == "weekly":
        week = start.isocalendar()[1]
        return _("Week %(week)s, %(days)s", week=week, days=days_name(start, end))
    if content["cadence"] == "quarterly":
        quarter = _("Q%(number)s %(year)s", number=(start.month - 1) // 3 + 1, year=start.year)
        return _("Quarterly report, %(quarter)s", quarter=quarter)
    return _("Monthly report, %(month)s", month=format_date(start, MONTH))


def percent(value: float | None) -> str:
    return str(NOT_ENOUGH) if value is None else format_percent(value)  # "62%", "62 %"


def signed(value: int) -> str:
    return format_decimal(value, "+#,##0;−#,##0")


def _formatted(value, kind: str) -> str:
    if value is None:
        return str(NOT_ENOUGH)
    if kind == "share":
        return percent(value)
    if kind == "score":
        return signed(value)
    return format_decimal(value)


def _change(now, before, kind: str, good: str | None) -> Change | None:
    if now is None or before is None:
        return None
    if kind == "share":  # in whole points, as the two percentages read
        difference = round(now * 100) - round(before * 100)
        amount = _("%(points)s pp", points=signed(difference))
    else:
        difference = now - before
        amount = signed(difference)
    direction = "up" if difference > 0 else "down" if difference < 0 else "steady"
    if good is None or direction == "steady":
        tone = "neutral"
    else:
        tone = "good" if direction == good else "bad"
    was = _formatted(before, kind)
    words = _("%(change)s, was %(before)s", change=amount, before=was)
    return Change(direction, ARROWS[direction], amount, was, tone, words)


def _labels() -> dict[str, str]:
    return {
        "departures": _("Departures"),
        "response_rate": _("Response rate"),
        "enps": _("eNPS"),
        "regretted": _("Regretted losses"),
        "responses": _("Responses"),
        "come_back": _("Would come back"),
    }


def _figures(key_figures: dict) -> list[Figure]:
    labels = _labels()
    found = []
    for key, kind, good in FIGURES:
        pair = key_figures[key]
        found.append(
            Figure(
                key,
                labels[key],
                _formatted(pair["now"], kind),
                pair["now"] is not None,
                _change(pair["now"], pair["before"], kind, good),
            )
        )
    return found


def _theme(data: dict) -> Theme:
    share, before, direction = data["share"], data["previous"], data["trend"]
    was = percent(before)
    trend = {
        "up": lambda: _("up from %(share)s", share=was),
        "down": lambda: _("down from %(share)s", share=was),
        "steady": lambda: _("about the same (%(share)s)", share=was),
    }.get(direction, lambda: _("no comparison"))()
    return Theme(
        theme_label(data["theme"]),
        percent(share),
        max(0, min(100, round(share * 100))),
        share,
        direction,
        ARROWS.get(direction, ""),
        trend,
    )


def _action(key: str, item: dict) -> ActionLine:
    details = [item["owner"]] if item["owner"] else []
    if key != "done":
        details.append(_("due %(date)s", date=format_date(_date(item["due_on"]), DAY)))
        if item["progress"] is not None and key != "new":
            details.append(_("%(percent)s done", percent=percent(item["progress"] / 100)))
    outcome = item["outcome"] if key == "done" and item["outcome"] else None
    return ActionLine(item["title"], details, outcome)


def _actions(actions: dict) -> list[ActionList]:
    headings = {
        "overdue": _("Overdue"),
        "on_track": _("On track"),
        "done": _("Done this period"),
        "new": _("New this period"),
    }
    found = []
    for key in LISTS:
        listed = actions[key]
        rest = listed["count"] - len(listed["items"])
        found.append(
            ActionList(
                key,
                headings[key],
                listed["count"],
                [_action(key, item) for item in listed["items"]],
                _("and %(num)s more", num=rest) if rest > 0 else None,
            )
        )
    return found


def _side(side: dict) -> Side:
    return Side(
        percent(side["share"]),
        ngettext("%(num)s response", "%(num)s responses", side["responses"]),
        months_name(side),
    )


def _result(data: dict) -> Result:
    before, after = data["before"]["share"], data["after"]["share"]
    direction = None
    if before is not None and after is not None:
        difference = round(after * 100) - round(before * 100)
        direction = "up" if difference > 0 else "down" if difference < 0 else "steady"
    return Result(
        data["title"],
        theme_label(data["theme"]),
        _side(data["before"]),
        _side(data["after"]),
        direction,
        ARROWS.get(direction, ""),
    )


def read(content: dict) -> Reading:
    """The report's content in words, in the current language (templates' entry point).

    Worded once per content and language within an application context (a request, a
    job): a report's email reads it for its subject, its text and its HTML, to every
    recipient of that language."""
    key = (id(content), str(get_locale()))
    readings = g.setdefault("report_readings", {})
    if key not in readings or readings[key][0] is not content:
        readings[key] = (content, _read(content))
    return readings[key][1]


def _read(content: dict) -> Reading:
    months = months_name(content["months"])
    heading = title(content)
    action_period = None
    if content["cadence"] == "weekly":
        period = content["period"]
        action_period = days_name(_date(period["start"]), _date(period["end"]))
    return Reading(
        company=content["company"],
        title=heading,
        subject=_(
            "%(company)s exit feedback: %(title)s", company=content["company"], title=heading
        ),
        months=months,
        compared=_(
            "Figures for %(months)s, compared with %(before)s.",
            months=months,
            before=months_name(content["previous_months"]),
        ),
        action_period=action_period,
        shown=bool(content["shown"]),
        not_enough=str(NOT_ENOUGH),
        threshold=_(
            "A figure resting on fewer than %(k)s responses is not shown, so no leaver can "
            "be recognised.",
            k=content["k"],
        ),
        figures=_figures(content["key_figures"]),
        themes=[_theme(theme) for theme in content["themes"]],
        hot_spots=[report_content.as_pattern(spot).sentence for spot in content["hot_spots"]],
        actions=_actions(content["actions"]),
        did_it_work=[_result(result) for result in content["did_it_work"]],
    )


# --- the PDF: the page's figures and stylesheet on A4 (the download and the attachment) ---


class _ScreenOnlyCss(logging.Filter):
    """The PDF reads the page's whole stylesheet; WeasyPrint warns about each rule of it
    that it does not support (SVG fills of the dashboard's charts, sticky columns, media
    features): expected, and some sixty lines per PDF, so not logged."""

    SKIPPED = ("Ignored `", "Expected a media type", "Invalid media type")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.SKIPPED)


logging.getLogger("weasyprint").addFilter(_ScreenOnlyCss())


def pdf_name(content: dict) -> str:
    return f"report-{content['period']['key']}.pdf"


def pdf_of(content: dict, language: str, report=None) -> bytes:
    """The current tenant's report as an A4 PDF in ``language``, branded with its agency's
    name, colour and logo. Raises service.pdf.PdfUnavailable without WeasyPrint."""
    tenant = db.session.get(Tenant, current_tenant_id())
    brand = brand_of(tenant.agency_id) if tenant.agency_id else None
    logo = None
    if brand is not None and brand.has_logo:
        data, mime_type = logo_of(tenant.agency_id)
        logo = f"data:{mime_type};base64,{base64.b64encode(data).decode()}"
    stylesheet = Path(current_app.static_folder, "css", "app.css").read_text(encoding="utf-8")
    with force_locale(f"{language}_BE"):
        html = render_template(
            "pdf/report.html",
            content=content,
            report=report,
            language=language,
            brand=brand,
            logo=logo,
            stylesheet=stylesheet,
        )
    return pdf.html_to_pdf(html)
