"""Disclosure control: small counts hidden, and no hidden count recoverable from what a reader is given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.analysis import disclosure
from lib.analysis.disclosure import PRIMARY, SECONDARY, WITHHELD


def feasible_values(published: dict[str, int], labels: dict[str, str], total: int) -> dict[str, set[int]]:
    """An attacker's view, worked out by enumeration rather than by the module's interval rule.

    The attacker knows the published counts, the exact total, and what each label promises: "<5" is 1-4,
    "[c]" beside published counts is at least 5 and at most the smallest published count of 5 or more,
    and "[c]" everywhere is any count. For each hidden cell, every value that some full assignment of the
    hidden cells consistent with all of that allows.
    """
    remainder = total - sum(published.values())
    upper = min((v for v in published.values() if v >= disclosure.THRESHOLD), default=remainder)
    ranges = {}
    for key, label in labels.items():
        if label == PRIMARY:
            ranges[key] = range(1, disclosure.THRESHOLD)
        elif label == SECONDARY:
            ranges[key] = range(disclosure.THRESHOLD, min(upper, remainder) + 1)
        else:
            ranges[key] = range(0, remainder + 1)
    result = {}
    for key in labels:
        reachable = {0}  # sums the other hidden cells can make together
        for other, values in ranges.items():
            if other != key:
                reachable = {s + v for s in reachable for v in values if s + v <= remainder}
        result[key] = {v for v in ranges[key] if remainder - v in reachable}
    return result


ward_counts = st.dictionaries(
    keys=st.sampled_from([f"W{i:02d}" for i in range(33)]),
    values=st.one_of(st.integers(0, 8), st.integers(0, 60)),
    min_size=2,
    max_size=33,
)


@settings(max_examples=400, deadline=None)
@given(ward_counts)
def test_no_hidden_count_can_be_derived_from_what_is_published(counts):
    labels = disclosure.protect(counts)
    published = {k: v for k, v in counts.items() if k not in labels}
    total = sum(counts.values())
    assert not any(disclosure.is_small(v) for v in published.values()), "a count from 1 to 4 was published"
    for key, values in feasible_values(published, labels, total).items():
        assert counts[key] in values, "the attacker model rules out the true value: labels would mislead"
        assert len(values) >= 2, f"{key}={counts[key]} can be derived: only {values} fit"


def test_a_single_small_count_takes_the_next_smallest_with_it():
    counts = {"a": 3, "b": 40, "c": 12, "d": 9, "e": 0}
    assert disclosure.protect(counts) == {"a": PRIMARY, "d": SECONDARY}


def test_a_pair_that_would_still_pin_the_small_count_takes_a_third():
    # 1 + 5 = 6 with "<5" in 1..4 and "[c]" in 5..U pins both; a third cell breaks it.
    counts = {"a": 1, "b": 5, "c": 7, "d": 30}
    assert disclosure.protect(counts) == {"a": PRIMARY, "b": SECONDARY, "c": SECONDARY}


def test_nothing_is_hidden_when_nothing_is_small():
    assert disclosure.protect({"a": 0, "b": 5, "c": 100}) == {}


def test_everything_is_withheld_when_nothing_else_can_protect_a_small_count():
    assert disclosure.protect({"a": 2, "b": 0, "c": 0}) == {"a": WITHHELD, "b": WITHHELD, "c": WITHHELD}
