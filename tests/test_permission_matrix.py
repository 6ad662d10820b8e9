"""Every route × every actor × own and other scope answers exactly as permissions.MATRIX says.

Own scope: no membership there → 404; the matrix allows the role → a GET answers 200 (an
allowed POST changes data: the feature tests exercise those); it refuses → 403. Another
tenant's or agency's scope, or its ids → 404 for everyone. Anonymous → /login.
"""

import re

import pytest

from service.accounts.views import LOGIN_ONLY_ENDPOINTS, PUBLIC_ENDPOINTS
from service.permissions import OWNER_RULES, can, may
from tests.conftest import csrf_token, login
from tests.url_map import build, call, fillers, furnished_fillers, routes, scope_of

# Each actor: a login of side A and its role in each kind of scope of side A.
ACTORS = {
    "hr_admin": ("hr_admin@a.example", {"tenant": "hr_admin"}),
    "hr": ("hr@a.example", {"tenant": "hr"}),
    "interviewer": ("interviewer@a.example", {"tenant": "interviewer"}),
    "leadership": ("leadership@a.example", {"tenant": "leadership"}),
    "member": ("member@a.example", {"tenant": "member"}),
    "agency_admin": (
        "agency_admin@agency-a.example",
        {"tenant": "agency_admin", "agency": "agency_admin"},
    ),
    "consultant": ("consultant@agency-a.example", {"agency": "consultant"}),
    "platform_admin": ("platform@exitloop.example", {"platform": "platform_admin"}),
}


@pytest.fixture
def matrix_world(world):
    """The world, plus what a few GET pages need to exist: a logo, an outbox email."""
    return world, furnished_fillers(world), fillers(world.b)


# Who owns the object a URL parameter names in the world (tests/factories.py _side): the
# object rules of permissions.OWNER_RULES hold for it.
OWNED_BY = {"action_id": "member"}


def expected_own(actor: str, scope: str | None, rule, app) -> int | None:
    """The status on side A's own scope; None where only a change would tell (allowed POST)."""
    if scope is None:
        return None
    role = ACTORS[actor][1].get(scope)
    if role is None:
        return 404
    action = app.view_functions[rule.endpoint].required_action
    owned = [argument for argument in rule.arguments if argument in OWNED_BY]
    if action in OWNER_RULES and owned:
        return 200 if may(role, action, OWNED_BY[owned[0]] == actor) else 403
    return 200 if can(role, action) else 403


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_every_route_for_every_actor(app, matrix_world, actor):
    world, own, other = matrix_world
    client = app.test_client()
    login(client, ACTORS[actor][0])
    token = csrf_token(client, "/profile")
    checked = 0
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        scope = scope_of(rule.endpoint)
        if rule.endpoint in LOGIN_ONLY_ENDPOINTS:
            if method == "GET":
                status = call(client, method, build(rule, own)).status_code
                assert status in (200, 302), f"{actor}: GET {rule.rule} -> {status}"
            continue
        if scope != "platform":
            status = call(client, method, build(rule, other), token).status_code
            assert status == 404, f"{actor}: {method} {rule.rule} of side B -> {status}"
        want = expected_own(actor, scope, rule, app)
        if want == 200 and method != "GET":
            continue
        status = call(client, method, build(rule, own), token).status_code
        assert status == want, f"{actor}: {method} {rule.rule} -> {status}, matrix says {want}"
        checked += 1
    assert checked > 10


def test_every_scoped_view_names_its_action(app):
    for rule in app.url_map.iter_rules():
        if scope_of(rule.endpoint) is not None:
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "required_action", None), f"{rule.endpoint} lacks @require"


# The matrix against docs/PRODUCT.md ("Who uses it"): rules that hold whatever actions come.
CHANGES = ("manage", "edit", "invite", "retry", "correct", "erase")


def actions_of(role: str) -> set[str]:
    from service.permissions import MATRIX

    return {action for action, roles in MATRIX.items() if role in roles}


def test_leadership_reads_and_never_edits():
    assert actions_of("leadership")
    assert not [a for a in actions_of("leadership") if a.endswith(CHANGES)]


def test_only_the_hr_admin_erases_a_leaver_and_those_who_use_the_data_read_the_data_page():
    from service.permissions import MATRIX

    assert MATRIX["tenant.departures.erase"] == {"hr_admin"}
    # Who works with or answers for the data; never the agency (a processor) or members.
    assert MATRIX["tenant.privacy.view"] == {"hr_admin", "hr", "leadership"}


def test_hr_changes_neither_settings_nor_members():
    assert not [a for a in actions_of("hr") if a.startswith(("tenant.settings", "tenant.members"))]


def test_object_rules_name_wider_actions_of_the_matrix():
    from service.permissions import MATRIX

    for action, wider in OWNER_RULES.items():
        assert action in MATRIX
        assert wider in MATRIX
        assert MATRIX[wider] <= MATRIX[action]  # the wider one is a subset of the roles


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_actions_actor_by_action(actor):
    """The accountability board's rules for every actor, owner of the action or not."""
    role = ACTORS[actor][1].get("tenant")
    hr = role in ("hr_admin", "hr")
    for owns in (True, False):
        assert may(role, "tenant.actions.view", owns) == (
            hr or role == "leadership" or (owns and role in ("interviewer", "member"))
        )
        assert may(role, "tenant.actions.edit", owns) == (
            hr or (owns and role in ("interviewer", "member"))
        )
        assert may(role, "tenant.actions.manage", owns) == hr


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_insights_are_for_hr_and_leadership(actor):
    """The dashboard shows aggregates of confidential feedback: HR and leadership only."""
    role = ACTORS[actor][1].get("tenant")
    assert can(role, "tenant.insights.view") == (role in ("hr_admin", "hr", "leadership"))


def test_platform_admin_and_consultants_reach_no_client_data_by_role():
    assert not [a for a in actions_of("platform_admin") if a.startswith("tenant.")]
    # A consultant reads the agency's template library: questions, no client's data.
    assert actions_of("consultant") == {"agency.home", "agency.library.view"}


def test_agency_admin_reaches_only_support_areas_of_a_client():
    support = (
        "tenant.home",
        "tenant.structure.",
        "tenant.settings.",
        "tenant.members.",
        "tenant.templates.",  # setting up a client's questionnaires: structure, not feedback
    )
    tenant_actions = [a for a in actions_of("agency_admin") if a.startswith("tenant.")]
    assert tenant_actions
    assert all(a.startswith(support) for a in tenant_actions), tenant_actions


def test_every_action_of_the_matrix_is_checked_somewhere(app):
    """No dead entry: each action guards a view, or is asked with can() in code or a page."""
    from service.config import ROOT
    from service.permissions import MATRIX

    views = app.view_functions.values()
    asked = {getattr(view, "required_action", None) for view in views} - {None}
    sources = [*ROOT.joinpath("service").rglob("*.py"), *ROOT.joinpath("templates").rglob("*.html")]
    for path in sources:
        asked |= set(re.findall(r'can\(g\.role, "([a-z_.]+)"\)', path.read_text()))
    assert asked == set(MATRIX), f"unused: {set(MATRIX) - asked}, unknown: {asked - set(MATRIX)}"


def test_every_state_change_needs_a_change_permission(app):
    for rule in app.url_map.iter_rules():
        if scope_of(rule.endpoint) is None or "POST" not in rule.methods:
            continue
        action = app.view_functions[rule.endpoint].required_action
        assert action.endswith(CHANGES), f"{rule.endpoint} changes data under {action!r}"
