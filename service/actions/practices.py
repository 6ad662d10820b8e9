"""Good practice: the catalogue of quick-win actions per theme (practices.toml beside this
file), in Dutch, French and English, that HR can start an action from.

The catalogue is data, so reviewers and translators edit texts, not code. It is read from
the package (``importlib.resources``) and checked strictly once, at import: an unknown
field or theme, a missing language, a text over its limit raises ``PracticeError`` when
the app starts — a broken catalogue is a bug for the tests to catch, never a page error.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from service.config import LANGUAGES
from service.surveys.themes import THEME_KEYS
from service.tenants.models import Sector

TITLE_MAX = 120
DESCRIPTION_MAX = 1000
_KEY = re.compile(r"[a-z0-9_]{1,40}")
_REQUIRED = {"key", "themes", "title", "description"}
_OPTIONAL = {"sectors"}
_SECTORS = frozenset(sector.value for sector in Sector)


class PracticeError(ValueError):
    """The shipped catalogue is broken."""


@dataclass(frozen=True)
class Practice:
    key: str
    themes: tuple[str, ...]  # the first is where the catalogue lists it
    sectors: frozenset[str]  # empty: for every sector
    title: Mapping[str, str]  # per language
    description: Mapping[str, str]

    @property
    def theme(self) -> str:
        return self.themes[0]

    def fits(self, sector: str) -> bool:
        return not self.sectors or sector in self.sectors


def practices_for(sector: str, theme: str | None = None) -> list[Practice]:
    """The practices a tenant of ``sector`` sees, in taxonomy order; ``theme``: only those
    that answer it (listed under it or linked to it)."""
    found = [p for p in PRACTICES if p.fits(sector) and (theme is None or theme in p.themes)]
    order = {key: index for index, key in enumerate(THEME_KEYS)}
    return sorted(found, key=lambda p: order[p.theme])


def _load() -> tuple[Practice, ...]:
    text = resources.files(__package__).joinpath("practices.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PracticeError(f"practices.toml: {error}") from error
    if set(data) != {"practices"} or not isinstance(data["practices"], list):
        raise PracticeError("practices.toml: expected only [[practices]] tables")
    practices = tuple(_practice(entry) for entry in data["practices"])
    keys = [p.key for p in practices]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise PracticeError(f"practices.toml: keys used twice: {repeated}")
    return practices


def _practice(data: Any) -> Practice:
    if not isinstance(data, Mapping):
        raise PracticeError("practices.toml: each practice is a [[practices]] table")
    where = f"practices.toml {data.get('key')!r}"
    missing, unknown = _REQUIRED - data.keys(), data.keys() - _REQUIRED - _OPTIONAL
    if missing or unknown:
        raise PracticeError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    if not isinstance(data["key"], str) or not _KEY.fullmatch(data["key"]):
        raise PracticeError(f"{where}: key must be lowercase letters, digits and _")
    themes = _names(data["themes"], set(THEME_KEYS), f"{where} themes")
    if not themes:
        raise PracticeError(f"{where}: name at least one theme")
    return Practice(
        key=data["key"],
        themes=themes,
        sectors=frozenset(_names(data.get("sectors", []), _SECTORS, f"{where} sectors")),
        title=_texts(data["title"], TITLE_MAX, f"{where} title"),
        description=_texts(data["description"], DESCRIPTION_MAX, f"{where} description"),
    )


def _names(value: Any, known: set | frozenset, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise PracticeError(f"{where}: expected a list of names")
    strange = [name for name in value if name not in known]
    if strange or len(set(value)) != len(value):
        raise PracticeError(f"{where}: unknown or repeated {strange or value}")
    return tuple(value)


def _texts(value: Any, limit: int, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or set(value) != set(LANGUAGES):
        raise PracticeError(f"{where}: needs exactly nl, fr and en")
    for language, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise PracticeError(f"{where}.{language}: empty")
        if len(text) > limit:
            raise PracticeError(f"{where}.{language}: over {limit} characters")
    return dict(value)


PRACTICES: tuple[Practice, ...] = _load()
