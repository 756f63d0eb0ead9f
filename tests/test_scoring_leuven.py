import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sipxl.scoring.leuven import LEVELS, LeuvenSummary, summarise_by, summarise_leuven

DESIGN_SCANS = [[3, 4, 2], [5, 4, 4], [2, 2, 3], [4, 5, 5], [3, 3, 4], [1, 2, 2]]


def test_levels():
    assert LEVELS == {1: "Disengaged", 2: "Passive", 3: "Intermittent", 4: "Engaged", 5: "Intense"}


def test_design_example_all_observations():
    summary = summarise_leuven(level for scans in DESIGN_SCANS for level in scans)
    assert summary.n == 18
    assert round(summary.mean, 3) == 3.222
    assert summary.mean == pytest.approx(3.2222, abs=1e-4)
    assert round(summary.pct_engaged, 1) == 44.4
    assert summary.pct_engaged == pytest.approx(44.4444, abs=1e-4)
    assert summary.median == 3.0


def test_design_example_per_pupil():
    observations = [(f"P{i + 1}", level) for i, scans in enumerate(DESIGN_SCANS) for level in scans]
    by_pupil = summarise_by(observations)
    assert list(by_pupil) == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert by_pupil["P2"] == LeuvenSummary(n=3, median=4.0, mean=pytest.approx(13 / 3), pct_engaged=100.0)
    assert by_pupil["P6"].pct_engaged == 0.0
    assert by_pupil["P1"].median == 3.0


def test_per_session_sorted_by_key():
    observations = [
        (scan, level) for scans in DESIGN_SCANS for scan, level in zip((3, 1, 2), scans, strict=True)
    ]
    by_session = summarise_by(observations)
    assert list(by_session) == [1, 2, 3]
    assert by_session[3].mean == pytest.approx(18 / 6)  # first scan of each pupil: 3,5,2,4,3,1


def test_blanks_ignored_and_empty_is_all_none():
    assert summarise_leuven([None, math.nan, 4, 2]).n == 2
    assert summarise_leuven([None, math.nan]) == LeuvenSummary(0, None, None, None)
    assert summarise_by([("P1", None)]) == {"P1": LeuvenSummary(0, None, None, None)}


def test_mixed_key_types_do_not_raise():
    assert list(summarise_by([("b", 1), (2, 3)])) == [2, "b"]


@pytest.mark.parametrize("bad", [0, 6])
def test_out_of_range_raises(bad):
    with pytest.raises(ValueError):
        summarise_leuven([3, bad])


@given(st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=40))
def test_summary_properties(levels):
    summary = summarise_leuven(levels)
    present = [x for x in levels if x is not None]
    assert summary.n == len(present)
    if present:
        assert min(present) <= summary.mean <= max(present)
        assert min(present) <= summary.median <= max(present)
        assert 0 <= summary.pct_engaged <= 100
    else:
        assert summary.mean is None and summary.pct_engaged is None
