"""Walk app.url_map: every route is public, login-only or scoped, and scopes never leak.

A route whose parameters cannot be filled fails it: add a filler in tests/url_map.py when
you add a parameter, so no route escapes the cross-tenant check.
"""

from service.accounts.views import LOGIN_ONLY_ENDPOINTS, PUBLIC_ENDPOINTS
from tests.conftest import csrf_token, login, translated
from tests.url_map import build, call, fillers, routes, scope_of

PREFIXES = {
    "tenant": "/t/<tenant_slug>",
    "agency": "/agency/<agency_slug>",
    "platform": "/platform",
}


def test_every_route_is_public_login_only_or_scoped(app):
    for rule in app.url_map.iter_rules():
        scope = scope_of(rule.endpoint)
        if scope is None:
            assert rule.endpoint in PUBLIC_ENDPOINTS | LOGIN_ONLY_ENDPOINTS, (
                f"{rule.rule} ({rule.endpoint}) is neither public, login-only nor scoped"
            )
        else:
            assert rule.rule.startswith(PREFIXES[scope]), f"{rule.rule} is outside its scope"


def test_anonymous_users_are_sent_to_login(client, world):
    for rule, method in routes(client.application):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = call(client, method, build(rule, fillers(world.a)))
        assert response.status_code in (302, 400), f"{method} {rule.rule}"
        if response.status_code == 302:
            assert response.location.startswith("/login"), f"{method} {rule.rule}"


def test_another_tenants_ids_under_my_slug_answer_404(client, world):
    """Tenant A's slug with tenant B's object ids: the scoped lookup says 404."""
    login(client, "hr_admin@a.example")
    token = csrf_token(client, "/profile")
    values = {**fillers(world.b), "tenant_slug": world.a.tenant.slug}
    checked = 0
    for rule, method in routes(client.application, "tenant"):
        if not any(arg.endswith("_id") for arg in rule.arguments):
            continue
        response = call(client, method, build(rule, values), token)
        assert response.status_code == 404, f"{method} {rule.rule} -> {response.status_code}"
        checked += 1
    assert checked > 0


def test_forbidden_page_is_clear(client, world):
    login(client, "member@a.example")
    response = client.get("/t/tenant-a/settings")
    assert response.status_code == 403
    message = translated("You do not have permission to open this page.", "nl")
    assert message in response.get_data(as_text=True)


def test_a_head_request_changes_nothing(app, world):
    """Flask answers HEAD with a route's GET view, and CSRF protection lets HEAD pass: where
    the same URL also takes the POST of an action (its confirmation), HEAD only asks."""
    from tests.security.test_odd_input_walk import Clients, actor_of, snapshot

    own = fillers(world.a)
    clients = Clients(app)
    both = [
        rule
        for rule in app.url_map.iter_rules()
        if {"GET", "POST"} <= rule.methods and rule.endpoint not in PUBLIC_ENDPOINTS
    ]
    for rule in both:
        clients.of(actor_of(rule.endpoint))  # signed in before the snapshot
    before = snapshot()
    checked = 0
    for rule in both:
        client, _token = clients.of(actor_of(rule.endpoint))
        response = client.head(build(rule, own))
        assert response.status_code < 500, f"HEAD {rule.rule} -> {response.status_code}"
        checked += 1
    assert checked > 10
    assert snapshot() == before
