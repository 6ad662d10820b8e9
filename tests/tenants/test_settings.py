"""Tenant settings: the tenant's own choices; never its slug or status."""

import pytest

from service.extensions import db
from service.tenants.models import Tenant, TenantStatus
from tests.tenants.helpers import post_form, sign_in, text

VALID = {
    "name": "Tenant A NV",
    "languages": ["fr", "nl"],
    "default_language": "fr",
    "time_zone": "Europe/Luxembourg",
    "confidentiality_k": "7",
    "quote_threshold": "",
    "data_protection_contact": "dpo@a.example",
    "survey_invite_days_before": "3",
    "survey_reminder_days": "3, 7",
    "survey_expiry_days": "21",
    "action_reminder_days": "3",
}


QUOTE = (
    "Choose a number from the confidentiality threshold up to 30, or leave it empty for "
    "twice the threshold."
)


def saved(world) -> Tenant:
    db.session.expire_all()
    return db.session.get(Tenant, world.a.tenant.id)


def test_hr_admin_edits_settings_but_not_slug_or_status(client, world):
    sign_in(client, "hr_admin@a.example")
    data = {**VALID, "slug": "hijacked", "status": "suspended", "sector": "it"}
    response = post_form(client, "/t/tenant-a/settings", data)
    assert response.status_code == 302
    assert "Settings saved." in text(client.get(response.headers["Location"]))
    tenant = saved(world)
    assert tenant.name == "Tenant A NV"
    assert tenant.languages == ["nl", "fr"]
    assert tenant.default_language == "fr"
    assert tenant.time_zone == "Europe/Luxembourg"
    assert tenant.confidentiality_k == 7
    assert tenant.data_protection_contact == "dpo@a.example"
    assert (tenant.slug, tenant.status, tenant.sector.value) == (
        "tenant-a",
        TenantStatus.ACTIVE,
        "retail",
    )


def test_agency_admin_supports_its_client(client, world):
    sign_in(client, "agency_admin@agency-a.example")
    assert post_form(client, "/t/tenant-a/settings", VALID).status_code == 302
    assert saved(world).name == "Tenant A NV"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"confidentiality_k": "2"}, "confidentiality_k", "Choose a threshold from 3 to 10."),
        ({"confidentiality_k": "11"}, "confidentiality_k", "Choose a threshold from 3 to 10."),
        ({"confidentiality_k": "five"}, "confidentiality_k", "Enter a whole number."),
        ({"languages": []}, "languages", "Choose at least one language."),
        ({"languages": ["nl", "de"]}, "languages", "Choose among Dutch, French and English."),
        (
            {"languages": ["nl"], "default_language": "fr"},
            "default_language",
            "The default language must be one of the chosen languages.",
        ),
        (
            {"time_zone": "Europe/Atlantis"},
            "time_zone",
            "Choose a time zone from the list, such as Europe/Brussels.",
        ),
        ({"name": "x" * 121}, "name", "Use at most 120 characters."),
        ({"quote_threshold": "6"}, "quote_threshold", QUOTE),  # below k (7)
        ({"quote_threshold": "31"}, "quote_threshold", QUOTE),
        ({"quote_threshold": "ten"}, "quote_threshold", "Enter a whole number."),
        ({"name": " "}, "name", "Enter the company name."),
        (
            {"data_protection_contact": "not an email"},
            "data_protection_contact",
            "Enter a valid email address.",
        ),
    ],
)
def test_bad_settings_are_refused_with_field_messages(client, world, change, field, message):
    sign_in(client, "hr_admin@a.example")
    response = post_form(client, "/t/tenant-a/settings", {**VALID, **change})
    assert response.status_code == 422
    assert f'id="{field}-error">{message}</p>' in text(response)
    tenant = saved(world)
    assert (tenant.name, tenant.confidentiality_k) == ("Tenant A", 5)


def test_the_threshold_limits_themselves_are_accepted(client, world):
    sign_in(client, "hr_admin@a.example")
    for k in ("3", "10"):
        data = {**VALID, "confidentiality_k": k}
        assert post_form(client, "/t/tenant-a/settings", data).status_code == 302
        assert saved(world).confidentiality_k == int(k)


def test_the_quote_threshold_is_k_to_30_or_empty_for_twice_k(client, world):
    sign_in(client, "hr_admin@a.example")
    for given, stored in (("7", 7), ("30", 30), ("", None)):
        data = {**VALID, "quote_threshold": given}
        assert post_form(client, "/t/tenant-a/settings", data).status_code == 302
        assert saved(world).quote_threshold == stored
    page = text(client.get("/t/tenant-a/settings"))
    assert "Responses needed before quotes are shown" in page
    assert "twice the threshold (now 14)" in page


def test_the_settings_page_shows_the_current_values(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get("/t/tenant-a/settings"))
    assert 'value="Tenant A"' in page
    assert "/t/tenant-a/" in page
    assert 'name="languages" value="fr" checked' in page
    assert 'name="languages" value="en">' in page
