"""The interview's calendar invitation: RFC 5545 text (escaping, folding, UTC times) and the
email that carries it, received by a real SMTP server."""

import datetime as dt

from service.extensions import db
from service.mail.outbox import Attachment, queue_email
from service.surveys.calendar import CalendarEvent, Method, escape_text, fold, ics
from service.tenancy import tenant_scope
from tests.factories import make_departure
from tests.tenants.helpers import post_form, sign_in

STARTS = dt.datetime(2026, 12, 14, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def _event(**values) -> CalendarEvent:
    fields = {
        "uid": "interview-1@exitloop",
        "sequence": 0,
        "starts_at": STARTS,
        "summary": "Exit interview · Het Anker",
        "description": "https://exitloop.example/t/het-anker/interviews/1",
        "organizer": "noreply@exitloop.test",
        "attendee": "consultant@example.com",
        "attendee_name": 'Sofie "Interviewer" Peeters',
        **values,
    }
    return CalendarEvent(**fields)


def _unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_text_values_are_escaped():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode()) <= 75
    assert folded.replace("\r\n ", "") == line


def test_a_request_holds_one_event_in_utc_with_a_stable_uid():
    text = ics(_event(location="Kerkstraat 1, Gent; zaal 2"), Method.REQUEST, NOW)
    lines = _unfolded(text)
    assert text.endswith("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "METHOD:REQUEST" in lines
    assert "UID:interview-1@exitloop" in lines
    assert "DTSTART:20261214T133000Z" in lines  # 14:30 at UTC+1
    assert "DTEND:20261214T143000Z" in lines
    assert "DTSTAMP:20261202T080000Z" in lines
    assert "LOCATION:Kerkstraat 1\\, Gent\\; zaal 2" in lines
    assert "STATUS:CONFIRMED" in lines
    attendee = next(line for line in lines if line.startswith("ATTENDEE"))
    assert 'CN="Sofie Interviewer Peeters"' in attendee  # no quote can end the parameter
    assert attendee.endswith(":mailto:consultant@example.com")


def test_a_cancel_keeps_the_uid_and_says_cancelled():
    lines = _unfolded(ics(_event(sequence=3, url="https://meet.example/x"), Method.CANCEL, NOW))
    assert "METHOD:CANCEL" in lines
    assert "STATUS:CANCELLED" in lines
    assert "SEQUENCE:3" in lines
    assert "URL:https://meet.example/x" in lines


def test_an_attachment_reaches_the_smtp_server_as_a_calendar_part(app, smtp):
    text = ics(_event(), Method.REQUEST, NOW)
    queue_email(
        to="consultant@example.com",
        template="test",
        language="en",
        context={},
        attachment=Attachment("interview.ics", "text/calendar; method=REQUEST", text),
    )
    db.session.commit()
    (message,) = smtp.inbox.to("consultant@example.com")
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    calendar = parts["text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "interview.ics"
    assert "UID:interview-1@exitloop" in calendar.get_content()


def test_planning_sends_the_invitation_through_the_real_smtp_server(app, smtp, world, client):
    tenant = world.a.tenant
    departure = make_departure(
        tenant, "Griet Janssens", channel="interview", template_id=world.a.objects["template"].id
    )
    sign_in(client, "hr@a.example")
    day = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = post_form(
        client,
        f"/t/tenant-a/departures/{departure.id}/interview",
        {
            "interviewer_user_id": str(world.a.users["interviewer"].id),
            "scheduled_at": f"{day}T10:00",
            "video_link": "https://meet.example.com/griet",
        },
    )
    assert response.status_code == 302
    (message,) = smtp.inbox.to("interviewer@a.example")
    assert "Griet Janssens" in message.get_body(("plain",)).get_content()
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    lines = _unfolded(calendar.get_content())
    assert "METHOD:REQUEST" in lines
    assert "URL:https://meet.example.com/griet" in lines
    with tenant_scope(tenant.id):
        db.session.rollback()
