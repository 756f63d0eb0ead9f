"""Leuven Scale of engagement (Laevers): levels 1-5 summarised per pupil and per session."""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sipxl.scoring.rates import is_missing

__all__ = ["LEVELS", "ENGAGED_MIN", "LeuvenSummary", "summarise_leuven", "summarise_by"]

LEVELS: dict[int, str] = {1: "Disengaged", 2: "Passive", 3: "Intermittent", 4: "Engaged", 5: "Intense"}
ENGAGED_MIN = 4  # levels 4 (Engaged) and 5 (Intense) count as engaged

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class LeuvenSummary:
    """n observations; median, mean and % of observations at 4-5 (0-100); all None when n == 0."""

    n: int
    median: float | None
    mean: float | None
    pct_engaged: float | None


def _level(value: float) -> float:
    level = float(value)
    if not min(LEVELS) <= level <= max(LEVELS):
        raise ValueError(f"Leuven level {value} is outside {min(LEVELS)}-{max(LEVELS)}")
    return level


def summarise_leuven(levels: Iterable[float | None]) -> LeuvenSummary:
    """Summarise Leuven observations, ignoring blanks. Raises ValueError for a level outside 1-5."""
    observed = [_level(x) for x in levels if not is_missing(x)]
    if not observed:
        return LeuvenSummary(n=0, median=None, mean=None, pct_engaged=None)
    engaged = sum(x >= ENGAGED_MIN for x in observed)
    return LeuvenSummary(
        n=len(observed),
        median=float(statistics.median(observed)),
        mean=statistics.fmean(observed),
        pct_engaged=100.0 * engaged / len(observed),
    )


def _sort_keys(keys: Iterable[K]) -> list[K]:
    keys = list(keys)
    try:
        return sorted(keys)
    except TypeError:  # keys of mixed types: sort by their text
        return sorted(keys, key=str)


def summarise_by(observations: Iterable[tuple[K, float | None]]) -> dict[K, LeuvenSummary]:
    """Summarise (key, level) pairs per key (a pupil reference or a session), in key order.

    A key whose levels are all blank still appears, with n == 0.
    """
    grouped: dict[K, list[float | None]] = {}
    for key, level in observations:
        grouped.setdefault(key, []).append(level)
    return {key: summarise_leuven(grouped[key]) for key in _sort_keys(grouped)}
