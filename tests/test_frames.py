"""The tidy tables hold repeated text dictionary-encoded (pandas Categorical, sipxl.consolidate.frames): every figure
and every tidy file must be what the same tables give as plain text, as they were held before (issue 13)."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipxl.consolidate import analysis as A
from sipxl.consolidate.frames import PREFIX, RETURN_PREFIX, _encoded, tidy_frames
from sipxl.consolidate.outputs import _write_frame
from sipxl.consolidate.tidy import COLUMNS
from sipxl.spec import lists as L

SEEDS = ["9910014", "9910032", "9910059", "9910067"]
TEXT = st.sampled_from(["North", "South", "=cmd|' /c calc'!A1", "@SUM(1)", "Ness", "Özil Park"]) | st.none()
QUANTITIES = ["assessed", "achieved", "possible", "attended", "roll", "exclusion cases", "current", "aim"]
GROUPS = [*(f"Q{q}" for q in L.SIMD_QUINTILES), *L.STRETCH_GROUPS]


def _frames(columns: dict[str, list]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table as plain text (as pd.DataFrame made it from the lists before) and as tidy_frames holds it."""
    n = len(next(iter(columns.values())))
    plain = pd.DataFrame(columns)
    coded = pd.DataFrame({c: _encoded(v, n) for c, v in columns.items()})
    return plain, coded


def _prefix_rows(draw, n: int, names=PREFIX) -> dict[str, list]:
    pick = {"seed_code": st.sampled_from(SEEDS) | st.none(), "kind": st.just("sipp_project"),
            "file": st.sampled_from(["a.xlsx", "b.xlsx", "c/d.xlsx"])}
    return {c: draw(st.lists(pick.get(c, TEXT), min_size=n, max_size=n)) for c in names}


@st.composite
def returns_columns(draw) -> dict[str, list]:
    n = draw(st.integers(0, 120))
    rows = {**_prefix_rows(draw, n, RETURN_PREFIX)}
    rows["section"] = draw(st.lists(st.sampled_from(["ACEL", "Attendance", "Exclusions", "Stretch aim"]),
                                    min_size=n, max_size=n))
    rows["stage"] = draw(st.lists(st.sampled_from(L.ACEL_STAGES[:2]) | st.none(), min_size=n, max_size=n))
    rows["organiser"] = draw(st.lists(st.sampled_from([*L.ACEL_ORGANISERS[:2], *L.STRETCH_MEASURES[-2:]]) |
                                      st.none(), min_size=n, max_size=n))
    rows["group"] = draw(st.lists(st.sampled_from(GROUPS) | st.none(), min_size=n, max_size=n))
    rows["quantity"] = draw(st.lists(st.sampled_from(QUANTITIES), min_size=n, max_size=n))
    rows["value"] = draw(st.lists(st.integers(0, 40).map(float), min_size=n, max_size=n))
    return rows


@st.composite
def project_columns(draw) -> tuple[dict[str, list], dict[str, list], dict[str, list]]:
    """assessments, sessions and survey tables sharing a prefix drawn from few values (so most text repeats)."""
    tables = []
    for name in ("assessments", "sessions", "survey"):
        n = draw(st.integers(1, 80))
        rows = _prefix_rows(draw, n)
        for c in COLUMNS[name]:
            if c in ("pre", "post", "change"):
                rows[c] = draw(st.lists(st.integers(0, 60).map(float) | st.none(), min_size=n, max_size=n))
            elif c in ("session_no", "leuven", "item_no"):
                rows[c] = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
            elif c == "session_date":
                rows[c] = [None] * n
            else:
                values = {"instrument": [A.SOCIAL_SKILLS, A.GAS], "measure": [A.SOCIAL_SKILLS_TOTAL, A.GAS_T],
                          "source": ["Session log", "Observation"], "answer": list(L.AGREEMENT),
                          "statement": list(L.SURVEY_STATEMENTS)}.get(c, ["P1", "P2", "Teacher"])
                rows[c] = draw(st.lists(st.sampled_from(values) | st.none(), min_size=n, max_size=n))
        tables.append(rows)
    return tuple(tables)


def _same(a: A.Table, b: A.Table) -> None:
    assert (a.title, a.columns, a.note, a.formats) == (b.title, b.columns, b.note, b.formats)
    assert repr(a.rows) == repr(b.rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(returns_columns(), st.sampled_from([1, 3, 10]))
def test_school_return_figures_are_the_same_from_encoded_tables(columns, threshold):
    plain, coded = _frames(columns)
    names = dict.fromkeys(SEEDS, "A school")
    results = []
    for r in (plain, coded):
        A._ACEL_LAST.clear()
        quintile, pct = A.acel_by_quintile(r, threshold)
        measures = A.school_measures(r, names, threshold)
        results.append((quintile, pct, A.acel_by_stage(r, threshold), A.stretch_aims(r, threshold), measures,
                        A.school_profile(measures, r, {"9910014": {"Attendance %": 90.0}}, "2024/25",
                                         {"9910032": "Green"}, names), A.school_now(r)))
    (q1, p1, s1, a1, m1, f1, n1), (q2, p2, s2, a2, m2, f2, n2) = results
    _same(q1, q2), _same(s1, s2), _same(a1, a2), _same(f1, f2)
    assert repr(p1) == repr(p2)
    pd.testing.assert_frame_equal(m1, m2)
    pd.testing.assert_frame_equal(n1.astype(object).reset_index(drop=True), n2.astype(object).reset_index(drop=True))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project_columns(), st.sampled_from([1, 3, 10]))
def test_project_figures_are_the_same_from_encoded_tables(tables, threshold):
    (a1, a2), (s1, s2), (v1, v2) = (_frames(t) for t in tables)
    for by in ("intervention", "partnership", "jst"):
        for instrument, measure in ((A.SOCIAL_SKILLS, A.SOCIAL_SKILLS_TOTAL), (A.GAS, A.GAS_T)):
            _same(A.prepost_by(a1, instrument, measure, by, threshold, "t", "g"),
                  A.prepost_by(a2, instrument, measure, by, threshold, "t", "g"))
    _same(A.leuven_by_session(s1, threshold), A.leuven_by_session(s2, threshold))
    _same(A.survey_table(v1, threshold), A.survey_table(v2, threshold))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(returns_columns())
def test_tidy_files_are_the_same_from_encoded_tables(tmp_path, columns):
    """CSV byte for byte (formula-like text neutralised in the dictionary as in plain text); Parquet with the same
    schema (plain text columns, pandas' note included) and values."""
    plain, coded = _frames(columns)
    _write_frame(plain, tmp_path / "p.csv", tmp_path / "p.parquet")
    _write_frame(coded, tmp_path / "c.csv", tmp_path / "c.parquet")
    assert (tmp_path / "p.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
    p, c = pq.read_table(tmp_path / "p.parquet"), pq.read_table(tmp_path / "c.parquet")
    assert c.schema.equals(p.schema, check_metadata=True) and c.equals(p)
    assert pd.read_parquet(tmp_path / "c.parquet").dtypes.equals(pd.read_parquet(tmp_path / "p.parquet").dtypes)


def test_the_csv_is_the_same_whatever_rows_arrow_formats_at_a_time(tmp_path, monkeypatch):
    """_write_frame has Arrow format CSV_BATCH rows at a time (faster than its default, 1,024): the file is the
    same, across the batches' edges and with repeated text encoded (neutralised in its dictionary)."""
    from sipxl.consolidate import outputs

    n = 2 * outputs.CSV_BATCH + 7
    names = ["North", "=cmd|' /c calc'!A1", None, "Özil Park", "@SUM(1)", 'say "hi"']
    columns = {"school": [names[i % len(names)] for i in range(n)],
               "ref": [f"P{i:06d}" if i % 11 else "-1" for i in range(n)],
               "value": [None if i % 13 == 0 else i / 7 for i in range(n)]}
    _, coded = _frames(columns)
    _write_frame(coded, tmp_path / "ours.csv", tmp_path / "ours.parquet")
    monkeypatch.setattr(outputs, "CSV_BATCH", 1024)
    _write_frame(coded, tmp_path / "arrow.csv", tmp_path / "arrow.parquet")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "arrow.csv").read_bytes()
    assert (tmp_path / "ours.csv").read_text(encoding="utf-8").count("\n") == n + 1


def test_the_sample_authority_tables_hold_repeated_text_encoded(sample_authority, tmp_path):
    from sipxl.consolidate import consolidate

    frames = tidy_frames(consolidate([sample_authority], tmp_path / "out", jobs=1))
    returns = frames["school_returns"]
    for c in ("file", "seed_code", "school", "section", "quantity"):
        assert isinstance(returns[c].dtype, pd.CategoricalDtype), c
        assert list(returns[c].cat.categories) == sorted(returns[c].cat.categories)  # groups and sorts as text
    assert isinstance(frames["survey"]["answer"].dtype, pd.CategoricalDtype)
    assert not isinstance(frames["files"]["file"].dtype, pd.CategoricalDtype)
    # each file's own values repeat over exactly its rows
    for file, part in returns.groupby("file", observed=True):
        assert part["seed_code"].nunique(dropna=False) == 1, file
