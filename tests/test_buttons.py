"""The ribbon's buttons on real xlwings books built from client payloads, applied back and read with openpyxl.

No mocks: each test builds a filled project workbook from the committed template specification (the sample
builder), turns it into the JSON payload an Office.js or VBA client sends, runs the button on
``xw.Book(json=payload)`` (remote engine, ``XLWINGS_LICENSE_KEY=noncommercial``), applies the returned actions
to a copy with :func:`support.apply.apply_actions` (tests) (which refuses, as Excel does, to format a protected
sheet) and checks what a teacher would see against the engine's results (:func:`sipxl.engine.check_file`).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pytest
from support.apply import apply_actions

import sipxl.excel.xlremote  # noqa: F401  (sets the xlwings environment before anything imports xlwings)
from sipxl import __version__
from sipxl.engine import check_file
from sipxl.excel import buttons, pages
from sipxl.excel.cells import MARK_COLOURS, as_text, cell_display, parse_ref
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import build_template
from sipxl.sample import build_clean_project, clean_values
from sipxl.spec import get_template, layout_template
from sipxl.spec.layout import a1

CLIENTS = ["Office.js", "VBA"]
#: Actions VBA's Remote.bas can run (xlwings 0.37.8); Office.js runs all of them too.
VBA_ACTIONS = {
    "setValues", "rangeClearContents", "rangeClear", "rangeClearFormats", "sheetClear", "sheetClearContents",
    "sheetClearFormats", "addSheet", "setSheetName", "setAutofit", "setRangeColor", "activateSheet",
    "addHyperlink", "setNumberFormat", "alert", "runMacro",
}


def _argb(hex_colour: str) -> str:
    return "FF" + hex_colour.lstrip("#").upper()


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_clean_project(tmp_path_factory.mktemp("clean") / "project.xlsx", seed=2026)


def _faulty_values():
    template, values = clean_values("sipp_project", 2026)
    layout = layout_template(template)
    grid = layout.grids["social_skills"]
    values[("social_skills", grid.item_rows[3], grid.columns[(0, "Pre")])] = 7  # out of range: error
    del values[("social_skills", grid.item_rows[5], grid.columns[(1, "Post")])]  # an item left blank: warning
    title = layout.fields["project_title"]
    values[(title.sheet, title.row, title.col)] = "=2+2 project"  # text that Excel would take for a formula
    return template, values


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template, values = _faulty_values()
    path = tmp_path_factory.mktemp("faulty") / "faulty.xlsx"
    return build_template(template, path, values=values, sheet_names={"phase2": "Phase 2 (draft)"})


def run_button(name: str, src: Path, dst: Path, client: str) -> tuple[list[dict], list[dict]]:
    """Run a button as a client would; return (actions, effects that only show in the running Excel)."""
    book = book_from_payload(payload_from_xlsx(src, client=client))
    buttons.BUTTONS[name](book)
    actions = book.json()["actions"]
    effects = apply_actions(src, actions, dst, client=client)
    return actions, effects


def _alerts(effects: list[dict]) -> list[str]:
    return [e["args"][0] for e in effects if e["func"] == "alert"]


def _sheet_rows(ws) -> list[list]:
    """The sheet's rows, without the empty rows that a cleared sheet keeps at its end."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


# ---------------------------------------------------------------- Validate


@pytest.mark.parametrize("client", CLIENTS)
def test_validate_lists_marks_and_links_every_engine_issue(faulty: Path, tmp_path: Path, client: str) -> None:
    expected = check_file(faulty).issues
    assert {i.severity for i in expected} >= {"error", "warning"}
    actions, effects = run_button("validate", faulty, tmp_path / "out.xlsx", client)
    assert {a["func"] for a in actions} <= VBA_ACTIONS
    [alert] = _alerts(effects)
    assert "1 error" in alert and "Issues sheet" in alert

    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = wb[buttons.ISSUES_SHEET]
    assert wb.active.title == buttons.ISSUES_SHEET
    rows = _sheet_rows(ws)
    assert list(rows[buttons.ISSUES_FIRST_ROW][:7]) == list(buttons.ISSUE_HEADER)
    listed = rows[buttons.ISSUES_FIRST_ROW + 1:]
    assert len(listed) == len(expected)
    for k, (row, issue) in enumerate(zip(listed, expected, strict=True)):
        severity, code, cell, label, value, message, fix = row[:7]
        assert (severity.lower(), code, message, fix) == (issue.severity, issue.code, issue.message, issue.fix)
        assert (label or "", value or "") == (issue.label, issue.value)
        excel_row = buttons.ISSUES_FIRST_ROW + 2 + k
        if issue.cell:
            sheet, r, c = parse_ref(issue.cell)
            assert cell == cell_display(sheet, r, c)
            link = ws.cell(excel_row, 3).hyperlink
            assert link is not None and link.location == issue.cell
            # the mark is where the teacher typed, in the colour of the issue's severity
            marked = wb[sheet].cell(r + 1, c + 1)
            assert marked.fill.fgColor.rgb == _argb(MARK_COLOURS[issue.severity])
        else:
            assert cell == issue.sheet and ws.cell(excel_row, 3).hyperlink is None
    # the template sheets that were marked are protected again, as built
    for name in ("Social Skills", "Phase 5"):
        assert wb[name].protection.sheet is True
    # an unmarked answer keeps its white input fill
    layout = layout_template(check_file(faulty).content.template)
    grid = layout.grids["social_skills"]
    untouched = wb["Social Skills"].cell(grid.item_rows[1] + 1, grid.columns[(2, "Pre")] + 1)
    assert untouched.fill.fgColor.rgb == "FFFFFFFF"


def test_validate_clears_marks_and_issues_that_no_longer_apply(faulty: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.xlsx"
    run_button("validate", faulty, first, "VBA")
    wb = openpyxl.load_workbook(first)
    [error] = [i for i in check_file(faulty).issues if i.severity == "error"]
    sheet, r, c = parse_ref(error.cell)
    assert wb[sheet].cell(r + 1, c + 1).fill.fgColor.rgb == _argb(MARK_COLOURS["error"])
    wb[sheet].cell(r + 1, c + 1).value = 3  # the teacher corrects the score
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)

    second = tmp_path / "second.xlsx"
    _, effects = run_button("validate", fixed, second, "Office.js")
    assert "0 errors" in _alerts(effects)[0]
    wb = openpyxl.load_workbook(second)
    assert wb[sheet].cell(r + 1, c + 1).fill.fgColor.rgb == "FFFFFFFF"  # mark undone: the input fill again
    codes = [row[1] for row in _sheet_rows(wb[buttons.ISSUES_SHEET])[buttons.ISSUES_FIRST_ROW + 1:]]
    assert codes == [i.code for i in check_file(fixed).issues] and "SIPXL-V004" not in codes
    # the warnings that still apply are still marked
    for issue in check_file(fixed).issues:
        if issue.cell:
            s, rr, cc = parse_ref(issue.cell)
            assert wb[s].cell(rr + 1, cc + 1).fill.fgColor.rgb == _argb(MARK_COLOURS[issue.severity])
    assert wb.sheetnames.count(buttons.ISSUES_SHEET) == 1


@pytest.mark.parametrize("client", CLIENTS)
def test_validate_clean_workbook(clean: Path, tmp_path: Path, client: str) -> None:
    assert check_file(clean).issues == []
    _, effects = run_button("validate", clean, tmp_path / "out.xlsx", client)
    assert _alerts(effects) == ["No problems found. The Issues sheet says so too."]
    rows = _sheet_rows(openpyxl.load_workbook(tmp_path / "out.xlsx")[buttons.ISSUES_SHEET])
    assert rows[0][0] == "sipxl found no problems in this workbook."
    assert len(rows) == buttons.ISSUES_FIRST_ROW + 1


# ---------------------------------------------------------------- Score


def _find_row(rows: list[list], first: object, start: int = 0) -> int:
    for k in range(start, len(rows)):
        if rows[k][0] == first:
            return k
    raise AssertionError(f"{first!r} not found in column A")


@pytest.mark.parametrize("client", CLIENTS)
def test_score_writes_the_engines_scores(clean: Path, tmp_path: Path, client: str) -> None:
    scores = check_file(clean).scores
    actions, effects = run_button("score", clean, tmp_path / "out.xlsx", client)
    assert {a["func"] for a in actions} <= VBA_ACTIONS
    assert _alerts(effects) == ["The scores are on the Scores sheet."]
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.active.title == buttons.SCORES_SHEET
    rows = _sheet_rows(wb[buttons.SCORES_SHEET])

    top = _find_row(rows, pages.SCORE_TITLES["social_skills"])
    for p in scores.social_skills.pupils:
        k = _find_row(rows, p.pupil, top)
        assert rows[k][1:4] == [p.pre.total, p.post.total, p.change]
    k = _find_row(rows, "Average change (/60)", top)
    assert rows[k][1] == pytest.approx(scores.social_skills.summary.mean_change)
    assert rows[_find_row(rows, "Size of the change", top)][1] == pages.size_of_change(scores.social_skills.summary)
    # the technical statistics are kept for a psychologist, after every plain-words section
    technical = _find_row(rows, "For a psychologist: technical statistics")
    assert technical > _find_row(rows, pages.SCORE_TITLES["attendance"])
    k = _find_row(rows, "Effect size d_z (change ÷ SD of changes)", technical)
    assert rows[k][1] == pytest.approx(scores.social_skills.summary.d_z)
    k = _find_row(rows, "Hedges' g_av (small-sample corrected)", technical)
    assert rows[k][1] == pytest.approx(scores.social_skills.summary.g_av)

    top = _find_row(rows, pages.SCORE_TITLES["gas"])
    for child in scores.gas.children:
        k = _find_row(rows, child.child, top)
        assert rows[k][2:5] == pytest.approx([child.score.baseline_t, child.score.review_t, child.score.change])

    top = _find_row(rows, pages.SCORE_TITLES["leuven"])
    k = _find_row(rows, "Whole group", top)
    overall = scores.leuven.log_overall
    assert rows[k][1:5] == pytest.approx([overall.n, overall.median, overall.mean, overall.pct_engaged])

    top = _find_row(rows, pages.SCORE_TITLES["attendance"])
    for p in scores.attendance.pupils:
        assert rows[_find_row(rows, p.pupil, top)][1:4] == pytest.approx([p.pct_before, p.pct_after, p.change_pp])

    # the caution is printed once, with the technical statistics, as text a teacher can read
    text = " ".join(str(r[0]) for r in rows[technical:] if r[0])
    caution = scores.social_skills.summary.caution
    assert text.count("Caution: " + caution) == 1
    assert "regression to the mean" in text and "no control" in text


# ---------------------------------------------------------------- Summary


@pytest.mark.parametrize("client", CLIENTS)
def test_summary_is_one_printable_page(faulty: Path, tmp_path: Path, client: str) -> None:
    check = check_file(faulty)
    actions, effects = run_button("summary", faulty, tmp_path / "out.xlsx", client)
    assert {a["func"] for a in actions} <= VBA_ACTIONS
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = wb[buttons.SUMMARY_SHEET]
    rows = _sheet_rows(ws)
    assert ws.max_row <= 45 and ws.max_column <= 6  # one A4 page
    # text stays text: the title the teacher typed is not turned into a formula
    assert rows[0][0] == "Project summary: =2+2 project"
    assert rows[_find_row(rows, "Project title")][1] == "=2+2 project"
    assert ws.cell(_find_row(rows, "Project title") + 1, 2).data_type == "s"
    assert rows[_find_row(rows, "Pupils in the target group")][1] == 6
    assert rows[_find_row(rows, "Checks")][1] == "1 error, 2 warnings (click Validate for the list)"
    # the seed's results table, where the template's chart reads it: participant, before /60, after /60, difference
    assert rows[pages.RESULTS_HEADER_ROW][:4] == ["Participant", "Before /60", "After /60", "Difference"]
    for k, p in enumerate(check.scores.social_skills.pupils):
        row = rows[pages.RESULTS_HEADER_ROW + 1 + k]
        assert row[:4] == [p.pupil, p.pre and p.pre.total, p.post and p.post.total, p.change]
    s = check.scores.social_skills.summary
    assert rows[_find_row(rows, "Average change")][1] == pytest.approx(s.mean_change)
    assert any(str(r[0]).startswith("Caution: with so few pupils") for r in rows if r[0])


# ---------------------------------------------------------------- Check setup


@pytest.mark.parametrize("client", CLIENTS)
def test_check_setup_reports_versions_and_template(faulty: Path, tmp_path: Path, client: str) -> None:
    actions, effects = run_button("check_setup", faulty, tmp_path / "out.xlsx", client)
    assert [a["func"] for a in actions] == ["alert"]
    [text] = _alerts(effects)
    assert f"sipxl {__version__}" in text and "xlwings 0.37.8" in text and f"({client} client)" in text
    assert f"SIPP project workbook (kind 'sipp_project'), version {get_template('sipp_project').version}" in text
    assert "renamed to 'Phase 2 (draft)'" in text


@pytest.mark.parametrize("client", CLIENTS)
def test_check_setup_on_a_workbook_that_is_not_a_template(tmp_path: Path, client: str) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "My own list"
    src = tmp_path / "plain.xlsx"
    wb.save(src)
    _, effects = run_button("check_setup", src, tmp_path / "out.xlsx", client)
    [text] = _alerts(effects)
    assert "not a sipxl template" in text
    _, effects = run_button("validate", src, tmp_path / "out2.xlsx", client)
    [text] = _alerts(effects)
    assert text.startswith("Validate: This workbook is not a sipxl template") and "Traceback" not in text
    assert openpyxl.load_workbook(tmp_path / "out2.xlsx").sheetnames == ["Sheet"]


# ---------------------------------------------------------------- Prepare for submission


def _stamp_cells(path: Path) -> tuple[object, object]:
    layout = layout_template(check_file(path).content.template)
    on, with_ = layout.fields["submitted_on"], layout.fields["submitted_with"]
    ws = openpyxl.load_workbook(path)["Project"]
    return ws[a1(on.row, on.col)].value, ws[a1(with_.row, with_.col)].value


@pytest.mark.parametrize("client", CLIENTS)
def test_prepare_refuses_while_errors_remain(faulty: Path, tmp_path: Path, client: str) -> None:
    out = tmp_path / "out.xlsx"
    _, effects = run_button("prepare", faulty, out, client)
    [text] = _alerts(effects)
    errors = [i for i in check_file(faulty).issues if i.severity == "error"]
    assert text.startswith("Not ready to send yet: 1 error must be fixed first.")
    for issue in errors:
        assert issue.message in text
    assert _stamp_cells(out) == (None, None)
    assert openpyxl.load_workbook(out).active.title == buttons.ISSUES_SHEET


@pytest.mark.parametrize("client", CLIENTS)
def test_prepare_stamps_a_clean_workbook(clean: Path, tmp_path: Path, client: str) -> None:
    out = tmp_path / "out.xlsx"
    actions, effects = run_button("prepare", clean, out, client)
    assert {a["func"] for a in actions} <= VBA_ACTIONS
    [text] = _alerts(effects)
    assert text.startswith("Ready to send.")
    on, with_ = _stamp_cells(out)
    assert on == dt.datetime.combine(dt.date.today(), dt.time())
    assert with_ == f"sipxl {__version__}"
    wb = openpyxl.load_workbook(out)
    assert wb["Project"].protection.sheet is True
    # the engine reads the stamp back from the file
    again = check_file(out)
    assert again.content.field_value("submitted_on") == dt.date.today()
    assert again.content.field_value("submitted_with") == f"sipxl {__version__}"
    assert again.issues == []


# ---------------------------------------------------------------- failures and text


def test_a_failure_is_a_short_alert_and_a_log_entry(clean: Path, tmp_path: Path, monkeypatch) -> None:
    import sipxl.domain.rules as rules

    def broken(content):  # a fault inside the domain
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(rules, "validate_content", broken)
    monkeypatch.setenv("SIPXL_LOG_DIR", str(tmp_path / "logs"))
    actions, effects = run_button("validate", clean, tmp_path / "out.xlsx", "VBA")
    assert [a["func"] for a in actions] == ["alert"]  # nothing half-written
    [text] = _alerts(effects)
    assert text.startswith("Validate could not finish, and your workbook was not changed.")
    assert "Traceback" not in text and "ZeroDivisionError" not in text
    ref = text.rsplit("reference ", 1)[1].rstrip(".")
    log = (tmp_path / "logs" / "sipxl-excel.log").read_text(encoding="utf-8")
    assert ref in log and "ZeroDivisionError: boom" in log


@pytest.mark.parametrize(
    "text, kept",
    [("=2+2", "'=2+2"), ("+44 141", "'+44 141"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("0012345", "'0012345"),
     ("12/03/2026", "'12/03/2026"), ("TRUE", "'TRUE"), ("'quoted", "''quoted"), ("SIP-A1", "SIP-A1"),
     ("Lego Therapy", "Lego Therapy"), ("", "")],
)
def test_text_is_written_as_text(text: str, kept: str, tmp_path: Path) -> None:
    assert as_text(text) == kept
    wb = openpyxl.Workbook()
    src = tmp_path / "a.xlsx"
    wb.save(src)
    book = book_from_payload(payload_from_xlsx(src))
    book.sheets[0]["A1"].value = as_text(text)
    apply_actions(src, book.json(), tmp_path / "b.xlsx")
    got = openpyxl.load_workbook(tmp_path / "b.xlsx").active["A1"].value
    assert got == (text or None)


def test_template_protection_allows_marks_not_typing(faulty: Path, tmp_path: Path) -> None:
    """The sheets' protection lets a fill through without unprotecting, but still no value into a locked cell."""
    from support.apply import UnsupportedActionError

    book = book_from_payload(payload_from_xlsx(faulty, client="VBA"))
    book.sheets["Social Skills"]["C12"].color = "#FFC7CE"
    apply_actions(faulty, book.json(), tmp_path / "x.xlsx")
    assert openpyxl.load_workbook(tmp_path / "x.xlsx")["Social Skills"]["C12"].fill.fgColor.rgb == "FFFFC7CE"
    book = book_from_payload(payload_from_xlsx(faulty, client="VBA"))
    book.sheets["Social Skills"]["A1"].value = "typed over a heading"
    with pytest.raises(UnsupportedActionError, match="locked"):
        apply_actions(faulty, book.json(), tmp_path / "y.xlsx")


def test_numbers_are_finite() -> None:
    assert buttons._cell_value(math.nan) is None and buttons._cell_value(True) == "Yes"
