"""The demo's leaver answers: valid for the questionnaire, in the leaver's language, varied,
and shaped by what made the leaver go."""

import random

import pytest

from service.insights.analysis import structured_tags
from service.surveys.demo_writing import Leaver, answers, corpus, pick_themes
from service.surveys.document import QuestionType
from service.surveys.presets import preset_for_sector
from service.surveys.themes import THEME_KEYS

CASES = [("horeca", "nl"), ("retail", "fr"), ("retail", "nl"), ("it", "en"), ("it", "nl")]


def many(sector: str, language: str, count: int = 300, weights=None):
    rng = random.Random(f"{sector}:{language}")
    questionnaire = preset_for_sector(sector).questionnaire
    weights = weights or {"workload": 3, "management": 2, "compensation": 1, "growth": 1}
    out = []
    for _ in range(count):
        reasons, liked = pick_themes(rng, weights, ["team", "culture"])
        leaver = Leaver(language, reasons, liked, rng.random())
        out.append((leaver, answers(rng, sector, questionnaire, leaver)))
    return questionnaire, out


@pytest.mark.parametrize(("sector", "language"), CASES)
def test_every_answer_fits_its_question(sector, language):
    questionnaire, found = many(sector, language)
    questions = {q.key: q for q in questionnaire.questions}
    for _leaver, given in found:
        assert {q.key for q in questionnaire.questions if q.required} <= set(given)
        for key, value in given.items():
            question = questions[key]
            offered = {c.key for c in question.choices}
            match question.type:
                case QuestionType.FREE_TEXT:
                    assert isinstance(value, str)
                    assert 0 < len(value) <= 5000
                case QuestionType.RATING:
                    assert value in range(1, 6)
                case QuestionType.ENPS:
                    assert value in range(11)
                case QuestionType.YES_NO:
                    assert value in ("yes", "no")
                case QuestionType.SINGLE_CHOICE:
                    assert value in offered
                case QuestionType.MULTIPLE_CHOICE:
                    assert set(value) <= offered


@pytest.mark.parametrize(("sector", "language"), CASES)
def test_free_text_is_varied(sector, language):
    _questionnaire, found = many(sector, language)
    texts = [given.get("why_leaving") for _leaver, given in found]
    written = [text for text in texts if text]
    assert len(set(written)) >= 100  # out of 300 leavers, most skipping nothing
    assert max(map(len, written)) > 150  # long answers
    assert min(map(len, written)) < 30  # and terse ones


def test_answers_follow_the_reasons():
    weights = {"management": 1}
    _questionnaire, found = many("retail", "fr", weights=weights)
    for leaver, given in found:
        assert given["reason"] == "management" == leaver.reasons[0]
    ratings = [given["store_management"] for _l, given in found if "store_management" in given]
    assert sum(ratings) / len(ratings) < 2


def test_a_yes_no_answer_raises_its_theme_for_those_who_left_over_it():
    questionnaire, found = many("horeca", "nl", weights={"workload": 1})
    breaks = next(q for q in questionnaire.questions if q.key == "breaks")
    given = {answered["breaks"] for _leaver, answered in found if "breaks" in answered}
    assert given == {"no"}  # they could not take their breaks: the workload tag
    assert structured_tags(breaks, "no")
    _questionnaire, found = many("horeca", "nl", weights={"compensation": 1})
    assert "yes" in {answered.get("breaks") for _leaver, answered in found}
    assert structured_tags(breaks, "yes") == []  # could take them: no workload tag


def test_the_same_seed_gives_the_same_answers():
    assert many("it", "en", 20) == many("it", "en", 20)


def test_corpus_uses_only_known_themes_and_has_every_part():
    for sector in ("horeca", "retail", "it"):
        for language, words in corpus(sector).items():
            for part in ("reasons", "short", "improve", "keep_you", "dismissed", "praise"):
                assert set(words.get(part, {})) <= {*THEME_KEYS, "any"}, (sector, part)
            where = (sector, language)
            assert words["openers"], where
            assert words["closers"], where
            assert words["decline"]["reasons"], where
            assert words["notes"]["lines"], where
            assert words["keep_you"]["any"], where
