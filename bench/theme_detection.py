"""How well and how fast themes are detected in free text (issue 13, item 1).

Scores service.insights.detection on the labelled comments of tests/insights/labelled/ (see
tests/insights/labelled_set.py): precision and recall per theme and per language, micro-
averaged, on the whole set and on the held-out part (written after the lexicon was tuned),
against the issue's targets (precision 0.85, recall 0.80). Then times detection on one core,
the lexicons already loaded, against the goal of 500 answers per second. No database.

    .venv/bin/python bench/theme_detection.py [seconds]
"""

import json
import sys
import time
from pathlib import Path

# The labelled set and its scoring live with the tests, at the repository's root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.insights.detection import LANGUAGES, detect  # noqa: E402
from service.surveys.themes import THEME_KEYS  # noqa: E402
from tests.insights.labelled_set import comments, score  # noqa: E402

GOAL_PER_S = 500
TARGET_PRECISION, TARGET_RECALL = 0.85, 0.80
PARTS = ("all", "held-out")


def theme_table(part: str) -> None:
    scores = {language: score(language, part) for language in LANGUAGES}
    print(f"\nPer theme, {part} (precision / recall / labelled)")
    print(f"{'theme':<14}" + "".join(f"{language:>20}" for language in LANGUAGES))
    for theme in THEME_KEYS:
        cells = [
            f"{s.precision(theme):5.2f} {s.recall(theme):5.2f} {s.support(theme):4d}"
            for s in scores.values()
        ]
        print(f"{theme:<14}" + "".join(f"{cell:>20}" for cell in cells))


def language_table() -> dict:
    figures = {}
    print(f"{'language':<10}{'part':<10}{'comments':>9}{'precision':>11}{'recall':>8}{'tone':>6}")
    for language in LANGUAGES:
        for part in PARTS:
            s = score(language, part)
            print(
                f"{language:<10}{part:<10}{s.comments:>9}{s.precision():>11.3f}"
                f"{s.recall():>8.3f}{s.sentiment_accuracy:>6.2f}"
            )
            figures[f"{language}_{part}"] = {
                "precision": round(s.precision(), 3),
                "recall": round(s.recall(), 3),
                "sentiment": round(s.sentiment_accuracy, 3),
            }
    return figures


def detect_per_s(seconds: float) -> float:
    texts = [(c["text"], language) for language in LANGUAGES for c in comments(language)]
    for text, language in texts:  # load the lexicons and warm the stem cache, as a worker does
        detect(text, language)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text, language in texts:
            detect(text, language)
        done += len(texts)
    return done / (time.perf_counter() - start)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    figures = language_table()
    for part in PARTS:
        theme_table(part)
    rate = detect_per_s(seconds)
    met = all(
        figures[f"{language}_all"]["precision"] >= TARGET_PRECISION
        and figures[f"{language}_all"]["recall"] >= TARGET_RECALL
        for language in LANGUAGES
    )
    print(f"\ndetection: {rate:,.0f} answers/s on one core (goal {GOAL_PER_S:,}/s)")
    print(f"targets on the whole set (P >= {TARGET_PRECISION}, R >= {TARGET_RECALL}): {met}")
    print(json.dumps({"detect_per_s": round(rate), "targets_met": met, **figures}))


if __name__ == "__main__":
    main()
