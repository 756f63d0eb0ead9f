"""Rosenberg Self-Esteem Scale (Rosenberg, 1965): 10 items scored 0-3, total 0-30, below 15 = low."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sipxl.scoring.rates import is_missing

__all__ = ["ITEMS", "RESPONSES", "REVERSED", "TOTAL_MAX", "LOW_BELOW", "RosenbergScore", "item_score",
           "score_rosenberg"]

ITEMS: tuple[str, ...] = (
    "On the whole, I am satisfied with myself.",
    "At times I think I am no good at all.",
    "I feel that I have a number of good qualities.",
    "I am able to do things as well as most other people.",
    "I feel I do not have much to be proud of.",
    "I certainly feel useless at times.",
    "I feel that I'm a person of worth, at least on an equal plane with others.",
    "I wish I could have more respect for myself.",
    "All in all, I am inclined to feel that I am a failure.",
    "I take a positive attitude toward myself.",
)
RESPONSES = ("Strongly agree", "Agree", "Disagree", "Strongly disagree")
REVERSED = (2, 5, 6, 8, 9)  # 1-based item numbers scored Strongly disagree = 3
TOTAL_MAX = 30
LOW_BELOW = 15

_POSITIVE = {r.casefold(): 3 - i for i, r in enumerate(RESPONSES)}  # SA=3, A=2, D=1, SD=0


@dataclass(frozen=True)
class RosenbergScore:
    """Total 0-30 (None if any item is blank), items answered, and low = total below 15."""

    total: int | None
    answered: int
    low: bool | None


def item_score(item_number: int, response: str | None) -> int | None:
    """Score one response 0-3 (reversed for items 2, 5, 6, 8, 9); None when blank.

    Case and extra spaces are ignored. Raises ValueError for an item number outside 1-10 or a
    response not in RESPONSES.
    """
    if not 1 <= item_number <= len(ITEMS):
        raise ValueError(f"Rosenberg item number {item_number} is outside 1-{len(ITEMS)}")
    if is_missing(response):
        return None
    key = " ".join(str(response).split()).casefold()
    if key not in _POSITIVE:
        raise ValueError(f"Rosenberg item {item_number}: {response!r} is not one of {', '.join(RESPONSES)}")
    score = _POSITIVE[key]
    return 3 - score if item_number in REVERSED else score


def score_rosenberg(responses: Sequence[str | None]) -> RosenbergScore:
    """Score the 10 responses given in item order. Raises ValueError for the wrong number of items."""
    if len(responses) != len(ITEMS):
        raise ValueError(f"Rosenberg needs {len(ITEMS)} responses, got {len(responses)}")
    scores = [item_score(number, r) for number, r in enumerate(responses, start=1)]
    answered = sum(s is not None for s in scores)
    if answered < len(ITEMS):
        return RosenbergScore(total=None, answered=answered, low=None)
    total = sum(scores)
    return RosenbergScore(total=total, answered=answered, low=total < LOW_BELOW)
