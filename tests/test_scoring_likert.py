import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sipxl.scoring.likert import AGREEMENT, likert_table


def test_scale():
    assert AGREEMENT == ("Completely agree", "Mostly agree", "Not sure either way", "Disagree",
                         "Completely disagree")


def test_table_keeps_item_order_and_counts_n_answered():
    rows = likert_table({
        "We planned together": ["Completely agree"] * 6 + ["Mostly agree"] * 3 + [None, math.nan, ""]
        + ["Disagree"],
        "It changed my practice": ["mostly  agree", "Not sure either way"],
    })
    assert [r.item for r in rows] == ["We planned together", "It changed my practice"]
    first, second = rows
    assert first.n == 10
    assert list(first.percentages) == list(AGREEMENT)
    assert first.percentages["Completely agree"] == pytest.approx(60.0)
    assert first.percentages["Mostly agree"] == pytest.approx(30.0)
    assert first.percentages["Disagree"] == pytest.approx(10.0)
    assert first.percentages["Completely disagree"] == 0.0
    assert first.counts["Completely agree"] == 6
    assert second.n == 2 and second.percentages["Mostly agree"] == pytest.approx(50.0)


def test_item_nobody_answered():
    (row,) = likert_table({"Q": [None, None]})
    assert row.n == 0
    assert all(p is None for p in row.percentages.values())


def test_custom_scale_and_unknown_response():
    (row,) = likert_table({"Q": ["Yes", "No", "Yes"]}, scale=("Yes", "No"))
    assert row.percentages == {"Yes": pytest.approx(200 / 3), "No": pytest.approx(100 / 3)}
    with pytest.raises(ValueError, match="Maybe"):
        likert_table({"Q": ["Maybe"]}, scale=("Yes", "No"))


@given(st.dictionaries(st.text(min_size=1, max_size=5),
                       st.lists(st.one_of(st.none(), st.sampled_from(AGREEMENT)), max_size=30), max_size=5))
def test_percentages_sum_to_100(survey):
    rows = likert_table(survey)
    assert [r.item for r in rows] == list(survey)
    for row in rows:
        assert row.n == sum(r is not None for r in survey[row.item])
        if row.n:
            assert sum(row.percentages.values()) == pytest.approx(100.0)
