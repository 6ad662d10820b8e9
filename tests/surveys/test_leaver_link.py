"""The survey link: hashed, exchanged for a cookie, single use, expiring, one friendly page
for every dead link, private headers, rate-limited, tenant-less."""

import datetime as dt
import logging
import re
import time

import pytest

from service.accounts.tokens import token_hash
from service.accounts.views import PUBLIC_ENDPOINTS
from service.extensions import db
from service.model_types import utcnow
from service.surveys.invitation_models import InvitationStatus
from service.surveys.leaver_views import HideSurveyTokens
from service.tenancy import tenant_scope
from tests.factories import make_tenant
from tests.surveys.leaver_world import (
    COMPLETE,
    FORM_TOKEN,
    invitation_row,
    make_leaver,
    open_survey,
)

COOKIE = "exitloop_survey"


@pytest.fixture
def leaver(app):
    return make_leaver(make_tenant("brasserie", languages=["nl", "fr"]))


def friendly(client, url: str):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_only_the_tokens_hash_is_stored(leaver):
    row = invitation_row(leaver)
    assert row.token_hash == token_hash(leaver.token)
    assert leaver.token not in row.token_hash
    assert len(leaver.token) >= 43  # 256 random bits


def test_the_link_swaps_the_token_for_a_cookie_and_a_url_without_it(client, leaver):
    response = client.get(leaver.link)
    assert response.status_code == 303
    assert response.location == "/s/"
    assert leaver.token not in response.location
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert leaver.token not in cookie
    for attribute in ("Path=/s/", "HttpOnly", "SameSite=Strict", "Max-Age=7200"):
        assert attribute in cookie
    page = client.get("/s/")
    assert page.status_code == 200
    assert "Waarom vertrek je?" in page.get_data(as_text=True)  # the leaver's language: nl


def test_the_cookie_is_secure_when_the_site_is(app, leaver):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = app.test_client().get(leaver.link)
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "Secure" in response.headers["Set-Cookie"]


def test_opening_marks_the_invitation_opened(client, leaver):
    open_survey(client, leaver)
    row = invitation_row(leaver)
    assert row.status is InvitationStatus.OPENED
    assert row.opened_at is not None


def test_the_page_says_who_sees_the_answers_before_the_first_question(client, leaver):
    open_survey(client, leaver)
    body = client.get("/s/").get_data(as_text=True)
    assert body.index("Wie ziet je antwoorden") < body.index("Waarom vertrek je?")
    assert "Brasserie" in body


def _dead_links(client, leaver):
    """An unknown link and four dead ones: expired, cancelled, used, replaced by a resend."""
    others = {
        status: make_leaver(leaver.tenant, f"Leaver {status}", **values)
        for status, values in {
            "expired": {"expires_at": utcnow() - dt.timedelta(minutes=1)},
            "expired_status": {"status": InvitationStatus.EXPIRED},
            "cancelled": {"status": InvitationStatus.CANCELLED},
            "declined": {"status": InvitationStatus.DECLINED},
        }.items()
    }
    used = make_leaver(leaver.tenant, "Used Leaver")
    csrf = open_survey(client, used)
    assert client.post("/s/submit", data={**COMPLETE, "csrf_token": csrf}).status_code == 303
    replaced = make_leaver(leaver.tenant, "Replaced Leaver")
    with tenant_scope(leaver.tenant.id):
        row = invitation_row(replaced)
        row.token_hash = token_hash("a-new-token-from-a-resend")
        db.session.commit()
    return ["/s/not-a-real-token", *(o.link for o in others.values()), used.link, replaced.link]


def test_every_dead_link_shows_one_and_the_same_page(app, leaver):
    client = app.test_client()
    links = _dead_links(client, leaver)
    answers = {friendly(app.test_client(), link) for link in links}
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 404
    assert "Deze link naar de vragenlijst werkt niet" in body or "This survey link" in body


def test_a_used_link_works_once(client, leaver):
    csrf = open_survey(client, leaver)
    assert client.post("/s/submit", data={**COMPLETE, "csrf_token": csrf}).status_code == 303
    assert client.get(leaver.link).status_code == 404
    assert client.get("/s/").status_code == 404  # the cookie died with it


def test_a_resend_kills_the_cookie_of_the_old_link(client, leaver):
    open_survey(client, leaver)
    with tenant_scope(leaver.tenant.id):
        invitation_row(leaver).token_hash = token_hash("resent")
        db.session.commit()
    assert client.get("/s/").status_code == 404


def test_an_expired_link_shows_the_friendly_page(client, leaver):
    with tenant_scope(leaver.tenant.id):
        invitation_row(leaver).expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    assert client.get(leaver.link).status_code == 404


def test_a_forged_or_stale_cookie_proves_nothing(client, leaver):
    client.set_cookie(COOKIE, "forged.value.here", path="/s/")
    assert client.get("/s/").status_code == 404
    open_survey(client, leaver)
    cookie = client.get_cookie(COOKIE, path="/s/").value
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    client.set_cookie(COOKIE, tampered, path="/s/")
    assert client.get("/s/").status_code == 404


def test_the_cookie_is_short_lived(app, client, leaver):
    open_survey(client, leaver)
    app.config["SURVEY_COOKIE_MINUTES"] = 0
    try:
        time.sleep(1.1)
        assert client.get("/s/").status_code == 404
    finally:
        app.config["SURVEY_COOKIE_MINUTES"] = 120


def test_another_tenants_invitation_is_reached_only_through_its_own_link(app, leaver):
    other = make_leaver(make_tenant("codeway", languages=["en"]), "Other Leaver")
    client = app.test_client()
    open_survey(client, other)
    body = client.get("/s/").get_data(as_text=True)
    assert "Codeway" in body
    assert "Brasserie" not in body
    # Submitting through the other tenant's cookie writes only to that tenant.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    assert client.post("/s/submit", data={**COMPLETE, "csrf_token": csrf}).status_code == 303
    assert invitation_row(other).status is InvitationStatus.COMPLETED
    assert invitation_row(leaver).status is InvitationStatus.SENT


@pytest.mark.parametrize("path", ["/s/not-a-real-token", "/s/", "/s/thanks"])
def test_every_leaver_page_is_private(client, leaver, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy  # no other origin


def test_the_open_page_loads_nothing_from_another_origin(client, leaver):
    open_survey(client, leaver)
    response = client.get("/s/")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', body)
    assert "<script>" not in body
    assert "style=" not in body


def test_guessing_links_is_rate_limited_per_address(app, client, leaver):
    app.config["SURVEY_LIMIT_PER_IP"] = "3 per 15 minutes"
    try:
        statuses = [client.get(f"/s/guess-{n}").status_code for n in range(4)]
        assert statuses == [404, 404, 404, 429]
        # another address is not held back
        other = app.test_client().get(leaver.link, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 303
    finally:
        app.config["SURVEY_LIMIT_PER_IP"] = "20 per 15 minutes"


def test_a_leaver_saving_as_they_type_is_never_limited(app, client, leaver):
    app.config["SURVEY_LIMIT_PER_IP"] = "3 per 15 minutes"
    try:
        csrf = open_survey(client, leaver)
        for _ in range(6):
            response = client.post(
                "/s/draft",
                data={"answer_pay": "yes", "csrf_token": csrf},
                headers={"HX-Request": "true"},
            )
            assert response.status_code == 200
    finally:
        app.config["SURVEY_LIMIT_PER_IP"] = "20 per 15 minutes"


def test_a_signed_cookie_passes_an_address_that_guessed_while_the_link_does_not(
    app, client, leaver
):
    app.config["SURVEY_LIMIT_PER_IP"] = "3 per 15 minutes"
    try:
        csrf = open_survey(client, leaver)  # the link's exchange: checked, not counted
        guesser = app.test_client()  # another browser at the same address
        for n in range(3):
            assert guesser.get(f"/s/guess-{n}").status_code == 404
        assert guesser.get("/s/guess-4").status_code == 429
        # The leaver's own cookie was signed by us for a real link: not held back.
        assert client.get("/s/").status_code == 200
        response = client.post("/s/submit", data={**COMPLETE, "csrf_token": csrf})
        assert response.status_code == 303
        # The link itself is always checked, whatever cookie comes with it.
        other = make_leaver(leaver.tenant, "Bo Leaver")
        browser = app.test_client()
        opened = browser.get(other.link, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert opened.status_code == 303  # a cookie signed for another address's leaver
        assert browser.get_cookie(COOKIE, path="/s/") is not None
        third = make_leaver(leaver.tenant, "Cas Leaver")
        assert browser.get(third.link).status_code == 429
    finally:
        app.config["SURVEY_LIMIT_PER_IP"] = "20 per 15 minutes"


@pytest.mark.parametrize("cookie", [None, "forged", "expired"])
def test_a_missing_forged_or_expired_cookie_is_checked_and_counted_per_address(
    app, client, leaver, cookie, monkeypatch
):
    value = None
    if cookie == "forged":
        open_survey(client, leaver)
        real = client.get_cookie(COOKIE, path="/s/").value
        value = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    elif cookie == "expired":
        open_survey(client, leaver)
        value = client.get_cookie(COOKIE, path="/s/").value
        later = time.time() + 7300  # past the cookie's two hours
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    app.config["SURVEY_LIMIT_PER_IP"] = "3 per 15 minutes"
    try:
        statuses = []
        for _ in range(4):
            if value is not None:  # the friendly page deletes it; a guesser sends it again
                client.set_cookie(COOKIE, value, path="/s/")
            statuses.append(client.get("/s/").status_code)
        assert statuses == [404, 404, 404, 429]
    finally:
        app.config["SURVEY_LIMIT_PER_IP"] = "20 per 15 minutes"


def test_the_leavers_pages_set_no_session_cookie(client, leaver):
    """Their forms carry the survey's own token (bound to the invitation), not a session's:
    a leaver's browser holds the survey cookie alone, and no request of theirs reads or
    writes a session."""
    opened = client.get(leaver.link)
    page = client.get("/s/")
    csrf = FORM_TOKEN.search(page.get_data(as_text=True)).group(1)
    for response in (
        opened,
        page,
        client.post("/s/draft", data={"answer_pay": "yes", "csrf_token": csrf}),
        client.post("/s/submit", data={**COMPLETE, "csrf_token": csrf}),
        client.get("/s/thanks?lang=nl"),
    ):
        assert response.status_code in (200, 303)
        cookies = response.headers.getlist("Set-Cookie")
        assert not [c for c in cookies if c.startswith("session=")], cookies
    assert client.get_cookie("session") is None


def test_the_access_log_never_holds_the_token(leaver):
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, HideSurveyTokens) for f in logger.filters)
    request_line = f"GET {leaver.link} HTTP/1.1"
    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '%s - - "%s" %s', ("127.0.0.1", request_line, "303"), None
    )
    for log_filter in logger.filters:
        log_filter.filter(record)
    line = record.getMessage()
    assert leaver.token not in line
    assert '"GET /s/[link] HTTP/1.1" 303' in line
    gunicorn = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(r)s", None, None)
    gunicorn.args = {"r": request_line, "U": leaver.link}
    HideSurveyTokens().filter(gunicorn)
    assert leaver.token not in repr(gunicorn.args)


def test_answering_keeps_the_cookie_alive(client, leaver, monkeypatch):
    csrf = open_survey(client, leaver)
    # Two hours on, the leaver is still typing: each save signs the cookie afresh.
    later = time.time() + 7000
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    saved = client.post(
        "/s/draft", data={"answer_pay": "yes", "csrf_token": csrf}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200
    assert "Max-Age=7200" in saved.headers["Set-Cookie"]
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later + 7000)
    assert client.get("/s/").status_code == 200


def test_the_leavers_pages_are_tenant_less_public_and_under_s(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("leaver.")]
    assert {rule.endpoint for rule in rules} <= PUBLIC_ENDPOINTS
    assert len(rules) == 7
    for rule in rules:
        assert rule.rule.startswith("/s/")
        assert "tenant_slug" not in rule.arguments
