"""Feedback a QIO can send: a workbook per school with something to fix or a return missing, in fixing order,
with no folders and no flagged values; and a mail-merge list that points at them."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest

from sipxl.consolidate import AuthorityConfig, ExpectedSchool, consolidate, write_outputs
from sipxl.consolidate.feedback import MAIL_MERGE, file_stem
from sipxl.sample import generate_authority, manifest_path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("fb")
    sample = root / "returns"
    generate_authority(sample, schools=10, seed=11, mistake_rate=1.0, missing=0.2, workers=1)
    key = json.loads(manifest_path(sample).read_text(encoding="utf-8"))
    schools = tuple(ExpectedSchool(s["seed_code"], s["name"], email=f"{s['seed_code']}@example.org")
                    for s in key["school_list"])
    config = AuthorityConfig(name="Test Council", schools=schools, contact="Ann Officer, ann@example.org",
                             feedback_deadline=dt.date(2026, 7, 3))
    out = root / "out"
    cons = consolidate([sample], out, config, jobs=1)
    write_outputs(cons, out)
    return cons, out, key


def test_one_workbook_per_school_with_something_to_fix_and_a_mail_merge(run):
    cons, out, key = run
    to_fix = {str(i.extra["seed_code"]) for i in cons.all_issues
              if i.severity in ("error", "warning") and i.extra.get("seed_code")}
    assert set(key["not_returned"]) <= to_fix  # a school whose return never came is written to as well
    files = sorted(p.name for p in (out / "feedback").glob("*.xlsx"))
    assert len(files) == len(to_fix) and all(f.split(" ", 1)[0] in to_fix for f in files)
    with open(out / "feedback" / MAIL_MERGE, encoding="utf-8-sig", newline="") as f:
        merge = list(csv.DictReader(f))
    assert sorted(m["seed_code"] for m in merge) == sorted(to_fix)
    for m in merge:
        assert m["email"] == f"{m['seed_code']}@example.org" and (out / m["attachment"]).is_file()
        assert m["reply_by"] == "2026-07-03"
    missing = {m["seed_code"] for m in merge if m["missing"] == "1"}
    assert missing == set(key["not_returned"])


def test_feedback_says_what_to_do_by_when_in_fixing_order_without_paths(run):
    cons, out, key = run
    names = {m["value"] for f in key["files"] for m in f["mistakes"] if m["name"] == "name_as_pupil_ref"}
    seen_grouped = False
    for path in (out / "feedback").glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[:2] == ["What to do", "Issues"]
        todo = " ".join(str(c.value) for row in wb["What to do"].iter_rows() for c in row if c.value)
        assert "Friday 03 July 2026" in todo and "ann@example.org" in todo
        rows = list(wb["Issues"].iter_rows(values_only=True))
        assert rows[0][:4] == ("No.", "Workbook", "Sheet", "Cell(s)")
        for r in rows[1:]:
            assert "/" not in (r[1] or "") and "\\" not in (r[1] or "")  # the workbook's name, never a folder
            assert not any(n in str(v) for n in names for v in r)
            if r[5] and r[5].startswith("Pupil reference looks like a name"):
                cells = r[3].split(", ")
                assert r[2] == "Pupils" and len(cells) > 1  # the register first, the copies with it, once
                seen_grouped = True
        for book in {r[1] for r in rows[1:]}:  # per workbook: whole-file problems, then errors, then warnings
            order = [(bool(r[3]), r[4] != "error") for r in rows[1:] if r[1] == book]
            assert order == sorted(order)
    assert seen_grouped == bool(names)


def test_a_school_that_is_fine_gets_no_letter(run):
    cons, out, _ = run
    fine = {s.seed_code for s in cons.config.schools} - {p.name.split(" ", 1)[0] for p in
                                                           (out / "feedback").glob("*.xlsx")}
    assert fine  # most schools have nothing to fix
    for seed in fine:
        assert not any(i.severity in ("error", "warning") for i in cons.all_issues
                       if str(i.extra.get("seed_code", "")) == seed)


def test_file_names_are_safe_and_unique():
    used: set[str] = set()
    a = file_stem('9900001 St Mary\'s: "Primary" <School>/Annex', used)
    b = file_stem('9900001 St Mary\'s: "Primary" <School>/Annex', used)
    assert not set('<>:"/\\|?*') & set(a) and a != b and b.endswith("(2)")
