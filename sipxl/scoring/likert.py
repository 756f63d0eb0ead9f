"""Likert survey tables: percentage choosing each response per item, with N (as in the 2014 evaluation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sipxl.scoring.rates import is_missing

__all__ = ["AGREEMENT", "LikertRow", "likert_table"]

AGREEMENT = ("Completely agree", "Mostly agree", "Not sure either way", "Disagree", "Completely disagree")


@dataclass(frozen=True)
class LikertRow:
    """One survey item: N answered, counts and percentages of N per response, in scale order.

    Percentages are None when N == 0 (nobody answered the item).
    """

    item: str
    n: int
    percentages: dict[str, float | None]
    counts: dict[str, int]


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def likert_table(
    responses_by_item: Mapping[str, Iterable[str | None]], scale: Sequence[str] = AGREEMENT
) -> list[LikertRow]:
    """One row per item, in the mapping's order; blanks are left out of N.

    Responses match the scale ignoring case and extra spaces. Raises ValueError for a response
    that is not on the scale.
    """
    lookup = {_normalise(label): label for label in scale}
    rows = []
    for item, responses in responses_by_item.items():
        counts = dict.fromkeys(scale, 0)
        for response in responses:
            if is_missing(response):
                continue
            label = lookup.get(_normalise(str(response)))
            if label is None:
                raise ValueError(f"Survey item {item!r}: {response!r} is not one of {', '.join(scale)}")
            counts[label] += 1
        n = sum(counts.values())
        percentages = {label: (100.0 * c / n if n else None) for label, c in counts.items()}
        rows.append(LikertRow(item=item, n=n, percentages=percentages, counts=counts))
    return rows
