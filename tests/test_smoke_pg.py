from tests.conftest import login


def test_tenant_home_after_login(client, world):
    login(client, "hr_admin@a.example")
    page = client.get("/t/tenant-a/")
    assert page.status_code == 200
    assert "Tenant A" in page.get_data(as_text=True)


def test_home_shows_structure_only_to_roles_that_may_open_it(client, world):
    login(client, "interviewer@a.example")
    page = client.get("/t/tenant-a/").get_data(as_text=True)
    assert "/t/tenant-a/departments/" not in page
