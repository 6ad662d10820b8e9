"""The theme taxonomy: stable keys in the product's order, named in each language."""

import pytest
from flask_babel import force_locale

from service.surveys.themes import THEME_KEYS, theme_description, theme_label


def test_the_keys_are_the_products_taxonomy_in_order():
    assert THEME_KEYS == (
        "compensation",
        "management",
        "communication",
        "culture",
        "growth",
        "recognition",
        "training",
        "role_fit",
        "team",
        "workload",
        "flexibility",
        "conditions",
        "other",
    )


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_theme_has_its_own_label_and_a_description(catalogs, language):
    with force_locale(language):
        labels = [theme_label(key) for key in THEME_KEYS]
        descriptions = [theme_description(key) for key in THEME_KEYS]
    assert len(set(labels)) == len(THEME_KEYS)
    assert len(set(descriptions)) == len(THEME_KEYS)
    assert all(labels)
    assert all(descriptions)


def test_labels_read_in_the_readers_language(catalogs):
    with force_locale("nl"):
        assert theme_label("workload") == "Werkdruk"
        assert theme_description("compensation") == "Loon, extralegale voordelen, bonus"
    with force_locale("fr"):
        assert theme_label("workload") == "Charge de travail"
        assert theme_label("other") == "Autre"
    with force_locale("en"):
        assert theme_label("role_fit") == "Role fit"


def test_an_unknown_key_is_shown_as_it_is():
    assert theme_label("parking") == "parking"
    assert theme_description("parking") == ""
