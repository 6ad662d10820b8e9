"""Every organisation-structure route × every role: 200, 403 or 404 as the matrix says."""

import pytest

from service.permissions import can
from tests.tenants.helpers import post_form, sign_in

# (role, login email) — the agency admin reaches tenant A through its agency.
ACTORS = [
    ("hr_admin", "hr_admin@a.example"),
    ("hr", "hr@a.example"),
    ("interviewer", "interviewer@a.example"),
    ("leadership", "leadership@a.example"),
    ("member", "member@a.example"),
    ("agency_admin", "agency_admin@agency-a.example"),
]


def pages(world, side):
    objects = side.objects
    department = objects["department"].id
    return [
        ("tenant.structure.view", "/departments/"),
        ("tenant.structure.view", f"/departments/{department}"),
        ("tenant.structure.view", "/functions/"),
        ("tenant.structure.view", "/locations/"),
        ("tenant.structure.manage", f"/functions/{objects['job_function'].id}"),
        ("tenant.structure.manage", f"/locations/{objects['location'].id}"),
        ("tenant.structure.manage", f"/departments/{department}/headcounts/{side.headcount_id}"),
        ("tenant.structure.manage", "/import/departments"),
        ("tenant.structure.manage", "/import/functions"),
        ("tenant.structure.manage", "/import/locations"),
        ("tenant.settings.view", "/settings"),
    ]


def posts(side):
    objects = side.objects
    department = objects["department"].id
    return [
        ("tenant.structure.manage", "/departments/", {"name": "New"}),
        ("tenant.structure.manage", f"/departments/{department}/rename", {"name": "Renamed"}),
        (
            "tenant.structure.manage",
            f"/departments/{department}/headcounts",
            {"effective_from": "2026-03-01", "headcount": "3"},
        ),
        ("tenant.structure.manage", "/functions/", {"name": "New"}),
        ("tenant.structure.manage", "/locations/", {"name": "New"}),
        ("tenant.structure.manage", f"/functions/{objects['job_function'].id}", {"name": "X"}),
        ("tenant.structure.manage", f"/locations/{objects['location'].id}", {"name": "X"}),
        ("tenant.structure.manage", f"/functions/{objects['job_function'].id}/delete", {}),
        ("tenant.structure.manage", f"/locations/{objects['location'].id}/delete", {}),
        ("tenant.structure.manage", f"/departments/{department}/delete", {}),
        (
            "tenant.structure.manage",
            f"/departments/{department}/headcounts/{side.headcount_id}/delete",
            {},
        ),
        ("tenant.settings.edit", "/settings", {"name": "Renamed"}),
    ]


@pytest.fixture
def sides(world):
    import sqlalchemy as sa

    from service.extensions import db
    from service.tenancy import tenant_scope
    from service.tenants.models import DepartmentHeadcount

    for side in (world.a, world.b):
        with tenant_scope(side.tenant.id):
            side.headcount_id = db.session.scalar(sa.select(DepartmentHeadcount.id))
    return world


@pytest.mark.parametrize(("role", "email"), ACTORS)
def test_every_page_answers_as_the_matrix_says(client, sides, role, email):
    sign_in(client, email)
    for action, path in pages(sides, sides.a):
        expected = 200 if can(role, action) else 403
        assert client.get(f"/t/tenant-a{path}").status_code == expected, (role, path)


@pytest.mark.parametrize(("role", "email"), ACTORS)
def test_every_change_is_refused_to_roles_without_the_right(client, sides, role, email):
    sign_in(client, email)
    for action, path, data in posts(sides.a):
        if can(role, action):
            continue
        response = post_form(client, f"/t/tenant-a{path}", data)
        assert response.status_code == 403, (role, path)


def test_another_tenants_slug_and_ids_are_404(client, sides):
    sign_in(client, "hr_admin@a.example")
    own_pages = [path for _, path in pages(sides, sides.a)]
    for _, path in pages(sides, sides.b):
        assert client.get(f"/t/tenant-b{path}").status_code == 404, path
        if path not in own_pages:  # B's ids under A's slug: as if they did not exist
            assert client.get(f"/t/tenant-a{path}").status_code == 404, path
    own_posts = [path for _, path, _ in posts(sides.a)]
    for _, path, data in posts(sides.b):
        assert post_form(client, f"/t/tenant-b{path}", data).status_code == 404, path
        if path not in own_posts:
            assert post_form(client, f"/t/tenant-a{path}", data).status_code == 404, path


def test_another_agencys_admin_gets_404(client, sides):
    sign_in(client, "agency_admin@agency-b.example")
    for _, path in pages(sides, sides.a):
        assert client.get(f"/t/tenant-a{path}").status_code == 404, path


def test_a_consultant_without_assignment_gets_404(client, sides):
    sign_in(client, "consultant@agency-a.example")
    assert client.get("/t/tenant-a/departments/").status_code == 404
