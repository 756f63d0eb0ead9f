import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sipxl.scoring.rates import attendance_pct, exclusions_per_1000, is_missing, pct_achieving, poverty_gap_pp


def test_is_missing():
    assert is_missing(None) and is_missing(math.nan) and is_missing("  ")
    assert not is_missing(0) and not is_missing("x") and not is_missing(0.0)


def test_attendance():
    assert attendance_pct(171, 190) == pytest.approx(90.0)
    assert attendance_pct(0, 190) == 0
    assert attendance_pct(10, 0) is None
    assert attendance_pct(10, None) is None
    assert attendance_pct(None, 190) is None
    assert attendance_pct(math.nan, 190) is None


def test_exclusions_per_1000():
    assert exclusions_per_1000(7, 350) == pytest.approx(20.0)
    assert round(exclusions_per_1000(3, 412), 4) == 7.2816
    assert exclusions_per_1000(3, 0) is None


def test_pct_achieving_and_gap():
    q5 = pct_achieving(45, 50)
    q1 = pct_achieving(36, 60)
    assert q5 == pytest.approx(90.0) and q1 == pytest.approx(60.0)
    assert poverty_gap_pp(q5, q1) == pytest.approx(30.0)
    assert poverty_gap_pp(55.0, 70.0) == pytest.approx(-15.0)
    assert poverty_gap_pp(None, 70.0) is None
    assert pct_achieving(0, 0) is None


@given(st.integers(1, 400), st.data())
def test_attendance_within_0_100(possible, data):
    attended = data.draw(st.integers(0, possible))
    assert 0 <= attendance_pct(attended, possible) <= 100
