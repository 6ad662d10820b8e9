"""The evidence behind an action: a snapshot of an insight, kept as data.

Another module (insights) fills one in and hands it to ``create_action(evidence=...)``;
the action keeps it as JSON as it was then, so later answers never change why an action
was started. Its shape is defined and checked here only. Quotes are de-identified text the
insight chose, and only when the number of people behind it reaches the tenant's
confidentiality threshold (k): below it the snapshot keeps the counts, never words.
"""

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from service.surveys.themes import THEME_KEYS
from service.validation import N_

QUOTES_MAX = 5
QUOTE_MAX = 500
FILTERS_MAX = 10
COUNTS_MAX = 20
LABEL_MAX = 120
SOURCE_MAX = 40


class InvalidEvidence(ValueError):
    """The snapshot does not have the agreed shape; the message is an English msgid."""


@dataclass(frozen=True)
class Evidence:
    themes: tuple[str, ...] = ()
    # What the insight was filtered on, as shown then: {"Department": "Kitchen"}.
    filters: Mapping[str, str] = field(default_factory=dict)
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    # How many people the insight rests on (compared with the confidentiality threshold).
    respondents: int = 0
    # Figures as shown then: {"mentioned workload": 11, "answered": 24}.
    counts: Mapping[str, int] = field(default_factory=dict)
    quotes: tuple[str, ...] = ()
    source: str = ""

    def check(self, confidentiality_k: int, theme_keys: Collection[str] = THEME_KEYS) -> None:
        """Raises ``InvalidEvidence`` unless the snapshot keeps every limit. ``theme_keys``:
        the tenant's themes (the default taxonomy unless the caller knows its own too)."""
        if any(theme not in theme_keys for theme in self.themes):
            raise InvalidEvidence(N_("The evidence names an unknown theme."))
        if len(self.filters) > FILTERS_MAX or len(self.counts) > COUNTS_MAX:
            raise InvalidEvidence(N_("The evidence holds too many filters or figures."))
        labels = [*self.filters, *self.filters.values(), *self.counts]
        if any(not isinstance(text, str) or len(text) > LABEL_MAX for text in labels):
            raise InvalidEvidence(N_("A filter or figure of the evidence is too long."))
        numbers = [self.respondents, *self.counts.values()]
        if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in numbers):
            raise InvalidEvidence(N_("The evidence's figures must be whole numbers."))
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise InvalidEvidence(N_("The evidence's period ends before it starts."))
        if len(self.quotes) > QUOTES_MAX or any(
            not isinstance(quote, str) or not quote.strip() or len(quote) > QUOTE_MAX
            for quote in self.quotes
        ):
            raise InvalidEvidence(N_("The evidence holds too many or too long quotes."))
        if self.quotes and self.respondents < confidentiality_k:
            raise InvalidEvidence(
                N_("Quotes need at least as many people as the confidentiality threshold.")
            )
        if len(self.source) > SOURCE_MAX:
            raise InvalidEvidence(N_("The evidence's source is too long."))

    def to_json(self) -> dict:
        return {
            "themes": list(self.themes),
            "filters": dict(self.filters),
            "period_from": self.period_from.isoformat() if self.period_from else None,
            "period_to": self.period_to.isoformat() if self.period_to else None,
            "respondents": self.respondents,
            "counts": dict(self.counts),
            "quotes": list(self.quotes),
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> "Evidence":
        """The snapshot an action keeps; raises ``InvalidEvidence`` for another shape."""
        try:
            return cls(
                themes=tuple(data.get("themes") or ()),
                filters=dict(data.get("filters") or {}),
                period_from=_day(data.get("period_from")),
                period_to=_day(data.get("period_to")),
                respondents=data.get("respondents") or 0,
                counts=dict(data.get("counts") or {}),
                quotes=tuple(data.get("quotes") or ()),
                source=data.get("source") or "",
            )
        except (TypeError, ValueError, AttributeError) as error:
            raise InvalidEvidence(N_("The evidence does not have the expected shape.")) from error


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
