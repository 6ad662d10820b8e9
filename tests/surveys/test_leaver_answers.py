"""The leaver answers: saved as they go, checked inline, sent once, declined in one click;
bad input gets a clear answer and nothing is half-written."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from service.departures.models import Channel, DepartureStatus
from service.extensions import db
from service.model_types import utcnow
from service.surveys import leaver as leaver_service
from service.surveys.invitation_models import InvitationStatus
from service.surveys.invitation_steps import expire
from service.surveys.leaver import FINGERPRINT_LENGTH
from service.surveys.response_models import SurveyResponse
from service.tenancy import tenant_scope
from tests.conftest import translated
from tests.factories import make_departure, make_live_survey_invitation, make_tenant
from tests.surveys.leaver_world import (
    COMPLETE,
    FORM_TOKEN,
    Leaver,
    draft_of,
    invitation_row,
    make_leaver,
    open_survey,
    responses_of,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def leaver(app):
    return make_leaver(make_tenant("brasserie", languages=["nl", "fr"]))


def autosave(client, csrf, **answers):
    return client.post("/s/draft", data={**answers, "csrf_token": csrf}, headers=HTMX)


def submit(client, csrf, **answers):
    return client.post("/s/submit", data={**answers, "csrf_token": csrf})


def nl(text: str, **values) -> str:
    return translated(text, "nl") % values if values else translated(text, "nl")


def nothing_written(leaver, draft_answers=None) -> None:
    assert responses_of(leaver.tenant) == []
    row = invitation_row(leaver)
    assert row.status is InvitationStatus.OPENED
    assert row.token_hash is not None
    draft = draft_of(leaver)
    assert (draft.answers if draft else None) == draft_answers


# --- as the leaver goes ---------------------------------------------------------------------


def test_answers_are_saved_as_the_leaver_goes_and_survive_a_closed_tab(app, client, leaver):
    csrf = open_survey(client, leaver)
    response = autosave(client, csrf, answer_reason="pay", answer_improve="Meer overleg")
    assert response.status_code == 200
    assert nl("Your answers are saved.") in response.get_data(as_text=True)
    # The tab is closed; days later the leaver opens the link again in a new browser.
    later = app.test_client()
    open_survey(later, leaver)
    body = later.get("/s/").get_data(as_text=True)
    assert 'value="pay" checked' in body
    assert ">Meer overleg</textarea>" in body


def test_leavers_of_one_survey_see_one_first_page_each_with_their_own_csrf_token(app, leaver):
    departure = make_departure(leaver.tenant, "Bo Leaver", channel=Channel.SURVEY)
    invitation, token = make_live_survey_invitation(leaver.tenant, departure, leaver.version)
    other = Leaver(leaver.tenant, departure, invitation, token, leaver.version)
    pages = {}
    for who in (leaver, other):
        browser = app.test_client()
        csrf = open_survey(browser, who)  # the first page: rendered once, then reused
        body = browser.get("/s/").get_data(as_text=True)
        assert body.count(f'value="{csrf}"') == 2  # the answers' form and the refusal's
        pages[who.token] = body.replace(csrf, "TOKEN"), csrf
        assert "Pourquoi partez-vous ?" in browser.get("/s/?lang=fr").get_data(as_text=True)
        assert submit(browser, csrf, **COMPLETE).status_code == 303
    (first, first_csrf), (second, second_csrf) = pages.values()
    assert first == second
    assert first_csrf != second_csrf
    assert len(responses_of(leaver.tenant)) == 2


@pytest.mark.parametrize("sent", ["missing", "wrong", "not ASCII", "another invitation's"])
def test_a_post_without_its_surveys_form_token_is_refused_and_writes_nothing(
    app, client, leaver, sent
):
    """The leaver's forms carry a token bound to the invitation the cookie proves: a page of
    another site that makes the leaver's browser post (with the cookie) writes nothing."""
    open_survey(client, leaver)
    departure = make_departure(leaver.tenant, "Bo Leaver", channel=Channel.SURVEY)
    invitation, token = make_live_survey_invitation(leaver.tenant, departure, leaver.version)
    other = Leaver(leaver.tenant, departure, invitation, token, leaver.version)
    tokens = {
        "missing": None,
        "wrong": "0" * 64,
        "not ASCII": "é" * 64,
        "another invitation's": open_survey(app.test_client(), other),
    }
    data = {} if tokens[sent] is None else {"csrf_token": tokens[sent]}
    for path, form in (
        ("/s/draft", {"answer_pay": "yes"}),
        ("/s/submit", COMPLETE),
        ("/s/decline", {"reason": "Geen tijd"}),
    ):
        response = client.post(path, data={**form, **data}, headers=HTMX)
        assert response.status_code == 400, path
        assert translated("This form has expired. Please reload the page and try again.", "en") in (
            response.get_data(as_text=True)
        )
    assert draft_of(leaver) is None
    assert responses_of(leaver.tenant) == []
    assert invitation_row(leaver).status is InvitationStatus.OPENED


def test_over_https_the_leavers_forms_need_no_referer(app, leaver):
    """Their pages send none (Referrer-Policy: no-referrer); a check that wants one (as the
    session's CSRF protection does over HTTPS) would refuse every save and submit."""
    browser = app.test_client()
    opened = browser.get(leaver.link, base_url="https://localhost")
    assert opened.status_code == 303
    page = browser.get("/s/", base_url="https://localhost")
    csrf = FORM_TOKEN.search(page.get_data(as_text=True)).group(1)
    response = browser.post(
        "/s/submit", data={**COMPLETE, "csrf_token": csrf}, base_url="https://localhost"
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert len(responses_of(leaver.tenant)) == 1


def test_the_language_switch_offers_the_templates_languages_and_is_kept(app, client, leaver):
    csrf = open_survey(client, leaver)
    page = client.get("/s/?lang=fr").get_data(as_text=True)
    assert "Pourquoi partez-vous ?" in page
    assert "Qui voit vos réponses" in page
    for code in ("nl", "fr", "en"):
        assert f'href="/s/?lang={code}"' in page
    autosave(client, csrf, language="fr", answer_pay="yes")
    again = app.test_client()
    open_survey(again, leaver)
    assert "Pourquoi partez-vous ?" in again.get("/s/").get_data(as_text=True)


def test_an_invalid_answer_is_shown_inline_and_the_draft_keeps_its_last_good_state(client, leaver):
    csrf = open_survey(client, leaver)
    autosave(client, csrf, answer_pay="yes")
    response = autosave(client, csrf, answer_pay="no", answer_manager="9")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="error-manager"' in body
    assert nl("Choose a number from %(low)s to %(high)s.", low=1, high=5) in body
    assert draft_of(leaver).answers == {"pay": "yes"}


# --- sending ---------------------------------------------------------------------------------


def test_submitting_stores_a_confidential_response_and_ends_everything_else(client, leaver):
    csrf = open_survey(client, leaver)
    autosave(client, csrf, answer_pay="yes")
    response = submit(client, csrf, **COMPLETE, answer_themes=["team", "hours"])
    assert response.status_code == 303
    assert response.location == "/s/thanks?lang=nl"
    thanks = client.get(response.location).get_data(as_text=True)
    assert nl("Thank you") in thanks
    (stored,) = responses_of(leaver.tenant)
    assert stored.answers == {
        "reason": "manager",
        "pay": "no",
        "manager": 2,
        "themes": ["hours", "team"],
    }
    assert stored.month == utcnow().date().replace(day=1)
    assert stored.exit_quarter == "2026-Q3"
    assert stored.tenure_band.value == "5_10"
    assert stored.regretted is True
    assert stored.language == "nl"
    assert stored.template_version_id == leaver.version.id
    row = invitation_row(leaver)
    assert row.status is InvitationStatus.COMPLETED
    assert row.token_hash is None
    assert row.ended_at is not None
    assert draft_of(leaver) is None
    with tenant_scope(leaver.tenant.id):
        departure = db.session.get(type(leaver.departure), (leaver.tenant.id, leaver.departure.id))
        assert departure.status is DepartureStatus.ANSWERED


def test_missing_required_answers_are_named_at_their_question(client, leaver):
    csrf = open_survey(client, leaver)
    response = submit(client, csrf, answer_reason="pay", answer_improve="Alles was goed")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    message = nl("Please answer this question.")
    assert f'id="error-pay" role="alert">{message}</p>' in body
    assert 'id="error-reason" role="alert"></p>' in body
    assert ">Alles was goed</textarea>" in body  # what was typed is still there
    nothing_written(leaver)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "answer_improve",
            "x" * 5001,
            "Shorten this answer to %(limit)s characters (it has %(length)s).",
        ),
        ("answer_reason", "bonus", "Choose among the answers offered."),
        ("answer_themes", "free_lunch", "Choose among the answers offered."),
        ("answer_pay", "maybe", "Choose among the answers offered."),
        ("answer_manager", "6", "Choose a number from %(low)s to %(high)s."),
        ("answer_manager", "0", "Choose a number from %(low)s to %(high)s."),
        ("answer_recommend", "11", "Choose a number from %(low)s to %(high)s."),
        ("answer_recommend", "-1", "Choose a number from %(low)s to %(high)s."),
        ("answer_manager", "three", "Choose a number from %(low)s to %(high)s."),
        (
            "answer_bogus",
            "yes",
            "This form names a question that is not part of the survey. Reload the page.",
        ),
    ],
)
def test_bad_answers_get_a_clear_message_and_write_nothing(client, leaver, field, value, message):
    csrf = open_survey(client, leaver)
    autosave(client, csrf, answer_pay="yes")
    response = submit(client, csrf, **{**COMPLETE, field: value})
    assert response.status_code == 422
    assert translated(message, "nl").split("%")[0] in response.get_data(as_text=True)
    nothing_written(leaver, {"pay": "yes"})
    saved = autosave(client, csrf, **{**COMPLETE, field: value})
    assert saved.status_code == 422
    nothing_written(leaver, {"pay": "yes"})


def test_5000_characters_are_accepted(client, leaver):
    csrf = open_survey(client, leaver)
    assert submit(client, csrf, **COMPLETE, answer_improve="é" * 5000).status_code == 303
    assert responses_of(leaver.tenant)[0].answers["improve"] == "é" * 5000


def test_html_is_stored_as_text_and_shown_escaped(client, leaver):
    script = '<script>alert("hi")</script><b>bold</b>'
    csrf = open_survey(client, leaver)
    autosave(client, csrf, answer_improve=script)
    page = client.get("/s/").get_data(as_text=True)
    assert script not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in page
    submit(client, csrf, **COMPLETE, answer_improve=script)
    assert responses_of(leaver.tenant)[0].answers["improve"] == script


def test_a_huge_body_is_refused_with_413(client, leaver):
    csrf = open_survey(client, leaver)
    response = submit(client, csrf, **COMPLETE, answer_improve="x" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert response.headers["Cache-Control"] == "no-store"
    nothing_written(leaver)


def test_a_departure_hr_cancelled_meanwhile_keeps_its_status_when_the_answers_come(client, leaver):
    csrf = open_survey(client, leaver)
    with tenant_scope(leaver.tenant.id):
        departure = db.session.get(type(leaver.departure), (leaver.tenant.id, leaver.departure.id))
        departure.status = DepartureStatus.CANCELLED
        db.session.commit()
    assert submit(client, csrf, **COMPLETE).status_code == 303
    assert len(responses_of(leaver.tenant)) == 1
    with tenant_scope(leaver.tenant.id):
        db.session.expire_all()
        departure = db.session.get(type(leaver.departure), (leaver.tenant.id, leaver.departure.id))
        assert departure.status is DepartureStatus.CANCELLED


def test_a_double_submit_stores_one_response(client, leaver):
    csrf = open_survey(client, leaver)
    assert submit(client, csrf, **COMPLETE).status_code == 303
    again = submit(client, csrf, **COMPLETE)
    assert again.status_code == 404  # the one friendly page: nothing more to do
    assert len(responses_of(leaver.tenant)) == 1


def test_two_tabs_racing_store_exactly_one_response(app, leaver):
    """Two requests pass every check, then race to the conditional UPDATE on PostgreSQL."""
    for attempt in range(3):
        racer = make_leaver(leaver.tenant, f"Racer {attempt}")
        with tenant_scope(racer.tenant.id):
            invitation = invitation_row(racer)
            proof = leaver_service.Proof(
                racer.tenant.id, invitation.id, invitation.token_hash[:FINGERPRINT_LENGTH]
            )
        barrier = threading.Barrier(2)
        results = []

        def send(proof=proof, barrier=barrier, results=results):
            with app.app_context(), tenant_scope(proof.tenant_id):
                barrier.wait()
                results.append(leaver_service.submit(proof, MultiDict(COMPLETE), ("nl",)))
                db.session.remove()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results, key=str) == [None, "nl"]
    assert len(responses_of(leaver.tenant)) == 3


def test_two_tabs_submitting_through_http_store_one_response(app, leaver):
    first = app.test_client()
    csrf = open_survey(first, leaver)
    second = app.test_client()
    second.set_cookie(
        "exitloop_survey", first.get_cookie("exitloop_survey", path="/s/").value, path="/s/"
    )
    barrier = threading.Barrier(2)
    statuses = []

    def send(client):
        barrier.wait()
        statuses.append(submit(client, csrf, **COMPLETE).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) in ([303, 404],)
    assert len(responses_of(leaver.tenant)) == 1


def test_a_submit_after_expiry_tells_the_leaver_and_shows_their_answers(client, leaver):
    csrf = open_survey(client, leaver)
    with tenant_scope(leaver.tenant.id):
        invitation_row(leaver).expires_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    response = submit(client, csrf, **COMPLETE, answer_improve="Betere planning")
    assert response.status_code == 410
    body = response.get_data(as_text=True)
    assert nl("This survey has closed") in body
    assert "Betere planning" in body
    assert "Mijn leidinggevende" in body  # the choice, in words
    assert responses_of(leaver.tenant) == []


def test_a_submit_after_the_scan_expired_the_invitation_still_shows_the_answers(client, leaver):
    csrf = open_survey(client, leaver)
    autosave(client, csrf, answer_pay="yes")
    with tenant_scope(leaver.tenant.id):
        expire(invitation_row(leaver), utcnow() + dt.timedelta(days=30))
        db.session.commit()
    assert draft_of(leaver) is None  # the scan deletes the answers in progress
    response = submit(client, csrf, **COMPLETE, answer_improve="Betere planning")
    assert response.status_code == 410
    assert "Betere planning" in response.get_data(as_text=True)
    assert responses_of(leaver.tenant) == []
    assert invitation_row(leaver).status is InvitationStatus.EXPIRED


# --- declining -------------------------------------------------------------------------------


def test_declining_takes_one_click_and_an_optional_reason(client, leaver):
    csrf = open_survey(client, leaver)
    autosave(client, csrf, answer_pay="yes")
    response = client.post("/s/decline", data={"reason": "Liever niet", "csrf_token": csrf})
    assert response.status_code == 303
    assert nl("You chose not to answer") in client.get(response.location).get_data(as_text=True)
    row = invitation_row(leaver)
    assert row.status is InvitationStatus.DECLINED
    assert row.decline_reason == "Liever niet"
    assert row.token_hash is None
    assert draft_of(leaver) is None
    assert responses_of(leaver.tenant) == []
    assert client.get(leaver.link).status_code == 404


def test_a_decline_reason_over_500_characters_is_refused(client, leaver):
    csrf = open_survey(client, leaver)
    response = client.post("/s/decline", data={"reason": "r" * 501, "csrf_token": csrf})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "(ze telt er 501)" in body
    assert '<details class="decline" open>' in body
    assert invitation_row(leaver).status is InvitationStatus.OPENED


def test_the_response_row_carries_nothing_of_the_person(client, leaver):
    csrf = open_survey(client, leaver)
    submit(client, csrf, **COMPLETE)
    # A raw connection (no ORM net) sees what row-level security lets the tenant see.
    with tenant_scope(leaver.tenant.id), db.engine.connect() as connection:
        row = connection.execute(sa.select(SurveyResponse.__table__)).mappings().one()
    text = repr(dict(row))
    for trace in (
        str(leaver.invitation.id),
        str(leaver.departure.id),
        leaver.departure.full_name,
        leaver.departure.work_email,
        leaver.token,
    ):
        assert trace not in text
