"""Patterns that need attention: each sentence appears just past its limits, never from a
group under k, with the numbers in the reader's language."""

import dataclasses
import datetime as dt
import re
from types import SimpleNamespace

from flask import g, render_template_string
from flask_babel import force_locale

from service.insights.figures import Filter
from service.insights.patterns import patterns
from service.insights.thresholds import Thresholds
from service.tenancy import tenant_scope
from tests.conftest import login
from tests.factories import make_department, make_departure, make_tenant
from tests.insights.rows import add_feedback

NOW = Filter(first=dt.date(2026, 7, 1), last=dt.date(2026, 9, 1))
BEFORE = dt.date(2026, 5, 1)
K5 = Thresholds(k=5, quote_k=10)


def _setup():
    tenant = make_tenant("acme")
    it = make_department(tenant, "IT")
    sales = make_department(tenant, "Sales")
    return tenant, it, sales


def _found(app, tenant, language="en"):
    """The patterns, each with its sentence as worded in `language` (a pattern words itself
    when read, in the language of that moment)."""
    with tenant_scope(tenant.id), app.test_request_context(), force_locale(language):
        return [
            SimpleNamespace(**dataclasses.asdict(pattern), sentence=pattern.sentence)
            for pattern in patterns(NOW, K5)
        ]


def _rise(tenant, department, now: tuple[int, int], before: tuple[int, int]):
    add_feedback(tenant.id, NOW.first, now[0], {"growth": now[1]}, department_id=department.id)
    add_feedback(tenant.id, BEFORE, before[0], {"growth": before[1]}, department_id=department.id)


def _kinds(found):
    return [(pattern.kind, pattern.theme) for pattern in found]


def test_a_sharp_rise_in_a_department_is_a_pattern(dialect_app):
    tenant, it, sales = _setup()
    _rise(tenant, it, (10, 4), (10, 1))
    _rise(tenant, sales, (10, 1), (10, 1))
    found = _found(dialect_app, tenant)
    assert _kinds(found) == [("rise", "growth")]
    rise = found[0]
    assert rise.sentence == (
        "Career growth raised in 40% of exits in IT, up from 10% in the period before."
    )
    assert (rise.dimension, rise.group_id) == ("department_id", it.id)
    assert rise.figures["count"] == 4
    assert rise.figures["responses"] == 10


def test_a_rise_of_other_reasons_is_no_pattern(dialect_app):
    tenant, it, sales = _setup()
    add_feedback(tenant.id, NOW.first, 10, {"other": 4}, department_id=it.id)
    add_feedback(tenant.id, BEFORE, 10, {"other": 0}, department_id=it.id)
    add_feedback(tenant.id, NOW.first, 10, {"other": 1}, department_id=sales.id)
    add_feedback(tenant.id, BEFORE, 10, {"other": 1}, department_id=sales.id)
    assert _kinds(_found(dialect_app, tenant)) == []


def test_the_numbers_read_in_the_readers_language(dialect_app):
    tenant, it, sales = _setup()
    _rise(tenant, it, (10, 4), (10, 1))
    _rise(tenant, sales, (10, 1), (10, 1))
    (rise,) = _found(dialect_app, tenant, "fr")
    assert "40\u00a0%" in rise.sentence
    assert "10\u00a0%" in rise.sentence


def test_a_rise_under_15_points_or_under_one_and_a_half_times_is_none(dialect_app):
    tenant, it, sales = _setup()
    _rise(tenant, it, (10, 3), (10, 2))  # +10 points
    _rise(tenant, sales, (10, 9), (10, 7))  # +20 points, but 1.29×
    assert _found(dialect_app, tenant) == []


def test_just_past_both_limits_is_a_pattern(dialect_app):
    tenant, it, sales = _setup()
    _rise(tenant, it, (20, 6), (20, 3))  # 30% from 15%: +15 points, 2×
    _rise(tenant, sales, (10, 1), (10, 1))
    assert _kinds(_found(dialect_app, tenant)) == [("rise", "growth")]


def test_no_pattern_from_a_group_under_k(dialect_app):
    tenant, it, sales = _setup()
    _rise(tenant, it, (4, 4), (10, 0))  # 100% from 0%, but 4 responses
    _rise(tenant, sales, (10, 1), (10, 1))
    assert _found(dialect_app, tenant) == []


def test_no_rise_when_the_period_before_has_too_few_responses(dialect_app):
    tenant, it, sales = _setup()
    _rise(tenant, it, (10, 4), (4, 0))
    add_feedback(tenant.id, NOW.first, 10, department_id=sales.id)
    assert _found(dialect_app, tenant) == []


def test_role_fit_in_a_function_asks_for_its_job_description(dialect_app):
    tenant, it, _sales = _setup()
    from service.extensions import db
    from service.tenants.models import JobFunction

    with tenant_scope(tenant.id):
        developer, tester = JobFunction(name="Developer"), JobFunction(name="Tester")
        db.session.add_all([developer, tester])
        db.session.commit()
        developer_id, tester_id = developer.id, tester.id
    for month in (NOW.first, BEFORE):  # the same share before: no rise
        add_feedback(tenant.id, month, 10, {"role_fit": 3}, job_function_id=developer_id)
        add_feedback(tenant.id, month, 10, {"role_fit": 2}, job_function_id=tester_id)
    found = _found(dialect_app, tenant)
    assert _kinds(found) == [("role_fit", "role_fit")]
    assert found[0].group_id == developer_id
    assert found[0].sentence == (
        "30% of leavers in Developer say the role was not what they expected: review the "
        "job description and vacancy text for Developer."
    )


def test_attrition_far_above_the_company_rate_is_a_pattern(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales", headcounts=((dt.date(2025, 1, 1), 10),))
    it = make_department(tenant, "IT", headcounts=((dt.date(2025, 1, 1), 30),))
    add_feedback(tenant.id, NOW.first, 10, department_id=it.id)
    for index in range(4):
        make_departure(
            tenant, f"Sales {index}", last_day=dt.date(2026, 8, 10), department_id=sales.id
        )
    for index in range(2):
        make_departure(tenant, f"IT {index}", last_day=dt.date(2026, 8, 10), department_id=it.id)
    found = _found(dialect_app, tenant)
    assert _kinds(found) == [("turnover", None)]
    assert found[0].group_id == sales.id
    assert found[0].sentence == "Attrition in Sales is 2.7× the company rate (4 departures)."
    with tenant_scope(tenant.id), dialect_app.test_request_context(), force_locale("nl"):
        assert "2,7×" in patterns(NOW, K5)[0].sentence


def test_attrition_on_too_few_departures_is_none(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales", headcounts=((dt.date(2025, 1, 1), 10),))
    make_department(tenant, "IT", headcounts=((dt.date(2025, 1, 1), 90),))
    add_feedback(tenant.id, NOW.first, 10, department_id=sales.id)
    for index in range(2):
        make_departure(
            tenant, f"Sales {index}", last_day=dt.date(2026, 8, 10), department_id=sales.id
        )
    assert _found(dialect_app, tenant) == []


def test_nothing_when_the_view_itself_is_too_small(dialect_app):
    tenant, it, _sales = _setup()
    _rise(tenant, it, (4, 4), (10, 0))
    assert _found(dialect_app, tenant) == []


def _partial(app, tenant, role):
    with (
        tenant_scope(tenant.id),
        app.test_request_context("/t/tenant-a/", headers={"Accept-Language": "en"}),
    ):
        g.tenant, g.role = tenant, role
        return render_template_string(
            '{% include "insights/_patterns.html" ignore missing %}', filter=NOW, dashboard=None
        )


def test_the_partial_shows_each_pattern_with_its_create_action_link(app, world):
    tenant, department = world.a.tenant, world.a.objects["department"]
    other = make_department(tenant, "IT")
    _rise(tenant, department, (10, 4), (10, 1))
    _rise(tenant, other, (10, 1), (10, 1))
    html = _partial(app, tenant, "hr")
    assert "Patterns that need attention" in html
    assert "Career growth raised in 40% of exits in Sales tenant-a" in html
    link = re.search(r'href="([^"]+)">Create action<', html).group(1).replace("&amp;", "&")
    assert link.startswith("/t/tenant-a/insights/new-action?")
    assert f"group={department.id}" in link
    assert "theme=growth" in link
    assert "source=pattern" in link
    assert "from=2026-07" in link
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "hr@a.example")
    form = client.get(link).get_data(as_text=True)
    assert 'value="Act on career growth in Sales tenant-a"' in form
    assert "<dt>Raised Career growth</dt><dd>4</dd>" in form
    assert "Create action" not in _partial(app, tenant, "leadership")


def test_the_partial_is_empty_without_patterns(app, world):
    assert "Patterns that need attention" not in _partial(app, world.a.tenant, "hr")
