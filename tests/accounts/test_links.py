"""Invitation and password-reset links: emailed, single use, expiring, refused after a
password change, tampered or unknown; each refusal is a clear page. (Who an invitation
belongs to, and what it may touch: tests/accounts/test_invitations.py.)"""

import datetime as dt
import re

import sqlalchemy as sa

from service.accounts.models import AccountLink, TenantInvitation, User
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import tenant_scope
from tests.accounts.conftest import emails_to, link_in_last_email, post, sign_in

NEW_PASSWORD = "correct horse battery"


def _invite(client, email="new.person@example.com", role="hr", language="fr"):
    sign_in(client, "hr_admin@a.example")
    return post(
        client,
        "/t/tenant-a/members/invite",
        {"email": email, "display_name": "New Person", "role": role, "language": language},
        token_from="/t/tenant-a/members/",
    )


def _set_password(client, path, password=NEW_PASSWORD, confirm=None):
    data = {"password": password, "confirm": confirm or password}
    if path.startswith("/invitation/"):
        data["display_name"] = "New Person"
    return post(client, path, data, token_from=path)


def test_invitation_is_emailed_in_the_chosen_language_and_accepted_once(app, world):
    inviter = app.test_client()
    assert _invite(inviter).status_code == 302
    (email,) = emails_to("new.person@example.com")
    assert email.language == "fr"
    assert email.secret
    assert email.tenant_id == world.a.tenant.id
    path = link_in_last_email("new.person@example.com")
    assert path.startswith("/invitation/")

    invitee = app.test_client()
    page = invitee.get(path)  # opening the link (a mail scanner may) uses nothing up
    assert page.status_code == 200
    assert "new.person@example.com" in page.get_data(as_text=True)
    assert invitee.get(path).status_code == 200

    response = _set_password(invitee, path)
    assert response.status_code == 302
    assert response.location == "/t/tenant-a/"
    assert invitee.get("/", follow_redirects=True).request.path == "/t/tenant-a/"

    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert sign_in(app.test_client(), "new.person@example.com", NEW_PASSWORD).status_code == 302


def test_invitation_language_defaults_to_the_tenant_language(app, client, world):
    sign_in(client, "hr_admin@a.example")
    page = client.get("/t/tenant-a/members/").get_data(as_text=True)
    assert '<option value="nl" selected>' in page  # tenant A's default language


def test_new_password_must_be_long_enough_and_confirmed(app, world):
    _invite(app.test_client(), language="en")  # the link's page speaks the email's language
    path = link_in_last_email("new.person@example.com")
    invitee = app.test_client()
    short = _set_password(invitee, path, password="x" * 11)
    assert short.status_code == 422
    assert "12 to 256 characters" in short.get_data(as_text=True)
    too_long = _set_password(invitee, path, password="x" * 257)
    assert too_long.status_code == 422
    # (Not "x" * 12: a repeated character is refused as a common password.)
    mismatch = _set_password(invitee, path, password="plum-orbit-7", confirm="plum-orbit-8")
    assert mismatch.status_code == 422
    assert "not the same" in mismatch.get_data(as_text=True)
    assert _set_password(invitee, path, password="plum-" + "x" * 251).status_code == 302


def test_expired_link_is_refused(app, world):
    _invite(app.test_client())
    path = link_in_last_email("new.person@example.com")
    with tenant_scope(world.a.tenant.id):
        db.session.execute(
            sa.update(TenantInvitation).values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
        db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert _set_password(app.test_client(), path).status_code == 410


def test_tampered_or_unknown_link_is_refused(app, world):
    _invite(app.test_client())
    path = link_in_last_email("new.person@example.com")
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    response = app.test_client().get(tampered)
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)
    assert app.test_client().get("/reset-password/" + path.rsplit("/", 1)[1]).status_code == 404


def test_token_is_stored_only_as_a_hash(app, world):
    _invite(app.test_client())
    token = link_in_last_email("new.person@example.com").rsplit("/", 1)[1]
    with tenant_scope(world.a.tenant.id):
        stored = db.session.scalar(
            sa.select(TenantInvitation.token_hash).where(
                TenantInvitation.email == "new.person@example.com"
            )
        )
    assert token not in stored
    assert len(stored) == 64
    _forgot(app.test_client(), "hr@a.example")
    token = link_in_last_email("hr@a.example").rsplit("/", 1)[1]
    (stored,) = db.session.scalars(sa.select(AccountLink.token_hash))
    assert token not in stored
    assert len(stored) == 64


def _without_tokens(response) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"|value="[^"]{40,}"', "", response.get_data(as_text=True))


def _forgot(client, email):
    return post(client, "/forgot-password", {"email": email}, token_from="/forgot-password")


def test_forgot_password_answers_alike_for_unknown_addresses(app, world):
    known = _forgot(app.test_client(), "hr@a.example")
    unknown = _forgot(app.test_client(), "nobody@a.example")
    assert known.status_code == unknown.status_code == 200
    assert _without_tokens(known) == _without_tokens(unknown)
    assert len(emails_to("hr@a.example")) == 1
    assert emails_to("nobody@a.example") == []


def test_password_reset_sets_the_password_and_ends_every_session(app, world):
    old_browser = app.test_client()
    sign_in(old_browser, "hr@a.example", remember=True)
    _forgot(app.test_client(), "hr@a.example")
    path = link_in_last_email("hr@a.example")
    assert path.startswith("/reset-password/")

    assert _set_password(app.test_client(), path).status_code == 302
    assert old_browser.get("/profile").status_code == 302
    assert sign_in(app.test_client(), "hr@a.example", "pw").status_code == 422
    assert sign_in(app.test_client(), "hr@a.example", NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 410


def test_link_is_refused_after_a_password_change(app, world):
    _forgot(app.test_client(), "hr@a.example")
    path = link_in_last_email("hr@a.example")
    browser = app.test_client()
    sign_in(browser, "hr@a.example")
    post(
        browser,
        "/profile/password",
        {"current_password": "pw", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_from="/profile",
    )
    response = app.test_client().get(path)
    assert response.status_code == 410
    body = response.get_data(as_text=True)
    assert "used" in body or "changed" in body


def test_link_older_than_the_password_is_refused_as_superseded(app, world):
    _forgot(app.test_client(), "hr@a.example")
    path = link_in_last_email("hr@a.example")
    user = world.a.users["hr"]
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(password_changed_at=utcnow())
    )
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "changed after the link was sent" in response.get_data(as_text=True)


def test_a_newer_link_cancels_the_older_one(app, world):
    _forgot(app.test_client(), "hr@a.example")
    first = link_in_last_email("hr@a.example")
    _forgot(app.test_client(), "hr@a.example")
    second = link_in_last_email("hr@a.example")
    assert first != second
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
