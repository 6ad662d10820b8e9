"""The two PostgreSQL roles row-level security needs, and the database they share.

The owner (MIGRATION_DATABASE_URL) owns the database and every table: migrations run as it.
The application (DATABASE_URL) owns nothing, is no superuser and cannot bypass row-level
security; it may read and write every table (default privileges grant the tables later
migrations add) but only read and append to the audit trails, whose retention purge goes
through the owner's function ``purge_audit_entries``.

``flask --app wsgi db-roles`` creates whatever is missing, as a superuser (ADMIN_DATABASE_URL),
and may run again at any time. The test session uses :func:`create_roles` the same way.
"""

import contextlib

import click
import psycopg
from flask import current_app
from flask.cli import with_appcontext
from psycopg import sql
from sqlalchemy.engine import make_url

from service.audit.models import AuditEntry, PlatformAuditEntry

AUDIT_TABLES = (AuditEntry.__tablename__, PlatformAuditEntry.__tablename__)
PURGE_FUNCTION = "purge_audit_entries(uuid, timestamptz)"
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _ensure_role(admin: psycopg.Connection, name: str, password: str | None) -> None:
    """A login role that owns nothing by itself, is no superuser and cannot bypass RLS."""
    attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
    found = admin.execute(
        "SELECT rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls)"
        " FROM pg_roles WHERE rolname = %s",
        (name,),
    ).fetchone()
    if found is None:
        # Created at the same moment by another run (the roles are cluster-wide): fine.
        with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            admin.execute(sql.SQL("CREATE ROLE {} {}").format(sql.Identifier(name), attributes))
    elif not found[0]:  # altered only when needed: concurrent runs would trip on each other
        admin.execute(sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(name), attributes))
    if password:
        admin.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password))
        )


def _ensure_database(admin: psycopg.Connection, name: str, owner: str) -> None:
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if not exists:
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )


def grant_application(database: psycopg.Connection, owner: str, application: str) -> None:
    """The application's rights in one database (connected as a superuser, or the owner)."""
    ids = {"owner": sql.Identifier(owner), "app": sql.Identifier(application)}
    for statement in (
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT {TABLE_RIGHTS} ON TABLES TO {{app}}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public TO {{app}}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
    ):
        database.execute(sql.SQL(statement).format(**ids))
    present = {
        name
        for (name,) in database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
            (list(AUDIT_TABLES),),
        )
    }
    for table in sorted(present):  # migration 0021 made them; 0024 does the same revoke
        database.execute(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {app}").format(
                sql.Identifier(table), **ids
            )
        )
    if database.execute("SELECT to_regprocedure(%s)", (PURGE_FUNCTION,)).fetchone()[0]:
        database.execute(
            sql.SQL(f"GRANT EXECUTE ON FUNCTION {PURGE_FUNCTION} TO {{app}}").format(**ids)
        )


def create_roles(admin_url: str, owner_url: str, application_url: str) -> None:
    """Both roles, the database (owned by the owner) and the application's grants."""
    owner, application = make_url(owner_url), make_url(application_url)
    if owner.username == application.username:
        raise click.UsageError(
            "DATABASE_URL and MIGRATION_DATABASE_URL must name two different roles"
        )
    if owner.database != application.database:
        raise click.UsageError("DATABASE_URL and MIGRATION_DATABASE_URL name two databases")
    with psycopg.connect(_psycopg_url(admin_url), autocommit=True) as admin:
        _ensure_role(admin, owner.username, owner.password)
        _ensure_role(admin, application.username, application.password)
        _ensure_database(admin, application.database, owner.username)
    in_database = make_url(admin_url).set(database=application.database)
    with psycopg.connect(_psycopg_url(in_database.render_as_string(False))) as database:
        grant_application(database, owner.username, application.username)


@click.command("db-roles")
@click.option(
    "--admin-url",
    envvar="ADMIN_DATABASE_URL",
    required=True,
    help="A superuser's URL (any database of the cluster), e.g. postgresql://postgres@localhost/postgres.",
)
@with_appcontext
def db_roles_command(admin_url: str) -> None:
    """Create the owner and application roles, the database and the grants (idempotent)."""
    owner_url = current_app.config["MIGRATION_DATABASE_URI"]
    application_url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not application_url.startswith("postgresql"):
        raise click.UsageError("db-roles is for PostgreSQL: DATABASE_URL is not one")
    create_roles(admin_url, owner_url, application_url)
    click.echo(
        f"owner {make_url(owner_url).username}, application {make_url(application_url).username}:"
        f" ready in {make_url(application_url).database}"
    )
