"""Errors are content-negotiated: a page, an htmx fragment or JSON."""

from tests.conftest import login, translated

# The world's tenants default to Dutch: their members read Dutch pages.
FORBIDDEN = "You do not have permission to open this page."


def test_html_error_page(client, world):
    login(client, "hr_admin@a.example")
    response = client.get("/t/tenant-b/")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "<html" in body
    assert "This page does not exist" in body


def test_json_error(client, world):
    login(client, "hr_admin@a.example")
    response = client.get("/t/tenant-b/", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404


def test_htmx_error_is_a_fragment(client, world):
    login(client, "member@a.example")
    response = client.get("/t/tenant-a/settings", headers={"HX-Request": "true"})
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert translated(FORBIDDEN, "nl") in body
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, world):
    login(client, "member@a.example")
    response = client.get(
        "/t/tenant-a/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, world):
    login(client, "hr_admin@a.example")
    response = client.post("/logout")
    assert response.status_code == 400
    # /logout is outside any tenant: the browser's language (none sent: English) applies.
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/t/tenant-a/").status_code == 200  # still signed in


def test_authenticated_pages_are_never_cached(client, world):
    login(client, "hr_admin@a.example")
    response = client.get("/t/tenant-a/departments/")
    assert response.headers["Cache-Control"] == "no-store"
    assert 'hx-history="false"' in response.get_data(as_text=True)
