"""Validation: every check of a workbook's answers, as named rules that return Issues.

`validate_content` gathers what the reader found (content.issues), the pandera table schemas, required single
answers, and the cross-field rules of the methodology (RULES, one small function each). A rule looks only at
the sheets its template has, so the standalone assessments and the school return get their own subset.
Formula caches are never trusted: every calculated cell the file holds a value for is recomputed here and a
value that differs is reported (SIPXL-F011).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

from ..issues import Issue, in_sheet_order, issue, sort_issues
from ..scoring import (
    RHO,
    attendance_pct,
    score_gas_child,
    score_rosenberg,
    score_social_skills,
    summarise_leuven,
)
from ..spec.formulas import direct_references, formula_cells
from ..spec.layout import excel_ref
from ..spec.lists import MEASURE_SHEETS
from ..spec.model import Field
from ..spec.templates import measure_flag
from ..spec.values import CHECK, CellError, choice_of, text_key
from .extract import Cell, GridData, TableData, WorkbookContent, is_blank, layout_of
from .schemas import needs_schemas, schema_issues, schema_issues_many

__all__ = ["RULES", "Rule", "validate_content", "nothing_entered", "where_to_start", "sheets_not_in_use",
           "cross_checks", "validate_many", "validate_screened", "recomputed_formulas", "looks_like_name",
           "looks_like_scn", "GRID_NAMES"]

Rule = Callable[[WorkbookContent], list[Issue]]

GRID_NAMES = {"social_skills": "the Social Skills Pupil Assessment", "rosenberg": "the Rosenberg self-esteem scale"}


def validate_content(content: WorkbookContent) -> list[Issue]:
    """Every issue in one workbook's answers, sorted (errors first, then by sheet and cell)."""
    return _validated(content, schema_issues(content, skip_columns=SKIP_REQUIRED))


def validate_many(contents: list[WorkbookContent]) -> list[list[Issue]]:
    """validate_content of each workbook (the same issues), with the table schemas run once per batch."""
    schema_found = schema_issues_many(contents, skip_columns=SKIP_REQUIRED)
    return [_validated(c, found) for c, found in zip(contents, schema_found, strict=True)]


def validate_screened(content: WorkbookContent) -> list[Issue] | None:
    """validate_content(content) for a workbook whose tables all pass their schemas for certain (the common case),
    without pandera; None when some table must go to pandera (then validate_many, with the batch's others)."""
    if needs_schemas(content):
        return None
    return _validated(content, [])


def _validated(content: WorkbookContent, schema_found: list[Issue]) -> list[Issue]:
    if nothing_entered(content):  # a blank template: nothing is missing yet, nothing is wrong
        return sort_issues([*content.issues, issue("SIPXL-V010", expected=where_to_start(content))])
    found = list(content.issues)
    found += schema_found
    found += required_fields(content)
    for rule in RULES:
        found += rule(content)
    unused = {content.sheet_names[code] for code in sheets_not_in_use(content) if code in content.sheet_names}
    if unused:  # a measure the project does not use: its sheet is neither required nor checked
        found = [i for i in found if i.sheet not in unused]
    order = [content.sheet_names[s.code] for s in content.template.sheets if s.code in content.sheet_names]
    return sort_issues(in_sheet_order(_unique(found), order))


def _unique(issues: Iterable[Issue]) -> list[Issue]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for i in issues:
        key = (i.code, i.cell, i.sheet, i.value if not i.cell else "")
        if key in seen:
            continue
        seen.add(key)
        out.append(i)
    return out


def nothing_entered(content: WorkbookContent) -> bool:
    """True when every answer cell is blank, or holds the value the template itself wrote there (GAS ρ 0.3), and
    nothing was typed outside the form: a workbook as the template left it. What sipxl stamps does not count."""
    if any(i.code == "SIPXL-F010" for i in content.issues):
        return False
    for sheet in content.template.sheets:
        for f in sheet.fields:
            cell = content.fields.get(f.key)
            if f.is_input and cell is not None and not is_blank(cell.raw) \
                    and not (f.default is not None and cell.raw == f.default):
                return False
    if any(not data.empty for data in content.tables.values()):
        return False
    typed_refs = {g.key for s in content.template.sheets for g in s.grids if not g.pupils_from_register}
    for key, grid in content.grids.items():
        for pupil in grid.pupils:
            if key in typed_refs and not is_blank(pupil.ref.raw):  # (a project's headers show the register)
                return False
            for column in pupil.occasions.values():
                if any(not is_blank(c.raw) for c in (column.date, column.by, *column.items)):
                    return False
    return True


def where_to_start(content: WorkbookContent) -> str:
    """"the Project sheet (Project title)": the first answer of the form, in the teacher's words."""
    for sheet in content.template.sheets:
        if sheet.code not in content.sheet_names:
            continue
        for f in sheet.fields:
            if f.is_input:
                return f"the {content.sheet_names[sheet.code]} sheet ({f.label.rstrip(':')})"
        if sheet.tables or sheet.grids:
            return f"the {content.sheet_names[sheet.code]} sheet"
    return "the first sheet"


def sheets_not_in_use(content: WorkbookContent) -> set[str]:
    """The codes of the assessment sheets whose measure the Project sheet says the project does not use."""
    return {code for code, _ in MEASURE_SHEETS if content.field_value(measure_flag(code)) == "No"}


# columns whose missing answer a named rule reports in its own words
SKIP_REQUIRED = frozenset({("smart_outcomes", "measure"), ("smart_outcomes", "by_date")})


def _show(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return str(int(v))
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def required_fields(content: WorkbookContent) -> list[Issue]:
    """SIPXL-V001 for every required single answer left empty."""
    out = []
    for sheet in content.template.sheets:
        for f in sheet.fields:
            if not (f.rule.required and f.is_input):
                continue
            cell = content.fields.get(f.key)
            if cell is not None and cell.value is None and is_blank(cell.raw):
                out.append(issue("SIPXL-V001", sheet=cell.sheet, cell=cell.ref, label=f.label.rstrip(":"),
                                 expected=f.rule.describe()))
    return out


# ---------------------------------------------------------------- helpers


def _rows(content: WorkbookContent, key: str) -> list[tuple[int, dict]]:
    """(Excel row, typed values) of a table's used rows (the records are shared: never change them)."""
    data = content.tables.get(key)
    if data is None:
        return []
    return data.records


def _raw(data: TableData, row: int, column: str) -> object:
    return data.raw_value(row, column)


def _register(content: WorkbookContent) -> list[tuple[int, str]]:
    """(Excel row, reference) of every pupil on the register of a project workbook."""
    return [(r, rec["pupil_ref"]) for r, rec in _rows(content, "pupils") if rec.get("pupil_ref")]


def _norm(ref: str) -> str:
    return " ".join(str(ref).split()).casefold()


def _field_cell(content: WorkbookContent, key: str) -> Cell | None:
    return content.fields.get(key)


def _phase5_started(content: WorkbookContent) -> bool:
    if "phase5" not in content.sheet_names:
        return False
    sheet = content.template.sheet("phase5")
    if any(content.field_value(f.key) is not None for f in sheet.fields):
        return True
    return any(not content.tables[t.key].empty for t in sheet.tables if t.key in content.tables)


def _grid_ref_label(grid: GridData, p: int) -> str:
    ref = grid.pupils[p].ref.value
    return str(ref) if ref else f"Pupil {p + 1}"


# ---------------------------------------------------------------- the project as a whole


def target_group_size(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P001: the target group is a small group of 4-6 learners."""
    data = content.tables.get("pupils")
    if data is None:
        return []
    n = len(_register(content))
    if 4 <= n <= 6:
        return []
    first = layout_of(content.template).tables["pupils"].first_row + 1
    return [issue("SIPXL-P001", sheet=data.sheet, cell=data.ref(first, "pupil_ref"), label="Pupil reference",
                  value=n)]


def research_questions(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P002: at most 3 research questions (counted by rows and by question marks within a row)."""
    data = content.tables.get("research_questions")
    if data is None:
        return []
    n = 0
    first_row = None
    for r, rec in _rows(content, "research_questions"):
        text = rec.get("question")
        if not text:
            continue
        first_row = first_row or r
        n += max(1, str(text).count("?"))
    if n <= 3 or first_row is None:
        return []
    return [issue("SIPXL-P002", sheet=data.sheet, cell=data.ref(first_row, "question"),
                  label=data.labels["question"], value=n)]


def _no_post_reasons(content: WorkbookContent) -> dict[str, str]:
    """Pupil reference (TRIM, any case) -> why the register says there is no post assessment."""
    return {text_key(rec["pupil_ref"]): rec["no_post"] for _, rec in _rows(content, "pupils")
            if rec.get("pupil_ref") and rec.get("no_post")}


def post_assessment_missing(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P003: by Phase 5, every pupil with a pre assessment has a post one — or SIPXL-P018, a note, when the
    register gives the reason there is none (left school, long absence, withdrawn)."""
    if not _phase5_started(content):
        return []
    reasons = _no_post_reasons(content)

    def missing(sheet: str, cell: str, label: str, who: str) -> Issue:
        why = reasons.get(text_key(who))
        if why:
            return issue("SIPXL-P018", sheet=sheet, cell=cell, label=label, value=who, detail=why.lower())
        return issue("SIPXL-P003", sheet=sheet, cell=cell, label=label, value=who)

    out = []
    for key, grid in content.grids.items():
        if len(grid.pupils) == 0 or "Post" not in grid.pupils[0].occasions:
            continue
        for p, pupil in enumerate(grid.pupils):
            pre, post = pupil.occasions["Pre"], pupil.occasions["Post"]
            if pre.started and not post.started:
                out.append(missing(grid.sheet, post.items[0].ref, GRID_NAMES.get(key, key), _grid_ref_label(grid, p)))
    data = content.tables.get("attendance")
    if data is not None:
        for r, rec in _rows(content, "attendance"):
            if rec.get("attended_before") is not None and rec.get("attended_after") is None \
                    and is_blank(_raw(data, r, "attended_after")):
                out.append(missing(data.sheet, data.ref(r, "attended_after"), "The attendance table",
                                   str(rec.get("pupil_ref") or f"row {r}")))
    return out


def post_after_pre(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P004: a post assessment is dated after its pre assessment (and a GAS review after its baseline)."""
    out = []
    for grid in content.grids.values():
        for pupil in grid.pupils:
            if "Pre" not in pupil.occasions or "Post" not in pupil.occasions:
                continue
            pre, post = pupil.occasions["Pre"].date, pupil.occasions["Post"].date
            if pre.value is not None and post.value is not None and post.value <= pre.value:
                out.append(issue("SIPXL-P004", sheet=grid.sheet, cell=post.ref, label=post.label,
                                 value=_show(post.value), expected=_show(pre.value)))
    data = content.tables.get("goals")
    if data is not None:
        for r, rec in _rows(content, "goals"):
            a, b = rec.get("baseline_date"), rec.get("review_date")
            if a is not None and b is not None and b <= a:
                out.append(issue("SIPXL-P004", sheet=data.sheet, cell=data.ref(r, "review_date"),
                                 label=data.labels["review_date"], value=_show(b), expected=_show(a)))
    return out


def sessions_in_timescale(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P005: Phase 4 session dates fall inside the Phase 3 start and end dates."""
    data = content.tables.get("sessions")
    if data is None:
        return []
    start, end = content.field_value("start_date"), content.field_value("end_date")
    if start is None and end is None:
        return []
    if start is not None and end is not None and end < start:
        return []  # P011 says the timescale itself is wrong
    span = f"{_show(start) or '…'} to {_show(end) or '…'}"
    out = []
    for r, rec in _rows(content, "sessions"):
        d = rec.get("session_date")
        if d is None:
            continue
        if (start is not None and d < start) or (end is not None and d > end):
            out.append(issue("SIPXL-P005", sheet=data.sheet, cell=data.ref(r, "session_date"),
                             label=data.labels["session_date"], value=_show(d), expected=span))
    return out


def smart_outcomes_measured(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P006: each SMART outcome names a measure and a date."""
    data = content.tables.get("smart_outcomes")
    if data is None:
        return []
    out = []
    for r, rec in _rows(content, "smart_outcomes"):
        outcome = rec.get("outcome")
        if not outcome:
            continue
        for column, what in (("measure", "measure"), ("by_date", "date (By)")):
            if rec.get(column) is None and is_blank(_raw(data, r, column)):
                out.append(issue("SIPXL-P006", sheet=data.sheet, cell=data.ref(r, column),
                                 label=data.labels[column], value=outcome, expected=what))
    return out


# ---------------------------------------------------------------- pupil references

_COMMON_FIRST_NAMES = frozenset(n.casefold() for n in """
Aaron Adam Aidan Aiden Aimee Alexander Alfie Ali Alice Amber Amelia Amy Andrew Anna Archie Arran Aria Ava Ben
Benjamin Bethany Blair Brodie Caitlin Callum Calum Calvin Cameron Charlie Charlotte Chloe Connor Daniel David
Dylan Eilidh Ellie Ella Emily Emma Erin Ethan Euan Eva Evie Ewan Finlay Finn Fraser Freya Georgia Grace Hamish
Hannah Harper Harris Harry Harvey Hollie Holly Iona Isaac Isabella Isla Jack Jacob Jake James Jamie Jessica
John Jordan Joseph Josh Joshua Kai Katie Kayla Kieran Kyle Lachlan Laura Lauren Leah Leo Lewis Liam Lily Logan
Lucas Lucy Luke Lyla Maisie Maryam Mason Matthew Max Megan Mia Michael Millie Mohammed Muhammad Murray Nathan
Niamh Noah Ollie Oliver Olivia Orla Oscar Paige Poppy Rachel Rebecca Reece Robert Robyn Rory Rosie Ross Ruby
Ryan Sam Samuel Sarah Scott Sean Skye Sophia Sophie Summer Theo Thomas Tyler William Zara Zoe
""".split())
_NOT_NAME_WORDS = frozenset("""
pupil pupils child children learner learners group target case student young person boy girl sip pp
one two three four five six seven eight nine ten class stage primary secondary
""".split())
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*")


def looks_like_name(ref: object) -> bool:
    """Two or more capitalised words of letters (Jane Smith), or a common first name (jack, Ava B)."""
    text = str(ref).strip()
    if not text or any(ch.isdigit() for ch in text):
        return False
    words = text.replace(",", " ").replace(".", " ").split()
    if not words or not all(_WORD.fullmatch(w) for w in words):
        return False
    folded = [w.casefold() for w in words]
    if folded[0] in _COMMON_FIRST_NAMES or (len(words) >= 2 and folded[-1] in _COMMON_FIRST_NAMES
                                            and words[-1][0].isupper()):
        return True
    if len(words) >= 2 and all(len(w) >= 2 and w[0].isupper() for w in words) \
            and not any(f in _NOT_NAME_WORDS for f in folded):
        return True
    return False


_SCN = re.compile(r"^\d{9}$")


def looks_like_scn(ref: object) -> bool:
    """A Scottish Candidate Number: 9 digits (spaces ignored)."""
    if isinstance(ref, float) and ref.is_integer():
        ref = int(ref)
    return bool(_SCN.fullmatch("".join(str(ref).split())))


def _pupil_ref_cells(content: WorkbookContent) -> list[tuple[str, str, str, object]]:
    """(sheet, cell, label, value) of every typed pupil reference: table columns that identify a pupil and the
    pupil headers of standalone assessments."""
    out = []
    for sheet in content.template.sheets:
        for table in sheet.tables:
            data = content.tables.get(table.key)
            if data is None:
                continue
            for col in table.columns:
                if not col.identifies_pupil:
                    continue
                for r, rec in _rows(content, table.key):
                    if rec.get(col.key):
                        out.append((data.sheet, data.ref(r, col.key), col.label, rec[col.key]))
        for g in sheet.grids:
            grid = content.grids.get(g.key)
            if grid is None or g.pupils_from_register:
                continue
            for pupil in grid.pupils:
                if pupil.ref.value:
                    out.append((grid.sheet, pupil.ref.ref, pupil.ref.label, pupil.ref.value))
    return out


def pseudonymous_refs(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P007 / P008: a pupil reference that looks like a name or a Scottish Candidate Number."""
    out = []
    for sheet, cell, label, value in _pupil_ref_cells(content):
        if looks_like_scn(value):
            out.append(issue("SIPXL-P008", sheet=sheet, cell=cell, label=label, value=value))
        elif looks_like_name(value):
            out.append(issue("SIPXL-P007", sheet=sheet, cell=cell, label=label, value=value))
    return out


def duplicate_refs(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P009: a pupil reference used twice where each pupil has one place (the register, the pupil
    headers of a standalone assessment, the attendance table)."""
    out: list[Issue] = []

    def check(cells: list[tuple[str, str, str, object]]) -> set[str]:
        where: dict[str, list[str]] = {}
        for _, cell, _, value in cells:
            where.setdefault(_norm(value), []).append(cell)
        dup = {k for k, v in where.items() if len(v) > 1}
        for sheet, cell, label, value in cells:
            key = _norm(value)
            if key in dup:  # every occurrence: either may be the one typed by mistake
                others = ", ".join(c for c in where[key] if c != cell)
                out.append(issue("SIPXL-P009", sheet=sheet, cell=cell, label=label, value=value,
                                 detail=f"also at {others}"))
        return dup

    register_dups: set[str] = set()
    data = content.tables.get("pupils")
    if data is not None:
        register_dups = check([(data.sheet, data.ref(r, "pupil_ref"), data.labels["pupil_ref"], ref)
                               for r, ref in _register(content)])
    for g in content.template.sheets:
        for spec_grid in g.grids:
            grid = content.grids.get(spec_grid.key)
            if grid is None or spec_grid.pupils_from_register:
                continue
            check([(grid.sheet, p.ref.ref, p.ref.label, p.ref.value) for p in grid.pupils if p.ref.value])
    att = content.tables.get("attendance")
    if att is not None:
        cells = [(att.sheet, att.ref(r, "pupil_ref"), att.labels["pupil_ref"], rec["pupil_ref"])
                 for r, rec in _rows(content, "attendance") if rec.get("pupil_ref")
                 and _norm(rec["pupil_ref"]) not in register_dups]
        check(cells)
    return out


def refs_on_register(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P012: in a project workbook, pupils on other sheets are pupils on the register."""
    if content.tables.get("pupils") is None:
        return []
    register = {str(ref).strip() for _, ref in _register(content)}
    if not register:
        return []
    out = []
    for sheet in content.template.sheets:
        for table in sheet.tables:
            data = content.tables.get(table.key)
            if data is None or table.key == "pupils":
                continue
            for col in table.columns:
                if col.rule.choices_from != "pupils.pupil_ref":
                    continue
                for r, rec in _rows(content, table.key):
                    v = rec.get(col.key)
                    if v and str(v).strip() not in register:
                        out.append(issue("SIPXL-P012", sheet=data.sheet, cell=data.ref(r, col.key), label=col.label,
                                         value=v))
    return out


# ---------------------------------------------------------------- dates and assessments


def end_after_start(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P011: an end date is not before its start date (Phase 3 timescale, attendance periods)."""
    out = []
    for start_key, end_key in (("start_date", "end_date"), ("before_from", "before_to"), ("after_from", "after_to")):
        start, end = _field_cell(content, start_key), _field_cell(content, end_key)
        if start is None or end is None or start.value is None or end.value is None:
            continue
        if end.value < start.value:
            out.append(issue("SIPXL-P011", sheet=end.sheet, cell=end.ref, label=end.label, value=_show(end.value),
                             expected=_show(start.value)))
    return out


def incomplete_assessments(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P013: an assessment column that was started but not finished gets no total."""
    out = []
    for key, grid in content.grids.items():
        for p, pupil in enumerate(grid.pupils):
            for occ, column in pupil.occasions.items():
                if not column.started:
                    continue
                n = len(column.items)
                typed = [c for c in column.items if not is_blank(c.raw)]
                if len(typed) == n:
                    continue  # an unusable answer is reported by the reader, not again here
                missing = next(c for c in column.items if is_blank(c.raw))
                out.append(issue("SIPXL-P013", sheet=grid.sheet, cell=missing.ref,
                                 label=f"{GRID_NAMES.get(key, key)} ({occ})", value=_grid_ref_label(grid, p),
                                 detail=len(typed), expected=n))
    return out


# ---------------------------------------------------------------- counts that cannot exceed their whole

# (table, part column, whole column, issue code) — the sheet's share formulas show "check entry" for these too
_PARTS_OF_WHOLES = (
    ("attendance", "attended_before", "possible_before", "SIPXL-P014"),
    ("attendance", "attended_after", "possible_after", "SIPXL-P014"),
    ("attendance_simd", "attended", "possible", "SIPXL-P014"),
    *(("acel", f"achieved_q{q}", f"assessed_q{q}", "SIPXL-P015") for q in (1, 2, 3, 4, 5)),
)


def cross_checks(content: WorkbookContent) -> list[tuple[tuple[str, int, int], Issue]]:
    """Answers valid on their own but not together (more attended than possible, more achieving than assessed):
    the cell of the part and its issue."""
    layout = layout_of(content.template)
    out = []
    for tkey, part, whole, code in _PARTS_OF_WHOLES:
        data = content.tables.get(tkey)
        if data is None:
            continue
        place = layout.tables[tkey]
        for r, rec in _rows(content, tkey):
            a, b = rec.get(part), rec.get(whole)
            if a is None or b is None or a <= b:
                continue
            out.append(((place.sheet, r - 1, place.columns[part]),
                        issue(code, sheet=data.sheet, cell=data.ref(r, part), label=data.labels[part], value=_show(a),
                              expected=_show(b))))
    return out


def parts_within_wholes(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P014 / P015: attended sessions within possible ones, pupils achieving within those assessed."""
    return [found for _, found in cross_checks(content)]


_SEED = re.compile(r"^\d{7}$")


def seed_codes(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P016: every SEED code typed is 7 digits."""
    out = []
    for sheet in content.template.sheets:
        for f in sheet.fields:
            cell = content.fields.get(f.key)
            if f.rule.digits and cell is not None and cell.value is not None \
                    and not _SEED.fullmatch(_show(cell.raw).strip()):
                out.append(issue("SIPXL-P016", sheet=cell.sheet, cell=cell.ref, label=f.label, value=_show(cell.raw)))
        for table in sheet.tables:
            data = content.tables.get(table.key)
            if data is None:
                continue
            for col in table.columns:
                if not col.rule.digits:
                    continue
                for r, rec in _rows(content, table.key):
                    if rec.get(col.key) is not None and not _SEED.fullmatch(_show(data.raw_value(r, col.key)).strip()):
                        out.append(issue("SIPXL-P016", sheet=data.sheet, cell=data.ref(r, col.key), label=col.label,
                                         value=_show(data.raw_value(r, col.key))))
    return out


def pupils_beyond_columns(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P017: a pupil on the register beyond the pupil columns of the assessment sheets (an earlier
    template's register had 8 rows for 6 columns)."""
    data = content.tables.get("pupils")
    columns = [g.pupils for s in content.template.sheets for g in s.grids if g.pupils_from_register]
    if data is None or not columns:
        return []
    first = layout_of(content.template).tables["pupils"].first_row + 1
    width = min(columns)
    return [issue("SIPXL-P017", sheet=data.sheet, cell=data.ref(r, "pupil_ref"), label=data.labels["pupil_ref"],
                  value=ref, detail=r - first + 1, expected=width)
            for r, ref in _register(content) if r - first >= width]


# ---------------------------------------------------------------- results table against the assessments

_RESULT_TOLERANCE = {"Social Skills Pupil Assessment": 1e-9, "Rosenberg self-esteem": 1e-9,
                     "Goal Attainment Scaling": 0.5, "Attendance": 0.5}


def _grid_totals(content: WorkbookContent, key: str) -> dict[str, dict[str, float | None]]:
    grid = content.grids.get(key)
    if grid is None:
        return {}
    out: dict[str, dict[str, float | None]] = {}
    for pupil in grid.pupils:
        if not pupil.ref.value:
            continue
        totals: dict[str, float | None] = {}
        ref = str(pupil.ref.value).strip()
        if ref in out:  # the same reference twice (P009): the results cannot be matched
            out[ref] = {}
            continue
        for occ, column in pupil.occasions.items():
            if not column.started:
                totals[occ] = None
            elif key == "rosenberg":
                totals[occ] = column.scored(score_rosenberg).total
            else:
                totals[occ] = column.scored(score_social_skills).total
        out[ref] = totals
    return out


def _assessment_results(content: WorkbookContent) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """measure -> pupil -> (pre, post) as the assessment sheets give them."""
    out: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    for measure, key in (("Social Skills Pupil Assessment", "social_skills"), ("Rosenberg self-esteem", "rosenberg")):
        totals = _grid_totals(content, key)
        out[measure] = {ref: (t.get("Pre"), t.get("Post")) for ref, t in totals.items()}
    att: dict[str, tuple[float | None, float | None]] = {}
    for _, rec in _rows(content, "attendance"):
        if rec.get("pupil_ref"):
            before = attendance_pct(rec.get("attended_before"), rec.get("possible_before"))
            after = attendance_pct(rec.get("attended_after"), rec.get("possible_after"))
            att[str(rec["pupil_ref"]).strip()] = (before, after)
    out["Attendance"] = att
    gas: dict[str, tuple[float | None, float | None]] = {}
    for ref, child in _gas_children(content).items():
        gas[ref] = (child.baseline_t, child.review_t)
    out["Goal Attainment Scaling"] = gas
    return out


def _matches(measure: str, given: float, expected: float) -> bool:
    tol = _RESULT_TOLERANCE.get(measure, 1e-9)
    if abs(given - expected) <= tol + 1e-9:
        return True
    return measure == "Attendance" and abs(given * 100 - expected) <= tol + 1e-9  # typed as a fraction


def results_agree(content: WorkbookContent) -> list[Issue]:
    """SIPXL-P010: the Phase 5 results table gives the scores the assessment sheets give."""
    data = content.tables.get("results")
    if data is None:
        return []
    known = _assessment_results(content)
    out = []
    for r, rec in _rows(content, "results"):
        ref, measure = rec.get("pupil_ref"), rec.get("measure")
        if not ref or measure not in known:
            continue
        scores = known[measure].get(str(ref).strip())
        if not scores:
            continue
        for column, k, when in (("pre", 0, "at the beginning"), ("post", 1, "at the end")):
            given, expected = rec.get(column), scores[k]
            if given is None or expected is None:
                continue
            if not _matches(measure, float(given), float(expected)):
                out.append(issue("SIPXL-P010", sheet=data.sheet, cell=data.ref(r, column),
                                 label=f"{ref}'s {measure} score {when}", value=_show(given),
                                 expected=_show(expected)))
    return out


# ---------------------------------------------------------------- formula caches (F011)


def _gas_rho(content: WorkbookContent) -> float:
    rho = content.field_value("gas_rho")
    return RHO if rho is None else float(rho)


def _gas_children(content: WorkbookContent) -> dict[str, object]:
    """Each child's GAS (sipxl.scoring.score_gas_child), in order of first appearance, keyed by reference.
    Two rows are the same child when their references are the same after TRIM, ignoring case (as the sheet)."""
    groups: dict[str, list[tuple]] = {}
    names: dict[str, str] = {}
    for _, rec in _rows(content, "goals"):
        ref = rec.get("child_ref")
        if not ref:
            continue
        key = text_key(ref)
        names.setdefault(key, str(ref).strip())
        groups.setdefault(key, []).append((rec.get("weight"), rec.get("baseline"), rec.get("review")))
    rho = _gas_rho(content)
    return {names[k]: score_gas_child(goals, rho) for k, goals in groups.items()}


def _excel_leuven(values: list) -> tuple[float | None, float | None]:
    """AVERAGE and COUNTIF(>=4)/COUNT as the sheet's formulas give them (a fraction, not a percentage)."""
    s = summarise_leuven(values)
    return s.mean, None if s.pct_engaged is None else s.pct_engaged / 100


def recomputed_formulas(content: WorkbookContent) -> dict[tuple[str, int, int], tuple[str, object]]:
    """Every calculated cell, recomputed in Python from the answers: (sheet code, row, col) -> (label, value).

    A value of None means the formula shows a blank. Only the cells that sipxl's templates calculate.
    """
    layout = layout_of(content.template)
    out: dict[tuple[str, int, int], tuple[str, object]] = {}
    structural: set[tuple[str, int, int]] = set()  # blank by the sheet's layout, whatever the answers

    # item grids: sub-totals, totals, change
    for key, grid in content.grids.items():
        place = layout.grids[key]
        spec = next(g for s in content.template.sheets for g in s.grids if g.key == key)
        for p, pupil in enumerate(grid.pupils):
            who = _grid_ref_label(grid, p)
            totals = {}
            for occ, column in pupil.occasions.items():
                c = place.columns[(p, occ)]
                if spec.total_formula == "ROSENBERG":
                    total = column.scored(score_rosenberg).total
                else:
                    score = column.scored(score_social_skills)
                    total = score.total
                    for group, row in place.group_rows.items():
                        out[(place.sheet, row, c)] = (f"{group} sub-total for {who} ({occ})", score.subtotals[group])
                totals[occ] = total
                out[(place.sheet, place.total_row, c)] = (f"{spec.total_label} for {who} ({occ})", total)
            if place.change_row is not None and len(spec.occasions) == 2:
                pre, post = (totals.get(o) for o in spec.occasions)
                c = place.columns[(p, spec.occasions[1])]
                out[(place.sheet, place.change_row, c)] = (
                    f"change for {who}", None if pre is None or post is None else post - pre)

    def table_cells(tkey: str, column: str, label: str, fn) -> None:
        if tkey not in content.tables:
            return
        place = layout.tables[tkey]
        c = place.columns[column]
        for r, rec in _rows(content, tkey):
            out[(place.sheet, r - 1, c)] = (f"{label} (row {r})", fn(rec, r))

    # pupils: SIMD quintile
    table_cells("pupils", "simd_quintile", "SIMD quintile",
                lambda rec, r: None if rec.get("simd_decile") is None else math.ceil(rec["simd_decile"] / 2))
    # Phase 4 session log: per-session mean and share at 4-5, per-pupil footers
    if "sessions" in content.tables:
        place = layout.tables["sessions"]
        pupil_cols = [f"leuven_{k + 1}" for k in range(6)]
        table_cells("sessions", "session_mean", "mean engagement",
                    lambda rec, r: _excel_leuven([rec.get(k) for k in pupil_cols])[0])
        table_cells("sessions", "session_engaged", "share of engagement at 4-5",
                    lambda rec, r: _excel_leuven([rec.get(k) for k in pupil_cols])[1])
        records = content.tables["sessions"].records
        for k in pupil_cols:
            mean, engaged = _excel_leuven([rec[k] for _, rec in records])
            c = place.columns[k]
            out[(place.sheet, place.footer_rows[0], c)] = (f"mean engagement of {k.replace('leuven_', 'pupil ')}", mean)
            out[(place.sheet, place.footer_rows[1], c)] = (
                f"share at 4-5 of {k.replace('leuven_', 'pupil ')}", engaged)
    if "observations" in content.tables:
        place = layout.tables["observations"]
        records = content.tables["observations"].records
        mean, engaged = _excel_leuven([rec["leuven"] for _, rec in records])
        c = place.columns["leuven"]
        out[(place.sheet, place.footer_rows[0], c)] = ("mean engagement", mean)
        out[(place.sheet, place.footer_rows[1], c)] = ("share of engagement at 4-5", engaged)
    # Phase 5: each pupil's Social Skills totals, from the Social Skills sheet
    if "social_results" in layout.tables and "social_skills" in layout.grids:
        place, grid = layout.tables["social_results"], layout.grids["social_skills"]
        register = layout.tables["pupils"]
        data = content.tables.get("pupils")
        for k, row in enumerate(place.rows):
            ref = None if data is None else data.raw_value(register.first_row + k + 1, "pupil_ref")
            pre, post = (out.get((grid.sheet, grid.total_row, grid.columns[(k, occ)]), ("", None))[1]
                         for occ in ("Pre", "Post"))
            who = f"pupil {k + 1}"
            out[(place.sheet, row, place.columns["pupil_ref"])] = (f"participant {k + 1}",
                                                                   None if is_blank(ref) else ref)
            out[(place.sheet, row, place.columns["pre"])] = (f"social skills at the beginning for {who}", pre)
            out[(place.sheet, row, place.columns["post"])] = (f"social skills at the end for {who}", post)
            out[(place.sheet, row, place.columns["difference"])] = (
                f"social skills difference for {who}", None if pre is None or post is None else post - pre)
    # Phase 5 results difference; SMART outcomes copied into "achieved?"
    table_cells("results", "difference", "difference",
                lambda rec, r: None if rec.get("pre") is None or rec.get("post") is None else rec["post"] - rec["pre"])
    if "smart_achieved" in content.tables and "smart_outcomes" in content.tables:
        src = layout.tables["smart_outcomes"]
        outcomes = {r - 1 - src.first_row: rec.get("outcome") for r, rec in _rows(content, "smart_outcomes")}
        place = layout.tables["smart_achieved"]
        for k, row in enumerate(place.rows):  # every row shows its outcome, whether or not it is answered
            out[(place.sheet, row, place.columns["outcome"])] = (f"SMART outcome (row {row + 1})", outcomes.get(k))
    # GAS T-scores, on each child's first row
    if "goals" in content.tables:
        children = _gas_children(content)
        seen: set[str] = set()
        place = layout.tables["goals"]
        with_ref = {r - 1 for r, rec in _rows(content, "goals") if rec.get("child_ref")}
        for row in place.rows:  # no child reference: the sheet shows no T, whatever the answers
            if row not in with_ref:
                structural.update({(place.sheet, row, place.columns["baseline_t"]),
                                   (place.sheet, row, place.columns["review_t"])})
        for r, rec in _rows(content, "goals"):
            ref = rec.get("child_ref")
            first = bool(ref) and text_key(ref) not in seen
            if ref:
                seen.add(text_key(ref))
            child = next((v for k, v in children.items() if text_key(k) == text_key(ref)), None) if first else None
            b = child.baseline_t if child else None
            v = child.review_t if child else None
            who = ref or f"row {r}"
            if not first:  # the sheet shows a child's T on its first row only, whatever the answers
                structural.update({(place.sheet, r - 1, place.columns["baseline_t"]),
                                   (place.sheet, r - 1, place.columns["review_t"])})
            out[(place.sheet, r - 1, place.columns["baseline_t"])] = (f"baseline T for {who}", b)
            out[(place.sheet, r - 1, place.columns["review_t"])] = (f"review T for {who}", v)
            out[(place.sheet, r - 1, place.columns["t_change"])] = (
                f"change in T for {who}", None if b is None or v is None else v - b)
        ref_col = place.columns["child_ref"]
        broken = [row for code, row, col in content.invalid if code == place.sheet and col == ref_col]
        if broken:  # an error value among the references: from there on the sheet cannot tell one child from
            data = content.tables["goals"]  # another, so every row with a reference shows "check entry"
            for r, _ in _rows(content, "goals"):
                if r - 1 >= min(broken) and not is_blank(data.raw_value(r, "child_ref")):
                    for col in ("baseline_t", "review_t"):
                        key = (place.sheet, r - 1, place.columns[col])
                        structural.discard(key)
                        out[key] = (out[key][0] if key in out else f"T (row {r})", CHECK)
    # attendance before/after (fractions, as Excel shows them) and the change in percentage points
    if "attendance" in content.tables:
        def frac(att: object, pos: object) -> float | None:
            pct = attendance_pct(att, pos)
            return None if pct is None else pct / 100

        place = layout.tables["attendance"]
        for r, rec in _rows(content, "attendance"):
            who = rec.get("pupil_ref") or f"row {r}"
            b = frac(rec.get("attended_before"), rec.get("possible_before"))
            a = frac(rec.get("attended_after"), rec.get("possible_after"))
            out[(place.sheet, r - 1, place.columns["pct_before"])] = (f"attendance % before for {who}", b)
            out[(place.sheet, r - 1, place.columns["pct_after"])] = (f"attendance % after for {who}", a)
            out[(place.sheet, r - 1, place.columns["change_pp"])] = (
                f"change in attendance for {who}", None if a is None or b is None else 100 * (a - b))
    # survey footers: N and the share of each answer
    if "survey" in content.tables:
        from ..spec.lists import AGREEMENT

        place = layout.tables["survey"]
        data = content.tables["survey"]
        for k in range(5):
            key = f"q{k + 1}"
            raws = [v for v in (data.raws[r][key] for r, _ in data.records) if not is_blank(v)]
            n = len(raws)
            c = place.columns[key]
            out[(place.sheet, place.footer_rows[0], c)] = (f"N answered for statement {k + 1}", n)
            meant = Counter(choice_of(v, AGREEMENT) for v in raws if isinstance(v, str))  # each answer read once
            for j, answer in enumerate(AGREEMENT):
                count = meant[answer]
                out[(place.sheet, place.footer_rows[1 + j], c)] = (
                    f"% {answer} for statement {k + 1}", count / n if n else None)
    # school return
    if "acel" in content.tables:
        from ..spec.lists import SIMD_QUINTILES

        place = layout.tables["acel"]
        for r, rec in _rows(content, "acel"):
            what = f"{rec.get('stage') or ''} {rec.get('organiser') or ''}".strip() or f"row {r}"
            assessed = sum(rec.get(f"assessed_q{q}") or 0 for q in SIMD_QUINTILES)
            achieved = sum(rec.get(f"achieved_q{q}") or 0 for q in SIMD_QUINTILES)
            pct = {q: _frac(rec.get(f"achieved_q{q}"), rec.get(f"assessed_q{q}")) for q in (1, 5)}
            out[(place.sheet, r - 1, place.columns["pct_all"])] = (
                f"% achieved (all) for {what}", achieved / assessed if assessed else None)
            out[(place.sheet, r - 1, place.columns["pct_q1"])] = (f"% achieved Q1 for {what}", pct[1])
            out[(place.sheet, r - 1, place.columns["pct_q5"])] = (f"% achieved Q5 for {what}", pct[5])
            out[(place.sheet, r - 1, place.columns["gap_pp"])] = (
                f"poverty-related gap for {what}",
                None if pct[1] is None or pct[5] is None else 100 * (pct[5] - pct[1]))
    table_cells("attendance_simd", "pct", "attendance %",
                lambda rec, r: _frac(rec.get("attended"), rec.get("possible")))
    if "smart_achieved" in content.tables and "smart_outcomes" in content.tables:
        src = layout.tables["smart_outcomes"]
        place = layout.tables["smart_achieved"]
        c = src.columns["outcome"]
        for k, row in enumerate(place.rows):  # INDEX shows the k-th outcome as typed, or its error
            if (src.sheet, src.first_row + k, c) in content.invalid:
                out[(place.sheet, row, place.columns["outcome"])] = ("SMART outcome", CHECK)
    # calculated single answers
    for sheet in content.template.sheets:
        if sheet.code not in content.sheet_names:
            continue
        for f in sheet.fields:
            if f.formula:
                value = _field_formula(content, f)
                if value is not _UNKNOWN:
                    place = layout.fields[f.key]
                    out[(place.sheet, place.row, place.col)] = (f.label.rstrip(":"), value)
    return _checked(content, out, structural)


def _checked(content: WorkbookContent, out: dict, structural: set) -> dict:
    """Where the sheet shows CHECK, so does sipxl: a checked formula (one with "check entry" in it) when an answer
    it refers to is not valid, and a formula on other calculated cells when one of those shows CHECK. A formula
    without a check shows an error value where an answer it uses is an error value: CHECK too."""
    invalid = content.invalid | {cell for cell, _ in cross_checks(content)}
    if not invalid:
        return out
    cells = formula_cells(content.template)
    direct = direct_references(content.template)
    shown: dict[tuple[str, int, int], object] = {}

    def value(key: tuple[str, int, int]) -> object:
        if key not in shown:
            refs = direct[key]
            derived = [r for r in refs if r in cells]
            if key in structural:
                shown[key] = out.get(key, ("", None))[1]
            elif derived:
                shown[key] = CHECK if any(value(r) == CHECK for r in derived) else out.get(key, ("", None))[1]
            elif refs & invalid:
                shown[key] = CHECK
            else:
                shown[key] = out.get(key, ("", None))[1]
        return shown[key]

    checked = dict(out)
    for key in cells:
        if key[0] not in content.sheet_names or key in structural:
            continue
        if key == _smart_copy(content, key):
            continue
        v = value(key)
        if v == CHECK:
            label = out[key][0] if key in out else "calculated cell"
            checked[key] = (label, CHECK)
    return checked


def _smart_copy(content: WorkbookContent, key: tuple[str, int, int]) -> tuple[str, int, int] | None:
    """The SMART outcomes copied into Phase 5 by INDEX: only the row it shows counts (set above)."""
    if "smart_achieved" not in content.tables:
        return None
    place = layout_of(content.template).tables["smart_achieved"]
    return key if key[0] == place.sheet and key[2] == place.columns["outcome"] else None


_UNKNOWN = object()


def _frac(num: object, den: object) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


def _field_formula(content: WorkbookContent, f: Field) -> object:
    if f.key == "number_of_pupils":
        data = content.tables.get("pupils")
        if data is None:
            return _UNKNOWN
        return sum(not is_blank(v) for v in (data.raws[r]["pupil_ref"] for r, _ in data.records))
    if f.key == "exclusions_per_1000":
        cases, roll = content.field_value("exclusion_cases"), content.field_value("roll")
        if cases is None or roll is None:
            return None
        return cases / roll * 1000
    return _UNKNOWN


def _same(cached: object, expected: object) -> bool:
    if expected is None:
        return is_blank(cached)
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        if isinstance(cached, bool) or not isinstance(cached, int | float):
            return False
        return math.isclose(float(cached), float(expected), rel_tol=1e-6, abs_tol=1e-6)
    return str(cached).strip() == str(expected).strip()


def formula_caches(content: WorkbookContent) -> list[Issue]:
    """SIPXL-F011: a calculated cell whose value saved in the file differs from the value its answers give.

    A cell with a saved value where Python's value is blank is left alone: the reader and Excel differ on some
    unusable answers (text in a number cell), and those answers are reported in their own right.
    """
    if not content.cached:
        return []
    expected = recomputed_formulas(content)
    out = []
    for key, cached in sorted(content.cached.items()):
        if key not in expected:
            continue
        label, value = expected[key]
        if value is None or _same(cached, value) or (value == CHECK and isinstance(cached, CellError)):
            continue
        code, row, col = key
        sheet = content.sheet_names.get(code, code)
        out.append(issue("SIPXL-F011", sheet=sheet, cell=excel_ref(sheet, row, col), label=label,
                         value=_show(cached), expected=_show(value)))
    return out


RULES: list[Rule] = [
    target_group_size,
    research_questions,
    post_assessment_missing,
    post_after_pre,
    sessions_in_timescale,
    smart_outcomes_measured,
    pseudonymous_refs,
    duplicate_refs,
    results_agree,
    end_after_start,
    refs_on_register,
    incomplete_assessments,
    parts_within_wholes,
    seed_codes,
    pupils_beyond_columns,
    formula_caches,
]
