"""The safety net: tenant-owned data is only ever read or written as one tenant."""

import contextvars

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from service.extensions import db
from service.model_types import new_id
from service.tenancy import (
    CrossTenantWrite,
    TenantContextMissing,
    UncheckableStatement,
    _current_tenant,
    execute_prepared,
    tenant_scope,
    unscoped,
)
from service.tenants.models import Department, DepartmentHeadcount, Location
from tests.conftest import login, writes_to


def names(query) -> set[str]:
    return set(db.session.scalars(query))


@pytest.fixture(params=["session", "prepared"])
def execute(request):
    """An INSERT, UPDATE or DELETE run the two ways there are: the session's, and the hot
    paths' (built once, run on the session's connection): the net holds alike."""
    return db.session.execute if request.param == "session" else execute_prepared


def test_unscoped_select_under_tenant_a_returns_only_a_rows(world):
    with tenant_scope(world.a.tenant.id):
        assert names(sa.select(Department.name)) == {"Sales tenant-a"}
        departments = db.session.scalars(sa.select(Department)).all()
        assert {d.tenant_id for d in departments} == {world.a.tenant.id}
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Department))
        assert count == 1
        joined = db.session.execute(
            sa.select(Department.name, DepartmentHeadcount.headcount).join(
                DepartmentHeadcount, DepartmentHeadcount.department_id == Department.id
            )
        ).all()
        assert [row.name for row in joined] == ["Sales tenant-a"]
        other = aliased(Department)
        assert names(sa.select(other.name).where(other.name.like("Sales%"))) == {"Sales tenant-a"}
        listed = sa.select(Department).order_by(Department.name).subquery()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(listed)) == 1


def test_a_values_list_joined_laterally_is_scoped(world):
    """A VALUES list and its columns refer to each other: the net walks each element once."""
    wanted = sa.values(sa.column("name", sa.String), name="wanted").data(
        [("Sales tenant-a",), ("Sales tenant-b",)]
    )
    found = (
        sa.select(sa.func.count().label("departments"))
        .where(Department.name == wanted.c.name)
        .lateral("found")
    )
    statement = sa.select(wanted.c.name, found.c.departments).select_from(
        wanted.join(found, sa.true())
    )
    with tenant_scope(world.a.tenant.id):
        rows = dict(db.session.execute(statement).all())
    assert rows == {"Sales tenant-a": 1, "Sales tenant-b": 0}


def test_a_statement_built_once_is_scoped_to_each_tenant_it_runs_for(world):
    """The net keeps what it made of a statement: run again as another tenant, the same
    statement sees that tenant's rows only."""
    statement = sa.select(Department.name).where(Department.name.like(sa.bindparam("pattern")))
    for tenant, name in ((world.a, "Sales tenant-a"), (world.b, "Sales tenant-b")) * 2:
        with tenant_scope(tenant.tenant.id):
            assert set(db.session.scalars(statement, {"pattern": "Sales%"})) == {name}


def test_orm_update_and_delete_are_scoped(world, execute):
    with tenant_scope(world.a.tenant.id):
        execute(sa.update(Location).values(city="Brussel"), None)
        execute(sa.delete(DepartmentHeadcount), None)
        db.session.commit()
    with tenant_scope(world.b.tenant.id):
        assert names(sa.select(Location.city)) == {"Gent"}
        assert db.session.scalar(sa.select(sa.func.count(DepartmentHeadcount.id))) == 1
    with tenant_scope(world.a.tenant.id):
        assert names(sa.select(Location.city)) == {"Brussel"}


def test_a_prepared_statement_carries_the_nets_criterion_for_each_tenant(world):
    """Built once and run as two tenants, the statement is scoped by the net itself (the
    SQL sent names the tenant), not only by row-level security beneath it."""
    statement = sa.update(Location).values(city=sa.bindparam("city"))
    with writes_to("locations") as sent:
        for tenant, city in ((world.a, "Brussel"), (world.b, "Antwerpen")):
            with tenant_scope(tenant.tenant.id):
                assert execute_prepared(statement, {"city": city}).rowcount == 1
    assert all("locations.tenant_id = " in sql for sql in sent), sent
    db.session.commit()
    assert everything(sa.select(Location.city)) == {"Brussel", "Antwerpen"}


def test_a_prepared_statement_flushes_the_session_first(world):
    with tenant_scope(world.a.tenant.id):
        db.session.add(Location(name="Leuven"))
        execute_prepared(sa.update(Location).values(city="Leuven"), None)
        assert names(sa.select(Location.city)) == {"Leuven"}
    db.session.rollback()


def test_what_execute_prepared_cannot_run_is_refused(world):
    from service.insights.models import Feedback

    with tenant_scope(world.a.tenant.id):
        with pytest.raises(UncheckableStatement, match="INSERT, UPDATE and DELETE only"):
            execute_prepared(sa.select(Location), None)
        # The insights roll-up must see every write of feedback (service/insights/rollup.py).
        with pytest.raises(UncheckableStatement, match="watched"):
            execute_prepared(sa.delete(Feedback), None)
    with pytest.raises(TenantContextMissing):
        execute_prepared(sa.update(Location).values(city="Overal"), None)
    db.session.rollback()
    assert everything(sa.select(Location.city)) == {"Gent"}


def everything(query) -> set[str]:
    with unscoped("a test looks across tenants"):
        return names(query)


CORE_STATEMENTS = {
    "count": lambda: sa.select(sa.func.count()).select_from(Department.__table__),
    "column": lambda: sa.select(Department.__table__.c.name),
    "subquery": lambda: sa.select(Department).where(
        Department.name.in_(sa.select(Location.__table__.c.name))
    ),
    "join": lambda: sa.select(Department.name).join(
        Location.__table__, Location.__table__.c.name != Department.name
    ),
    "lightweight table": lambda: sa.select(sa.column("name")).select_from(sa.table("departments")),
    "update": lambda: sa.update(Location.__table__).values(city="Overal"),
    "delete": lambda: sa.delete(Location.__table__),
    "insert": lambda: sa.insert(Location.__table__).values(name="Overal"),
}


@pytest.mark.parametrize("statement", CORE_STATEMENTS.values(), ids=CORE_STATEMENTS.keys())
def test_a_core_table_statement_is_refused_unless_unscoped(world, statement):
    # A plain Table carries no ORM entity, so the tenant criterion cannot reach it.
    with tenant_scope(world.a.tenant.id), pytest.raises(UncheckableStatement, match="unscoped"):
        db.session.execute(statement())
    db.session.rollback()
    assert everything(sa.select(Location.city)) == {"Gent"}


def test_core_tables_see_every_tenant_under_unscoped(world):
    with unscoped("a test looks across tenants"):
        count = sa.select(sa.func.count()).select_from(Department.__table__)
        assert db.session.scalar(count) == 2
        assert set(db.session.scalars(sa.select(Department.__table__.c.name))) == {
            "Sales tenant-a",
            "Sales tenant-b",
        }
        db.session.execute(sa.update(Location.__table__).values(city="Overal"))
    assert everything(sa.select(Location.city)) == {"Overal"}
    db.session.rollback()


def test_a_bulk_insert_of_another_tenants_row_is_refused(world, execute):
    a, b = world.a.tenant.id, world.b.tenant.id
    with tenant_scope(a):
        for statement, rows in [
            (
                sa.insert(Location),
                [{"tenant_id": a, "name": "Mine"}, {"tenant_id": b, "name": "x"}],
            ),
            (sa.insert(Location), {"tenant_id": str(b), "name": "x"}),
            (sa.insert(Location).values(tenant_id=b, name="x"), None),
            (
                sa.insert(Location).values(
                    [{"tenant_id": a, "name": "Mine"}, {"tenant_id": b, "name": "x"}]
                ),
                None,
            ),
            (sa.insert(Location).values(tenant_id=b, name="x").returning(Location.id), None),
            (
                sa.insert(Location).values([(a, new_id(), "Mine", None), (b, new_id(), "x", None)]),
                None,
            ),
        ]:
            with pytest.raises(CrossTenantWrite):
                execute(statement, rows)
            db.session.rollback()
    assert everything(sa.select(Location.name).where(Location.name.in_(["x", "Mine"]))) == set()


def test_a_bulk_insert_the_net_cannot_check_is_refused(world, execute):
    with tenant_scope(world.a.tenant.id):
        for statement, rows in [
            (sa.insert(Location), [{"name": "No tenant"}]),
            (sa.insert(Location).values(name="No tenant"), None),
            (
                sa.insert(Location).from_select(
                    ["tenant_id", "id", "name"],
                    sa.select(Department.tenant_id, Department.id, Department.name),
                ),
                None,
            ),
            (
                sa.insert(Location).values(
                    tenant_id=sa.select(Department.tenant_id).limit(1).scalar_subquery(),
                    name="Computed",
                ),
                None,
            ),
        ]:
            with pytest.raises(UncheckableStatement):
                execute(statement, rows)
            db.session.rollback()
    assert everything(sa.select(Location.name)) == {"Gent tenant-a", "Gent tenant-b"}


def test_a_bulk_insert_of_the_current_tenants_rows_works(world, execute):
    a = world.a.tenant.id
    with tenant_scope(a):
        execute(sa.insert(Location), [{"tenant_id": a, "name": "Brugge"}])
        made = execute(
            sa.insert(Location).values(tenant_id=a, name="Leuven").returning(Location.name), None
        ).scalar()
        assert made == "Leuven"
        db.session.commit()
        assert {"Brugge", "Leuven"} <= names(sa.select(Location.name))


def test_an_update_never_moves_rows_to_another_tenant(world, execute):
    a, b = world.a.tenant.id, world.b.tenant.id
    location_b = world.b.objects["location"]
    with tenant_scope(a):
        for statement, rows in [
            (sa.update(Location).values(tenant_id=b), None),
            (sa.update(Location).values(tenant_id=a), None),
            (sa.update(Location).ordered_values((Location.tenant_id, b)), None),
            (sa.update(Location), [{"tenant_id": b, "id": location_b.id, "city": "Gekaapt"}]),
            (
                postgresql.insert(Location)
                .values(tenant_id=a, name="Gent tenant-a")
                .on_conflict_do_update(index_elements=["tenant_id", "name"], set_={"tenant_id": b}),
                None,
            ),
        ]:
            with pytest.raises(CrossTenantWrite):
                execute(statement, rows)
            db.session.rollback()
        location_a = world.a.objects["location"]
        db.session.execute(
            sa.update(Location), [{"tenant_id": a, "id": location_a.id, "city": "Brugge"}]
        )
        db.session.commit()
    with unscoped("a test looks across tenants"):
        rows = db.session.execute(sa.select(Location.tenant_id, Location.city)).all()
    assert sorted(rows) == sorted([(a, "Brugge"), (b, "Gent")])


def test_tenant_data_with_no_tenant_set_raises(world):
    with pytest.raises(TenantContextMissing):
        db.session.scalars(sa.select(Department)).all()
    with pytest.raises(TenantContextMissing):
        db.session.scalar(sa.select(sa.func.count()).select_from(Location))
    db.session.rollback()
    db.session.add(Location(name="Nowhere"))
    with pytest.raises(TenantContextMissing):
        db.session.flush()
    db.session.rollback()


def test_writing_another_tenants_row_is_refused(world):
    with tenant_scope(world.a.tenant.id):
        db.session.add(Location(name="Smuggled", tenant_id=world.b.tenant.id))
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()
    with tenant_scope(world.b.tenant.id):
        assert "Smuggled" not in names(sa.select(Location.name))


def test_new_rows_take_the_current_tenant(world):
    with tenant_scope(world.a.tenant.id):
        db.session.add(Location(name="Antwerpen"))
        db.session.commit()
    with unscoped("a test looks across tenants"):
        tenant_id = db.session.scalar(
            sa.select(Location.tenant_id).where(Location.name == "Antwerpen")
        )
    assert tenant_id == world.a.tenant.id


def test_a_request_leaves_no_tenant_behind(app, world):
    # A server thread serves request after request in one context. The RequestClient gives
    # each request a fresh one, which would hide a leak: drive the plain client inside one
    # explicit context, and look at the tenant in that same context afterwards.
    client = FlaskClient(app, app.response_class, use_cookies=True)
    thread = contextvars.Context()
    thread.run(login, client, "hr_admin@a.example")
    assert thread.run(client.get, "/t/tenant-a/departments/").status_code == 200
    assert thread.run(_current_tenant.get) is None


def test_the_cross_tenant_path_names_its_reason(app, world, caplog):
    """unscoped() is the one way across tenants: the net steps aside, the transaction is
    declared cross-tenant to row-level security, and why is logged."""
    caplog.set_level("DEBUG", logger="service.tenancy")
    flag = sa.text("SELECT current_setting('exitloop.cross_tenant', true)")
    with unscoped("the outbox sweep finds tenants with mail due"):
        assert db.session.scalar(flag) == "on"
        assert len(db.session.scalars(sa.select(Location)).all()) == 2
    assert db.session.scalar(flag) == ""  # the rest of the transaction: one tenant at most
    assert "cross-tenant: the outbox sweep finds tenants with mail due" in caplog.messages
