"""A tenant's question templates: created from a preset, the agency's library or blank;
edited as a draft (htmx), published and frozen, new versions, archive, the default; bad
input refused with a clear message and nothing changed."""

import re

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.surveys import services
from service.surveys.document import from_json
from service.surveys.models import FrozenVersion, QuestionTemplate
from service.tenancy import tenant_scope
from tests.accounts.conftest import post, sign_in

BASE = "/t/tenant-a/templates/"
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(world):
    """These tests read the pages' English wording: everyone has chosen English."""
    from service.accounts.models import User

    db.session.execute(sa.update(User).values(preferred_language="en"))
    db.session.commit()


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    sign_in(client, "hr_admin@a.example")
    return client


def _create(client, name="Exit 2027", start="preset:retail", languages=("nl", "fr")):
    return post(
        client, BASE, {"name": name, "start": start, "languages": list(languages)}, token_from=BASE
    )


def _template(name):
    with tenant_scope(_tenant_id()):
        db.session.expire_all()
        return db.session.scalar(sa.select(QuestionTemplate).where(QuestionTemplate.name == name))


def _tenant_id():
    from service.tenants.models import Tenant

    return db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "tenant-a"))


def _versions(template):
    with tenant_scope(template.tenant_id):
        db.session.expire_all()
        return services.versions_of(template)


def _draft(template):
    return [v for v in _versions(template) if v.is_draft][0]


def _doc(version):
    return from_json(version.document)


def test_a_template_from_the_sector_preset_is_a_draft_in_the_chosen_languages(admin, world):
    response = _create(admin)
    assert response.status_code == 302
    template = _template("Exit 2027")
    assert template.origin.startswith("preset:retail@")
    (draft,) = _versions(template)
    assert draft.is_draft
    document = _doc(draft)
    assert document.languages == ("nl", "fr")
    assert all(set(q.text) == {"nl", "fr"} for q in document.questions)
    assert len(document.questions) > 10  # the core questions and the retail pack
    concerns = {q.key: q.concern for q in document.questions if q.type.value == "yes_no"}
    assert concerns == {"pay_factor": None, "roster_changes": None, "aggression_support": "no"}
    page = admin.get(response.location).get_data(as_text=True)
    assert "Draft of version 1" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name."),
        ({"name": "x" * 121}, "at most 120 characters"),
        ({"languages": []}, "Choose at least one language."),
        ({"languages": ["en"]}, "Choose among the company"),
        ({"start": "preset:nope"}, "Choose where the template starts from."),
    ],
)
def test_a_bad_new_template_is_refused_and_nothing_is_written(admin, world, fields, message):
    data = {"name": "Bad", "start": "preset:core", "languages": ["nl"], **fields}
    response = post(admin, BASE, data, token_from=BASE)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    with tenant_scope(world.a.tenant.id):
        names = set(db.session.scalars(sa.select(QuestionTemplate.name)))
    assert names == {"Exit questions"}


def _editor_post(client, template, path, data, **kwargs):
    url = f"{BASE}{template.id}{path}"
    return post(client, url, data, token_from=f"{BASE}{template.id}", **kwargs)


def test_questions_are_added_edited_moved_and_removed_without_a_reload(admin, world):
    template = world.a.objects["template"]
    revision = _draft(template).revision
    added = _editor_post(
        admin, template, "/questions", {"kind": "rating", "revision": revision}, headers=HX
    )
    assert added.status_code == 200
    assert "<html" not in added.get_data(as_text=True)
    document = _doc(_draft(template))
    new_key = document.questions[-1].key
    assert document.questions[-1].type.value == "rating"

    fields = {
        "revision": revision + 1,
        "text_nl": "Hoe was de sfeer?",
        "text_fr": "Comment était l'ambiance ?",
        "scale_low_nl": "Slecht",
        "scale_high_nl": "Uitstekend",
        "scale_low_fr": "Mauvaise",
        "scale_high_fr": "Excellente",
        "theme": "culture",
        "required": "on",
    }
    saved = _editor_post(admin, template, f"/questions/{new_key}", fields, headers=HX)
    assert saved.status_code == 200
    question = _doc(_draft(template)).questions[-1]
    assert question.text["fr"] == "Comment était l'ambiance ?"
    assert question.theme == "culture"
    assert question.required

    moved = _editor_post(
        admin,
        template,
        f"/questions/{new_key}/move",
        {"revision": revision + 2, "direction": "up"},
        headers=HX,
    )
    assert moved.status_code == 200
    assert _doc(_draft(template)).questions[0].key == new_key

    removed = _editor_post(
        admin, template, f"/questions/{new_key}/remove", {"revision": revision + 3}
    )
    assert removed.status_code == 302  # without htmx: back to the page
    assert [q.key for q in _doc(_draft(template)).questions] == ["pay"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text_nl": "x" * 1001}, "text_nl", "Shorten this text to 1000 characters (it has 1001)."),
        ({"theme": "salary"}, "theme", "Choose a theme from the list."),
        ({"concern": "maybe"}, "concern", "Choose yes or no as the answer that is a concern."),
    ],
)
def test_a_bad_question_is_refused_and_the_draft_unchanged(admin, world, fields, field, message):
    template = world.a.objects["template"]
    before = _draft(template)
    data = {"revision": before.revision, "text_nl": "Loon?", "text_fr": "Salaire ?", **fields}
    response = _editor_post(admin, template, "/questions/pay", data, headers=HX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    after = _draft(template)
    assert after.revision == before.revision
    assert after.document == before.document


def test_a_yes_no_question_with_a_theme_says_which_answer_is_a_concern(admin, world):
    template = world.a.objects["template"]
    revision = _draft(template).revision
    page = admin.get(f"{BASE}{template.id}").get_data(as_text=True)
    assert "Which answer is a concern?" in page
    assert page.count('name="concern"') == 1  # the yes/no question "pay" has a theme
    assert '<option value="yes" selected>' in page  # "yes" by default

    fields = {"text_nl": "Kon u uw pauzes nemen?", "text_fr": "Pauses ?", "theme": "workload"}
    data = {"revision": revision, **fields, "concern": "no"}
    saved = _editor_post(admin, template, "/questions/pay", data, headers=HX)
    assert saved.status_code == 200
    assert '<option value="no" selected>' in saved.get_data(as_text=True)
    assert _doc(_draft(template)).questions[0].concern == "no"

    # Saved again as the form shows it, the concern stays; without a theme it is not asked.
    data = {"revision": revision + 1, **fields, "concern": "no", "required": "on"}
    _editor_post(admin, template, "/questions/pay", data, headers=HX)
    assert _doc(_draft(template)).questions[0].concern == "no"
    data = {"revision": revision + 2, **fields, "theme": "", "concern": "no"}
    unthemed = _editor_post(admin, template, "/questions/pay", data, headers=HX)
    assert 'name="concern"' not in unthemed.get_data(as_text=True)

    added = _editor_post(
        admin, template, "/questions", {"kind": "rating", "revision": revision + 3}
    )
    assert added.status_code == 302
    rating = _doc(_draft(template)).questions[-1].key
    data = {"revision": revision + 4, "text_nl": "Sfeer?", "concern": "no"}
    _editor_post(admin, template, f"/questions/{rating}", data, headers=HX)
    assert _doc(_draft(template)).questions[-1].concern is None  # only a yes/no question has one
    data = {"revision": revision + 5, "text_nl": "Sfeer?", "concern": "maybe"}
    refused = _editor_post(admin, template, f"/questions/{rating}", data, headers=HX)
    assert refused.status_code == 422
    assert "Choose yes or no as the answer that is a concern." in refused.get_data(as_text=True)


def _choice_question(admin, template):
    revision = _draft(template).revision
    _editor_post(admin, template, "/questions", {"kind": "single_choice", "revision": revision})
    key = _doc(_draft(template)).questions[-1].key
    return key, revision + 1


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["Alleen één"], "between 2 and 20 choices"),
        ([f"Keuze {n}" for n in range(21)], "between 2 and 20 choices"),
        (["Ja", "ja "], "Two choices have the same text."),
    ],
)
def test_choices_must_be_two_to_twenty_and_distinct(admin, world, lines, message):
    template = world.a.objects["template"]
    key, revision = _choice_question(admin, template)
    data = {"revision": revision, "text_nl": "Waarom?", "choices_nl": "\n".join(lines)}
    response = _editor_post(admin, template, f"/questions/{key}", data, headers=HX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _draft(template).revision == revision


def test_the_later_of_two_saves_on_one_revision_is_told_it_is_stale(admin, app, world):
    template = world.a.objects["template"]
    revision = _draft(template).revision
    other = app.test_client()
    sign_in(other, "agency_admin@agency-a.example")
    first = {"revision": revision, "text_nl": "Eerste versie", "text_fr": "Première"}
    assert _editor_post(admin, template, "/questions/pay", first, headers=HX).status_code == 200
    second = {"revision": revision, "text_nl": "Tweede versie", "text_fr": "Seconde"}
    stale = _editor_post(other, template, "/questions/pay", second, headers=HX)
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "your change was not saved" in body
    assert "Eerste versie" in body  # the current state is shown
    assert _doc(_draft(template)).questions[0].text["nl"] == "Eerste versie"


def test_publishing_needs_every_language_and_then_freezes_the_version(admin, world):
    template = world.a.objects["template"]
    draft = _draft(template)
    revision = draft.revision
    missing = {"revision": revision, "text_nl": "Loon?", "text_fr": ""}
    assert _editor_post(admin, template, "/questions/pay", missing).status_code == 302
    refused = _editor_post(admin, template, "/publish", {"revision": revision + 1})
    assert refused.status_code == 422
    assert "cannot be published yet" in refused.get_data(as_text=True)
    assert _draft(template).is_draft

    complete = {"revision": revision + 1, "text_nl": "Loon?", "text_fr": "Salaire ?"}
    _editor_post(admin, template, "/questions/pay", complete)
    assert _editor_post(admin, template, "/publish", {"revision": revision + 2}).status_code == 302
    published = [v for v in _versions(template) if v.number == draft.number][0]
    assert not published.is_draft
    assert all(not v.is_draft for v in _versions(template))

    # No route changes it: the editor has no draft to work on.
    forged = {"revision": published.revision, "text_nl": "Gewijzigd", "text_fr": "Changé"}
    assert _editor_post(admin, template, "/questions/pay", forged).status_code == 404


def test_a_published_version_cannot_change_by_any_service_call_or_write(world):
    template = world.a.objects["template"]
    with tenant_scope(world.a.tenant.id):
        published = services.version_or_404(template, 1)
        with pytest.raises(services.Refused):
            services.apply_edit(published, published.revision, lambda document: document)
        published.document = {"format": 1, "languages": ["nl"], "questions": []}
        with pytest.raises(FrozenVersion):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError):  # the database trigger, behind the ORM
            db.session.execute(
                sa.text("UPDATE template_versions SET number = 99 WHERE id = :id"),
                {"id": published.id},
            )
        db.session.rollback()
        assert services.version_or_404(template, 1).number == 1


def test_editing_a_published_template_opens_a_new_version_and_keeps_the_old(admin, world):
    template = world.a.objects["template"]
    _editor_post(admin, template, "/discard", {})
    assert [v.number for v in _versions(template)] == [1]
    assert _editor_post(admin, template, "/draft", {}).status_code == 302
    draft = _draft(template)
    assert draft.number == 2
    change = {"revision": draft.revision, "text_nl": "Nieuwe tekst", "text_fr": "Nouveau"}
    _editor_post(admin, template, "/questions/pay", change)
    version_1 = admin.get(f"{BASE}{template.id}/versions/1").get_data(as_text=True)
    assert "Speelde het loon mee?" in version_1
    assert "Nieuwe tekst" not in version_1
    assert _doc(_draft(template)).questions[0].text["nl"] == "Nieuwe tekst"


def test_default_and_archive(admin, world):
    template = world.a.objects["template"]
    assert _editor_post(admin, template, "/default", {}).status_code == 302
    assert _template("Exit questions").is_default
    refused = _editor_post(admin, template, "/archive", {})
    assert refused.status_code == 422
    assert "another default" in refused.get_data(as_text=True)

    _create(admin, name="Draft only", start="blank")
    draft_only = _template("Draft only")
    refused = _editor_post(admin, draft_only, "/default", {})
    assert refused.status_code == 422
    assert "Only a published, active template" in refused.get_data(as_text=True)
    with tenant_scope(world.a.tenant.id):
        defaults = db.session.scalar(
            sa.select(sa.func.count()).where(QuestionTemplate.is_default.is_(True))
        )
    assert defaults == 1


def test_a_template_referred_to_is_archived_never_deleted(admin, world):
    template = world.a.objects["template"]
    refused = _editor_post(admin, template, "/delete", {})
    assert refused.status_code == 422
    assert _template("Exit questions") is not None
    assert _editor_post(admin, template, "/archive", {}).status_code == 302
    assert _template("Exit questions").archived_at is not None
    page = admin.get(BASE).get_data(as_text=True)
    assert "Archived" in page


def test_text_is_shown_escaped_everywhere(admin, world):
    template = world.a.objects["template"]
    revision = _draft(template).revision
    hostile = {"revision": revision, "text_nl": "<script>alert(1)</script>", "text_fr": "<b>x</b>"}
    _editor_post(admin, template, "/questions/pay", hostile)
    for path in ("", "/preview?lang=nl", "/preview?lang=fr"):
        body = admin.get(f"{BASE}{template.id}{path}").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "<b>x</b>" not in body


def test_the_preview_speaks_the_questionnaire_language(admin, world):
    template = world.a.objects["template"]
    page = admin.get(f"{BASE}{template.id}/preview?lang=fr").get_data(as_text=True)
    assert "Le salaire a-t-il joué ?" in page
    assert 'class="phone-frame" lang="fr"' in page


def test_another_tenants_template_is_not_found(admin, world):
    other = world.b.objects["template"]
    assert admin.get(f"{BASE}{other.id}").status_code == 404
    response = post(admin, f"{BASE}{other.id}/publish", {"revision": 1}, token_from=BASE)
    assert response.status_code == 404


def test_who_sees_the_templates(app, world):
    for email, status in (
        ("hr@a.example", 200),
        ("interviewer@a.example", 200),
        ("leadership@a.example", 403),
        ("member@a.example", 403),
    ):
        client = app.test_client()
        sign_in(client, email)
        assert client.get(BASE).status_code == status, email
    hr = app.test_client()
    sign_in(hr, "hr@a.example")
    page = hr.get(f"{BASE}{world.a.objects['template'].id}").get_data(as_text=True)
    assert "Save question" not in page  # reading, not editing
    assert _create(hr).status_code == 403


def test_a_client_starts_from_its_agencys_library(admin, world):
    library = world.a.objects["library_template"]
    [pay] = library.document["questions"]
    library.document = {**library.document, "questions": [{**pay, "concern": "no"}]}
    db.session.commit()
    response = _create(admin, name="From the agency", start=f"agency:{library.id}")
    assert response.status_code == 302
    template = _template("From the agency")
    assert template.origin == f"agency:{library.name}"
    [question] = _doc(_versions(template)[0]).questions
    assert (question.key, question.concern) == ("pay", "no")
    foreign = world.b.objects["library_template"]
    refused = _create(admin, name="Foreign", start=f"agency:{foreign.id}")
    assert refused.status_code == 422


def test_the_list_marks_drafts_and_versions(admin, world):
    page = admin.get(BASE).get_data(as_text=True)
    assert re.search(r"Version 1", page)
    assert "Published, new draft open" in page


def test_destructive_template_actions_ask_first_and_change_nothing(admin, world):
    template = world.a.objects["template"]
    before = _draft(template)
    for path, words in (
        ("/publish", "can never change again"),
        ("/discard", "Every change made in this draft is lost."),
        ("/archive", "choose Restore"),
        ("/questions/pay/remove", "Speelde het loon mee?"),
    ):
        page = admin.get(f"{BASE}{template.id}{path}")
        assert page.status_code == 200, path
        assert words in page.get_data(as_text=True).replace("&#34;", '"'), path
    after = _draft(template)
    assert (after.revision, after.document, after.published_at) == (
        before.revision,
        before.document,
        None,
    )
    assert _template("Exit questions").archived_at is None
