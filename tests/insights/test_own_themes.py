"""The tenant's own themes: the settings page, its rules, and reading again after a change."""

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.insights.models import TenantTheme, ThemeCorrection, ThemeTag
from service.tenancy import tenant_scope
from tests.factories import make_tenant_theme
from tests.insights.helpers import assert_themes_follow_tags, free_text_version, respond, themes_of
from tests.tenants.helpers import post_form, sign_in, text

PAGE = "/t/tenant-a/settings/themes/"
VALID = {
    "label_nl": "Verhuis van de kantoren",
    "label_fr": "Déménagement des bureaux",
    "keywords_nl": "verhuis\nnieuwe kantoor\nkantoor-",
    "keywords_fr": "déménagement\nnouveaux bureaux",
}


def own(world) -> dict[str, TenantTheme]:
    with tenant_scope(world.a.tenant.id):
        db.session.expire_all()
        rows = db.session.scalars(sa.select(TenantTheme)).all()
        for row in rows:
            db.session.expunge(row)
        return {row.key: row for row in rows}


def test_the_page_lists_default_themes_in_three_languages_and_own_ones(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get(PAGE))
    assert "Pay and benefits" in page
    assert "Verloning en voordelen" in page
    assert "Rémunération et avantages" in page
    assert "Reorganisatie" in page  # the world's own theme
    assert "Add a theme" in page


def test_hr_admin_adds_a_theme_whose_keywords_tag_old_answers(client, world):
    tenant = world.a.tenant
    version = free_text_version(tenant)
    response = respond(
        tenant, version, "Sinds de verhuis naar het nieuwe kantoor sta ik in de file."
    )
    assert not any(key.startswith("own_verhuis") for key in themes_of(tenant, response))
    sign_in(client, "hr_admin@a.example")
    answer = post_form(client, PAGE, VALID)
    assert answer.status_code == 302
    assert "own_verhuis_van_de_kantoren" in own(world)
    # The re-read job ran after the commit (in-process here): the old answer is tagged now.
    tag = themes_of(tenant, response)["own_verhuis_van_de_kantoren"]
    assert "verhuis" in tag.why.lower()
    # …and a new answer too.
    later = respond(tenant, version, "Het nieuwe kantoor ligt te ver.")
    assert "own_verhuis_van_de_kantoren" in themes_of(tenant, later)


def test_the_key_is_unique_and_never_renamed(client, world):
    sign_in(client, "hr_admin@a.example")
    post_form(
        client, PAGE, {**VALID, "label_nl": "Reorganisatie!", "keywords_nl": "herstructurering"}
    )
    themes = own(world)
    assert "own_reorganisatie" in themes  # the world's is "own_reorganisation"
    theme = themes["own_reorganisatie"]
    edit = f"{PAGE}{theme.id}"
    assert (
        post_form(
            client, edit, {**VALID, "label_nl": "Iets anders", "keywords_nl": "herstructurering"}
        ).status_code
        == 302
    )
    themes = own(world)
    assert themes["own_reorganisatie"].labels["nl"] == "Iets anders"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"label_nl": ""}, "label_nl", "Give the theme a name in Nederlands."),
        ({"keywords_fr": ""}, "keywords_fr", "List at least one keyword in Français."),
        (
            {"keywords_nl": "\n".join(f"woord{n}" for n in range(31))},
            "keywords_nl",
            "List at most 30 keywords.",
        ),
        ({"keywords_nl": "x" * 61}, "keywords_nl", "Keep each keyword to 60 characters."),
        ({"keywords_nl": "goed\n!!!"}, "keywords_nl", "Each keyword needs at least one word"),
        ({"keywords_nl": "-"}, "keywords_nl", "Each keyword needs at least one word"),
        ({"label_nl": "x" * 81}, "label_nl", "Use at most 80 characters."),
        ({"label_nl": "reorganisatie"}, "label_nl", "Another of your themes has this name."),
        ({"keywords_nl": "Reorganisatie"}, "keywords_nl", "belongs to another of your themes"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, world, change, field, message):
    sign_in(client, "hr_admin@a.example")
    answer = post_form(client, PAGE, {**VALID, **change})
    assert answer.status_code == 422
    page = text(answer)
    assert message in page
    assert f'id="{field}-error"' in page
    assert len(own(world)) == 1


def test_thirty_keywords_of_sixty_characters_are_accepted(client, world):
    sign_in(client, "hr_admin@a.example")
    words = "\n".join(f"{n:02d}woord" + "x" * 53 for n in range(30))
    assert post_form(client, PAGE, {**VALID, "keywords_nl": words}).status_code == 302


def test_deleting_asks_then_removes_the_theme_with_its_tags_and_corrections(client, world):
    tenant = world.a.tenant
    version = free_text_version(tenant)
    response = respond(tenant, version, "Die reorganisatie heeft alles kapotgemaakt.")
    assert "own_reorganisation" in themes_of(tenant, response)
    theme = own(world)["own_reorganisation"]
    sign_in(client, "hr_admin@a.example")
    asked = text(client.get(f"{PAGE}{theme.id}/delete"))
    assert "Delete the theme “Reorganisatie”?" in asked
    assert "(1 answer is tagged with it now)" in asked
    assert post_form(client, f"{PAGE}{theme.id}/delete").status_code == 302
    assert own(world) == {}
    with tenant_scope(tenant.id):
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ThemeTag)
                .where(ThemeTag.theme == "own_reorganisation")
            )
            == 0
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeCorrection)) == 0
        assert_themes_follow_tags(response.id)  # the dashboard no longer counts it


def test_a_theme_an_action_names_cannot_be_deleted(client, world):
    from service.actions.models import ActionTheme

    tenant = world.a.tenant
    theme = own(world)["own_reorganisation"]
    with tenant_scope(tenant.id):
        db.session.add(ActionTheme(action_id=world.a.objects["action"].id, theme=theme.key))
        db.session.commit()
    sign_in(client, "hr_admin@a.example")
    asked = text(client.get(f"{PAGE}{theme.id}/delete"))
    assert "Actions on the board name this theme" in asked
    answer = post_form(client, f"{PAGE}{theme.id}/delete", follow_redirects=True)
    assert "1 action names this theme: remove the theme from it first." in text(answer)
    assert "own_reorganisation" in own(world)


def test_another_tenants_theme_is_a_404(client, world):
    other = make_tenant_theme(world.b.tenant, key="own_b_only")
    sign_in(client, "hr_admin@a.example")
    assert client.get(f"{PAGE}{other.id}").status_code == 404
    assert post_form(client, f"{PAGE}{other.id}", VALID).status_code == 404
    assert post_form(client, f"{PAGE}{other.id}/delete").status_code == 404


def test_only_the_hr_admin_manages_themes(client, world):
    sign_in(client, "hr@a.example")
    assert client.get(PAGE).status_code == 403
    assert post_form(client, PAGE, VALID).status_code == 403
