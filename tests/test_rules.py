"""Every cross-field rule on real workbooks: built from the template with a teacher's answers, one mistake
made, read back. Each rule fires, points at the right cell, and a clean workbook gives no issue at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sipxl.domain.rules import RULES, looks_like_name, looks_like_scn, validate_content
from sipxl.engine import check_file
from sipxl.io.build import build_template
from sipxl.issues import CATALOGUE, sort_issues
from sipxl.sample import clean_values
from sipxl.spec import all_templates, layout_template
from sipxl.spec.layout import excel_ref
from sipxl.spec.lists import SOCIAL_SKILLS_WORDS


def build(tmp_path: Path, edit=None, kind: str = "sipp_project", name: str = "w.xlsx") -> Path:
    """A clean workbook of `kind`; `edit(values, layout)` makes the mistake under test."""
    template, values = clean_values(kind)
    values = dict(values)
    if edit is not None:
        edit(values, layout_template(template))
    return build_template(template, tmp_path / name, values=values)


def issues_of(path: Path, code: str | None = None):
    found = check_file(path, score=False).issues
    return [i for i in found if code is None or i.code == code]


def table_key(layout, table: str, k: int, column: str) -> tuple[str, int, int]:
    place = layout.tables[table]
    return (place.sheet, place.first_row + k, place.columns[column])


def table_ref(layout, table: str, k: int, column: str) -> str:
    code, row, col = table_key(layout, table, k, column)
    return excel_ref(layout.sheet_name(code), row, col)


def grid_key(layout, grid: str, pupil: int, occasion: str, item: int | str) -> tuple[str, int, int]:
    place = layout.grids[grid]
    row = {"date": place.date_row, "by": place.by_row}.get(item) if isinstance(item, str) else place.item_rows[item]
    return (place.sheet, row, place.columns[(pupil, occasion)])


def grid_ref(layout, grid: str, pupil: int, occasion: str, item: int | str) -> str:
    code, row, col = grid_key(layout, grid, pupil, occasion, item)
    return excel_ref(layout.sheet_name(code), row, col)


def field_key(layout, key: str) -> tuple[str, int, int]:
    place = layout.fields[key]
    return (place.sheet, place.row, place.col)


# ---------------------------------------------------------------- clean workbooks


@pytest.mark.parametrize("kind", [t.kind for t in all_templates()])
def test_clean_workbook_has_no_issues(tmp_path, kind):
    path = build(tmp_path, kind=kind)
    check = check_file(path)
    assert check.issues == []
    assert check.valid


def test_every_rule_is_named_and_documented():
    assert len({r.__name__ for r in RULES}) == len(RULES)
    assert all(r.__doc__ for r in RULES)


def test_issues_are_sorted_and_use_catalogue_codes(tmp_path):
    def edit(values, layout):
        values[grid_key(layout, "social_skills", 0, "Pre", 3)] = 9  # V004, error
        values[table_key(layout, "pupils", 2, "eal")] = "Yes "  # V006, info
        values[table_key(layout, "sessions", 0, "session_date")] = dt.date(2020, 1, 1)  # P005 warning

    found = issues_of(build(tmp_path, edit))
    assert found == sort_issues(found)
    assert [i.severity for i in found] == sorted((i.severity for i in found),
                                                 key=["error", "warning", "info"].index)
    assert all(i.code in CATALOGUE for i in found)


# ---------------------------------------------------------------- the project as a whole


def test_p001_target_group_too_big(tmp_path):
    def edit(values, layout):
        for k, ref in ((6, "SIP-X-07"), (7, "SIP-X-08")):
            values[table_key(layout, "pupils", k, "pupil_ref")] = ref
            values[table_key(layout, "pupils", k, "school")] = values[table_key(layout, "pupils", 0, "school")]
            values[table_key(layout, "pupils", k, "stage")] = "P5"

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell, i.value) for i in found] == [
        ("SIPXL-P001", table_ref(layout, "pupils", 0, "pupil_ref"), "8")]
    assert "4-6" in found[0].message


def test_p001_target_group_too_small(tmp_path):
    def edit(values, layout):
        place = layout.tables["pupils"]
        for k in range(3, 6):
            for col in place.columns.values():
                values.pop((place.sheet, place.first_row + k, col), None)

    found = issues_of(build(tmp_path, edit), "SIPXL-P001")
    assert [i.value for i in found] == ["3"]


def test_p002_more_than_three_research_questions(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "research_questions", 2, "question")] = "Does it last? And does it spread?"

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell, i.value) for i in found] == [
        ("SIPXL-P002", table_ref(layout, "research_questions", 0, "question"), "4")]


def test_p002_three_questions_are_fine(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "research_questions", 2, "question")] = "Does it last?"

    assert issues_of(build(tmp_path, edit)) == []


def test_p003_pre_without_post_by_phase_5(tmp_path):
    def edit(values, layout):
        for item in (*range(1, 16), "date", "by"):
            values.pop(grid_key(layout, "social_skills", 1, "Post", item), None)

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P003", grid_ref(layout, "social_skills", 1, "Post", 1))]
    assert found[0].value == "SIP-DRP-01"
    assert "no post assessment" in found[0].message


def test_p003_not_before_phase_5(tmp_path):
    def edit(values, layout):
        for item in (*range(1, 16), "date", "by"):
            values.pop(grid_key(layout, "social_skills", 1, "Post", item), None)
        sheet = layout.template.sheet("phase5")
        for key in list(values):
            if key[0] == "phase5":
                del values[key]
        assert sheet.code == "phase5"

    assert issues_of(build(tmp_path, edit), "SIPXL-P003") == []


def test_p004_post_dated_before_pre(tmp_path):
    def edit(values, layout):
        pre = values[grid_key(layout, "rosenberg", 2, "Pre", "date")]
        values[grid_key(layout, "rosenberg", 2, "Post", "date")] = pre - dt.timedelta(days=1)

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P004", grid_ref(layout, "rosenberg", 2, "Post", "date"))]


def test_p004_gas_review_before_baseline(tmp_path):
    def edit(values, layout):
        base = values[table_key(layout, "goals", 0, "baseline_date")]
        values[table_key(layout, "goals", 0, "review_date")] = base

    layout = layout_template(clean_values("gas")[0])
    found = issues_of(build(tmp_path, edit, kind="gas"))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P004", table_ref(layout, "goals", 0, "review_date"))]


def test_p005_session_outside_timescale(tmp_path):
    def edit(values, layout):
        end = values[field_key(layout, "end_date")]
        values[table_key(layout, "sessions", 1, "session_date")] = end + dt.timedelta(days=30)

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P005", table_ref(layout, "sessions", 1, "session_date"))]
    assert "01/12/2025 to 15/02/2026" in found[0].message


def test_p006_smart_outcome_without_measure_or_date(tmp_path):
    def edit(values, layout):
        del values[table_key(layout, "smart_outcomes", 0, "measure")]
        del values[table_key(layout, "smart_outcomes", 1, "by_date")]

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell) for i in found] == [
        ("SIPXL-P006", table_ref(layout, "smart_outcomes", 0, "measure")),
        ("SIPXL-P006", table_ref(layout, "smart_outcomes", 1, "by_date")),
    ]  # and not also "required answer missing" on the same cells


@pytest.mark.parametrize("ref, code", [("Jane Smith", "SIPXL-P007"), ("ava", "SIPXL-P007"),
                                       ("123456789", "SIPXL-P008"), ("123 456 789", "SIPXL-P008")])
def test_p007_p008_pupil_reference_looks_identifying(tmp_path, ref, code):
    def edit(values, layout):
        values[table_key(layout, "attendance", 3, "pupil_ref")] = ref

    layout = layout_template(clean_values("attendance")[0])
    found = issues_of(build(tmp_path, edit, kind="attendance"))
    assert [(i.code, i.cell, i.value) for i in found] == [(code, table_ref(layout, "attendance", 3, "pupil_ref"), ref)]


def test_p007_name_in_register_and_standalone_grid_header(tmp_path):
    def edit(values, layout):
        place = layout.grids["social_skills"]
        values[(place.sheet, place.pupil_row, place.columns[(4, "Pre")])] = "Callum Stewart"

    layout = layout_template(clean_values("social_skills")[0])
    place = layout.grids["social_skills"]
    found = issues_of(build(tmp_path, edit, kind="social_skills"))
    assert [(i.code, i.cell) for i in found] == [
        ("SIPXL-P007", excel_ref("Social Skills", place.pupil_row, place.columns[(4, "Pre")]))]


@pytest.mark.parametrize("ref", ["Jane Smith", "Mary-Anne O'Neil", "jack", "Ava B", "Eilidh Robertson"])
def test_looks_like_name(ref):
    assert looks_like_name(ref)


@pytest.mark.parametrize("ref", ["SIP-A1", "P5-03", "Pupil A", "Pupil One", "Group B", "AB", "X7", "", "12345"])
def test_does_not_look_like_name(ref):
    assert not looks_like_name(ref)


def test_looks_like_scn():
    assert looks_like_scn("123456789") and looks_like_scn(123456789.0) and looks_like_scn(" 123 456 789 ")
    assert not looks_like_scn("12345678") and not looks_like_scn("SIP-123456789")


def test_p009_duplicate_pupil_reference(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "pupils", 3, "pupil_ref")] = values[table_key(layout, "pupils", 0, "pupil_ref")]

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit), "SIPXL-P009")
    assert [i.cell for i in found] == [table_ref(layout, "pupils", 0, "pupil_ref"),
                                       table_ref(layout, "pupils", 3, "pupil_ref")]
    assert table_ref(layout, "pupils", 0, "pupil_ref") in found[1].message


def test_p009_duplicate_in_standalone_attendance(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "attendance", 5, "pupil_ref")] = values[table_key(layout, "attendance", 1,
                                                                                   "pupil_ref")]

    layout = layout_template(clean_values("attendance")[0])
    found = issues_of(build(tmp_path, edit, kind="attendance"))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P009", table_ref(layout, "attendance", 1, "pupil_ref")),
                                                 ("SIPXL-P009", table_ref(layout, "attendance", 5, "pupil_ref"))]


def test_p010_results_table_disagrees(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "results", 2, "post")] += 3

    template, values = clean_values("sipp_project")
    layout = layout_template(template)
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P010", table_ref(layout, "results", 2, "post"))]
    right = values[table_key(layout, "results", 2, "post")]
    assert found[0].value == str(right + 3) and found[0].expected == str(right)


def test_p011_end_before_start(tmp_path):
    def edit(values, layout):
        values[field_key(layout, "end_date")] = values[field_key(layout, "start_date")] - dt.timedelta(days=1)

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    code, row, col = field_key(layout, "end_date")
    assert ("SIPXL-P011", excel_ref("Phase 3", row, col)) in [(i.code, i.cell) for i in found]
    # sessions are not also reported against a timescale that is itself wrong
    assert not [i for i in found if i.code == "SIPXL-P005"]


def test_p012_pupil_not_on_register(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "attendance", 2, "pupil_ref")] = "SIP-ZZZ-09"

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell, i.value) for i in found] == [
        ("SIPXL-P012", table_ref(layout, "attendance", 2, "pupil_ref"), "SIP-ZZZ-09")]


def test_p013_incomplete_assessment(tmp_path):
    def edit(values, layout):
        del values[grid_key(layout, "social_skills", 0, "Pre", 7)]
        del values[grid_key(layout, "social_skills", 0, "Pre", 9)]

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit), "SIPXL-P013")
    assert [(i.cell, i.detail, i.expected) for i in found] == [
        (grid_ref(layout, "social_skills", 0, "Pre", 7), "13", "15")]


def test_out_of_range_item_is_one_issue(tmp_path):
    def edit(values, layout):
        values[grid_key(layout, "social_skills", 0, "Pre", 7)] = 5

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-V004", grid_ref(layout, "social_skills", 0, "Pre", 7))]


def test_required_field_missing(tmp_path):
    def edit(values, layout):
        del values[field_key(layout, "project_title")]

    layout = layout_template(clean_values("sipp_project")[0])
    found = issues_of(build(tmp_path, edit))
    code, row, col = field_key(layout, "project_title")
    assert [(i.code, i.cell, i.label) for i in found] == [("SIPXL-V001", excel_ref("Project", row, col),
                                                           "Project title")]


def test_school_return_rules_subset(tmp_path):
    """The school return has no pupils: pupil rules never run on it, and a missing roll is reported."""
    def edit(values, layout):
        del values[field_key(layout, "roll")]

    found = issues_of(build(tmp_path, edit, kind="school_return"))
    assert [i.code for i in found] == ["SIPXL-V001"]


def test_validate_content_returns_reader_issues_too(tmp_path):
    def edit(values, layout):
        key = grid_key(layout, "social_skills", 0, "Pre", 2)
        values[key] = f"{values[key]} - {SOCIAL_SKILLS_WORDS[values[key]]}"

    check = check_file(build(tmp_path, edit), score=False)
    assert validate_content(check.content) == check.issues
    assert [i.code for i in check.issues] == ["SIPXL-V003"]
