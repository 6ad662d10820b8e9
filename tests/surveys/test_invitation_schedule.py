"""The invitation schedule: first mail, reminder cadence and expiry as pure rules."""

import datetime as dt

from service.surveys.invitation_schedule import (
    Cadence,
    Step,
    expires_at,
    first_mail_at,
    first_mail_day,
    next_step,
    reminder_times,
)

CADENCE = Cadence(days_before=3, reminder_days=(3, 7), expiry_days=21)
SENT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _next(now, *, sent=True, reminders_sent=0, cadence=CADENCE):
    return next_step(
        sent=sent,
        scheduled_for=dt.date(2026, 3, 2),
        first_sent_at=SENT if sent else None,
        reminders_sent=reminders_sent,
        cadence=cadence,
        now=now,
    )


def test_the_first_mail_goes_out_n_days_before_the_last_day_in_the_local_morning():
    assert first_mail_day(dt.date(2026, 3, 31), CADENCE) == dt.date(2026, 3, 28)
    # 09:00 in Brussels is 08:00 UTC in winter, 07:00 UTC in summer.
    assert first_mail_at(dt.date(2026, 3, 2), CADENCE) == dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    assert first_mail_at(dt.date(2026, 7, 2), CADENCE) == dt.datetime(2026, 7, 2, 7, tzinfo=dt.UTC)


def test_a_last_day_in_the_past_makes_the_first_mail_due_at_once():
    now = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    scheduled_for = first_mail_day(dt.date(2026, 4, 1), CADENCE)
    due = next_step(
        sent=False,
        scheduled_for=scheduled_for,
        first_sent_at=None,
        reminders_sent=0,
        cadence=CADENCE,
        now=now,
    )
    assert due.step == Step.FIRST_MAIL
    assert due.at <= now


def test_reminders_follow_the_cadence_then_the_link_expires():
    day = dt.timedelta(days=1)
    assert reminder_times(SENT, CADENCE) == [SENT + 3 * day, SENT + 7 * day]
    assert expires_at(SENT, CADENCE) == SENT + 21 * day

    first = _next(SENT + day)
    assert (first.step, first.at, first.reminders_after) == (Step.REMINDER, SENT + 3 * day, 1)
    second = _next(SENT + 3 * day, reminders_sent=1)
    assert (second.step, second.at, second.reminders_after) == (Step.REMINDER, SENT + 7 * day, 2)
    done = _next(SENT + 8 * day, reminders_sent=2)
    assert (done.step, done.at) == (Step.EXPIRE, SENT + 21 * day)


def test_overdue_reminders_fold_into_one_mail():
    due = _next(SENT + dt.timedelta(days=10))
    assert due.step == Step.REMINDER
    assert due.reminders_after == 2  # one mail, and the 3-day reminder is not sent late


def test_past_expiry_expires_even_with_reminders_left():
    assert _next(SENT + dt.timedelta(days=30)).step == Step.EXPIRE


def test_reminders_after_expiry_are_never_planned():
    short = Cadence(days_before=0, reminder_days=(3, 30), expiry_days=21)
    assert reminder_times(SENT, short) == [SENT + dt.timedelta(days=3)]
    assert _next(SENT + dt.timedelta(days=4), reminders_sent=1, cadence=short).step == Step.EXPIRE
