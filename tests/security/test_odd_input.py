"""Odd input never becomes a server error: PostgreSQL refuses NUL characters in text, so a
NUL in a URL, a query string, a form field or an uploaded CSV must be refused up front."""

import io
import re

import pytest
import sqlalchemy as sa

from service.accounts.models import AgencyMembership, User
from service.extensions import db
from service.listing import PER_PAGE
from service.mail.models import PlatformEmail, TenantEmail
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Department, JobFunction, Membership
from tests.accounts.conftest import post
from tests.conftest import csrf_token, login


@pytest.fixture(autouse=True)
def _english(world):
    """Messages in English, so the assertions can quote them."""
    from service.accounts.models import User

    db.session.execute(sa.update(User).values(preferred_language="en"))
    db.session.commit()


def _count_departments(tenant) -> int:
    with tenant_scope(tenant.id):
        return db.session.scalar(sa.select(sa.func.count()).select_from(Department))


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(client, world):
    login(client, "hr_admin@a.example")
    before = _count_departments(world.a.tenant)
    response = post(
        client, "/t/tenant-a/departments/", {"name": "Sales\x00"}, token_from="/t/tenant-a/"
    )
    assert response.status_code in (400, 422)
    assert _count_departments(world.a.tenant) == before


@pytest.mark.parametrize(
    "path",
    [
        "/t/tenant-a/departments/?q=%00",
        "/t/tenant-a/members/?q=%00",
        "/t/ten%00ant-a/",
        "/t/tenant-a/functions/?q=%00",
    ],
)
def test_nul_in_the_url_is_a_400(client, world, path):
    login(client, "hr_admin@a.example")
    response = client.get(path)
    assert response.status_code == 400


def test_nul_on_the_sign_in_form_is_a_client_error(client, world):
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": "hr@a.example\x00", "password": "pw\x00", "csrf_token": token}
    )
    assert response.status_code in (400, 422)


def test_nul_in_the_user_agent_does_not_break_sign_in(client, world):
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "hr@a.example", "password": "pw", "csrf_token": token},
        headers={"User-Agent": "Mozilla\x00"},
    )
    assert response.status_code in (302, 400)


def test_a_csv_with_a_nul_is_refused_in_the_preview(client, world):
    login(client, "hr_admin@a.example")
    token = csrf_token(client, "/t/tenant-a/import/functions")
    response = client.post(
        "/t/tenant-a/import/functions",
        data={"csrf_token": token, "file": (io.BytesIO(b"name\nSales\x00rep\n"), "f.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file is not UTF-8 text." in response.get_data(as_text=True)


def test_very_long_and_unicode_names_get_field_messages(client, world):
    login(client, "hr_admin@a.example")
    response = post(
        client, "/t/tenant-a/departments/", {"name": "é" * 121}, token_from="/t/tenant-a/"
    )
    assert response.status_code == 422
    assert "Use at most 120 characters." in response.get_data(as_text=True)
    response = post(
        client, "/t/tenant-a/departments/", {"name": "🙂" * 120}, token_from="/t/tenant-a/"
    )
    assert response.status_code == 302


def _written_by_invitations() -> tuple[int, ...]:
    """Users, tenant and agency memberships, and emails of every kind."""
    with unscoped("a test looks across tenants"):
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Membership, AgencyMembership, TenantEmail, PlatformEmail)
        )


INVITE_FORMS = {
    "members": ("hr_admin@a.example", "/t/tenant-a/members/invite", {"role": "member"}),
    "consultants": ("agency_admin@agency-a.example", "/agency/agency-a/consultants/invite", {}),
    "tenant admin": ("agency_admin@agency-a.example", "/agency/agency-a/tenants/{tenant}", {}),
    "agency admin": ("platform@exitloop.example", "/platform/agencies/{agency}", {}),
}


@pytest.mark.parametrize("form", sorted(INVITE_FORMS))
def test_an_address_without_a_dot_in_its_domain_is_refused_on_every_invite_form(
    client, world, form
):
    """The outbox sends only to a domain with a dot: the forms check the same rule."""
    actor, path, extra = INVITE_FORMS[form]
    if "{" in path:
        path = path.format(tenant=world.a.tenant.id, agency=world.a.agency.id) + "/invite-admin"
    login(client, actor)
    before = _written_by_invitations()
    data = {"email": "a@localhost", "display_name": "Local", "language": "en", **extra}
    response = post(client, path, data, token_from="/profile")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert '<p class="field-error" id="email-error">Enter a valid email address.</p>' in body
    assert _written_by_invitations() == before
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.email == "a@localhost")) is None


LISTS = {
    "/t/tenant-a/departments/": "hr_admin@a.example",
    "/t/tenant-a/functions/": "hr_admin@a.example",
    "/t/tenant-a/locations/": "hr_admin@a.example",
    "/t/tenant-a/members/": "hr_admin@a.example",
    "/agency/agency-a/": "agency_admin@agency-a.example",
    "/agency/agency-a/consultants": "agency_admin@agency-a.example",
    "/platform/": "platform@exitloop.example",
    "/platform/outbox/": "platform@exitloop.example",
}


HTMX = {"HX-Request": "true"}  # the list alone: the page around it names its own URL
_TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def _listing(response) -> str:
    """The list fragment without its (time-stamped) CSRF tokens."""
    assert response.status_code == 200, response.request.url
    return _TOKEN.sub("", response.get_data(as_text=True))


ODD_PAGES = ("9223372036854775807", "9" * 5000, "-9223372036854775809", "-1", "0", "two", "")


@pytest.mark.parametrize("path", sorted(LISTS))
def test_any_page_number_shows_a_page_of_every_list(client, world, path):
    login(client, LISTS[path])
    first = _listing(client.get(path, headers=HTMX))
    for page in ODD_PAGES:
        shown = _listing(client.get(path, query_string={"page": page}, headers=HTMX))
        assert shown == first  # one page: the first is the last


def test_a_page_past_the_end_is_the_last_page(client, world):
    with tenant_scope(world.a.tenant.id):
        db.session.add_all(JobFunction(name=f"Function {n:02d}") for n in range(PER_PAGE))
        db.session.commit()
    login(client, "hr_admin@a.example")
    last = _listing(client.get("/t/tenant-a/functions/?page=2", headers=HTMX))
    assert "Page 2 of 2" in last
    for page in ("3", "100001", "9223372036854775807"):
        assert _listing(client.get(f"/t/tenant-a/functions/?page={page}", headers=HTMX)) == last
