"""The safety net: tenant-owned data is only ever read or written as one tenant."""

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenancy import (
    CrossTenantWrite,
    TenantContextMissing,
    _current_tenant,
    tenant_scope,
    unscoped,
)
from service.tenants.models import Department, DepartmentHeadcount, Location
from tests.conftest import login


def names(query) -> set[str]:
    return set(db.session.scalars(query))


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


def test_orm_update_and_delete_are_scoped(world):
    with tenant_scope(world.a.tenant.id):
        db.session.execute(sa.update(Location).values(city="Brussel"))
        db.session.execute(sa.delete(DepartmentHeadcount))
        db.session.commit()
    with tenant_scope(world.b.tenant.id):
        assert names(sa.select(Location.city)) == {"Gent"}
        assert db.session.scalar(sa.select(sa.func.count(DepartmentHeadcount.id))) == 1
    with tenant_scope(world.a.tenant.id):
        assert names(sa.select(Location.city)) == {"Brussel"}


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
    with unscoped():
        tenant_id = db.session.scalar(
            sa.select(Location.tenant_id).where(Location.name == "Antwerpen")
        )
    assert tenant_id == world.a.tenant.id


def test_a_request_leaves_no_tenant_behind(client, world):
    login(client, "hr_admin@a.example")
    assert client.get("/t/tenant-a/departments/").status_code == 200
    assert _current_tenant.get() is None
