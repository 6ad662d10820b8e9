"""A change of privilege starts a new session: a CSRF token read before it is refused after.

Otherwise a token read from the anonymous login page (a shared computer, a planted session
cookie) would still forge requests once the person signs in.
"""

from tests.accounts.conftest import link_in_last_email, post
from tests.conftest import csrf_token, login

EXPIRED = "This form has expired."
PROFILE = {"display_name": "Renamed", "language": "en"}


def _refused(response) -> bool:
    return response.status_code == 400 and EXPIRED in response.get_data(as_text=True)


def test_a_token_from_before_sign_in_is_refused_after_it(client, world):
    old = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": "hr@a.example", "password": "pw", "csrf_token": old}
    )
    assert response.status_code == 302

    assert _refused(client.post("/profile", data={**PROFILE, "csrf_token": old}))
    assert _refused(client.post("/logout", data={"csrf_token": old}))
    assert client.get("/profile").status_code == 200, "the refused sign-out signed out"

    new = csrf_token(client, "/profile")
    assert new != old
    assert client.post("/profile", data={**PROFILE, "csrf_token": new}).status_code == 302


def test_a_token_from_before_sign_out_is_refused_after_it(client, world):
    login(client, "hr@a.example")
    old = csrf_token(client, "/profile")
    assert client.post("/logout", data={"csrf_token": old}).status_code == 302

    form = {"email": "hr@a.example", "password": "pw"}
    assert _refused(client.post("/login", data={**form, "csrf_token": old}))
    new = csrf_token(client, "/login")
    assert client.post("/login", data={**form, "csrf_token": new}).status_code == 302


def test_a_token_from_before_a_password_change_is_refused_after_it(client, world):
    login(client, "hr@a.example")
    old = csrf_token(client, "/profile")
    changed = client.post(
        "/profile/password",
        data={
            "current_password": "pw",
            "password": "a much longer password",
            "confirm": "a much longer password",
            "csrf_token": old,
        },
    )
    assert changed.status_code == 302

    assert _refused(client.post("/profile", data={**PROFILE, "csrf_token": old}))
    assert client.get("/profile").status_code == 200, "the password change signed out"
    assert post(client, "/profile", PROFILE, token_from="/profile").status_code == 302


def test_a_token_from_before_a_password_reset_is_refused_after_it(app, client, world):
    post(app.test_client(), "/forgot-password", {"email": "hr@a.example"}, "/forgot-password")
    path = link_in_last_email("hr@a.example")
    old = csrf_token(client, path)
    password = "a much longer password"
    response = client.post(
        path, data={"password": password, "confirm": password, "csrf_token": old}
    )
    assert response.status_code == 302

    assert _refused(client.post("/profile", data={**PROFILE, "csrf_token": old}))
    assert post(client, "/profile", PROFILE, token_from="/profile").status_code == 302
