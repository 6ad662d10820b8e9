"""The odd-input walk: every route of app.url_map, sent the security review's odd input,
answers anything but a server error.

Each route is called by the most privileged actor of its scope (HR admin for /t/…, agency
admin for /agency/…, platform admin for /platform/…, the HR admin for pages of any signed-in
user, nobody for public pages), with the CSRF token, so that POSTs reach the views:

- query strings: a huge page, a negative page, a 10,000-character search;
- a form the route's schema describes: every field in turn gets a dotless email address,
  10,000 characters, a NUL character and an empty string, the other fields valid;
  a route without a known schema gets the generic fields, all odd at once;
- invitation and reset links that work, so that their forms are reached;
- an upload: a CR-only CSV, a UTF-16 one, a file of NULs (base64 in the confirmation).

One world for the walk; whatever a route changed is put back before the next route.
Every 5xx (or exception) is collected and reported together.
"""

import base64
import datetime as dt
import io
from dataclasses import dataclass
from urllib.parse import parse_qsl

import sqlalchemy as sa
from flask import current_app
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from service.accounts import links
from service.accounts import schemas as accounts
from service.accounts.models import LinkPurpose, TenantInvitation
from service.accounts.tokens import new_token, token_hash
from service.accounts.views import LOGIN_ONLY_ENDPOINTS, PUBLIC_ENDPOINTS
from service.actions import schemas as actions
from service.actions.publish_views import PublishSchema
from service.agencies.schemas import BrandSchema, TenantCreateSchema
from service.departures.models import Channel
from service.departures.schemas import DepartureSchema
from service.extensions import db
from service.insights.schemas import CorrectionSchema, OwnThemeSchema
from service.model_types import utcnow
from service.platform.schemas import AgencySchema
from service.surveys.interview_schemas import AssignmentSchema
from service.tenancy import tenant_scope
from service.tenants import schemas as tenants
from service.tenants.models import TenantRole
from tests.conftest import admin_engine, csrf_token, login, reset_rate_limits
from tests.factories import make_departure, make_live_survey_invitation, published_version
from tests.url_map import build, furnished_fillers, routes, scope_of

ACTORS = {
    "tenant": "hr_admin@a.example",
    "agency": "agency_admin@agency-a.example",
    "platform": "platform@exitloop.example",
    "login": "hr_admin@a.example",
}

ODD_QUERIES = {
    "huge page": {"page": "9223372036854775807"},
    "negative page": {"page": "-9223372036854775808"},
    "10,000-character q": {"q": "q" * 10_000},
    # The insights filter (service/insights/filters.py) and the heat map's dimension.
    "odd insights filter": {
        "from": "0000-01",
        "to": "9999-12",
        "period": "custom",
        "department": "00000000-0000-0000-0000-000000000000",
        "function": "x" * 10_000,
        "tenure": "forever",
        "exit": "\x00",
        "dimension": "theme",
    },
    "odd theme": {"theme": "../" * 20},
}
ODD_VALUES = {
    "dotless email": "a@localhost",
    "10,000 characters": "x" * 10_000,
    "NUL": "a\x00b",
    "empty": "",
}
ODD_FILES = {
    "CR-only CSV": b"name;headcount;effective_from\rSales;10;01/02/2025\rKitchen;;\r",
    "UTF-16 CSV": "name\nKeuken\n".encode("utf-16"),
    "NUL-filled file": b"\x00" * 4096,
}


class LeaverAnswersForm(Schema):
    """The leaver's survey form on side A's template (one yes/no question, "pay"); the
    views read it field by field (service/surveys/answers.py), not with a schema."""

    answer_pay = fields.String()
    language = fields.String()


class LeaverDeclineForm(Schema):
    reason = fields.String()
    language = fields.String()


# The schema each form-reading route loads; any other route gets GENERIC.
FORMS: dict[str, type[Schema]] = {
    "leaver.save": LeaverAnswersForm,
    "leaver.submit": LeaverAnswersForm,
    "leaver.decline": LeaverDeclineForm,
    "accounts.login": accounts.LoginSchema,
    "accounts.forgot_password": accounts.ForgotPasswordSchema,
    "accounts.accept_invitation": accounts.AcceptInvitationSchema,
    "accounts.reset_password": accounts.NewPasswordSchema,
    "accounts.language": accounts.LanguageSchema,
    "accounts.profile": accounts.ProfileSchema,
    "accounts.change_password": accounts.PasswordChangeSchema,
    "agency_people.assign_consultant": accounts.AssignmentSchema,
    "agency_people.invite_consultant": accounts.InviteSchema,
    "agency_people.invite_tenant_admin": accounts.InviteSchema,
    "agencies.create_tenant": TenantCreateSchema,
    "agencies.edit_brand": BrandSchema,
    "platform_people.invite_agency_admin": accounts.InviteSchema,
    "platform.create_agency": AgencySchema,
    "members.invite": accounts.TenantInviteSchema,
    "members.change_role": accounts.RoleSchema,
    "tenants.edit_settings": tenants.TenantOwnSettingsSchema,
    "tenants.create_department": tenants.NameSchema,
    "tenants.rename_department": tenants.NameSchema,
    "tenants.add_headcount": tenants.HeadcountSchema,
    "tenants.headcount": tenants.HeadcountSchema,
    "tenants.create_job_function": tenants.NameSchema,
    "tenants.job_function": tenants.NameSchema,
    "tenants.create_location": tenants.LocationSchema,
    "tenants.location": tenants.LocationSchema,
    "actions.create": actions.ActionSchema,
    "insight_actions.create": actions.ActionSchema,
    "actions.edit": actions.EditSchema,
    "actions.move": actions.MoveSchema,
    "actions.done": actions.DoneSchema,
    "actions.progress": actions.ProgressSchema,
    "departures.create": DepartureSchema,
    "departures.edit": DepartureSchema,
    "interviews.plan": AssignmentSchema,
    "publishing.publish": PublishSchema,
    "themes.create": OwnThemeSchema,
    "themes.edit": OwnThemeSchema,
    "theme_corrections.correct": CorrectionSchema,
}
GENERIC = (
    "email",
    "name",
    "display_name",
    "role",
    "language",
    "q",
    "page",
    "headcount",
    "effective_from",
    "city",
    "password",
    "content",
    "notes",
    "revision",
    "answer_pay",
)
# Routes reading an uploaded file: the field, and whether it travels base64-encoded.
UPLOADS = {
    "tenants.import_preview": ("file", False),
    "tenants.import_confirm": ("content", True),
    "platform.create_agency": ("logo", False),
    "agencies.edit_brand": ("logo", False),
}


def valid_values(own: dict) -> dict[str, str]:
    """A valid value for every field a form of ours has: the baseline of each case."""
    return {
        "email": "odd.input@example.com",
        "password": "a brand new password",
        "confirm": "a brand new password",
        "current_password": "pw",
        "remember": "y",
        "next": "/",
        "display_name": "Odd Input",
        "language": "en",
        "role": "member",
        "user_id": own["user_id"],
        "tenant_id": own["tenant_id"],
        "name": "Odd input",
        "slug": "odd-input",
        "sector": "retail",
        "languages": "nl",
        "default_language": "nl",
        "time_zone": "Europe/Brussels",
        "confidentiality_k": "5",
        "data_protection_contact": "privacy@example.com",
        "brand_name": "Odd",
        "brand_colour": "#0f766e",
        "remove_logo": "y",
        "city": "Gent",
        "headcount": "12",
        "effective_from": "2025-02-01",
        "q": "odd",
        "page": "1",
        "content": "",
        "default_channel": "both",
        "full_name": "Odd Input",
        "work_email": "odd.work@example.com",
        "personal_email": "odd@example.com",
        "phone": "+32 9 123 45 67",
        "department_id": own["department_id"],
        "new_department": "",
        "job_function_id": own["job_function_id"],
        "new_job_function": "",
        "location_id": own["location_id"],
        "new_location": "",
        "manager_membership_id": own["membership_id"],
        "manager_name": "",
        "hired_on": "2020-01-01",
        "last_day": "2026-09-30",
        "exit_type": "voluntary",
        "regretted": "y",
        "channel": "both",
        "template_id": own["template_id"],
        "note": "An odd note",
        "answer_pay": "yes",
        "reason": "I would rather not say",
        "interviewer_user_id": own["interviewer_user_id"],
        "scheduled_at": "2099-03-02T14:30",
        "place": "Office, room 2",
        "video_link": "https://meet.example.com/odd",
        "title": "Odd action",
        "description": "An odd description",
        "owner_membership_id": own["membership_id"],
        "due_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "priority": "high",
        "themes": "workload",
        "department_ids": own["department_id"],
        "job_function_ids": own["job_function_id"],
        "revision": "1",
        "status": "in_progress",
        "outcome": "An odd outcome",
        "percent": "50",
        "action_reminder_days": "3",
        "public_summary": "An odd public summary",
        "survey_invite_days_before": "3",
        "survey_reminder_days": "3, 7",
        "survey_expiry_days": "21",
        "audit_retention_days": "730",
        "quote_threshold": "12",
        "label_nl": "Verhuis",
        "label_fr": "Déménagement",
        "label_en": "Move",
        "keywords_nl": "verhuis\nkantoor-",
        "keywords_fr": "déménagement",
        "keywords_en": "move",
        "theme": "workload",
        "verdict": "add",
    }


def working_links(world) -> dict[str, str]:
    """A live invitation and reset link, so that their password forms are reached too."""
    user = world.a.users["member"]
    invitation_token = new_token()
    with tenant_scope(world.a.tenant.id):
        invitation = TenantInvitation(
            email="walk.invitee@example.com",
            display_name="Walk",
            role=TenantRole.MEMBER,
            language="nl",
            token_hash=token_hash(invitation_token),
            expires_at=utcnow() + dt.timedelta(days=1),
        )
        db.session.add(invitation)
        db.session.commit()
    tokens = {
        "accounts.accept_invitation": invitation_token,
        "accounts.reset_password": links.issue(user, LinkPurpose.PASSWORD_RESET),
    }
    db.session.commit()
    return tokens


def actor_of(endpoint: str) -> str | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if endpoint in LOGIN_ONLY_ENDPOINTS:
        return ACTORS["login"]
    return ACTORS[scope_of(endpoint)]


def form_cases(endpoint: str, valid: dict):
    """(what is odd, form data, files) for one POST route."""
    if endpoint in FORMS:
        fields = sorted(FORMS[endpoint]().load_fields)
        baseline = {name: valid[name] for name in fields}
        for name in fields:
            for kind, value in ODD_VALUES.items():
                yield f"{name}: {kind}", {**baseline, name: value}, {}
    else:
        baseline = {}
        for kind, value in ODD_VALUES.items():
            yield f"every generic field: {kind}", dict.fromkeys(GENERIC, value), {}
    if endpoint in UPLOADS:
        field, encoded = UPLOADS[endpoint]
        for kind, content in ODD_FILES.items():
            if encoded:
                yield kind, {**baseline, field: base64.b64encode(content).decode()}, {}
            else:
                yield kind, baseline, {field: (io.BytesIO(content), "odd.csv")}


def snapshot() -> dict:
    # As the superuser: every tenant's rows, above row-level security.
    with admin_engine(current_app).connect() as connection:
        return {
            table: [dict(row) for row in connection.execute(table.select()).mappings()]
            for table in db.metadata.sorted_tables
        }


def restore(rows: dict) -> None:
    """Back to the snapshot: whatever the last route changed (or deleted) is undone."""
    db.session.remove()
    with admin_engine(current_app).begin() as connection:
        # As replica: the audit trail's append-only trigger stays quiet.
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(sa.delete(table))
        for table in db.metadata.sorted_tables:
            if rows[table]:
                connection.execute(sa.insert(table), rows[table])


@dataclass
class Caller:
    """One route's requests, by one signed-in (or anonymous) client with its CSRF token."""

    client: FlaskClient
    token: str
    method: str
    url: str
    failures: list[str]
    changed: bool = False  # a POST went through: the route may have changed data

    def send(self, odd: str, query=None, form=None, files=None) -> None:
        data = None
        if self.method != "GET":
            data = {**(form or {}), **(files or {}), "csrf_token": self.token}
        path, _mark, fixed = self.url.partition("?")  # a query the route needs (url_map)
        query = {**dict(parse_qsl(fixed)), **(query or {})} or None
        try:
            response = self.client.open(
                path,
                method=self.method,
                query_string=query,
                data=data,
                content_type="multipart/form-data" if files else None,
                headers={"Accept": "text/html"},
            )
        except Exception as error:  # every failure is reported at the end
            self.failures.append(f"{self.method} {self.url} [{odd}] raised {error!r:.300}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{self.method} {self.url} [{odd}] -> {response.status_code}")
        self.changed |= self.method != "GET" and response.status_code < 400


class Clients:
    """A signed-in client per actor (and an anonymous one), signed in again when needed."""

    def __init__(self, app):
        self.app = app
        self.signed_in: dict[str | None, tuple[FlaskClient, str]] = {}

    def of(self, actor: str | None) -> tuple[FlaskClient, str]:
        if actor not in self.signed_in:
            client = self.app.test_client()
            if actor:
                login(client, actor)
            self.signed_in[actor] = client, csrf_token(client, "/profile" if actor else "/login")
        return self.signed_in[actor]

    def forget(self) -> None:
        """The sessions are gone (restored away, or signed out): sign in afresh."""
        self.signed_in.clear()


def _live_survey_link(side) -> str:
    """A leaver's link that works, so the walk reaches the survey behind it."""
    departure = make_departure(side.tenant, "Survey Leaver", channel=Channel.SURVEY)
    version = published_version(side.tenant, side.objects["template"])
    _invitation, token = make_live_survey_invitation(side.tenant, departure, version)
    return f"/s/{token}"


def test_no_odd_input_makes_a_server_error(app, world):
    own = furnished_fillers(world)
    valid = valid_values(own)
    tokens = working_links(world)
    survey_link = _live_survey_link(world.a)
    saved = snapshot()
    clients = Clients(app)
    failures: list[str] = []
    walked = 0
    for rule, method in sorted(routes(app), key=lambda route: (route[0].rule, route[1])):
        actor = actor_of(rule.endpoint)
        if actor is None:
            reset_rate_limits(app)  # the walk fails sign-ins far more often than a person
        url = build(rule, {**own, "token": tokens.get(rule.endpoint, own["token"])})
        call = Caller(*clients.of(actor), method, url, failures)
        if rule.endpoint.startswith("leaver."):  # the leaver's pages: through the link first
            call.client.get(survey_link)
        for odd, query in ODD_QUERIES.items():
            call.send(odd, query=query)
        if method == "POST":
            for odd, form, files in form_cases(rule.endpoint, valid):
                call.send(odd, form=form, files=files)
        walked += 1
        if call.changed:
            restore(saved)
            clients.forget()
    assert walked == sum(1 for _route in routes(app))
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
