"""Destructive actions on a tenant's structure ask first and name what will be lost; changes
that change nothing say so and write nothing.

For each action: the GET names what goes and changes nothing, its form posts the action and
Cancel leads back; the POST does it; another tenant's object is a 404 on both; a role
without the permission gets a 403 on both.
"""

import datetime as dt
import html

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Department, DepartmentHeadcount, JobFunction, Location, Tenant
from tests.conftest import writes_to
from tests.factories import make_department
from tests.tenants.helpers import post_form, sign_in, text

BASE = "/t/tenant-a"


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


@pytest.fixture
def keuken(world):
    """A department with two years of headcount history: 16 people today."""
    return make_department(
        world.a.tenant, "Keuken", headcounts=((dt.date(2024, 1, 1), 14), (dt.date(2025, 1, 1), 16))
    )


def page_text(response) -> str:
    return html.unescape(text(response))


def exists(world, model, object_id, side="a") -> bool:
    db.session.expire_all()
    tenant_id = getattr(world, side).tenant.id
    with tenant_scope(tenant_id):
        return db.session.get(model, (tenant_id, object_id)) is not None


def headcount_entries(world, department) -> list[tuple[dt.date, int]]:
    with tenant_scope(world.a.tenant.id):
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(DepartmentHeadcount.effective_from, DepartmentHeadcount.headcount)
                .where(DepartmentHeadcount.department_id == department.id)
                .order_by(DepartmentHeadcount.effective_from)
            )
        ]


def assert_asks(response, action: str, back: str) -> str:
    """A confirmation page: 200, a form posting ``action``, Cancel leading to ``back``."""
    assert response.status_code == 200
    body = text(response)
    assert f'<form method="post" action="{action}"' in body
    assert f'<a href="{back}">Cancel</a>' in body
    return page_text(response)


def test_the_department_page_leads_to_the_confirmation_not_to_a_delete(hr_admin, keuken):
    page = text(hr_admin.get(f"{BASE}/departments/{keuken.id}"))
    delete = f"{BASE}/departments/{keuken.id}/delete"
    assert f'href="{delete}"' in page
    assert f'action="{delete}"' not in page


def test_deleting_a_department_names_its_history_and_its_people(hr_admin, world, keuken):
    path = f"{BASE}/departments/{keuken.id}/delete"
    page = assert_asks(hr_admin.get(path), path, f"{BASE}/departments/{keuken.id}")
    assert "Delete the department “Keuken”?" in page
    assert "Its headcount history (2 entries since 1 January 2024) will be deleted." in page
    assert "16 people are recorded there today." in page
    assert "This cannot be undone." in page
    assert exists(world, Department, keuken.id)
    assert len(headcount_entries(world, keuken)) == 2

    response = post_form(hr_admin, path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/departments/"
    assert not exists(world, Department, keuken.id)
    assert headcount_entries(world, keuken) == []


def test_a_head_request_only_asks(hr_admin, world, keuken):
    """Flask answers HEAD with the GET view and CSRF protection lets HEAD pass: it must not
    delete."""
    assert hr_admin.head(f"{BASE}/departments/{keuken.id}/delete").status_code == 200
    assert exists(world, Department, keuken.id)


def test_a_department_without_history_says_so(hr_admin, world):
    empty = make_department(world.a.tenant, "Bar", headcounts=())
    page = page_text(hr_admin.get(f"{BASE}/departments/{empty.id}/delete"))
    assert "It has no headcount history." in page
    assert "recorded there today" not in page


def test_a_department_whose_history_starts_later_has_no_people_today(hr_admin, world):
    later = make_department(world.a.tenant, "Terras", headcounts=((dt.date(2099, 1, 1), 4),))
    page = page_text(hr_admin.get(f"{BASE}/departments/{later.id}/delete"))
    assert "Its headcount history (1 entry since 1 January 2099) will be deleted." in page
    assert "recorded there today" not in page


def test_removing_a_headcount_names_what_applies_instead(hr_admin, world, keuken):
    entries = {}
    with tenant_scope(world.a.tenant.id):
        for entry in db.session.scalars(
            sa.select(DepartmentHeadcount).where(DepartmentHeadcount.department_id == keuken.id)
        ):
            entries[entry.headcount] = entry.id
    base = f"{BASE}/departments/{keuken.id}/headcounts"
    later = f"{base}/{entries[16]}/delete"
    page = assert_asks(hr_admin.get(later), later, f"{base}/{entries[16]}")
    assert "Remove the headcount of 16 from 1 January 2025?" in page
    assert "From 1 January 2025 on, the earlier headcount of 14 (from 1 January 2024)" in page
    assert "To undo, add it again: 16 from 1 January 2025." in page
    first = page_text(hr_admin.get(f"{base}/{entries[14]}/delete"))
    assert "It is the first headcount of Keuken" in first
    assert len(headcount_entries(world, keuken)) == 2

    assert post_form(hr_admin, later).status_code == 302
    assert headcount_entries(world, keuken) == [(dt.date(2024, 1, 1), 14)]


@pytest.mark.parametrize(
    ("kind", "model", "question"),
    [
        ("functions", JobFunction, "Delete the function “Representative tenant-a”?"),
        ("locations", Location, "Delete the location “Gent tenant-a”?"),
    ],
)
def test_deleting_a_function_or_location_asks_first(hr_admin, world, kind, model, question):
    item = world.a.objects["job_function" if kind == "functions" else "location"]
    path = f"{BASE}/{kind}/{item.id}/delete"
    item_page = text(hr_admin.get(f"{BASE}/{kind}/{item.id}"))
    assert f'href="{path}"' in item_page
    assert f'action="{path}"' not in item_page
    page = assert_asks(hr_admin.get(path), path, f"{BASE}/{kind}/{item.id}")
    assert question in page
    assert "This cannot be undone." in page
    assert exists(world, model, item.id)

    assert post_form(hr_admin, path).status_code == 302
    assert not exists(world, model, item.id)


def _destructive_paths(side) -> list[str]:
    objects = side.objects
    department = objects["department"].id
    return [
        f"/departments/{department}/delete",
        f"/departments/{department}/headcounts/{objects['headcount'].id}/delete",
        f"/functions/{objects['job_function'].id}/delete",
        f"/locations/{objects['location'].id}/delete",
    ]


def test_another_tenants_objects_are_404_to_ask_and_to_do(hr_admin, world):
    for path in _destructive_paths(world.b):
        assert hr_admin.get(BASE + path).status_code == 404, path
        assert post_form(hr_admin, BASE + path).status_code == 404, path
    objects = world.b.objects
    assert exists(world, Department, objects["department"].id, side="b")
    assert exists(world, DepartmentHeadcount, objects["headcount"].id, side="b")
    assert exists(world, JobFunction, objects["job_function"].id, side="b")
    assert exists(world, Location, objects["location"].id, side="b")


@pytest.mark.parametrize("role", ["hr", "leadership"])
def test_a_role_that_may_not_delete_may_not_be_asked_either(client, world, role):
    sign_in(client, f"{role}@a.example")
    for path in _destructive_paths(world.a):
        assert client.get(BASE + path).status_code == 403, path
        assert post_form(client, BASE + path).status_code == 403, path
    assert exists(world, Department, world.a.objects["department"].id)


# Truthful messages: "saved" only when something changed, and nothing written otherwise.


def test_renaming_a_department_to_its_own_name_changes_nothing(hr_admin, world, keuken):
    path = f"{BASE}/departments/{keuken.id}/rename"
    with writes_to("departments") as written:
        response = post_form(hr_admin, path, {"name": "Keuken"})
    assert response.status_code == 302
    assert written == []
    page = page_text(hr_admin.get(response.headers["Location"]))
    assert "Nothing changed: the department is already called “Keuken”." in page
    assert "renamed" not in page

    response = post_form(hr_admin, path, {"name": "Keuken en afwas"})
    assert "Department renamed to “Keuken en afwas”." in page_text(
        hr_admin.get(response.headers["Location"])
    )


def test_saving_a_function_or_location_unchanged_says_so(hr_admin, world):
    location = world.a.objects["location"]
    path = f"{BASE}/locations/{location.id}"
    with writes_to("locations") as written:
        response = post_form(hr_admin, path, {"name": "Gent tenant-a", "city": "Gent"})
    assert written == []
    page = page_text(hr_admin.get(response.headers["Location"]))
    assert "No changes to save." in page
    assert "Changes saved." not in page
    response = post_form(hr_admin, path, {"name": "Gent tenant-a", "city": "Gentbrugge"})
    assert "Changes saved." in page_text(hr_admin.get(response.headers["Location"]))


def test_correcting_a_headcount_to_what_it_says_changes_nothing(hr_admin, world):
    department, entry = world.a.objects["department"], world.a.objects["headcount"]
    path = f"{BASE}/departments/{department.id}/headcounts/{entry.id}"
    same = {"effective_from": "2025-01-01", "headcount": "10"}
    with writes_to("department_headcounts") as written:
        response = post_form(hr_admin, path, same)
    assert written == []
    page = page_text(hr_admin.get(response.headers["Location"]))
    assert "No changes to save." in page
    assert "Headcount corrected." not in page


SETTINGS = {
    "name": "Tenant A",
    "languages": ["fr", "nl"],  # the stored ones, listed in another order
    "default_language": "nl",
    "time_zone": "Europe/Brussels",
    "confidentiality_k": "5",
    "data_protection_contact": "",
    "survey_invite_days_before": "3",
    "survey_reminder_days": "3, 7",
    "survey_expiry_days": "21",
}


def test_saving_unchanged_settings_says_nothing_was_saved(hr_admin, world):
    with writes_to("tenants") as written:
        response = post_form(hr_admin, f"{BASE}/settings", SETTINGS)
    assert response.status_code == 302
    assert written == []
    page = page_text(hr_admin.get(response.headers["Location"]))
    assert "No changes to save." in page
    assert "Settings saved." not in page

    response = post_form(hr_admin, f"{BASE}/settings", {**SETTINGS, "confidentiality_k": "6"})
    assert "Settings saved." in page_text(hr_admin.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Tenant, world.a.tenant.id).confidentiality_k == 6
