"""The default theme taxonomy (PRODUCT.md, "Theme taxonomy").

A theme is a recurring reason for leaving. Questions carry a theme hint (the theme they
probe) and the core "reason for leaving" question offers the themes as its choices, so
insights can count answers per theme. The keys are stored in documents and answers: they
are stable and never renamed; labels and descriptions are translated when shown.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class _Theme:
    key: str
    label: LazyString
    description: LazyString


_THEMES = (
    _Theme("compensation", _l("Pay and benefits"), _l("Pay, benefits, bonus")),
    _Theme("management", _l("Management"), _l("Support from the manager, leadership style")),
    _Theme(
        "communication",
        _l("Communication"),
        _l("Unclear or missing information, decisions not explained"),
    ),
    _Theme(
        "culture",
        _l("Company culture"),
        _l("Engagement, connection to the mission, values, atmosphere"),
    ),
    _Theme("growth", _l("Career growth"), _l("Career path, promotion, development")),
    _Theme("recognition", _l("Recognition"), _l("Appreciation, being seen")),
    _Theme(
        "training",
        _l("Training and feedback"),
        _l("Onboarding, training, feedback, upskilling"),
    ),
    _Theme(
        "role_fit",
        _l("Role fit"),
        _l("The job did not match its description or expectations"),
    ),
    _Theme("team", _l("Team"), _l("Colleagues, team dynamics, conflict")),
    _Theme("workload", _l("Workload"), _l("Pressure, staffing, hours, shifts")),
    _Theme("flexibility", _l("Flexibility"), _l("Remote work, schedules, work-life balance")),
    _Theme("conditions", _l("Working conditions"), _l("Workplace, tools, safety, commute")),
    _Theme("other", _l("Other"), _l("Anything the other themes do not cover")),
)
_BY_KEY = {theme.key: theme for theme in _THEMES}

THEME_KEYS: tuple[str, ...] = tuple(theme.key for theme in _THEMES)


def theme_label(key: str) -> str:
    """The theme's name in the current language; an unknown key is shown as it is."""
    theme = _BY_KEY.get(key)
    return str(theme.label) if theme else key


def theme_description(key: str) -> str:
    """What the theme covers, in the current language ("" for an unknown key)."""
    theme = _BY_KEY.get(key)
    return str(theme.description) if theme else ""
