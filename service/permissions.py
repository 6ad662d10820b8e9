"""Who may do what: the actor × action matrix as data, denying by default.

A role is the user's effective role in the scope of the page: a tenant role
(``hr_admin`` … ``member``), ``agency_admin`` inside a client tenant of its agency,
an agency role on agency pages, or ``platform_admin`` on platform pages. Scope membership
itself is checked by the resolvers in service/scopes.py (another scope is a 404); this
matrix decides what a member may do (a refusal is a 403).
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, g

from service.roles import AGENCY_SCOPE_ROLES, PLATFORM_SCOPE_ROLES, TENANT_SCOPE_ROLES

TENANT_ROLES = TENANT_SCOPE_ROLES
AGENCY_ROLES = AGENCY_SCOPE_ROLES
PLATFORM_ROLES = PLATFORM_SCOPE_ROLES

MATRIX: dict[str, frozenset[str]] = {
    "tenant.home": frozenset(TENANT_ROLES),
    "tenant.structure.view": frozenset({"hr_admin", "hr", "leadership", "agency_admin"}),
    "tenant.settings.view": frozenset({"hr_admin", "agency_admin"}),
    # The agency admin supports its clients' set-up; structure is no feedback content.
    "tenant.structure.manage": frozenset({"hr_admin", "agency_admin"}),
    "tenant.settings.edit": frozenset({"hr_admin", "agency_admin"}),
    # Requiring a second factor of everyone in the tenant: the HR admin, for its people.
    "tenant.second_factor.manage": frozenset({"hr_admin"}),
    "agency.home": frozenset(AGENCY_ROLES),
    "agency.portfolio.view": frozenset({"agency_admin"}),
    "agency.tenants.manage": frozenset({"agency_admin"}),
    # The brand (name, colour, logo) its clients' pages and emails show.
    "agency.brand.edit": frozenset({"agency_admin"}),
    "platform.home": frozenset(PLATFORM_ROLES),
    "platform.outbox.view": frozenset(PLATFORM_ROLES),
    "platform.outbox.retry": frozenset(PLATFORM_ROLES),
    "platform.agencies.manage": frozenset(PLATFORM_ROLES),
    # Requiring a second factor of every platform administrator and agency staff member.
    "platform.second_factor.manage": frozenset(PLATFORM_ROLES),
    # People: members of a tenant (its agency admin may name a new HR admin), consultants.
    "tenant.members.manage": frozenset({"hr_admin", "agency_admin"}),
    "agency.consultants.manage": frozenset({"agency_admin"}),
    "agency.tenant_admin.invite": frozenset({"agency_admin"}),
    "platform.agency_admin.invite": frozenset(PLATFORM_ROLES),
    # Question templates: HR reads them and interviewers use them; the HR admin manages
    # them, and the agency admin may set up a client's (structure, not feedback).
    "tenant.templates.view": frozenset({"hr_admin", "hr", "interviewer", "agency_admin"}),
    "tenant.templates.manage": frozenset({"hr_admin", "agency_admin"}),
    # Departures are personal data: HR works with them; leadership, members and the agency
    # admin never see them (interviewers will see their assigned ones with interviews).
    "tenant.departures.view": frozenset({"hr_admin", "hr"}),
    "tenant.departures.manage": frozenset({"hr_admin", "hr"}),
    # Confidential survey responses, de-identified: HR only (leadership sees aggregates).
    "tenant.responses.view": frozenset({"hr_admin", "hr"}),
    # Themes: the tenant's own beside the default taxonomy are the HR admin's; HR confirms,
    # removes or adds the themes of the answers it reads (responses, completed interviews).
    "tenant.themes.manage": frozenset({"hr_admin"}),
    "tenant.themes.correct": frozenset({"hr_admin", "hr"}),
    # Interviews: HR assigns them from a departure (tenant.departures.manage). An interviewer
    # (a member with that role, or an agency consultant assigned to the tenant, who gets it
    # there) records only the interviews assigned to them; HR may open and record any, and
    # reads the completed, identified response on the departure.
    "tenant.interviews.edit": frozenset({"hr_admin", "hr", "interviewer"}),
    "tenant.interviews.edit_any": frozenset({"hr_admin", "hr"}),
    # Actions (the accountability board): HR creates and edits them all; leadership reads
    # them all; everyone else who may see some sees and moves only their own (OWNER_RULES).
    "tenant.actions.view": frozenset({"hr_admin", "hr", "leadership", "interviewer", "member"}),
    "tenant.actions.view_all": frozenset({"hr_admin", "hr", "leadership"}),
    "tenant.actions.edit": frozenset({"hr_admin", "hr", "interviewer", "member"}),
    "tenant.actions.manage": frozenset({"hr_admin", "hr"}),
    # Insights (the dashboard and its de-identified quotes): aggregates within the
    # confidentiality thresholds, for HR and leadership; never interviewers, members or the
    # agency admin (feedback content, not set-up).
    "tenant.insights.view": frozenset({"hr_admin", "hr", "leadership"}),
    # Insights exports take figures and de-identified answers out of the application: HR
    # only. Leadership reads the dashboard but does not export; the HR admin sees who did.
    "tenant.insights.export": frozenset({"hr_admin", "hr"}),
    "tenant.insights.export_history": frozenset({"hr_admin"}),
    # The agency compares a client's themes with its other clients of the same sector:
    # shares only, never a peer's name or count (service/insights/benchmark.py).
    "agency.benchmark.view": frozenset({"agency_admin"}),
    # Leadership reports: the HR admin sets recipients and cadence, previews and sends;
    # those who read the dashboard read the archive; the agency admin sees, across its
    # clients, whether reports went out (statuses only, never a report's figures).
    "tenant.reports.view": frozenset({"hr_admin", "hr", "leadership"}),
    "tenant.reports.manage": frozenset({"hr_admin"}),
    "agency.reports.view": frozenset({"agency_admin"}),
    # The audit trail (who read, exported or changed what): the HR admin reads and exports
    # the company's and sets how long it is kept; the platform admin reads the platform's.
    "tenant.audit.view": frozenset({"hr_admin"}),
    "tenant.retention.edit": frozenset({"hr_admin"}),
    # The data page (what is stored, how long, who sees it): those who work with the data
    # or answer for it; it holds no personal data itself.
    "tenant.privacy.view": frozenset({"hr_admin", "hr", "leadership"}),
    # Erasing a leaver on request: the controller's decision, the HR admin's.
    "tenant.departures.erase": frozenset({"hr_admin"}),
    "platform.audit.view": frozenset(PLATFORM_ROLES),
    # The company's data as a whole (the client firm is the controller): its HR admin
    # exports all of it, and requests (or cancels) its deletion after the grace period.
    "tenant.export.manage": frozenset({"hr_admin"}),
    "tenant.deletion.manage": frozenset({"hr_admin"}),
    "agency.library.view": frozenset(AGENCY_ROLES),
    "agency.library.manage": frozenset({"agency_admin"}),
}


# The second layer, object checks: a role holds these actions only for the objects it owns
# (an action it is the owner of), unless it also holds the wider action named here.
OWNER_RULES: dict[str, str] = {
    "tenant.actions.view": "tenant.actions.view_all",
    "tenant.actions.edit": "tenant.actions.manage",
}


def can(role: str | None, action: str) -> bool:
    return role is not None and role in MATRIX.get(action, frozenset())


def may(role: str | None, action: str, owns: bool) -> bool:
    """``can``, and the object rule: the owner, or a role that holds the wider action."""
    if not can(role, action):
        return False
    wider = OWNER_RULES.get(action)
    return wider is None or owns or can(role, wider)


def require_owner_or_role(action: str, owns: bool) -> None:
    """After the scoped fetch: 403 unless the current role may do ``action`` to this object
    (another tenant's object never got here: it is a 404)."""
    if not may(g.get("role"), action, owns):
        abort(403)


def require(action: str) -> Callable:
    """View decorator: 403 unless the current scope's role may do ``action``."""
    if action not in MATRIX:
        raise KeyError(f"unknown action {action!r}: add it to permissions.MATRIX")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not can(g.get("role"), action):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_action = action
        return guarded

    return decorate
