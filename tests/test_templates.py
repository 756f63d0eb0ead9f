"""How the templates are proved: current, self-describing, protected, and their formulas equal sipxl.scoring.

Cells are always found through the layout (`sipxl.spec.layout_template`), never by a hard-coded address.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import recalculate_all
from openpyxl.worksheet.formula import ArrayFormula

from sipxl import scoring
from sipxl.io.build import META_NAME_PREFIX, META_SHEET, build_all
from sipxl.sample import build_clean, clean_values
from sipxl.spec import all_templates, get_template, layout_template
from sipxl.spec.layout import a1
from sipxl.spec.model import Rule, Template

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "workbook_templates"
KINDS = [t.kind for t in all_templates()]
ERROR_VALUE = re.compile(r"^(#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A)|Err:\d+)")


def _blank(value: object) -> bool:
    return value is None or value == ""


# ---------------------------------------------------------------- where the inputs are


def input_cells(template: Template) -> list[tuple[str, int, int, Rule]]:
    """Every cell a teacher types into: (sheet code, row, col, rule)."""
    layout = layout_template(template)
    out: list[tuple[str, int, int, Rule]] = []
    for sheet in template.sheets:
        for f in sheet.fields:
            if f.is_input:
                place = layout.fields[f.key]
                out.append((place.sheet, place.row, place.col, f.rule))
        for table in sheet.tables:
            place = layout.tables[table.key]
            for col in table.columns:
                if col.is_input:
                    out += [(place.sheet, row, place.columns[col.key], col.rule) for row in place.rows]
        for grid in sheet.grids:
            place = layout.grids[grid.key]
            for (_, occasion), c in place.columns.items():
                out += [(place.sheet, row, c, grid.rule) for row in place.item_rows.values()]
                out.append((place.sheet, place.date_row, c, Rule("date")))
                out.append((place.sheet, place.by_row, c, Rule("text")))
                if not grid.pupils_from_register and occasion == grid.occasions[0]:
                    out.append((place.sheet, place.pupil_row, c, Rule("text")))
    return out


def _sheet(wb: openpyxl.Workbook, template: Template, code: str):
    return wb[template.sheet(code).name]


def _cell(wb, template: Template, code: str, row: int, col: int):
    return _sheet(wb, template, code).cell(row + 1, col + 1)


# ---------------------------------------------------------------- committed templates


def test_committed_templates_are_a_fresh_build(tmp_path: Path) -> None:
    fresh = build_all(tmp_path)
    committed = sorted(p.name for p in TEMPLATES_DIR.glob("*.xlsx"))
    assert committed == sorted(p.name for p in fresh), (
        "workbook_templates/ does not hold exactly the templates of the specification: run `sipxl templates build`")
    for path in fresh:
        assert (TEMPLATES_DIR / path.name).read_bytes() == path.read_bytes(), (
            f"workbook_templates/{path.name} differs from a fresh build of the specification: "
            "run `sipxl templates build` and commit the result")


@pytest.fixture(scope="module", params=KINDS)
def committed(request: pytest.FixtureRequest) -> tuple[Template, openpyxl.Workbook]:
    template = get_template(request.param)
    return template, openpyxl.load_workbook(TEMPLATES_DIR / template.filename)


def test_kind_and_version_inside_the_file(committed) -> None:
    template, wb = committed
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props.get("sipxl_kind") == template.kind
    assert props.get("sipxl_version") == template.version
    meta = wb[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert (meta["A1"].value, meta["B1"].value) == ("kind", template.kind)
    assert (meta["A2"].value, meta["B2"].value) == ("version", template.version)
    codes = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(5, 5 + len(template.sheets))}
    assert codes == {s.code: s.name for s in template.sheets}


def test_defined_name_per_sheet(committed) -> None:
    template, wb = committed
    for sheet in template.sheets:
        name = f"{META_NAME_PREFIX}{sheet.code}"
        assert name in wb.defined_names, f"{template.kind}: no defined name {name}"
        dests = list(wb.defined_names[name].destinations)
        assert dests == [(sheet.name, "$A$1")], f"{template.kind}: {name} points to {dests}"


def test_sheets_protected_without_password(committed) -> None:
    template, wb = committed
    for sheet in template.sheets:
        ws = wb[sheet.name]
        if sheet.code == "help":
            continue
        if sheet.report:  # the buttons clear and write it (Excel cannot clear a protected sheet)
            assert not ws.protection.sheet, f"{template.kind}: the buttons cannot write {sheet.name}"
            continue
        assert ws.protection.sheet, f"{template.kind}: sheet {sheet.name} is not protected"
        assert not ws.protection.password, f"{template.kind}: sheet {sheet.name} has a password"


def _is_formula(value: object) -> bool:
    """A formula as openpyxl reads it: text starting "=", or an array formula."""
    return isinstance(value, ArrayFormula) or (isinstance(value, str) and value.startswith("="))


def test_input_cells_unlocked_formula_cells_locked(committed) -> None:
    template, wb = committed
    inputs = input_cells(template)
    assert inputs
    for code, row, col, _ in inputs:
        cell = _cell(wb, template, code, row, col)
        assert cell.protection.locked is False, f"{template.kind}: input {code}!{cell.coordinate} is locked"
        assert not _is_formula(cell.value), cell.coordinate
    n_formulas = 0
    for sheet in template.sheets:
        for row in wb[sheet.name].iter_rows():
            for cell in row:
                if _is_formula(cell.value):
                    n_formulas += 1
                    assert cell.protection.locked, f"{template.kind}: formula {sheet.name}!{cell.coordinate} unlocked"
    assert n_formulas > 0


def test_dropdown_for_every_choice(committed) -> None:
    template, wb = committed
    choices = [x for x in input_cells(template) if x[3].choices or x[3].choices_from]
    assert choices or template.kind in ("social_skills", "attendance"), template.kind
    for code, row, col, rule in choices:
        ws = _sheet(wb, template, code)
        ref = a1(row, col)
        found = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and ref in dv.sqref]
        assert found, f"{template.kind}: no dropdown on {ws.title}!{ref}"
        formula = found[0].formula1
        if rule.choices and formula.startswith('"'):
            assert formula.strip('"').split(",") == list(rule.choices), f"{ws.title}!{ref}: {formula}"


def test_print_areas(committed) -> None:
    template, wb = committed
    for sheet in template.sheets:
        ws = wb[sheet.name]
        if sheet.report:  # printed whole, however long the buttons write it
            assert not ws.print_area, f"{template.kind}: {sheet.name} would print only part of what the buttons write"
            continue
        assert ws.print_area, f"{template.kind}: sheet {sheet.name} has no print area"
        lay = layout_template(template).sheets[sheet.code]
        expected = f"$A$1:${openpyxl.utils.get_column_letter(lay.last_col + 1)}${max(lay.last_row, 1)}"
        assert expected in str(ws.print_area), f"{template.kind}: {sheet.name} prints {ws.print_area}"


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_of_sample_values(tmp_path: Path, kind: str) -> None:
    template, values = clean_values(kind, seed=11)
    path = build_clean(kind, tmp_path / f"{kind}.xlsx", seed=11)
    wb = openpyxl.load_workbook(path)
    assert len(values) > 20
    for (code, row, col), expected in values.items():
        got = _cell(wb, template, code, row, col).value
        where = f"{kind} {code}!{a1(row, col)}"
        if isinstance(expected, dt.date) and not isinstance(expected, dt.datetime):
            assert got == dt.datetime.combine(expected, dt.time()), where
        elif isinstance(expected, bool) or isinstance(expected, str):
            assert type(got) is type(expected) and got == expected, where
        else:
            assert isinstance(got, (int, float)) and not isinstance(got, bool), where
            assert got == expected, where
            if isinstance(expected, int):
                assert isinstance(got, int), f"{where}: {got!r} should read back as a whole number"


# ---------------------------------------------------------------- LibreOffice recalculation


class Recalculated:
    """One clean filled workbook of a kind, its inputs, and its values after LibreOffice recalculated it."""

    def __init__(self, template: Template, values: dict, path: Path) -> None:
        self.template, self.values, self.path = template, values, path
        self.layout = layout_template(template)
        self.wb = openpyxl.load_workbook(path, data_only=True)

    def inp(self, code: str, row: int, col: int):
        return self.values.get((code, row, col))

    def out(self, code: str, row: int, col: int):
        return _cell(self.wb, self.template, code, row, col).value

    def table_in(self, table: str, row: int, column: str):
        place = self.layout.tables[table]
        return self.inp(place.sheet, row, place.columns[column])

    def table_out(self, table: str, row: int, column: str):
        place = self.layout.tables[table]
        return self.out(place.sheet, row, place.columns[column])


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Recalculated]:
    src = tmp_path_factory.mktemp("clean")
    built = {}
    for kind in KINDS:
        template, values = clean_values(kind, seed=2026)
        built[kind] = (template, values, build_clean(kind, src / f"{kind}.xlsx", seed=2026))
    blank_src = tmp_path_factory.mktemp("blank_src")
    blanks = []
    for kind in KINDS:
        blanks.append(blank_src / f"blank_{kind}.xlsx")
        blanks[-1].write_bytes((TEMPLATES_DIR / get_template(kind).filename).read_bytes())
    paths = [b[2] for b in built.values()] + blanks
    outs = recalculate_all(paths, tmp_path_factory.mktemp("recalculated"))
    result = {kind: Recalculated(t, v, out) for (kind, (t, v, _)), out in zip(built.items(), outs[:len(KINDS)],
                                                                               strict=True)}
    for kind, out in zip(KINDS, outs[len(KINDS):], strict=True):
        result[f"blank_{kind}"] = Recalculated(get_template(kind), {}, out)
    return result


def _approx(expected: float | None):
    return None if expected is None else pytest.approx(expected, rel=1e-9, abs=1e-9)


def _check(got, expected, where: str) -> None:
    if expected is None:
        assert _blank(got), f"{where}: expected blank, LibreOffice shows {got!r}"
    else:
        assert got == _approx(expected), f"{where}: formula gives {got!r}, sipxl.scoring gives {expected!r}"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_no_formula_errors(recalculated, kind: str) -> None:
    for name in (kind, f"blank_{kind}"):
        wb = recalculated[name].wb
        errors = [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb for row in ws.iter_rows() for c in row
                  if isinstance(c.value, str) and ERROR_VALUE.match(c.value)]
        assert not errors, f"{name}: {errors[:10]}"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_blank_template_totals_are_blank(recalculated, kind: str) -> None:
    rc = recalculated[f"blank_{kind}"]
    for grid in rc.layout.grids.values():
        for c in grid.columns.values():
            for row in (*grid.group_rows.values(), grid.total_row):
                assert _blank(rc.out(grid.sheet, row, c)), f"{kind} {grid.sheet}!{a1(row, c)}"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["sipp_project", "social_skills"])
def test_social_skills_formulas(recalculated, kind: str) -> None:
    rc = recalculated[kind]
    grid = rc.layout.grids["social_skills"]
    checked = 0
    for p in range(6):
        totals = {}
        for occasion in ("Pre", "Post"):
            c = grid.columns[(p, occasion)]
            items = [rc.inp(grid.sheet, grid.item_rows[i], c) for i in range(1, 16)]
            score = scoring.score_social_skills(items)
            totals[occasion] = score.total
            for domain, row in grid.group_rows.items():
                _check(rc.out(grid.sheet, row, c), score.subtotals[domain], f"{kind} {domain} {a1(row, c)}")
            _check(rc.out(grid.sheet, grid.total_row, c), score.total, f"{kind} total {a1(grid.total_row, c)}")
            assert score.total is None or 0 <= rc.out(grid.sheet, grid.total_row, c) <= scoring.TOTAL_MAX
            checked += score.total is not None
        c = grid.columns[(p, "Post")]
        _check(rc.out(grid.sheet, grid.change_row, c), scoring.change(totals["Pre"], totals["Post"]),
               f"{kind} change {a1(grid.change_row, c)}")
    assert checked == 12


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["sipp_project", "rosenberg"])
def test_rosenberg_formulas(recalculated, kind: str) -> None:
    rc = recalculated[kind]
    grid = rc.layout.grids["rosenberg"]
    checked = 0
    for p in range(6):
        totals = {}
        for occasion in ("Pre", "Post"):
            c = grid.columns[(p, occasion)]
            answers = [rc.inp(grid.sheet, grid.item_rows[i], c) for i in range(1, 11)]
            score = scoring.score_rosenberg(answers)
            totals[occasion] = score.total
            _check(rc.out(grid.sheet, grid.total_row, c), score.total, f"{kind} total {a1(grid.total_row, c)}")
            checked += score.total is not None
        if grid.change_row is not None:
            c = grid.columns[(p, "Post")]
            _check(rc.out(grid.sheet, grid.change_row, c), scoring.change(totals["Pre"], totals["Post"]),
                   f"{kind} change {a1(grid.change_row, c)}")
    assert checked == 12


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["sipp_project", "gas"])
def test_gas_formulas(recalculated, kind: str) -> None:
    rc = recalculated[kind]
    place = rc.layout.tables["goals"]
    rho_place = rc.layout.fields["gas_rho"]
    rho = rc.inp(rho_place.sheet, rho_place.row, rho_place.col)
    goals: dict[str, list] = {}
    first_row: dict[str, int] = {}
    for row in place.rows:
        child = rc.table_in("goals", row, "child_ref")
        if child is None:
            continue
        first_row.setdefault(child, row)
        goal = tuple(rc.table_in("goals", row, k) for k in ("weight", "baseline", "review"))
        goals.setdefault(child, []).append(goal)
    assert goals
    for row in place.rows:
        child = rc.table_in("goals", row, "child_ref")
        outs = [rc.table_out("goals", row, k) for k in ("baseline_t", "review_t", "t_change")]
        if child is None or first_row[child] != row:
            assert all(_blank(x) for x in outs), f"{kind} goals row {row + 1}: {outs}"
            continue
        score = scoring.score_gas_child(goals[child], rho=rho)
        expected = (score.baseline_t, score.review_t, score.change)
        for got, want, what in zip(outs, expected, ("baseline T", "review T", "change"), strict=True):
            _check(got, want, f"{kind} {child} {what} row {row + 1}")


@pytest.mark.libreoffice
def test_leuven_session_log_formulas(recalculated) -> None:
    rc = recalculated["sipp_project"]
    place = rc.layout.tables["sessions"]
    leuven_cols = [f"leuven_{k}" for k in range(1, 7)]
    used = 0
    for row in place.rows:
        levels = [rc.table_in("sessions", row, k) for k in leuven_cols]
        summary = scoring.summarise_leuven(levels)
        used += summary.n > 0
        _check(rc.table_out("sessions", row, "session_mean"), summary.mean, f"session mean row {row + 1}")
        pct = None if summary.pct_engaged is None else summary.pct_engaged / 100
        _check(rc.table_out("sessions", row, "session_engaged"), pct, f"session % at 4-5 row {row + 1}")
    assert used >= 8
    mean_row, pct_row = place.footer_rows
    for k in leuven_cols:
        summary = scoring.summarise_leuven(rc.table_in("sessions", r, k) for r in place.rows)
        assert summary.n > 0
        _check(rc.out(place.sheet, mean_row, place.columns[k]), summary.mean, f"footer mean {k}")
        _check(rc.out(place.sheet, pct_row, place.columns[k]), summary.pct_engaged / 100, f"footer % {k}")
    # the pupil headers follow the register
    for k, key in enumerate(leuven_cols):
        ref = rc.table_in("pupils", rc.layout.tables["pupils"].first_row + k, "pupil_ref")
        assert rc.out(place.sheet, place.header_row, place.columns[key]) == ref


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["sipp_project", "observation"])
def test_observation_footer(recalculated, kind: str) -> None:
    rc = recalculated[kind]
    place = rc.layout.tables["observations"]
    levels = [rc.table_in("observations", r, "leuven") for r in place.rows]
    summary = scoring.summarise_leuven(levels)
    assert summary.n >= 12
    col = place.columns["leuven"]
    _check(rc.out(place.sheet, place.footer_rows[0], col), summary.mean, f"{kind} observation mean")
    _check(rc.out(place.sheet, place.footer_rows[1], col), summary.pct_engaged / 100, f"{kind} observation %")


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["sipp_project", "attendance"])
def test_attendance_formulas(recalculated, kind: str) -> None:
    rc = recalculated[kind]
    checked = 0
    for row in rc.layout.tables["attendance"].rows:
        before = scoring.attendance_pct(rc.table_in("attendance", row, "attended_before"),
                                        rc.table_in("attendance", row, "possible_before"))
        after = scoring.attendance_pct(rc.table_in("attendance", row, "attended_after"),
                                       rc.table_in("attendance", row, "possible_after"))
        _check(rc.table_out("attendance", row, "pct_before"), before and before / 100, f"{kind} % before {row + 1}")
        _check(rc.table_out("attendance", row, "pct_after"), after and after / 100, f"{kind} % after {row + 1}")
        change = None if before is None or after is None else after - before
        _check(rc.table_out("attendance", row, "change_pp"), change, f"{kind} change pp {row + 1}")
        checked += change is not None
    assert checked >= 4


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["sipp_project", "survey"])
def test_survey_footer(recalculated, kind: str) -> None:
    rc = recalculated[kind]
    place = rc.layout.tables["survey"]
    questions = [c for c in place.columns if re.fullmatch(r"q\d+", c)]
    table = scoring.likert_table({q: [rc.table_in("survey", r, q) for r in place.rows] for q in questions})
    n_row, *pct_rows = place.footer_rows
    assert len(pct_rows) == len(scoring.AGREEMENT)
    for line in table:
        col = place.columns[line.item]
        assert line.n >= 8
        _check(rc.out(place.sheet, n_row, col), line.n, f"{kind} N {line.item}")
        for answer, row in zip(scoring.AGREEMENT, pct_rows, strict=True):
            _check(rc.out(place.sheet, row, col), line.percentages[answer] / 100, f"{kind} % {answer} {line.item}")


@pytest.mark.libreoffice
def test_school_return_formulas(recalculated) -> None:
    rc = recalculated["school_return"]
    acel = rc.layout.tables["acel"]
    filled = 0
    for row in acel.rows:
        assessed = {q: rc.table_in("acel", row, f"assessed_q{q}") for q in range(1, 6)}
        achieved = {q: rc.table_in("acel", row, f"achieved_q{q}") for q in range(1, 6)}
        if all(v is None for v in assessed.values()):
            for k in ("pct_all", "pct_q1", "pct_q5", "gap_pp"):
                assert _blank(rc.table_out("acel", row, k))
            continue
        filled += 1
        total = scoring.pct_achieving(sum(achieved.values()), sum(assessed.values()))
        q1 = scoring.pct_achieving(achieved[1], assessed[1])
        q5 = scoring.pct_achieving(achieved[5], assessed[5])
        _check(rc.table_out("acel", row, "pct_all"), total and total / 100, f"ACEL % all row {row + 1}")
        _check(rc.table_out("acel", row, "pct_q1"), q1 and q1 / 100, f"ACEL % Q1 row {row + 1}")
        _check(rc.table_out("acel", row, "pct_q5"), q5 and q5 / 100, f"ACEL % Q5 row {row + 1}")
        _check(rc.table_out("acel", row, "gap_pp"), scoring.poverty_gap_pp(q5, q1), f"ACEL gap row {row + 1}")
    assert filled >= 4
    for row in rc.layout.tables["attendance_simd"].rows:
        pct = scoring.attendance_pct(rc.table_in("attendance_simd", row, "attended"),
                                     rc.table_in("attendance_simd", row, "possible"))
        _check(rc.table_out("attendance_simd", row, "pct"), pct and pct / 100, f"attendance by SIMD row {row + 1}")
    f = rc.layout.fields
    roll, cases = (rc.inp(f[k].sheet, f[k].row, f[k].col) for k in ("roll", "exclusion_cases"))
    out = f["exclusions_per_1000"]
    _check(rc.out(out.sheet, out.row, out.col), scoring.exclusions_per_1000(cases, roll), "exclusions per 1,000")


@pytest.mark.libreoffice
def test_project_register_and_phase_formulas(recalculated) -> None:
    rc = recalculated["sipp_project"]
    pupils = rc.layout.tables["pupils"]
    refs = []
    for row in pupils.rows:
        decile = rc.table_in("pupils", row, "simd_decile")
        expected = None if decile is None else math.ceil(decile / 2)
        _check(rc.table_out("pupils", row, "simd_quintile"), expected, f"SIMD quintile row {row + 1}")
        if rc.table_in("pupils", row, "pupil_ref"):
            refs.append(rc.table_in("pupils", row, "pupil_ref"))
    n = rc.layout.fields["number_of_pupils"]
    assert rc.out(n.sheet, n.row, n.col) == len(refs) == 6
    results = rc.layout.tables["results"]
    checked = 0
    for row in results.rows:
        expected = scoring.change(rc.table_in("results", row, "pre"), rc.table_in("results", row, "post"))
        _check(rc.table_out("results", row, "difference"), expected, f"Phase 5 difference row {row + 1}")
        checked += expected is not None
    assert checked == 6  # the Rosenberg rows: other measures are typed
    # Phase 5's Social Skills results come by formula from the Social Skills sheet (nothing typed twice)
    grid = rc.layout.grids["social_skills"]
    social = rc.layout.tables["social_results"]
    assert all(not c.is_input for c in get_template("sipp_project").sheet("phase5").tables[0].columns)
    for k, ref in enumerate(refs):
        row = social.first_row + k
        pre, post = (rc.out(grid.sheet, grid.total_row, grid.columns[(k, occ)]) for occ in ("Pre", "Post"))
        assert isinstance(pre, int | float) and isinstance(post, int | float)
        assert rc.table_out("social_results", row, "pupil_ref") == ref
        assert (rc.table_out("social_results", row, "pre"), rc.table_out("social_results", row, "post")) == (pre, post)
        assert rc.table_out("social_results", row, "difference") == post - pre
        assert rc.out(grid.sheet, grid.pupil_row, grid.columns[(k, "Pre")]) == ref
    # Phase 5 repeats the SMART outcomes of Phase 1
    for k in range(len(rc.layout.tables["smart_achieved"].rows)):
        outcome = rc.table_in("smart_outcomes", rc.layout.tables["smart_outcomes"].first_row + k, "outcome")
        got = rc.table_out("smart_achieved", rc.layout.tables["smart_achieved"].first_row + k, "outcome")
        assert (got or None) == outcome
