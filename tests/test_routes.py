"""Walk app.url_map: every route is public, login-only or scoped, and scopes never leak.

A route whose parameters this test cannot fill fails it: add a filler below when you add
a parameter, so no route escapes the cross-tenant check.
"""

import re

from service.accounts.views import LOGIN_ONLY_ENDPOINTS, PUBLIC_ENDPOINTS
from service.scopes import SCOPED_BLUEPRINTS
from tests.conftest import csrf_token, login, translated

PREFIXES = {
    "tenant": "/t/<tenant_slug>",
    "agency": "/agency/<agency_slug>",
    "platform": "/platform",
}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def fillers(side) -> dict[str, str]:
    """Values for every URL parameter, taken from one side of the world."""
    objects = side.objects
    return {
        "tenant_slug": side.tenant.slug,
        "agency_slug": side.agency.slug,
        "tenant_id": str(side.tenant.id),
        "agency_id": str(side.agency.id),
        "department_id": str(objects["department"].id),
        "job_function_id": str(objects["job_function"].id),
        "location_id": str(objects["location"].id),
        "headcount_id": str(objects["headcount"].id),
        "membership_id": str(objects["membership"].id),
        "invitation_id": str(objects["invitation"].id),
        "agency_invitation_id": str(objects["agency_invitation"].id),
        "user_id": str(side.users["consultant"].id),
        "structure": "departments",
        "kind": "tenant",
        "email_id": "01900000-0000-7000-8000-000000000000",
        "token": "not-a-real-token",
        "filename": "css/app.css",
    }


def scope_of(endpoint: str) -> str | None:
    return SCOPED_BLUEPRINTS.get(endpoint.rpartition(".")[0])


def build(rule, values: dict[str, str]) -> str:
    missing = [arg for arg in rule.arguments if arg not in values]
    assert not missing, f"{rule.rule}: no filler for {missing} in tests/test_routes.py"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def routes(app, scope: str | None = None):
    for rule in app.url_map.iter_rules():
        if scope is None or scope_of(rule.endpoint) == scope:
            for method in sorted(rule.methods - SKIPPED_METHODS):
                yield rule, method


def call(client, method: str, url: str, token: str | None = None):
    data = {"csrf_token": token} if token else None
    return client.open(url, method=method, data=data, headers={"Accept": "text/html"})


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
