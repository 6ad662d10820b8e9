"""How long each kind of a tenant's data is kept: the settings, their units and bounds.

One list, read by the form, its schema, the daily job and the data page (so the page says
what the job does). The bounds are the database's too (tenants.*_range CHECKs, migration
0022_retention keeps its own copy).
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from service.validation import N_

MONTHS, DAYS = "months", "days"


@dataclass(frozen=True)
class Limit:
    column: str  # on tenants
    unit: str  # MONTHS or DAYS
    default: int
    lowest: int
    highest: int
    label: LazyString  # the form's label
    counted_from: LazyString  # when the time starts, in the reader's words
    out_of_range: str  # the form's message (an N_ msgid: marshmallow takes plain strings)


LIMITS = (
    # Two years after the last day covers a dispute about the departure (a claim, a
    # reference) without keeping the person for good; at least six months.
    Limit(
        "departure_retention_months",
        MONTHS,
        24,
        6,
        120,
        _l("Identified departure data"),
        _l("after the last working day"),
        N_("Choose from 6 to 120 months."),
    ),
    Limit(
        "interview_retention_months",
        MONTHS,
        24,
        6,
        120,
        _l("Interview answers and notes"),
        _l("after the interview"),
        N_("Choose from 6 to 120 months."),
    ),
    # Confidential answers name nobody; three years of them show a trend.
    Limit(
        "confidential_retention_months",
        MONTHS,
        36,
        12,
        120,
        _l("Confidential survey answers"),
        _l("after the month they came in"),
        N_("Choose from 12 to 120 months."),
    ),
    # Long enough to answer "did my invitation go out?", short enough to hold few addresses.
    Limit(
        "outbox_retention_days",
        DAYS,
        90,
        30,
        730,
        _l("Emails sent by Exitloop"),
        _l("after they were written"),
        N_("Choose from 30 to 730 days."),
    ),
)

BY_COLUMN = {limit.column: limit for limit in LIMITS}

# The audit trail's own retention is set on the tenant settings form (service/tenants/);
# the data page shows it beside the others.
AUDIT = Limit(
    "audit_retention_days",
    DAYS,
    730,
    365,
    3650,
    _l("Audit trail"),
    _l("after the entry was written"),
    N_("Choose from 365 to 3650 days."),
)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
