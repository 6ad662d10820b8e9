"""Demo data: one agency, three Belgian client tenants and a user for every role.

``flask --app wsgi seed-demo [--password PW] [--json]`` — idempotent: a second run
finds what the first made and only resets the demo passwords.
"""

import datetime as dt
import json

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from service.accounts.models import AgencyMembership, AgencyRole, User
from service.accounts.passwords import hash_password
from service.extensions import db
from service.surveys.demo import seed_library, seed_tenant_templates
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

AGENCY = {"slug": "talentbrug", "name": "Talentbrug Interim", "colour": "#0f766e"}

TENANTS = [
    {
        "slug": "het-anker",
        "name": "Brasserie Het Anker",
        "sector": Sector.HORECA,
        "languages": ["nl"],
        "default_language": "nl",
        "departments": {
            "Keuken": (14, 16),
            "Zaal": (22, 25),
            "Bar": (6, 7),
            "Administratie": (3, 3),
        },
        "functions": ["Kok", "Kelner", "Barman", "Zaalverantwoordelijke"],
        "locations": [("Gent Korenmarkt", "Gent"), ("Brugge Markt", "Brugge")],
    },
    {
        "slug": "maison-lumiere",
        "name": "Maison Lumière",
        "sector": Sector.RETAIL,
        "languages": ["fr", "nl"],
        "default_language": "fr",
        "departments": {
            "Ventes": (48, 52),
            "Logistique": (17, 15),
            "Marketing": (6, 8),
            "RH": (4, 4),
        },
        "functions": ["Vendeur·euse", "Gérant·e de magasin", "Magasinier·ère", "Chef de rayon"],
        "locations": [
            ("Bruxelles Louise", "Bruxelles"),
            ("Antwerpen Meir", "Antwerpen"),
            ("Liège Vinâve", "Liège"),
        ],
    },
    {
        "slug": "codeway",
        "name": "Codeway",
        "sector": Sector.IT,
        "languages": ["en", "nl", "fr"],  # a Brussels software house: all three
        "default_language": "en",
        "departments": {
            "Engineering": (38, 44),
            "Support": (12, 11),
            "Sales": (9, 10),
            "People": (3, 4),
        },
        "functions": ["Software developer", "Support engineer", "Account manager", "Team lead"],
        "locations": [("Leuven", "Leuven"), ("Remote", None)],
    },
]

HEADCOUNT_DATES = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))


def _one(model, **where):
    return db.session.scalar(sa.select(model).filter_by(**where))


def _user(email: str, name: str, password_hash: str, language: str | None = None) -> User:
    user = _one(User, email=email)
    if user is None:
        user = User(email=email, display_name=name, preferred_language=language)
        db.session.add(user)
    user.password_hash = password_hash
    user.active = True
    return user


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
        )
        db.session.add(tenant)
        db.session.flush()
    users = []
    with tenant_scope(tenant.id):
        for name, counts in spec["departments"].items():
            department = _one(Department, name=name)
            if department is None:
                department = Department(name=name)
                db.session.add(department)
                db.session.flush()
            for day, count in zip(HEADCOUNT_DATES, counts, strict=True):
                if (
                    _one(DepartmentHeadcount, department_id=department.id, effective_from=day)
                    is None
                ):
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
        for role in TenantRole:
            email = f"{role.value.replace('_', '.')}@{spec['slug']}.example"
            label = role.value.replace("_", " ").title()
            user = _user(email, f"{label} ({spec['name']})", password_hash)
            db.session.flush()
            _membership(user, role)
            users.append((user, role.value))
        if spec["slug"] in ("het-anker", "maison-lumiere"):
            _membership(consultant, TenantRole.INTERVIEWER, assigned_by_agency=True)
        db.session.flush()
    return {"tenant": tenant, "users": users}


def _membership(user: User, role: TenantRole, assigned_by_agency: bool = False) -> None:
    if _one(Membership, user_id=user.id) is None:
        db.session.add(
            Membership(user_id=user.id, role=role, assigned_by_agency=assigned_by_agency)
        )


def _agency_membership(agency: Agency, user: User, role: AgencyRole) -> None:
    if _one(AgencyMembership, agency_id=agency.id, user_id=user.id) is None:
        db.session.add(AgencyMembership(agency_id=agency.id, user_id=user.id, role=role))


def seed_demo(password: str = DEFAULT_PASSWORD) -> dict:
    """Create (or find) the demo data in one transaction; returns what a person needs."""
    password_hash = hash_password(password)
    roles: dict[str, list[dict]] = {}

    def grant(user: User, scope: str, slug: str, role: str) -> None:
        roles.setdefault(user.email, []).append({"scope": scope, "slug": slug, "role": role})

    admin = _user("admin@exitloop.example", "Platform Admin", password_hash)
    admin.is_platform_admin = True
    grant(admin, "platform", "", "platform_admin")

    agency = _one(Agency, slug=AGENCY["slug"])
    if agency is None:
        agency = Agency(
            slug=AGENCY["slug"],
            name=AGENCY["name"],
            brand_name=AGENCY["name"],
            brand_colour=AGENCY["colour"],
        )
        db.session.add(agency)
    agency_admin = _user(
        "agency.admin@talentbrug.example", "Agency Admin (Talentbrug)", password_hash
    )
    consultant = _user("consultant@talentbrug.example", "Consultant (Talentbrug)", password_hash)
    db.session.flush()
    _agency_membership(agency, agency_admin, AgencyRole.AGENCY_ADMIN)
    _agency_membership(agency, consultant, AgencyRole.CONSULTANT)
    grant(agency_admin, "agency", agency.slug, "agency_admin")
    grant(consultant, "agency", agency.slug, "consultant")

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
        for user, role in seeded["users"]:
            grant(user, "tenant", tenant.slug, role)
        if spec["slug"] in ("het-anker", "maison-lumiere"):
            grant(consultant, "tenant", tenant.slug, "interviewer")
    db.session.commit()
    for spec, seeded in zip(TENANTS, tenant_objects, strict=True):
        seed_tenant_templates(seeded, dt.date.today(), second_version=spec["slug"] == "het-anker")
    seed_library(agency)
    return {
        "agencies": [{"slug": agency.slug, "name": agency.name}],
        "tenants": tenants,
        "users": [
            {"email": email, "password": password, "roles": granted}
            for email, granted in roles.items()
        ],
    }


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def demo_logins() -> list[str]:
    """For `serve`: with DEMO on (the embedded default), seed an empty database and return
    the demo logins to print; with DEMO off (real servers), touch nothing."""
    if not current_app.config["DEMO"]:
        return []
    if database_is_empty():
        return [user["email"] for user in seed_demo(DEFAULT_PASSWORD)["users"]]
    query = sa.select(User.email).where(User.email.like("%.example")).order_by(User.email)
    return list(db.session.scalars(query))


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
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"Demo logins (password for all: {password}):")
    for user in result["users"]:
        where = ", ".join(f"{r['role']} {r['slug']}".strip() for r in user["roles"])
        click.echo(f"  {user['email']:<42} {where}")
