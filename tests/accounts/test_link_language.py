"""An emailed link speaks the language its email was written in; a reset email, the
language of the page where it was asked for unless the account has chosen one."""

from service.accounts.models import User
from service.extensions import db
from tests.accounts.conftest import emails_to, link_in_last_email, post, sign_in
from tests.conftest import translated


def _invite_in_french(app):
    inviter = app.test_client()
    sign_in(inviter, "hr_admin@a.example")
    response = post(
        inviter,
        "/t/tenant-a/members/invite",
        {
            "email": "nouvelle@example.com",
            "display_name": "Nouvelle",
            "role": "hr",
            "language": "fr",
        },
        token_from="/t/tenant-a/members/",
    )
    assert response.status_code == 302
    return link_in_last_email("nouvelle@example.com")


def test_invitation_page_speaks_the_language_the_inviter_chose(app, world):
    path = _invite_in_french(app)
    invitee = app.test_client()
    page = invitee.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert translated("Accept and sign in", "fr") in page.get_data(as_text=True)


def test_the_visitors_own_language_choice_still_wins(app, world):
    path = _invite_in_french(app)
    invitee = app.test_client()
    invitee.set_cookie("exitloop_lang", "nl")
    page = invitee.get(path, headers={"Accept-Language": "en"})
    assert translated("Accept and sign in", "nl") in page.get_data(as_text=True)


def _ask_reset(client, email: str, browser_language: str):
    return post(
        client,
        "/forgot-password",
        {"email": email},
        token_from="/forgot-password",
        headers={"Accept-Language": browser_language},
    )


def test_a_reset_email_is_in_the_language_of_the_page_it_was_asked_from(app, world):
    user = db.session.get(User, world.a.users["hr"].id)
    user.preferred_language = None
    db.session.commit()
    assert _ask_reset(app.test_client(), "hr@a.example", "nl").status_code == 200
    (email,) = emails_to("hr@a.example")
    assert email.language == "nl"
    assert "wachtwoord" in email.subject.lower()


def test_the_accounts_own_language_wins_for_a_reset_email(app, world):
    user = db.session.get(User, world.a.users["hr"].id)
    user.preferred_language = "fr"
    db.session.commit()
    _ask_reset(app.test_client(), "hr@a.example", "nl")
    (email,) = emails_to("hr@a.example")
    assert email.language == "fr"
