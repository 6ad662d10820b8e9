"""Open redirects: ``next`` after sign-in and after a language switch stays on this site.

Browsers read a backslash in a URL's path as a slash, so ``/\\evil.example`` is the
protocol-relative ``//evil.example``: another site.
"""

import pytest

from tests.accounts.conftest import post
from tests.conftest import csrf_token

OFFSITE = ["/\\evil.example", "/\\/evil.example", "//evil.example", "https://evil.example/"]


def _leaves_site(location: str) -> bool:
    normalised = location.replace("\\", "/")
    return normalised.startswith("//") or "evil.example" in normalised


@pytest.mark.parametrize("target", OFFSITE)
def test_sign_in_never_redirects_to_another_site(client, world, target):
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "hr@a.example", "password": "pw", "csrf_token": token},
    )
    assert response.status_code == 302
    assert not _leaves_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", OFFSITE)
def test_language_switch_never_redirects_to_another_site(client, target):
    response = post(client, "/language", {"language": "fr", "next": target})
    assert response.status_code == 302
    assert not _leaves_site(response.headers["Location"]), response.headers["Location"]


def test_a_path_on_this_site_is_kept(client, world):
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": "/t/tenant-a/departments/?q=x"},
        data={"email": "hr@a.example", "password": "pw", "csrf_token": token},
    )
    assert response.headers["Location"] == "/t/tenant-a/departments/?q=x"
