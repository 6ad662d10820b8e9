"""The platform operator's agencies: list, create (with a logo), suspend and reactivate."""

import datetime as dt
import html
import io

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.model_types import utcnow
from service.platform.logos import MAX_LOGO_BYTES
from service.tenants.models import Agency, TenantStatus
from tests.conftest import writes_to
from tests.factories import make_agency, make_agency_invitation, make_user
from tests.tenants.helpers import post_form, sign_in, text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
NEW = {
    "name": "Talentbrug Interim",
    "slug": "talentbrug",
    "brand_name": "Talentbrug",
    "brand_colour": "#0F766E",
}


@pytest.fixture
def operator(client, world):
    sign_in(client, "platform@exitloop.example")
    return client


def create(client, data: dict, logo: bytes | None = None, filename: str = "logo.png"):
    files = {"logo": (io.BytesIO(logo), filename)} if logo is not None else {}
    return post_form(
        client,
        "/platform/agencies/new",
        {**data, **files},
        content_type="multipart/form-data",
    )


def agency_slugs() -> list[str]:
    return sorted(db.session.scalars(sa.select(Agency.slug)))


def test_the_list_shows_agencies_with_their_client_count(operator, world):
    page = text(operator.get("/platform/"))
    assert "Agency-A" in page
    assert "/agency/agency-b/" in page


def test_the_list_searches_and_paginates(operator, world):
    for n in range(25):
        make_agency(f"partner-{n:02d}", name=f"Partner {n:02d}")
    first = text(operator.get("/platform/"))
    assert "Page 1 of 2" in first
    assert "Partner 22" in first
    assert "Partner 23" not in first
    assert "Partner 24" in text(operator.get("/platform/?page=2"))
    found = text(operator.get("/platform/?q=PARTNER 1"))
    assert "Partner 19" in found
    assert "Agency-A" not in found


def test_create_an_agency_with_a_logo(operator, world):
    response = create(operator, NEW, PNG)
    assert response.status_code == 302
    assert "Agency “Talentbrug Interim” created." in text(
        operator.get(response.headers["Location"])
    )
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == "talentbrug"))
    assert agency.brand_colour == "#0f766e"
    assert agency.logo_mime_type == "image/png"
    logo = operator.get(f"/platform/agencies/{agency.id}/logo")
    assert logo.status_code == 200
    assert logo.mimetype == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert logo.data == PNG


def test_a_logo_of_exactly_the_limit_is_accepted(operator, world):
    logo = PNG + b"\x00" * (MAX_LOGO_BYTES - len(PNG))
    assert create(operator, NEW, logo).status_code == 302


@pytest.mark.parametrize(
    ("logo", "filename", "message"),
    [
        (PNG + b"\x00" * (MAX_LOGO_BYTES - len(PNG) + 1), "logo.png", "larger than 200 KB"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "logo.svg", "PNG, JPEG"),
        (b"GIF89a....", "logo.png", "PNG, JPEG or WebP"),
    ],
)
def test_a_bad_logo_is_refused(operator, world, logo, filename, message):
    response = create(operator, NEW, logo, filename)
    assert response.status_code == 422
    assert message in text(response).split('id="logo-error">')[1].split("</p>")[0]
    assert agency_slugs() == ["agency-a", "agency-b"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "ab"}, "slug", "Use 3 to 63 characters."),
        ({"slug": "x" * 64}, "slug", "Use 3 to 63 characters."),
        ({"slug": "Talent Brug"}, "slug", "Use lowercase letters a-z"),
        ({"slug": "static"}, "slug", "This web address is reserved."),
        ({"slug": "agency-b"}, "slug", "This web address is already in use."),
        ({"brand_colour": "teal"}, "brand_colour", "Enter a colour as #"),
        ({"brand_colour": "#0f766"}, "brand_colour", "Enter a colour as #"),
        ({"name": ""}, "name", "Enter the name of the agency."),
        ({"brand_name": "x" * 121}, "brand_name", "Use at most 120 characters."),
    ],
)
def test_bad_input_writes_nothing(operator, world, change, field, message):
    response = create(operator, {**NEW, **change})
    assert response.status_code == 422
    assert message in text(response).split(f'id="{field}-error">')[1].split("</p>")[0]
    assert agency_slugs() == ["agency-a", "agency-b"]


def test_a_suspended_agency_loses_its_pages_and_its_clients(operator, client, world):
    agency_id = world.a.agency.id
    admin = client.application.test_client()
    sign_in(admin, "agency_admin@agency-a.example")
    assert admin.get("/agency/agency-a/").status_code == 200
    assert admin.get("/t/tenant-a/settings").status_code == 200

    assert post_form(operator, f"/platform/agencies/{agency_id}/suspend").status_code == 302
    db.session.expire_all()
    assert db.session.get(Agency, agency_id).status == TenantStatus.SUSPENDED
    assert admin.get("/agency/agency-a/").status_code == 403
    assert admin.get("/t/tenant-a/settings").status_code == 404
    # The client company itself carries on: its own HR admin still works.
    hr_admin = client.application.test_client()
    sign_in(hr_admin, "hr_admin@a.example")
    assert hr_admin.get("/t/tenant-a/settings").status_code == 200

    assert post_form(operator, f"/platform/agencies/{agency_id}/reactivate").status_code == 302
    assert admin.get("/agency/agency-a/").status_code == 200
    assert admin.get("/t/tenant-a/settings").status_code == 200


@pytest.mark.parametrize(
    "email", ["agency_admin@agency-a.example", "hr_admin@a.example", "consultant@agency-b.example"]
)
def test_platform_pages_are_404_for_everyone_else(client, world, email):
    sign_in(client, email)
    agency_id = world.a.agency.id
    for path in ("/platform/", "/platform/agencies/new", f"/platform/agencies/{agency_id}/logo"):
        assert client.get(path).status_code == 404, path
    assert post_form(client, f"/platform/agencies/{agency_id}/suspend").status_code == 404
    assert create(client, NEW).status_code == 404
    db.session.expire_all()
    assert db.session.get(Agency, agency_id).status == TenantStatus.ACTIVE


def test_unknown_agency_ids_are_404(operator, world):
    unknown = "01a21bc3-0000-7000-8000-000000000000"
    assert post_form(operator, f"/platform/agencies/{unknown}/suspend").status_code == 404
    assert operator.get(f"/platform/agencies/{world.a.agency.id}/logo").status_code == 404


def test_the_new_agency_form_names_its_limits(operator, world):
    page = text(operator.get("/platform/agencies/new"))
    assert 'enctype="multipart/form-data"' in page
    assert "PNG, JPEG or WebP, at most 200 KB" in page


def test_the_first_admin_invitation_is_linked_where_it_exists(operator, world):
    newcomer = make_agency("newcomer")  # no admin yet: the link is due
    page = text(operator.get("/platform/"))
    link = f"/platform/agencies/{newcomer.id}/invite-admin"
    assert (link in page) == (
        "platform_people.invite_agency_admin" in operator.application.view_functions
    )


def _row(client, agency: Agency) -> str:
    page = text(client.get("/platform/"))
    start = page.index(f"/agency/{agency.slug}/")
    return page[start : page.index("</tr>", start)]


def test_the_first_admin_invitation_is_offered_only_where_one_is_missing(operator, world):
    newcomer = make_agency("newcomer")
    assert f"/platform/agencies/{newcomer.id}/invite-admin" in _row(operator, newcomer)
    # Agency A has its admin; a pending consultant invitation there changes nothing.
    row = _row(operator, world.a.agency)
    assert "/invite-admin" not in row
    assert "Invitation pending" not in row


def test_a_pending_admin_invitation_is_named_instead_of_the_link(operator, world):
    newcomer = make_agency("newcomer")
    make_agency_invitation(newcomer, "consultant@newcomer.example")  # not an admin
    assert "/invite-admin" in _row(operator, newcomer)
    invitation = make_agency_invitation(newcomer, "boss@newcomer.example", role="agency_admin")
    row = _row(operator, newcomer)
    assert "Invitation pending" in row
    assert "/invite-admin" not in row
    invitation.expires_at = utcnow() - dt.timedelta(minutes=1)  # nobody can answer it now
    db.session.commit()
    assert "/invite-admin" in _row(operator, newcomer)


def test_an_empty_platform_leads_to_the_new_agency_form(app, client):
    make_user("operator@exitloop.example", is_platform_admin=True)
    sign_in(client, "operator@exitloop.example")
    page = text(client.get("/platform/"))
    assert "No agencies yet." in page
    assert '<a href="/platform/agencies/new">Create the first agency</a>' in page


def test_suspending_an_agency_asks_first_and_names_who_is_touched(operator, world):
    agency_id = world.a.agency.id
    path = f"/platform/agencies/{agency_id}/suspend"
    agencies = text(operator.get("/platform/"))
    assert f'href="{path}"' in agencies
    assert f'action="{path}"' not in agencies
    response = operator.get(path)
    assert response.status_code == 200
    assert f'<form method="post" action="{path}"' in text(response)
    page = html.unescape(text(response))
    assert "Suspend “Agency-A”?" in page
    assert "Its 2 administrators and consultants lose access to the agency" in page
    assert "Its 1 client company stays open to its own members; nothing is deleted." in page
    assert "To undo, choose Reactivate in the list of agencies." in page
    db.session.expire_all()
    assert db.session.get(Agency, agency_id).status == TenantStatus.ACTIVE

    done = post_form(operator, path)
    assert done.status_code == 302
    flashed = html.unescape(text(operator.get(done.headers["Location"])))
    assert "“Agency-A” is suspended: its administrators and consultants have no access" in flashed
    with writes_to("agencies") as written:
        again = post_form(operator, path)
    assert written == []
    assert "“Agency-A” was already suspended." in html.unescape(
        text(operator.get(again.headers["Location"]))
    )
    assert "“Agency-A” is already suspended." in html.unescape(text(operator.get(path)))


def test_reactivating_an_active_agency_says_nothing_changed(operator, world):
    with writes_to("agencies") as written:
        response = post_form(operator, f"/platform/agencies/{world.a.agency.id}/reactivate")
    assert written == []
    page = html.unescape(text(operator.get(response.headers["Location"])))
    assert "“Agency-A” was already active." in page
    assert "is active again" not in page


def test_the_suspension_question_is_404_outside_the_platform(client, world):
    sign_in(client, "agency_admin@agency-a.example")
    assert client.get(f"/platform/agencies/{world.a.agency.id}/suspend").status_code == 404
