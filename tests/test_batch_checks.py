"""The fast paths give exactly what the plain ones give: the batch checks (schemas run once per batch), the
screen that spares pandera the tables it would pass, and the records the rules and scores read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipxl.consolidate.worker import check_many, check_one
from sipxl.domain import rules as rules_module
from sipxl.domain.extract import TableData
from sipxl.domain.rules import validate_content, validate_many
from sipxl.domain.schemas import _failures, _issues, schema_issues, schema_issues_many, screen_table
from sipxl.engine import check_file, check_files, content_of
from sipxl.io.build import build_template
from sipxl.io.read import read_workbook
from sipxl.sample import clean_values
from sipxl.spec import all_templates, layout_template
from sipxl.spec.history import template_version


def _workbooks(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.xlsx") if p.is_file())


def _same(a, b) -> None:
    assert [dataclasses.astuple(i) for i in a] == [dataclasses.astuple(i) for i in b]


def _missing_required(tmp_path: Path, n: int) -> list[Path]:
    """Project workbooks with required answers left empty in used rows, so pandera has failures to report
    for the same tables in several files (and one of the 0.9 layout, whose pupils table differs)."""
    out = []
    for k in range(n):
        template, values = clean_values("sipp_project", seed=100 + k)
        values = dict(values)
        lay = layout_template(template)
        for key, column in (("factors", "level"), ("observations", "leuven"), ("goals", "weight")):
            place = lay.tables[key]
            values.pop((place.sheet, place.first_row + k % 2, place.columns[column]), None)
        out.append(build_template(template, tmp_path / f"missing_{k}.xlsx", values=values))
    old = template_version("sipp_project", "0.9")
    pupils = layout_template(old).tables["pupils"]
    out.append(build_template(old, tmp_path / "old.xlsx", {
        ("pupils", pupils.first_row, pupils.columns["pupil_ref"]): "SIP-Q1",
        ("pupils", pupils.first_row + 1, pupils.columns["simd_decile"]): 3,
    }))
    return out


def test_batch_schema_path_gives_the_single_file_issues(sample_authority, tmp_path):
    paths = _workbooks(sample_authority) + _missing_required(tmp_path, 3)
    contents = [content_of(read_workbook(p)) for p in paths]
    many = schema_issues_many(contents, rules_module.SKIP_REQUIRED)
    assert len(many) == len(contents)
    for content, found in zip(contents, many, strict=True):
        _same(found, schema_issues(content, rules_module.SKIP_REQUIRED))
    # the batch did run pandera on stacked tables, and each failure came back to its own file and cell
    v001 = [sorted(i.cell for i in found if i.code == "SIPXL-V001") for found in many[-4:-1]]
    assert all(len(cells) >= 2 for cells in v001)
    assert v001[0] != v001[1]
    for content, found in zip(contents, validate_many(contents), strict=True):
        _same(found, validate_content(content))


def test_check_files_and_check_many_equal_one_by_one(sample_authority, tmp_path):
    paths = _workbooks(sample_authority)[:12] + _missing_required(tmp_path, 2)
    (tmp_path / "notes.txt").write_text("not a workbook")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    singles = [check_file(p) for p in paths]
    for one, batch in zip(singles, check_files(paths), strict=True):
        assert batch.file == one.file
        _same(batch.issues, one.issues)
        assert repr(batch.scores) == repr(one.scores)
    names = [str(p) for p in paths] + [str(tmp_path / "notes.txt"), str(tmp_path / "broken.xlsx")]
    for one, batch in zip((check_one(p) for p in names), check_many(names), strict=True):
        assert (batch.issues, batch.content, batch.crash) == (one.issues, one.content, one.crash)


def test_each_workbook_is_given_as_soon_as_it_is_checked(sample_authority, tmp_path, monkeypatch):
    """A workbook whose tables pass their schemas for certain is given before the next file is read, so a batch
    holds few workbooks at once; those pandera must judge wait for the batch's end, and come back in place."""
    from sipxl import engine

    missing = _missing_required(tmp_path, 2)[:2]
    paths = [missing[0], *_workbooks(sample_authority)[:3], missing[1]]
    reads: list[str] = []
    real = engine.read_workbook
    monkeypatch.setattr(engine, "read_workbook", lambda path, *a: reads.append(str(path)) or real(path, *a))
    checks = engine.iter_checked(paths)
    at, first = next(checks)
    assert (at, first.file, reads) == (1, str(paths[1]), [str(paths[0]), str(paths[1])])
    rest = list(checks)
    assert [a for a, _ in rest] == [2, 3, 0, 4]
    for a, checked in [(at, first), *rest]:
        one = check_file(paths[a])
        _same(checked.issues, one.issues)
        assert repr(checked.scores) == repr(one.scores)
    assert any(i.code == "SIPXL-V001" for _, c in rest[-2:] for i in c.issues)  # pandera did judge those two


def test_one_failing_file_in_a_batch_is_its_own(sample_authority, monkeypatch):
    paths = [str(p) for p in _workbooks(sample_authority)[:6]]
    victim = read_workbook(paths[2]).file

    def explode(content):
        if content.file == victim:
            raise RuntimeError("boom")
        return []

    monkeypatch.setattr(rules_module, "RULES", [*rules_module.RULES, explode])
    results = check_many(paths)
    assert [r.issues[0].code if r.crash else "" for r in results] == ["", "", "SIPXL-C007", "", "", ""]
    assert "boom" in results[2].crash
    for p, r in zip(paths, results, strict=True):
        one = check_one(p)
        assert (r.issues, r.content) == (one.issues, one.content)


# ---------------------------------------------------------------- the screen never hides a pandera failure

TABLES = [table for t in all_templates() for s in t.sheets for table in s.tables]
VALUES = st.one_of(
    st.none(), st.just(float("nan")), st.booleans(), st.integers(-3, 12), st.floats(-2, 12, allow_nan=False),
    st.sampled_from(["", " ", "Yes", "No", "x", "3", "Strongly agree", "Agree ", "P1", "Reading", "SIMD 1"]),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), st.just(dt.datetime(2026, 1, 5, 9, 30)),
    st.just(pd.NA), st.just(pd.NaT), st.text(max_size=3),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_screen_passes_only_what_pandera_passes(data):
    table = data.draw(st.sampled_from(TABLES))
    keys = [c.key for c in table.columns]
    choices = {c.key: list(c.rule.choices or ()) for c in table.columns}
    n = data.draw(st.integers(1, 4))
    records, raws = [], {}
    for k in range(n):
        rec = {}
        for key in keys:
            pool = VALUES if not choices[key] else st.one_of(VALUES, st.sampled_from(choices[key]))
            rec[key] = data.draw(pool)
        records.append((10 + k, rec))
        raws[10 + k] = dict(rec)
    td = TableData(table.key, "Sheet", {c.key: c.label for c in table.columns},
                   {c.key: j for j, c in enumerate(table.columns)}, records=records, raws=raws, keys=keys)
    failures = _failures(table, td.frame)
    if screen_table(table, td):
        assert failures == []
    assert [dataclasses.astuple(i) for i in _issues(table, td, failures, frozenset())] == \
        [dataclasses.astuple(i) for i in schema_issues_of(table, td)]


def schema_issues_of(table, td):
    from sipxl.domain.schemas import validate_table

    return validate_table(table, td)


@pytest.mark.parametrize("kind", ["sipp_project", "school_return", "observation"])
def test_frames_are_built_from_the_records(tmp_path, kind):
    template, values = clean_values(kind)
    content = content_of(read_workbook(build_template(template, tmp_path / "w.xlsx", values=values)))
    tables = {t.key: t for s in template.sheets for t in s.tables}
    for key, data in content.tables.items():
        assert screen_table(tables[key], data)  # a clean workbook never needs pandera
        assert list(data.frame.index) == [r for r, _ in data.records]
        assert data.frame.index.name == "excel_row"
        assert data.frame.to_dict("records") == [rec for _, rec in data.records]
        assert data.raw.to_dict("records") == [data.raws[r] for r, _ in data.records]
        assert len(data) == len(data.frame) and data.empty == data.frame.empty
