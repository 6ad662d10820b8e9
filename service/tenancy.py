"""Tenant isolation: the tenant context, the tenant-owned mixin and the ORM safety net.

The mechanism is explicit: every tenant-owned table has ``tenant_id`` in its primary key,
unique constraints and foreign keys (the database refuses a cross-tenant reference), and
every lookup goes through :func:`get_for_tenant_or_404`. The safety net below adds
``tenant_id = <current tenant>`` to every ORM SELECT/UPDATE/DELETE of a tenant-owned model,
refuses to touch tenant-owned rows when no tenant is set, refuses a statement it can
neither scope nor check (a tenant-owned Core table, INSERT … SELECT) and refuses writes of
another tenant's rows (flush, bulk INSERT, UPDATE of tenant_id). Only :func:`unscoped`
steps around it.

Behind the net, PostgreSQL's row-level security (migrations/versions/0024): every
statement's transaction carries ``exitloop.tenant_id`` (the tenant of this context) and,
inside :func:`unscoped`, ``exitloop.cross_tenant``; the application's database role owns
no table and cannot bypass the policies. SQLite keeps the net alone.
"""

import logging
import uuid
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column
from sqlalchemy.sql.expression import ColumnClause, TableClause
from sqlalchemy.sql.visitors import HasTraverseInternals

from service.extensions import db
from service.model_types import new_id

# Tables that belong to no tenant. Every other table is tenant-owned, and the schema test
# (tests/test_schema.py) reads the migrated database to hold each of them to the rules.
GLOBAL_TABLES = frozenset(
    {
        "alembic_version",
        "users",
        "agencies",
        "agency_memberships",
        "tenants",
        "user_sessions",
        "account_links",
        "recovery_codes",  # a user's own second-factor codes, like the password
        "platform_settings",  # the platform's own (the staff's second factor)
        "platform_emails",  # mail of no tenant: password resets, agency invitations
        "agency_invitations",  # an agency's invitations to its own staff
        "agency_templates",  # an agency's library of question templates
        "platform_audit_entries",  # the platform's audit trail: agency and platform work
    }
)

# Indexes on tenant-owned tables that deliberately do not lead with tenant_id, and why.
CROSS_TENANT_INDEXES = frozenset(
    {
        "ix_memberships_user",  # a user's own memberships across tenants: sign-in, switcher
        "ix_tenant_invitations_token",  # an emailed invitation link names no tenant
        "ix_survey_invitations_token",  # a survey link names no tenant
        "ix_survey_invitations_due",  # the periodic scan finds the tenants with a step due
    }
)

log = logging.getLogger(__name__)

_current_tenant: ContextVar[uuid.UUID | None] = ContextVar("exitloop_tenant", default=None)
_unscoped: ContextVar[bool] = ContextVar("exitloop_unscoped", default=False)


class TenantContextMissing(RuntimeError):
    """Tenant-owned data was touched with no tenant set."""


class CrossTenantWrite(RuntimeError):
    """A row of another tenant was about to be written under the current tenant."""


class UncheckableStatement(RuntimeError):
    """A statement on tenant-owned data that the safety net can neither scope nor check."""


def current_tenant_id() -> uuid.UUID:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise TenantContextMissing("no tenant is set for this unit of work")
    return tenant_id


def current_tenant_id_or_none() -> uuid.UUID | None:
    """The tenant of this unit of work, if one is set (the audit trail asks)."""
    return _current_tenant.get()


def set_tenant(tenant_id: uuid.UUID | None):
    """Set the tenant for the rest of this context (a request); returns a reset token."""
    return _current_tenant.set(tenant_id)


def reset_tenant(token) -> None:
    _current_tenant.reset(token)


@contextmanager
def tenant_scope(tenant_id: uuid.UUID | str) -> Iterator[uuid.UUID]:
    """Run a block (a job, a CLI command, a test) as one tenant."""
    tenant_id = tenant_id if isinstance(tenant_id, uuid.UUID) else uuid.UUID(str(tenant_id))
    token = _current_tenant.set(tenant_id)
    try:
        yield tenant_id
    finally:
        _current_tenant.reset(token)


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Platform work that must see every tenant: the ORM net steps aside and the block's
    transactions are declared cross-tenant to row-level security. The one way across
    tenants, so each caller names why (logged, at DEBUG, as the block opens)."""
    log.debug("cross-tenant: %s", reason)
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


class TenantOwned:
    """Mixin: ``(tenant_id, id)`` primary key, ``tenant_id`` leading every index."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        return mapped_column(
            sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, sort_order=-10
        )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id, sort_order=-9)


def tenant_fk(column: str, table: str, ondelete: str = "RESTRICT") -> sa.ForeignKeyConstraint:
    """A reference from one tenant-owned table to another, ``tenant_id`` included, so the
    database itself refuses a reference across tenants."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete
    )


def of_current_tenant(model: type["TenantOwned"]) -> sa.ColumnElement[bool]:
    """The explicit filter every tenant query carries: ``model.tenant_id == current``."""
    return model.tenant_id == current_tenant_id()


def get_for_tenant_or_404(model: type[TenantOwned], object_id) -> TenantOwned:
    """The one lookup of a tenant-owned object by id: another tenant's id is a 404."""
    try:
        object_id = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError:
        abort(404)
    found = db.session.scalar(
        sa.select(model).where(of_current_tenant(model), model.id == object_id)
    )
    if found is None:
        abort(404)
    return found


def _touches_tenant_owned(statement) -> bool:
    """Whether ``statement`` names a tenant-owned model; refuses a tenant-owned Core table.

    An ORM entity or column is annotated with its mapper ("parententity"): the loader
    criterion below scopes it, aliases and subqueries included. The ORM marks the criteria it
    writes itself (a get, a refresh, a lazy load) "_orm_adapt". A plain Table (or one of its
    columns) carries neither, so no criterion reaches it: refused, not silently unscoped.
    """
    touches = False
    stack, seen = [statement], set()
    while stack:
        element = stack.pop()
        if id(element) in seen:  # a VALUES list and its columns name each other
            continue
        seen.add(id(element))
        annotations = element._annotations
        if "parententity" in annotations:
            touches = touches or issubclass(annotations["parententity"].class_, TenantOwned)
            continue  # an aliased entity wraps its plain table: covered by the criterion
        if "_orm_adapt" in annotations:
            continue
        table = element.table if isinstance(element, ColumnClause) else element
        if isinstance(table, TableClause) and table.name not in GLOBAL_TABLES:
            raise UncheckableStatement(
                f"a statement names the table {table.name!r} without its model, so the tenant"
                " safety net cannot scope it: use the model, or unscoped() for platform work"
            )
        # The base get_children, not Select's: that one adds the tables an ORM column came
        # from, plain and unannotated, where the statement itself names only the entity.
        if isinstance(element, HasTraverseInternals):
            stack.extend(HasTraverseInternals.get_children(element))
        else:
            stack.extend(element.get_children())
    return touches


def _tenant_of(value) -> uuid.UUID | None:
    """The tenant id a written value names; an SQL expression cannot be checked."""
    if isinstance(value, sa.BindParameter):
        value = value.effective_value
    if isinstance(value, sa.ClauseElement):
        raise UncheckableStatement("tenant_id is written from an SQL expression: use unscoped()")
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _check_written_tenant(statement, params, tenant_id: uuid.UUID, *, is_update: bool) -> None:
    """INSERT and UPDATE statements bypass before_flush: check the tenant_id they write.

    Bulk rows come as parameters, a single or multi-row VALUES as the statement's
    ``_values``/``_multi_values`` (SQLAlchemy keeps no public view of those).
    """
    params = params or {}
    param_rows = [params] if isinstance(params, Mapping) else list(params)
    if is_update:
        set_here = [*(statement._values or {}), *dict(statement._ordered_values or ())]
    else:  # an upsert's ON CONFLICT DO UPDATE SET
        set_here = [
            key for key, _ in getattr(statement._post_values_clause, "update_values_to_set", ())
        ]
    if any(getattr(column, "key", column) == "tenant_id" for column in set_here):
        raise CrossTenantWrite("an UPDATE may not set tenant_id: a row never changes tenant")
    if is_update:
        # Bulk UPDATE by primary key: tenant_id in each row picks the row to change.
        rows = [row for row in param_rows if "tenant_id" in row]
    else:
        if statement.select is not None:
            raise UncheckableStatement(
                "INSERT … SELECT into a tenant-owned table: the tenant of its rows cannot be"
                " checked; insert the rows with their tenant_id, or use unscoped()"
            )
        given = [dict(statement._values or {})]
        if statement._multi_values:
            given = [
                row if isinstance(row, Mapping) else dict(zip(statement.table.c, row, strict=False))
                for batch in statement._multi_values
                for row in batch
            ]
        given = [{getattr(key, "key", key): value for key, value in row.items()} for row in given]
        rows = [{**row, **param} for row in given for param in param_rows or [{}]]
        if any("tenant_id" not in row for row in rows):
            raise UncheckableStatement(
                "a bulk INSERT of tenant-owned rows must give each row's tenant_id (the"
                " current tenant): it is not filled in as a flush does"
            )
    if any(_tenant_of(row["tenant_id"]) != tenant_id for row in rows):
        raise CrossTenantWrite("a row of another tenant was about to be written")


@event.listens_for(Session, "do_orm_execute")
def _scope_to_current_tenant(state: ORMExecuteState) -> None:
    if not _unscoped.get():
        state.statement = _checked_and_scoped(
            state.statement,
            state.parameters,
            inserts=state.is_insert,
            updates=state.is_update,
            reads=state.is_select or state.is_delete,
        )


def _checked_and_scoped(statement, parameters, *, inserts: bool, updates: bool, reads: bool):
    """The net's work on one statement: the tenant_id it writes checked, the statement to
    run scoped to the current tenant (``reads``: it selects or deletes rows)."""
    try:
        scoped = _scoped[statement]
    except KeyError:
        scoped = _scoped[statement] = {} if _touches_tenant_owned(statement) else None
    if scoped is None:
        return statement
    tenant_id = current_tenant_id()
    if inserts or updates:
        _check_written_tenant(statement, parameters, tenant_id, is_update=updates)
    if not (reads or updates):
        return statement
    if tenant_id not in scoped:
        if len(scoped) >= _TENANTS_PER_STATEMENT:
            scoped.clear()
        scoped[tenant_id] = statement.options(_tenant_criterion(tenant_id))
    return scoped[tenant_id]


def execute_prepared(statement: sa.UpdateBase, parameters: Mapping) -> sa.CursorResult:
    """Run an INSERT, UPDATE or DELETE of models, built once (at import), on the session's
    connection: for a request's hot path (a leaver's submit).

    Session.execute annotates such a statement afresh on every run, so SQLAlchemy keys it
    and matches its parameters anew; for the leaver's statements that cost more than running
    them (bench/leaver_cpu.py). Here the net checks and scopes the statement exactly as on
    the session's path (the same analysis and criterion, kept with the statement, which the
    ORM's compilation applies alike), the session flushes what it holds first, and
    row-level security holds beneath as everywhere. Loaded objects are not synchronised
    (the caller sets what it changed), and the session's do_orm_execute listeners do not
    see the statement: a table one of them watches (:func:`watch_writes`) is refused."""
    if not statement.is_dml:
        raise UncheckableStatement("execute_prepared runs INSERT, UPDATE and DELETE only")
    if statement.table.name in _WATCHED_WRITES:
        raise UncheckableStatement(
            f"writes to {statement.table.name!r} are watched: run them with Session.execute"
        )
    session = db.session()
    if not _unscoped.get():
        statement = _checked_and_scoped(
            statement,
            parameters,
            inserts=statement.is_insert,
            updates=statement.is_update,
            reads=statement.is_delete,
        )
    session.flush()
    return session.connection().execute(statement, parameters)


# Tables whose writes a do_orm_execute listener must see (it notes them for the commit).
_WATCHED_WRITES: set[str] = set()


def watch_writes(table_name: str) -> None:
    """A do_orm_execute listener needs to see every write to ``table_name``: such a write
    must go through Session.execute, never :func:`execute_prepared`."""
    _WATCHED_WRITES.add(table_name)


# What the net made of a statement, for as long as the statement lives: None when it touches
# no tenant-owned model, else the statement scoped to each tenant it ran for. A statement
# is immutable, so one built once and executed with parameters (a hot path's) is looked
# at once, and its scoped copy, the same object each time, keeps its SQL cache key.
_scoped: "weakref.WeakKeyDictionary[sa.Executable, dict | None]" = weakref.WeakKeyDictionary()
_TENANTS_PER_STATEMENT = 1024


@lru_cache(maxsize=1024)
def _tenant_criterion(tenant_id: uuid.UUID) -> sa.orm.LoaderCriteriaOption:
    """The criterion the net adds for one tenant, built once per tenant and process: an
    option is immutable, and building one (analysing its lambda) was a good part of the
    net's cost on every statement."""
    return sa.orm.with_loader_criteria(
        TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


@event.listens_for(Session, "before_flush")
def _check_tenant_of_writes(session: Session, flush_context, instances) -> None:
    if _unscoped.get():
        return
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if not isinstance(obj, TenantOwned):
            continue
        tenant_id = current_tenant_id()
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another tenant")


# Row-level security's per-transaction settings (PostgreSQL). Before each statement, the
# connection gets the tenant and cross-tenant flag of the context running it, when they
# differ from what its transaction already holds: a transaction that began before the
# tenant was set, a nested tenant_scope or unscoped block, a pooled connection, a thread of
# its own (a job, the test server) are all covered by the same check. ``set_config(…, true)``
# ends with the transaction; a rolled-back savepoint undoes it, so that forgets what is held.
_RLS_HELD = "exitloop_rls"
_RLS_AT_BEGIN = ("", "")  # a new transaction holds neither setting
_SET_RLS = (
    "SELECT set_config('exitloop.tenant_id', %s, true),"
    " set_config('exitloop.cross_tenant', %s, true)"
)


def _rls_settings() -> tuple[str, str]:
    tenant_id = _current_tenant.get()
    return ("" if tenant_id is None else str(tenant_id), "on" if _unscoped.get() else "")


@event.listens_for(sa.engine.Engine, "begin")
def _transaction_begins(connection) -> None:
    connection.info[_RLS_HELD] = _RLS_AT_BEGIN


@event.listens_for(sa.engine.Engine, "rollback_savepoint")
def _savepoint_rolled_back(connection, name, context) -> None:
    connection.info[_RLS_HELD] = None


@event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _hold_rls_settings(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.dialect.name != "postgresql":
        return
    wanted = _rls_settings()
    if connection.info.get(_RLS_HELD) == wanted:
        return
    own_cursor = cursor.connection.cursor()
    try:
        own_cursor.execute(_SET_RLS, wanted)
    finally:
        own_cursor.close()
    connection.info[_RLS_HELD] = wanted
