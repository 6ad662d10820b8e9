"""Correcting an answer's themes from the responses page and the interview panel."""

import datetime as dt

import pytest

from service.extensions import db
from service.insights.analysis import read_interview
from service.model_types import utcnow
from service.surveys.document import from_json
from service.surveys.interview_models import Interview, InterviewStatus
from service.tenancy import tenant_scope
from tests.factories import make_departure
from tests.insights.helpers import free_text_version, respond, themes_of
from tests.tenants.helpers import post_form, sign_in, text

RESPONSES = "/t/tenant-a/responses/"


@pytest.fixture
def response(world):
    tenant = world.a.tenant
    version = free_text_version(tenant)
    return respond(tenant, version, "De werkdruk was niet meer te doen, maar een super ploeg.")


def url(response, key="why", slug="tenant-a"):
    return f"/t/{slug}/feedback/{response.id}/answers/{key}/themes"


def test_the_responses_page_shows_tags_why_and_tone(client, world, response):
    sign_in(client, "hr@a.example")
    page = text(client.get(RESPONSES))
    assert 'id="themes-' in page
    assert "Workload" in page
    assert "Why: werkdruk" in page
    assert "Tone: " in page
    assert url(response) in page


def test_htmx_remove_answers_with_the_answer_tag_list(client, world, response):
    sign_in(client, "hr@a.example")
    answer = post_form(client, url(response), {"theme": "workload", "verdict": "remove"}, htmx=True)
    assert answer.status_code == 200
    fragment = text(answer)
    assert fragment.lstrip().startswith('<div class="answer-themes"')
    assert "Workload" not in fragment.split("<select")[0]
    assert "workload" not in themes_of(world.a.tenant, response)


def test_plain_add_redirects_back_to_the_page(client, world, response):
    sign_in(client, "hr_admin@a.example")
    answer = post_form(
        client, url(response), {"theme": "management", "verdict": "add", "page": "1"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(f"{RESPONSES}?page=1#themes-{response.id}-why")
    assert themes_of(world.a.tenant, response)["management"].confirmed
    page = text(client.get(RESPONSES))
    assert "added by HR" in page


def test_confirm_marks_the_tag(client, world, response):
    sign_in(client, "hr@a.example")
    answer = post_form(
        client, url(response), {"theme": "workload", "verdict": "confirm"}, htmx=True
    )
    assert 'aria-label="confirmed"' in text(answer)


@pytest.mark.parametrize("htmx", [True, False])
def test_an_unknown_theme_is_refused_with_a_clear_message(client, world, response, htmx):
    sign_in(client, "hr@a.example")
    answer = post_form(client, url(response), {"theme": "own_nothing", "verdict": "add"}, htmx=htmx)
    assert answer.status_code == 422
    assert "Choose a theme from the list." in text(answer)
    bad = post_form(client, url(response), {"theme": "team", "verdict": "maybe"}, htmx=htmx)
    assert bad.status_code == 422
    assert "Confirm, remove or add a theme." in text(bad)


def test_another_tenants_feedback_is_a_404(client, world, response):
    sign_in(client, "hr_admin@b.example")
    answer = post_form(client, url(response, slug="tenant-b"), {"theme": "team", "verdict": "add"})
    assert answer.status_code == 404
    assert "team" not in themes_of(world.a.tenant, response)


def test_an_unknown_question_is_a_404(client, world, response):
    sign_in(client, "hr@a.example")
    assert (
        post_form(client, url(response, "nope"), {"theme": "team", "verdict": "add"}).status_code
        == 404
    )


def test_leadership_may_not_correct(client, world, response):
    sign_in(client, "leadership@a.example")
    assert post_form(client, url(response), {"theme": "team", "verdict": "add"}).status_code == 403


def test_the_interview_panel_shows_and_corrects_the_notes_themes(client, world):
    tenant = world.a.tenant
    version = free_text_version(tenant)
    departure = make_departure(tenant, "Els Peeters")
    with tenant_scope(tenant.id):
        interview = Interview(
            departure_id=departure.id,
            interviewer_user_id=world.a.users["interviewer"].id,
            scheduled_at=utcnow() - dt.timedelta(days=1),
            place="Office",
            template_version_id=version.id,
            answers={"why": "Mijn leidinggevende luisterde nooit."},
            notes="Ze vond de werkdruk te hoog.",
            status=InterviewStatus.COMPLETED,
            completed_at=utcnow(),
        )
        db.session.add(interview)
        db.session.flush()
        read_interview(interview, departure, from_json(version.document))
        db.session.commit()
        interview_id = interview.id
    sign_in(client, "hr@a.example")
    page = text(client.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "Themes of the answers" in page
    assert f'id="themes-{interview_id}-_notes"' in page
    assert "Why: werkdruk" in page
    answer = post_form(
        client,
        f"/t/tenant-a/feedback/{interview_id}/answers/_notes/themes",
        {"theme": "workload", "verdict": "remove"},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == (
        f"/t/tenant-a/departures/{departure.id}#themes-{interview_id}-_notes"
    )
    assert "Why: werkdruk" not in text(client.get(f"/t/tenant-a/departures/{departure.id}"))
