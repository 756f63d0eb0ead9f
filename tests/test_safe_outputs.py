"""The output folder is sipxl's own and every path found is accounted for (issue 12, items 4, 8, 9, 12, 13):
--out never overlaps an input folder, one run at a time holds the output folder, a run that fails leaves the
previous outputs intact, dangling links and hidden files are reported, only known system files are ignored
(and listed), and the incremental cache is data, never a pickle."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_files import build

from sipxl.cli import main
from sipxl.consolidate import consolidate, write_outputs
from sipxl.consolidate.cache import CACHE_DIR, CACHE_FILE, load_cache
from sipxl.consolidate.guard import LOCK_FILE, OutputLock
from sipxl.consolidate.run import rows_of


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("returns")
    build(root / "Glen" / "project.xlsx")
    build(root / "Hill" / "return.xlsx", kind="school_return")
    return root


# ---------------------------------------------------------------- item 4: --out and the input folders


@pytest.mark.parametrize("where", ["same", "inside", "holds"])
def test_out_overlapping_an_input_folder_is_refused(returns, tmp_path, where, capsys):
    before = sorted((p, p.stat().st_mtime_ns) for p in returns.rglob("*"))
    if where == "same":
        args = [str(returns), "--out", str(returns)]
    elif where == "inside":
        args = [str(returns), "--out", str(returns / "Glen" / "outputs")]
    else:  # the output folder holds the input folder
        args = [str(returns / "Glen"), "--out", str(returns)]
    assert main(["consolidate", *args, "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "output folder" in err and "Traceback" not in err
    assert sorted((p, p.stat().st_mtime_ns) for p in returns.rglob("*")) == before  # nothing written or changed


# ---------------------------------------------------------------- item 8: one run at a time, atomic outputs


def test_a_second_run_into_the_same_folder_is_told_plainly(returns, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):  # a first run holding the folder
        done = subprocess.run([sys.executable, "-m", "sipxl.cli", "consolidate", str(returns), "--out", str(out),
                               "--jobs", "1"], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 2
    assert "another sipxl consolidate is writing to" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]  # the second run wrote nothing
    assert main(["consolidate", str(returns), "--out", str(out), "--jobs", "1"]) in (0, 1)  # free again


def test_two_concurrent_runs_one_wins_the_other_is_refused(returns, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sipxl.cli", "consolidate", str(returns), "--out", str(out), "--jobs", "1"]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in runs]
    codes = sorted(code for code, _ in results)
    assert 3 not in codes and all("Traceback" not in e for _, e in results)
    assert codes[0] in (0, 1)  # at least one finished; the other finished too or was refused plainly
    for code, err in results:
        assert code in (0, 1) or (code == 2 and "another sipxl consolidate" in err)
    assert (out / "dashboard.xlsx").is_file() and not (out / "sipxl-error.log").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temporary folder left behind


def test_a_failed_run_leaves_the_previous_outputs_intact(returns, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_outputs(consolidate([returns], out, jobs=1), out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    from sipxl.consolidate import validation_report

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(validation_report, "write_report_xlsx", broken)  # outputs imports it when writing
    # raised as it is, or (where the report is written in a forked process) as that process's failure
    with pytest.raises((OSError, RuntimeError), match="disk full"):
        write_outputs(consolidate([returns], out, jobs=1, force=True), out, force=True)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name != "out"]  # the temporary folder beside --out is gone


@pytest.mark.parametrize("forked", [True, False], ids=["forked writers", "one after the other (Windows, macOS)"])
@pytest.mark.parametrize("writer", ["write_report_xlsx", "write_dashboard"])
def test_what_was_read_is_cached_even_when_a_writer_fails(returns, tmp_path, monkeypatch, writer, forked):
    from sipxl.consolidate import dashboard, outputs, validation_report

    def broken(*a, **k):
        raise OSError("disk full")

    if not forked:
        monkeypatch.setattr(outputs, "_forking", lambda: False)
    monkeypatch.setattr(validation_report if writer == "write_report_xlsx" else dashboard, writer, broken)
    out = tmp_path / "out"
    with pytest.raises((OSError, RuntimeError), match="disk full"):
        write_outputs(consolidate([returns], out, jobs=1), out)
    assert not (out / "dashboard.xlsx").exists() and not (out / "validation_report.xlsx").exists()
    again = consolidate([returns], out, jobs=1)  # the cache was saved before the writers ran
    assert again.read == 0 and again.unchanged == 2


# ---------------------------------------------------------------- items 9 and 13: every path accounted for


def test_every_path_is_accounted_for_exactly_once(tmp_path, capsys):
    root = tmp_path / "in"
    build(root / "a" / "project.xlsx")
    build(root / "a" / ".hidden project.xlsx", seed=2027)  # a hidden name is still a school's file
    build(root / ".hidden folder" / "return.xlsx", kind="school_return")
    os.symlink(root / "nowhere.xlsx", root / "a" / "dangling.xlsx")
    for name in ("~$project.xlsx", ".DS_Store", "Thumbs.db", "desktop.ini"):
        (root / "a" / name).write_bytes(b"system")
    (root / "a" / ".notes.txt").write_text("hidden but not a system file")
    out = tmp_path / "out"
    assert main(["consolidate", str(root), "--out", str(out), "--jobs", "1"]) == 1
    report = json.loads((out / "validation_report.json").read_text(encoding="utf-8"))
    files = [f["file"] for f in report["files"]]
    ignored = report["ignored_system_files"]
    every = sorted(str(p.relative_to(root)).replace(os.sep, "/") for p in root.rglob("*")
                   if p.is_file() or p.is_symlink())
    assert sorted(files + ignored) == every and len(set(files) | set(ignored)) == len(every)
    assert sorted(ignored) == ["a/.DS_Store", "a/Thumbs.db", "a/desktop.ini", "a/~$project.xlsx"]
    status = {f["file"]: f["status"] for f in report["files"]}
    assert status["a/.hidden project.xlsx"] != "Rejected" and status[".hidden folder/return.xlsx"] != "Rejected"
    dangling = [i for i in report["issues"] if i["file"] == "a/dangling.xlsx"]
    assert [i["code"] for i in dangling] == ["SIPXL-F001"] and "link to a file that does not exist" in \
        dangling[0]["message"]
    err = capsys.readouterr().err
    assert "Ignored 4 system file(s)" in err and "a/.DS_Store" in err


# ---------------------------------------------------------------- item 12: the cache is data


def test_the_cache_is_sqlite_json_not_a_pickle_and_reruns_read_nothing(returns, tmp_path):
    out = tmp_path / "out"
    first = consolidate([returns], out, jobs=1)
    tidy = {r.rel: rows_of(r, None) for r in first.records}  # before write_outputs, which lets them go
    write_outputs(first, out)
    cache = out / CACHE_DIR / CACHE_FILE
    assert cache.read_bytes()[:16] == b"SQLite format 3\x00"
    assert not list((out / CACHE_DIR).glob("*.pkl"))
    with sqlite3.connect(cache) as db:
        rows = db.execute("SELECT sha256, data FROM results").fetchall()
    assert len(rows) == 2 and all(json.loads(data)["issues"] is not None for _, data in rows)
    again = consolidate([returns], out, jobs=1)
    assert again.read == 0 and again.unchanged == 2
    # the tidy rows are JSON text (as workers send them and the cache keeps them) until the tables are built
    assert {r.rel: (r.status, rows_of(r, None), [i.code for i in r.issues]) for r in again.records} == \
        {r.rel: (r.status, tidy[r.rel], [i.code for i in r.issues]) for r in first.records}


def test_a_planted_pickle_or_foreign_rows_are_never_run(returns, tmp_path):
    out = tmp_path / "out"
    write_outputs(consolidate([returns], out, jobs=1), out)
    marker = tmp_path / "pwned"
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (out / CACHE_DIR / "results.pkl").write_bytes(pickle.dumps({"key": "x", "results": Evil()}))
    with sqlite3.connect(out / CACHE_DIR / CACHE_FILE) as db:
        db.execute("UPDATE results SET data = ?", (json.dumps({"issues": [["NOT-A-CODE"]], "content": None}),))
    assert load_cache(out) == {}
    again = consolidate([returns], out, jobs=1)
    assert again.read == 2 and not marker.exists()


def test_school_files_are_never_changed(returns, tmp_path):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in returns.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    assert main(["consolidate", str(returns), "--out", str(out), "--jobs", "2", "--force"]) in (0, 1)
    files = [str(p) for p in before]
    assert subprocess.run([sys.executable, "-m", "sipxl.cli", "validate", *files], capture_output=True,
                          timeout=600, check=False).returncode in (0, 1)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in returns.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("chosen", [None, "mimalloc"])
def test_the_outputs_are_built_on_the_systems_allocator_unless_one_is_chosen(returns, tmp_path, monkeypatch,
                                                                            chosen):
    """Arrow's own allocator keeps what each step frees; the outputs are built on the system's, which reuses and
    gives it back (issue 13: peak memory), unless the environment chooses one for Arrow."""
    import pyarrow as pa

    if chosen and chosen not in pa.supported_memory_backends():
        pytest.skip(f"this pyarrow has no {chosen}")
    before = pa.default_memory_pool()
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    if chosen:
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", chosen)
        pa.set_memory_pool(pa.mimalloc_memory_pool())
    try:
        out = tmp_path / "out"
        write_outputs(consolidate([returns], out, jobs=1), out)
        assert pa.default_memory_pool().backend_name == (chosen or "system")
    finally:
        pa.set_memory_pool(before)
