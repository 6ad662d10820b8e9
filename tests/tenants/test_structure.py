"""Departments, headcount history, functions and locations: what an HR admin sees happen."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Department, DepartmentHeadcount, JobFunction, Location
from tests.conftest import OWNER_ROLE, engine_as
from tests.tenants.helpers import post_form, sign_in, text


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


def names(world, model, side="a") -> list[str]:
    with tenant_scope(getattr(world, side).tenant.id):
        return sorted(db.session.scalars(sa.select(model.name)))


def history(world, department) -> list[tuple]:
    with tenant_scope(world.a.tenant.id):
        rows = db.session.execute(
            sa.select(DepartmentHeadcount.effective_from, DepartmentHeadcount.headcount)
            .where(DepartmentHeadcount.department_id == department.id)
            .order_by(DepartmentHeadcount.effective_from)
        )
        return [tuple(row) for row in rows]


def test_add_a_department_inline_with_htmx(hr_admin, world):
    response = post_form(hr_admin, "/t/tenant-a/departments/", {"name": "  Keuken "}, htmx=True)
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<div id="listing">')  # the fragment, not the page
    assert "Department “Keuken” added." in body
    assert ">Keuken</a>" in body
    assert names(world, Department) == ["Keuken", "Sales tenant-a"]


def test_add_a_department_as_a_plain_form(hr_admin, world):
    response = post_form(hr_admin, "/t/tenant-a/departments/", {"name": "Keuken"})
    assert response.status_code == 302
    page = hr_admin.get(response.headers["Location"])
    assert "Department “Keuken” added." in text(page)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name."),
        ("   ", "Enter a name."),
        ("x" * 121, "Use at most 120 characters."),
        ("sales TENANT-A", "This name is already in use."),
    ],
)
def test_a_bad_department_name_is_refused_with_a_field_message(hr_admin, world, name, message):
    for htmx in (False, True):
        response = post_form(hr_admin, "/t/tenant-a/departments/", {"name": name}, htmx=htmx)
        assert response.status_code == 422
        assert f'<p class="field-error" id="name-error">{message}</p>' in text(response)
    assert names(world, Department) == ["Sales tenant-a"]


def test_a_name_of_exactly_120_characters_is_accepted(hr_admin, world):
    assert post_form(hr_admin, "/t/tenant-a/departments/", {"name": "x" * 120}).status_code == 302
    assert "x" * 120 in names(world, Department)


def test_the_same_name_in_another_tenant_is_no_conflict(hr_admin, world):
    response = post_form(hr_admin, "/t/tenant-a/departments/", {"name": "Sales tenant-b"})
    assert response.status_code == 302


def test_rename_a_department_and_refuse_a_taken_name(hr_admin, world):
    department = world.a.objects["department"]
    post_form(hr_admin, "/t/tenant-a/departments/", {"name": "Keuken"})
    path = f"/t/tenant-a/departments/{department.id}/rename"
    refused = post_form(hr_admin, path, {"name": "keuken"})
    assert refused.status_code == 422
    assert "This name is already in use." in text(refused)
    assert post_form(hr_admin, path, {"name": "Verkoop"}).status_code == 302
    assert names(world, Department) == ["Keuken", "Verkoop"]


def test_headcount_history_add_correct_remove(hr_admin, world):
    department = world.a.objects["department"]
    base = f"/t/tenant-a/departments/{department.id}"
    added = post_form(
        hr_admin, f"{base}/headcounts", {"effective_from": "2026-01-01", "headcount": "12"}, True
    )
    assert added.status_code == 200
    assert "Headcount added." in text(added)
    assert history(world, department) == [(dt.date(2025, 1, 1), 10), (dt.date(2026, 1, 1), 12)]

    taken = post_form(
        hr_admin, f"{base}/headcounts", {"effective_from": "2026-01-01", "headcount": "5"}
    )
    assert taken.status_code == 422
    assert "A headcount is already recorded from this date." in text(taken)

    with tenant_scope(world.a.tenant.id):
        entry_id = db.session.scalar(
            sa.select(DepartmentHeadcount.id).where(
                DepartmentHeadcount.effective_from == dt.date(2026, 1, 1)
            )
        )
    onto_other_date = post_form(
        hr_admin,
        f"{base}/headcounts/{entry_id}",
        {"effective_from": "2025-01-01", "headcount": "9"},
    )
    assert onto_other_date.status_code == 422
    corrected = post_form(
        hr_admin,
        f"{base}/headcounts/{entry_id}",
        {"effective_from": "2026-02-01", "headcount": "11"},
    )
    assert corrected.status_code == 302
    assert history(world, department) == [(dt.date(2025, 1, 1), 10), (dt.date(2026, 2, 1), 11)]

    assert post_form(hr_admin, f"{base}/headcounts/{entry_id}/delete").status_code == 302
    assert history(world, department) == [(dt.date(2025, 1, 1), 10)]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"effective_from": "2026-01-01", "headcount": "-1"},
            "headcount",
            "Enter a number from 0 to 1,000,000.",
        ),
        (
            {"effective_from": "2026-01-01", "headcount": "1000001"},
            "headcount",
            "Enter a number from 0 to 1,000,000.",
        ),
        (
            {"effective_from": "2026-01-01", "headcount": "ten"},
            "headcount",
            "Enter a whole number.",
        ),
        (
            {"effective_from": "1-1-2026", "headcount": "3"},
            "effective_from",
            "Enter a date as YYYY-MM-DD.",
        ),
        (
            {"effective_from": "2101-01-01", "headcount": "3"},
            "effective_from",
            "Enter a date between 1900 and 2100.",
        ),
        ({"headcount": "3"}, "effective_from", "Enter the date from which this headcount applies."),
    ],
)
def test_a_bad_headcount_is_refused_and_nothing_written(hr_admin, world, data, field, message):
    department = world.a.objects["department"]
    response = post_form(hr_admin, f"/t/tenant-a/departments/{department.id}/headcounts", data)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}</p>' in text(response)
    assert history(world, department) == [(dt.date(2025, 1, 1), 10)]


def test_a_headcount_of_one_million_is_accepted(hr_admin, world):
    department = world.a.objects["department"]
    data = {"effective_from": "2100-12-31", "headcount": "1000000"}
    response = post_form(hr_admin, f"/t/tenant-a/departments/{department.id}/headcounts", data)
    assert response.status_code == 302


def test_a_headcount_entry_of_another_department_is_404(hr_admin, world):
    department = world.a.objects["department"]
    other = post_form(hr_admin, "/t/tenant-a/departments/", {"name": "Keuken"})
    assert other.status_code == 302
    with tenant_scope(world.a.tenant.id):
        keuken = db.session.scalar(sa.select(Department.id).where(Department.name == "Keuken"))
        entry_id = db.session.scalar(sa.select(DepartmentHeadcount.id))
    assert (
        hr_admin.get(f"/t/tenant-a/departments/{keuken}/headcounts/{entry_id}").status_code == 404
    )
    assert (
        hr_admin.get(f"/t/tenant-a/departments/{department.id}/headcounts/{entry_id}").status_code
        == 200
    )


def test_delete_an_unused_department_with_its_history(hr_admin, world):
    department = world.a.objects["department"]
    response = post_form(hr_admin, f"/t/tenant-a/departments/{department.id}/delete")
    assert response.status_code == 302
    assert "deleted" in text(hr_admin.get(response.headers["Location"]))
    assert names(world, Department) == []
    assert history(world, department) == []


@pytest.fixture
def departures_table(app):
    """Stands in for what will refer to a department (departures): a RESTRICT foreign key.
    Made by the tables' owner, as a migration would (the application role creates none)."""
    with engine_as(app, OWNER_ROLE).begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE fake_departures (tenant_id uuid, id uuid, department_id uuid,"
                " PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, department_id)"
                " REFERENCES departments (tenant_id, id) ON DELETE RESTRICT)"
            )
        )
    yield "fake_departures"
    db.session.rollback()
    with engine_as(app, OWNER_ROLE).begin() as connection:
        connection.execute(sa.text("DROP TABLE fake_departures"))


def test_a_department_in_use_is_not_deleted(hr_admin, world, departures_table):
    department = world.a.objects["department"]
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(f"INSERT INTO {departures_table} VALUES (:t, gen_random_uuid(), :d)"),
            {"t": world.a.tenant.id, "d": department.id},
        )
    response = post_form(hr_admin, f"/t/tenant-a/departments/{department.id}/delete")
    assert response.status_code == 302
    page = text(hr_admin.get(response.headers["Location"]))
    assert "It is still in use, so it cannot be deleted." in page
    assert names(world, Department) == ["Sales tenant-a"]
    assert history(world, department) == [(dt.date(2025, 1, 1), 10)]


def test_functions_add_rename_delete(hr_admin, world):
    added = post_form(hr_admin, "/t/tenant-a/functions/", {"name": "Kok"}, htmx=True)
    assert added.status_code == 200
    assert "“Kok” added." in text(added)
    duplicate = post_form(hr_admin, "/t/tenant-a/functions/", {"name": "KOK"}, htmx=True)
    assert duplicate.status_code == 422
    assert "This name is already in use." in text(duplicate)
    job_function = world.a.objects["job_function"]
    path = f"/t/tenant-a/functions/{job_function.id}"
    assert post_form(hr_admin, path, {"name": "kok"}).status_code == 422
    assert post_form(hr_admin, path, {"name": "x" * 121}).status_code == 422
    assert post_form(hr_admin, path, {"name": "Kelner"}).status_code == 302
    assert names(world, JobFunction) == ["Kelner", "Kok"]
    assert post_form(hr_admin, f"{path}/delete").status_code == 302
    assert names(world, JobFunction) == ["Kok"]


def test_locations_keep_their_city(hr_admin, world):
    data = {"name": "Brugge Markt", "city": " Brugge "}
    assert post_form(hr_admin, "/t/tenant-a/locations/", data).status_code == 302
    too_long = post_form(hr_admin, "/t/tenant-a/locations/", {"name": "X", "city": "y" * 121})
    assert too_long.status_code == 422
    assert 'id="city-error">Use at most 120 characters.</p>' in text(too_long)
    with tenant_scope(world.a.tenant.id):
        cities = dict(db.session.execute(sa.select(Location.name, Location.city)).all())
    assert cities == {"Brugge Markt": "Brugge", "Gent tenant-a": "Gent"}
    page = text(hr_admin.get("/t/tenant-a/locations/?q=brugge"))
    assert "Brugge Markt" in page
    assert "Gent tenant-a" not in page


def test_lists_search_and_paginate(hr_admin, world):
    with tenant_scope(world.a.tenant.id):
        db.session.add_all(JobFunction(name=f"Function {n:02d}") for n in range(30))
        db.session.commit()
    first = text(hr_admin.get("/t/tenant-a/functions/"))
    assert "Function 00" in first
    assert "Function 24" in first
    assert "Function 25" not in first
    assert "Page 1 of 2" in first
    second = text(hr_admin.get("/t/tenant-a/functions/?page=2"))
    assert "Function 25" in second
    assert "Representative tenant-a" in second
    found = text(hr_admin.get("/t/tenant-a/functions/?q=tion 1"))
    assert "Function 10" in found
    assert "Function 20" not in found
    assert "10 results" in found
    literal = text(hr_admin.get("/t/tenant-a/functions/?q=%25"))
    assert "No functions found." in literal  # % is a character, not a wildcard
    assert hr_admin.get("/t/tenant-a/functions/?page=99").status_code == 200
    assert hr_admin.get("/t/tenant-a/functions/?q=" + "x" * 5000).status_code == 200


def test_readers_see_structure_without_forms(client, world):
    sign_in(client, "leadership@a.example")
    page = text(client.get("/t/tenant-a/departments/"))
    assert "Sales tenant-a" in page
    assert "Add a department" not in page
    assert "Import" not in page
    detail = text(client.get(f"/t/tenant-a/departments/{world.a.objects['department'].id}"))
    assert "Add a headcount" not in detail
    assert "Rename" not in detail
