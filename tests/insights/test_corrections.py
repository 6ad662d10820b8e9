"""HR's corrections: they win, at once on the answer and after every reading again."""

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.insights import corrections
from service.insights.models import Origin, ThemeCorrection, Verdict
from service.refusals import Refused
from service.tenancy import tenant_scope
from tests.factories import make_tenant_theme
from tests.insights.helpers import free_text_version, read_month, respond, themes_of

WORKLOAD = "De werkdruk was niet meer te doen, elke week overuren."


@pytest.fixture
def answered(world):
    tenant = world.a.tenant
    version = free_text_version(tenant)
    return tenant, respond(tenant, version, WORKLOAD), world.a.users["hr"].id


def _correct(tenant, response, theme, verdict, user_id, key="why"):
    with tenant_scope(tenant.id):
        answer = corrections.answer_or_404(response.id, key)
        corrections.correct(answer, theme, verdict, user_id)


def test_detection_tags_the_answer_with_why(answered):
    tenant, response, _user = answered
    tag = themes_of(tenant, response)["workload"]
    assert tag.origin == Origin.DETECTED
    assert "werkdruk" in tag.why
    assert not tag.confirmed


@pytest.mark.parametrize("again", [True, False])
def test_a_removed_tag_stays_removed_after_reading_again(answered, again):
    tenant, response, user = answered
    _correct(tenant, response, "workload", Verdict.REMOVE, user)
    assert "workload" not in themes_of(tenant, response)
    read_month(tenant, again=again)
    assert "workload" not in themes_of(tenant, response)


@pytest.mark.parametrize("again", [True, False])
def test_an_added_theme_appears_and_survives_reading_again(answered, again):
    tenant, response, user = answered
    _correct(tenant, response, "management", Verdict.ADD, user)
    tag = themes_of(tenant, response)["management"]
    assert (tag.origin, tag.confirmed) == (Origin.HR, True)
    read_month(tenant, again=again)
    assert themes_of(tenant, response)["management"].origin == Origin.HR
    assert "workload" in themes_of(tenant, response)  # the rest of the answer is untouched


def test_a_confirmed_tag_keeps_its_why_and_stays_confirmed(answered):
    tenant, response, user = answered
    _correct(tenant, response, "workload", Verdict.CONFIRM, user)
    read_month(tenant)
    tag = themes_of(tenant, response)["workload"]
    assert (tag.confirmed, tag.origin) == (True, Origin.DETECTED)
    assert "werkdruk" in tag.why


def test_the_last_verdict_wins_and_is_remembered_once(answered):
    tenant, response, user = answered
    _correct(tenant, response, "workload", Verdict.REMOVE, user)
    _correct(tenant, response, "workload", Verdict.ADD, user)
    assert themes_of(tenant, response)["workload"].confirmed
    with tenant_scope(tenant.id):
        rows = db.session.scalars(sa.select(ThemeCorrection)).all()
    assert [(row.theme, row.verdict, row.by_user_id) for row in rows] == [
        ("workload", Verdict.ADD, user)
    ]


def test_removing_a_theme_the_answer_lacks_is_harmless(answered):
    tenant, response, user = answered
    before = set(themes_of(tenant, response))
    _correct(tenant, response, "team", Verdict.REMOVE, user)
    assert set(themes_of(tenant, response)) == before


def test_a_structured_answer_is_corrected_too(answered):
    tenant, response, user = answered
    _correct(tenant, response, "compensation", Verdict.ADD, user, key="pay")
    assert "compensation" in themes_of(tenant, response, "pay")
    read_month(tenant)
    assert "compensation" in themes_of(tenant, response, "pay")


def test_a_theme_the_tenant_lacks_is_refused(app, answered, world):
    tenant, response, user = answered
    make_tenant_theme(world.b.tenant, key="own_elsewhere")
    for theme in ("own_elsewhere", "nonsense"):
        with app.test_request_context(), pytest.raises(Refused) as refused:
            _correct(tenant, response, theme, Verdict.ADD, user)
        assert refused.value.errors == {"theme": ["Choose a theme from the list."]}


def test_an_own_theme_may_be_added(answered, world):
    tenant, response, user = answered
    _correct(tenant, response, "own_reorganisation", Verdict.ADD, user)
    assert "own_reorganisation" in themes_of(tenant, response)
