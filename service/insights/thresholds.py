"""Confidentiality thresholds: the one place that decides whether a figure may be shown.

Every figure built from feedback passes through here (the dashboard, quotes, exports, the
leadership reports, the agency benchmark), so the rule is computed once and never again:

- A figure rests on a group of responses; a group smaller than the tenant's k (default 5,
  allowed 3–10) shows nothing but "not enough responses to show" (``HIDDEN``).
- Quotes need a larger group: the tenant's quote threshold, or twice k when it has none.
- Complementary suppression: where the groups of a breakdown (the departments of a heat
  map, the months of a trend) are shown beside their visible total, a single hidden group
  could be computed by difference. So while the hidden groups add up to fewer than k, the
  next smallest visible group is hidden too (`hidden_groups`).
- A filtered view is itself a part of the unfiltered whole the same person can open: it is
  shown only when what the filter leaves out is empty or at least k too (`view_allowed`),
  so subtracting two views never isolates a small group. service/insights/figures.py
  holds a view so against every wider view (any of its narrowings dropped), and refuses
  a group that a breakdown of one of those hides.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

NOT_ENOUGH = _l("Not enough responses to show")


class _Hidden:
    """A figure withheld for confidentiality; falsy, and shown as NOT_ENOUGH."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "HIDDEN"

    def __str__(self) -> str:
        return str(NOT_ENOUGH)


HIDDEN = _Hidden()


@dataclass(frozen=True)
class Thresholds:
    k: int
    quote_k: int

    @classmethod
    def of(cls, tenant) -> "Thresholds":
        k = tenant.confidentiality_k
        return cls(k=k, quote_k=tenant.quote_threshold or 2 * k)

    def enough(self, responses: int) -> bool:
        return responses >= self.k

    def shown(self, value, responses: int):
        """`value` if the group behind it (`responses`) is large enough, else HIDDEN."""
        return value if self.enough(responses) else HIDDEN

    def quotes_allowed(self, responses: int) -> bool:
        return responses >= self.quote_k

    def view_allowed(self, part: int, whole: int) -> bool:
        """May a filtered view of `part` responses, out of the `whole` its unfiltered
        view shows, be shown? Both the part and what it leaves out must be 0 or ≥ k."""
        rest = whole - part
        return self.enough(part) and (rest == 0 or self.enough(rest))

    def quote_view_allowed(self, part: int, whole: int) -> bool:
        """`view_allowed` for quotes: both sides reach the quote threshold (or, for what
        the filter leaves out, are empty)."""
        rest = whole - part
        return self.quotes_allowed(part) and (rest == 0 or self.quotes_allowed(rest))

    def hidden_groups(self, sizes: Mapping[Hashable, int], hidden: Iterable = ()) -> set:
        """The groups of a breakdown to hide: those under k (and those in `hidden`, hidden
        already for another reason), and (complementary suppression) the smallest others
        until what is hidden adds up to k or more. Empty groups have nothing to hide and
        are never chosen."""
        hidden = {key for key, size in sizes.items() if 0 < size < self.k} | {
            key for key in hidden if sizes.get(key, 0) > 0
        }
        visible = sorted(
            (size, str(key), key)
            for key, size in sizes.items()
            if size >= self.k and key not in hidden
        )
        while hidden and sum(sizes[key] for key in hidden) < self.k and visible:
            hidden.add(visible.pop(0)[2])
        return hidden
