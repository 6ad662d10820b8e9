"""The tenant's invitation schedule on its settings page: limits, clear messages, and the
scheduled first mails following a change."""

import datetime as dt

import pytest

from service.extensions import db
from service.surveys.invitation_models import SurveyInvitation
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.tenants.helpers import post_form, sign_in, text
from tests.tenants.test_settings import VALID

SETTINGS = "/t/tenant-a/settings"


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


def stored(world) -> Tenant:
    db.session.expire_all()
    return db.session.get(Tenant, world.a.tenant.id)


def test_the_schedule_is_shown_and_saved(hr_admin, world):
    page = text(hr_admin.get(SETTINGS))
    assert "Survey invitations" in page
    assert 'value="3, 7"' in page
    data = {
        **VALID,
        "survey_invite_days_before": "5",
        "survey_reminder_days": " 2 ,4, 10 ",
        "survey_expiry_days": "30",
    }
    assert post_form(hr_admin, SETTINGS, data).status_code == 302
    tenant = stored(world)
    assert tenant.survey_invite_days_before == 5
    assert tenant.survey_reminder_days == "2,4,10"
    assert tenant.survey_reminder_cadence == (2, 4, 10)
    assert tenant.survey_expiry_days == 30


def test_a_new_schedule_moves_the_first_mails_not_yet_sent(hr_admin, world):
    departure = world.a.objects["departure"]  # last day 30 June 2026
    invitation = world.a.objects["survey_invitation"]
    data = {**VALID, "survey_invite_days_before": "10"}
    assert post_form(hr_admin, SETTINGS, data).status_code == 302
    db.session.expire_all()
    with tenant_scope(world.a.tenant.id):
        moved = db.session.get(SurveyInvitation, (invitation.tenant_id, invitation.id))
        assert moved.scheduled_for == departure.last_day - dt.timedelta(days=10)
        assert moved.next_step_at.date() == moved.scheduled_for


BAD = [
    ({"survey_invite_days_before": "31"}, "survey_invite_days_before", "Choose from 0 to 30 days."),
    ({"survey_invite_days_before": "-1"}, "survey_invite_days_before", "Choose from 0 to 30 days."),
    ({"survey_invite_days_before": "three"}, "survey_invite_days_before", "Enter a whole number."),
    ({"survey_expiry_days": "6"}, "survey_expiry_days", "Choose from 7 to 90 days."),
    ({"survey_expiry_days": "91"}, "survey_expiry_days", "Choose from 7 to 90 days."),
    (
        {"survey_reminder_days": "3; 7"},
        "survey_reminder_days",
        "Enter whole numbers of days separated by commas, such as 3, 7.",
    ),
    (
        {"survey_reminder_days": "3, ²"},
        "survey_reminder_days",
        "Enter whole numbers of days separated by commas, such as 3, 7.",
    ),
    (
        {"survey_reminder_days": "7, 3"},
        "survey_reminder_days",
        "List the reminder days from first to last, each once.",
    ),
    (
        {"survey_reminder_days": "3, 3"},
        "survey_reminder_days",
        "List the reminder days from first to last, each once.",
    ),
    (
        {"survey_reminder_days": "0, 7"},
        "survey_reminder_days",
        "Each reminder comes 1 to 60 days after the first mail.",
    ),
    (
        {"survey_reminder_days": "1, 2, 3, 4, 5, 6"},
        "survey_reminder_days",
        "Plan at most 5 reminders.",
    ),
    (
        {"survey_reminder_days": " "},
        "survey_reminder_days",
        "Plan at least one reminder, such as 3, 7.",
    ),
    (
        {"survey_reminder_days": "3, 30", "survey_expiry_days": "30"},
        "survey_expiry_days",
        "The link must stay valid after the last reminder: choose more days.",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_a_bad_schedule_is_refused_with_a_clear_message(hr_admin, world, change, field, message):
    response = post_form(hr_admin, SETTINGS, {**VALID, **change})
    assert response.status_code == 422
    assert f'id="{field}-error">{message}</p>' in text(response)
    tenant = stored(world)
    assert tenant.name == "Tenant A"  # nothing of the form was saved
    assert (tenant.survey_invite_days_before, tenant.survey_reminder_days) == (3, "3,7")
    assert tenant.survey_expiry_days == 21
