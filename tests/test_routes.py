"""Walk app.url_map: every route is public, login-only or scoped, and scopes never leak.

A route whose parameters this test cannot fill fails it: add a filler below when you add
a parameter, so no route escapes the cross-tenant check.
"""

import re

import pytest

from service.accounts.views import LOGIN_ONLY_ENDPOINTS, PUBLIC_ENDPOINTS
from service.scopes import SCOPED_BLUEPRINTS
from tests.conftest import login, translated

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


def _csrf_for(client, path: str) -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize(
    ("scope", "email"),
    [
        ("tenant", "hr_admin@a.example"),
        ("tenant", "agency_admin@agency-a.example"),
        ("agency", "agency_admin@agency-a.example"),
        ("agency", "consultant@agency-a.example"),
        ("platform", "hr_admin@a.example"),
        ("platform", "agency_admin@agency-a.example"),
    ],
)
def test_another_scope_answers_404(client, world, scope, email):
    login(client, email)
    token = _csrf_for(client, "/")
    checked = 0
    for rule, method in routes(client.application, scope):
        response = call(client, method, build(rule, fillers(world.b)), token)
        assert response.status_code == 404, (
            f"{email}: {method} {rule.rule} -> {response.status_code}"
        )
        checked += 1
    assert checked > 0


def test_another_tenants_ids_under_my_slug_answer_404(client, world):
    """Tenant A's slug with tenant B's object ids: the scoped lookup says 404."""
    login(client, "hr_admin@a.example")
    token = _csrf_for(client, "/")
    values = {**fillers(world.b), "tenant_slug": world.a.tenant.slug}
    checked = 0
    for rule, method in routes(client.application, "tenant"):
        if not any(arg.endswith("_id") for arg in rule.arguments):
            continue
        response = call(client, method, build(rule, values), token)
        assert response.status_code == 404, f"{method} {rule.rule} -> {response.status_code}"
        checked += 1
    assert checked > 0


TENANT_ROLES = ["hr_admin", "hr", "interviewer", "leadership", "member", "agency_admin"]


def test_role_matrix_on_tenant_pages(client, world):
    """Each GET page of tenant A answers 200 or 403 exactly as permissions.MATRIX says."""
    from service.permissions import can

    app = client.application
    emails = {role: f"{role}@a.example" for role in TENANT_ROLES}
    emails["agency_admin"] = "agency_admin@agency-a.example"
    for role, email in emails.items():
        client = app.test_client()
        login(client, email)
        for rule, method in routes(app, "tenant"):
            if method != "GET":
                continue
            action = getattr(app.view_functions[rule.endpoint], "required_action", None)
            assert action, f"{rule.endpoint} has no @require(action)"
            expected = 200 if can(role, action) else 403
            response = call(client, method, build(rule, fillers(world.a)))
            assert response.status_code == expected, f"{role}: GET {rule.rule} ({action})"


def test_forbidden_page_is_clear(client, world):
    login(client, "member@a.example")
    response = client.get("/t/tenant-a/settings")
    assert response.status_code == 403
    message = translated("You do not have permission to open this page.", "nl")
    assert message in response.get_data(as_text=True)
