"""Where the sheet shows "check entry" for a Leuven or attendance summary, so does every place sipxl shows that
score: `sipxl score` (text and JSON), the Scores sheet the ribbon writes, and the consolidator, which does not
count it. (That the sheet shows "check entry" in exactly these cells is proved with LibreOffice in
tests/test_agreement.py, which compares these scores with the recalculated sheet for generated answers.)

Real workbooks: built from the templates with one mistake, read back; the button runs on
``xw.Book(json=payload)`` and its actions are applied to a copy read with openpyxl.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.apply import apply_actions

import sipxl.excel.xlremote  # noqa: F401  (sets the xlwings environment before anything imports xlwings)
from sipxl.cli import main
from sipxl.consolidate.tidy import file_content
from sipxl.domain.scores import is_check
from sipxl.engine import check_file
from sipxl.excel import buttons
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import build_template
from sipxl.sample import clean_values
from sipxl.spec import layout_template
from sipxl.spec.layout import excel_ref
from sipxl.spec.values import CHECK


def _project(tmp_path: Path, edit) -> Path:
    template, values = clean_values("sipp_project")
    values = dict(values)
    edit(values, layout_template(template))
    return build_template(template, tmp_path / "project.xlsx", values=values)


def _leuven_words(values, layout):
    log = layout.tables["sessions"]
    values[("phase4", log.first_row, log.columns["leuven_1"])] = "2 - passive"  # the sheet's row 1 and pupil 1


def _attended_too_many(values, layout):
    att = layout.tables["attendance"]
    values[(att.sheet, att.first_row, att.columns["possible_after"])] = 50
    values[(att.sheet, att.first_row, att.columns["attended_after"])] = 60  # P014: pct after shows check entry


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def edit(values, layout):
        _leuven_words(values, layout)
        _attended_too_many(values, layout)

    return _project(tmp_path_factory.mktemp("faulty"), edit)


def test_scores_are_check_entry_where_the_sheet_shows_it(faulty: Path) -> None:
    check = check_file(faulty)
    codes = {i.code for i in check.issues}
    assert {"SIPXL-V003", "SIPXL-P014"} <= codes
    content, lv, at = check.content, check.scores.leuven, check.scores.attendance
    first_day = content.tables["sessions"].records[0][1]["session_date"]
    pupil_1 = content.tables["pupils"].records[0][1]["pupil_ref"]
    for s in (lv.log_by_session[first_day], lv.log_by_pupil[pupil_1], lv.log_overall):
        assert s.n > 0 and all(math.isnan(v) for v in (s.mean, s.median, s.pct_engaged))
    # the other sessions and pupils are averaged as the sheet averages them
    others = [s for day, s in lv.log_by_session.items() if day != first_day and s.n]
    assert others and all(not math.isnan(s.mean) for s in others)
    [p] = [p for p in at.pupils if math.isnan(p.pct_after)]
    assert math.isnan(p.change_pp) and not math.isnan(p.pct_before)
    # the group summary leaves the pupil out (not counted), as the sheet's % is not a number
    assert at.summary.n_paired == len(at.pupils) - 1


def test_sipxl_score_prints_check_entry(faulty: Path, capsys) -> None:
    assert main(["score", str(faulty)]) == 1  # errors: the answers must be fixed
    text = capsys.readouterr().out
    leuven = text.split("Leuven engagement, Phase 4 session log")[1].split("Leuven engagement, observations")[0]
    assert leuven.count(CHECK) == 3 * 3  # pupil 1, the first session and "all": median, mean and % at 4-5
    attendance = text.split("Attendance (%)\n")[1].splitlines()[1:]  # under the table's header
    assert [line.count(CHECK) for line in attendance if line.startswith("  SIP")].count(2) == 1  # % after, change
    assert main(["score", str(faulty), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)["scores"]
    assert data["leuven"]["log_overall"]["mean"] == CHECK
    assert sum(p["pct_after"] == CHECK for p in data["attendance"]["pupils"]) == 1


def test_the_scores_sheet_shows_check_entry(faulty: Path, tmp_path: Path) -> None:
    book = book_from_payload(payload_from_xlsx(faulty, client="Office.js"))
    buttons.score(book)
    apply_actions(faulty, book.json()["actions"], tmp_path / "scored.xlsx", client="Office.js")
    rows = [list(r) for r in openpyxl.load_workbook(tmp_path / "scored.xlsx")[buttons.SCORES_SHEET]
            .iter_rows(values_only=True)]
    pupil_1 = check_file(faulty).content.tables["pupils"].records[0][1]["pupil_ref"]
    rows = [[v.strip() if isinstance(v, str) else v for v in r] for r in rows]  # text keeps a gap after a number
    leuven_row = next(r for r in rows if r[0] == pupil_1 and r[2] == CHECK)
    assert leuven_row[2:5] == [CHECK, CHECK, CHECK]
    whole = next(r for r in rows if r[0] == "Whole group")
    assert whole[2:5] == [CHECK, CHECK, CHECK]
    attendance = rows.index(next(r for r in rows if r[0] == "Pupil" and r[1] == "% before"))
    shown = [r for r in rows[attendance + 1: attendance + 8] if r[0]]
    assert sum(r[2] == CHECK and r[3] == CHECK for r in shown) == 1


def test_the_consolidator_does_not_count_it(faulty: Path, tmp_path: Path) -> None:
    check = check_file(faulty)
    kept = file_content(check.content, check.scores).rows
    after = [row[4] for row in kept["assessments"] if row[1] == "Attendance"]
    assert None in after and not any(isinstance(v, float) and math.isnan(v) for v in after)
    # the session whose mean shows "check entry" is left out of the session rows altogether
    first_day = check.content.tables["sessions"].records[0][1]["session_date"]
    assert not [row for row in kept["sessions"] if row[0] == "Session log" and row[2] == first_day]
    assert [row for row in kept["sessions"] if row[0] == "Session log"]
    root = tmp_path / "returns"
    root.mkdir()
    shutil.copy(faulty, root / "project.xlsx")
    assert main(["consolidate", str(root), "--out", str(tmp_path / "out")]) == 1


def test_school_attendance_more_than_possible_is_not_counted(tmp_path: Path) -> None:
    template, values = clean_values("school_return")
    layout = layout_template(template)
    simd = layout.tables["attendance_simd"]
    values = {**values, (simd.sheet, simd.first_row, simd.columns["possible"]): 100,
              (simd.sheet, simd.first_row, simd.columns["attended"]): 120}
    check = check_file(build_template(template, tmp_path / "r.xlsx", values=values))
    sr = check.scores.school_return
    assert math.isnan(sr.attendance_by_quintile[1]) and math.isnan(sr.attendance_gap_pp)
    assert math.isnan(sr.attendance_all)
    rows = file_content(check.content, check.scores).rows["school_returns"]
    assert not [r for r in rows if r[0] == "Attendance" and r[3] == "Q1"]
    assert [r for r in rows if r[0] == "Attendance" and r[3] == "Q5"]


# ---------------------------------------------------------------- the school return's ACEL table

ACEL_ROWS = (0, 1)  # the first two stage/organiser rows of the table


def _count() -> st.SearchStrategy:
    """What a school might type for a count (0-2000 is valid): blanks, text, numeric text, bounds, fractions."""
    return st.one_of(st.none(), st.integers(0, 40), st.integers(0, 40),
                     st.sampled_from([0, 2000, 2001, -1, 0.5, 12.5, 1e6, " ", "", "abc", "n/a", "12", " 7 ", "-"]))


@st.composite
def _acel_answers(draw) -> dict[tuple[int, int], tuple[object, object]]:
    """(row, quintile) -> (assessed, achieved), often with more achieving than assessed."""
    out = {}
    for row in ACEL_ROWS:
        for q in (1, 2, 3, 4, 5):
            if draw(st.integers(0, 3)) == 0:
                assessed = draw(st.integers(0, 30))
                out[(row, q)] = (assessed, assessed + draw(st.integers(1, 5)))  # more achieving than assessed
            else:
                out[(row, q)] = (draw(_count()), draw(_count()))
    return out


def _acel_workbook(tmp_path: Path, answers: dict) -> Path:
    template, values = clean_values("school_return")
    layout = layout_template(template)
    acel = layout.tables["acel"]
    values = dict(values)
    for (row, q), typed in answers.items():
        for col, v in zip((f"assessed_q{q}", f"achieved_q{q}"), typed, strict=True):
            cell = (acel.sheet, acel.first_row + row, acel.columns[col])
            if v is None:
                values.pop(cell, None)
            else:
                values[cell] = v
    return build_template(template, tmp_path / "return.xlsx", values=values)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answers=_acel_answers())
def test_acel_rows_the_sheet_shows_as_check_entry_are_not_counted(tmp_path: Path, answers: dict) -> None:
    """For typed counts of every kind: a stage/organiser row is counted by the consolidator exactly when validate
    reports no error at its counts (its % shows a number, not "check entry"), then with the counts as typed; and
    `sipxl score` gives "check entry" for the row's % (all), Q1, Q5 and gap exactly where validate reports an
    error at a count that % uses (the sheet's cells; that they show "check entry" there is proved against
    LibreOffice in tests/test_agreement.py)."""
    path = _acel_workbook(tmp_path, answers)
    check = check_file(path)
    template = check.content.template
    acel = layout_template(template).tables["acel"]
    name = template.sheet(acel.sheet).name
    errors = {i.cell for i in check.issues if i.severity == "error"}

    def bad(row: int, quintiles) -> bool:
        return any(excel_ref(name, acel.first_row + row, acel.columns[f"{what}_q{q}"]) in errors
                   for q in quintiles for what in ("assessed", "achieved"))

    rows = file_content(check.content, check.scores).rows.get("school_returns", [])
    scored = {(a.stage, a.organiser): a for a in check.scores.school_return.acel}
    for row in ACEL_ROWS:
        excel_row = acel.first_row + row + 1
        record = dict(check.content.tables["acel"].records)[excel_row]
        stage, organiser = record["stage"], record["organiser"]
        kept = {(r[3], r[4]): r[5] for r in rows if r[0] == "ACEL" and (r[1], r[2]) == (stage, organiser)}
        a = scored[(stage, organiser)]
        if bad(row, (1, 2, 3, 4, 5)):
            assert kept == {}, (row, kept)
            assert is_check(a.pct_all)
        else:
            typed = {(f"Q{q}", what): float(v) for (r, q), pair in answers.items() if r == row
                     for what, v in zip(("assessed", "achieved"), pair, strict=True)
                     if v is not None and not (isinstance(v, str) and not v.strip())}
            assert kept == typed
            assert not is_check(a.pct_all)
        for q in (1, 5):
            assert is_check(a.pct_by_quintile[q]) == bad(row, (q,)), (row, q)
        assert is_check(a.gap_pp) == bad(row, (1, 5))


def test_acel_check_entry_in_sipxl_score_and_the_scores_sheet(tmp_path: Path, capsys) -> None:
    """Row 0: more achieving than assessed in Q1; row 1: text in Q3: "check entry" in `sipxl score` (text and
    JSON) and on the Scores sheet the button writes, where the sheet's % shows it."""
    path = _acel_workbook(tmp_path, {(0, 1): (10, 12), (1, 3): (5, "abc")})
    assert main(["score", str(path)]) == 1
    text = capsys.readouterr().out
    acel = text.split("ACEL: % achieving the expected level")[1].split("Attendance by SIMD quintile")[0]
    first, second = (next(line for line in acel.splitlines() if what in line)
                     for what in ("P1     Reading", "P1     Writing"))
    assert first.count(CHECK) == 3 and second.count(CHECK) == 1  # all, Q1 and gap; all only
    assert main(["score", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)["scores"]["school_return"]["acel"]
    assert [data[0]["pct_all"], data[0]["pct_by_quintile"]["1"], data[0]["gap_pp"]] == [CHECK] * 3
    assert data[1]["pct_all"] == CHECK and data[1]["pct_by_quintile"]["3"] == CHECK
    assert isinstance(data[1]["pct_by_quintile"]["1"], float)

    book = book_from_payload(payload_from_xlsx(path, client="Office.js"))
    buttons.score(book)
    apply_actions(path, book.json()["actions"], tmp_path / "scored.xlsx", client="Office.js")
    rows = [[v.strip() if isinstance(v, str) else v for v in r] for r in openpyxl.load_workbook(
        tmp_path / "scored.xlsx")[buttons.SCORES_SHEET].iter_rows(values_only=True)]
    reading = next(r for r in rows if r[0] == "P1 Reading")
    assert [reading[k] for k in (2, 3, 5)] == [CHECK] * 3 and isinstance(reading[4], int | float)
    writing = next(r for r in rows if r[0] == "P1 Writing")
    assert writing[2] == CHECK and all(isinstance(v, int | float) for v in writing[3:6])


# ---------------------------------------------------------------- GAS T-scores

def _gas_level_3(values, layout):
    goals = layout.tables["goals"]
    values[(goals.sheet, goals.first_row, goals.columns["review"])] = 3  # V005: the review T shows check entry


def test_gas_t_is_check_entry_on_the_scores_sheet(tmp_path: Path, capsys) -> None:
    """A GAS level the sheet cannot use: its review T shows "check entry"; so do `sipxl score`, the Scores sheet
    the button writes (not a blank), and the consolidator does not count it."""
    path = _project(tmp_path, _gas_level_3)
    check = check_file(path)
    assert "SIPXL-V005" in {i.code for i in check.issues}
    gas = check.scores.gas
    assert gas.children and all(is_check(c.score.review_t) and is_check(c.score.change) for c in gas.children)
    assert not any(is_check(c.score.baseline_t) for c in gas.children)
    assert gas.summary.n_paired == 0
    assert main(["score", str(path), "--json"]) == 1
    children = json.loads(capsys.readouterr().out)["scores"]["gas"]["children"]
    assert children and all(c["score"]["review_t"] == CHECK for c in children)
    assessments = file_content(check.content, check.scores).rows["assessments"]
    gas_rows = [r for r in assessments if r[1] == "Goal Attainment Scaling"]
    assert gas_rows and all(r[3] is not None and r[4] is None and r[5] is None for r in gas_rows)

    book = book_from_payload(payload_from_xlsx(path, client="Office.js"))
    buttons.score(book)
    apply_actions(path, book.json()["actions"], tmp_path / "scored.xlsx", client="Office.js")
    rows = [[v.strip() if isinstance(v, str) else v for v in r] for r in openpyxl.load_workbook(
        tmp_path / "scored.xlsx")[buttons.SCORES_SHEET].iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[:5] == ["Child", "Goals", "Baseline T", "Review T", "Change"]))
    shown = rows[header + 1: header + 1 + len(gas.children)]
    assert [r[0] for r in shown] == [c.child for c in gas.children]
    assert all(isinstance(r[2], float) and r[3] == CHECK and r[4] == CHECK for r in shown)
