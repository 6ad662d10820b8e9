"""A client's home: the getting-started checklist, counters that lead to their lists, and a
banner when the client is suspended."""

import re

import pytest

from service.agencies.services import set_tenant_status
from service.extensions import db
from service.tenants.models import Tenant, TenantStatus
from tests.factories import add_membership, make_departure, make_tenant, make_user
from tests.tenants.helpers import post_form, sign_in, text

STEP = re.compile(
    r'<li class="(?P<state>done|todo|soon)">\s*<span class="step-state">.*?</span>\s*'
    r'(?:<a href="(?P<href>[^"]+)">(?P<link>[^<]+)</a>|<span>(?P<plain>[^<]+)</span>)',
    re.S,
)


def checklist(page: str) -> dict[str, tuple[str, str | None]]:
    """Each step's title: (its state, the page it links to or None)."""
    return {(m["link"] or m["plain"]).strip(): (m["state"], m["href"]) for m in STEP.finditer(page)}


@pytest.fixture
def fresh(app, world):
    """A new client of agency A whose first HR admin has just joined: nothing set up yet."""
    tenant = make_tenant("fresh-start", world.a.agency, name="Fresh Start")
    add_membership(tenant, make_user("first.admin@fresh.example"), "hr_admin")
    return tenant


def test_a_new_client_sees_every_step_unticked_with_its_page(app, client, fresh):
    sign_in(client, "first.admin@fresh.example")
    page = text(client.get("/t/fresh-start/"))
    assert "Getting started" in page
    assert checklist(page) == {
        "Add your departments": ("todo", "/t/fresh-start/departments/"),
        "Add your functions": ("todo", "/t/fresh-start/functions/"),
        "Add your locations": ("todo", "/t/fresh-start/locations/"),
        "Invite your HR team": ("todo", "/t/fresh-start/members/"),
        "Prepare your question templates": ("todo", "/t/fresh-start/templates/"),
        "Record your first departure": ("todo", "/t/fresh-start/departures/"),
    }


def test_adding_a_department_ticks_its_step(app, client, fresh):
    sign_in(client, "first.admin@fresh.example")
    response = post_form(client, "/t/fresh-start/departments/", {"name": "Keuken"})
    assert response.status_code in (200, 302)
    steps = checklist(text(client.get("/t/fresh-start/")))
    assert steps["Add your departments"][0] == "done"
    assert steps["Add your functions"][0] == "todo"
    assert steps["Invite your HR team"][0] == "todo"


def test_the_first_departure_ticks_its_step(app, client, fresh):
    sign_in(client, "first.admin@fresh.example")
    make_departure(fresh)
    assert checklist(text(client.get("/t/fresh-start/")))["Record your first departure"] == (
        "done",
        "/t/fresh-start/departures/",
    )


def test_a_second_member_ticks_the_team_step(app, client, fresh):
    sign_in(client, "first.admin@fresh.example")
    add_membership(fresh, make_user("colleague@fresh.example"), "hr")
    assert checklist(text(client.get("/t/fresh-start/")))["Invite your HR team"][0] == "done"


def test_a_step_links_only_to_a_page_the_role_may_open(app, client, fresh):
    add_membership(fresh, make_user("hr@fresh.example"), "hr")
    sign_in(client, "hr@fresh.example")
    steps = checklist(text(client.get("/t/fresh-start/")))
    assert steps["Add your departments"] == ("todo", "/t/fresh-start/departments/")
    assert steps["Invite your HR team"] == ("done", None)  # HR manages no members
    assert steps["Record your first departure"] == ("todo", "/t/fresh-start/departures/")


def test_the_checklist_hides_once_the_available_steps_are_done(app, client, world):
    # Tenant A has departments, a function, a location and many members.
    sign_in(client, "hr_admin@a.example")
    page = text(client.get("/t/tenant-a/"))
    assert "Getting started" not in page
    assert checklist(page) == {}


def test_the_counters_lead_to_their_lists(app, client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get("/t/tenant-a/"))
    for path in ("departments/", "functions/", "locations/", "members/"):
        assert f'<a href="/t/tenant-a/{path}"><strong>' in page


def test_a_suspended_client_says_so_to_its_agency_admin(app, client, world):
    sign_in(client, "agency_admin@agency-a.example")
    assert "is suspended" not in text(client.get("/t/tenant-a/"))
    set_tenant_status(db.session.get(Tenant, world.a.tenant.id), TenantStatus.SUSPENDED)
    page = text(client.get("/t/tenant-a/"))
    assert "Tenant A is suspended: its members cannot open its pages" in page
    assert 'href="/agency/agency-a/">Go to the portfolio</a>' in page
