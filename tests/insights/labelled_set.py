"""The labelled comments (tests/insights/labelled/<lang>.jsonl) and how detection scores on them.

Written by hand the way leavers write, labelled from their meaning. The lexicon was tuned on
the first part of each file and on a second batch written later (ids with a "d", "nl-d04");
the comments whose id has an "h" ("nl-h07") were written after the first tuning and are held
out: the figures on them say how detection does on text it has not been fitted to.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from service.insights.detection import detect

FOLDER = Path(__file__).parent / "labelled"


def comments(language: str) -> list[dict]:
    with (FOLDER / f"{language}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def held_out(comment: dict) -> bool:
    return "-h" in comment["id"]


@dataclass
class Score:
    true_pos: Counter = field(default_factory=Counter)
    false_pos: Counter = field(default_factory=Counter)
    false_neg: Counter = field(default_factory=Counter)
    sentiment_right: int = 0
    comments: int = 0

    def add(self, want: set[str], got: set[str], sentiment_right: bool) -> None:
        self.true_pos.update(want & got)
        self.false_pos.update(got - want)
        self.false_neg.update(want - got)
        self.sentiment_right += sentiment_right
        self.comments += 1

    def precision(self, theme: str | None = None) -> float:
        tp, fp = self._counts(self.true_pos, theme), self._counts(self.false_pos, theme)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, theme: str | None = None) -> float:
        tp, fn = self._counts(self.true_pos, theme), self._counts(self.false_neg, theme)
        return tp / (tp + fn) if tp + fn else 1.0

    def support(self, theme: str) -> int:
        return self.true_pos[theme] + self.false_neg[theme]

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_right / self.comments if self.comments else 1.0

    @staticmethod
    def _counts(counter: Counter, theme: str | None) -> int:
        return counter[theme] if theme else sum(counter.values())


def score(language: str, part: str = "all") -> Score:
    """Micro-averaged over the themes; `part`: "all", "dev" or "held-out"."""
    result = Score()
    for comment in comments(language):
        if part != "all" and held_out(comment) != (part == "held-out"):
            continue
        found = detect(comment["text"], language)
        result.add(set(comment["themes"]), set(found.keys), found.sentiment == comment["sentiment"])
    return result
