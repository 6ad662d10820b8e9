"""Presets: the questionnaires shipped with Exitloop, in Dutch, French and English.

They are data files in service/surveys/presets/ (TOML; the format is explained at the top
of core.toml), so reviewers and translators read and edit questions, not code. A sector
pack file holds only its sector's questions: the loader inserts them into the core
questions (before the core question named by ``sector_questions_before``), so a change to a
core question reaches every pack and nothing is written twice.

A pack's version is its own file's version plus core's: raising either raises the pack's,
so "has this preset changed since a template was started from it" stays one comparison of
whole numbers.

Loading reads the package's own files (``importlib.resources``, so it works installed),
checks them strictly — an unknown or missing field, a wrong type, or any problem of the
questionnaire (`document.problems`) raises `PresetError`: a broken preset is a bug for the
tests to catch, not something to show a user — and is cached, so loading again gives the
same objects. Nothing here touches the database: a template started from a preset keeps
its own copy, so a preset upgrade never changes a template a tenant already uses.
"""

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from service.config import LANGUAGES
from service.surveys.document import (
    Choice,
    Question,
    Questionnaire,
    Texts,
    problems,
)

CORE = "core"  # the key of the core questionnaire, which every sector pack extends
_FOLDER = "presets"


class PresetError(ValueError):
    """A shipped preset file is broken."""


@dataclass(frozen=True)
class Preset:
    key: str  # the file name without .toml: "core", or the pack's sector
    version: int
    sector: str  # a Sector value, "" for core
    name: Texts
    description: Texts
    questionnaire: Questionnaire  # complete in nl, fr and en


def load_presets() -> dict[str, Preset]:
    """Every preset by key, core first, then the sector packs in file-name order."""
    return {preset.key: preset for preset in _presets()}


def preset_for_sector(sector: str) -> Preset:
    """The pack for `sector` (a Sector value), or the core questionnaire for a sector
    without a pack (such as "other")."""
    presets = load_presets()
    return next((p for p in presets.values() if p.sector == sector), presets[CORE])


@functools.cache
def _presets() -> tuple[Preset, ...]:
    files = {}
    for entry in resources.files(__package__).joinpath(_FOLDER).iterdir():
        if entry.name.endswith(".toml"):
            key = entry.name.removesuffix(".toml")
            try:
                files[key] = tomllib.loads(entry.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as error:
                raise PresetError(f"{entry.name}: {error}") from error
    if CORE not in files:
        raise PresetError(f"{CORE}.toml is missing")

    core_data = files.pop(CORE)
    core = _preset(CORE, core_data, extra_fields={"sector_questions_before"})
    if core.sector:
        raise PresetError(f"{CORE}.toml: sector must be empty")
    core_questions = core.questionnaire.questions
    anchor = core_data["sector_questions_before"]
    position = next((i for i, q in enumerate(core_questions) if q.key == anchor), None)
    if position is None:
        raise PresetError(f"{CORE}.toml: sector_questions_before names no core question")

    presets = [core]
    for key in sorted(files):
        pack = _preset(key, files[key])
        if not pack.sector:
            raise PresetError(f"{key}.toml: a sector pack needs its sector")
        sector_questions = pack.questionnaire.questions
        composed = core_questions[:position] + sector_questions + core_questions[position:]
        presets.append(
            Preset(
                key=pack.key,
                version=pack.version + core.version,
                sector=pack.sector,
                name=pack.name,
                description=pack.description,
                questionnaire=Questionnaire(languages=LANGUAGES, questions=composed),
            )
        )
    for preset in presets:
        found = problems(preset.questionnaire)
        if found:
            listed = "; ".join(
                f"{p.question or '-'} {p.field} {p.language or ''}: {p.message % p.params}"
                for p in found
            )
            raise PresetError(f"{preset.key}.toml: {listed}")
    return tuple(presets)


_PRESET_FIELDS = {"key", "version", "sector", "name", "description", "questions"}
_QUESTION_REQUIRED = {"key", "type", "required", "text"}
_QUESTION_OPTIONAL = {"theme", "role", "concern", "help", "scale_low", "scale_high", "choices"}


def _preset(key: str, data: Any, extra_fields: frozenset | set = frozenset()) -> Preset:
    where = f"{key}.toml"
    _check_fields(data, _PRESET_FIELDS | extra_fields, set(), where)
    if data["key"] != key:
        raise PresetError(f"{where}: key must be {key!r}, the file's name")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PresetError(f"{where}: version must be a whole number from 1")
    if not isinstance(data["sector"], str):
        raise PresetError(f"{where}: sector must be text")
    if not isinstance(data["questions"], list):
        raise PresetError(f"{where}: questions must be [[questions]] tables")
    return Preset(
        key=key,
        version=version,
        sector=data["sector"],
        name=_complete_texts(data["name"], f"{where} name"),
        description=_complete_texts(data["description"], f"{where} description"),
        questionnaire=Questionnaire(
            languages=LANGUAGES,
            questions=tuple(_question(q, where) for q in data["questions"]),
        ),
    )


def _question(data: Any, where: str) -> Question:
    _check_fields(data, _QUESTION_REQUIRED, _QUESTION_OPTIONAL, f"{where} question")
    where = f"{where} question {data['key']!r}"
    if not isinstance(data["required"], bool):
        raise PresetError(f"{where}: required must be true or false")
    choices = []
    for choice in data.get("choices", []):
        _check_fields(choice, {"key"}, set(LANGUAGES), f"{where} choice")
        label = {code: text for code, text in choice.items() if code != "key"}
        choices.append(Choice(key=choice["key"], label=_texts(label, where)))
    try:
        return Question(
            key=data["key"],
            type=data["type"],
            required=data["required"],
            text=_texts(data["text"], where),
            help=_texts(data.get("help", {}), where),
            choices=tuple(choices),
            scale_low=_texts(data.get("scale_low", {}), where),
            scale_high=_texts(data.get("scale_high", {}), where),
            theme=data.get("theme"),
            role=data.get("role"),
            concern=data.get("concern"),
        )
    except ValueError as error:  # an unknown type or role
        raise PresetError(f"{where}: {error}") from error


def _texts(value: Any, where: str) -> Texts:
    if not isinstance(value, Mapping):
        raise PresetError(f"{where}: texts are given per language (nl, fr, en)")
    try:
        return Texts(value)
    except TypeError as error:
        raise PresetError(f"{where}: {error}") from error


def _complete_texts(value: Any, where: str) -> Texts:
    texts = _texts(value, where)
    if set(texts) != set(LANGUAGES):
        raise PresetError(f"{where}: needs exactly nl, fr and en")
    return texts


def _check_fields(data: Any, required: set, optional: set, where: str) -> None:
    if not isinstance(data, Mapping):
        raise PresetError(f"{where}: expected a table")
    missing, unknown = required - data.keys(), data.keys() - required - optional
    if missing or unknown:
        raise PresetError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
