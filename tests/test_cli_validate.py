"""`sipxl validate`, `sipxl score` and `sipxl docs errors`: readable reports, JSON, exit codes, files untouched."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sipxl.cli import main
from sipxl.io.build import build_template
from sipxl.issues import CATALOGUE, catalogue_markdown
from sipxl.sample import build_clean, clean_values
from sipxl.spec import layout_template
from sipxl.spec.layout import excel_ref

ROOT = Path(__file__).resolve().parents[1]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli")
    template, values = clean_values("social_skills")
    layout = layout_template(template)
    place = layout.grids["social_skills"]
    bad = dict(values)
    bad[("social_skills", place.item_rows[4], place.columns[(1, "Post")])] = 7
    warn = dict(values)
    del warn[("social_skills", place.item_rows[2], place.columns[(0, "Pre")])]  # an item left blank: a warning
    return {
        "clean": build_clean("social_skills", d / "clean.xlsx"),
        "bad": build_template(template, d / "bad.xlsx", values=bad),
        "warn": build_template(template, d / "warn.xlsx", values=warn),
        "bad_cell": excel_ref("Social Skills", place.item_rows[4], place.columns[(1, "Post")]),
        "project": build_clean("sipp_project", d / "project.xlsx"),
    }


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse usage errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_clean_file_exits_0(files, capsys):
    code, out, err = run(capsys, "validate", str(files["clean"]))
    assert code == 0
    assert "valid - 0 error(s)" in out
    assert "1 valid" in err


def test_validate_reports_every_issue_with_its_cell_and_exits_1(files, capsys):
    code, out, err = run(capsys, "validate", str(files["clean"]), str(files["bad"]))
    assert code == 1
    assert f"ERROR   SIPXL-V004  {files['bad_cell']}" in out
    assert "value: '7'" in out and "What to do:" in out and "should be a whole number from 0 to 4" in out
    assert "1 with errors" in err


def test_warnings_only_is_valid(files, capsys):
    code, out, _ = run(capsys, "validate", str(files["warn"]))
    assert code == 0
    assert "WARNING SIPXL-P013" in out and "valid, with warnings" in out


def test_validate_json(files, capsys):
    code, out, _ = run(capsys, "validate", "--json", str(files["bad"]), str(files["clean"]))
    assert code == 1
    report = json.loads(out)
    assert [r["valid"] for r in report] == [False, True]
    issue = report[0]["issues"][0]
    assert issue["code"] == "SIPXL-V004" and issue["cell"] == files["bad_cell"] and issue["severity"] == "error"
    assert {"sheet", "label", "value", "message", "fix", "title"} <= set(issue)


def test_missing_file_is_a_usage_error(files, capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(files["clean"]), str(tmp_path / "nope.xlsx"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "score", str(tmp_path / "nope.xlsx"))
    assert code == 2
    code, _, _ = run(capsys, "validate")
    assert code == 2


def test_unreadable_file_is_reported_and_exits_1(capsys, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    code, out, _ = run(capsys, "validate", str(junk))
    assert code == 1 and "SIPXL-F001" in out and "rejected" in out


def test_score_prints_scores(files, capsys):
    code, out, _ = run(capsys, "score", str(files["project"]))
    assert code == 0
    for heading in ("Social Skills Pupil Assessment", "Leuven engagement", "Goal Attainment Scaling",
                    "Rosenberg", "Attendance", "Practitioner survey", "Caution:"):
        assert heading in out


def test_score_json(files, capsys):
    code, out, _ = run(capsys, "score", "--json", str(files["bad"]))
    assert code == 1
    report = json.loads(out)
    assert report["kind"] == "social_skills" and report["issues"][0]["code"] == "SIPXL-V004"
    pupils = report["scores"]["social_skills"]["pupils"]
    assert pupils[1]["post"]["total"] is None and pupils[0]["post"]["total"] is not None


def test_commands_never_modify_the_files(files, capsys):
    paths = [files[k] for k in ("clean", "bad", "warn", "project")]
    before = [sha(p) for p in paths]
    mtimes = [p.stat().st_mtime_ns for p in paths]
    run(capsys, "validate", *map(str, paths))
    run(capsys, "validate", "--json", *map(str, paths))
    for p in paths:
        run(capsys, "score", str(p))
        run(capsys, "score", "--json", str(p))
    assert [sha(p) for p in paths] == before
    assert [p.stat().st_mtime_ns for p in paths] == mtimes


def test_docs_errors(capsys, tmp_path):
    out_file = tmp_path / "docs" / "errors.md"
    code, _, err = run(capsys, "docs", "errors", "--out", str(out_file))
    assert code == 0 and out_file.read_text(encoding="utf-8") == catalogue_markdown()
    code, out, _ = run(capsys, "docs", "errors")
    assert code == 0 and out == catalogue_markdown()


def test_docs_errors_md_is_current():
    """docs/errors.md is generated (`sipxl docs errors --out docs/errors.md`); regenerate it when codes change."""
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert text == catalogue_markdown()
    assert all(code in text for code in CATALOGUE)


def test_console_script(files):
    """The installed entry point, in a separate process: exit code and stdout/stderr split."""
    done = subprocess.run([sys.executable, "-m", "sipxl.cli", "validate", str(files["bad"])],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "SIPXL-V004" in done.stdout and "SIPXL-V004" not in done.stderr
