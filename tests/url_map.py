"""Walking app.url_map: which scope a route belongs to, and its URL filled from the world.

A route whose parameters cannot be filled fails the walks that build it: add a filler here
when you add a parameter, so no route escapes them (tests/test_routes.py,
tests/test_permission_matrix.py, tests/security/test_odd_input_walk.py).
"""

import re

from service.extensions import db
from service.mail.outbox import queue_email
from service.reports.models import ReportRecipient
from service.scopes import SCOPED_BLUEPRINTS
from service.tenancy import tenant_scope

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
# The query a route needs to answer at all (without it: 400), added to the built URL.
QUERIES = {"insights.quotes": "?theme=compensation"}


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
        "template_id": str(objects["template"].id),
        "library_template_id": str(objects["library_template"].id),
        "departure_id": str(objects["departure"].id),
        "import_id": str(objects["departure_import"].id),
        "export_id": str(objects["tenant_export"].id),
        "interview_id": str(objects["interview"].id),
        "action_id": str(objects["action"].id),
        "report_id": str(objects["report"].id),
        "theme_id": str(objects["tenant_theme"].id),
        # No feedback in the world: another tenant's is a 404 all the same, and the
        # corrections are exercised in tests/insights/test_correction_views.py.
        "feedback_id": str(objects["interview"].id),
        "key": "pay",
        "name": "volume",  # an insights panel
        "number": "1",
        "user_id": str(side.users["consultant"].id),
        "interviewer_user_id": str(side.users["interviewer"].id),
        "structure": "departments",
        "kind": "tenant",
        "export_kind": "answers",
        "file_format": "csv",
        "email_id": "01900000-0000-7000-8000-000000000000",
        # A report recipient exists only in furnished_fillers (side A): elsewhere a 404.
        "recipient_id": "01900000-0000-7000-8000-000000000001",
        "token": "not-a-real-token",
        "filename": "css/app.css",
    }


def furnished_fillers(world) -> dict[str, str]:
    """Side A's fillers once what a few pages need exists: its agency's logo, an outbox
    email and a report recipient (committed)."""
    agency = world.a.agency
    agency.logo, agency.logo_mime_type = b"\x89PNG\r\n\x1a\n", "image/png"
    db.session.add(agency)
    email_id = queue_email(to="ops@example.com", template="test", language="en", context={})
    with tenant_scope(world.a.tenant.id):
        recipient = ReportRecipient(address="board@a.example", language="nl")
        db.session.add(recipient)
        db.session.flush()
        recipient_id = str(recipient.id)
        db.session.commit()
    own = {**fillers(world.a), "kind": "platform", "email_id": str(email_id)}
    return {**own, "recipient_id": recipient_id}


def scope_of(endpoint: str) -> str | None:
    return SCOPED_BLUEPRINTS.get(endpoint.rpartition(".")[0])


def build(rule, values: dict[str, str]) -> str:
    missing = [arg for arg in rule.arguments if arg not in values]
    assert not missing, f"{rule.rule}: no filler for {missing} in tests/url_map.py"
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)
    return path + QUERIES.get(rule.endpoint, "")


def routes(app, scope: str | None = None):
    for rule in app.url_map.iter_rules():
        if scope is None or scope_of(rule.endpoint) == scope:
            for method in sorted(rule.methods - SKIPPED_METHODS):
                yield rule, method


def call(client, method: str, url: str, token: str | None = None):
    data = {"csrf_token": token} if token else None
    return client.open(url, method=method, data=data, headers={"Accept": "text/html"})
