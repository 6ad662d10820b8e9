"""The questionnaire document: its rules, each at its limit and just over it, and JSON."""

import json
from dataclasses import FrozenInstanceError, replace

import pytest
from flask_babel import force_locale

from service.surveys.document import (
    MAX_CHOICE_LABEL,
    MAX_CHOICES,
    MAX_HELP,
    MAX_KEY,
    MAX_QUESTIONS,
    MAX_SCALE_LABEL,
    MAX_TEXT,
    MIN_CHOICES,
    Choice,
    Question,
    Questionnaire,
    QuestionRole,
    QuestionType,
    Severity,
    Texts,
    for_languages,
    from_json,
    is_complete,
    is_valid,
    missing_translations,
    problems,
    to_json,
)
from service.surveys.themes import THEME_KEYS

LANGUAGES = ("nl", "fr", "en")


def texts(base: str) -> dict[str, str]:
    return {code: f"{base} ({code})" for code in LANGUAGES}


def choices(count: int) -> tuple[Choice, ...]:
    return tuple(Choice(key=f"c{n}", label=texts(f"Choice {n}")) for n in range(count))


def question(key: str = "q", type: str = "free_text", **changes) -> Question:
    fields = {"key": key, "type": type, "required": False, "text": texts(f"Question {key}")}
    if type == "rating":
        fields |= {"scale_low": texts("Low"), "scale_high": texts("High")}
    if type in ("single_choice", "multiple_choice"):
        fields["choices"] = choices(3)
    return Question(**(fields | changes))


def document(*questions: Question, languages=LANGUAGES) -> Questionnaire:
    return Questionnaire(languages=languages, questions=questions or (question(),))


def found(doc: Questionnaire) -> set[tuple]:
    """What is wrong, as (question, field, language, severity)."""
    return {(p.question, p.field, p.language, p.severity) for p in problems(doc)}


def invalid(question_key, field, language=None) -> tuple:
    return (question_key, field, language, Severity.INVALID)


def incomplete(question_key, field, language) -> tuple:
    return (question_key, field, language, Severity.INCOMPLETE)


def test_a_complete_document_of_every_type_has_no_problem():
    doc = document(*(question(f"q_{kind.value}", kind.value) for kind in QuestionType))
    assert problems(doc) == []
    assert is_valid(doc)
    assert is_complete(doc)
    assert missing_translations(doc) == {}


# --- Texts --------------------------------------------------------------------------------


def test_texts_are_trimmed_line_breaks_normalised_and_blanks_dropped():
    cleaned = Texts({"nl": "  Waarom?\r\nEcht \r", "fr": " \n\t ", "en": "Why?"})
    assert cleaned == {"nl": "Waarom?\nEcht", "en": "Why?"}
    assert "fr" not in cleaned


def test_texts_keep_html_as_typed():
    typed = '<b>Bold</b> & <script>alert("x")</script>'
    doc = document(question(text=dict.fromkeys(LANGUAGES, typed)))
    assert doc.questions[0].text["nl"] == typed
    assert problems(doc) == []


def test_documents_are_immutable_and_hashable():
    doc = document(question("a", "single_choice"))
    with pytest.raises(FrozenInstanceError):
        doc.questions[0].key = "b"
    with pytest.raises(TypeError):
        doc.questions[0].text["nl"] = "changed"
    with pytest.raises(AttributeError):
        doc.questions[0].text._pairs = ()
    assert hash(doc) == hash(from_json(to_json(doc)))
    assert len({doc, from_json(to_json(doc))}) == 1


def test_question_converts_plain_values_and_refuses_an_unknown_type():
    built = Question(key="q", type="enps", required=True, text={"nl": "x"}, role="enps")
    assert built.type is QuestionType.ENPS
    assert built.role is QuestionRole.ENPS
    assert isinstance(built.text, Texts)
    with pytest.raises(ValueError, match="date"):
        Question(key="q", type="date", required=True, text={})


# --- JSON ---------------------------------------------------------------------------------


def test_json_round_trip_is_exact():
    doc = Questionnaire(
        languages=("nl", "fr"),
        questions=(
            question("rate", "rating", required=True, theme="workload", help={"nl": "Hulp"}),
            question("pick", "multiple_choice", theme="conditions"),
            question("come", "single_choice", role="come_back"),
            question("rec", "enps", role="enps"),
            question("open", "free_text", text={"nl": "Regel 1\nRegel 2", "fr": "<i>x</i>"}),
            question("breaks", "yes_no", theme="workload", concern="no"),
        ),
    )
    stored = json.loads(json.dumps(to_json(doc)))  # what the database gives back
    assert from_json(stored) == doc
    assert to_json(from_json(stored)) == stored
    assert stored["questions"][0] == {
        "key": "rate",
        "type": "rating",
        "required": True,
        "text": {
            "en": "Question rate (en)",
            "fr": "Question rate (fr)",
            "nl": "Question rate (nl)",
        },
        "help": {"nl": "Hulp"},
        "choices": [],
        "scale_low": {"en": "Low (en)", "fr": "Low (fr)", "nl": "Low (nl)"},
        "scale_high": {"en": "High (en)", "fr": "High (fr)", "nl": "High (nl)"},
        "theme": "workload",
        "role": None,
        "concern": None,
    }
    assert stored["questions"][-1]["concern"] == "no"


def test_json_written_before_concern_reads_with_the_default():
    doc = document(question("pay", "yes_no", theme="compensation"), question("open"))
    stored = to_json(doc)
    for data in stored["questions"]:
        del data["concern"]  # as every document stored before the key was added
    assert from_json(stored) == doc
    assert all(q.concern is None for q in from_json(stored).questions)
    with_no = to_json(document(question("breaks", "yes_no", theme="workload", concern="no")))
    assert from_json(with_no).questions[0].concern == "no"


def test_json_keeps_a_document_that_breaks_rules_for_problems_to_report():
    broken = document(question("Bad Key", theme="weather"))
    assert from_json(to_json(broken)) == broken


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data.update(format=2), "format"),
        (lambda data: data.pop("languages"), "missing"),
        (lambda data: data["questions"][0].update(colour="red"), "unknown"),
        (lambda data: data["questions"][0].update(type="date"), "date"),
        (lambda data: data["questions"][0].update(role="boss"), "boss"),
        (lambda data: data["questions"][0].update(concern=True), "concern"),
        (lambda data: data["questions"][0].update(required="yes"), "boolean"),
        (lambda data: data["questions"][0].update(text={"nl": 3}), "strings"),
        (lambda data: data["questions"][0].update(text=["nl"]), "object"),
        (lambda data: data.update(questions={}), "list"),
    ],
)
def test_json_refuses_a_structurally_broken_document(damage, message):
    data = to_json(document())
    damage(data)
    with pytest.raises(ValueError, match=message):
        from_json(data)


# --- Limits, each at the limit and just over it --------------------------------------------


def test_the_limits_are_those_the_product_promises():
    assert (MAX_TEXT, MAX_HELP, MAX_CHOICE_LABEL, MAX_SCALE_LABEL) == (1000, 1000, 200, 100)
    assert (MIN_CHOICES, MAX_CHOICES, MAX_QUESTIONS, MAX_KEY) == (2, 20, 60, 40)


def with_nl(base: str, text: str) -> dict[str, str]:
    return texts(base) | {"nl": text}


LONG_TEXTS = {
    "text": (MAX_TEXT, lambda t: question(text=with_nl("Q", t))),
    "help": (MAX_HELP, lambda t: question(help=with_nl("Help", t))),
    "scale_low": (MAX_SCALE_LABEL, lambda t: question(type="rating", scale_low=with_nl("L", t))),
    "scale_high": (MAX_SCALE_LABEL, lambda t: question(type="rating", scale_high=with_nl("H", t))),
    "choice_label": (
        MAX_CHOICE_LABEL,
        lambda t: question(
            type="single_choice", choices=(*choices(2), Choice("long", with_nl("L", t)))
        ),
    ),
}


@pytest.mark.parametrize("field", LONG_TEXTS)
def test_text_lengths(field):
    limit, make = LONG_TEXTS[field]
    assert problems(document(make("é" * limit))) == []
    [problem] = problems(document(make("é" * (limit + 1))))
    assert (problem.question, problem.field, problem.language) == ("q", field, "nl")
    assert problem.severity is Severity.INVALID
    assert problem.params == {"limit": limit, "length": limit + 1}


def test_length_is_counted_after_trimming():
    padded = "  " + "x" * MAX_TEXT + "\n"
    assert problems(document(question(text=texts("Q") | {"nl": padded}))) == []


@pytest.mark.parametrize("kind", ["single_choice", "multiple_choice"])
def test_a_choice_question_has_2_to_20_choices(kind):
    for count in (MIN_CHOICES, MAX_CHOICES):
        assert problems(document(question(type=kind, choices=choices(count)))) == []
    for count in (0, MIN_CHOICES - 1, MAX_CHOICES + 1):
        [problem] = problems(document(question(type=kind, choices=choices(count))))
        assert (problem.field, problem.severity) == ("choices", Severity.INVALID)
        assert problem.params["count"] == count


def test_at_most_60_questions():
    at_limit = [question(f"q{n}") for n in range(MAX_QUESTIONS)]
    assert problems(document(*at_limit)) == []
    over = document(*at_limit, question("one_more"))
    assert found(over) == {invalid(None, "questions")}


def test_no_question_yet_is_incomplete_not_invalid():
    blank = Questionnaire(languages=LANGUAGES, questions=())
    assert found(blank) == {(None, "questions", None, Severity.INCOMPLETE)}
    assert is_valid(blank)
    assert not is_complete(blank)


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("a", True),
        ("x" * MAX_KEY, True),
        ("reason_2", True),
        ("x" * (MAX_KEY + 1), False),
        ("", False),
        ("Reason", False),
        ("why-leaving", False),
        ("why leaving", False),
        ("reason\n", False),
        ("één", False),
        (None, False),
    ],
)
def test_question_and_choice_keys(key, ok):
    keyed = document(question(key))
    assert (found(keyed) == set()) is ok
    if not ok:
        assert found(keyed) == {invalid(key, "key")}
    choice_keyed = document(
        question(type="single_choice", choices=(*choices(2), Choice(key, texts("x"))))
    )
    assert (found(choice_keyed) == set()) is ok
    if not ok:
        [problem] = problems(choice_keyed)
        assert (problem.field, problem.choice) == ("choice_key", 2)


def test_question_keys_are_unique():
    doc = document(question("a"), question("b"), question("a"))
    [problem] = problems(doc)
    assert (problem.question, problem.field) == ("a", "key")
    assert problem.message == "Another question already uses this key."


def test_choice_keys_are_unique():
    twice = (*choices(2), Choice("c0", texts("Another")))
    [problem] = problems(document(question(type="single_choice", choices=twice)))
    assert (problem.field, problem.choice, problem.language) == ("choice_key", 2, None)


def test_choice_labels_are_unique_per_language_ignoring_case_and_spaces():
    same_in_french = (
        Choice("yes", {"nl": "Ja", "fr": "Oui", "en": "Yes"}),
        Choice("sure", {"nl": "Zeker", "fr": "  OUI ", "en": "Sure"}),
    )
    [problem] = problems(document(question(type="single_choice", choices=same_in_french)))
    assert (problem.field, problem.choice, problem.language) == ("choice_label", 1, "fr")
    # The same word in two languages is no duplicate.
    across = (
        Choice("team", {"nl": "Team", "fr": "Équipe", "en": "Team"}),
        Choice("pay", {"nl": "Loon", "fr": "Salaire", "en": "Pay"}),
    )
    assert problems(document(question(type="single_choice", choices=across))) == []


@pytest.mark.parametrize("kind", ["free_text", "rating", "yes_no", "enps"])
def test_only_choice_questions_have_choices(kind):
    doc = document(question(type=kind, choices=choices(2)))
    assert found(doc) == {invalid("q", "choices")}


@pytest.mark.parametrize("kind", ["free_text", "yes_no", "single_choice", "enps"])
def test_only_ratings_have_labelled_ends(kind):
    doc = document(question(type=kind, scale_low=texts("Low"), scale_high=texts("High")))
    assert found(doc) == {invalid("q", "scale_low"), invalid("q", "scale_high")}


def test_a_rating_needs_both_ends_in_every_language():
    doc = document(question(type="rating", scale_low={}, scale_high=texts("High") | {"en": ""}))
    assert found(doc) == {
        incomplete("q", "scale_low", "nl"),
        incomplete("q", "scale_low", "fr"),
        incomplete("q", "scale_low", "en"),
        incomplete("q", "scale_high", "en"),
    }
    assert is_valid(doc)
    assert not is_complete(doc)


def test_theme_is_none_or_a_taxonomy_key():
    for theme in (None, *THEME_KEYS):
        assert problems(document(question(theme=theme))) == []
    for theme in ("pay", "", "Workload"):
        assert found(document(question(theme=theme))) == {invalid("q", "theme")}


@pytest.mark.parametrize(
    ("role", "kind", "ok"),
    [
        ("enps", "enps", True),
        ("enps", "rating", False),
        ("enps", "single_choice", False),
        ("come_back", "yes_no", True),
        ("come_back", "single_choice", True),
        ("come_back", "multiple_choice", False),
        ("come_back", "rating", False),
        ("come_back", "free_text", False),
    ],
)
def test_a_role_fits_its_question_type(role, kind, ok):
    doc = document(question(type=kind, role=role))
    assert found(doc) == (set() if ok else {invalid("q", "role")})


@pytest.mark.parametrize(
    ("kind", "concern", "ok"),
    [
        ("yes_no", None, True),
        ("yes_no", "yes", True),
        ("yes_no", "no", True),
        ("yes_no", "maybe", False),
        ("yes_no", "", False),
        ("yes_no", "No", False),
        ("rating", "no", False),
        ("single_choice", "yes", False),
        ("free_text", "no", False),
        ("rating", None, True),
    ],
)
def test_a_concern_is_yes_or_no_on_a_yes_no_question(kind, concern, ok):
    doc = document(question(type=kind, theme="workload", concern=concern))
    assert found(doc) == (set() if ok else {invalid("q", "concern")})


@pytest.mark.parametrize(("role", "kind"), [("enps", "enps"), ("come_back", "yes_no")])
def test_at_most_one_question_per_role(role, kind):
    once = document(question("a", kind, role=role), question("b", kind))
    assert problems(once) == []
    twice = document(question("a", kind, role=role), question("b", kind, role=role))
    assert found(twice) == {invalid("b", "role")}


@pytest.mark.parametrize(
    ("languages", "ok"),
    [
        (("nl",), True),
        (("fr", "en"), True),
        (("nl", "fr", "en"), True),
        ((), False),
        (("de",), False),
        (("nl", "NL"), False),
        (("nl", "nl"), False),
    ],
)
def test_languages_are_a_non_empty_subset_of_nl_fr_en(languages, ok):
    doc = for_languages(document(), languages)
    document_level = {p for p in found(doc) if p[0] is None}
    assert (document_level == set()) is ok
    assert all(p[1] == "languages" for p in document_level)


def test_a_text_in_a_language_the_document_does_not_use_is_invalid():
    doc = document(
        question(help={"nl": "Hulp", "fr": "Aide", "de": "Hilfe"}), languages=("nl", "fr")
    )
    assert invalid("q", "help", "de") in found(doc)


# --- Completeness -------------------------------------------------------------------------


def test_a_missing_translation_makes_a_draft_incomplete_not_invalid():
    doc = document(
        question("a", text=texts("A") | {"fr": "  "}),
        question("b", "single_choice", choices=(*choices(2), Choice("c9", {"nl": "Negen"}))),
        question("c"),
    )
    assert found(doc) == {
        incomplete("a", "text", "fr"),
        incomplete("b", "choice_label", "fr"),
        incomplete("b", "choice_label", "en"),
    }
    assert missing_translations(doc) == {"a": {"fr"}, "b": {"fr", "en"}}
    assert is_valid(doc)
    assert not is_complete(doc)
    assert is_complete(for_languages(doc, ("nl",)))


def test_help_is_optional_but_once_given_it_is_given_in_every_language():
    assert problems(document(question(help={}))) == []
    doc = document(question(help={"nl": "Hulp"}))
    assert missing_translations(doc) == {"q": {"fr", "en"}}


def test_a_question_without_any_text_is_incomplete():
    doc = document(question(text={}))
    assert missing_translations(doc) == {"q": {"nl", "fr", "en"}}
    assert is_valid(doc)


# --- Control characters -------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused(character):
    doc = document(question(text=texts("Q") | {"fr": f"Pourquoi{character} ?"}))
    assert found(doc) == {invalid("q", "text", "fr")}
    assert problems(doc)[0].message == "Remove the control characters from this text."


def test_newlines_and_tabs_are_text():
    doc = document(question(text=texts("Q") | {"fr": "Ligne 1\r\n\tLigne 2"}))
    assert problems(doc) == []
    assert doc.questions[0].text["fr"] == "Ligne 1\n\tLigne 2"


# --- Helpers for the editor -----------------------------------------------------------------


def test_for_languages_keeps_only_the_chosen_languages():
    doc = document(question("r", "rating", help=texts("Help")), question("c", "single_choice"))
    french = for_languages(doc, ["fr"])
    assert french.languages == ("fr",)
    assert french.questions[0].text == {"fr": "Question r (fr)"}
    assert french.questions[0].scale_low == {"fr": "Low (fr)"}
    assert french.questions[1].choices[0].label == {"fr": "Choice 0 (fr)"}
    assert replace(french, languages=LANGUAGES) != doc
    assert problems(french) == []


def test_problems_read_in_the_readers_language(catalogs):
    doc = document(question(type="single_choice", choices=choices(1)))
    [problem] = problems(doc)
    with force_locale("fr"):
        assert problem.translated() == "Une question à choix doit proposer entre 2 et 20 choix."
    with force_locale("nl"):
        assert problem.translated() == "Een keuzevraag heeft 2 tot 20 keuzes nodig."
    with force_locale("en"):
        assert problem.translated() == "A choice question needs between 2 and 20 choices."
