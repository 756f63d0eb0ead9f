import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sipxl.scoring.social_skills import DOMAINS, TOTAL_MAX, change, score_social_skills

items_st = st.lists(st.integers(0, 4), min_size=15, max_size=15)


def test_domains_cover_items_1_to_15_in_order():
    assert list(DOMAINS) == ["Social Conversation", "Social Play", "Learning"]
    assert [n for numbers in DOMAINS.values() for n in numbers] == list(range(1, 16))


def test_full_form():
    score = score_social_skills([4, 3, 2, 1, 0, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4])
    assert score.subtotals == {"Social Conversation": 10, "Social Play": 5, "Learning": 20}
    assert score.total == 35
    assert score.answered == 15


def test_all_fours_is_60():
    assert score_social_skills([4] * 15).total == TOTAL_MAX == 60


def test_missing_item_blanks_its_domain_and_total_only():
    items = [2] * 15
    items[7] = None
    items[12] = math.nan
    score = score_social_skills(items)
    assert score.subtotals == {"Social Conversation": 10, "Social Play": None, "Learning": None}
    assert score.total is None
    assert score.answered == 13


def test_all_blank():
    score = score_social_skills([None] * 15)
    assert score.total is None and score.answered == 0


@pytest.mark.parametrize("bad", [5, -1, 4.5])
def test_out_of_range_item_raises(bad):
    with pytest.raises(ValueError, match="item 3"):
        score_social_skills([0, 0, bad] + [0] * 12)


def test_wrong_length_raises():
    with pytest.raises(ValueError):
        score_social_skills([0] * 14)


def test_change():
    assert change(22, 31) == 9
    assert change(31, 22) == -9
    assert change(None, 31) is None
    assert change(22, math.nan) is None


@given(items_st)
def test_total_in_range_and_sum_of_subtotals(items):
    score = score_social_skills(items)
    assert 0 <= score.total <= TOTAL_MAX
    assert score.total == sum(score.subtotals.values())
    assert score.total == sum(items)


@given(items_st, st.integers(0, 14))
def test_any_missing_item_blanks_total(items, blank):
    items[blank] = None
    score = score_social_skills(items)
    assert score.total is None
    assert score.answered == 14
    assert sum(v is None for v in score.subtotals.values()) == 1
