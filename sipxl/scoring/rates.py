"""Rates used in school data returns: attendance, exclusions, attainment and the poverty-related gap.

Also holds `is_missing`, the one rule every scoring module uses for a blank value.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_missing", "attendance_pct", "exclusions_per_1000", "pct_achieving", "poverty_gap_pp"]


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, pandas NA and blank strings."""
    if value is None:
        return True
    kind = type(value)
    if kind is int:  # the common cases first: this runs for every answer of every file
        return False
    if kind is float:
        return value != value
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(value != value)  # NaN and NaT are the only values unequal to themselves
    except TypeError:  # pandas.NA: its comparison is itself NA
        return True


def _ratio(numerator: float | None, denominator: float | None, scale: float) -> float | None:
    if is_missing(numerator) or is_missing(denominator) or denominator == 0:
        return None
    return scale * float(numerator) / float(denominator)


def attendance_pct(attended: float | None, possible: float | None) -> float | None:
    """Attendance % = attended ÷ possible sessions × 100; None when either is missing or possible is 0."""
    return _ratio(attended, possible, 100.0)


def exclusions_per_1000(cases: float | None, roll: float | None) -> float | None:
    """Exclusions per 1,000 pupils = cases ÷ roll × 1000; None when either is missing or the roll is 0."""
    return _ratio(cases, roll, 1000.0)


def pct_achieving(achieving: float | None, assessed: float | None) -> float | None:
    """% achieving the expected level = achieving ÷ assessed × 100; None when nobody was assessed."""
    return _ratio(achieving, assessed, 100.0)


def poverty_gap_pp(pct_q5: float | None, pct_q1: float | None) -> float | None:
    """Poverty-related gap in percentage points: % in SIMD quintile 5 (least deprived) − % in quintile 1."""
    if is_missing(pct_q5) or is_missing(pct_q1):
        return None
    return float(pct_q5) - float(pct_q1)
