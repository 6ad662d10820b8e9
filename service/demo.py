"""Demo data: one agency with its brand, three Belgian client companies and their people.

``flask --app wsgi seed-demo [--password PW] [--json]`` — idempotent: a second run
finds what the first made and only resets the demo passwords.

Every company has a login per role at ``<role>@<company>.example`` (``hr.admin@…`` for the
HR administrator): the README, .ci/run and the tests use these addresses. The people behind
them, their colleagues and the invitations still pending have names and languages that fit
their company, so that every list tells a believable story.
"""

import datetime as dt
import json
from dataclasses import dataclass

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from service.accounts.models import (
    AgencyInvitation,
    AgencyMembership,
    AgencyRole,
    TenantInvitation,
    User,
)
from service.accounts.passwords import hash_password
from service.accounts.tokens import new_token, token_hash
from service.actions.demo import seed_tenant_actions
from service.demo_logo import demo_logo_png
from service.departures.demo import seed_tenant_departures, seed_tenant_past_departures
from service.extensions import db
from service.insights.demo import seed_tenant_insights
from service.labels import ROLES
from service.model_types import utcnow
from service.reports.demo import seed_tenant_reports
from service.roles import PLATFORM_ADMIN
from service.surveys.demo import seed_library, seed_tenant_templates
from service.surveys.interview_demo import seed_tenant_interviews
from service.surveys.invitation_demo import seed_tenant_invitations
from service.surveys.response_demo import seed_tenant_responses
from service.tenancy import tenant_scope
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

DEFAULT_PASSWORD = "exitloop-demo"  # noqa: S105 — demo data only, printed on purpose


@dataclass(frozen=True)
class Person:
    """A demo person: ``address`` is the part of the email address before the @."""

    address: str
    name: str
    role: str
    language: str | None  # their chosen language; None: not chosen yet
    deactivated: bool = False  # a former member: the row stays, the access is gone


def login_address(role: str) -> str:
    """The demo login of a tenant role: ``hr_admin`` → ``hr.admin``."""
    return role.replace("_", ".")


PLATFORM = {
    "name": "Exitloop",
    "domain": "exitloop.example",
    "people": [Person("admin", "Jonas Verbeke", PLATFORM_ADMIN, "en")],
}

AGENCY = {
    "slug": "talentbrug",
    "name": "Talentbrug Interim",
    "brand_name": "Talentbrug Interim",
    "colour": "#0f766e",
    "domain": "talentbrug.example",
    "people": [
        # Has not chosen a language yet: she reads her browser's, and the first page after
        # signing in offers the choice (service/i18n.py) — the demo of that offer.
        Person("agency.admin", "Katrien Desmet", AgencyRole.AGENCY_ADMIN, None),
        Person("consultant", "Tom Van Damme", AgencyRole.CONSULTANT, "nl"),
    ],
    "invitations": [
        Person("yasmine.elamrani", "Yasmine El Amrani", AgencyRole.CONSULTANT, "fr"),
    ],
}
# The consultant interviews at these clients (an assignment by the agency).
CONSULTANT_CLIENTS = ("het-anker", "maison-lumiere")

TENANTS = [
    {
        "slug": "het-anker",
        "name": "Brasserie Het Anker",
        "sector": Sector.HORECA,
        "languages": ["nl"],
        "default_language": "nl",
        # A brasserie with many short stays: interviews kept a year and a half, mail two months
        # (longer than the demo's fifteen months of history, so the daily job keeps it whole).
        "retention": {"interview_retention_months": 18, "outbox_retention_days": 60},
        "departments": {
            "Keuken": (70, 76),
            "Zaal": (198, 210),
            "Bar": (46, 48),
            "Administratie": (12, 13),
        },
        "functions": ["Kok", "Kelner", "Barman", "Zaalverantwoordelijke"],
        "locations": [("Gent Korenmarkt", "Gent"), ("Brugge Markt", "Brugge")],
        "people": [
            Person("hr.admin", "Hanne Claes", TenantRole.HR_ADMIN, "nl"),
            Person("hr", "Pieter Janssens", TenantRole.HR, "nl"),
            Person("interviewer", "Sofie Maes", TenantRole.INTERVIEWER, "nl"),
            Person("leadership", "Koen De Smet", TenantRole.LEADERSHIP, "nl"),
            Person("member", "Bram Vermeulen", TenantRole.MEMBER, "nl"),
            Person("ilse.wouters", "Ilse Wouters", TenantRole.HR, "nl"),
            Person("marc.goossens", "Marc Goossens", TenantRole.LEADERSHIP, "nl"),
            Person("jana.devos", "Jana De Vos", TenantRole.MEMBER, "nl"),
            Person("wout.peeters", "Wout Peeters", TenantRole.MEMBER, "nl"),
            Person("emma.mertens", "Emma Mertens", TenantRole.MEMBER, "nl"),
            Person("jolien.smets", "Jolien Smets", TenantRole.MEMBER, "nl", deactivated=True),
        ],
        "invitations": [
            Person("lisa.jacobs", "Lisa Jacobs", TenantRole.MEMBER, "nl"),
            Person("arne.hermans", "Arne Hermans", TenantRole.INTERVIEWER, "nl"),
        ],
    },
    {
        "slug": "maison-lumiere",
        "name": "Maison Lumière",
        "sector": Sector.RETAIL,
        "languages": ["fr", "nl"],
        "default_language": "fr",
        # A luxury house that compares years: confidential answers kept four years.
        "retention": {"confidential_retention_months": 48, "departure_retention_months": 36},
        "departments": {
            "Ventes": (395, 415),
            "Logistique": (84, 80),
            "Marketing": (19, 22),
            "RH": (10, 10),
        },
        "functions": ["Vendeur·euse", "Gérant·e de magasin", "Magasinier·ère", "Chef de rayon"],
        "locations": [
            ("Bruxelles Louise", "Bruxelles"),
            ("Antwerpen Meir", "Antwerpen"),
            ("Liège Vinâve", "Liège"),
        ],
        "people": [
            Person("hr.admin", "Élodie Dubois", TenantRole.HR_ADMIN, "fr"),
            Person("hr", "Maxime Lambert", TenantRole.HR, "fr"),
            Person("interviewer", "Camille Leroy", TenantRole.INTERVIEWER, "fr"),
            Person("leadership", "Nathalie Dupont", TenantRole.LEADERSHIP, "fr"),
            Person("member", "Julien Martin", TenantRole.MEMBER, "fr"),
            Person("sarah.lejeune", "Sarah Lejeune", TenantRole.HR, "fr"),
            Person("olivier.renard", "Olivier Renard", TenantRole.LEADERSHIP, "fr"),
            Person("manon.simon", "Manon Simon", TenantRole.MEMBER, "fr"),
            Person("ines.bertrand", "Inès Bertrand", TenantRole.MEMBER, "fr"),
            # The Antwerp store's manager reads Dutch, one of the company's two languages.
            Person("jens.willems", "Jens Willems", TenantRole.MEMBER, "nl"),
        ],
        "invitations": [
            Person("charlotte.lemaire", "Charlotte Lemaire", TenantRole.MEMBER, "fr"),
        ],
    },
    {
        "slug": "codeway",
        "name": "Codeway",
        "sector": Sector.IT,
        "languages": ["en", "nl", "fr"],  # a Brussels software house: all three
        "default_language": "en",
        # A scale-up that keeps little: identified data and interviews a year and a half,
        # mail a month.
        "retention": {
            "departure_retention_months": 18,
            "interview_retention_months": 18,
            "outbox_retention_days": 30,
        },
        "departments": {
            "Engineering": (730, 770),
            "Support": (360, 385),
            "Sales": (145, 155),
            "People": (38, 42),
        },
        "functions": ["Software developer", "Support engineer", "Account manager", "Team lead"],
        "locations": [("Leuven", "Leuven"), ("Remote", None)],
        "people": [
            Person("hr.admin", "Eva Van den Broeck", TenantRole.HR_ADMIN, "en"),
            Person("hr", "Stijn Verhaegen", TenantRole.HR, "en"),
            Person("interviewer", "Laura Michiels", TenantRole.INTERVIEWER, "en"),
            Person("leadership", "Dries Vandenberghe", TenantRole.LEADERSHIP, "nl"),
            Person("member", "Ruben Aerts", TenantRole.MEMBER, "en"),
            Person("nele.vandamme", "Nele Vandamme", TenantRole.HR, "nl"),
            Person("tim.lemmens", "Tim Lemmens", TenantRole.LEADERSHIP, "en"),
            Person("priya.raman", "Priya Raman", TenantRole.MEMBER, "en"),
            Person("lucas.wuyts", "Lucas Wuyts", TenantRole.MEMBER, "nl"),
        ],
        "invitations": [
            Person("seppe.claessens", "Seppe Claessens", TenantRole.MEMBER, "en"),
        ],
    },
    # Three small restaurants and a hotel: light clients (their HR administrator, their
    # past leavers and answers, no actions or interviews), so that the agency benchmark has
    # Het Anker's sector peers to compare with (service/insights/benchmark.py).
    *(
        {
            "slug": slug,
            "name": name,
            "sector": Sector.HORECA,
            "languages": ["nl"],
            "default_language": "nl",
            "departments": departments,
            "functions": functions,
            "locations": [location],
            "people": [Person("hr.admin", admin, TenantRole.HR_ADMIN, "nl")],
            "invitations": [],
            "peer": True,
        }
        for slug, name, departments, functions, location, admin in (
            (
                "de-zwaan",
                "Brasserie De Zwaan",
                {"Keuken": (30, 32), "Zaal": (52, 56), "Bar": (14, 15)},
                ["Kok", "Kelner", "Barman"],
                ("Antwerpen Groenplaats", "Antwerpen"),
                "Griet Van Hoof",
            ),
            (
                "bistro-margot",
                "Bistro Margot",
                {"Keuken": (28, 30), "Zaal": (58, 62)},
                ["Kok", "Kelner"],
                ("Mechelen Grote Markt", "Mechelen"),
                "Annelies Bogaert",
            ),
            (
                "scheldezicht",
                "Hotel Scheldezicht",
                {"Receptie": (14, 15), "Housekeeping": (42, 44), "Keuken": (20, 21),
                 "Restaurant": (30, 32)},
                ["Receptionist", "Kamermedewerker", "Kok", "Kelner"],
                ("Antwerpen Sint-Andries", "Antwerpen"),
                "Dirk Van Rompaey",
            ),
        )
    ),
]  # fmt: skip

# The clients with the whole story (members, recent leavers, interviews, actions); the
# others are Het Anker's peers.
STORY_CLIENTS = tuple(spec["slug"] for spec in TENANTS if not spec.get("peer"))

HEADCOUNT_DATES = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))


def _one(model, **where):
    return db.session.scalar(sa.select(model).filter_by(**where))


def _user(email: str, person: Person, password_hash: str) -> User:
    """The person's account; an existing one keeps its name and language (a demo user may
    have changed them) and only gets the demo password back."""
    user = _one(User, email=email)
    if user is None:
        user = User(email=email, display_name=person.name, preferred_language=person.language)
        db.session.add(user)
    user.password_hash = password_hash
    user.active = True
    return user


def _invitation_fields(email: str, person: Person, inviter: User) -> dict:
    """A pending invitation: its link was "emailed" (the raw token is not kept anywhere)."""
    hours = current_app.config["INVITATION_TTL_HOURS"]
    return {
        "email": email,
        "display_name": person.name,
        "language": person.language,
        "token_hash": token_hash(new_token()),
        "expires_at": utcnow() + dt.timedelta(hours=hours),
        "invited_by": inviter.id,
    }


def _seed_structure(spec: dict) -> None:
    for name, counts in spec["departments"].items():
        department = _one(Department, name=name)
        if department is None:
            department = Department(name=name)
            db.session.add(department)
            db.session.flush()
        for day, count in zip(HEADCOUNT_DATES, counts, strict=True):
            if _one(DepartmentHeadcount, department_id=department.id, effective_from=day) is None:
                db.session.add(
                    DepartmentHeadcount(
                        department_id=department.id, effective_from=day, headcount=count
                    )
                )
    for name in spec["functions"]:
        if _one(JobFunction, name=name) is None:
            db.session.add(JobFunction(name=name))
    for name, city in spec["locations"]:
        if _one(Location, name=name) is None:
            db.session.add(Location(name=name, city=city))


def _seed_tenant(spec: dict, agency: Agency, password_hash: str, consultant: User) -> dict:
    tenant = _one(Tenant, slug=spec["slug"])
    if tenant is None:
        tenant = Tenant(
            slug=spec["slug"],
            name=spec["name"],
            sector=spec["sector"],
            languages=spec["languages"],
            default_language=spec["default_language"],
            agency_id=agency.id,
            data_protection_contact=f"privacy@{spec['slug']}.example",
            **spec.get("retention", {}),
        )
        db.session.add(tenant)
        db.session.flush()
    users = []
    with tenant_scope(tenant.id):
        _seed_structure(spec)
        for person in spec["people"]:
            user = _user(f"{person.address}@{spec['slug']}.example", person, password_hash)
            db.session.flush()
            _membership(user, TenantRole(person.role), deactivated=person.deactivated)
            if not person.deactivated:
                users.append((user, person))
        hr_admin = next(user for user, p in users if p.role == TenantRole.HR_ADMIN)
        for person in spec["invitations"]:
            email = f"{person.address}@{spec['slug']}.example"
            if _one(TenantInvitation, email=email) is None:
                db.session.add(
                    TenantInvitation(
                        role=TenantRole(person.role), **_invitation_fields(email, person, hr_admin)
                    )
                )
        if spec["slug"] in CONSULTANT_CLIENTS:
            _membership(consultant, TenantRole.INTERVIEWER, assigned_by_agency=True)
        db.session.flush()
    return {"tenant": tenant, "users": users}


def _membership(
    user: User, role: TenantRole, assigned_by_agency: bool = False, deactivated: bool = False
) -> None:
    if _one(Membership, user_id=user.id) is None:
        db.session.add(
            Membership(
                user_id=user.id,
                role=role,
                assigned_by_agency=assigned_by_agency,
                deactivated_at=utcnow() if deactivated else None,
            )
        )


def _seed_agency(password_hash: str) -> tuple[Agency, list[tuple[User, Person]]]:
    agency = _one(Agency, slug=AGENCY["slug"])
    if agency is None:
        agency = Agency(
            slug=AGENCY["slug"],
            name=AGENCY["name"],
            brand_name=AGENCY["brand_name"],
            brand_colour=AGENCY["colour"],
            logo=demo_logo_png(),
            logo_mime_type="image/png",
        )
        db.session.add(agency)
    staff = []
    for person in AGENCY["people"]:
        user = _user(f"{person.address}@{AGENCY['domain']}", person, password_hash)
        db.session.flush()
        if _one(AgencyMembership, agency_id=agency.id, user_id=user.id) is None:
            db.session.add(
                AgencyMembership(agency_id=agency.id, user_id=user.id, role=AgencyRole(person.role))
            )
        staff.append((user, person))
    for person in AGENCY["invitations"]:
        email = f"{person.address}@{AGENCY['domain']}"
        if _one(AgencyInvitation, agency_id=agency.id, email=email) is None:
            db.session.add(
                AgencyInvitation(
                    agency_id=agency.id,
                    role=AgencyRole(person.role),
                    **_invitation_fields(email, person, staff[0][0]),
                )
            )
    return agency, staff


def seed_demo(password: str = DEFAULT_PASSWORD) -> dict:
    """Create (or find) the demo data in one transaction; returns what a person needs."""
    password_hash = hash_password(password)
    users: dict[str, dict] = {}

    def grant(user: User, scope: str, slug: str, role: str) -> None:
        entry = users.setdefault(
            user.email,
            {
                "email": user.email,
                "name": user.display_name,
                "language": user.preferred_language,
                "password": password,
                "roles": [],
            },
        )
        entry["roles"].append({"scope": scope, "slug": slug, "role": role})

    for person in PLATFORM["people"]:
        admin = _user(f"{person.address}@{PLATFORM['domain']}", person, password_hash)
        admin.is_platform_admin = True
        grant(admin, "platform", "", PLATFORM_ADMIN)

    agency, staff = _seed_agency(password_hash)
    for user, person in staff:
        grant(user, "agency", agency.slug, str(person.role))
    consultant = next(user for user, person in staff if person.role == AgencyRole.CONSULTANT)

    tenants, tenant_objects = [], []
    for spec in TENANTS:
        seeded = _seed_tenant(spec, agency, password_hash, consultant)
        tenant = seeded["tenant"]
        tenant_objects.append(tenant)
        tenants.append(
            {
                "slug": tenant.slug,
                "name": tenant.name,
                "sector": tenant.sector.value,
                "languages": tenant.languages,
                "default_language": tenant.default_language,
            }
        )
        for user, person in seeded["users"]:
            grant(user, "tenant", tenant.slug, str(person.role))
        if spec["slug"] in CONSULTANT_CLIENTS:
            grant(consultant, "tenant", tenant.slug, TenantRole.INTERVIEWER.value)
    db.session.commit()
    for spec, seeded in zip(TENANTS, tenant_objects, strict=True):
        seed_tenant_templates(seeded, dt.date.today(), second_version=spec["slug"] == "het-anker")
        if not spec.get("peer"):  # a peer has closed cases only
            seed_tenant_departures(seeded, dt.date.today())
            seed_tenant_invitations(seeded, dt.date.today())
            seed_tenant_interviews(seeded, dt.date.today())
        seed_tenant_past_departures(seeded, dt.date.today())
        seed_tenant_responses(seeded, dt.date.today())
        seed_tenant_insights(seeded)
        seed_tenant_actions(seeded, dt.date.today())
        seed_tenant_reports(seeded, utcnow())  # after the board: the reports tell its progress
    seed_library(agency)
    return {
        "agencies": [{"slug": agency.slug, "name": agency.name}],
        "tenants": tenants,
        "users": list(users.values()),
    }


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


# --- the demo logins, as `make run` and `seed-demo` print them ---------------------------


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    company: str
    language: str | None


def _printed_logins() -> list[Login]:
    """The logins worth printing: the platform and agency people, every role of the first
    company, and the HR administrator of the others (their other roles are named after the
    table)."""
    logins = [
        Login(f"{p.address}@{PLATFORM['domain']}", p.role, PLATFORM["name"], p.language)
        for p in PLATFORM["people"]
    ]
    logins += [
        Login(f"{p.address}@{AGENCY['domain']}", str(p.role), AGENCY["name"], p.language)
        for p in AGENCY["people"]
    ]
    for index, spec in enumerate(TENANTS):
        if spec.get("peer"):  # their dashboards are thin: the benchmark's peers only
            continue
        for person in spec["people"]:
            is_login = person.address == login_address(person.role)
            if is_login and (index == 0 or person.role == TenantRole.HR_ADMIN):
                email = f"{person.address}@{spec['slug']}.example"
                logins.append(Login(email, str(person.role), spec["name"], person.language))
    return logins


def login_table(logins: list[Login], password: str) -> list[str]:
    """The demo logins as a short aligned table: address, role, company and the language
    they read ("browser": not chosen yet)."""
    if not logins:
        return []
    with force_locale("en"):
        rows = [
            (login.email, str(ROLES[login.role]), login.company, login.language or "browser")
            for login in logins
        ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [f"Demo logins, password {password}:"]
    for email, role, company, language in rows:
        lines.append(
            f"  {email:<{widths[0]}}  {role:<{widths[1]}}  {company:<{widths[2]}}  {language}"
        )
    others = STORY_CLIENTS[1:]
    roles = [f"{login_address(role)}@" for role in TenantRole if role != TenantRole.HR_ADMIN]
    lines.append(
        f"  Also {', '.join(roles[:-1])} and {roles[-1]} at "
        + " and ".join(f"{slug}.example" for slug in others)
        + "."
    )
    return lines


def demo_logins() -> list[Login]:
    """For `serve`: with DEMO on (the embedded default), seed an empty database and return
    the demo logins to print; with DEMO off (real servers), touch nothing."""
    if not current_app.config["DEMO"]:
        return []
    if database_is_empty():
        seed_demo(DEFAULT_PASSWORD)
    logins = _printed_logins()
    present = set(
        db.session.scalars(
            sa.select(User.email).where(User.email.in_([login.email for login in logins]))
        )
    )
    return [login for login in logins if login.email in present]


@click.command("seed-demo")
@click.option(
    "--password", default=DEFAULT_PASSWORD, show_default=True, help="Password of every demo user."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no users yet.")
@with_appcontext
def seed_demo_command(password: str, as_json: bool, if_empty: bool) -> None:
    """Create the demo agency, tenants and users (idempotent)."""
    if if_empty and not database_is_empty():
        if not as_json:
            click.echo("Database already has users: demo data not seeded.")
        return
    result = seed_demo(password)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for line in login_table(_printed_logins(), password):
        click.echo(line)
