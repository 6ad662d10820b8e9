"""One language rule for a person, on every page and in every email: their chosen language,
else the browser's among nl/fr/en, else the scope's default, else English; offered once after
a sign-in; dates nobody can misread."""

import datetime as dt
import re

import sqlalchemy as sa

from service.accounts.models import TenantInvitation, User
from service.extensions import db
from service.i18n import language_for
from service.mail.models import PlatformEmail
from service.mail.outbox import queue_email
from service.tenancy import tenant_scope
from tests.accounts.conftest import emails_to, link_in_last_email, post
from tests.conftest import login, translated

AGENCY_ADMIN = "agency_admin@agency-a.example"
# The three pages an agency admin moves between: a client's, the agency's, their own.
PAGES = ("/t/tenant-a/", "/agency/agency-a/", "/profile")
PROMPT = 'class="language-prompt"'
AMBIGUOUS_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")  # 02/12/26: which is the day?


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w\w)"', response.get_data(as_text=True)).group(1)


def browser(app, accept_language: str | None):
    """A test client that sends ``accept_language`` with every request, as a browser does."""
    client = app.test_client()
    if accept_language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return client


def choose(email: str, language: str | None) -> None:
    db.session.execute(
        sa.update(User).where(User.email == email).values(preferred_language=language)
    )
    db.session.commit()


def test_without_a_chosen_language_the_browser_speaks_on_every_page(app, world):
    """The agency admin's French browser wins over tenant A's Dutch default: the same
    language on the client's page, the portfolio and the profile."""
    assert world.a.tenant.default_language == "nl"
    client = browser(app, "fr-BE,fr;q=0.9,en;q=0.5")
    login(client, AGENCY_ADMIN)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert html_lang(page) == "fr", path
        assert translated("Sign out", "fr") in page.get_data(as_text=True), path


def test_a_chosen_language_wins_whatever_the_browser_says(app, world):
    choose(AGENCY_ADMIN, "nl")
    for accept_language in ("fr", "en-GB,en", None):
        client = browser(app, accept_language)
        login(client, AGENCY_ADMIN)
        for path in PAGES:
            page = client.get(path)
            assert html_lang(page) == "nl", (accept_language, path)
            assert translated("Sign out", "nl") in page.get_data(as_text=True)


def test_without_a_usable_browser_language_the_scope_default_applies(app, world):
    world.a.tenant.default_language = "fr"
    db.session.add(world.a.tenant)
    db.session.commit()
    for accept_language in (None, "de-DE,de"):
        client = browser(app, accept_language)
        login(client, AGENCY_ADMIN)
        assert html_lang(client.get("/t/tenant-a/")) == "fr"  # the tenant's default
        assert html_lang(client.get("/agency/agency-a/")) == "nl"  # agencies: Dutch
        assert html_lang(client.get("/profile")) == "en"  # no scope: English
        assert html_lang(browser(app, accept_language).get("/login")) == "en"


def test_the_footer_switch_is_the_persons_choice_from_then_on(app, world):
    client = browser(app, "fr")
    login(client, AGENCY_ADMIN)
    post(client, "/language", {"language": "en", "next": "/profile"}, token_from="/profile")
    assert db.session.scalar(sa.select(User.preferred_language).where(User.email == AGENCY_ADMIN))
    assert all(html_lang(client.get(path)) == "en" for path in PAGES)
    # On another device too: the choice belongs to the person, not to the browser.
    other = browser(app, "nl")
    login(other, AGENCY_ADMIN)
    assert all(html_lang(other.get(path)) == "en" for path in PAGES)


def test_an_error_page_speaks_the_persons_language(app, world):
    choose(AGENCY_ADMIN, "fr")
    client = browser(app, "nl")
    login(client, AGENCY_ADMIN)
    missing = client.get("/t/tenant-b/")
    assert missing.status_code == 404
    assert html_lang(missing) == "fr"


# --- offered once after a sign-in ---------------------------------------------------------


def test_the_language_is_offered_once_after_signing_in_until_chosen(app, world):
    client = browser(app, "fr")
    landing = login(client, AGENCY_ADMIN)
    page = client.get(landing.location, follow_redirects=True)
    body = page.get_data(as_text=True)
    assert PROMPT in body
    prompt = body[body.index(PROMPT) : body.index("</section>", body.index(PROMPT))]
    assert translated("Keep English", "fr") == "Garder le français"
    assert "Garder le français" in prompt
    assert 'value="nl" lang="nl">Nederlands</button>' in prompt
    assert 'value="en" lang="en">English</button>' in prompt
    assert 'action="/language"' in prompt
    # Once: the next page does not ask again.
    assert PROMPT not in client.get("/profile").get_data(as_text=True)

    # Not chosen yet: the next sign-in offers it again; choosing ends the offers.
    again = browser(app, "fr")
    login(again, AGENCY_ADMIN)
    assert PROMPT in again.get("/", follow_redirects=True).get_data(as_text=True)
    post(again, "/language", {"language": "nl", "next": "/"}, token_from="/profile")
    assert all(html_lang(again.get(path)) == "nl" for path in PAGES)
    later = browser(app, "fr")
    login(later, AGENCY_ADMIN)
    assert PROMPT not in later.get("/", follow_redirects=True).get_data(as_text=True)


def test_keeping_the_language_shown_counts_as_a_choice(app, world):
    client = browser(app, "fr")
    login(client, AGENCY_ADMIN)
    assert PROMPT in client.get("/", follow_redirects=True).get_data(as_text=True)
    post(client, "/language", {"language": "fr", "next": "/"}, token_from="/profile")
    user = db.session.scalar(sa.select(User).where(User.email == AGENCY_ADMIN))
    assert user.preferred_language == "fr"
    # Now French even where the browser says otherwise.
    dutch_browser = browser(app, "nl")
    login(dutch_browser, AGENCY_ADMIN)
    page = dutch_browser.get("/", follow_redirects=True)
    assert html_lang(page) == "fr"
    assert PROMPT not in page.get_data(as_text=True)


def test_someone_who_has_chosen_is_never_offered_the_language(app, world):
    choose(AGENCY_ADMIN, "en")
    client = browser(app, "fr")
    login(client, AGENCY_ADMIN)
    assert PROMPT not in client.get("/", follow_redirects=True).get_data(as_text=True)


# --- emailed links and emails -------------------------------------------------------------


def _invite(inviter, email: str, language: str):
    return post(
        inviter,
        "/t/tenant-a/members/invite",
        {"email": email, "display_name": "Invited", "role": "hr", "language": language},
        token_from="/t/tenant-a/members/",
    )


def test_an_invitation_to_someone_who_chose_a_language_is_in_theirs(app, world):
    """The inviter's choice is a guess for a new person; an account's own choice wins."""
    inviter = browser(app, None)
    login(inviter, "hr_admin@a.example")
    assert _invite(inviter, "nieuw@example.com", "nl").status_code == 302
    (new_person,) = emails_to("nieuw@example.com")
    assert new_person.language == "nl"
    assert new_person.subject == translated("Invitation to %(place)s on Exitloop", "nl") % {
        "place": world.a.tenant.name
    }
    # an account that chose French: a French email, and a French link page
    choose("hr@b.example", "fr")
    assert _invite(inviter, "hr@b.example", "nl").status_code == 302
    (existing,) = emails_to("hr@b.example")
    assert existing.language == "fr"
    assert existing.subject.startswith("Invitation à")
    page = browser(app, "en").get(link_in_last_email("hr@b.example"))
    assert html_lang(page) == "fr"


def test_the_invitations_language_is_not_taken_for_the_persons_choice(app, world):
    """A new person accepting a Dutch invitation reads the link page in Dutch, then the rule:
    their (French) browser, and the offer to choose."""
    inviter = browser(app, None)
    login(inviter, "hr_admin@a.example")
    _invite(inviter, "nouvelle@example.com", "nl")
    link = link_in_last_email("nouvelle@example.com")
    invitee = browser(app, "fr")
    assert html_lang(invitee.get(link)) == "nl"
    password = "a long enough password"
    accepted = post(
        invitee,
        link,
        {"display_name": "Nouvelle", "password": password, "confirm": password},
        token_from=link,
    )
    assert accepted.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nouvelle@example.com"))
    assert user.preferred_language is None
    landing = invitee.get(accepted.location)
    assert html_lang(landing) == "fr"
    assert PROMPT in landing.get_data(as_text=True)


def test_language_for_prefers_the_persons_choice():
    class Person:
        preferred_language = None

    assert language_for(None, "fr") == "fr"
    assert language_for(Person(), "fr") == "fr"
    Person.preferred_language = "nl"
    assert language_for(Person(), "fr") == "nl"


# --- dates nobody misreads ----------------------------------------------------------------


def test_dates_on_the_members_page_are_unambiguous(app, world):
    invitation = world.a.objects["invitation"]
    with tenant_scope(world.a.tenant.id):
        db.session.execute(
            sa.update(TenantInvitation)
            .where(TenantInvitation.id == invitation.id)
            .values(expires_at=dt.datetime(2026, 12, 2, 13, 5, tzinfo=dt.UTC))
        )
        db.session.commit()
    expected = {"nl": "2 dec 2026, 14:05", "fr": "2 déc. 2026, 14:05", "en": "2 Dec 2026, 14:05"}
    for language, moment in expected.items():
        choose("hr_admin@a.example", language)
        client = browser(app, None)
        login(client, "hr_admin@a.example")
        body = client.get("/t/tenant-a/members/").get_data(as_text=True)
        assert re.search(rf"<td[^>]*>{re.escape(moment)}</td>", body), language  # Brussels: UTC+1
        assert not AMBIGUOUS_DATE.search(body), AMBIGUOUS_DATE.search(body).group(0)


def test_dates_on_the_outbox_are_unambiguous(app, world):
    with app.test_request_context():
        email_id = queue_email(to="ops@example.com", template="test", language="en", context={})
        db.session.commit()
    db.session.execute(
        sa.update(PlatformEmail)
        .where(PlatformEmail.id == email_id)
        .values(created_at=dt.datetime(2026, 7, 9, 8, 30, tzinfo=dt.UTC))
    )
    db.session.commit()
    choose("platform@exitloop.example", "fr")
    client = browser(app, None)
    login(client, "platform@exitloop.example")
    for path in ("/platform/outbox/", f"/platform/outbox/platform/{email_id}"):
        body = client.get(path).get_data(as_text=True)
        assert "9 juil. 2026, 10:30" in body, path
        assert not AMBIGUOUS_DATE.search(body), (path, AMBIGUOUS_DATE.search(body).group(0))
