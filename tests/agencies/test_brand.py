"""The agency's brand: its admin sets name, colour and logo; its clients' pages and emails
show them."""

import io
import re

import pytest
import sqlalchemy as sa

from service.colours import contrast_with_white, readable
from service.extensions import db
from service.mail.models import TenantEmail
from service.mail.outbox import queue_email
from service.platform.logos import MAX_LOGO_BYTES
from service.tenancy import tenant_scope
from service.tenants.models import Agency
from tests.factories import make_agency, make_tenant
from tests.tenants.helpers import post_form, sign_in, text

PAGE = "/agency/agency-a/brand"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
GIF = b"GIF89a" + b"\x00" * 100
BRAND = {"brand_name": "Talentbrug Interim", "brand_colour": "#8A1C4A"}


@pytest.fixture
def agency_admin(client, world):
    sign_in(client, "agency_admin@agency-a.example")
    return client


def save(client, data: dict, logo: bytes | None = None, path: str = PAGE):
    files = {"logo": (io.BytesIO(logo), "logo.png")} if logo is not None else {}
    return post_form(client, path, {**data, **files}, content_type="multipart/form-data")


def agency_a() -> Agency:
    db.session.expire_all()
    return db.session.scalar(sa.select(Agency).where(Agency.slug == "agency-a"))


def brand(agency: Agency, name="Talentbrug Interim", colour="#8a1c4a", logo=PNG) -> None:
    agency = db.session.merge(agency)
    agency.brand_name, agency.brand_colour = name, colour
    agency.logo, agency.logo_mime_type = logo, "image/png" if logo else None
    db.session.commit()


# --- the agency admin's screen -----------------------------------------------------------


def test_the_agency_admin_sets_name_colour_and_logo(agency_admin, world):
    home = text(agency_admin.get("/agency/agency-a/"))
    assert 'href="/agency/agency-a/brand"' in home
    assert agency_admin.get(PAGE).status_code == 200

    response = save(agency_admin, BRAND, PNG)
    assert response.status_code == 302
    page = text(agency_admin.get(response.headers["Location"]))
    assert "Brand saved: your client companies&#39; pages and emails now show it." in page
    assert 'fill="#8a1c4a"' in page  # the preview, in the saved colour
    assert "contrast 9,0:1 (at least 4,5:1 is needed)" in page  # en_BE
    agency = agency_a()
    assert (agency.brand_name, agency.brand_colour) == ("Talentbrug Interim", "#8a1c4a")
    assert (agency.logo, agency.logo_mime_type) == (PNG, "image/png")
    logo = agency_admin.get("/agency/agency-a/logo")
    assert logo.data == PNG
    assert logo.headers["X-Content-Type-Options"] == "nosniff"

    again = save(agency_admin, BRAND)  # no new file: the logo stays
    assert "Nothing changed." in text(agency_admin.get(again.headers["Location"]))
    assert agency_a().logo == PNG


def test_the_logo_is_removed_or_replaced(agency_admin, world):
    brand(world.a.agency)
    assert "Remove the current logo" in text(agency_admin.get(PAGE))
    assert save(agency_admin, {**BRAND, "remove_logo": "y"}).status_code == 302
    agency = agency_a()
    assert (agency.logo, agency.logo_mime_type) == (None, None)
    assert agency_admin.get("/agency/agency-a/logo").status_code == 404
    assert "Remove the current logo" not in text(agency_admin.get(PAGE))

    jpeg = b"\xff\xd8\xff" + b"\x00" * 50
    assert save(agency_admin, BRAND, jpeg).status_code == 302
    assert agency_a().logo_mime_type == "image/jpeg"


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("#abc", "Enter a colour as # and six hex digits, like #0f766e."),
        ("0f766e", "Enter a colour as # and six hex digits, like #0f766e."),
        ("#f5b841", "This colour is too light for the white text on it (contrast below 4.5:1)."),
        ("#ffffff", "Choose a darker colour."),
    ],
)
def test_a_bad_or_too_light_colour_is_refused_at_its_field(agency_admin, world, colour, message):
    response = save(agency_admin, {**BRAND, "brand_colour": colour}, PNG)
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="brand_colour-error">[^<]*' + re.escape(message), page)
    assert f'value="{colour}"' in page  # what was typed stays
    agency = agency_a()
    assert (agency.brand_colour, agency.logo) == (None, None)


def test_a_logo_that_is_no_image_or_too_big_is_refused(agency_admin, world):
    page = text(save(agency_admin, BRAND, GIF))
    assert "Upload the logo as a PNG, JPEG or WebP image." in page
    too_big = PNG + b"\x00" * (MAX_LOGO_BYTES + 1 - len(PNG))
    response = save(agency_admin, {**BRAND, "brand_colour": "#ffff00"}, too_big)
    assert response.status_code == 422
    assert "The logo is larger than 200 KB." in text(response)
    assert "Choose a darker colour." in text(response)  # every mistake at once
    assert agency_a().brand_name is None


def test_only_the_agency_admin_of_this_agency_reaches_the_brand(app, world):
    consultant = app.test_client()
    sign_in(consultant, "consultant@agency-a.example")
    assert consultant.get(PAGE).status_code == 403
    assert save(consultant, BRAND).status_code == 403
    other = app.test_client()
    sign_in(other, "agency_admin@agency-b.example")
    assert other.get(PAGE).status_code == 404
    assert save(other, BRAND).status_code == 404
    assert agency_a().brand_colour is None


# --- what the clients see ----------------------------------------------------------------


def test_a_clients_page_shows_the_agency_brand(client, world):
    brand(world.a.agency)
    sign_in(client, "member@a.example")
    page = text(client.get("/t/tenant-a/"))
    assert re.search(r'class="scope-name">Tenant A</span>', page)
    assert re.search(r"with <img[^>]+src=\"/t/tenant-a/brand-logo\"[^>]*><span>Talentbrug", page)
    assert '<link rel="stylesheet" href="/t/tenant-a/brand.css?v=8a1c4a">' in page

    css = client.get("/t/tenant-a/brand.css?v=8a1c4a")
    assert css.mimetype == "text/css"
    assert "--header-bg: #8a1c4a;" in text(css)
    assert css.headers["Cache-Control"] == "private, max-age=86400"
    logo = client.get("/t/tenant-a/brand-logo")
    assert logo.data == PNG
    assert logo.mimetype == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert logo.headers["Content-Security-Policy"] == "default-src 'none'"
    assert (
        client.get(
            "/t/tenant-a/brand-logo", headers={"If-None-Match": logo.headers["ETag"]}
        ).status_code
        == 304
    )
    assert client.get("/t/tenant-a/members/").headers["Cache-Control"] == "no-store"


def test_an_agency_without_colour_or_logo_shows_its_name_only(client, world):
    sign_in(client, "member@a.example")
    page = text(client.get("/t/tenant-a/"))
    assert "with <span>Agency-A</span>" in page
    assert "brand.css" not in page
    assert "brand-logo" not in page
    assert client.get("/t/tenant-a/brand-logo").status_code == 404


def test_a_tenant_without_agency_shows_no_brand(client, world):
    from tests.factories import add_membership, make_user

    tenant = make_tenant("alone")
    add_membership(tenant, make_user("solo@alone.example"), "hr_admin")
    sign_in(client, "solo@alone.example")
    page = text(client.get("/t/alone/"))
    assert "agency-brand" not in page
    assert client.get("/t/alone/brand-logo").status_code == 404
    assert "No brand colour" in text(client.get("/t/alone/brand.css"))


def test_another_tenants_brand_files_answer_404(client, world):
    brand(world.b.agency, name="Other Brand", colour="#123456")
    sign_in(client, "member@a.example")
    assert client.get("/t/tenant-b/brand.css").status_code == 404
    assert client.get("/t/tenant-b/brand-logo").status_code == 404


def test_a_tenant_email_wears_the_agency_brand(app, world):
    brand(world.a.agency)
    with tenant_scope(world.a.tenant.id):
        email_id = queue_email(
            to="x@example.com",
            template="test",
            language="en",
            context={},
            tenant_id=world.a.tenant.id,
        )
        db.session.commit()
        email = db.session.get(TenantEmail, (world.a.tenant.id, email_id))
        assert "background:#8a1c4a" in email.body_html
        # The logo stands for the name in the band (tests/mail/test_attachments.py).
        assert '<img src="cid:agency-logo@exitloop" alt="Talentbrug Interim"' in email.body_html
        assert email.brand_logo
        assert "Exitloop, offered by Talentbrug Interim." in email.body_html
        assert "Exitloop, offered by Talentbrug Interim." in email.body_text
        assert email.sender_name == "Talentbrug Interim"


def test_platform_mail_keeps_exitloops_own_look(app):
    from service.mail.models import PlatformEmail

    email = db.session.get(
        PlatformEmail, queue_email(to="x@example.com", template="test", language="en", context={})
    )
    assert "background:#0f5c63" in email.body_html
    assert "Sent by Exitloop." in email.body_html
    assert "offered by" not in email.body_html


def test_a_colour_saved_before_the_contrast_rule_is_darkened_until_readable(client, world):
    brand(world.a.agency, colour="#f5b841", logo=None)
    assert contrast_with_white(readable("#f5b841")) >= 4.5
    sign_in(client, "member@a.example")
    css = text(client.get("/t/tenant-a/brand.css"))
    assert f"--header-bg: {readable('#f5b841')};" in css


def test_the_platform_refuses_a_too_light_colour_too(client, world):
    sign_in(client, "platform@exitloop.example")
    data = {"name": "Pale", "slug": "pale", "brand_colour": "#fde68a"}
    response = post_form(client, "/platform/agencies/new", data)
    assert response.status_code == 422
    assert "Choose a darker colour." in text(response)
    assert db.session.scalar(sa.select(Agency).where(Agency.slug == "pale")) is None
    assert make_agency("pale-later").brand_colour is None
