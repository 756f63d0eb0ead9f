import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sipxl.scoring.gas import RHO, gas_t_score, recode_level, score_gas_child

level_st = st.sampled_from([-2, -1, 0, 1, 2])
weight_st = st.integers(1, 10)


def test_rho():
    assert RHO == 0.3


def test_design_weighted_example():
    assert round(gas_t_score([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]), 4) == 55.0000


def test_design_child_example():
    child = score_gas_child([(1, -1, 0), (1, -1, 0), (1, -1, 1), (1, -1, -1)])
    assert round(child.baseline_t, 4) == 35.4905
    assert round(child.review_t, 4) == 50.0000
    assert round(child.change, 4) == 14.5095
    assert child.goals_at_baseline == child.goals_at_review == 4


def test_unweighted_default_and_blank_weights_are_one():
    assert gas_t_score([-1] * 4) == gas_t_score([-1] * 4, [None] * 4) == gas_t_score([-1] * 4, [1] * 4)


def test_recode():
    assert recode_level(-0.5) == -1
    assert recode_level(1) == 1
    assert recode_level(None) is None and recode_level(math.nan) is None
    assert gas_t_score([-0.5, 0]) == gas_t_score([-1, 0])


def test_missing_goals_are_left_out():
    assert gas_t_score([1, None, -1, math.nan], [2, 5, 3, 7]) == gas_t_score([1, -1], [2, 3])
    assert gas_t_score([None, None]) is None
    assert gas_t_score([]) is None
    assert gas_t_score([1, 2], [0, 0]) is None


def test_child_with_blank_review():
    child = score_gas_child([(2, -1, None), (1, -1, None)])
    assert child.baseline_t is not None
    assert child.review_t is None and child.change is None
    assert child.goals_at_review == 0


def test_single_goal():
    # one goal: T = 50 + 10x whatever the weight
    assert gas_t_score([2], [7]) == pytest.approx(70)


@pytest.mark.parametrize(("levels", "weights"), [([3], None), ([-3], None), ([0], [-1]), ([0, 1], [1])])
def test_bad_input_raises(levels, weights):
    with pytest.raises(ValueError):
        gas_t_score(levels, weights)


@given(st.lists(weight_st, min_size=1, max_size=5))
def test_all_zero_levels_give_50(weights):
    assert gas_t_score([0] * len(weights), weights) == pytest.approx(50)


@given(st.lists(st.tuples(weight_st, level_st), min_size=1, max_size=5), st.data())
def test_raising_any_level_raises_t(goals, data):
    weights = [w for w, _ in goals]
    levels = [x for _, x in goals]
    i = data.draw(st.integers(0, len(goals) - 1))
    assume(levels[i] < 2)
    higher = list(levels)
    higher[i] += 1
    assert gas_t_score(higher, weights) > gas_t_score(levels, weights)


@given(st.lists(st.tuples(weight_st, level_st), min_size=1, max_size=5))
def test_mirror_levels_mirror_t(goals):
    weights = [w for w, _ in goals]
    levels = [x for _, x in goals]
    t = gas_t_score(levels, weights)
    assert gas_t_score([-x for x in levels], weights) == pytest.approx(100 - t)


@given(st.lists(st.tuples(weight_st, level_st, level_st), min_size=1, max_size=5))
def test_child_change_is_review_minus_baseline(goals):
    child = score_gas_child(goals)
    assert child.change == pytest.approx(child.review_t - child.baseline_t)
