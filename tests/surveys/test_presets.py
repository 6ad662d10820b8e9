"""The presets shipped with Exitloop: complete in nl, fr and en, valid, composed with core."""

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from service.surveys import presets as presets_module
from service.surveys.document import (
    QuestionRole,
    QuestionType,
    Texts,
    is_complete,
    problems,
)
from service.surveys.presets import CORE, PresetError, load_presets, preset_for_sector
from service.surveys.themes import THEME_KEYS
from service.tenants.models import Sector

PRESETS = load_presets()
PACKS = [key for key in PRESETS if key != CORE]
LANGUAGES = ("nl", "fr", "en")


def all_texts(preset) -> list[tuple[str, Texts]]:
    """Every text of a preset, with where it is."""
    found = [("name", preset.name), ("description", preset.description)]
    for question in preset.questionnaire.questions:
        found += [(f"{question.key} text", question.text), (f"{question.key} help", question.help)]
        found += [(f"{question.key} scale", question.scale_low)]
        found += [(f"{question.key} scale", question.scale_high)]
        found += [(f"{question.key} {c.key}", c.label) for c in question.choices]
    return [(where, texts) for where, texts in found if texts]


def test_there_is_core_and_one_pack_per_sector():
    assert list(PRESETS) == ["core", "horeca", "hr", "it", "marketing_sales", "retail"]
    assert {PRESETS[key].sector for key in PACKS} == {s.value for s in Sector} - {"other"}
    assert all(PRESETS[key].sector == key for key in PACKS)
    assert PRESETS[CORE].sector == ""


@pytest.mark.parametrize("key", PRESETS)
def test_every_preset_is_complete_in_dutch_french_and_english(key):
    preset = PRESETS[key]
    assert preset.questionnaire.languages == LANGUAGES
    assert problems(preset.questionnaire) == []
    assert is_complete(preset.questionnaire)
    assert set(preset.name) == set(preset.description) == set(LANGUAGES)
    assert preset.version >= 1


@pytest.mark.parametrize("key", PRESETS)
def test_every_theme_hint_is_a_taxonomy_key(key):
    themes = [q.theme for q in PRESETS[key].questionnaire.questions if q.theme is not None]
    assert themes
    assert set(themes) <= set(THEME_KEYS)


# The yes/no questions whose good answer is "yes" ("could you take your breaks?"): their
# theme is raised by "no". The others ask about something bad ("was pay a factor?").
CONCERN_NO = {
    "overtime_paid",
    "breaks",
    "hr_peer_support",
    "hr_career",
    "learning_budget",
    "expert_track",
    "aggression_support",
}
CONCERN_YES = {"pay_factor", "confidentiality_pressure", "roster_changes"}


def test_each_yes_no_question_says_which_answer_raises_its_theme():
    yes_no = {
        q.key: q.concern
        for preset in PRESETS.values()
        for q in preset.questionnaire.questions
        if q.type is QuestionType.YES_NO
    }
    assert yes_no == dict.fromkeys(CONCERN_NO, "no") | dict.fromkeys(CONCERN_YES)


@pytest.mark.parametrize("key", PRESETS)
def test_each_preset_has_one_enps_and_one_come_back_question(key):
    questions = PRESETS[key].questionnaire.questions
    enps = [q for q in questions if q.role is QuestionRole.ENPS]
    come_back = [q for q in questions if q.role is QuestionRole.COME_BACK]
    assert [q.type for q in enps] == [QuestionType.ENPS]
    assert len(come_back) == 1
    assert [c.key for c in come_back[0].choices] == ["yes", "maybe", "no"]


def test_core_has_the_reason_over_the_themes_and_the_ten_core_questions():
    questions = {q.key: q for q in PRESETS[CORE].questionnaire.questions}
    reason = questions["reason"]
    assert reason.type is QuestionType.SINGLE_CHOICE
    assert reason.required
    assert tuple(choice.key for choice in reason.choices) == THEME_KEYS
    assert list(questions) == [
        "reason",
        "why_leaving",
        "pay_factor",
        "job_match",
        "manager_support",
        "training_feedback",
        "recognition",
        "improve",
        "keep_you",
        "recommend",
        "come_back",
    ]
    themed = {key: q.theme for key, q in questions.items() if q.theme}
    assert themed == {
        "pay_factor": "compensation",
        "job_match": "role_fit",
        "manager_support": "management",
        "training_feedback": "training",
        "recognition": "recognition",
    }


@pytest.mark.parametrize("key", PACKS)
def test_a_sector_pack_is_core_plus_6_to_10_sector_questions(key):
    core = PRESETS[CORE].questionnaire.questions
    pack = PRESETS[key].questionnaire.questions
    sector_questions = [q for q in pack if q not in core]
    assert 6 <= len(sector_questions) <= 10
    assert [q for q in pack if q in core] == list(core)  # every core question, in order
    # The sector's questions come after the rated core questions, before the open ones.
    keys = [q.key for q in pack]
    first, last = keys.index(sector_questions[0].key), keys.index(sector_questions[-1].key)
    assert keys[first : last + 1] == [q.key for q in sector_questions]
    assert keys[last + 1] == "improve"
    assert all(q.theme in THEME_KEYS for q in sector_questions)
    # A pack changes when its file or core changes.
    assert PRESETS[key].version > PRESETS[CORE].version


@pytest.mark.parametrize("key", PRESETS)
def test_texts_are_written_per_language_not_copied(key):
    for where, texts in all_texts(PRESETS[key]):
        if where.endswith(" text"):  # every question reads differently in each language
            assert len(set(texts.values())) == 3, f"{key} {where}: {dict(texts)}"
        else:  # a short label may coincide in two languages, never in all three
            assert len(set(texts.values())) >= 2, f"{key} {where}: {dict(texts)}"


@pytest.mark.parametrize("key", PRESETS)
def test_french_typography_and_formal_address(key):
    for where, texts in all_texts(PRESETS[key]):
        french = texts["fr"]
        assert not re.search(r" [?:!;]", french), f"{where}: no-break space before ?:!; {french}"
        assert not re.search(r"\btu\b|\bton\b|\bta\b|\btes\b", french), f"{where}: {french}"
        assert not re.search(r"\b(je|jij|jouw)\b", texts["nl"], re.I), f"{where}: {texts['nl']}"
        assert "\u00a0" not in texts["nl"] + texts["en"], f"{where}: no-break space"


def test_loading_twice_gives_equal_objects_and_fresh_dicts():
    again = load_presets()
    assert again == PRESETS
    assert again is not PRESETS  # a caller changing its dict changes nobody else's
    presets_module._presets.cache_clear()
    try:
        reread = load_presets()
    finally:
        presets_module._presets.cache_clear()
    assert reread == PRESETS
    assert hash(reread["horeca"].questionnaire) == hash(PRESETS["horeca"].questionnaire)


@pytest.mark.parametrize(
    ("sector", "key"),
    [(Sector.HORECA, "horeca"), ("it", "it"), (Sector.OTHER, CORE), ("", CORE), ("space", CORE)],
)
def test_preset_for_sector(sector, key):
    assert preset_for_sector(sector) is load_presets()[key]


def test_the_files_ship_inside_the_package():
    folder = resources.files("service.surveys").joinpath("presets")
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml")) == [
        f"{key}.toml" for key in sorted(PRESETS)
    ]
    with open(Path(__file__).resolve().parents[2] / "pyproject.toml", "rb") as pyproject:
        package_data = tomllib.load(pyproject)["tool"]["setuptools"]["package-data"]
    assert "presets/*.toml" in package_data["service.surveys"]


# --- A broken file is refused, with where it is broken ----------------------------------------


@pytest.fixture
def preset_files(tmp_path, monkeypatch):
    """Copies of the shipped files in a folder the loader reads instead."""
    folder = tmp_path / "presets"
    folder.mkdir()
    shipped = resources.files("service.surveys").joinpath("presets")
    for entry in shipped.iterdir():
        if entry.name.endswith(".toml"):
            (folder / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")

    class Package:
        @staticmethod
        def files(_package):
            return tmp_path

    monkeypatch.setattr(presets_module, "resources", Package)
    presets_module._presets.cache_clear()
    yield folder
    presets_module._presets.cache_clear()


def test_the_copied_files_load(preset_files):
    assert load_presets() == PRESETS


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("retail.toml", 'type = "rating"', 'type = "slider"', "slider"),
        ("retail.toml", 'theme = "workload"', 'theme = "stress"', "theme"),
        ("retail.toml", "required = false", "requried = false", "unknown"),
        (
            "retail.toml",
            'text.fr = "Y avait-il',
            'text.de = "Y avait-il',
            "floor_staffing text fr: Translation missing",
        ),
        ("horeca.toml", 'text.fr = "Pendant les coups de feu', 'help.xx = "', "peak_workload"),
        ("it.toml", 'key = "it"', 'key = "tech"', "file's name"),
        ("core.toml", 'before = "improve"', 'before = "x"', "sector_questions_before"),
        ("hr.toml", 'key = "hr_career"', 'key = "recognition"', "already uses this key"),
        ("core.toml", "version = 1", 'version = "1"', "whole number"),
        ("it.toml", 'concern = "no"', 'concern = "never"', "learning_budget concern"),
        (
            "retail.toml",
            'theme = "workload"',
            'theme = "workload"\nconcern = "no"',
            "floor_staffing concern",
        ),
    ],
)
def test_a_broken_preset_file_is_refused(preset_files, file, old, new, message):
    path = preset_files / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PresetError, match=re.escape(message)):
        load_presets()
