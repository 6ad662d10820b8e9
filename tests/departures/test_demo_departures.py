"""The demo's departures: a year of recent leavers per client, with patterns to find later,
and before them fifteen months of closed cases."""

import collections
import datetime as dt

import sqlalchemy as sa

from service.demo import STORY_CLIENTS
from service.departures.models import Departure, DepartureStatus, ExitType
from service.extensions import db
from service.tenancy import unscoped
from service.tenants.models import Department, Location, Tenant
from tests.conftest import login
from tests.snapshots import demo_data


def departures_by_tenant(recent: bool = True) -> dict[str, list[Departure]]:
    """Each client's departures: the recent ones (as recorded), or every one (the closed
    cases before them changed when they were closed)."""
    with unscoped("a test looks across tenants"):
        rows = db.session.execute(
            sa.select(Tenant.slug, Departure).join(Tenant, Tenant.id == Departure.tenant_id)
        ).all()
    found = collections.defaultdict(list)
    for slug, departure in rows:
        if not (recent and departure.was_changed):
            found[slug].append(departure)
    return found


def names_of(model) -> dict:
    with unscoped("a test looks across tenants"):
        return dict(list(db.session.execute(sa.select(model.id, model.name)).tuples()))


def test_each_demo_client_has_a_year_of_departures(app):
    demo_data("pw")
    today = dt.date.today()
    found = departures_by_tenant()
    assert set(found) == {"het-anker", "maison-lumiere", "codeway"}
    for slug, departures in found.items():
        assert 25 <= len(departures) <= 45, slug
        assert all(today - dt.timedelta(days=366) <= d.last_day for d in departures)
        assert all(d.last_day <= today + dt.timedelta(days=31) for d in departures)
        cancelled = [d for d in departures if d.status == DepartureStatus.CANCELLED]
        assert 1 <= len(cancelled) <= 3, slug
        assert all(d.cancelled_at for d in cancelled)
        assert sum(d.regretted for d in departures) >= 2, slug
        assert sum(d.personal_email is not None for d in departures) > len(departures) / 2
        assert any(d.hired_on is None for d in departures), slug
        assert len({d.full_name for d in departures}) == len(departures)
        tenant_languages = {"het-anker": {"nl"}, "maison-lumiere": {"fr", "nl"},
                            "codeway": {"en", "nl", "fr"}}[slug]  # fmt: skip
        assert {d.language for d in departures} <= tenant_languages


def test_the_demo_departures_have_patterns(app):
    demo_data("pw")
    found = departures_by_tenant()
    departments, locations = names_of(Department), names_of(Location)

    anker = found["het-anker"]
    kitchen = [d for d in anker if departments[d.department_id] == "Keuken"]
    assert len(kitchen) > len(anker) / 3  # the kitchen loses the most
    in_summer = [d for d in kitchen if d.last_day.month in (6, 7, 8)]
    assert len(in_summer) == len(kitchen)
    assert sum(d.exit_type == ExitType.VOLUNTARY for d in kitchen) > len(kitchen) / 2

    lumiere = found["maison-lumiere"]
    liege = [d for d in lumiere if locations[d.location_id] == "Liège Vinâve"]
    assert len(liege) > len(lumiere) / 2
    sales = [d for d in departures_by_tenant(recent=False)["maison-lumiere"] if d.location_id]
    in_liege = [d for d in sales if locations[d.location_id] == "Liège Vinâve"]
    assert len(in_liege) > len(sales) / 2  # one store of three, over the fifteen months too

    codeway = found["codeway"]
    engineers = [d for d in codeway if departments[d.department_id] == "Engineering"]
    assert len(engineers) > len(codeway) / 2
    assert sum(d.regretted for d in engineers) >= 4


def test_the_closed_cases_before_are_fifteen_months_of_believable_leavers(app):
    demo_data("pw")
    today = dt.date.today()
    for slug, departures in departures_by_tenant(recent=False).items():
        if slug not in STORY_CLIENTS:  # the benchmark's small peers: fewer leavers
            continue
        closed = [d for d in departures if d.was_changed]
        assert len(closed) >= 100, slug
        assert {d.status for d in closed} == {DepartureStatus.ANSWERED, DepartureStatus.CLOSED}
        assert all(today - dt.timedelta(days=16 * 31) <= d.last_day < today for d in closed)
        months = collections.Counter(d.last_day.replace(day=1) for d in closed)
        assert len(months) >= 15, slug
        assert len({d.full_name for d in closed}) >= 0.8 * len(closed), slug  # few namesakes
        assert len({d.identity_key for d in departures}) == len(departures)


def test_the_demo_hr_admin_sees_the_departures(app):
    demo_data("pw")
    client = app.test_client()
    login(client, "hr.admin@het-anker.example", "pw")
    page = client.get("/t/het-anker/departures/?status=cancelled").get_data(as_text=True)
    assert "<strong>2</strong> Geannuleerd" in page  # Hanne reads Dutch
