"""The batch consolidator on real workbooks: every file accounted for, the dashboard's figures equal the
engine's, small counts suppressed, charts present, incremental re-runs, and one workbook per bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sipxl.cli import main
from sipxl.consolidate import AuthorityConfig, ExpectedSchool, consolidate, write_outputs
from sipxl.consolidate.analysis import modified_z
from sipxl.consolidate.discover import is_ignored
from sipxl.consolidate.suppression import SUPPRESSED, suppress, suppress_column
from sipxl.engine import check_file
from sipxl.io.build import build_template
from sipxl.sample import clean_values, manifest_path
from sipxl.spec import layout_template
from sipxl.spec.history import template_version

# ---------------------------------------------------------------- suppression (pure)


def test_primary_and_secondary_suppression_in_a_row():
    s = suppress([[3, 40, 12, 9]], threshold=5, row_totals=True)
    assert s.cells == [[True, False, False, True]]  # the 3, and the smallest other cell (9)
    assert s.row_totals == [False]


def test_zeros_and_large_counts_are_shown():
    s = suppress([[0, 40, 12], [5, 6, 7]], threshold=5)
    assert not s.any


def test_a_small_total_is_hidden_with_its_small_cell():
    s = suppress([[2, 0]], threshold=5)
    assert s.cells == [[True, False]] and s.row_totals == [True]
    s = suppress([[2, 0, 0], [6, 7, 8]], threshold=5, row_totals=True, col_totals=True)
    for i in range(2):
        assert sum(s.cells[i]) + s.row_totals[i] != 1
    for j in range(3):
        assert s.cells[0][j] + s.cells[1][j] + s.col_totals[j] != 1


def test_two_way_table_no_hidden_value_can_be_worked_back():
    counts = [[3, 20, 30], [25, 40, 2], [30, 31, 33]]
    s = suppress(counts, threshold=5, row_totals=True, col_totals=True)
    for i, row in enumerate(s.cells):
        assert sum(row) + s.row_totals[i] != 1
    for j in range(3):
        assert sum(s.cells[i][j] for i in range(3)) + s.col_totals[j] != 1
    assert s.cells[0][0] and s.cells[1][2]


def test_small_total_is_hidden_and_column_secondary():
    hidden, total = suppress_column([12, 3, 40, 8], threshold=5, with_total=True)
    assert hidden == [False, True, False, True] and not total
    hidden, total = suppress_column([12, 3, 40], threshold=5, with_total=False)
    assert hidden == [False, True, False]


def test_modified_z_flags_a_clear_outlier():
    z = modified_z([90.0, 91.0, 92.0, 93.0, 91.5, 40.0])
    assert abs(z[-1]) > 3.5 and all(abs(x) < 3.5 for x in z[:-1])
    assert modified_z([1.0, 1.0, 1.0]) == [None, None, None]


def test_system_files_are_ignored():
    assert is_ignored("~$project.xlsx") and is_ignored(".DS_Store") and is_ignored("Thumbs.db")
    assert not is_ignored("project.xlsx")


# ---------------------------------------------------------------- helpers


def _put(values, template, key, value):
    p = layout_template(template).fields[key]
    values[(p.sheet, p.row, p.col)] = value


def _build(path: Path, kind: str = "sipp_project", seed: int = 2026, template=None, **fields) -> Path:
    t, values = clean_values(kind, seed)
    t = template or t
    values = dict(values)
    for key, value in fields.items():
        _put(values, t, key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_template(t, path, values=values)


def _sheet_table(ws, header: str) -> list[list]:
    """Rows of the table whose first header cell (column B) is `header`, up to and including 'All'."""
    rows = list(ws.iter_rows(values_only=True))
    for k, r in enumerate(rows):
        if r[1] == header:
            out = []
            for body in rows[k + 1:]:
                if body[1] is None or all(v is None for v in body[2:]):
                    break
                out.append(list(body[1:]))
                if body[1] == "All":
                    break
            return out
    raise AssertionError(f"no table headed {header!r}")


def _files_below(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not is_ignored(p.name))


# ---------------------------------------------------------------- the sample authority end to end


@pytest.fixture(scope="module")
def sample_run(sample_authority, tmp_path_factory):
    out = tmp_path_factory.mktemp("consolidated")
    cons = consolidate([sample_authority], out, jobs=2)
    paths = write_outputs(cons, out)
    return sample_authority, out, cons, paths


def test_every_file_is_accounted_for(sample_run):
    root, out, cons, _ = sample_run
    found = _files_below(root)
    assert len(cons.records) == len(found)
    assert sum(cons.counts().values()) == len(found)
    assert sorted(r.rel for r in cons.records) == sorted(p.relative_to(root).as_posix() for p in found)
    manifest = json.loads(manifest_path(root).read_text())
    by_rel = {r.rel: r for r in cons.records}
    for entry in manifest["files"]:
        r = by_rel[entry["path"]]
        assert r.status in ("valid", "warnings", "errors"), (entry["path"], r.status)
        assert r.kind == entry["kind"]
    assert len(manifest["files"]) == len(cons.records)  # the answer key is not in the folder
    report = json.loads((out / "validation_report.json").read_text())
    assert report["files_found"] == len(found) and len(report["files"]) == len(found)


def test_dashboard_figures_equal_the_engines(sample_run):
    root, out, cons, _ = sample_run
    changes: dict[str, list[tuple[float, float]]] = {}
    survey_n = [0] * 5
    for r in cons.accepted:
        if r.kind != "sipp_project":
            continue
        checked = check_file(r.found.path)
        group = checked.content.field_value("intervention") or "(not given)"
        for p in checked.scores.social_skills.pupils:
            if p.pre and p.post and p.pre.total is not None and p.post.total is not None:
                changes.setdefault(group, []).append((p.pre.total, p.post.total))
        if checked.scores.survey:
            for k, row in enumerate(checked.scores.survey.rows):
                survey_n[k] += row.n
    wb = openpyxl.load_workbook(out / "dashboard.xlsx")
    table = {row[0]: row for row in _sheet_table(wb["Social skills"], "Intervention")}
    assert set(table) == set(changes) | {"All"}
    for group, pairs in changes.items():
        n, pre, post, change = table[group][1:5]
        if len(pairs) < 5:
            assert n == SUPPRESSED and change == SUPPRESSED
            continue
        assert n == len(pairs)
        assert pre == pytest.approx(sum(a for a, _ in pairs) / len(pairs))
        assert post == pytest.approx(sum(b for _, b in pairs) / len(pairs))
        assert change == pytest.approx(sum(b - a for a, b in pairs) / len(pairs))
    everyone = [p for ps in changes.values() for p in ps]
    assert table["All"][1] == len(everyone)
    assert table["All"][4] == pytest.approx(sum(b - a for a, b in everyone) / len(everyone))
    survey = _sheet_table(wb["Survey"], "Working together has...")
    assert [row[7] for row in survey] == [n if n >= 5 else SUPPRESSED for n in survey_n]
    for row in survey:  # the published answers and "Not shown" make up every answer
        assert sum(v for v in row[1:7] if v != SUPPRESSED) == pytest.approx(100.0)


def test_small_counts_are_suppressed_everywhere(sample_run):
    _, out, _, _ = sample_run
    wb = openpyxl.load_workbook(out / "dashboard.xlsx")
    seen = 0
    for ws in wb.worksheets:
        if ws.title in ("ChartData", "Coverage", "Overview"):
            continue  # counts of files and schools are not counts of people
        header_cols: dict[int, str] = {}
        for row in ws.iter_rows():
            texts = [c for c in row if isinstance(c.value, str)]
            if len(texts) >= 2 and not any(isinstance(c.value, int | float) for c in row):
                header_cols = {c.column: c.value for c in texts if "(n)" in c.value or c.value == "N"}
                continue
            for c in row:
                if c.column in header_cols and isinstance(c.value, int | float):
                    seen += 1
                    assert not 0 < c.value < 5, (ws.title, c.coordinate, c.value)
    assert seen > 10


def test_charts_are_native_and_present(sample_run):
    _, out, _, _ = sample_run
    with zipfile.ZipFile(out / "dashboard.xlsx") as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) >= 10
    for kind in ("c:barChart", "c:lineChart"):
        assert kind in xml
    assert "ChartData" in xml  # the charts read the hidden data sheet, where suppressed values are gaps


def test_tidy_tables_written_as_csv_and_parquet(sample_run):
    import pandas as pd

    _, out, cons, _ = sample_run
    for name in ("pupils", "assessments", "sessions", "goals", "survey", "school_returns", "files"):
        csv, pq = pd.read_csv(out / "tidy" / f"{name}.csv"), pd.read_parquet(out / "tidy" / f"{name}.parquet")
        assert len(csv) == len(pq) > 0, name
    assert len(pd.read_parquet(out / "tidy" / "files.parquet")) == len(cons.records)
    assert "NOT suppressed" in (out / "tidy" / "README.txt").read_text()


def test_rerun_reads_nothing_and_force_reads_everything(sample_authority, tmp_path):
    first = consolidate([sample_authority], tmp_path, jobs=1)
    write_outputs(first, tmp_path)
    before = (tmp_path / "dashboard.xlsx").read_bytes(), (tmp_path / "validation_report.json").read_bytes()
    again = consolidate([sample_authority], tmp_path, jobs=1)
    assert again.read == 0 and again.unchanged == len([r for r in again.records if r.status != "duplicate"])
    write_outputs(again, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["read_this_run"] == 0 and all(f["unchanged"] for f in manifest["files"])
    after = (tmp_path / "dashboard.xlsx").read_bytes(), (tmp_path / "validation_report.json").read_bytes()
    assert before == after  # deterministic: no timestamps inside
    forced = consolidate([sample_authority], tmp_path, jobs=1, force=True)
    assert forced.read == len(first.records) and forced.unchanged == 0


def test_a_rerun_with_nothing_to_rebuild_never_loads_pandas_or_arrow(sample_authority, tmp_path):
    """Start-up (issue 13): an unchanged re-run touches the manifest and the cache only, in a fresh interpreter."""
    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    code = ("import sys; from sipxl.cli import main; main(['consolidate', sys.argv[1], '--out', sys.argv[2]]); "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'xlsxwriter') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(sample_authority), str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_a_corrupt_cache_is_treated_as_empty(sample_authority, tmp_path):
    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    (tmp_path / ".sipxl-cache" / "results.sqlite").write_bytes(b"not a database")
    again = consolidate([sample_authority], tmp_path, jobs=1)
    assert again.unchanged == 0 and again.read == len(again.records)
    write_outputs(again, tmp_path)  # the outputs stand as they were; the cache is written afresh
    third = consolidate([sample_authority], tmp_path, jobs=1)
    assert third.read == 0 and third.unchanged == len(third.records)


def _cache_rows(out: Path) -> dict[str, str]:
    import sqlite3

    with sqlite3.connect(out / ".sipxl-cache" / "results.sqlite") as db:
        return dict(db.execute("SELECT sha256, data FROM results"))


def test_a_rerun_keeps_unchanged_entries_and_writes_the_cache_a_fresh_run_writes(sample_authority, tmp_path,
                                                                                monkeypatch):
    """The cache is updated in place: a re-run with one file changed and one removed encodes only the changed
    file, and ends with exactly the entries a run from scratch writes."""
    from sipxl.consolidate import cache

    inputs = tmp_path / "in"
    shutil.copytree(sample_authority, inputs)
    out = tmp_path / "out"
    write_outputs(consolidate([inputs], out, jobs=1), out)
    books = sorted(inputs.rglob("*.xlsx"))
    with zipfile.ZipFile(books[0], "a") as zf:
        zf.comment = b"sent again"
    books[1].unlink()
    encoded = tmp_path / "encoded"  # a file: the cache may be written by a forked process
    real = cache.encode_result

    def counting(r):
        with open(encoded, "a") as f:
            f.write("1")
        return real(r)

    monkeypatch.setattr(cache, "encode_result", counting)
    again = consolidate([inputs], out, jobs=1)
    assert again.read == 1
    write_outputs(again, out)
    assert encoded.read_text() == "1"  # the changed file only
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    write_outputs(consolidate([inputs], fresh, jobs=1), fresh)
    assert _cache_rows(out) == _cache_rows(fresh)


def test_cached_rows_are_decoded_only_to_rebuild_and_a_damaged_entry_is_read_again(sample_authority, tmp_path,
                                                                                   monkeypatch):
    import sqlite3

    import pyarrow.parquet as pq

    from sipxl.consolidate import worker

    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    tables = {t: pq.read_table(tmp_path / "tidy" / f"{t}.parquet").to_pylist() for t in ("assessments", "pupils")}
    again = consolidate([sample_authority], tmp_path, jobs=1)
    cached = [r.content for r in again.records if r.unchanged and r.content is not None]
    # an unchanged run neither decodes the rows nor even loads their text from the cache
    assert cached and all(c.rows is None and c.rows_json is None for c in cached)
    read_again = []
    real = worker.check_one
    monkeypatch.setattr(worker, "check_one", lambda path: read_again.append(path) or real(path))
    with sqlite3.connect(tmp_path / ".sipxl-cache" / "results.sqlite") as db:
        (sha,) = db.execute("SELECT sha256 FROM results WHERE rows LIKE '%assessments%' LIMIT 1").fetchone()
        db.execute("UPDATE results SET rows = '{\"assessments\": [[1]]}' WHERE sha256 = ?", (sha,))
    (tmp_path / "dashboard.xlsx").unlink()  # the outputs must be rebuilt
    mended = consolidate([sample_authority], tmp_path, jobs=1)
    unchanged = mended.unchanged
    write_outputs(mended, tmp_path)
    assert {t: pq.read_table(tmp_path / "tidy" / f"{t}.parquet").to_pylist() for t in tables} == tables
    assert len(read_again) == 1  # the damaged entry's file; every other file's rows came from the cache
    assert (mended.read, mended.unchanged) == (1, unchanged - 1)  # it counts as read, in the summary and manifest
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["read_this_run"], manifest["unchanged"]) == (1, unchanged - 1)
    (tmp_path / "dashboard.xlsx").unlink()
    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    assert len(read_again) == 1  # the entry was mended: not read again on the next run
    assert {t: pq.read_table(tmp_path / "tidy" / f"{t}.parquet").to_pylist() for t in tables} == tables


# ---------------------------------------------------------------- one workbook per bad input


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    from msoffcrypto.format.ooxml import OOXMLFile

    root = tmp_path_factory.mktemp("returns")
    good = _build(root / "good" / "project.xlsx")
    _build(root / "good" / "return.xlsx", kind="school_return")
    data = good.read_bytes()
    (root / "bad").mkdir()
    (root / "bad" / "corrupt.xlsx").write_bytes(data[: len(data) // 2])
    with open(good, "rb") as f, open(root / "bad" / "locked.xlsx", "wb") as locked:
        OOXMLFile(f).encrypt("secret", locked)
    _old_xls(good, root / "bad")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Pupil"
    wb.save(root / "bad" / "plain.xlsx")
    old = template_version("sipp_project", "0.9")
    lay = layout_template(old).fields
    build_template(old, root / "bad" / "earlier.xlsx", {
        ("project", lay["seed_code"].row, lay["seed_code"].col): "9900001",
        ("project", lay["project_title"].row, lay["project_title"].col): "Pilot project"})
    t, values = clean_values("survey")
    build_template(t, root / "bad" / "renamed.xlsx", values=dict(values), sheet_names={"survey": "My survey"})
    (root / "resent").mkdir()
    (root / "resent" / "copy of project.xlsx").write_bytes(data)  # the same file twice
    earlier = _build(root / "twice" / "project v1.xlsx", impact="First draft.")
    later = _build(root / "twice" / "project v2.xlsx", impact="Final version.")
    os.utime(earlier, (1_700_000_000, 1_700_000_000))
    os.utime(later, (1_700_100_000, 1_700_100_000))
    (root / "bad" / "notes.pdf").write_bytes(b"%PDF-1.4")
    return root


def _old_xls(src: Path, folder: Path) -> None:
    """A real Excel 97-2003 file, saved by LibreOffice (skipped where it is not installed)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return
    profile = Path(tempfile.mkdtemp(prefix="sipxl-lo-xls-"))
    try:
        subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xls:MS Excel 97", "--outdir", str(profile / "out"), str(src)],
                       capture_output=True, timeout=300, check=False)
        shutil.copy(profile / "out" / (src.stem + ".xls"), folder / "old.xls")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _codes(record) -> set[str]:
    return {i.code for i in record.issues}


def test_each_bad_input_has_its_code_and_good_files_are_unharmed(bad_inputs, tmp_path):
    cons = consolidate([bad_inputs], tmp_path, jobs=2)
    write_outputs(cons, tmp_path)
    r = {x.rel: x for x in cons.records}
    assert len(cons.records) == len(_files_below(bad_inputs)) == sum(cons.counts().values())
    assert r["bad/corrupt.xlsx"].status == "rejected" and _codes(r["bad/corrupt.xlsx"]) == {"SIPXL-F001"}
    assert _codes(r["bad/locked.xlsx"]) == {"SIPXL-F002"} and r["bad/locked.xlsx"].status == "rejected"
    if "bad/old.xls" in r:
        assert _codes(r["bad/old.xls"]) == {"SIPXL-F003"} and r["bad/old.xls"].status == "rejected"
    assert _codes(r["bad/plain.xlsx"]) == {"SIPXL-F004"}
    assert "SIPXL-F006" in _codes(r["bad/earlier.xlsx"]) and r["bad/earlier.xlsx"].status != "rejected"
    assert "SIPXL-F008" in _codes(r["bad/renamed.xlsx"]) and r["bad/renamed.xlsx"].status == "warnings"
    assert _codes(r["bad/notes.pdf"]) == {"SIPXL-C006"}
    # the same content twice: the first by name is read, the other counted once as a duplicate
    assert r["good/project.xlsx"].status in ("valid", "warnings", "errors")
    assert r["resent/copy of project.xlsx"].status == "duplicate" and r["resent/copy of project.xlsx"].result is None
    assert _codes(r["resent/copy of project.xlsx"]) == {"SIPXL-C001"}
    # the same school and project twice (good/project.xlsx is the same project too): the latest file wins
    v1, v2, g = r["twice/project v1.xlsx"], r["twice/project v2.xlsx"], r["good/project.xlsx"]
    winner = max((v1, v2, g), key=lambda x: x.found.mtime_ns)
    for x in (v1, v2, g):
        if x is winner:
            assert x.status in ("valid", "warnings", "errors")
        else:
            assert x.status == "superseded" and x.superseded_by == winner.rel
            c002 = next(i for i in x.issues if i.code == "SIPXL-C002")
            assert "file modified time" in c002.expected
    # good files unharmed: the school return is read and in the tidy tables
    assert r["good/return.xlsx"].status == "valid"
    import pandas as pd

    returns = pd.read_csv(tmp_path / "tidy" / "school_returns.csv")
    assert set(returns["file"]) == {"good/return.xlsx"}
    report = json.loads((tmp_path / "validation_report.json").read_text())
    assert {i["code"] for i in report["issues"]} >= {"SIPXL-F001", "SIPXL-F002", "SIPXL-F004",
                                                     "SIPXL-F006", "SIPXL-F008", "SIPXL-C001", "SIPXL-C002"}
    for row in report["issues"]:
        assert set(row) == {"school", "seed_code", "file", "sheet", "cell", "label", "code", "severity", "title",
                            "value", "message", "fix"}


def test_same_project_twice_decided_by_the_submission_stamp(tmp_path):
    root = tmp_path / "in"
    a = _build(root / "a.xlsx", submitted_on=dt.date(2026, 6, 20))
    b = _build(root / "b.xlsx", submitted_on=dt.date(2026, 6, 10), impact="Changed")
    os.utime(a, (1_700_000_000, 1_700_000_000))  # a is older on disk but stamped later
    cons = consolidate([root], tmp_path / "out", jobs=1)
    r = {x.rel: x for x in cons.records}
    assert r["a.xlsx"].status != "superseded" and r["b.xlsx"].status == "superseded"
    assert "Prepared for submission stamp" in next(i for i in r["b.xlsx"].issues if i.code == "SIPXL-C002").expected
    assert b.exists()


def test_config_expected_schools_deadline_and_unexpected_school(tmp_path):
    root = tmp_path / "in"
    _build(root / "p.xlsx", submitted_on=dt.date(2026, 7, 3))
    config = AuthorityConfig("Test Council", dt.date(2026, 6, 30), 5, None,
                             (ExpectedSchool("9900002", "Missing Primary", ("Nurture group",)),))
    cons = consolidate([root], tmp_path / "out", config, jobs=1)
    codes = {i.code for i in cons.records[0].issues}
    assert {"SIPXL-C003", "SIPXL-C005"} <= codes
    missing = [i for i in cons.school_issues if i.code == "SIPXL-C008"]
    assert len(missing) == 2 and all(i.extra["seed_code"] == "9900002" for i in missing)
    write_outputs(cons, tmp_path / "out")
    wb = openpyxl.load_workbook(tmp_path / "out" / "validation_report.xlsx")
    assert any(name.startswith("9900002") for name in wb.sheetnames)


def test_school_text_is_never_written_as_a_formula(tmp_path):
    root = tmp_path / "in"
    evil = '=HYPERLINK("http://example.invalid","click")'
    _build(root / "p.xlsx", intervention=evil, partnership="=1+1")
    out = tmp_path / "out"
    write_outputs(consolidate([root], out, jobs=1), out)
    for name in ("dashboard.xlsx", "validation_report.xlsx"):
        with zipfile.ZipFile(out / name) as z:
            for part in z.namelist():
                if part.startswith("xl/worksheets/sheet"):
                    assert "<f>" not in z.read(part).decode(), (name, part)
    wb = openpyxl.load_workbook(out / "dashboard.xlsx")
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert evil in values and "=1+1" in values
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == evil]
    assert all(c.data_type == "s" for c in cells)


# ---------------------------------------------------------------- the command line


def test_cli_exit_codes_and_outputs(bad_inputs, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["consolidate", str(bad_inputs), "--out", str(out), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    assert str(out / "dashboard.xlsx") in captured.out
    assert "Next:" in captured.err and "Traceback" not in captured.err
    assert (out / "dashboard.xlsx").exists() and (out / "validation_report.xlsx").exists()
    assert main(["consolidate", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[authority\nname = ", encoding="utf-8")
    assert main(["consolidate", str(bad_inputs), "--out", str(out), "--config", str(bad_config)]) == 2


def test_cli_all_valid_exits_0(tmp_path, capsys):
    root = tmp_path / "in"
    _build(root / "return.xlsx", kind="school_return")
    assert main(["consolidate", str(root), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0


def test_cli_internal_error_goes_to_the_log(tmp_path, capsys):
    root = tmp_path / "in"
    _build(root / "return.xlsx", kind="school_return")
    out = tmp_path / "out"
    (out / "dashboard.xlsx").mkdir(parents=True)  # a folder where the dashboard must go: cannot be replaced
    (out / "dashboard.xlsx" / "keep").write_text("x")
    assert main(["consolidate", str(root), "--out", str(out), "--jobs", "1"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "sipxl-error.log" in err
    assert "Traceback" in (out / "sipxl-error.log").read_text()


def test_example_config_loads():
    from sipxl.consolidate import load_config

    config = load_config(Path(__file__).parent.parent / "batch" / "authority.toml")
    assert config.threshold == 5 and config.deadline is not None and config.name


def test_outputs_from_the_same_inputs_are_kept_and_rebuilt_when_needed(sample_authority, tmp_path):
    """A re-run with the same files and settings keeps the outputs (they would be byte-identical); a missing
    output, other settings or --force rebuild them."""
    import dataclasses

    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    dashboard = tmp_path / "dashboard.xlsx"
    stamp = dashboard.stat().st_mtime_ns
    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    assert dashboard.stat().st_mtime_ns == stamp
    again = consolidate([sample_authority], tmp_path, jobs=1)
    write_outputs(again, tmp_path, force=True)
    assert dashboard.stat().st_mtime_ns != stamp
    (tmp_path / "validation_report.json").unlink()
    write_outputs(consolidate([sample_authority], tmp_path, jobs=1), tmp_path)
    assert (tmp_path / "validation_report.json").is_file()
    stamp = dashboard.stat().st_mtime_ns
    stricter = dataclasses.replace(again.config, threshold=again.config.threshold + 5)
    write_outputs(consolidate([sample_authority], tmp_path, stricter, jobs=1), tmp_path)
    assert dashboard.stat().st_mtime_ns != stamp


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=8))
def test_files_go_to_workers_in_order_in_tasks_that_shrink_towards_the_end(n, jobs):
    from sipxl.consolidate.run import CHUNK, _chunks

    paths = [f"f{i}" for i in range(n)]
    chunks = _chunks(paths, jobs)
    assert [p for c in chunks for p in c] == paths and all(1 <= len(c) <= CHUNK for c in chunks)
    assert all(len(a) >= len(b) for a, b in zip(chunks, chunks[1:], strict=False))  # never larger later on
    left = n
    for c in chunks:  # no task is more than a quarter of a worker's share of what is left (or one file)
        assert len(c) <= max(1, left / (jobs * 4))
        left -= len(c)
