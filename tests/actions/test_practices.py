"""The good-practice catalogue: complete in nl, fr and en, on known themes, well written."""

import re

import pytest

from service.actions import practices as catalogue
from service.actions.practices import PRACTICES, PracticeError, practices_for
from service.surveys.themes import THEME_KEYS
from service.tenants.models import Sector

LANGUAGES = {"nl", "fr", "en"}


@pytest.mark.parametrize("practice", PRACTICES, ids=lambda p: p.key)
def test_every_practice_has_all_three_languages_and_known_themes(practice):
    assert set(practice.title) == set(practice.description) == LANGUAGES
    assert all(text.strip() for text in [*practice.title.values(), *practice.description.values()])
    assert practice.themes
    assert set(practice.themes) <= set(THEME_KEYS)
    assert practice.sectors <= {sector.value for sector in Sector}


@pytest.mark.parametrize("practice", PRACTICES, ids=lambda p: p.key)
def test_texts_are_written_per_language_with_french_typography(practice):
    for texts in (practice.title, practice.description):
        assert len(set(texts.values())) == 3, texts
        assert not re.search(r" [?:!;]", texts["fr"]), f"no-break space before ?:!; {texts['fr']}"
        assert not re.search(r"\b(tu|ton|ta|tes)\b", texts["fr"]), texts["fr"]
        assert not re.search(r"\b(je|jij|jouw)\b", texts["nl"], re.IGNORECASE), texts["nl"]
        assert "\u00a0" not in texts["nl"] + texts["en"]


@pytest.mark.parametrize("sector", [sector.value for sector in Sector])
def test_every_sector_sees_two_to_four_practices_for_every_theme(sector):
    for theme in THEME_KEYS:
        listed = [p for p in practices_for(sector) if p.theme == theme]
        assert 2 <= len(listed) <= 4, (sector, theme, [p.key for p in listed])
    assert len(practices_for(sector)) >= 2 * (len(THEME_KEYS) - 1)


def test_each_sector_benchmarks_pay_against_its_own_joint_committee():
    def benchmark(sector: str) -> str:
        (found,) = [p for p in practices_for(sector) if p.key.startswith("benchmark_pay")]
        return found.title["nl"]

    assert "PC 302" in benchmark("horeca")
    assert "PC 311" in benchmark("retail")
    assert "PC 200" in benchmark("it")
    french = next(p for p in PRACTICES if p.key == "benchmark_pay_horeca").title["fr"]
    assert "CP 302" in french  # a commission paritaire in French


def test_a_theme_filter_keeps_the_practices_linked_to_it_in_taxonomy_order():
    workload = practices_for("horeca", "workload")
    assert {p.key for p in workload} >= {"review_shift_roster", "peak_staffing", "workload_pulse"}
    assert all("workload" in p.themes for p in workload)
    everything = practices_for("horeca")
    order = [THEME_KEYS.index(p.theme) for p in everything]
    assert order == sorted(order)


def broken(monkeypatch, toml: str):
    class Files:
        def joinpath(self, name):
            return self

        def read_text(self, encoding):
            return toml

    monkeypatch.setattr(catalogue.resources, "files", lambda package: Files())
    with pytest.raises(PracticeError) as refused:
        catalogue._load()
    return str(refused.value)


ENTRY = """
[[practices]]
key = "k"
themes = ["training"]
title = {{ nl = "a", fr = "b", en = "c" }}
description = {{ nl = "a", fr = "b", en = "c" }}
{extra}
"""


def test_a_broken_catalogue_is_refused_when_the_app_starts(monkeypatch):
    assert "needs exactly nl, fr and en" in broken(
        monkeypatch, ENTRY.format(extra="").replace(', en = "c" }\ndesc', " }\ndesc")
    )
    assert "unknown or repeated" in broken(
        monkeypatch, ENTRY.format(extra="").replace('"training"', '"parking"')
    )
    assert "unknown ['colour']" in broken(monkeypatch, ENTRY.format(extra='colour = "red"'))
    assert "keys used twice" in broken(monkeypatch, ENTRY.format(extra="") * 2)
    long_title = ENTRY.format(extra="").replace('nl = "a", fr', f'nl = "{"x" * 121}", fr', 1)
    assert "over 120 characters" in broken(monkeypatch, long_title)
