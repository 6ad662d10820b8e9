"""Everyone's profile: name, language, password; the workspace switcher in the header."""

import pytest

from service.accounts.models import User
from service.extensions import db
from tests.accounts.conftest import post, sign_in
from tests.factories import add_membership

PROFILE = "/profile"


@pytest.fixture
def hr(app, world):
    client = app.test_client()
    sign_in(client, "hr@a.example")
    return client


def _user(world) -> User:
    db.session.expire_all()
    return db.session.get(User, world.a.users["hr"].id)


def test_profile_needs_sign_in(app, client, world):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_profile_saves_name_and_language(app, world, hr):
    response = post(hr, PROFILE, {"display_name": "Hanne Rooms", "language": "fr"}, PROFILE)
    assert response.status_code == 302
    user = _user(world)
    assert (user.display_name, user.preferred_language) == ("Hanne Rooms", "fr")
    page = hr.get(PROFILE).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Hanne Rooms" in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"display_name": "x" * 121, "language": "en"}, "display_name"),
        ({"display_name": "", "language": "en"}, "display_name"),
        ({"display_name": "Name", "language": "de"}, "language"),
    ],
)
def test_profile_refuses_bad_input(app, world, hr, fields, field):
    response = post(hr, PROFILE, fields, PROFILE)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _user(world).display_name == "hr@a.example"


def _change(client, current="pw", new="a long new passphrase", confirm=None):
    return post(
        client,
        "/profile/password",
        {"current_password": current, "password": new, "confirm": confirm or new},
        PROFILE,
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"current": "wrong"}, "current_password", "This is not your current password."),
        ({"new": "x" * 11}, "password", "12 to 256 characters"),
        ({"new": "x" * 257}, "password", "12 to 256 characters"),
        ({"confirm": "something else"}, "confirm", "not the same"),
    ],
)
def test_password_change_refuses_bad_input(app, world, hr, kwargs, field, message):
    before = _user(world).password_hash
    response = _change(hr, **kwargs)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body
    assert message in body
    assert _user(world).password_hash == before


def test_password_change_works_with_the_new_password(app, world, hr):
    assert _change(hr).status_code == 302
    assert sign_in(app.test_client(), "hr@a.example", "pw").status_code == 422
    assert sign_in(app.test_client(), "hr@a.example", "a long new passphrase").status_code == 302


def test_profile_lists_the_user_s_sessions(app, world, hr):
    sign_in(app.test_client(), "hr@a.example")
    page = hr.get(PROFILE).get_data(as_text=True)
    assert page.count('<tr class="session">') == 2
    assert page.count("(this browser)") == 1


def test_switcher_lists_every_workspace_of_a_person_in_several(app, world):
    add_membership(world.b.tenant, world.a.users["hr"], "member")
    client = app.test_client()
    sign_in(client, "hr@a.example")
    header = client.get("/t/tenant-a/").get_data(as_text=True)
    assert "Switch workspace" in header
    assert 'href="/t/tenant-b/"' in header
    assert 'href="/t/tenant-a/" aria-current="page"' in header
    chooser = client.get("/")
    assert chooser.status_code == 200
    assert "Tenant B" in chooser.get_data(as_text=True)


def test_no_switcher_for_a_person_in_one_workspace(app, world, hr):
    assert "Switch workspace" not in hr.get("/t/tenant-a/").get_data(as_text=True)
    assert hr.get("/").status_code == 302


def test_nav_shows_members_to_hr_admins_only(app, world, hr):
    assert "/t/tenant-a/members/" not in hr.get("/t/tenant-a/").get_data(as_text=True)
    admin = app.test_client()
    sign_in(admin, "hr_admin@a.example")
    assert "/t/tenant-a/members/" in admin.get("/t/tenant-a/").get_data(as_text=True)


def _way_back(page: str) -> str:
    """The profile's first link: the way back."""
    start = page.index('<main id="main">')
    return page[start : page.index("</a>", start) + 4]


def test_profile_leads_back_to_the_page_the_person_came_from(app, world, hr):
    hr.get("/t/tenant-a/departments/?q=Sales")
    page = hr.get(PROFILE).get_data(as_text=True)
    assert '<a href="/t/tenant-a/departments/?q=Sales">← Back to Tenant A</a>' in _way_back(page)
    # Saving the profile keeps the way back.
    post(hr, PROFILE, {"display_name": "Hanne", "language": "en"}, PROFILE)
    page = hr.get(PROFILE).get_data(as_text=True)
    assert 'href="/t/tenant-a/departments/?q=Sales"' in _way_back(page)


def test_the_way_back_is_a_page_not_a_fragment_or_a_refusal(app, world, hr):
    hr.get("/t/tenant-a/departments/")
    hr.get("/t/tenant-a/functions/", headers={"HX-Request": "true"})  # a fragment
    assert hr.get("/t/tenant-b/").status_code == 404  # another tenant
    assert hr.get("/t/tenant-a/settings").status_code == 403  # not for this role
    page = hr.get(PROFILE).get_data(as_text=True)
    assert 'href="/t/tenant-a/departments/"' in _way_back(page)


def test_profile_without_a_workspace_visited_leads_to_the_start(app, world):
    client = app.test_client()
    sign_in(client, "hr@a.example")
    page = client.get(PROFILE).get_data(as_text=True)
    assert '<a href="/">← Back to your workspaces</a>' in _way_back(page)


def test_profile_shows_the_switcher_even_with_one_workspace(app, world, hr):
    page = hr.get(PROFILE).get_data(as_text=True)
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    assert "Switch workspace" in nav
    assert '<a href="/t/tenant-a/">Tenant A</a>' in nav


def test_an_agency_admin_inside_a_client_has_a_way_back_to_the_portfolio(app, world):
    client = app.test_client()
    sign_in(client, "agency_admin@agency-a.example")
    page = client.get("/t/tenant-a/").get_data(as_text=True)
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    assert '<a href="/agency/agency-a/">← Portfolio of Agency-A</a>' in nav
    # Its one workspace is not the page's: the switcher leads there too.
    assert "Switch workspace" in nav
    agency_page = client.get("/agency/agency-a/").get_data(as_text=True)
    assert "Switch workspace" not in agency_page
    assert "Portfolio of" not in agency_page
