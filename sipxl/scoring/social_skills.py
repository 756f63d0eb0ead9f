"""Social Skills Pupil Assessment: 15 items scored 0-4 in three domains, total out of 60."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sipxl.scoring.rates import is_missing

__all__ = ["DOMAINS", "ITEM_MIN", "ITEM_MAX", "N_ITEMS", "TOTAL_MAX", "SocialSkillsScore",
           "score_social_skills", "change"]

DOMAINS: dict[str, tuple[int, ...]] = {
    "Social Conversation": (1, 2, 3, 4, 5),
    "Social Play": (6, 7, 8, 9, 10),
    "Learning": (11, 12, 13, 14, 15),
}
ITEM_MIN = 0
ITEM_MAX = 4
N_ITEMS = 15
TOTAL_MAX = 60


@dataclass(frozen=True)
class SocialSkillsScore:
    """Domain sub-totals and total (None where any contributing item is missing); `answered` of 15."""

    subtotals: dict[str, float | None]
    total: float | None
    answered: int


def score_social_skills(items: Sequence[float | None]) -> SocialSkillsScore:
    """Score 15 item values given in item order (1-15).

    Raises ValueError for the wrong number of items or a value outside 0-4; blanks never raise.
    """
    if len(items) != N_ITEMS:
        raise ValueError(f"Social skills needs {N_ITEMS} items, got {len(items)}")
    values: list[float | None] = []
    for number, item in enumerate(items, start=1):
        if is_missing(item):
            values.append(None)
            continue
        value = float(item)
        if not ITEM_MIN <= value <= ITEM_MAX:
            raise ValueError(f"Social skills item {number} is {item}; it must be {ITEM_MIN}-{ITEM_MAX}")
        values.append(value)
    subtotals: dict[str, float | None] = {}
    for domain, numbers in DOMAINS.items():
        domain_values = [values[n - 1] for n in numbers]
        subtotals[domain] = None if None in domain_values else sum(domain_values)
    parts = list(subtotals.values())
    total = None if None in parts else sum(parts)
    answered = sum(v is not None for v in values)
    return SocialSkillsScore(subtotals=subtotals, total=total, answered=answered)


def change(pre: float | None, post: float | None) -> float | None:
    """Change = post − pre; None when either is missing."""
    if is_missing(pre) or is_missing(post):
        return None
    return float(post) - float(pre)
