"""What tenant isolation costs per query: the ORM safety net and row-level security.

Runs the same ORM queries, one transaction per round (as a request does), three ways:

- baseline: under ``unscoped()`` as a role above row-level security (the superuser), with
  the per-transaction settings off: neither guard;
- the ORM net: as one tenant, the net adds its criterion and inspects each statement;
- net + RLS (PostgreSQL): as the application role, each transaction also sets the tenant
  (one ``set_config`` round trip) and PostgreSQL applies the policy to every row read.

Prints the time per query and each ratio to the baseline; the last line is JSON. Embedded
SQLite in a temporary folder by default (no RLS there); set BENCH_DATABASE_URL to a
PostgreSQL superuser's URL to measure there: the bench makes its own database with both
roles (as `flask db-roles` does) and drops it afterwards.

    .venv/bin/python bench/tenancy_overhead.py [queries]
"""

import json
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext

import psycopg
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import event

from service import create_app, tenancy
from service.config import TestConfig, with_driver
from service.database_roles import create_roles
from service.demo import seed_demo
from service.extensions import db
from service.tenancy import of_current_tenant, tenant_scope, unscoped
from service.tenants.models import Department, DepartmentHeadcount, Tenant


def queries() -> None:
    db.session.scalars(
        sa.select(Department).where(of_current_tenant(Department)).order_by(Department.name)
    ).all()
    db.session.execute(
        sa.select(Department.name, DepartmentHeadcount.headcount)
        .join(DepartmentHeadcount, DepartmentHeadcount.department_id == Department.id)
        .where(of_current_tenant(Department))
    ).all()


@contextmanager
def settings_off():
    """No per-transaction settings (the baseline and the net alone): the bench lifts
    service/tenancy.py's own listener for the while, to time the net without them."""
    event.remove(sa.engine.Engine, "before_cursor_execute", tenancy._hold_rls_settings)
    try:
        yield
    finally:
        event.listen(sa.engine.Engine, "before_cursor_execute", tenancy._hold_rls_settings)


def timed(runs: int, tenant_id, scoped: bool) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        if scoped:
            with tenant_scope(tenant_id):
                queries()
        else:
            with unscoped("the baseline"), tenant_scope(tenant_id):
                queries()
        db.session.rollback()  # one transaction per round, as a request
    return (time.perf_counter() - start) / (runs * 2)


def round_of(app, runs: int, tenant_id, scoped: bool, settings: bool = True) -> float:
    with app.app_context(), nullcontext() if settings else settings_off():
        result = timed(runs, tenant_id, scoped)
        db.session.remove()
    return result


def best_of_three(ways: dict, runs: int, tenant_id) -> dict[str, float]:
    """Each way's best round of three; the rounds interleave the ways, so a machine busy
    with other work slows them alike."""
    for way in ways.values():
        round_of(*way[:1], 200, tenant_id, *way[1:])  # warm caches
    rounds = [
        {name: round_of(way[0], runs, tenant_id, *way[1:]) for name, way in ways.items()}
        for _ in range(3)
    ]
    return {name: min(found[name] for found in rounds) for name in ways}


def as_role(url: str, role: str) -> str:
    return sa.engine.make_url(url).set(username=role).render_as_string(hide_password=False)


@contextmanager
def postgresql(admin_url: str):
    """A fresh database with its owner and application roles; (superuser, app) apps."""
    name = f"exitloop_bench_{uuid.uuid4().hex[:8]}"
    url = sa.engine.make_url(with_driver(admin_url)).set(database=name)
    superuser = url.render_as_string(hide_password=False)
    owner = as_role(superuser, "exitloop_bench_owner")
    application = as_role(superuser, "exitloop_bench_app")
    create_roles(admin_url, owner, application)
    try:
        app = create_app(TestConfig(application, owner))
        yield create_app(TestConfig(superuser, owner)), app
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    admin_url = os.environ.get("BENCH_DATABASE_URL")
    with (
        postgresql(admin_url)
        if admin_url
        else sqlite(f"sqlite:///{tempfile.mkdtemp(prefix='exitloop-bench-')}/bench.sqlite3")
    ) as (above, application):
        with application.app_context():
            upgrade()
            seed_demo("bench")
            tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "het-anker"))
            db.session.remove()
        ways = {"baseline": (above, False, False), "net": (above, True, False)}
        if admin_url:
            ways["rls"] = (application, True)
        found = best_of_three(ways, runs, tenant_id)
    baseline, netted, guarded = found["baseline"], found["net"], found.get("rls")
    dialect = "postgresql" if admin_url else "sqlite"
    print(f"database: {dialect}; {runs * 2} queries per round, one transaction per 2, best of 3")
    print(f"baseline (no guard):  {baseline * 1e6:8.1f} µs/query")
    print(f"the ORM net:          {netted * 1e6:8.1f} µs/query  {netted / baseline:.2f}x baseline")
    if guarded is not None:
        print(
            f"net + row-level sec.: {guarded * 1e6:8.1f} µs/query  {guarded / baseline:.2f}x"
            " baseline"
        )
    figures = {
        "bench": "tenancy_overhead",
        "database": dialect,
        "queries": runs * 2,
        "baseline_us": round(baseline * 1e6, 1),
        "netted_us": round(netted * 1e6, 1),
        "ratio": round(netted / baseline, 2),
        "rls_us": None if guarded is None else round(guarded * 1e6, 1),
        "rls_ratio": None if guarded is None else round(guarded / baseline, 2),
    }
    print(json.dumps(figures))


@contextmanager
def sqlite(url: str):
    """SQLite: one app for both (no roles, no row-level security)."""
    app = create_app(TestConfig(url))
    yield app, app


if __name__ == "__main__":
    main()
