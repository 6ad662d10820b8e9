"""When an invitation's next mail or its expiry is due: pure functions of dates and the
tenant's settings, so the rules are tested without a database or a clock.

The first mail goes out N days before the last working day (at once when that day is past),
reminders follow a cadence of days after the first mail, and the link expires a number of
days after the first mail. Mails leave in the morning of the tenant's time zone, not at
midnight.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SEND_HOUR = 9  # local time at which a scheduled first mail becomes due


class Step(enum.StrEnum):
    FIRST_MAIL = "first_mail"
    REMINDER = "reminder"
    EXPIRE = "expire"


@dataclass(frozen=True)
class Cadence:
    """A tenant's invitation settings."""

    days_before: int
    reminder_days: tuple[int, ...]
    expiry_days: int
    time_zone: str = "Europe/Brussels"


@dataclass(frozen=True)
class Due:
    step: Step
    at: dt.datetime
    # For a reminder: how many reminders will have been sent once it is (overdue ones are
    # folded into one mail, never sent in a burst).
    reminders_after: int = 0


def first_mail_day(last_day: dt.date, cadence: Cadence) -> dt.date:
    return last_day - dt.timedelta(days=cadence.days_before)


def first_mail_at(scheduled_for: dt.date, cadence: Cadence) -> dt.datetime:
    local = dt.datetime.combine(scheduled_for, dt.time(SEND_HOUR), ZoneInfo(cadence.time_zone))
    return local.astimezone(dt.UTC)


def expires_at(first_sent_at: dt.datetime, cadence: Cadence) -> dt.datetime:
    return first_sent_at + dt.timedelta(days=cadence.expiry_days)


def reminder_times(first_sent_at: dt.datetime, cadence: Cadence) -> list[dt.datetime]:
    """The moments of the reminders that fall before expiry, in order."""
    expiry = expires_at(first_sent_at, cadence)
    times = (first_sent_at + dt.timedelta(days=days) for days in cadence.reminder_days)
    return [at for at in times if at < expiry]


def next_step(
    *,
    sent: bool,
    scheduled_for: dt.date,
    first_sent_at: dt.datetime | None,
    reminders_sent: int,
    cadence: Cadence,
    now: dt.datetime,
    expiry: dt.datetime | None = None,
) -> Due:
    """The next step of a running invitation (due or not: compare ``at`` with now).
    ``expiry``: the one announced in the mail, which a later change of the settings leaves
    alone (the reminder days apply as they are now, before it)."""
    if not sent or first_sent_at is None:
        return Due(Step.FIRST_MAIL, first_mail_at(scheduled_for, cadence))
    expiry = expiry or expires_at(first_sent_at, cadence)
    if now >= expiry:
        return Due(Step.EXPIRE, expiry)
    times = (first_sent_at + dt.timedelta(days=days) for days in cadence.reminder_days)
    pending = [at for at in times if at < expiry][reminders_sent:]
    if not pending:
        return Due(Step.EXPIRE, expiry)
    overdue = sum(1 for at in pending if at <= now)
    return Due(Step.REMINDER, pending[0], reminders_after=reminders_sent + max(overdue, 1))
