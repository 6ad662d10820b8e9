"""Tenant isolation: the tenant context, the tenant-owned mixin and the ORM safety net.

The mechanism is explicit: every tenant-owned table has ``tenant_id`` in its primary key,
unique constraints and foreign keys (the database refuses a cross-tenant reference), and
every lookup goes through :func:`get_for_tenant_or_404`. The safety net below adds
``tenant_id = <current tenant>`` to every ORM SELECT/UPDATE/DELETE of a tenant-owned model
and refuses to touch tenant-owned rows when no tenant is set.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import abort
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column
from sqlalchemy.sql.util import find_tables

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
        "platform_emails",  # mail of no tenant: password resets, agency invitations
        "agency_invitations",  # an agency's invitations to its own staff
    }
)

# Indexes on tenant-owned tables that deliberately do not lead with tenant_id, and why.
CROSS_TENANT_INDEXES = frozenset(
    {
        "ix_memberships_user",  # a user's own memberships across tenants: sign-in, switcher
        "ix_tenant_invitations_token",  # an emailed invitation link names no tenant
    }
)

_current_tenant: ContextVar[uuid.UUID | None] = ContextVar("exitloop_tenant", default=None)
_unscoped: ContextVar[bool] = ContextVar("exitloop_unscoped", default=False)


class TenantContextMissing(RuntimeError):
    """Tenant-owned data was touched with no tenant set."""


class CrossTenantWrite(RuntimeError):
    """A row of another tenant was about to be written under the current tenant."""


def current_tenant_id() -> uuid.UUID:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise TenantContextMissing("no tenant is set for this unit of work")
    return tenant_id


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
def unscoped() -> Iterator[None]:
    """Platform work that must see every tenant (seeding, schema checks). Use sparingly."""
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


def _touches_tenant_owned(state: ORMExecuteState) -> bool:
    # all_mappers misses entities named only in select_from(); the tables never lie.
    if any(issubclass(m.class_, TenantOwned) for m in state.all_mappers):
        return True
    tables = find_tables(
        state.statement, include_aliases=True, include_joins=True, include_crud=True
    )
    return any(isinstance(t, sa.Table) and t.name not in GLOBAL_TABLES for t in tables)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_current_tenant(state: ORMExecuteState) -> None:
    if _unscoped.get() or not (state.is_select or state.is_update or state.is_delete):
        return
    if not _touches_tenant_owned(state):
        return
    tenant_id = current_tenant_id()
    state.statement = state.statement.options(
        sa.orm.with_loader_criteria(
            TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
        )
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
