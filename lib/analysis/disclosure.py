"""Disclosure control for sensitive ward counts: small counts hidden, and hidden counts not recoverable.

The unit of protection is one published table: the count for each ward for one measure and one period, shown
next to the exact city total. The attacker we protect against sees every published ward count, the exact total,
and what the labels say about the hidden cells:

* PRIMARY cells (labelled "<5") hold a count from 1 to 4;
* SECONDARY cells (labelled "[c]") hold a count of at least 5 and, because we always pick the smallest remaining
  count, no more than the smallest count still published (written U below).

Primary suppression hides every count from 1 to 4. Secondary suppression then adds the smallest published count
of 5 or more, one at a time, until no hidden cell is pinned to a single value: for each hidden cell i the values
consistent with what is published form the interval
    [max(lo_i, S - sum of the others' hi), min(hi_i, S - sum of the others' lo)]
where S is the total minus the published counts; a cell is exposed when that interval has one value. The loop
ends because each step hides one more cell; if none is left to hide, every ward is withheld (WITHHELD, also
labelled "[c]", telling a reader only that the count is 0 or more).

Zeros are published: "none" is not a small number, and hiding it would protect nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 are hidden
PRIMARY = "primary"
SECONDARY = "secondary"
WITHHELD = "withheld"  # the last resort: every ward hidden, a reader knows only that each count is 0 or more
LABELS = {PRIMARY: f"<{THRESHOLD}", SECONDARY: "[c]", WITHHELD: "[c]"}
EXPLANATION = (
    f"<{THRESHOLD}: a count from 1 to {THRESHOLD - 1}, hidden to protect the people counted. "
    "[c]: hidden as well, so that a small count cannot be worked out by subtracting the other wards "
    "from the city total. Rates, changes and ranks of hidden wards are withheld too."
)


def is_small(count: int) -> bool:
    """Whether a count must be hidden on its own (primary suppression)."""
    return 0 < count < THRESHOLD


def known_range(kind: str, upper: float) -> tuple[float, float]:
    """What a reader can tell about a hidden cell of this kind from its label (upper: smallest published count)."""
    if kind == PRIMARY:
        return 1, THRESHOLD - 1
    return (THRESHOLD, upper) if kind == SECONDARY else (0, float("inf"))


def exposed(counts: Mapping[str, int], hidden: Mapping[str, str]) -> list[str]:
    """Hidden cells whose value a reader could work out from the published counts, the total and the labels."""
    if not hidden:
        return []
    published = [v for k, v in counts.items() if k not in hidden]
    upper = min((v for v in published if v >= THRESHOLD), default=float("inf"))
    remainder = sum(counts.values()) - sum(published)
    ranges = {k: known_range(kind, upper) for k, kind in hidden.items()}
    found = []
    for key, (lo, hi) in ranges.items():
        others_lo = sum(r[0] for k, r in ranges.items() if k != key)
        others_hi = sum(r[1] for k, r in ranges.items() if k != key)  # summed apart: inf - inf would be NaN
        low = max(lo, remainder - others_hi)
        high = min(hi, remainder - others_lo)
        if high <= low:
            found.append(key)
    return found


def protect(counts: Mapping[str, int], withheld: Iterable[str] = ()) -> dict[str, str]:
    """Which cells to hide, and why (PRIMARY or SECONDARY), so that no hidden count can be recovered. Cells named in
    withheld are hidden whatever their count (WITHHELD: a reader knows only that each is 0 or more), and the
    secondary cells then protect them too."""
    hidden = {key: PRIMARY for key, count in counts.items() if is_small(int(count))}
    hidden |= {key: WITHHELD for key in withheld if key in counts}
    while exposed(counts, hidden):
        candidates = sorted((count, key) for key, count in counts.items() if key not in hidden and count >= THRESHOLD)
        if not candidates:
            return dict.fromkeys(counts, WITHHELD)
        hidden[candidates[0][1]] = SECONDARY
    return hidden
