"""The confidentiality thresholds: the one module that decides what may be shown."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from service.insights.thresholds import HIDDEN, NOT_ENOUGH, Thresholds

FIVE = Thresholds(k=5, quote_k=10)


def tenant(k: int, quote_threshold: int | None = None):
    return SimpleNamespace(confidentiality_k=k, quote_threshold=quote_threshold)


def test_quotes_need_twice_k_unless_the_tenant_set_its_own():
    assert Thresholds.of(tenant(5)) == Thresholds(k=5, quote_k=10)
    assert Thresholds.of(tenant(3)) == Thresholds(k=3, quote_k=6)
    assert Thresholds.of(tenant(4, quote_threshold=7)) == Thresholds(k=4, quote_k=7)


def test_a_figure_on_fewer_than_k_responses_is_hidden():
    assert FIVE.shown(42, 5) == 42
    assert FIVE.shown(0, 17) == 0
    assert FIVE.shown(42, 4) is HIDDEN
    assert FIVE.shown(42, 0) is HIDDEN
    assert not HIDDEN
    assert str(HIDDEN) == str(NOT_ENOUGH) == "Not enough responses to show"


def test_quotes_need_the_quote_threshold():
    assert not FIVE.quotes_allowed(9)
    assert FIVE.quotes_allowed(10)
    assert not Thresholds(k=5, quote_k=7).quotes_allowed(6)
    assert Thresholds(k=5, quote_k=7).quotes_allowed(7)


def test_a_view_needs_k_responses_and_leaves_out_none_or_k():
    assert not FIVE.view_allowed(4, 4)  # the part under k
    assert not FIVE.view_allowed(4, 40)
    assert FIVE.view_allowed(5, 5)  # nothing left out
    assert FIVE.view_allowed(12, 12)
    for rest in range(1, 5):  # what the filter leaves out: a group under k
        assert not FIVE.view_allowed(12, 12 + rest), rest
    assert FIVE.view_allowed(12, 17)
    assert FIVE.view_allowed(5, 10)


def test_groups_under_k_are_hidden_with_no_partner_when_they_reach_k_together():
    assert FIVE.hidden_groups({"a": 20, "b": 8, "c": 7}) == set()
    # Several small groups that together reach k: nothing to compute by difference.
    assert FIVE.hidden_groups({"a": 20, "b": 3, "c": 2}) == {"b", "c"}
    assert FIVE.hidden_groups({"a": 20, "b": 3, "c": 3, "d": 9}) == {"b", "c"}


def test_one_hidden_group_takes_the_smallest_visible_one_with_it():
    assert FIVE.hidden_groups({"a": 20, "b": 4, "c": 7, "d": 9}) == {"b", "c"}
    assert FIVE.hidden_groups({"a": 20, "b": 1, "c": 2, "d": 6}) == {"b", "c", "d"}
    # Ties between visible groups are broken the same way every time.
    assert FIVE.hidden_groups({"x": 6, "y": 6, "z": 1}) == {"x", "z"}


def test_empty_groups_are_never_chosen():
    assert FIVE.hidden_groups({"a": 20, "b": 0, "c": 0}) == set()
    assert FIVE.hidden_groups({"a": 20, "b": 0, "c": 3, "d": 8}) == {"c", "d"}
    assert FIVE.hidden_groups({}) == set()


def test_when_every_group_is_under_k_all_are_hidden():
    assert FIVE.hidden_groups({"a": 1, "b": 2}) == {"a", "b"}
    assert FIVE.hidden_groups({"a": 4}) == {"a"}


@given(
    k=st.integers(min_value=3, max_value=10),
    sizes=st.dictionaries(st.integers(0, 30), st.integers(0, 40), max_size=12),
)
def test_what_is_hidden_adds_up_to_nothing_or_at_least_k(k, sizes):
    thresholds = Thresholds(k=k, quote_k=2 * k)
    hidden = thresholds.hidden_groups(sizes)
    total = sum(sizes[key] for key in hidden)
    assert total == 0 or total >= k or total == sum(sizes.values())
    assert all(sizes[key] > 0 for key in hidden)
    assert {key for key, size in sizes.items() if 0 < size < k} <= hidden


@given(
    sizes=st.dictionaries(st.integers(0, 12), st.integers(0, 30), max_size=12),
    already=st.sets(st.integers(0, 12), max_size=4),
)
def test_groups_hidden_already_stay_hidden_and_still_add_up_to_k(sizes, already):
    hidden = FIVE.hidden_groups(sizes, hidden=already)
    assert {key for key in already if sizes.get(key, 0) > 0} <= hidden
    total = sum(sizes[key] for key in hidden)
    assert total == 0 or total >= 5 or total == sum(sizes.values())


def test_a_view_with_quotes_leaves_out_none_or_enough_for_quotes():
    assert FIVE.quote_view_allowed(10, 10)
    assert FIVE.quote_view_allowed(10, 20)
    assert not FIVE.quote_view_allowed(9, 9)
    assert not FIVE.quote_view_allowed(12, 21)  # the 9 left out would be quoted by difference


def test_groups_hidden_for_another_reason_count_and_take_a_partner():
    assert FIVE.hidden_groups({"a": 20, "b": 6, "c": 9}, hidden={"b"}) == {"b"}
    assert FIVE.hidden_groups({"a": 20, "b": 6, "c": 9, "d": 2}, hidden={"b"}) == {"b", "d"}
    assert FIVE.hidden_groups({"a": 20, "b": 0, "c": 9}, hidden={"b"}) == set()
    assert FIVE.hidden_groups({"a": 20, "b": 3, "c": 9}, hidden={"a"}) == {"a", "b"}
