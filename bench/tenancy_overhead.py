"""What the tenant safety net costs per query.

Runs the same ORM queries as one tenant (the net adds its criterion and inspects the
statement) and under ``unscoped()`` (the net steps aside: the baseline), and prints the
time per query and the ratio. Embedded SQLite in a temporary folder by default; set
BENCH_DATABASE_URL to an empty PostgreSQL database to measure there.

    .venv/bin/python bench/tenancy_overhead.py [queries]
"""

import json
import os
import sys
import tempfile
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from service import create_app
from service.config import TestConfig
from service.demo import seed_demo
from service.extensions import db
from service.tenancy import of_current_tenant, tenant_scope, unscoped
from service.tenants.models import Department, DepartmentHeadcount, Tenant


def queries(tenant_id) -> None:
    db.session.scalars(
        sa.select(Department).where(of_current_tenant(Department)).order_by(Department.name)
    ).all()
    db.session.execute(
        sa.select(Department.name, DepartmentHeadcount.headcount)
        .join(DepartmentHeadcount, DepartmentHeadcount.department_id == Department.id)
        .where(of_current_tenant(Department))
    ).all()


def timed(runs: int, tenant_id, scoped: bool) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        if scoped:
            with tenant_scope(tenant_id):
                queries(tenant_id)
        else:
            with unscoped("the baseline"), tenant_scope(tenant_id):
                queries(tenant_id)
    return (time.perf_counter() - start) / (runs * 2)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    folder = tempfile.mkdtemp(prefix="exitloop-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        seed_demo("bench")
        tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "het-anker"))
        timed(200, tenant_id, True)  # warm caches
        timed(200, tenant_id, False)
        baseline = min(timed(runs, tenant_id, False) for _ in range(3))
        netted = min(timed(runs, tenant_id, True) for _ in range(3))
    dialect = url.split(":", 1)[0]
    print(f"database: {dialect}; {runs * 2} queries per round, best of 3")
    print(f"baseline (net off):  {baseline * 1e6:8.1f} µs/query")
    print(f"with the safety net: {netted * 1e6:8.1f} µs/query")
    print(f"ratio: {netted / baseline:.2f}x baseline")
    figures = {
        "bench": "tenancy_overhead",
        "database": dialect,
        "queries": runs * 2,
        "baseline_us": round(baseline * 1e6, 1),
        "netted_us": round(netted * 1e6, 1),
        "ratio": round(netted / baseline, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
