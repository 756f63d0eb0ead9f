"""Goal Attainment Scaling (Kiresuk & Sherman, 1968): weighted goal levels combined into a T-score.

T = 50 + 10·Σwx / √((1−ρ)Σw² + ρ(Σw)²), with ρ = 0.3 the conventional inter-goal correlation.
Levels x run −2..+2 (−1 is the usual baseline); a −0.5 level (used by some teams for "partly
towards expected") is recoded to −1 for analysis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sipxl.scoring.rates import is_missing

__all__ = ["RHO", "LEVEL_MIN", "LEVEL_MAX", "GasChild", "recode_level", "gas_t_score", "score_gas_child"]

RHO = 0.3
LEVEL_MIN = -2
LEVEL_MAX = 2


def recode_level(x: float | None) -> float | None:
    """−0.5 → −1 for analysis; other levels unchanged; a blank stays None."""
    if is_missing(x):
        return None
    return -1.0 if float(x) == -0.5 else float(x)


def _weight(w: float | None) -> float:
    if is_missing(w):
        return 1.0
    weight = float(w)
    if weight < 0:
        raise ValueError(f"GAS weight {w} is negative")
    return weight


def gas_t_score(
    levels: Sequence[float | None], weights: Sequence[float | None] | None = None, rho: float = RHO
) -> float | None:
    """GAS T-score over the goals whose level is present.

    Weights default to 1 (also for a blank weight). Returns None when no goal is scored or all the
    scored goals weigh 0. Raises ValueError for a level outside −2..+2, a negative weight, or
    weights of a different length from levels.
    """
    if weights is None:
        weights = [None] * len(levels)
    if len(weights) != len(levels):
        raise ValueError(f"GAS has {len(levels)} levels but {len(weights)} weights")
    sum_wx = sum_w = sum_w2 = 0.0
    scored = 0
    for level, w in zip(levels, weights, strict=True):
        x = recode_level(level)
        if x is None:
            continue
        if not LEVEL_MIN <= x <= LEVEL_MAX:
            raise ValueError(f"GAS level {level} is outside {LEVEL_MIN}..{LEVEL_MAX}")
        weight = _weight(w)
        sum_wx += weight * x
        sum_w += weight
        sum_w2 += weight * weight
        scored += 1
    denominator = (1 - rho) * sum_w2 + rho * sum_w**2
    if scored == 0 or denominator <= 0:
        return None
    return 50.0 + 10.0 * sum_wx / math.sqrt(denominator)


@dataclass(frozen=True)
class GasChild:
    """One child's GAS: T at baseline and at review, change = review − baseline (None if either is)."""

    baseline_t: float | None
    review_t: float | None
    change: float | None
    goals_at_baseline: int
    goals_at_review: int


def score_gas_child(
    goals: Sequence[tuple[float | None, float | None, float | None]], rho: float = RHO
) -> GasChild:
    """Score a child's goals given as (weight, baseline level, review level).

    Each T uses the goals scored at that time point, so a goal with a blank review is left out of the
    review T only; `goals_at_baseline` and `goals_at_review` say how many goals each T rests on.
    """
    weights = [g[0] for g in goals]
    baseline = [g[1] for g in goals]
    review = [g[2] for g in goals]
    baseline_t = gas_t_score(baseline, weights, rho)
    review_t = gas_t_score(review, weights, rho)
    diff = None if baseline_t is None or review_t is None else review_t - baseline_t
    return GasChild(
        baseline_t=baseline_t,
        review_t=review_t,
        change=diff,
        goals_at_baseline=sum(not is_missing(x) for x in baseline),
        goals_at_review=sum(not is_missing(x) for x in review),
    )
