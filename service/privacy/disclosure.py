"""The data page's content: what a company's Exitloop stores, for how long, and who can see
it, read from the tenant's retention settings (service/privacy/limits.py) and the
permission matrix (service/permissions.py), so the page cannot say other than what the
job and the access checks do."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from service.labels import ROLES
from service.permissions import MATRIX
from service.privacy.limits import AUDIT, BY_COLUMN, Limit
from service.tenants.models import Tenant


@dataclass(frozen=True)
class Readers:
    action: str  # a permission of the matrix
    how: LazyString | None = None  # what those roles see of it, when not all of it
    beyond: str | None = None  # a wider permission whose roles an earlier line names


@dataclass(frozen=True)
class Kind:
    title: LazyString
    holds: LazyString  # what is stored
    limit: Limit
    afterwards: LazyString  # what is left once the time is up
    readers: tuple[Readers, ...]


KINDS = (
    Kind(
        _l("Departures"),
        _l(
            "Each leaver's name, work and personal email, phone, manager, department, "
            "function, location, hire date, last working day, type of exit, whether the "
            "loss is regretted, and HR's note. The survey invitation keeps the address the "
            "link went to and whether it was opened, answered or declined."
        ),
        BY_COLUMN["departure_retention_months"],
        _l(
            "Then the name, addresses, phone, manager, note and every interview of the "
            "person are removed; department, function, location, type of exit and the "
            "months of hire and leaving stay, for turnover figures."
        ),
        (Readers("tenant.departures.view"),),
    ),
    Kind(
        _l("Interviews"),
        _l(
            "The answers and notes of a face-to-face exit interview. An interview is "
            "identified: it belongs to the leaver's departure, and the leaver is told so."
        ),
        BY_COLUMN["interview_retention_months"],
        _l("Then the interview is deleted, with the themes read from it."),
        (
            Readers("tenant.interviews.edit_any"),
            Readers(
                "tenant.interviews.edit",
                _l("only the interviews assigned to them"),
                beyond="tenant.interviews.edit_any",
            ),
        ),
    ),
    Kind(
        _l("Confidential survey answers"),
        _l(
            "The answers of the online survey, with department, function, location, "
            "tenure band, quarter and type of exit, and the month they came in: no name, "
            "no address and no link to the departure, so no one can tell who answered."
        ),
        BY_COLUMN["confidential_retention_months"],
        _l("Then the answers are deleted, with the themes read from them."),
        (
            Readers("tenant.responses.view"),
            Readers(
                "tenant.insights.view",
                _l("figures and quotes only, for groups at least as large as the threshold"),
                beyond="tenant.responses.view",
            ),
        ),
    ),
    Kind(
        _l("Emails"),
        _l(
            "Every email Exitloop sends for the company: survey invitations and reminders, "
            "interview invitations, action reminders and leadership reports. A survey link "
            "is removed from its email as soon as it has been sent."
        ),
        BY_COLUMN["outbox_retention_days"],
        _l("Then the email is deleted; one still waiting to be sent is kept until it is."),
        (Readers("platform.outbox.view", _l("to solve delivery problems")),),
    ),
    Kind(
        _l("Audit trail"),
        _l(
            "Who read an identified response, exported, erased, or changed templates, roles, "
            "settings, retention and actions; every sign-in and failed sign-in."
        ),
        AUDIT,
        _l("Then the entry is deleted; nobody can change or remove one before."),
        (Readers("tenant.audit.view"),),
    ),
)


def _roles(readers: Readers) -> list[str]:
    """The labels of the roles the matrix gives the action (less those of the wider one),
    in the roles' own order."""
    allowed = MATRIX[readers.action] - (MATRIX[readers.beyond] if readers.beyond else set())
    return [str(label) for role, label in ROLES.items() if role in allowed]


@dataclass(frozen=True)
class Line:
    title: str
    holds: str
    period: int
    unit: str
    counted_from: str
    afterwards: str
    readers: list[tuple[str, str | None]]  # (roles, how) in the reader's language


def lines(tenant: Tenant) -> list[Line]:
    """The page's sections for this tenant, in the current language."""
    return [
        Line(
            title=str(kind.title),
            holds=str(kind.holds),
            period=getattr(tenant, kind.limit.column),
            unit=kind.limit.unit,
            counted_from=str(kind.limit.counted_from),
            afterwards=str(kind.afterwards),
            readers=[
                (", ".join(_roles(readers)), str(readers.how) if readers.how else None)
                for readers in kind.readers
            ],
        )
        for kind in KINDS
    ]
