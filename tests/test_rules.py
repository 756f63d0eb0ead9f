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
from sipxl.spec.history import template_version
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


def test_register_has_a_row_for_each_pupil_column_of_the_assessments():
    template = clean_values("sipp_project")[0]
    rows = len(layout_template(template).tables["pupils"].rows)
    assert [g.pupils for s in template.sheets for g in s.grids] == [rows, rows]
    sessions = template.sheet("phase4").tables[0]
    assert sum(c.key.startswith("leuven_") for c in sessions.columns) == rows


def test_p001_and_p017_eight_pupils_in_an_earlier_register(tmp_path):
    """A 1.0 register had 8 rows for 6 assessment columns: pupils 7 and 8 have nowhere to be assessed."""
    old = template_version("sipp_project", "1.0")
    place = layout_template(old).tables["pupils"]
    values = {}
    for k in range(8):
        values[("pupils", place.first_row + k, place.columns["pupil_ref"])] = f"SIP-X-{k + 1:02d}"
    found = issues_of(build_template(old, tmp_path / "old.xlsx", values))
    ref = [excel_ref("Pupils", place.first_row + k, place.columns["pupil_ref"]) for k in range(8)]
    assert [(i.code, i.cell, i.value) for i in found if i.code == "SIPXL-P001"] == [("SIPXL-P001", ref[0], "8")]
    assert "4-6" in next(i for i in found if i.code == "SIPXL-P001").message
    assert [(i.code, i.cell, i.value, i.detail, i.expected) for i in found if i.code == "SIPXL-P017"] == [
        ("SIPXL-P017", ref[6], "SIP-X-07", "7", "6"), ("SIPXL-P017", ref[7], "SIP-X-08", "8", "6")]


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


# ---------------------------------------------------------------- issue 10: checks that were missing


@pytest.mark.parametrize("reason", ["Left school", "Long absence", "Withdrawn from the intervention"])
def test_p018_a_reason_turns_a_missing_post_assessment_into_a_note(tmp_path, reason):
    def edit(values, layout):
        for item in (*range(1, 16), "date", "by"):
            values.pop(grid_key(layout, "social_skills", 1, "Post", item), None)
        values[table_key(layout, "pupils", 1, "no_post")] = reason

    layout = layout_template(clean_values("sipp_project")[0])
    check = check_file(build(tmp_path, edit), score=False)
    assert [(i.code, i.severity, i.cell) for i in check.issues] == [
        ("SIPXL-P018", "info", grid_ref(layout, "social_skills", 1, "Post", 1))]
    assert reason.lower() in check.issues[0].message and check.valid


def test_p018_the_reason_is_for_that_pupil_only(tmp_path):
    def edit(values, layout):
        for item in (*range(1, 16), "date", "by"):
            values.pop(grid_key(layout, "social_skills", 1, "Post", item), None)
        values[table_key(layout, "pupils", 2, "no_post")] = "Left school"

    assert [i.code for i in issues_of(build(tmp_path, edit)) if i.code.startswith("SIPXL-P0")] == ["SIPXL-P003"]


def test_p014_attended_more_than_possible(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "attendance", 0, "possible_after")] = 40
        values[table_key(layout, "attendance", 0, "attended_after")] = 41

    layout = layout_template(clean_values("attendance")[0])
    found = issues_of(build(tmp_path, edit, kind="attendance"))
    assert [(i.code, i.severity, i.cell, i.value, i.expected) for i in found] == [
        ("SIPXL-P014", "error", table_ref(layout, "attendance", 0, "attended_after"), "41", "40")]


def test_p015_achieved_more_than_assessed(tmp_path):
    def edit(values, layout):
        values[table_key(layout, "acel", 2, "assessed_q3")] = 12
        values[table_key(layout, "acel", 2, "achieved_q3")] = 13

    layout = layout_template(clean_values("school_return")[0])
    found = issues_of(build(tmp_path, edit, kind="school_return"))
    assert [(i.code, i.severity, i.cell, i.value, i.expected) for i in found] == [
        ("SIPXL-P015", "error", table_ref(layout, "acel", 2, "achieved_q3"), "13", "12")]


@pytest.mark.parametrize("kind, where", [("sipp_project", "field"), ("sipp_project", "schools"),
                                         ("school_return", "field"), ("social_skills", "field")])
@pytest.mark.parametrize("seed", ["812345", "81234567", "8l23456", "SEED 8123456", 812345.0, "+812345"])
def test_p016_seed_code_not_7_digits(tmp_path, kind, where, seed):
    def edit(values, layout):
        key = field_key(layout, "seed_code") if where == "field" else table_key(layout, "schools", 0, "seed_code")
        values[key] = seed

    layout = layout_template(clean_values(kind)[0])
    cell = field_key(layout, "seed_code") if where == "field" else table_key(layout, "schools", 0, "seed_code")
    found = issues_of(build(tmp_path, edit, kind=kind))
    assert [(i.code, i.cell) for i in found] == [("SIPXL-P016", excel_ref(layout.sheet_name(cell[0]), *cell[1:]))]


@pytest.mark.parametrize("seed", ["8123456", 8123456.0, "0123456"])
def test_p016_seven_digits_are_fine(tmp_path, seed):
    def edit(values, layout):
        values[field_key(layout, "seed_code")] = seed

    assert issues_of(build(tmp_path, edit, kind="school_return")) == []


def test_seed_code_cells_have_a_7_digit_data_validation():
    import openpyxl

    from sipxl.io.build import build_all

    for template in all_templates():
        layout = layout_template(template)
        cells = [field_key(layout, "seed_code")] if "seed_code" in layout.fields else []
        if "schools" in layout.tables:
            cells.append(table_key(layout, "schools", 0, "seed_code"))
        assert cells, template.kind
        wb = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / template.filename)
        for code, row, col in cells:
            ws = wb[layout.sheet_name(code)]
            ref = f"{excel_ref(ws.title, row, col).split('!')[1]}"
            [dv] = [dv for dv in ws.data_validations.dataValidation if ref in str(dv.sqref).split()
                    or any(ref in str(r) for r in dv.sqref.ranges)]
            assert dv.type == "custom" and "LEN" in dv.formula1 and "7" in dv.formula1
    assert build_all  # the committed templates are the builder's (test_templates checks they are current)


def test_error_value_in_an_answer_cell(tmp_path):
    """#N/A pasted into an answer (python-calamine reads it as blank): an error at that cell, nothing counted."""
    import openpyxl

    layout = layout_template(clean_values("school_return")[0])
    src = build(tmp_path, kind="school_return")
    wb = openpyxl.load_workbook(src)
    code, row, col = table_key(layout, "acel", 0, "achieved_q1")
    wb[layout.sheet_name(code)].cell(row + 1, col + 1).value = "#N/A"  # openpyxl writes it as an error value
    wb[layout.sheet_name(code)].cell(row + 2, col + 1).value = "#DIV/0!"
    wb.save(tmp_path / "na.xlsx")
    check = check_file(tmp_path / "na.xlsx")
    assert [(i.code, i.cell, i.value) for i in check.issues] == [
        ("SIPXL-V009", table_ref(layout, "acel", 0, "achieved_q1"), "#N/A"),
        ("SIPXL-V009", table_ref(layout, "acel", 1, "achieved_q1"), "#DIV/0!")]
    assert not check.valid
    assert check.content.tables["acel"].value(row + 1, "achieved_q1") is None


# ---------------------------------------------------------------- only the measures in use


def test_blank_gas_rho_means_0_3_and_the_template_holds_it():
    import openpyxl

    for template in all_templates():
        layout = layout_template(template)
        if "gas_rho" not in layout.fields:
            continue
        place = layout.fields["gas_rho"]
        wb = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / template.filename)
        assert wb[layout.sheet_name(place.sheet)].cell(place.row + 1, place.col + 1).value == 0.3


def test_a_project_that_does_not_use_gas_validates_clean(tmp_path):
    def edit(values, layout):
        for key in [k for k in values if k[0] == "gas"]:
            del values[key]
        values[field_key(layout, "uses_gas")] = "No"

    check = check_file(build(tmp_path, edit))
    assert check.issues == [] and check.valid
    assert check.scores.gas is None


def test_a_measure_not_in_use_is_neither_checked_nor_counted(tmp_path):
    def edit(values, layout):
        values[grid_key(layout, "social_skills", 0, "Pre", 3)] = 9  # out of range, on a sheet not in use
        values[field_key(layout, "uses_social_skills")] = "No"

    check = check_file(build(tmp_path, edit))
    assert check.issues == []
    assert check.scores.social_skills is None
    assert check.scores.rosenberg is not None  # the measures in use are still counted


def test_a_measure_in_use_is_checked(tmp_path):
    def edit(values, layout):
        values[grid_key(layout, "social_skills", 0, "Pre", 3)] = 9
        values[field_key(layout, "uses_social_skills")] = "Yes"

    assert [i.code for i in issues_of(build(tmp_path, edit))] == ["SIPXL-V004"]
