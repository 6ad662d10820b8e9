"""One name for every theme, default or the tenant's own, and actions that may name either."""

import datetime as dt

import pytest
from flask_babel import force_locale

from service.actions.evidence import Evidence, InvalidEvidence
from service.actions.services import create_action
from service.insights import taxonomy
from service.insights.models import DEFAULT_THEME_BITS
from service.refusals import Refused
from service.surveys.themes import THEME_KEYS
from service.tenancy import tenant_scope
from tests.factories import make_tenant_theme
from tests.tenants.helpers import post_form, sign_in, text


@pytest.mark.parametrize(
    ("language", "workload", "own"),
    [
        ("nl", "Werkdruk", "Reorganisatie"),
        ("fr", "Charge de travail", "Réorganisation"),
        ("en", "Workload", "Reorganisatie"),
    ],  # no English name: another of its names
)
def test_theme_label_speaks_the_current_language(app, world, language, workload, own):
    with app.test_request_context(), tenant_scope(world.a.tenant.id), force_locale(language):
        assert taxonomy.theme_label("workload") == workload
        assert taxonomy.theme_label("own_reorganisation") == own
        assert taxonomy.theme_label("own_unknown") == "own_unknown"
        assert taxonomy.theme_keys() == (*THEME_KEYS, "own_reorganisation")
        assert taxonomy.theme_choices()[-1] == ("own_reorganisation", own)


def test_another_tenants_theme_is_not_ours(app, world):
    make_tenant_theme(world.b.tenant, key="own_b_only")
    with app.test_request_context(), tenant_scope(world.a.tenant.id):
        assert "own_b_only" not in taxonomy.theme_keys()
        assert taxonomy.theme_label("own_b_only") == "own_b_only"


def test_evidence_accepts_the_keys_it_is_given():
    evidence = Evidence(themes=("own_reorganisation",), respondents=8)
    with pytest.raises(InvalidEvidence):
        evidence.check(5)
    evidence.check(5, (*THEME_KEYS, "own_reorganisation"))


def test_an_action_names_an_own_theme_when_the_caller_allows_it(app, world):
    owner = world.a.objects["membership"].id
    values = {
        "title": "Explain the reorganisation",
        "description": None,
        "owner_membership_id": owner,
        "due_on": dt.date.today() + dt.timedelta(days=30),
        "themes": ["own_reorganisation"],
        "actor": None,
    }
    with app.test_request_context(), tenant_scope(world.a.tenant.id):
        with pytest.raises(Refused):
            create_action(**values)
        action = create_action(**values, theme_keys=taxonomy.theme_keys())
        assert action.themes == ["own_reorganisation"]


def test_the_action_form_offers_and_keeps_own_themes(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get("/t/tenant-a/actions/new"))
    assert 'value="own_reorganisation"' in page
    form = {
        "title": "Explain the reorganisation",
        "owner_membership_id": str(world.a.objects["membership"].id),
        "due_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "priority": "normal",
        "themes": "own_reorganisation",
    }
    assert post_form(client, "/t/tenant-a/actions/new", form).status_code in (302, 204)
    board = text(client.get("/t/tenant-a/actions/?theme=own_reorganisation&view=list"))
    assert "Explain the reorganisation" in board


def test_every_default_theme_has_a_bit_of_its_own():
    """Feedback stores the default themes it raises as bits: each has one, none shared,
    all in a signed 64-bit integer."""
    assert set(DEFAULT_THEME_BITS) == set(THEME_KEYS)
    assert len(set(DEFAULT_THEME_BITS.values())) == len(DEFAULT_THEME_BITS)
    assert all(0 <= bit < 63 for bit in DEFAULT_THEME_BITS.values())
