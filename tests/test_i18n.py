"""Language: the person's choice, else the browser's, else the scope's default (more in
tests/test_language_rule.py); Belgian formats."""

import re

import sqlalchemy as sa

from service.accounts.models import User
from service.extensions import db
from tests.conftest import csrf_token, login


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w\w)"', response.get_data(as_text=True)).group(1)


def test_anonymous_pages_follow_the_browser(client):
    assert html_lang(client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"})) == "fr"
    assert html_lang(client.get("/login", headers={"Accept-Language": "nl-BE"})) == "nl"
    assert html_lang(client.get("/login", headers={"Accept-Language": "de-DE"})) == "en"


def test_language_switch_beats_the_browser(client):
    token = csrf_token(client)
    response = client.post(
        "/language", data={"language": "nl", "next": "/login", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.location == "/login"
    assert html_lang(client.get("/login", headers={"Accept-Language": "fr"})) == "nl"


def test_language_switch_refuses_unknown_language_and_foreign_next(client):
    token = csrf_token(client)
    bad = client.post("/language", data={"language": "de", "csrf_token": token})
    assert bad.status_code == 400
    away = client.post(
        "/language", data={"language": "fr", "next": "https://evil.example/", "csrf_token": token}
    )
    assert away.location == "/"


def test_browser_beats_the_tenant_default_and_user_choice_beats_both(client, world):
    world.a.tenant.default_language = "fr"
    db.session.add(world.a.tenant)
    db.session.commit()
    login(client, "hr@a.example")
    assert html_lang(client.get("/t/tenant-a/")) == "fr"  # no browser language: the default
    home = client.get("/t/tenant-a/", headers={"Accept-Language": "nl"})
    assert html_lang(home) == "nl"
    token = csrf_token(client, "/t/tenant-a/")
    client.post("/language", data={"language": "en", "next": "/t/tenant-a/", "csrf_token": token})
    user = db.session.scalar(sa.select(User).where(User.email == "hr@a.example"))
    assert user.preferred_language == "en"
    assert html_lang(client.get("/t/tenant-a/", headers={"Accept-Language": "nl"})) == "en"


def test_dates_and_numbers_in_belgian_formats(client, world):
    login(client, "hr_admin@a.example")
    department = world.a.objects["department"]
    url = f"/t/tenant-a/departments/{department.id}"
    client.post(
        "/language",
        data={"language": "nl", "next": url, "csrf_token": csrf_token(client, "/t/tenant-a/")},
    )
    dutch = client.get(url).get_data(as_text=True)
    assert "1 jan 2025" in dutch
    assert not re.search(r"\b\d\d?/\d\d?/\d\d", dutch)
    client.post(
        "/language",
        data={"language": "fr", "next": url, "csrf_token": csrf_token(client, "/t/tenant-a/")},
    )
    assert "1 janv. 2025" in client.get(url).get_data(as_text=True)
