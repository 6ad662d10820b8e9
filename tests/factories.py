"""Test data builders; each commits, like a real request would."""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from service.accounts.models import (
    AgencyInvitation,
    AgencyMembership,
    AgencyRole,
    TenantInvitation,
    User,
)
from service.accounts.passwords import hash_password
from service.accounts.tokens import new_token, token_hash
from service.actions.models import Action
from service.actions.services import create_action
from service.departures.import_models import DepartureImport, ImportStatus
from service.departures.models import Channel, Departure, ExitType
from service.departures.services import identity_key
from service.extensions import db
from service.insights.models import TenantTheme
from service.model_types import utcnow
from service.reports import content as report_content
from service.reports.models import Cadence, Report
from service.reports.periods import period_containing
from service.surveys.document import Question, Questionnaire, QuestionType, to_json
from service.surveys.interview_models import Interview
from service.surveys.invitation_models import InvitationStatus, SurveyInvitation
from service.surveys.models import AgencyTemplate, QuestionTemplate, TemplateVersion
from service.surveys.response_models import SurveyResponse
from service.tenancy import tenant_scope
from service.tenant_data.models import ExportStatus, TenantExport
from service.tenants.models import (
    Agency,
    Department,
    DepartmentHeadcount,
    JobFunction,
    Location,
    Membership,
    Sector,
    Tenant,
    TenantRole,
)


def _detached(obj):
    """Loaded and detached: a tenant-owned object stays readable outside its tenant scope."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def make_agency(slug: str, name: str | None = None) -> Agency:
    agency = Agency(slug=slug, name=name or slug.title())
    db.session.add(agency)
    db.session.commit()
    return agency


def make_tenant(slug: str, agency: Agency | None = None, **fields) -> Tenant:
    tenant = Tenant(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").title()),
        sector=fields.pop("sector", Sector.RETAIL),
        languages=fields.pop("languages", ["nl", "fr"]),
        default_language=fields.pop("default_language", "nl"),
        agency_id=agency.id if agency else None,
        **fields,
    )
    db.session.add(tenant)
    db.session.commit()
    return tenant


def make_user(email: str, password: str = "pw", **fields) -> User:
    user = User(email=email, display_name=fields.pop("display_name", email), **fields)
    user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def add_membership(tenant: Tenant, user: User, role: str) -> Membership:
    with tenant_scope(tenant.id):
        membership = Membership(user_id=user.id, role=TenantRole(role))
        db.session.add(membership)
        db.session.commit()
        return _detached(membership)


def add_agency_membership(agency: Agency, user: User, role: str) -> None:
    db.session.add(AgencyMembership(agency_id=agency.id, user_id=user.id, role=AgencyRole(role)))
    db.session.commit()


def make_department(tenant: Tenant, name: str, headcounts=((dt.date(2025, 1, 1), 10),)):
    with tenant_scope(tenant.id):
        department = Department(name=name)
        db.session.add(department)
        db.session.flush()
        for day, count in headcounts:
            db.session.add(
                DepartmentHeadcount(
                    department_id=department.id, effective_from=day, headcount=count
                )
            )
        db.session.commit()
        return _detached(department)


def make_structure(tenant: Tenant) -> dict:
    department = make_department(tenant, f"Sales {tenant.slug}")
    with tenant_scope(tenant.id):
        job_function = JobFunction(name=f"Representative {tenant.slug}")
        location = Location(name=f"Gent {tenant.slug}", city="Gent")
        db.session.add_all([job_function, location])
        db.session.commit()
        headcount = db.session.scalar(
            sa.select(DepartmentHeadcount).where(
                DepartmentHeadcount.tenant_id == tenant.id,
                DepartmentHeadcount.department_id == department.id,
            )
        )
        return {
            "department": department,
            "headcount": _detached(headcount),
            "job_function": _detached(job_function),
            "location": _detached(location),
        }


def _invitation_fields(email: str) -> dict:
    now = utcnow()
    return {
        "email": email,
        "display_name": email.split("@")[0].title(),
        "language": "nl",
        "token_hash": token_hash(new_token()),
        "expires_at": now + dt.timedelta(days=7),
    }


def make_tenant_invitation(tenant: Tenant, email: str, role: str = "hr") -> TenantInvitation:
    """A pending invitation (its raw token is not kept: tests that follow the link invite
    through the page and read the email)."""
    with tenant_scope(tenant.id):
        invitation = TenantInvitation(role=TenantRole(role), **_invitation_fields(email))
        db.session.add(invitation)
        db.session.commit()
        return _detached(invitation)


def make_agency_invitation(agency: Agency, email: str, role: str = "consultant"):
    invitation = AgencyInvitation(
        agency_id=agency.id, role=AgencyRole(role), **_invitation_fields(email)
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation


def small_document(languages=("nl", "fr")) -> dict:
    """A one-question document (key "pay"), complete in ``languages``."""
    texts = {
        "nl": "Speelde het loon mee?",
        "fr": "Le salaire a-t-il joué ?",
        "en": "Did pay matter?",
    }
    question = Question(
        key="pay",
        type=QuestionType.YES_NO,
        required=True,
        text={language: texts[language] for language in languages},
        theme="compensation",
    )
    return to_json(Questionnaire(languages=tuple(languages), questions=(question,)))


def make_question_template(tenant: Tenant, name: str = "Exit questions", published: int = 1):
    """A template with ``published`` frozen versions and a draft after them."""
    with tenant_scope(tenant.id):
        template = QuestionTemplate(name=name, languages=["nl", "fr"], origin="blank")
        db.session.add(template)
        db.session.flush()
        for number in range(1, published + 1):
            db.session.add(
                TemplateVersion(
                    template_id=template.id,
                    number=number,
                    document=small_document(),
                    published_at=utcnow(),
                )
            )
        db.session.add(
            TemplateVersion(
                template_id=template.id, number=published + 1, document=small_document()
            )
        )
        db.session.commit()
        return _detached(template)


def make_departure(tenant: Tenant, full_name: str = "Jan Peeters", **values) -> Departure:
    """A departure recorded by hand (status new); ``values`` override the defaults."""
    fields = {
        "full_name": full_name,
        "personal_email": None,
        "work_email": f"{full_name.lower().replace(' ', '.')}@{tenant.slug}.example",
        "language": "nl",
        "last_day": dt.date(2026, 6, 30),
        "exit_type": ExitType.VOLUNTARY,
        "channel": Channel.BOTH,
        **values,
    }
    fields["identity_key"] = identity_key(
        fields["work_email"], fields["personal_email"], fields["full_name"]
    )
    with tenant_scope(tenant.id):
        departure = Departure(**fields)
        db.session.add(departure)
        db.session.commit()
        return _detached(departure)


def make_survey_invitation(tenant: Tenant, departure: Departure, **values) -> SurveyInvitation:
    """A scheduled survey invitation of ``departure``; ``values`` override the defaults."""
    fields = {
        "departure_id": departure.id,
        "language": departure.language,
        "scheduled_for": departure.last_day - dt.timedelta(days=3),
        "next_step_at": utcnow() + dt.timedelta(days=1),
        **values,
    }
    with tenant_scope(tenant.id):
        invitation = SurveyInvitation(**fields)
        db.session.add(invitation)
        db.session.commit()
        return _detached(invitation)


def make_interview(tenant: Tenant, departure: Departure, interviewer: User, **values) -> Interview:
    """A planned interview next week at the office, on the first published version of the
    tenant's first template (``values`` override)."""
    with tenant_scope(tenant.id):
        version_id = db.session.scalar(
            sa.select(TemplateVersion.id)
            .where(
                TemplateVersion.tenant_id == tenant.id, TemplateVersion.published_at.is_not(None)
            )
            .order_by(TemplateVersion.created_at)
            .limit(1)
        )
        fields = {
            "departure_id": departure.id,
            "interviewer_user_id": interviewer.id,
            "scheduled_at": utcnow() + dt.timedelta(days=7),
            "place": "Office, room 2",
            "template_version_id": version_id,
            "answers": {},
            "notes": "",
            **values,
        }
        interview = Interview(**fields)
        db.session.add(interview)
        db.session.commit()
        return _detached(interview)


def make_departure_import(tenant: Tenant, filename: str = "leavers.csv") -> DepartureImport:
    """A finished departure import (its file already dropped)."""
    with tenant_scope(tenant.id):
        record = DepartureImport(
            filename=filename,
            fingerprint="0" * 64,
            status=ImportStatus.DONE,
            rows_total=3,
            rows_done=3,
            created_count=3,
            finished_at=utcnow(),
        )
        db.session.add(record)
        db.session.commit()
        return _detached(record)


def make_tenant_export(tenant: Tenant, requested_by: User, **values) -> TenantExport:
    """A whole-tenant export ready for its one download (a tiny stand-in archive)."""
    now = utcnow()
    fields = {
        "status": ExportStatus.READY,
        "archive": b"PK\x05\x06" + b"\x00" * 18,  # an empty ZIP
        "size_bytes": 22,
        "rows": 0,
        "finished_at": now,
        "expires_at": now + dt.timedelta(hours=24),
        **values,
    }
    with tenant_scope(tenant.id):
        export = TenantExport(requested_by=requested_by.id, **fields)
        db.session.add(export)
        db.session.commit()
        return _detached(export)


def published_version(tenant: Tenant, template: QuestionTemplate) -> TemplateVersion:
    with tenant_scope(tenant.id):
        version = db.session.scalar(
            sa.select(TemplateVersion)
            .where(
                TemplateVersion.template_id == template.id,
                TemplateVersion.published_at.is_not(None),
            )
            .order_by(TemplateVersion.number.desc())
        )
        return _detached(version)


def make_live_survey_invitation(
    tenant: Tenant, departure: Departure, version: TemplateVersion, **values
) -> tuple[SurveyInvitation, str]:
    """A sent invitation (the link mailed a day ago, open for 20 more days) and its raw
    token, so a test can follow the link."""
    token = new_token()
    now = utcnow()
    fields = {
        "departure_id": departure.id,
        "status": InvitationStatus.SENT,
        "token_hash": token_hash(token),
        "address": departure.personal_email or departure.work_email,
        "language": departure.language,
        "template_version_id": version.id,
        "scheduled_for": now.date() - dt.timedelta(days=1),
        "first_sent_at": now - dt.timedelta(days=1),
        "last_sent_at": now - dt.timedelta(days=1),
        "expires_at": now + dt.timedelta(days=20),
        **values,
    }
    with tenant_scope(tenant.id):
        invitation = SurveyInvitation(**fields)
        db.session.add(invitation)
        db.session.commit()
        return _detached(invitation), token


def make_survey_response(tenant: Tenant, version: TemplateVersion, **values) -> SurveyResponse:
    fields = {
        "month": dt.date(2026, 11, 1),
        "exit_quarter": "2026-Q4",
        "exit_type": ExitType.VOLUNTARY,
        "regretted": False,
        "language": "nl",
        "template_version_id": version.id,
        "answers": {"pay": "yes"},
        **values,
    }
    with tenant_scope(tenant.id):
        response = SurveyResponse(**fields)
        db.session.add(response)
        db.session.commit()
        return _detached(response)


def make_action(
    tenant: Tenant, owner: Membership, title: str = "Review the shift roster", **values
):
    """An open action of ``tenant`` owned by ``owner``, due in a month."""
    fields = {
        "description": None,
        "due_on": dt.date.today() + dt.timedelta(days=30),
        "priority": "normal",
        "themes": ["workload"],
        "department_ids": (),
        "job_function_ids": (),
        "actor": None,
        **values,
    }
    with tenant_scope(tenant.id):
        action = create_action(title=title, owner_membership_id=owner.id, **fields)
        return _detached(db.session.get(Action, (tenant.id, action.id)))


def make_library_template(agency: Agency, name: str = "Agency exit questions"):
    template = AgencyTemplate(
        agency_id=agency.id,
        name=name,
        languages=["nl", "fr"],
        origin="blank",
        document=small_document(),
    )
    db.session.add(template)
    db.session.commit()
    return template


@dataclass
class Side:
    """One tenant (and its agency) with a user for every role."""

    agency: Agency
    tenant: Tenant
    users: dict[str, User] = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    platform_admin: User


def _side(name: str) -> Side:
    agency = make_agency(f"agency-{name}")
    tenant = make_tenant(f"tenant-{name}", agency)
    side = Side(agency, tenant)
    memberships = {}
    for role in TenantRole:
        user = make_user(f"{role.value}@{name}.example")
        memberships[role.value] = add_membership(tenant, user, role.value)
        side.users[role.value] = user
    for role in AgencyRole:
        user = make_user(f"{role.value}@agency-{name}.example")
        add_agency_membership(agency, user, role.value)
        side.users[role.value] = user
    side.objects = {
        **make_structure(tenant),
        "membership": memberships["member"],
        "invitation": make_tenant_invitation(tenant, f"invited@{name}.example"),
        "agency_invitation": make_agency_invitation(agency, f"invited@agency-{name}.example"),
        "template": make_question_template(tenant),
        "departure": (departure := make_departure(tenant)),
        "survey_invitation": make_survey_invitation(tenant, departure),
        "library_template": make_library_template(agency),
        "departure_import": make_departure_import(tenant),
    }
    objects = side.objects
    objects["interview"] = make_interview(tenant, objects["departure"], side.users["interviewer"])
    objects["action"] = make_action(tenant, memberships["member"])
    objects["tenant_theme"] = make_tenant_theme(tenant)
    objects["report"] = make_report(tenant)
    objects["tenant_export"] = make_tenant_export(tenant, side.users["hr_admin"])
    return side


def make_report(tenant: Tenant, period_key: str | None = "2026-10") -> Report:
    """A report of October 2026 as it would have been sent (no recipients)."""
    with tenant_scope(tenant.id):
        period = period_containing(Cadence.MONTHLY, dt.date(2026, 10, 1))
        report = Report(
            period_key=period_key,
            cadence=period.cadence,
            period_start=period.start,
            period_end=period.end,
            content=report_content.build(
                db.session.get(Tenant, tenant.id), period, dt.date(2026, 11, 2)
            ),
        )
        db.session.add(report)
        db.session.commit()
        return _detached(report)


def make_tenant_theme(
    tenant: Tenant, labels: dict | None = None, keywords: dict | None = None, key: str = ""
) -> TenantTheme:
    """A theme of the tenant's own ("own_reorganisation" unless told)."""
    with tenant_scope(tenant.id):
        theme = TenantTheme(
            key=key or "own_reorganisation",
            labels=labels or {"nl": "Reorganisatie", "fr": "Réorganisation"},
            keywords=keywords or {"nl": ["reorganisatie"], "fr": ["réorganisation"]},
        )
        db.session.add(theme)
        db.session.commit()
        return _detached(theme)


def make_world() -> World:
    admin = make_user("platform@exitloop.example", is_platform_admin=True)
    return World(a=_side("a"), b=_side("b"), platform_admin=admin)
