"""Question templates in the browser: an HR admin starts a template from the Horeca preset,
adds a rating question in three languages, moves it with the keyboard, previews it in
French at phone width, publishes it, then edits it again and sees a new draft version while
the published one stays as it was."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)

QUESTION = {
    "en": ("How was the atmosphere in your team?", "Tense", "Warm and open"),
    "nl": ("Hoe was de sfeer in uw team?", "Gespannen", "Warm en open"),
    "fr": ("Comment était l'ambiance dans votre équipe ?", "Tendue", "Chaleureuse et ouverte"),
}


def _hr_admin_of(demo: dict, slug: str) -> str:
    for user in demo["users"]:
        if any(
            grant["scope"] == "tenant" and grant["slug"] == slug and grant["role"] == "hr_admin"
            for grant in user["roles"]
        ):
            return user["email"]
    raise AssertionError(f"no HR admin of {slug} in the demo data")


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # A first sign-in may offer a language choice: keep English.
    keep = page.get_by_role("button", name="Keep English")
    if keep.count():
        keep.click()


def _question_texts(page) -> list[str]:
    return page.locator(".questions .question-text").all_inner_texts()


def test_an_hr_admin_builds_previews_publishes_and_versions_a_template(open_page, live_server):
    page = open_page(locale="en-GB")
    _sign_in(page, _hr_admin_of(live_server.demo, "codeway"))
    page.goto("/t/codeway/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question templates")

    page.get_by_label("Name", exact=True).fill("Exit interview 2027")
    page.get_by_label("Start from", exact=True).select_option(
        label="Exit questionnaire: Hospitality"
    )
    for language in ("English", "Nederlands", "Français"):
        page.get_by_label(language, exact=True).check()
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_text("Template “Exit interview 2027” created as a draft.")).to_be_visible()
    expect(page.get_by_role("heading", name="Draft of version 1")).to_be_visible()
    before = _question_texts(page)
    assert len(before) > 10

    # A rating question, added and filled in without a page reload.
    page.get_by_label("Add a question", exact=True).select_option(label="Rating 1–5")
    page.get_by_role("button", name="Add question", exact=True).click()
    new = page.locator(".questions > li").last
    expect(new.locator("details")).to_have_attribute("open", "")
    expect(new.get_by_text("Missing: EN, FR, NL")).to_be_visible()
    for language, (text, low, high) in QUESTION.items():
        new.locator(f"textarea[name=text_{language}]").fill(text)
        new.locator(f"input[name=scale_low_{language}]").fill(low)
        new.locator(f"input[name=scale_high_{language}]").fill(high)
    new.get_by_label("Theme it probes (optional)").select_option(label="Team")
    new.get_by_role("button", name="Save question").click()
    expect(page.locator(".questions > li").last.locator(".question-text")).to_have_text(
        QUESTION["en"][0]
    )
    expect(page.locator(".questions > li").last.get_by_text("Missing:")).to_have_count(0)
    screenshot(page, "templates-01-editor")
    assert_accessible(page)

    # Reorder from the keyboard: focus "Move up" of the new question and press Enter twice.
    count = len(_question_texts(page))
    page.locator(".questions > li").last.get_by_role("button", name=re.compile("^Move up")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".questions .question-text").nth(count - 2)).to_have_text(QUESTION["en"][0])
    page.keyboard.press("Enter")  # the focus stayed on the moved question's button
    expect(page.locator(".questions .question-text").nth(count - 3)).to_have_text(QUESTION["en"][0])

    # The preview, in French, at phone width.
    page.get_by_role("link", name="Preview", exact=True).click()
    page.get_by_role("link", name="Français", exact=True).click()
    page_at_width(page, 375)
    frame = page.locator(".phone-frame")
    expect(frame).to_have_attribute("lang", "fr")
    expect(frame.get_by_text(QUESTION["fr"][0], exact=False)).to_be_visible()
    expect(frame.get_by_text("Chaleureuse et ouverte")).to_be_visible()
    expect(frame.get_by_role("button", name="Envoyer mes réponses")).to_be_disabled()
    assert_fits_width(page, 375)
    screenshot(page, "templates-02-preview-fr-phone")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=re.compile("Exit interview 2027")).click()

    # Publish, after the confirmation that says what freezing means: version 1 is frozen.
    page.get_by_role("link", name="Publish version 1").click()
    expect(page.get_by_text("can never change again")).to_be_visible()
    page.get_by_role("button", name="Publish and freeze").click()
    expect(page.get_by_text(re.compile("Version 1 of .* is published"))).to_be_visible()
    expect(page.get_by_role("button", name="Save question")).to_have_count(0)

    # Edit again: a draft of version 2; version 1 stays as it was.
    page.get_by_role("button", name="Edit (opens a new version)").click()
    expect(page.get_by_role("heading", name="Draft of version 2")).to_be_visible()
    moved = page.locator(".questions > li", has_text=QUESTION["en"][0])
    moved.get_by_role("link", name=re.compile("^Remove question")).click()
    expect(page.get_by_text(QUESTION["en"][0])).to_be_visible()  # named before it goes
    page.get_by_role("button", name="Remove the question").click()
    expect(page.locator(".questions", has_text=QUESTION["en"][0])).to_have_count(0)
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_text(QUESTION["nl"][0])).to_be_visible()
    screenshot(page, "templates-03-version-1")
