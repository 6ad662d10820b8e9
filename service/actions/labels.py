"""Translated labels of an action's codes (status, priority, the kinds of its history)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.actions.models import ActionPriority, ActionStatus, EventKind
from service.surveys.themes import THEME_KEYS, theme_label

STATUSES = {
    ActionStatus.OPEN: _l("To do"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.BLOCKED: _l("Blocked"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.CANCELLED: _l("Cancelled"),
}
PRIORITIES = {
    ActionPriority.LOW: _l("Low"),
    ActionPriority.NORMAL: _l("Normal"),
    ActionPriority.HIGH: _l("High"),
}
EVENTS = {
    EventKind.CREATED: _l("created the action"),
    EventKind.EDITED: _l("edited it"),
    EventKind.MOVED: _l("moved it"),
    EventKind.PROGRESS: _l("added progress"),
    EventKind.DONE: _l("closed it as done"),
    EventKind.REOPENED: _l("re-opened it"),
    EventKind.CANCELLED: _l("cancelled it"),
    EventKind.PUBLISHED: _l("published it"),
    EventKind.UNPUBLISHED: _l("withdrew it from publication"),
}
# What the history calls a changed field.
FIELDS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "owner_membership_id": _l("Owner"),
    "due_on": _l("Due date"),
    "priority": _l("Priority"),
    "themes": _l("Themes"),
    "department_ids": _l("Departments"),
    "job_function_ids": _l("Functions"),
    "status": _l("Status"),
    "outcome": _l("Outcome"),
    "progress_percent": _l("Progress"),
    "published": _l("Published"),
    "public_summary": _l("Public summary"),
}
assert set(STATUSES) == set(ActionStatus)
assert set(PRIORITIES) == set(ActionPriority)
assert set(EVENTS) == set(EventKind)

LABELS = {
    "statuses": STATUSES,
    "priorities": PRIORITIES,
    "event_labels": EVENTS,
    "fields": FIELDS,
    "theme_label": theme_label,
}


def card_labels() -> dict:
    """The words of a board card, translated once per page: a board has up to a hundred
    cards, and a translation looked up per card was most of the page's time."""
    return {
        "due": _("Due %(day)s"),
        "overdue": _("Overdue"),
        "progress": _("Progress"),
        "move_to": _("Move to"),
        "statuses": {status: str(label) for status, label in STATUSES.items()},
        "priorities": {
            priority: _("Priority: %(priority)s", priority=label)
            for priority, label in PRIORITIES.items()
        },
        "themes": {key: theme_label(key) for key in THEME_KEYS},
    }
