"""The interview's calendar invitation: one VEVENT in an iTIP message (RFC 5545, 5546).

Written by hand rather than with the icalendar package: one event with UTC times needs
only TEXT escaping and line folding, about forty lines that the tests read back, where the
package would bring a parser, time-zone handling and its dependencies we do not use.

The UID is stable per interview, so a calendar updates (REQUEST with a higher SEQUENCE) or
removes (CANCEL) the event it already has. The summary names the company, not the leaver:
calendars are often visible to colleagues; the email and the interview page name the person.
"""

import datetime as dt
import enum
from dataclasses import dataclass

FOLD_AT = 75  # octets per line, CRLF excluded (RFC 5545, 3.1)
DURATION = dt.timedelta(hours=1)


class Method(enum.StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: dt.datetime  # aware
    summary: str
    description: str
    organizer: str  # an email address
    attendee: str  # an email address
    attendee_name: str
    location: str | None = None
    url: str | None = None


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for plain, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(plain, escaped)
    return value


def _param(value: str) -> str:
    """A parameter value (CN): quoted, without the characters a quoted value cannot hold."""
    return '"' + "".join(char for char in value if char not in '"\r\n') + '"'


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character;
    each continuation starts with a space (3.1)."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = FOLD_AT if not parts else FOLD_AT - 1  # the leading space counts
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(event: CalendarEvent, method: Method, now: dt.datetime) -> str:
    """The calendar file: CRLF line endings, folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Exitloop//Interviews//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.starts_at + DURATION)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"ORGANIZER;CN={_param('Exitloop')}:mailto:{event.organizer}",
        f"ATTENDEE;CN={_param(event.attendee_name)};ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{event.attendee}",
        "STATUS:CANCELLED" if method is Method.CANCEL else "STATUS:CONFIRMED",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")  # a URI value: checked https, no escaping
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
