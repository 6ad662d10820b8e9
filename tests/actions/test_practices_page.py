"""The good-practice page: the catalogue in the reader's language, for the company's sector,
filtered by theme in the address, each practice a link to the new-action form filled in."""

import html
from urllib.parse import parse_qs, urlsplit

from tests.conftest import login
from tests.tenants.helpers import sign_in, text


def start_links(page: str) -> list[dict]:
    links = []
    for href in html.unescape(page).split('href="')[1:]:
        url = href.split('"', 1)[0]
        if "/actions/new?" in url:
            links.append(parse_qs(urlsplit(url).query))
    return links


def test_hr_reads_the_catalogue_for_its_sector_and_starts_an_action_from_it(client, world):
    sign_in(client, "hr@a.example")  # reads English; tenant A is a retailer
    page = text(client.get("/t/tenant-a/actions/practices"))
    assert "Update the onboarding material" in page
    assert "Benchmark pay against the PC 311 scales" in page
    assert "PC 302" not in page  # the hospitality benchmark is for hospitality
    assert page.index("Pay and benefits") < page.index("Workload")  # taxonomy order
    onboarding = next(
        link for link in start_links(page) if link["title"] == ["Update the onboarding material"]
    )
    assert onboarding["themes"] == ["training"]
    assert onboarding["description"][0].startswith("Go through the welcome booklet")


def test_the_theme_filter_is_kept_in_the_address(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get("/t/tenant-a/actions/practices?theme=workload"))
    assert "Review the shift roster" in page
    assert "Update the onboarding material" not in page
    assert '<option value="workload" selected>' in page
    links = start_links(page)
    assert links
    assert all("workload" in link["themes"] for link in links)
    everything = text(client.get("/t/tenant-a/actions/practices?theme=parking"))
    assert "Update the onboarding material" in everything  # an unknown theme: the whole list


def test_the_catalogue_reads_in_dutch_and_french(client, world):
    client.set_cookie("exitloop_lang", "nl")
    login(client, "hr@a.example")
    dutch = text(client.get("/t/tenant-a/actions/practices"))
    assert "Goede praktijken" in dutch
    assert "Het onthaalmateriaal bijwerken" in dutch
    assert any(link["title"] == ["Het onthaalmateriaal bijwerken"] for link in start_links(dutch))
    client.set_cookie("exitloop_lang", "fr")
    french = text(client.get("/t/tenant-a/actions/practices")).replace("&#39;", "'")
    assert "Bonnes pratiques" in french
    assert "Mettre à jour le matériel d'accueil" in french
