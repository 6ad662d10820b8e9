"""A tenant's department, function and location names are unique regardless of case in the
database itself, not only in the service's friendly check: on PostgreSQL and on SQLite."""

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.refusals import Refused
from service.tenancy import tenant_scope, unscoped
from service.tenants import services
from service.tenants.models import Department, JobFunction, Location
from tests.conftest import migrated_sqlite_app, truncate_all
from tests.factories import make_tenant

MODELS = [Department, JobFunction, Location]


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    return migrated_sqlite_app(tmp_path_factory, "names")


@pytest.fixture(params=["postgresql", pytest.param("sqlite", marks=pytest.mark.embedded)])
def database(request):
    """An empty migrated database of each kind, with an application context."""
    if request.param == "postgresql":
        yield request.getfixturevalue("app")
        return
    app = request.getfixturevalue("sqlite_app")
    truncate_all(app)
    with app.app_context():
        yield app
        db.session.remove()


def add(model, name: str) -> None:
    """Straight into the database: no service, no friendly check."""
    db.session.add(model(name=name))
    db.session.commit()


@pytest.mark.parametrize("model", MODELS)
def test_the_database_refuses_a_name_that_differs_only_in_case(database, model):
    with tenant_scope(make_tenant("names-a").id):
        add(model, "Sales")
        with pytest.raises(sa.exc.IntegrityError):
            add(model, "sALES")
        db.session.rollback()
        assert list(db.session.scalars(sa.select(model.name))) == ["Sales"]


@pytest.mark.parametrize("model", MODELS)
def test_the_same_name_in_two_tenants_is_no_conflict(database, model):
    with tenant_scope(make_tenant("names-a").id):
        add(model, "Sales")
    with tenant_scope(make_tenant("names-b").id):
        add(model, "Sales")
        add(model, "sales team")
    with unscoped("a test looks across tenants"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 3


@pytest.mark.parametrize("model", MODELS)
def test_a_name_taken_by_a_concurrent_request_is_a_field_message(database, model, monkeypatch):
    in_use = {"name": ["This name is already in use."]}
    with database.test_request_context(), tenant_scope(make_tenant("names-a").id):
        services.create_named(model, name="Sales")
        marketing = services.create_named(model, name="Marketing")
        # The other request commits "Sales" between this one's check and its commit.
        monkeypatch.setattr(services, "name_taken", lambda *args, **kwargs: False)
        with pytest.raises(Refused) as created:
            services.create_named(model, name="SALES")
        assert created.value.errors == in_use
        with pytest.raises(Refused) as renamed:
            services.update_named(marketing, name="sales")
        assert renamed.value.errors == in_use
        assert sorted(db.session.scalars(sa.select(model.name))) == ["Marketing", "Sales"]
