"""The report pages of a tenant: archive, settings, recipients, preview and send now."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.model_types import as_utc, utcnow
from service.reports import settings as report_settings
from service.reports.models import (
    RECIPIENTS_MAX,
    Report,
    ReportDelivery,
    ReportRecipient,
    ReportSettings,
)
from service.tenancy import tenant_scope
from tests.audit.helpers import entries, the_entry
from tests.conftest import translated, writes_to
from tests.factories import make_report
from tests.reports.conftest import smtp  # noqa: F401 — fixture
from tests.tenants.helpers import post_form, sign_in, text

BASE = "/t/tenant-a/reports"
SETTINGS = {
    "enabled": "y",
    "cadence": "monthly",
    "weekday": "0",
    "day_of_month": "3",
    "hour": "9",
}


def stored_settings(tenant) -> ReportSettings | None:
    with tenant_scope(tenant.id):
        return db.session.scalar(sa.select(ReportSettings))


def recipients_of(tenant) -> list[ReportRecipient]:
    with tenant_scope(tenant.id):
        return list(db.session.scalars(sa.select(ReportRecipient)))


def add_address(tenant, address: str, language: str = "nl") -> ReportRecipient:
    with tenant_scope(tenant.id):
        recipient = ReportRecipient(address=address, language=language)
        db.session.add(recipient)
        db.session.commit()
        db.session.refresh(recipient)
        db.session.expunge(recipient)
        return recipient


def membership_of(side, role: str):
    from service.tenants.models import Membership

    with tenant_scope(side.tenant.id):
        return db.session.scalar(
            sa.select(Membership).where(Membership.user_id == side.users[role].id)
        )


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "archive", "manage"),
    [
        ("hr_admin@a.example", 200, 200),
        ("hr@a.example", 200, 403),
        ("leadership@a.example", 200, 403),
        ("interviewer@a.example", 403, 403),
        ("member@a.example", 403, 403),
        ("agency_admin@agency-a.example", 403, 403),
    ],
)
def test_who_opens_which_page(client, world, email, archive, manage):
    sign_in(client, email)
    report = world.a.objects["report"]
    assert client.get(f"{BASE}/").status_code == archive
    assert client.get(f"{BASE}/{report.id}").status_code == archive
    for page in ("settings", "preview", "send"):
        assert client.get(f"{BASE}/{page}").status_code == manage, page
    assert post_form(client, f"{BASE}/settings", SETTINGS).status_code in (
        (302,) if manage == 200 else (403,)
    )


def test_the_navigation_names_reports_for_those_who_read_them(app, client, world):
    sign_in(client, "leadership@a.example")
    assert f'href="{BASE}/"' in text(client.get("/t/tenant-a/"))
    other = app.test_client()
    sign_in(other, "interviewer@a.example")
    assert f'href="{BASE}/"' not in text(other.get("/t/tenant-a/"))


def test_another_tenants_report_and_recipient_are_404(client, world):
    other = add_address(world.b.tenant, "board@b.example")
    sign_in(client, "hr_admin@a.example")
    assert client.get(f"{BASE}/{world.b.objects['report'].id}").status_code == 404
    assert client.get(f"{BASE}/recipients/{other.id}/remove").status_code == 404
    assert post_form(client, f"{BASE}/recipients/{other.id}/remove").status_code == 404
    assert len(recipients_of(world.b.tenant)) == 1
    # A member of another tenant cannot be added as a recipient here.
    member = membership_of(world.b, "leadership")
    answer = post_form(client, f"{BASE}/recipients/members", {"membership_id": str(member.id)})
    assert answer.status_code == 422
    assert recipients_of(world.a.tenant) == []


# --- the settings ------------------------------------------------------------------------


def test_switching_on_sets_enabled_at_and_says_when_the_first_report_goes(client, world):
    sign_in(client, "hr_admin@a.example")
    before = utcnow()
    answer = post_form(client, f"{BASE}/settings", SETTINGS)
    assert answer.status_code == 302
    stored = stored_settings(world.a.tenant)
    assert stored.enabled
    assert stored.day_of_month == 3
    assert stored.hour == 9
    assert as_utc(stored.enabled_at) >= before
    page = text(client.get(f"{BASE}/settings"))
    assert "Report settings saved." in page
    assert "The next report, of " in page
    assert "09:00 (Europe/Brussels time)" in page
    stored = stored_settings(world.a.tenant)
    with tenant_scope(world.a.tenant.id):
        found = report_settings.next_report(stored, world.a.tenant, utcnow())
    weekday = found.moment.strftime("%A")  # the page names the day, in English here
    assert f"goes out on {weekday} {found.moment.day} " in page


def test_saving_again_keeps_enabled_at_and_a_new_cadence_resets_it(client, world):
    sign_in(client, "hr_admin@a.example")
    post_form(client, f"{BASE}/settings", SETTINGS)
    first = stored_settings(world.a.tenant).enabled_at
    post_form(client, f"{BASE}/settings", {**SETTINGS, "hour": "10"})
    assert stored_settings(world.a.tenant).enabled_at == first
    with writes_to("report_settings") as writes:
        post_form(client, f"{BASE}/settings", {**SETTINGS, "hour": "10"})
    assert writes == []  # nothing changed, nothing written
    post_form(client, f"{BASE}/settings", {**SETTINGS, "hour": "10", "cadence": "weekly"})
    assert stored_settings(world.a.tenant).enabled_at > first


def test_next_report_is_the_first_moment_after_switching_on(app, world):
    with tenant_scope(world.a.tenant.id):
        settings = ReportSettings(
            enabled=True,
            enabled_at=dt.datetime(2026, 11, 15, 10, tzinfo=dt.UTC),
            cadence="monthly",
            weekday=0,
            day_of_month=1,
            hour=8,
        )
        tenant = world.a.tenant
        now = dt.datetime(2026, 11, 15, 10, 5, tzinfo=dt.UTC)
        found = report_settings.next_report(settings, tenant, now)
    assert found.period.key == "2026-11"
    assert found.moment.isoformat() == "2026-12-01T08:00:00+01:00"
    assert not found.now


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cadence", "daily"),
        ("weekday", "7"),
        ("weekday", "-1"),
        ("day_of_month", "29"),
        ("day_of_month", "0"),
        ("day_of_month", "x"),
        ("hour", "24"),
        ("hour", "-1"),
        ("hour", "8.5"),
        ("enabled", "maybe"),
    ],
)
def test_bad_settings_are_422_with_the_fields_message_and_nothing_stored(
    client, world, field, value
):
    sign_in(client, "hr_admin@a.example")
    answer = post_form(client, f"{BASE}/settings", {**SETTINGS, field: value})
    assert answer.status_code == 422
    page = text(answer)
    assert f'id="{field}-error"' in page
    assert stored_settings(world.a.tenant) is None


def test_a_missing_field_is_422(client, world):
    sign_in(client, "hr_admin@a.example")
    data = {key: value for key, value in SETTINGS.items() if key != "hour"}
    answer = post_form(client, f"{BASE}/settings", data)
    assert answer.status_code == 422
    assert "Choose an hour from 0 to 23." in text(answer)


def test_messages_are_translated(client, world):
    sign_in(client, "hr_admin@a.example")
    client.set_cookie("exitloop_lang", "nl")
    answer = post_form(client, f"{BASE}/settings", {**SETTINGS, "day_of_month": "31"})
    message = translated("Choose a day from 1 to 28.", "nl")
    assert message != "Choose a day from 1 to 28."
    assert message in text(answer)


# --- recipients -----------------------------------------------------------------------------


def test_members_are_offered_leadership_first_and_added_in_their_language(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get(f"{BASE}/settings"))
    options = page.split('id="membership_id"')[1].split("</select>")[0]
    assert options.index("leadership@a.example") < options.index("hr@a.example")
    assert "member@a.example" in options  # any member role may be chosen
    leader = membership_of(world.a, "leadership")
    answer = post_form(client, f"{BASE}/recipients/members", {"membership_id": str(leader.id)})
    assert answer.status_code == 302
    (recipient,) = recipients_of(world.a.tenant)
    assert recipient.membership_id == leader.id
    assert recipient.language == "nl"  # the tenant's default: the leader chose none
    page = text(client.get(f"{BASE}/settings"))
    assert "now gets the reports." in page
    options = page.split('id="membership_id"')[1].split("</select>")[0]
    assert "leadership@a.example" not in options  # on the list already


def test_a_member_may_be_given_another_language(client, world):
    sign_in(client, "hr_admin@a.example")
    leader = membership_of(world.a, "leadership")
    post_form(
        client, f"{BASE}/recipients/members", {"membership_id": str(leader.id), "language": "fr"}
    )
    assert recipients_of(world.a.tenant)[0].language == "fr"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"address": "not an address", "language": "nl"}, "Enter a valid email address."),
        ({"address": "", "language": "nl"}, "Enter an email address."),
        ({"address": "board@example.com", "language": "de"}, "Choose Dutch, French or English."),
        ({"address": "board@example.com"}, "Choose Dutch, French or English."),
        ({"address": "leadership@a.example", "language": "nl"}, "already on the list"),
    ],
)
def test_bad_addresses_are_422(client, world, data, message):
    leader = membership_of(world.a, "leadership")
    with tenant_scope(world.a.tenant.id):
        db.session.add(ReportRecipient(membership_id=leader.id, language="nl"))
        db.session.commit()
    sign_in(client, "hr_admin@a.example")
    answer = post_form(client, f"{BASE}/recipients/addresses", data)
    assert answer.status_code == 422
    assert message in text(answer)
    assert len(recipients_of(world.a.tenant)) == 1


def test_an_address_is_added_once(client, world):
    sign_in(client, "hr_admin@a.example")
    data = {"address": "Board@Example.com", "language": "fr"}
    assert post_form(client, f"{BASE}/recipients/addresses", data).status_code == 302
    (recipient,) = recipients_of(world.a.tenant)
    assert (recipient.address, recipient.language) == ("board@example.com", "fr")
    again = post_form(client, f"{BASE}/recipients/addresses", {**data, "language": "nl"})
    assert again.status_code == 422
    assert "This recipient is already on the list." in text(again)


def test_at_most_recipients_max(client, world):
    with tenant_scope(world.a.tenant.id):
        for number in range(RECIPIENTS_MAX - 1):
            db.session.add(ReportRecipient(address=f"r{number}@example.com", language="nl"))
        db.session.commit()
    sign_in(client, "hr_admin@a.example")
    last = {"address": "last@example.com", "language": "nl"}
    assert post_form(client, f"{BASE}/recipients/addresses", last).status_code == 302
    over = {"address": "over@example.com", "language": "nl"}
    answer = post_form(client, f"{BASE}/recipients/addresses", over)
    assert answer.status_code == 422
    assert f"at most {RECIPIENTS_MAX} recipients" in text(answer)
    assert len(recipients_of(world.a.tenant)) == RECIPIENTS_MAX


def test_removing_a_recipient_asks_first(client, world):
    recipient = add_address(world.a.tenant, "board@example.com")
    sign_in(client, "hr_admin@a.example")
    url = f"{BASE}/recipients/{recipient.id}/remove"
    page = text(client.get(url))
    assert "Stop sending the reports to board@example.com?" in page
    assert len(recipients_of(world.a.tenant)) == 1
    assert post_form(client, url).status_code == 302
    assert recipients_of(world.a.tenant) == []


# --- preview and send now ------------------------------------------------------------------------


def test_the_preview_shows_the_report_and_keeps_nothing(client, world):
    sign_in(client, "hr_admin@a.example")
    with writes_to("reports") as writes:
        page = text(client.get(f"{BASE}/preview"))
    assert writes == []
    assert world.a.tenant.name in page
    assert "The report has no recipients yet" in page


def test_send_now_without_recipients_says_so_and_sends_nothing(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get(f"{BASE}/send"))
    assert "The report has no recipients yet: add one in the settings first." in page
    assert 'type="submit" class="danger"' not in page
    answer = post_form(client, f"{BASE}/send")
    assert answer.status_code == 302
    assert "Nothing was sent." in text(client.get(answer.headers["Location"]))
    with tenant_scope(world.a.tenant.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1  # world's


def test_send_now_mails_every_recipient_through_the_outbox(client, world, smtp):  # noqa: F811
    leader = membership_of(world.a, "leadership")
    with tenant_scope(world.a.tenant.id):
        db.session.add(ReportRecipient(membership_id=leader.id, language="fr"))
        db.session.add(ReportRecipient(address="board@example.com", language="en"))
        db.session.commit()
    sign_in(client, "hr_admin@a.example")
    page = text(client.get(f"{BASE}/send"))
    assert "goes to 2 recipients now" in page
    answer = post_form(client, f"{BASE}/send")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"{BASE}/")
    archive = text(client.get(f"{BASE}/"))
    assert "The report is on its way to 2 recipients." in archive
    assert "Sent now by" in archive
    assert len(smtp.inbox.to("leadership@a.example")) == 1
    assert len(smtp.inbox.to("board@example.com")) == 1
    with tenant_scope(world.a.tenant.id):
        emails = list(db.session.scalars(sa.select(TenantEmail)))
        report = db.session.scalar(sa.select(Report).where(Report.period_key.is_(None)))
    assert report.sent_by == world.a.users["hr_admin"].id
    assert sorted(email.to_address for email in emails) == [
        "board@example.com",
        "leadership@a.example",
    ]
    assert {email.status for email in emails} == {MailStatus.SENT}
    assert archive.count("delivered") >= 2


# --- the archive --------------------------------------------------------------------------


def failed_report(tenant) -> Report:
    report = make_report(tenant, period_key="2026-11")
    with tenant_scope(tenant.id):
        for address, status, error in (
            ("ok@example.com", MailStatus.SENT, None),
            ("gone@example.com", MailStatus.FAILED, "SMTPRecipientsRefused: 550 no such user"),
        ):
            email = TenantEmail(
                to_address=address,
                subject="Report",
                body_text="…",
                language="nl",
                status=status,
                last_error=error,
                sent_at=utcnow() if status == MailStatus.SENT else None,
            )
            db.session.add(email)
            db.session.flush()
            db.session.add(
                ReportDelivery(
                    report_id=report.id, address=address, language="nl", email_id=email.id
                )
            )
        db.session.commit()
    return report


def test_the_archive_shows_each_copys_status_and_the_failure(client, world):
    failed_report(world.a.tenant)
    sign_in(client, "hr_admin@a.example")
    page = text(client.get(f"{BASE}/"))
    assert "failed: SMTPRecipientsRefused: 550 no such user" in page
    assert "delivered" in page
    assert "could not be delivered to 1 recipient" in page
    # Newest first: the failed report, then the world's, which had no recipients.
    assert page.index("gone@example.com") < page.index("This report had no recipients.")
    assert "could not be delivered" in text(client.get(f"{BASE}/settings"))
    assert "could not be delivered" in text(client.get("/t/tenant-a/"))


def test_only_the_hr_admin_gets_the_failure_notice(client, world):
    failed_report(world.a.tenant)
    sign_in(client, "leadership@a.example")
    page = text(client.get(f"{BASE}/"))
    assert "failed: SMTPRecipientsRefused" in page  # the statuses, read-only
    assert "could not be delivered" not in page
    assert "could not be delivered" not in text(client.get("/t/tenant-a/"))


def test_the_empty_archive_says_what_to_do(app, client, world):
    with tenant_scope(world.a.tenant.id):
        db.session.execute(sa.delete(Report))
        db.session.commit()
    sign_in(client, "hr_admin@a.example")
    assert "Go to the report settings" in text(client.get(f"{BASE}/"))
    other = app.test_client()
    sign_in(other, "leadership@a.example")
    page = text(other.get(f"{BASE}/"))
    assert "reports appear here once they are sent" in page
    assert "Go to the report settings" not in page


def test_the_archive_is_paginated(client, world):
    for month in range(1, 28):
        make_report(world.a.tenant, period_key=f"2024-{month:02d}" if month < 13 else None)
    sign_in(client, "hr@a.example")
    assert "Page 1 of 2" in text(client.get(f"{BASE}/"))
    assert "Page 2 of 2" in text(client.get(f"{BASE}/?page=2"))


def test_htmx_adds_a_recipient_and_answers_with_the_list(client, world):
    sign_in(client, "hr_admin@a.example")
    data = {"address": "board@example.com", "language": "fr"}
    answer = post_form(client, f"{BASE}/recipients/addresses", data, htmx=True)
    assert answer.status_code == 200
    fragment = text(answer)
    assert fragment.lstrip().startswith('<section class="card" id="recipients"')
    assert "board@example.com now gets the reports." in fragment
    assert "Français" in fragment
    refused = post_form(client, f"{BASE}/recipients/addresses", data, htmx=True)
    assert refused.status_code == 422
    assert text(refused).lstrip().startswith('<section class="card" id="recipients"')
    assert "This recipient is already on the list." in text(refused)


def test_settings_recipients_and_sending_are_in_the_audit_trail(client, world, smtp):  # noqa: F811
    sign_in(client, "hr_admin@a.example")
    hr_admin = world.a.users["hr_admin"]
    assert post_form(client, f"{BASE}/settings", SETTINGS).status_code == 302
    (changed,) = entries(world.a.tenant, "report.settings_change")
    assert changed.actor_id == hr_admin.id
    assert changed.changes["enabled"] == [False, True]
    assert changed.changes["day_of_month"] == [1, 3]
    assert "cadence" not in changed.changes  # monthly already
    form = {"address": "board@example.com", "language": "en"}
    assert post_form(client, f"{BASE}/recipients/addresses", form).status_code in (200, 302)
    added = entries(world.a.tenant, "report.settings_change")[-1]
    assert (added.object_type, added.changes) == ("report_recipients", {"added": form["address"]})
    assert post_form(client, f"{BASE}/send").status_code == 302
    sent = the_entry(world.a.tenant, "report.send")
    assert (sent.actor_id, sent.object_type) == (hr_admin.id, "reports")
    assert sent.changes["recipients"] == 1
