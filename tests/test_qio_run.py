"""The QIO's run from the command line: last year beside this year, the authority's own Forms survey, dates that
do not come from copied files, a summary that puts the exceptions first, and clear messages when there is
nothing to read."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil

import openpyxl
import pytest

from sipxl.cli import main
from sipxl.consolidate import AuthorityConfig, consolidate
from sipxl.consolidate.run import DATE_UNKNOWN, STAMP
from sipxl.spec import lists as L


@pytest.fixture(scope="module")
def two_sessions(tmp_path_factory):
    root = tmp_path_factory.mktemp("years")
    for session, folder in (("2024/25", "last"), ("2025/26", "now")):
        assert main(["sample", "--out", str(root / folder), "--schools", "8", "--session", session,
                     "--mistakes", "0", "--missing", "0"]) == 0
    assert main(["consolidate", str(root / "last"), "--out", str(root / "out-last"), "--jobs", "1"]) in (0, 1)
    assert main(["consolidate", str(root / "now"), "--out", str(root / "out-now"), "--jobs", "1",
                 "--previous", str(root / "out-last")]) in (0, 1)
    return root


def _table(ws, header: str) -> tuple[list[str], list[tuple]]:
    rows = list(ws.iter_rows(values_only=True))
    k = next(k for k, r in enumerate(rows) if r[1] == header)
    body = []
    for r in rows[k + 1:]:
        if r[1] is None or all(v is None for v in r[2:]):  # the end, or the note under the table
            break
        body.append(r[1:])
    return list(rows[k][1:]), body


def test_previous_session_comparison_shows_the_change(two_sessions):
    root = two_sessions
    last = json.loads((root / "out-last" / "history.json").read_text(encoding="utf-8"))["sessions"]["2024/25"]
    now = json.loads((root / "out-now" / "history.json").read_text(encoding="utf-8"))["sessions"]
    assert set(now) == {"2024/25", "2025/26"}  # last year's figures are carried forward
    wb = openpyxl.load_workbook(root / "out-now" / "dashboard.xlsx")
    cols, rows = _table(wb["Overview"], "Outcome")
    assert cols[3] == "Previous session (2024/25)"
    compared = 0
    for r in rows:
        before = last["headline"][r[0]]["value"]
        assert r[3] == pytest.approx(before) if before is not None else r[3] is None
        if isinstance(r[1], float) and before is not None:
            assert r[4] == pytest.approx(r[1] - before)
            compared += 1
    assert compared >= 5
    cols, rows = _table(wb["School profile"], "SEED code")
    prev_col = cols.index("% achieving: previous (2024/25)")
    change_col = cols.index("% achieving: change")
    schools = last["schools"]
    checked = 0
    for r in rows:
        if r[0] in schools and r[prev_col] is not None:
            assert r[prev_col] == pytest.approx(schools[r[0]]["% achieving CfE levels"])
            assert r[change_col] == pytest.approx(r[cols.index("% achieving: now")] - r[prev_col])
            checked += 1
    assert checked >= 4  # the same schools in both sessions


def test_history_kept_in_the_output_folder_serves_next_year(two_sessions, tmp_path):
    root = two_sessions
    out = tmp_path / "out"
    assert main(["consolidate", str(root / "last"), "--out", str(out), "--jobs", "1"]) in (0, 1)
    assert main(["consolidate", str(root / "now"), "--out", str(out), "--jobs", "1"]) in (0, 1)
    wb = openpyxl.load_workbook(out / "dashboard.xlsx")
    cols, _ = _table(wb["Overview"], "Outcome")
    assert cols[3] == "Previous session (2024/25)"


def _forms_export(path, responses):
    """A workbook laid out as Microsoft Forms' 'Download responses' export."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Your role",
               *(f"Working together has... .{s}" for s in L.SURVEY_STATEMENTS)])
    for k, (name, answers) in enumerate(responses, start=1):
        ws.append([k, dt.datetime(2026, 6, 1, 9), dt.datetime(2026, 6, 1, 9, 5), f"{name.split()[0]}@example.org",
                   name, "Class teacher", *answers])
    wb.save(path)


def test_a_microsoft_forms_survey_export_is_consolidated(two_sessions, tmp_path, capsys):
    root = two_sessions
    responses = [(f"Morag Test{k}", [L.AGREEMENT[(k + j) % 5].lower() + " " for j in range(5)])
                 for k in range(1, 8)]
    _forms_export(tmp_path / "forms.xlsx", responses)
    out = tmp_path / "out"
    main(["consolidate", str(root / "now"), "--out", str(out), "--jobs", "1", "--survey", str(tmp_path / "forms.xlsx")])
    base = openpyxl.load_workbook(root / "out-now" / "dashboard.xlsx")
    wb = openpyxl.load_workbook(out / "dashboard.xlsx")
    cols, before = _table(base["Survey"], "Working together has...")
    _, after = _table(wb["Survey"], "Working together has...")
    n = cols.index("N")
    assert [a[n] - b[n] for a, b in zip(after, before, strict=True)] == [7] * 5
    blob = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix in (".csv", ".json"))
    assert b"Morag" not in blob and b"@example.org" not in blob  # Email and Name are never read
    (tmp_path / "other.xlsx").write_bytes((tmp_path / "forms.xlsx").read_bytes())
    wb2 = openpyxl.load_workbook(tmp_path / "other.xlsx")
    wb2.active.delete_cols(7, 5)
    wb2.save(tmp_path / "other.xlsx")
    capsys.readouterr()
    assert main(["consolidate", str(root / "now"), "--out", str(out), "--survey", str(tmp_path / "other.xlsx")]) == 2
    assert "none of the practitioner survey's statements" in capsys.readouterr().err


def test_copied_files_are_not_late_and_the_summary_says_why(two_sessions, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(two_sessions / "now", copy)  # a plain copy: every file modified now, after the deadline
    from sipxl.sample import build_clean

    build_clean("school_return", copy / "unstamped" / "return.xlsx")  # never prepared: no stamp
    for p in copy.rglob("*.xlsx"):
        os.utime(p, None)
    cons = consolidate([copy], tmp_path / "o", AuthorityConfig(deadline=dt.date(2026, 6, 26)), jobs=1)
    late = [r for r in cons.records if any(i.code == "SIPXL-C003" for i in r.issues)]
    assert all(r.date_source == STAMP for r in late)
    assert {r.date_source for r in cons.accepted} <= {STAMP, DATE_UNKNOWN}
    assert any(r.date_source == DATE_UNKNOWN and r.date_used is None for r in cons.accepted)
    main(["consolidate", str(copy), "--out", str(tmp_path / "o2"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert "look copied" in err


def test_summary_puts_exceptions_first_and_fits_80_columns(tmp_path, capsys):
    sample = tmp_path / "s"
    main(["sample", "--out", str(sample), "--schools", "12", "--mistakes", "1", "--missing", "0.2", "--seed", "4"])
    key = json.loads((tmp_path / "s_manifest.json").read_text(encoding="utf-8"))
    config = tmp_path / "a.toml"
    config.write_text('[authority]\nname = "Test"\n' + "".join(
        f'[[schools]]\nseed = "{s["seed_code"]}"\nname = "{s["name"]}"\n' for s in key["school_list"]),
        encoding="utf-8")
    capsys.readouterr()
    main(["consolidate", str(sample), "--out", str(tmp_path / "o"), "--config", str(config), "--jobs", "1"])
    err = capsys.readouterr().err.splitlines()
    start = err.index(next(line for line in err if line.startswith("Needs attention")))
    fine = next(k for k, line in enumerate(err) if re.match(r"\d+ school\(s\) all fine", line))
    listed = err[start + 1:fine]
    assert listed and all(line.startswith("  ") and len(line) <= 80 for line in listed)
    missing = [line for line in listed if "nothing received" in line or "missing" in line]
    assert len(missing) == len(key["not_returned"]) and listed[:len(missing)] == missing  # missing first
    assert int(err[fine].split()[0]) + len(listed) == len(key["school_list"])
    main(["consolidate", str(sample), "--out", str(tmp_path / "o"), "--config", str(config), "--all"])
    full = capsys.readouterr().err.splitlines()
    assert sum(bool(re.match(r"  99\d{5} ", line)) for line in full) >= len(key["school_list"]) - 2 + len(listed)
    assert all(len(line) <= 80 for line in full if line.startswith("  "))


def test_nothing_to_read_is_said_plainly(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["consolidate", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "No workbooks were found" in capsys.readouterr().err
    (empty / "notes.txt").write_text("hello", encoding="utf-8")
    assert main(["consolidate", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "No workbooks were found" in capsys.readouterr().err
    assert main(["consolidate", str(empty / "notes.txt"), "--out", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err
