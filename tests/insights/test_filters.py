"""The dashboard filter in a URL: read what is readable, say what was dropped."""

import dataclasses
import datetime as dt
import uuid

import pytest
from flask import current_app
from flask_babel import force_locale

from service.insights import filters
from service.insights.figures import Filter
from service.tenancy import tenant_scope
from tests.factories import make_structure, make_tenant

TODAY = dt.date(2026, 12, 2)
# The last twelve ended months: December, in progress, is never shown.
LAST_12 = Filter(first=dt.date(2025, 12, 1), last=dt.date(2026, 11, 1))
IN_PROGRESS = "The month in progress is shown once it has ended."
NOT_UNDERSTOOD = "The period was not understood; showing the last 12 months."
TOO_LONG = "A period runs forward over at most 60 months; showing the last 12 months."
UNKNOWN = "An unknown filter value was ignored."


@pytest.fixture
def tenants(dialect_app):
    mine, theirs = make_tenant("mine"), make_tenant("theirs")
    return mine, make_structure(mine), make_structure(theirs)


def read(tenant, args: dict) -> filters.Reading:
    with current_app.test_request_context(), force_locale("en"), tenant_scope(tenant.id):
        return filters.read(args, TODAY)


def test_without_arguments_the_last_twelve_months(tenants):
    tenant, _mine, _theirs = tenants
    assert read(tenant, {}) == filters.Reading(LAST_12)
    assert read(tenant, {"period": "3"}).filter == Filter(
        first=dt.date(2026, 9, 1), last=dt.date(2026, 11, 1)
    )
    assert read(tenant, {"from": "2026-05"}).filter == Filter(
        first=dt.date(2026, 5, 1), last=dt.date(2026, 11, 1)
    )


def test_the_month_in_progress_is_never_shown(tenants):
    tenant, _mine, _theirs = tenants
    assert read(tenant, {"from": "2026-06", "to": "2026-12"}) == filters.Reading(
        Filter(first=dt.date(2026, 6, 1), last=dt.date(2026, 11, 1)), (IN_PROGRESS,)
    )
    assert read(tenant, {"from": "2026-12", "to": "2027-03"}).problems == (
        IN_PROGRESS,
        TOO_LONG,
    )


def test_arguments_read_back_into_the_same_filter(tenants):
    tenant, mine, _theirs = tenants
    shown = Filter(
        first=dt.date(2021, 12, 1),
        last=dt.date(2026, 11, 1),  # 60 months, the longest
        department_id=mine["department"].id,
        job_function_id=mine["job_function"].id,
        location_id=mine["location"].id,
        tenure_band="2_5",
        exit_type="involuntary",
    )
    args = filters.arguments(shown)
    assert args == {
        "from": "2021-12",
        "to": "2026-11",
        "department": str(mine["department"].id),
        "function": str(mine["job_function"].id),
        "location": str(mine["location"].id),
        "tenure": "2_5",
        "exit": "involuntary",
    }
    assert read(tenant, args) == filters.Reading(shown)
    plain = Filter(first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 1))
    assert filters.arguments(plain) == {"from": "2026-03", "to": "2026-03"}
    assert read(tenant, filters.arguments(plain)) == filters.Reading(plain)


@pytest.mark.parametrize(
    "args",
    [
        {"from": "2026-13"},
        {"from": "2026-1-5"},
        {"to": "december"},
        {"from": "0001-01", "to": "0001-12"},  # a period before it would be year 0
        {"from": "9999-01", "to": "9999-12"},  # the month after it would be year 10000
        {"period": "7"},
        {"period": "-3"},
    ],
)
def test_a_period_not_understood_shows_the_last_twelve_months(tenants, args):
    tenant, _mine, _theirs = tenants
    assert read(tenant, args) == filters.Reading(LAST_12, (NOT_UNDERSTOOD,))


@pytest.mark.parametrize(
    "args",
    [
        {"from": "2021-11", "to": "2026-11"},  # 61 months
        {"from": "2026-06", "to": "2026-05"},  # backwards
    ],
)
def test_too_long_or_backward_a_period_shows_the_last_twelve_months(tenants, args):
    tenant, _mine, _theirs = tenants
    assert read(tenant, args) == filters.Reading(LAST_12, (TOO_LONG,))


@pytest.mark.parametrize(
    "args",
    [
        {"tenure": "3_4"},
        {"exit": "fired"},
        {"department": "not-an-id"},
        {"location": str(uuid.uuid4())},
        {"tenure": "ever", "exit": "fired"},  # one message for both
    ],
)
def test_unknown_values_are_dropped_with_one_message(tenants, args):
    tenant, _mine, _theirs = tenants
    assert read(tenant, args) == filters.Reading(LAST_12, (UNKNOWN,))


def test_another_tenants_department_is_ignored(tenants):
    tenant, mine, theirs = tenants
    reading = read(
        tenant,
        {
            "department": str(theirs["department"].id),
            "function": str(theirs["job_function"].id),
            "location": str(mine["location"].id),
        },
    )
    assert reading.filter == dataclasses.replace(LAST_12, location_id=mine["location"].id)
    assert reading.problems == (UNKNOWN,)
