"""The sheet's formulas and sipxl agree on every value a teacher can type (property-based, LibreOffice).

Hypothesis starts from each template's clean sample answers and puts generated values into the answer cells the
formulas use: blanks, spaces, numbers in and out of range and at the bounds, fractions, numbers typed as text,
other text, choices with odd case and spaces. Each example is a batch of workbooks (every template),
recalculated in ONE LibreOffice run. For every calculated cell of every template: the value LibreOffice shows
equals sipxl's value for it (sipxl.domain.rules.recomputed_formulas), or both show the input is not valid — the
sheet shows "check entry" (or an error value) and sipxl reports an error at an answer cell that formula uses.

Profiles: `SIPXL_HYPOTHESIS_PROFILE=ci` (default, a few batches, about a minute), `=long` or `=search` (many
batches: `SIPXL_EXAMPLES`, 40 unless set; about 20 s a batch).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from conftest import recalculate_all
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sipxl.domain.rules import recomputed_formulas, sheets_not_in_use
from sipxl.domain.scores import is_check
from sipxl.engine import check_file
from sipxl.io.build import build_template
from sipxl.sample import clean_values
from sipxl.spec import all_templates
from sipxl.spec.formulas import formula_cells, inputs_of
from sipxl.spec.layout import a1, excel_ref, layout_template
from sipxl.spec.model import Rule, Template
from sipxl.spec.values import CHECK, CellError

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
_EXAMPLES = int(os.environ.get("SIPXL_EXAMPLES", "40"))
# ci: a few batches (about a minute), the same ones every run. long: SIPXL_EXAMPLES batches. search: as long,
# without shrinking a failure (each shrinking step is a LibreOffice run), to find disagreements quickly.
settings.register_profile("ci", max_examples=3, deadline=None, suppress_health_check=_QUIET, derandomize=True)
settings.register_profile("long", max_examples=_EXAMPLES, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("search", max_examples=_EXAMPLES, deadline=None, suppress_health_check=_QUIET,
                          phases=[Phase.explicit, Phase.generate])
PROFILE = os.environ.get("SIPXL_HYPOTHESIS_PROFILE", "ci")

Cell = tuple[str, int, int]


def answer_rules(template: Template) -> dict[Cell, Rule]:
    """Every answer cell of a template and its rule."""
    layout = layout_template(template)
    out: dict[Cell, Rule] = {}
    for sheet in template.sheets:
        for f in sheet.fields:
            if f.is_input:
                place = layout.fields[f.key]
                out[(sheet.code, place.row, place.col)] = f.rule
        for t in sheet.tables:
            place = layout.tables[t.key]
            for col in t.columns:
                if col.is_input:
                    for row in place.rows:
                        out[(sheet.code, row, place.columns[col.key])] = col.rule
        for g in sheet.grids:
            place = layout.grids[g.key]
            for row in place.item_rows.values():
                for c in place.columns.values():
                    out[(sheet.code, row, c)] = g.rule
    return out


def used_by_formulas(template: Template) -> list[tuple[Cell, Rule]]:
    """The answer cells some calculated cell uses, with their rules, in a stable order."""
    rules = answer_rules(template)
    used = set().union(*inputs_of(template).values())
    return sorted((cell, rules[cell]) for cell in used if cell in rules)


# ---------------------------------------------------------------- what a teacher might type

SPACES = st.sampled_from([" ", "  ", "   "])
TEXT = st.sampled_from(["abc", "mostly", "n/a", "-", "?", "3 - mostly", "three", "1,5", "1e3", "Agr*", "\t", "x y"])


def numbers(rule: Rule) -> st.SearchStrategy:
    lo = rule.min if rule.min is not None else -5
    hi = rule.max if rule.max is not None else 500
    if rule.choices:
        valid = st.sampled_from([float(c) for c in rule.choices])
        edge = st.sampled_from([-3.0, -1.5, -0.25, 0.5, 2.5, 3.0, 10.0])
    else:
        valid = st.integers(int(math.ceil(lo)), int(min(hi, lo + 60))).map(float) if rule.type == "integer" \
            else st.floats(lo, min(hi, lo + 60), allow_nan=False).map(lambda x: round(x, 3))
        edge = st.sampled_from([lo, hi, lo - 1, hi + 1, lo + 0.5, hi - 0.5, lo - 0.001, -1.0, 0.0, 1e6])
    as_text = valid.map(lambda x: str(int(x)) if float(x).is_integer() else str(x))
    return st.one_of(valid, valid, edge, as_text, as_text.map(lambda t: f" {t} "))


def choices(rule: Rule) -> st.SearchStrategy:
    valid = st.sampled_from(list(rule.choices or ()))
    variants = st.tuples(valid, st.sampled_from(["lower", "upper", "trail", "lead", "double"])).map(_vary)
    return st.one_of(valid, valid, variants, st.integers(0, 5).map(float))


def _vary(pair: tuple[str, str]) -> str:
    text, how = pair
    return {"lower": text.lower(), "upper": text.upper(), "trail": text + " ", "lead": "  " + text,
            "double": text.replace(" ", "  ") if " " in text else text + "  "}[how]


def texts() -> st.SearchStrategy:
    return st.sampled_from(["SIP-A1", "SIP-A1 ", "sip-a1", "SIP-B2", " SIP-C3", "Lego group", "12"])


def value_for(rule: Rule) -> st.SearchStrategy:
    if rule.type in ("integer", "number"):
        typed = numbers(rule)
    elif rule.type == "choice":
        typed = choices(rule)
    else:
        typed = texts()
    # TRUE/FALSE and error values (#N/A...) are never valid answers: the sheet's test of validity checks ISERROR,
    # then ISLOGICAL, before ISNUMBER (ISNUMBER(TRUE) is FALSE in Excel, TRUE in LibreOffice). For TRUE/FALSE
    # only Excel can show it: see disagreements. (A text cell with TRUE is text in Excel: not generated.)
    odd = [ERRORS] if rule.type in ("text", "long_text") else [ERRORS, st.booleans()]
    return st.one_of(st.none(), SPACES, typed, typed, TEXT, *odd)


ERRORS = st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!", "#NAME?"]).map(CellError)


@st.composite
def mistakes(draw, template: Template) -> dict[Cell, object]:
    cells = used_by_formulas(template)
    chosen = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=12, unique=True))
    return {cell: draw(value_for(rule)) for cell, rule in chosen}


KINDS = [t.kind for t in all_templates()]
BATCH = st.fixed_dictionaries({kind: st.lists(mistakes(next(t for t in all_templates() if t.kind == kind)),
                                              min_size=1, max_size=2) for kind in KINDS})


# ---------------------------------------------------------------- comparing


@dataclass
class Case:
    name: str
    template: Template
    changed: dict[Cell, object]
    path: Path


def _shown(v: object) -> object:
    """A recalculated cell's value: None for blank, CHECK for "check entry" or an error value."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, str) and (v == CHECK or v.startswith("#") or v.startswith("Err:")):
        return CHECK
    return v


def _agrees(shown: object, expected: object) -> bool:
    if expected is None:
        return shown is None
    if expected == CHECK:
        return shown == CHECK
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return shown is not None and str(shown).strip() == str(expected).strip()
    return isinstance(shown, int | float) and math.isclose(shown, expected, rel_tol=1e-9, abs_tol=1e-9)


def _score(v: object, scale: float = 1.0) -> object:
    """A score as the sheet shows it: CHECK for scores.CHECKED, a percentage as the sheet's fraction."""
    if is_check(v):
        return CHECK
    return None if v is None else v / scale


def scored_cells(content, scores) -> dict[Cell, object]:
    """The sheet's Leuven, attendance, ACEL and GAS T cells and what `sipxl score` gives for each (where one score
    stands for one cell: a session date, a pupil reference or a pupil column that is not repeated, a stage and
    organiser, a child's first row)."""
    layout = layout_template(content.template)
    out: dict[Cell, object] = {}
    lv = scores.leuven
    if "sessions" in content.tables:
        place, records = layout.tables["sessions"], content.tables["sessions"].records
        days = [rec.get("session_date") for _, rec in records]
        by_session = lv.log_by_session if lv else {}
        for r, rec in records:
            day = rec.get("session_date")
            if day is not None and days.count(day) == 1:
                s = by_session.get(day)
                out[(place.sheet, r - 1, place.columns["session_mean"])] = _score(s.mean) if s else None
                out[(place.sheet, r - 1, place.columns["session_engaged"])] = _score(s.pct_engaged, 100) if s else None
        from sipxl.domain.scores import _log_pupil_names

        names = _log_pupil_names(content)
        for k, name in enumerate(names):
            if names.count(name) == 1:
                s = (lv.log_by_pupil if lv else {}).get(name)
                col = place.columns[f"leuven_{k + 1}"]
                out[(place.sheet, place.footer_rows[0], col)] = _score(s.mean) if s and s.n else None
                out[(place.sheet, place.footer_rows[1], col)] = _score(s.pct_engaged, 100) if s and s.n else None
    if "observations" in content.tables and "observation" not in sheets_not_in_use(content):
        place = layout.tables["observations"]
        s = lv.observations_overall if lv else None
        out[(place.sheet, place.footer_rows[0], place.columns["leuven"])] = _score(s.mean) if s and s.n else None
        out[(place.sheet, place.footer_rows[1], place.columns["leuven"])] = \
            _score(s.pct_engaged, 100) if s and s.n else None
    if "attendance" in content.tables and scores.attendance is not None:
        place, records = layout.tables["attendance"], content.tables["attendance"].records
        refs = [str(rec.get("pupil_ref")) for _, rec in records if rec.get("pupil_ref")]
        pupils = {p.pupil: p for p in scores.attendance.pupils}
        for r, rec in records:
            ref = rec.get("pupil_ref")
            if ref and refs.count(str(ref)) == 1:
                p = pupils[str(ref)]
                out[(place.sheet, r - 1, place.columns["pct_before"])] = _score(p.pct_before, 100)
                out[(place.sheet, r - 1, place.columns["pct_after"])] = _score(p.pct_after, 100)
                out[(place.sheet, r - 1, place.columns["change_pp"])] = _score(p.change_pp)
    if "attendance_simd" in content.tables and scores.school_return is not None:
        place = layout.tables["attendance_simd"]
        for k, row in enumerate(place.rows):
            out[(place.sheet, row, place.columns["pct"])] = \
                _score(scores.school_return.attendance_by_quintile[k + 1], 100)
    if "acel" in content.tables and scores.school_return is not None:
        place = layout.tables["acel"]
        acel = {(a.stage, a.organiser): a for a in scores.school_return.acel}
        for r, rec in content.tables["acel"].records:
            a = acel[(str(rec.get("stage") or ""), str(rec.get("organiser") or ""))]
            for col, v, scale in (("pct_all", a.pct_all, 100), ("pct_q1", a.pct_by_quintile[1], 100),
                                  ("pct_q5", a.pct_by_quintile[5], 100), ("gap_pp", a.gap_pp, 1)):
                out[(place.sheet, r - 1, place.columns[col])] = _score(v, scale)
    if "goals" in content.tables and scores.gas is not None:  # each child's T, on the child's first row
        from sipxl.spec.values import text_key

        place = layout.tables["goals"]
        children = {text_key(c.child): c for c in scores.gas.children}
        seen: set[str] = set()
        for r, rec in content.tables["goals"].records:
            key = text_key(rec["child_ref"]) if rec.get("child_ref") else None
            if key is None or key in seen:
                continue
            seen.add(key)
            c = children[key]
            for col, v in (("baseline_t", c.score.baseline_t), ("review_t", c.score.review_t),
                           ("t_change", c.score.change)):
                out[(place.sheet, r - 1, place.columns[col])] = _score(v)
    return out


def disagreements(case: Case, recalculated: Path) -> list[str]:
    check = check_file(case.path)
    assert check.content is not None, check.issues
    expected = recomputed_formulas(check.content)
    errors = {i.cell for i in check.issues if i.severity == "error"}
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    out = []
    inputs = inputs_of(case.template)
    rules = answer_rules(case.template)
    # TRUE/FALSE: Excel's ISLOGICAL makes the formula show "check entry"; LibreOffice cannot stand in for Excel
    # there (it stores TRUE as the number 1, and ISLOGICAL over a range in an array formula is FALSE), so for the
    # calculations that use one, the test asks only that sipxl shows "check entry" and reports the cell.
    booleans = {c for c, v in case.changed.items() if isinstance(v, bool)}
    for c in booleans:
        if excel_ref(case.template.sheet(c[0]).name, c[1], c[2]) not in errors:
            out.append(f"{case.name}: TRUE/FALSE at {c} is not reported as an error")
    for key, _ in sorted(formula_cells(case.template).items()):
        code, row, col = key
        name = case.template.sheet(code).name
        if inputs[key] & booleans:
            if expected.get(key, ("", None))[1] not in (CHECK, None):
                out.append(f"{case.name} {name}!{a1(row, col)}: an answer it uses is TRUE/FALSE, but sipxl shows "
                           f"{expected[key][1]!r}")
            continue
        raw = wb[name].cell(row + 1, col + 1).value
        shown = _shown(raw)
        if isinstance(raw, str) and (raw.startswith("#") or raw.startswith("Err:")) and not any(
                isinstance(case.changed.get(c), CellError) and rules.get(c, Rule()).type in ("text", "long_text")
                for c in inputs[key]):
            out.append(f"{case.name} {name}!{a1(row, col)}: the sheet shows the error {raw}, not {CHECK!r}")
        want = expected.get(key, ("", None))[1]
        where = f"{case.name} {name}!{a1(row, col)}"
        if not _agrees(shown, want):
            out.append(f"{where}: sheet {shown!r}, sipxl {want!r}")
        elif want == CHECK:
            refs = {excel_ref(case.template.sheet(c).name, r, k) for c, r, k in inputs[key]}
            if not refs & errors:
                out.append(f"{where}: the sheet shows {CHECK!r} but sipxl reports no error at its answers")
    wb_sheets = {s.code: wb[s.name] for s in case.template.sheets if s.name in wb.sheetnames}
    for (code, row, col), want in sorted(scored_cells(check.content, check.scores).items()):
        if inputs[(code, row, col)] & booleans:
            if want not in (CHECK, None):
                out.append(f"{case.name} {code}!{a1(row, col)}: an answer it uses is TRUE/FALSE, sipxl score {want!r}")
            continue
        shown = _shown(wb_sheets[code].cell(row + 1, col + 1).value)
        if not _agrees(shown, want):
            out.append(f"{case.name} {case.template.sheet(code).name}!{a1(row, col)}: sheet {shown!r}, "
                       f"sipxl score {want!r}")
    if out:
        typed = {f"{case.template.sheet(c).name}!{a1(r, k)}": v for (c, r, k), v in case.changed.items()}
        out.append(f"{case.name} typed: {typed}")
    return out


def write(template: Template, clean: dict[Cell, object], changed: dict[Cell, object], path: Path) -> Path:
    """The clean answers with `changed` typed over them; an error value is pasted in with openpyxl, which writes
    it as an error cell (data type 'e'), as Excel saves a pasted #N/A."""
    values = {**clean}
    for cell, v in changed.items():
        if v is None or isinstance(v, CellError):
            values.pop(cell, None)
        else:
            values[cell] = v
    build_template(template, path, values=values)
    errors = {cell: v for cell, v in changed.items() if isinstance(v, CellError)}
    if errors:
        wb = openpyxl.load_workbook(path)
        for (code, row, col), v in errors.items():
            cell = wb[template.sheet(code).name].cell(row + 1, col + 1)
            cell.value = v.text
            assert cell.data_type == "e"
        wb.save(path)
    return path


@pytest.mark.libreoffice
@settings(settings.get_profile(PROFILE))
@given(batch=BATCH)
def test_sheet_and_sipxl_agree_on_every_input(batch, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("agree")
    cases = []
    for kind, variants in batch.items():
        template, clean = clean_values(kind)
        for k, changed in enumerate(variants):
            path = folder / "in" / f"{kind}_{k}.xlsx"
            path.parent.mkdir(exist_ok=True)
            write(template, clean, changed, path)
            cases.append(Case(path.stem, template, changed, path))
    outs = recalculate_all([c.path for c in cases], folder / "out")
    found = [line for case, out in zip(cases, outs, strict=True) for line in disagreements(case, out)]
    assert not found, "\n".join(found[:40])


# ---------------------------------------------------------------- the cases found by independent testing

def _gas_t(levels, weights, rho=0.3):
    from sipxl.scoring import gas_t_score

    return gas_t_score(levels, weights, rho)


def _edits():
    """(name, kind, {cell: typed}, [(calculated cell, what the sheet must show)], [(issue code, cell)])."""
    lay = {t.kind: layout_template(t) for t in all_templates()}
    goals, acel = lay["gas"].tables["goals"], lay["school_return"].tables["acel"]
    simd = lay["school_return"].tables["attendance_simd"]
    att, survey = lay["attendance"].tables["attendance"], lay["survey"].tables["survey"]
    ss, ros = lay["social_skills"].grids["social_skills"], lay["rosenberg"].grids["rosenberg"]
    obs, log = lay["observation"].tables["observations"], lay["sipp_project"].tables["sessions"]
    rho = lay["gas"].fields["gas_rho"]

    def g(row: int, col: str) -> Cell:
        return ("gas", goals.first_row + row, goals.columns[col])

    def a(row: int, col: str) -> Cell:
        return (acel.sheet, acel.first_row + row, acel.columns[col])

    ss_item = ("social_skills", ss.item_rows[4], ss.columns[(0, "Pre")])
    ss_total = ("social_skills", ss.total_row, ss.columns[(0, "Pre")])
    ros_item = ("rosenberg", ros.item_rows[1], ros.columns[(0, "Pre")])
    ros_total = ("rosenberg", ros.total_row, ros.columns[(0, "Pre")])
    # the clean GAS sample: child 1 on rows 0-1 (weights 1, 1), child 2 on rows 2-5 (weights 2, 2, 1, 3)
    child2_review = [-1, 0, 1, 1]
    return [
        ("acel_achieved_blank", "school_return", {a(0, "assessed_q1"): 10, a(0, "achieved_q1"): None},
         [(a(0, "pct_q1"), None), (a(0, "gap_pp"), None)], []),
        ("achieved_more_than_assessed", "school_return", {a(0, "achieved_q5"): 5000},
         [(a(0, "pct_q5"), CHECK), (a(0, "pct_all"), CHECK), (a(0, "gap_pp"), CHECK)],
         [("SIPXL-V004", a(0, "achieved_q5"))]),
        ("achieved_more_than_assessed_in_range", "school_return", {a(1, "assessed_q1"): 3, a(1, "achieved_q1"): 4},
         [(a(1, "pct_q1"), CHECK)], [("SIPXL-P015", a(1, "achieved_q1"))]),
        ("attended_more_than_possible", "school_return",
         {(simd.sheet, simd.first_row, simd.columns["possible"]): 100,
          (simd.sheet, simd.first_row, simd.columns["attended"]): 120},
         [((simd.sheet, simd.first_row, simd.columns["pct"]), CHECK)],
         [("SIPXL-P014", (simd.sheet, simd.first_row, simd.columns["attended"]))]),
        ("item_typed_as_text", "social_skills", {ss_item: "3"}, [(ss_total, CHECK)], [("SIPXL-V003", ss_item)]),
        ("item_out_of_range", "social_skills", {ss_item: 5}, [(ss_total, CHECK)], [("SIPXL-V004", ss_item)]),
        ("gas_weight_blank", "gas", {g(2, "weight"): None, g(3, "weight"): None},
         [(g(2, "review_t"), _gas_t(child2_review, [None, None, 1, 3]))], []),
        ("gas_all_weights_blank", "gas", {g(r, "weight"): None for r in range(2, 6)},
         [(g(2, "review_t"), _gas_t(child2_review, [1, 1, 1, 1]))], []),
        ("gas_weight_zero", "gas", {g(2, "weight"): 0}, [(g(2, "review_t"), CHECK)], [("SIPXL-V004", g(2, "weight"))]),
        ("gas_level_3", "gas", {g(2, "review"): 3}, [(g(2, "review_t"), CHECK)], [("SIPXL-V005", g(2, "review"))]),
        ("gas_ref_trailing_space", "gas", {g(3, "child_ref"): "SIP-DAP-02 "},
         [(g(2, "review_t"), _gas_t(child2_review, [2, 2, 1, 3])), (g(3, "review_t"), None)], []),
        ("gas_rho_blank", "gas", {("gas", rho.row, rho.col): None},
         [(g(2, "review_t"), _gas_t(child2_review, [2, 2, 1, 3], 0.3))], []),
        ("leuven_6", "observation", {("observation", obs.first_row, obs.columns["leuven"]): 6},
         [(("observation", obs.footer_rows[0], obs.columns["leuven"]), CHECK)],
         [("SIPXL-V004", ("observation", obs.first_row, obs.columns["leuven"]))]),
        ("leuven_with_words", "sipp_project", {("phase4", log.first_row, log.columns["leuven_1"]): "2 - passive"},
         [(("phase4", log.first_row, log.columns["session_mean"]), CHECK)],
         [("SIPXL-V003", ("phase4", log.first_row, log.columns["leuven_1"]))]),
        ("rosenberg_trailing_space", "rosenberg", {ros_item: "Agree "}, [(ros_total, "number")],
         [("SIPXL-V006", ros_item)]),
        ("survey_off_the_scale", "survey", {("survey", survey.first_row, survey.columns["q1"]): "Maybe"},
         [(("survey", survey.footer_rows[0], survey.columns["q1"]), CHECK)],
         [("SIPXL-V005", ("survey", survey.first_row, survey.columns["q1"]))]),
        ("pupil_attended_more_than_possible", "attendance",
         {("attendance", att.first_row, att.columns["possible_after"]): 50,
          ("attendance", att.first_row, att.columns["attended_after"]): 60},
         [(("attendance", att.first_row, att.columns["pct_after"]), CHECK),
          (("attendance", att.first_row, att.columns["change_pp"]), CHECK)],
         [("SIPXL-P014", ("attendance", att.first_row, att.columns["attended_after"]))]),
        ("observation_leuven_with_words", "observation",
         {("observation", obs.first_row, obs.columns["leuven"]): "4 - engaged"},
         [(("observation", obs.footer_rows[0], obs.columns["leuven"]), CHECK),
          (("observation", obs.footer_rows[1], obs.columns["leuven"]), CHECK)],
         [("SIPXL-V003", ("observation", obs.first_row, obs.columns["leuven"]))]),
        ("attended_blank", "attendance", {("attendance", att.first_row, att.columns["attended_after"]): None},
         [(("attendance", att.first_row, att.columns["pct_after"]), None)], []),
    ]


@pytest.mark.libreoffice
def test_the_reported_cases_agree(tmp_path: Path) -> None:
    """Each disagreement the issue lists: the sheet and sipxl now agree, and say what they should."""
    cases, expectations = [], []
    for name, kind, changed, shows, codes in _edits():
        template, clean = clean_values(kind)
        values = {**clean}
        for cell, v in changed.items():
            if v is None:
                values.pop(cell, None)
            else:
                values[cell] = v
        (tmp_path / "in").mkdir(exist_ok=True)
        path = build_template(template, tmp_path / "in" / f"{name}.xlsx", values=values)
        cases.append(Case(name, template, changed, path))
        expectations.append((shows, codes))
    outs = recalculate_all([c.path for c in cases], tmp_path / "out")
    for case, out, (shows, codes) in zip(cases, outs, expectations, strict=True):
        assert disagreements(case, out) == []
        wb = openpyxl.load_workbook(out, data_only=True)
        for (code, row, col), want in shows:
            got = _shown(wb[case.template.sheet(code).name].cell(row + 1, col + 1).value)
            if want == "number":
                assert isinstance(got, int | float), (case.name, got)
            elif isinstance(want, float):
                assert got == pytest.approx(want), case.name
            else:
                assert got == want, (case.name, got)
        found = {(i.code, i.cell) for i in check_file(case.path, score=False).issues}
        for code, (sheet, row, col) in codes:
            assert (code, excel_ref(case.template.sheet(sheet).name, row, col)) in found, (case.name, found)


@pytest.mark.libreoffice
def test_error_values_and_measures_not_in_use_show_in_the_sheet(tmp_path: Path) -> None:
    """An error value (#N/A) pasted into an answer: the calculations that use it show it and sipxl reports it at
    the answer; a measure the Project sheet says is not used: its sheet says so under the title."""
    from sipxl.spec.templates import NOT_IN_USE, measure_flag

    template, values = clean_values("sipp_project")
    layout = layout_template(template)
    flag = layout.fields[measure_flag("gas")]
    values = {**values, (flag.sheet, flag.row, flag.col): "No"}
    (tmp_path / "in").mkdir()
    src = build_template(template, tmp_path / "in" / "project.xlsx", values=values)
    ss = layout.grids["social_skills"]
    item, total = (ss.item_rows[2], ss.columns[(1, "Pre")]), (ss.total_row, ss.columns[(1, "Pre")])
    wb = openpyxl.load_workbook(src)
    wb["Social Skills"].cell(item[0] + 1, item[1] + 1).value = "#N/A"  # openpyxl writes an error value
    wb.save(tmp_path / "in" / "with_na.xlsx")
    [out] = recalculate_all([tmp_path / "in" / "with_na.xlsx"], tmp_path / "out")
    shown = openpyxl.load_workbook(out, data_only=True)
    assert _shown(shown["Social Skills"].cell(total[0] + 1, total[1] + 1).value) == CHECK  # "#N/A" shows
    gas_head = layout.sheets["gas"].head_row
    assert shown["GAS"].cell(gas_head + 1, 1).value == NOT_IN_USE
    assert shown["Rosenberg"].cell(layout.sheets["rosenberg"].head_row + 1, 1).value != NOT_IN_USE
    check = check_file(tmp_path / "in" / "with_na.xlsx")
    assert ("SIPXL-V009", excel_ref("Social Skills", *item)) in {(i.code, i.cell) for i in check.issues}
    assert recomputed_formulas(check.content)[("social_skills", *total)][1] == CHECK
    assert check.scores.gas is None
