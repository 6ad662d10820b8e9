"""How fast the accountability board answers with many actions (issue 12, "Proof").

One tenant (the demo brasserie) with 5,000 actions, and 50 other tenants with 5,000 each,
so that tenant isolation costs what it costs in production (255,000 actions, their themes
and departments, on PostgreSQL). The board's tenant gets its rows through ORM bulk inserts
under its scope (the safety net checks every row's tenant); the other tenants' rows, of the
same shape, go in with PostgreSQL COPY on a connection of their own (minutes instead of ten
of them: they only need to be there). Then, through the real app (its
test client: routing, sign-in, tenant resolver, permissions, templates), it times:

- the board page (/t/het-anker/actions/), and the number of SQL statements it sends;
- a filtered board (one theme, overdue only);
- a status move (the POST of a card's status button), many times: its 95th percentile;
- the same move made from the board by htmx (it answers with the refreshed board).

Goals: board under 200 ms, a move under 50 ms p95, statements per board page independent
of the number of actions (it is also counted with 50 actions, to compare). Runs on a
PostgreSQL database of its own, created and dropped like the tests do (TEST_DATABASE_URL
names the server). The last line is one JSON object.

    .venv/bin/python bench/board.py [actions_per_tenant other_tenants]

(From a worktree other than the one the virtualenv was installed from: PYTHONPATH=. first.)
"""

import contextvars
import datetime as dt
import enum
import json
import os
import random
import re
import statistics
import sys
import time
import uuid

import psycopg
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from service import create_app
from service.accounts.models import User
from service.actions.models import (
    Action,
    ActionDepartment,
    ActionPriority,
    ActionStatus,
    ActionTheme,
)
from service.config import TestConfig
from service.demo import seed_demo
from service.extensions import db
from service.model_types import new_id, utcnow
from service.surveys.themes import THEME_KEYS
from service.tenancy import tenant_scope
from service.tenants.models import Department, Membership, Sector, Tenant, TenantRole

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password"  # noqa: S105
GOAL_BOARD_MS, GOAL_MOVE_P95_MS = 200, 50
ROUNDS, MOVES = 20, 100
STATUSES = [
    (ActionStatus.OPEN, 30),
    (ActionStatus.IN_PROGRESS, 30),
    (ActionStatus.BLOCKED, 10),
    (ActionStatus.DONE, 25),
    (ActionStatus.CANCELLED, 5),
]
CHUNK = 5_000


def action_rows(tenant_id, owners, departments, count: int, rng: random.Random):
    """``count`` actions of one tenant, with one or two themes and maybe a department."""
    today, now = dt.date.today(), utcnow()
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    actions, themes, links = [], [], []
    for n in range(count):
        action_id, status = new_id(), rng.choice(statuses)
        actions.append(
            {
                "tenant_id": tenant_id,
                "id": action_id,
                "title": f"Action {n}: {rng.choice(THEME_KEYS)} follow-up",
                "description": "Generated for the board benchmark.",
                "owner_membership_id": rng.choice(owners),
                "due_on": today + dt.timedelta(days=rng.randint(-60, 120)),
                "status": status,
                "priority": rng.choice(list(ActionPriority)),
                "outcome": "Done as planned." if status == ActionStatus.DONE else None,
                "progress_percent": rng.choice([None, 10, 50, 80]),
                "published": False,
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "done_at": now if status == ActionStatus.DONE else None,
            }
        )
        for theme in rng.sample(THEME_KEYS, rng.choice([1, 2])):
            themes.append(
                {"tenant_id": tenant_id, "id": new_id(), "action_id": action_id, "theme": theme}
            )
        if departments and rng.random() < 0.5:
            links.append(
                {
                    "tenant_id": tenant_id,
                    "id": new_id(),
                    "action_id": action_id,
                    "department_id": rng.choice(departments),
                }
            )
    return actions, themes, links


def tenant_rows(tenant_id, count: int, rng: random.Random):
    with tenant_scope(tenant_id):
        owners = db.session.scalars(
            sa.select(Membership.id).where(Membership.assigned_by_agency.is_(False))
        ).all()
        departments = db.session.scalars(sa.select(Department.id)).all()
        db.session.rollback()
    return action_rows(tenant_id, owners, departments, count, rng)


LINKED = (Action, ActionTheme, ActionDepartment)


def fill(tenant_id, count: int, rng: random.Random) -> None:
    """The board tenant's actions, through the ORM under its scope."""
    rows_by_model = tenant_rows(tenant_id, count, rng)
    with tenant_scope(tenant_id):
        for model, rows in zip(LINKED, rows_by_model, strict=True):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(sa.insert(model), rows[start : start + CHUNK])
        db.session.commit()


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def copy_in(url: str, tenant_ids: list, count: int, rng: random.Random) -> None:
    """The other tenants' actions, with COPY: the same rows as ``fill`` makes."""
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for tenant_id in tenant_ids:
            for model, rows in zip(LINKED, tenant_rows(tenant_id, count, rng), strict=True):
                if not rows:
                    continue
                names = list(rows[0])
                statement = f"COPY {model.__tablename__} ({', '.join(names)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row([_plain(row[name]) for name in names])
        connection.commit()


def other_tenants(number: int) -> list:
    """``number`` more companies, each with one member to own its actions."""
    ids = []
    for n in range(number):
        tenant = Tenant(
            slug=f"bench-{n:02d}", name=f"Bench {n:02d}", sector=Sector.RETAIL, languages=["nl"]
        )
        db.session.add(tenant)
        db.session.flush()
        user = User(email=f"owner@bench-{n:02d}.example", display_name=f"Owner {n:02d}")
        db.session.add(user)
        db.session.flush()
        with tenant_scope(tenant.id):
            db.session.add(Membership(user_id=user.id, role=TenantRole.MEMBER))
            db.session.flush()
        ids.append(tenant.id)
    db.session.commit()
    return ids


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class RequestClient(FlaskClient):
    """Each request in a fresh context, as on a server (its own app context and session)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def signed_in(app, email: str):
    client = app.test_client()
    client.set_cookie("exitloop_lang", "en")
    token = _CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    page = client.get("/profile").get_data(as_text=True)
    return client, _CSRF.search(page).group(1)


class Statements:
    """Counts the SQL statements sent while it is on."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def timed_get(client, url: str, rounds: int = ROUNDS) -> list[float]:
    for _ in range(3):  # warm caches and templates
        assert client.get(url).status_code == 200
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return times


def statements_for(client, url: str) -> int:
    with Statements() as statements:
        assert client.get(url).status_code == 200
    return statements.count


def timed_moves(client, token: str, tenant_id, htmx: bool, moves: int = MOVES) -> list[float]:
    """Move pending actions between open and in progress, each with its current revision."""
    with tenant_scope(tenant_id):
        rows = db.session.execute(
            sa.select(Action.id, Action.status, Action.revision)
            .where(Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]))
            .order_by(Action.id)
            .limit(moves)
        ).all()
        db.session.rollback()
    times = []
    board = "/t/het-anker/actions/"
    headers = {"HX-Request": "true"} if htmx else {}
    for action_id, status, revision in rows:
        target = "in_progress" if status == ActionStatus.OPEN else "open"
        data = {"csrf_token": token, "status": target, "revision": str(revision), "back": board}
        if htmx:
            data["from"] = "board"
        start = time.perf_counter()
        response = client.post(f"/t/het-anker/actions/{action_id}/move", data=data, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), response.status_code
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main() -> None:
    per_tenant, others = (int(arg) for arg in sys.argv[1:3]) if len(sys.argv) > 2 else (5_000, 50)
    admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"exitloop_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        config = TestConfig(f"{base}/{name}")
        config.REDIS_URL = None
        config.RATELIMIT_STORAGE_URI = "memory://"
        app = create_app(config)
        app.test_client_class = RequestClient
        with app.app_context():
            upgrade()
            seed_demo(PASSWORD)
            anker = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "het-anker"))
            client, token = signed_in(app, "hr.admin@het-anker.example")
            board, filtered = (
                "/t/het-anker/actions/",
                "/t/het-anker/actions/?theme=workload&overdue=1",
            )
            small_statements = statements_for(client, board)  # the demo's handful of actions

            rng = random.Random("board-bench")
            start = time.perf_counter()
            tenants = other_tenants(others)
            fill(anker, per_tenant, rng)
            copy_in(ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", tenants, per_tenant, rng)
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            load_s = time.perf_counter() - start
            with tenant_scope(anker):
                actions = db.session.scalar(sa.select(sa.func.count()).select_from(Action))
                db.session.rollback()
            total = db.session.execute(sa.text("SELECT count(*) FROM actions")).scalar()
            db.session.rollback()

            board_times = timed_get(client, board)
            filtered_times = timed_get(client, filtered)
            statements = statements_for(client, board)
            filtered_statements = statements_for(client, filtered)
            move_times = timed_moves(client, token, anker, htmx=False)
            board_move_times = timed_moves(client, token, anker, htmx=True, moves=MOVES // 4)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    board_ms, filtered_ms = statistics.median(board_times), statistics.median(filtered_times)
    move_p95 = p95(move_times)
    print(
        f"PostgreSQL; {actions:,} actions on the board's tenant, {total:,} in {others + 1} tenants"
    )
    print(f"loaded in {load_s:.1f} s ({total / load_s:,.0f} actions/s with their links)")
    print(
        f"board:           median {board_ms:6.1f} ms, p95 {p95(board_times):6.1f} ms"
        f"  (goal < {GOAL_BOARD_MS} ms: {'met' if board_ms < GOAL_BOARD_MS else 'MISSED'})"
    )
    print(f"filtered board:  median {filtered_ms:6.1f} ms, p95 {p95(filtered_times):6.1f} ms")
    print(
        f"move:            median {statistics.median(move_times):6.1f} ms, p95 {move_p95:6.1f} ms"
        f"  (goal p95 < {GOAL_MOVE_P95_MS} ms: "
        f"{'met' if move_p95 < GOAL_MOVE_P95_MS else 'MISSED'})"
    )
    print(
        f"move from board: median {statistics.median(board_move_times):6.1f} ms, "
        f"p95 {p95(board_move_times):6.1f} ms (htmx: answers with the refreshed board)"
    )
    print(
        f"statements per board page: {statements} with {actions:,} actions, "
        f"{small_statements} with the demo's few; filtered: {filtered_statements}"
    )
    figures = {
        "bench": "board",
        "database": "postgresql",
        "actions": actions,
        "actions_all_tenants": total,
        "tenants": others + 1,
        "board_ms": round(board_ms, 1),
        "filtered_board_ms": round(filtered_ms, 1),
        "move_p95_ms": round(move_p95, 1),
        "board_move_p95_ms": round(p95(board_move_times), 1),
        "queries_per_board": statements,
        "queries_per_board_few_actions": small_statements,
        "queries_per_filtered_board": filtered_statements,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
