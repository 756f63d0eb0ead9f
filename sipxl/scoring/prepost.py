"""Pre/post results for a small target group (4-6 pupils), reported with the caution they need.

Effect sizes follow Lakens (2013): d_z = mean change ÷ SD of the changes; d_av = mean change ÷ mean
of the pre and post SDs; g_av = d_av × J with Hedges' small-sample correction J = 1 − 3/(4·df − 1)
on df = n − 1 (the paired-design degrees of freedom, as in Borenstein et al., 2009). All SDs are
sample SDs (n − 1) over the pupils with both scores. Reliable change is Jacobson & Truax's (1991)
RCI = change ÷ (√2 · SD_pre · √(1 − r)), reliable when |RCI| > 1.96.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sipxl.scoring.rates import is_missing

__all__ = ["CAUTION", "RCI_CRITICAL", "PupilChange", "PrePostSummary", "hedges_j", "pre_post_summary"]

RCI_CRITICAL = 1.96

CAUTION = (
    "Read these results with care. There was no control or comparison group, so we cannot tell how much "
    "of the change was caused by the intervention: pupils also change with time, growing up and "
    "ordinary teaching. Pupils chosen because they scored low tend to score nearer the average next time "
    "anyway (regression to the mean), so some improvement is expected even without any help. With so few "
    "pupils, one pupil can move the average a lot, and effect sizes and p-values are very uncertain. "
    "Look at each pupil's change, and treat the figures as a description of this group, not as proof "
    "that the intervention works."
)


@dataclass(frozen=True)
class PupilChange:
    """One pupil's pre, post and change (None unless both are present); RCI only when reliability is given."""

    pupil: str
    pre: float | None
    post: float | None
    change: float | None
    rci: float | None
    reliable_change: bool | None


@dataclass(frozen=True)
class PrePostSummary:
    """Group pre/post summary: every pupil's change, mean change, effect sizes, Wilcoxon and the caution."""

    pupils: tuple[PupilChange, ...]
    n_paired: int
    mean_pre: float | None
    mean_post: float | None
    mean_change: float | None
    sd_change: float | None
    d_z: float | None
    d_av: float | None
    g_av: float | None
    wilcoxon_n: int
    wilcoxon_p: float | None
    wilcoxon_note: str | None
    reliability: float | None
    caution: str


def sample_sd(values: Sequence[float]) -> float:
    """The sample standard deviation (n − 1), as statistics.stdev gives it to well within 10 significant digits,
    in floats: statistics.stdev works in exact fractions and costs a worker more than the rest of scoring."""
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def hedges_j(df: int) -> float:
    """Hedges' small-sample correction J = 1 − 3/(4·df − 1); for a paired design df = n − 1."""
    return 1.0 - 3.0 / (4.0 * df - 1.0)


def _ratio(numerator: float, denominator: float | None) -> float | None:
    return None if denominator is None or denominator == 0 else numerator / denominator


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing the average of their places (as scipy.stats.rankdata's default, which
    costs far more than this for the handful of pupils in a group)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end + 2) / 2
        start = end + 1
    return ranks


def _signed_ranks(nonzero: list[float]) -> tuple[float, ...]:
    """The signed ranks of |change| (average ranks for ties), sorted: all the exact test depends on."""
    ranks = average_ranks([abs(c) for c in nonzero])
    return tuple(sorted(math.copysign(r, c) for r, c in zip(ranks, nonzero, strict=True)))


@functools.lru_cache(maxsize=64)
def _null_counts(n: int) -> tuple[int, ...]:
    """How many of the 2**n sign patterns of ranks 1..n give each rank sum W+ = 0 .. n(n+1)/2: the exact null
    distribution of the Wilcoxon signed-rank statistic without ties (the one scipy's exact method uses)."""
    counts = [1]
    for rank in range(1, n + 1):
        grown = counts + [0] * rank
        for w, c in enumerate(counts):
            grown[w + rank] += c
        counts = grown
    return tuple(counts)


@functools.lru_cache(maxsize=4096)
def _exact_p(signed_ranks: tuple[float, ...]) -> float:
    """scipy.stats.wilcoxon(..., method="exact")'s two-sided p, without scipy (loading it costs a worker 0.6 s):
    2 · min(P(W+ ≥ ⌊r+⌋), P(W+ ≤ ⌈r+⌉)) under the no-ties null, at most 1, as scipy computes it with ties
    (gh-19872). Remembered by the signed ranks, which are all it depends on."""
    n = len(signed_ranks)
    counts = _null_counts(n)
    r_plus = sum(r for r in signed_ranks if r > 0)
    high = sum(counts[max(0, math.floor(r_plus)):])
    low = sum(counts[:max(0, math.ceil(r_plus)) + 1])
    return min(1.0, 2 * min(high, low) / 2 ** n)


def _wilcoxon(changes: list[float]) -> tuple[int, float | None, str | None]:
    nonzero = [c for c in changes if c != 0]
    n = len(nonzero)
    if n == 0:
        return 0, None, "No pupil's score changed, so there is no Wilcoxon test to report."
    p = _exact_p(_signed_ranks(nonzero))
    if n > 5:
        return n, p, None
    smallest = 2.0 ** (1 - n)
    note = (
        f"Wilcoxon signed-rank test, exact two-sided p, on {n} pupil(s) whose score changed. With 5 or fewer "
        f"pairs an exact two-sided p can never be below .05 (the smallest possible here is {smallest:.4g}), "
        "however large the changes, so a p above .05 does not show the intervention had no effect. "
        "Read each pupil's change and the effect sizes instead."
    )
    return n, p, note


def pre_post_summary(
    pupils: Sequence[str],
    pre: Sequence[float | None],
    post: Sequence[float | None],
    reliability: float | None = None,
    sd_pre: float | None = None,
) -> PrePostSummary:
    """Summarise pre/post scores for a small group; pupils without both scores are listed but not paired.

    `reliability` (0-1, e.g. the instrument's test-retest or alpha) turns on reliable change; `sd_pre`
    overrides the SD used in the RCI (default: sample SD of the paired pre scores; e.g. a published norm).
    Effect sizes are None with fewer than 2 pairs or a zero SD; g_av also with fewer than 3 pairs
    (the correction is 0 on 1 df). Raises ValueError for unequal lengths or a reliability outside 0-1.
    """
    if not len(pupils) == len(pre) == len(post):
        raise ValueError(f"pupils, pre and post differ in length ({len(pupils)}, {len(pre)}, {len(post)})")
    if is_missing(reliability):
        reliability = None
    elif not 0 <= reliability <= 1:
        raise ValueError(f"Reliability {reliability} must be between 0 and 1")

    rows = [
        (str(p), None if is_missing(a) else float(a), None if is_missing(b) else float(b))
        for p, a, b in zip(pupils, pre, post, strict=True)
    ]
    paired = [(a, b) for _, a, b in rows if a is not None and b is not None]
    n = len(paired)
    pre_p = [a for a, _ in paired]
    post_p = [b for _, b in paired]
    changes = [b - a for a, b in paired]

    sd_pre_p = sample_sd(pre_p) if n >= 2 else None
    sd_post_p = sample_sd(post_p) if n >= 2 else None
    sd_change = sample_sd(changes) if n >= 2 else None
    mean_change = statistics.fmean(changes) if n else None

    d_z = d_av = g_av = None
    if n >= 2:
        d_z = _ratio(mean_change, sd_change)
        d_av = _ratio(mean_change, (sd_pre_p + sd_post_p) / 2)
        if d_av is not None and n >= 3:
            g_av = d_av * hedges_j(n - 1)

    rci_sd = sd_pre_p if is_missing(sd_pre) else float(sd_pre)
    se_diff = None
    if reliability is not None and rci_sd is not None:
        se_diff = math.sqrt(2) * rci_sd * math.sqrt(1 - reliability)

    pupil_changes = []
    for pupil, a, b in rows:
        diff = None if a is None or b is None else b - a
        rci = None if diff is None else _ratio(diff, se_diff)
        pupil_changes.append(
            PupilChange(pupil, a, b, diff, rci, None if rci is None else abs(rci) > RCI_CRITICAL)
        )

    wilcoxon_n, wilcoxon_p, wilcoxon_note = _wilcoxon(changes)
    return PrePostSummary(
        pupils=tuple(pupil_changes),
        n_paired=n,
        mean_pre=statistics.fmean(pre_p) if n else None,
        mean_post=statistics.fmean(post_p) if n else None,
        mean_change=mean_change,
        sd_change=sd_change,
        d_z=d_z,
        d_av=d_av,
        g_av=g_av,
        wilcoxon_n=wilcoxon_n,
        wilcoxon_p=wilcoxon_p,
        wilcoxon_note=wilcoxon_note,
        reliability=reliability,
        caution=CAUTION,
    )
