import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sipxl.scoring.prepost import CAUTION, hedges_j, pre_post_summary

PUPILS = ["A01", "A02", "A03", "A04", "A05"]
PRE = [22, 30, 18, 35, 27]
POST = [31, 34, 25, 36, 35]


def test_design_example():
    s = pre_post_summary(PUPILS, PRE, POST)
    assert s.n_paired == 5
    assert round(s.mean_change, 4) == 5.8
    assert round(s.d_z, 4) == 1.7731
    assert round(s.d_av, 4) == 1.0456
    assert round(s.g_av, 4) == 0.8365
    assert [p.change for p in s.pupils] == [9, 4, 7, 1, 8]
    assert [p.pupil for p in s.pupils] == PUPILS
    assert all(p.reliable_change is None and p.rci is None for p in s.pupils)
    assert s.caution == CAUTION


def test_hedges_correction_on_n_minus_1_df():
    assert hedges_j(4) == pytest.approx(0.8)


def test_wilcoxon_exact_and_note():
    s = pre_post_summary(PUPILS, PRE, POST)
    assert s.wilcoxon_n == 5
    assert s.wilcoxon_p == pytest.approx(0.0625)  # all five improved: the smallest p five pairs allow
    assert ".05" in s.wilcoxon_note and "0.0625" in s.wilcoxon_note


def test_no_note_with_six_changes():
    s = pre_post_summary(list("abcdef"), [10, 12, 9, 14, 11, 8], [15, 16, 13, 20, 12, 13])
    assert s.wilcoxon_n == 6
    assert s.wilcoxon_p == pytest.approx(0.03125)
    assert s.wilcoxon_note is None


def test_zero_changes_are_dropped_from_wilcoxon():
    s = pre_post_summary(list("abcdef"), [10, 12, 9, 14, 11, 8], [15, 16, 13, 20, 12, 8])
    assert s.wilcoxon_n == 5 and s.wilcoxon_note is not None


def test_reliable_change():
    s = pre_post_summary(PUPILS, PRE, POST, reliability=0.8)
    sd_pre = 6.655825  # sample SD of PRE
    se_diff = math.sqrt(2) * sd_pre * math.sqrt(0.2)
    assert s.pupils[0].rci == pytest.approx(9 / se_diff, rel=1e-6)
    assert [p.reliable_change for p in s.pupils] == [True, False, False, False, False]
    s2 = pre_post_summary(PUPILS, PRE, POST, reliability=0.8, sd_pre=3.0)
    assert s2.pupils[3].rci == pytest.approx(1 / (math.sqrt(2) * 3 * math.sqrt(0.2)))


def test_reliability_must_be_0_to_1():
    with pytest.raises(ValueError):
        pre_post_summary(PUPILS, PRE, POST, reliability=80)


def test_unpaired_pupils_listed_not_counted():
    s = pre_post_summary(PUPILS + ["A06"], PRE + [None], POST + [40])
    assert s.n_paired == 5
    assert round(s.d_z, 4) == 1.7731
    assert s.pupils[-1].change is None and s.pupils[-1].post == 40


def test_too_few_pairs():
    s = pre_post_summary(["a", "b"], [10, None], [12, 15])
    assert s.n_paired == 1 and s.mean_change == 2
    assert s.d_z is None and s.d_av is None and s.g_av is None
    assert s.wilcoxon_p == pytest.approx(1.0)
    empty = pre_post_summary([], [], [])
    assert empty.n_paired == 0 and empty.mean_change is None and empty.wilcoxon_p is None
    assert empty.caution == CAUTION


def test_zero_sd_gives_no_effect_size():
    s = pre_post_summary(list("abc"), [10, 12, 14], [13, 15, 17])
    assert s.d_z is None
    assert s.d_av is not None


def test_unequal_lengths_raise():
    with pytest.raises(ValueError):
        pre_post_summary(PUPILS, PRE, POST[:4])


def test_caution_says_the_important_things():
    text = CAUTION.lower()
    assert "control" in text and "regression to the mean" in text


scores = st.integers(0, 60)


@given(st.lists(st.tuples(scores, scores), min_size=3, max_size=8), st.integers(-5, 5))
def test_shift_and_swap(pairs, shift):
    pupils = [str(i) for i in range(len(pairs))]
    pre = [a for a, _ in pairs]
    post = [b for _, b in pairs]
    s = pre_post_summary(pupils, pre, post)
    shifted = pre_post_summary(pupils, pre, [b + shift for b in post])
    assert shifted.mean_change == pytest.approx(s.mean_change + shift)
    swapped = pre_post_summary(pupils, post, pre)
    assert swapped.mean_change == pytest.approx(-s.mean_change)
    if s.d_z is not None:
        assert swapped.d_z == pytest.approx(-s.d_z)
    if s.d_av is not None:
        assert swapped.d_av == pytest.approx(-s.d_av)
        assert abs(s.g_av) <= abs(s.d_av)
    if s.wilcoxon_p is not None:
        assert 0 < s.wilcoxon_p <= 1
        if s.wilcoxon_n <= 5:
            assert s.wilcoxon_p > 0.05


@settings(deadline=None)  # the first example pays for importing scipy
@given(st.lists(st.sampled_from([-4, -3, -2, -1, 0, 0.5, 1, 2, 3, 5, 8]) | st.integers(-60, 60), min_size=1,
                max_size=25))
def test_remembered_exact_p_equals_scipy_on_the_changes(changes):
    """sipxl's own exact p (remembered by the signed ranks) equals scipy's exact p on the raw changes, ties and
    all, for groups far larger than the methodology's 4-6 pupils."""
    import warnings

    from scipy import stats

    from sipxl.scoring.prepost import _wilcoxon

    nonzero = [c for c in changes if c != 0]
    n, p, _ = _wilcoxon(list(changes))
    assert n == len(nonzero)
    if nonzero:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert p == pytest.approx(float(stats.wilcoxon(nonzero, method="exact").pvalue), abs=1e-12)
    else:
        assert p is None


@given(st.lists(st.sampled_from([0.5, 1.0, 2.0, 2.5, 3.0, 7.0, 12.25]) | st.floats(0.01, 60, allow_nan=False),
                min_size=1, max_size=40))
def test_average_ranks_are_scipys_rankdata(values):
    from scipy.stats import rankdata

    from sipxl.scoring.prepost import average_ranks

    assert average_ranks(values) == [float(r) for r in rankdata(values)]


@given(st.lists(st.integers(0, 60) | st.floats(0, 100, allow_nan=False), min_size=2, max_size=40))
def test_sample_sd_is_statistics_stdev(values):
    import statistics

    from sipxl.scoring.prepost import sample_sd

    assert sample_sd(values) == pytest.approx(statistics.stdev(values), rel=1e-12, abs=1e-12)
