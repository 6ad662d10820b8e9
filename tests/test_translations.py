"""The nl, fr and en catalogs hold every string the source marks; nl and fr translate all.

Pure tests (no database): extraction runs here with babel.cfg and the Makefile's keywords,
so a string added to a template or module without `make translations` and a translation
fails the suite.
"""

import gettext
import io
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "service" / "translations"
LANGUAGES = ("nl", "fr", "en")
TRANSLATED = ("nl", "fr")  # English is the source language: its msgstr stay empty.

# A printf conversion as Python's % operator reads it, e.g. %(code)s, %s or %%.
CONVERSION = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
SKIPPED_DIRECTORIES = {"node_modules", "instance", "test-artifacts"}


def _makefile_keywords() -> dict:
    """The -k options of `make translations`: the test extracts exactly what the Makefile does."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    extract_line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    return {**DEFAULT_KEYWORDS, **parse_keywords(re.findall(r"-k\s+(\S+)", extract_line))}


def _message_key(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _source_directory(path: str) -> bool:
    name = os.path.basename(path)
    return not name.startswith((".", "_")) and name not in SKIPPED_DIRECTORIES


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=_makefile_keywords(),
        directory_filter=_source_directory,
    )
    return {_message_key(msgid) for _filename, _line, msgid, _comments, _context in found}


def _catalog(language: str):
    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as po:
        return read_po(po, locale=language)


def _messages(catalog) -> list:
    return [message for message in catalog if message.id]


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in CONVERSION.finditer(text) if match.group(0) != "%%"}


def _stray_percent(text: str) -> bool:
    """A % that is no conversion breaks formatting at run time."""
    return "%" in CONVERSION.sub("", text)


def test_extraction_finds_the_strings_the_source_marks(extracted):
    # Guards the extraction itself: a broken keyword or mapping would find nothing and pass.
    assert {"Sign in", "Error %(code)s", "HR administrator"} <= extracted


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_holds_every_extracted_string_and_nothing_stale(language, extracted):
    catalog = _catalog(language)
    in_catalog = {_message_key(message.id) for message in _messages(catalog)}
    missing = sorted(extracted - in_catalog)
    stale = sorted(in_catalog - extracted)
    assert not missing, f"run `make translations` and translate: {missing}"
    assert not stale, f"run `make translations` to drop strings no longer used: {stale}"
    assert not catalog.obsolete, f"obsolete entries in {language}: {list(catalog.obsolete)}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    catalog = _catalog(language)
    assert not catalog.fuzzy, f"the {language} catalog header is marked fuzzy"
    untranslated = [m.id for m in _messages(catalog) if not all(_forms(m))]
    fuzzy = [m.id for m in _messages(catalog) if m.fuzzy]
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


def test_english_keeps_the_source_strings():
    filled = [m.id for m in _messages(_catalog("en")) if any(_forms(m))]
    assert not filled, f"the en catalog should leave msgstr empty: {filled}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_match_the_source(language):
    wrong = []
    for message in _messages(_catalog(language)):
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(_placeholders(text) for text in source))
        source_has_stray = any(_stray_percent(text) for text in source)
        for form in filter(None, _forms(message)):  # empty ones fail the test above
            found = _placeholders(form)
            # A plural form may leave out the count ("un seul départ"), never add a name.
            fits = found <= expected if len(source) > 1 else found == expected
            if not fits or (_stray_percent(form) and not source_has_stray):
                wrong.append((message.id, form))
    assert not wrong, f"placeholders differ from the source in {language}: {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles_and_reads_back(language):
    catalog = _catalog(language)
    errors = [(message.id, error) for message, errs in catalog.check() for error in errs]
    assert not errors, f"{language}: {errors}"
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    for message in _messages(catalog):
        if isinstance(message.id, str) and message.string:
            assert translations.gettext(message.id) == message.string


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_well_formed(language):
    """No entry without its msgstr, no stray line: what a careless merge leaves behind, and
    what `pybabel compile` only warns about."""
    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as po:
        read_po(po, locale=language, abort_invalid=True)
