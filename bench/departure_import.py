"""How fast departures import from a file, and how much memory it takes.

Generates a CSV of departures (Dutch headings, the demo brasserie's departments) and imports
it through the code the web import's job runs (service.departures.imports.import_rows:
read, check every row, insert in chunks in one transaction), for 10,000 and 100,000 rows.
Prints rows per second for both sizes against the 2,000 rows/s goal, and the peak memory
traced while importing (tracemalloc, in a second run: tracing slows Python down). Runs on a
PostgreSQL database of its own, created and dropped like the tests do (TEST_DATABASE_URL
names the server, as for the tests).

    .venv/bin/python bench/departure_import.py [small_rows large_rows]
"""

import json
import os
import sys
import time
import tracemalloc
import uuid

import psycopg
import sqlalchemy as sa
from flask_migrate import upgrade

from service import create_app
from service.config import TestConfig
from service.demo import seed_demo
from service.departures import imports
from service.departures.models import Departure
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Tenant

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
GOAL_ROWS_PER_S = 2000
HEADER = "Naam;E-mail;Afdeling;Datum in dienst;Datum uit dienst;Type uitdiensttreding\n"
DEPARTMENTS = ("Keuken", "Zaal", "Bar", "Administratie")
EXIT_TYPES = ("vrijwillig", "ontslag", "einde contract", "pensioen")


def leavers_file(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        lines.append(
            f"Medewerker {n};m{n}@het-anker.example;{DEPARTMENTS[n % 4]};"
            f"{1 + n % 28:02d}/{1 + n % 12:02d}/2015;{1 + n % 28:02d}/{1 + n % 12:02d}/2025;"
            f"{EXIT_TYPES[n % 4]}\n"
        )
    return "".join(lines).encode("cp1252")


def import_once(tenant_id, content: bytes) -> tuple[float, int]:
    """Seconds to import the file into an empty departures table; rows created."""
    with tenant_scope(tenant_id):
        db.session.execute(sa.delete(Departure))
        db.session.commit()
        mapping = imports.guess_mapping(imports.read_table(content).header, {})
        start = time.perf_counter()
        outcome = imports.import_rows(content, mapping, create_structure=False)
        db.session.commit()
        return time.perf_counter() - start, outcome.created


def peak_mb(tenant_id, content: bytes) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    import_once(tenant_id, content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - base) / 2**20


def main() -> None:
    small, large = (int(arg) for arg in sys.argv[1:3]) if len(sys.argv) > 2 else (10_000, 100_000)
    admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"exitloop_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        app = create_app(TestConfig(f"{base}/{name}"))
        with app.app_context():
            upgrade()
            seed_demo("bench")
            tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "het-anker"))
            figures = {}
            for size in (small, large):
                content = leavers_file(size)
                seconds, created = import_once(tenant_id, content)
                assert created == size, f"{created} of {size} rows imported"
                figures[size] = (seconds, peak_mb(tenant_id, content), len(content))
            db.engine.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    print(f"database: postgresql; goal {GOAL_ROWS_PER_S} rows/s")
    for size, (seconds, peak, file_bytes) in figures.items():
        rate = size / seconds
        print(
            f"{size:>7} rows ({file_bytes / 2**20:4.1f} MB): {seconds:6.2f} s,"
            f" {rate:7.0f} rows/s ({rate / GOAL_ROWS_PER_S:.1f}x goal), peak {peak:5.1f} MB"
        )
    (small_s, small_peak, _), (large_s, large_peak, _) = figures[small], figures[large]
    result = {
        "bench": "departure_import",
        "database": "postgresql",
        "rows": large,
        "rows_per_s": round(large / large_s),
        "rows_small": small,
        "rows_per_s_small": round(small / small_s),
        "goal_rows_per_s": GOAL_ROWS_PER_S,
        "ratio_to_goal": round(large / large_s / GOAL_ROWS_PER_S, 2),
        "peak_mb": round(large_peak, 1),
        "peak_mb_small": round(small_peak, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
