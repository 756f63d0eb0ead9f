import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sipxl.scoring.rosenberg import ITEMS, RESPONSES, REVERSED, item_score, score_rosenberg

SA, A, D, SD = RESPONSES
FLIP = {SA: SD, A: D, D: A, SD: SA}
form_st = st.lists(st.sampled_from(RESPONSES), min_size=10, max_size=10)


def test_item_wording_and_order():
    assert ITEMS == (
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
    assert REVERSED == (2, 5, 6, 8, 9)
    assert RESPONSES == ("Strongly agree", "Agree", "Disagree", "Strongly disagree")


@pytest.mark.parametrize(("response", "score"), [(SA, 3), (A, 2), (D, 1), (SD, 0)])
def test_positive_item(response, score):
    assert item_score(1, response) == score


@pytest.mark.parametrize(("response", "score"), [(SA, 0), (A, 1), (D, 2), (SD, 3)])
def test_reversed_item(response, score):
    assert item_score(2, response) == score


def test_response_matching_is_forgiving_about_case_and_spaces():
    assert item_score(1, "  strongly   AGREE ") == 3


def test_blank_and_bad():
    assert item_score(3, None) is None
    assert item_score(3, "") is None
    assert item_score(3, math.nan) is None
    with pytest.raises(ValueError):
        item_score(3, "Neutral")
    with pytest.raises(ValueError):
        item_score(11, SA)


def test_best_and_worst_forms():
    best = [SD if n in REVERSED else SA for n in range(1, 11)]
    assert score_rosenberg(best).total == 30
    assert score_rosenberg([FLIP[r] for r in best]).total == 0


def test_low_threshold():
    # items 1-10 all "Agree": positive items 5 x 2 = 10, reversed items 5 x 1 = 5, total 15: not low
    assert score_rosenberg([A] * 10).total == 15 and score_rosenberg([A] * 10).low is False
    # all "Disagree": 5 x 1 + 5 x 2 = 15 as well; make one positive item SD to get 14
    form = [D] * 10
    form[0] = SD
    assert score_rosenberg(form).total == 14 and score_rosenberg(form).low is True


def test_missing_item():
    form = [A] * 10
    form[4] = None
    score = score_rosenberg(form)
    assert score.total is None and score.low is None and score.answered == 9


def test_wrong_length_raises():
    with pytest.raises(ValueError):
        score_rosenberg([A] * 9)


@given(form_st)
def test_total_range_and_low(form):
    score = score_rosenberg(form)
    assert 0 <= score.total <= 30
    assert score.answered == 10
    assert score.low == (score.total < 15)


@given(form_st)
def test_reversing_every_answer_maps_t_to_30_minus_t(form):
    assert score_rosenberg([FLIP[r] for r in form]).total == 30 - score_rosenberg(form).total
