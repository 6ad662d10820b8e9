""" "You said, we did": HR publishes a done action's summary; the public page shows only
that, in the reader's language, without sign-in, and reveals nothing else."""

import re

import pytest
import sqlalchemy as sa

from service.actions.models import Action, ActionEvent, ActionStatus, EventKind
from service.actions.publishing import publish_action, unpublish_action
from service.actions.services import StaleAction, move_action
from service.extensions import db
from service.refusals import Refused
from service.tenancy import tenant_scope
from service.tenants.models import TenantStatus
from tests.factories import make_action
from tests.tenants.helpers import post_form, sign_in, text

SUMMARY = "Het uurrooster van de keuken is twee weken vooraf bekend."
SECRET_QUOTE = "Mijn chef schreeuwde elke dienst"


def done_action(side, title="Keukenrooster herbekijken", **values):
    action = make_action(
        side.tenant,
        side.objects["membership"],
        title,
        description="Intern: de chef-kok van Gent ligt onder vuur.",
        evidence=None,
        **values,
    )
    with tenant_scope(side.tenant.id):
        action = db.session.get(Action, (side.tenant.id, action.id))
        action.evidence = {"quotes": [SECRET_QUOTE], "respondents": 9}
        db.session.commit()
        move_action(
            action, action.revision, ActionStatus.DONE, actor=None, outcome="Intern verslag"
        )
        return db.session.get(Action, (side.tenant.id, action.id))


def publish(side, action, summary=SUMMARY):
    with tenant_scope(side.tenant.id):
        action = db.session.get(Action, (side.tenant.id, action.id))
        return publish_action(action, action.revision, summary, actor=None)


def test_only_a_done_action_with_a_summary_is_published_and_its_history_says_so(world):
    side = world.a
    with tenant_scope(side.tenant.id):
        open_action = db.session.get(Action, (side.tenant.id, side.objects["action"].id))
        with pytest.raises(Refused) as refused:
            publish_action(open_action, open_action.revision, SUMMARY, actor=None)
        assert "form" in refused.value.errors
        assert not db.session.get(Action, (side.tenant.id, open_action.id)).published
    action = done_action(side)
    with tenant_scope(side.tenant.id):
        fresh = db.session.get(Action, (side.tenant.id, action.id))
        with pytest.raises(Refused) as refused:
            publish_action(fresh, fresh.revision, "   ", actor=None)
        assert "public_summary" in refused.value.errors
        with pytest.raises(Refused):
            publish_action(fresh, fresh.revision, "x" * 1001, actor=None)
        with pytest.raises(StaleAction):
            publish_action(fresh, fresh.revision - 1, SUMMARY, actor=None)
    assert publish(side, action) is True
    assert publish(side, action) is False  # the same summary again: nothing to do
    with tenant_scope(side.tenant.id):
        fresh = db.session.get(Action, (side.tenant.id, action.id))
        assert (fresh.published, fresh.public_summary) == (True, SUMMARY)
        assert unpublish_action(fresh, fresh.revision, actor=None) is True
        fresh = db.session.get(Action, (side.tenant.id, action.id))
        assert not fresh.published
        assert fresh.public_summary == SUMMARY  # kept for a later publication
        kinds = db.session.scalars(
            sa.select(ActionEvent.kind).where(ActionEvent.action_id == action.id)
        ).all()
    assert kinds.count(EventKind.PUBLISHED) == 1
    assert kinds.count(EventKind.UNPUBLISHED) == 1


def test_the_public_page_shows_only_published_summaries_and_nothing_else(client, world):
    side = world.a
    published = done_action(side)
    publish(side, published)
    done_action(side, "Niet gepubliceerde actie")
    response = client.get(f"/p/{side.tenant.slug}/you-said-we-did")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert side.tenant.name in page
    assert "Keukenrooster herbekijken" in page
    assert SUMMARY in page
    for hidden in (
        "Niet gepubliceerde actie",  # done, not published
        side.objects["action"].title,  # still open
        SECRET_QUOTE,  # evidence
        "ligt onder vuur",  # description
        "Intern verslag",  # outcome
        "member@a.example",  # the owner
    ):
        assert hidden not in page, hidden
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept-Language" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers


def test_unknown_suspended_and_silent_companies_get_the_same_page(client, world):
    """Nobody learns from the address whether a company uses Exitloop."""
    silent = client.get(f"/p/{world.a.tenant.slug}/you-said-we-did")
    unknown = client.get("/p/no-such-company/you-said-we-did")
    assert silent.status_code == unknown.status_code == 200
    assert silent.get_data() == unknown.get_data()
    assert world.a.tenant.name not in silent.get_data(as_text=True)
    assert "Nothing has been published here yet." in unknown.get_data(as_text=True)

    publish(world.b, done_action(world.b))
    tenant = db.session.merge(world.b.tenant)
    tenant.status = TenantStatus.SUSPENDED
    db.session.commit()
    suspended = client.get(f"/p/{world.b.tenant.slug}/you-said-we-did")
    assert suspended.get_data() == unknown.get_data()
    assert client.get(f"/p/{world.b.tenant.slug}/brand.css").status_code == 404


def test_the_page_reads_in_the_browsers_language_and_wears_the_agency_brand(client, world):
    side = world.a  # a Dutch and French company
    agency = db.session.merge(side.agency)
    agency.brand_name, agency.brand_colour = "Talentbrug Interim", "#0f766e"
    db.session.commit()
    publish(side, done_action(side))
    url = f"/p/{side.tenant.slug}/you-said-we-did"
    french = client.get(url, headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    text = french.get_data(as_text=True).replace("&#39;", "'")
    assert '<html lang="fr">' in text
    assert "Vous l'avez dit, nous l'avons fait" in text
    assert "Talentbrug Interim" in text
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert "You said, we did" in english
    css = client.get(f"/p/{side.tenant.slug}/brand.css")
    assert css.status_code == 200
    assert "--header-bg: #0f766e" in css.get_data(as_text=True)
    # German is not offered: the company's languages only.
    german = client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="nl">' in german


def test_hr_publishes_from_the_action_and_takes_it_off_again(client, world):
    side = world.a
    action = done_action(side)
    sign_in(client, "hr@a.example")
    url = f"/t/tenant-a/actions/{action.id}/publish"
    form = text(client.get(url))
    assert "never its evidence, description, outcome note or owner" in form
    assert "http://localhost/p/tenant-a/you-said-we-did" in form  # the address to share
    refused = post_form(client, url, {"public_summary": " ", "revision": str(action.revision)})
    assert refused.status_code == 422
    assert "Write what changed, for staff and candidates to read." in text(refused)
    response = post_form(client, url, {"public_summary": SUMMARY, "revision": str(action.revision)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/tenant-a/actions/{action.id}")
    assert SUMMARY in text(client.get("/p/tenant-a/you-said-we-did"))
    # A form read before that publication is stale: told so, nothing overwritten.
    stale = post_form(
        client, url, {"public_summary": "Iets anders", "revision": str(action.revision)}
    )
    assert stale.status_code == 422
    assert "Someone else changed this action in the meantime." in text(stale)
    assert "Iets anders" not in text(client.get("/p/tenant-a/you-said-we-did"))

    confirm = text(client.get(f"/t/tenant-a/actions/{action.id}/unpublish"))
    assert "Its summary is kept: you can publish it again later." in confirm
    revision = re.search(r'name="revision" value="(\d+)"', confirm).group(1)
    taken_off = post_form(
        client, f"/t/tenant-a/actions/{action.id}/unpublish", {"revision": revision}
    )
    assert taken_off.status_code == 302
    assert SUMMARY not in text(client.get("/p/tenant-a/you-said-we-did"))


def test_an_open_action_offers_no_publication(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get(f"/t/tenant-a/actions/{world.a.objects['action'].id}/publish"))
    assert "Only a done action can be published: close it as done first." in page
    assert 'name="public_summary"' not in page
