"""Tidy rows from one workbook's typed answers: what the consolidator keeps of each file.

Pure domain code (no file access). The rows are plain tuples in the column order of COLUMNS, so they travel
cheaply between processes and into the per-file cache. Pupils appear only by their pseudonymous reference.
"""

from __future__ import annotations

import datetime as dt
import math

from ..domain.extract import TableData, WorkbookContent, layout_of
from ..scoring.rates import is_missing
from ..spec import lists as L
from .result import COLUMNS, TABLES, FileContent  # noqa: F401 - TABLES: also asked of this module

META_KEYS = ("seed_code", "school", "project", "intervention", "partnership", "session", "local_authority",
             "jst", "submitted_on")
PHASES = (1, 2, 3, 4, 5)

SOCIAL_SKILLS = "Social skills"
SOCIAL_SKILLS_TOTAL = "Total /60"
ROSENBERG = "Rosenberg self-esteem"
ROSENBERG_TOTAL = "Total /30"
ATTENDANCE = "Attendance"
ATTENDANCE_PCT = "Attendance %"
GAS = "Goal Attainment Scaling"
GAS_T = "T-score"


def _v(frame_row: dict, key: str) -> object:
    v = frame_row.get(key)
    return None if is_missing(v) else v


def _records(t: TableData | None) -> list[tuple[int, dict]]:
    return [] if t is None else t.records


def _text(v: object) -> str | None:
    if v is None:
        return None
    return str(v).strip() or None


def meta_of(content: WorkbookContent) -> dict[str, object]:
    f = content.field_value
    if content.kind == "sipp_project":
        meta = {"seed_code": f("seed_code"), "school": f("lead_school"), "project": f("project_title"),
                "intervention": f("intervention"), "partnership": f("partnership"), "session": f("session"),
                "local_authority": f("local_authority"), "jst": f("jst"), "submitted_on": f("submitted_on")}
    else:
        meta = {"seed_code": f("seed_code"), "school": f("school_name"), "project": None, "intervention": None,
                "partnership": None, "session": f("session"), "local_authority": f("local_authority"),
                "jst": f("jst"), "submitted_on": f("submitted_on")}
    return {k: (_text(v) if not isinstance(v, dt.date) else v) for k, v in meta.items()}


def phases_of(content: WorkbookContent) -> tuple[bool, ...] | None:
    if content.kind != "sipp_project":
        return None
    f, t = content.field_value, content.tables

    def rows(key: str) -> int:
        return 0 if key not in t else len(t[key].records)

    return (
        rows("smart_outcomes") > 0 and (f("target_group") is not None or f("rationale") is not None),
        rows("factors") > 0,
        rows("research_questions") > 0 and f("start_date") is not None and f("end_date") is not None,
        rows("sessions") > 0,
        f("impact") is not None or rows("results") > 0,
    )


def _register(content: WorkbookContent) -> list[str | None]:
    """The register's references by position (the assessment sheets' pupil columns follow it)."""
    t = content.tables.get("pupils")
    if t is None:
        return []
    place = layout_of(content.template).tables["pupils"]
    first = place.first_row + 1
    refs = []
    for k in range(len(place.rows)):
        refs.append(_text(t.value(first + k, "pupil_ref")))
    return refs


def pupils_rows(content: WorkbookContent) -> list[tuple]:
    out = []
    for _, r in _records(content.tables.get("pupils")):
        ref = _text(_v(r, "pupil_ref"))
        if ref is None:
            continue
        decile = _v(r, "simd_decile")
        quintile = None if decile is None else (int(decile) + 1) // 2
        out.append((ref, _v(r, "school"), _v(r, "stage"), _v(r, "sex"), decile, quintile, _v(r, "looked_after"),
                    _v(r, "asn"), _v(r, "eal"), _v(r, "fsm")))
    return out


def _change(pre: float | None, post: float | None) -> float | None:
    return None if pre is None or post is None else float(post) - float(pre)


def _counted(v: float | None) -> float | None:
    """None for a score the sheet shows as "check entry" (NaN, sipxl.domain.scores.CHECKED): it is not counted."""
    return None if isinstance(v, float) and math.isnan(v) else v


def assessment_rows(scores) -> list[tuple]:
    """Per pupil (child) and measure: pre, post and change, exactly as sipxl.domain.scores gives them."""
    out: list[tuple] = []

    def total(score: object) -> float | None:
        return None if score is None else score.total

    if scores.social_skills:
        for p in scores.social_skills.pupils:
            out.append((p.pupil, SOCIAL_SKILLS, SOCIAL_SKILLS_TOTAL, total(p.pre), total(p.post), p.change))
            for domain in (p.pre or p.post).subtotals:
                a = p.pre.subtotals[domain] if p.pre else None
                b = p.post.subtotals[domain] if p.post else None
                out.append((p.pupil, SOCIAL_SKILLS, domain, a, b, _change(a, b)))
    if scores.rosenberg:
        for p in scores.rosenberg.pupils:
            out.append((p.pupil, ROSENBERG, ROSENBERG_TOTAL, total(p.pre), total(p.post), p.change))
    if scores.attendance:
        for p in scores.attendance.pupils:
            out.append((p.pupil, ATTENDANCE, ATTENDANCE_PCT, *map(_counted, (p.pct_before, p.pct_after, p.change_pp))))
    if scores.gas:
        for c in scores.gas.children:
            out.append((c.child, GAS, GAS_T, *map(_counted, (c.score.baseline_t, c.score.review_t, c.score.change))))
    return out


def _children(content: WorkbookContent) -> dict[str, list[dict]]:
    children: dict[str, list[dict]] = {}
    for _, r in _records(content.tables.get("goals")):
        child = _text(_v(r, "child_ref"))
        if child is not None:
            children.setdefault(child, []).append(r)
    return children


def _ranked(dates: list[dt.date | None]) -> dict[dt.date | None, int]:
    known = sorted({d for d in dates if d is not None})
    return {d: k + 1 for k, d in enumerate(known)}


def session_rows(content: WorkbookContent) -> list[tuple]:
    out: list[tuple] = []
    log = _records(content.tables.get("sessions"))
    if log:
        register = _register(content) if content.kind == "sipp_project" else []
        ordered = sorted(log, key=lambda item: (_v(item[1], "session_date") is None,
                                                _v(item[1], "session_date") or dt.date.min, item[0]))
        place = layout_of(content.template).tables["sessions"]
        levels = {place.columns[f"leuven_{k + 1}"] for k in range(L_PUPILS)}
        checked = {row + 1 for code, row, col in content.invalid if code == place.sheet and col in levels}
        for n, (excel_row, r) in enumerate(ordered, start=1):
            if excel_row in checked:  # the sheet's session mean shows "check entry": none of it is counted
                continue
            for k in range(L_PUPILS):
                level = _v(r, f"leuven_{k + 1}")
                if level is None:
                    continue
                ref = register[k] if k < len(register) and register[k] else f"Pupil {k + 1}"
                out.append(("Session log", n, _v(r, "session_date"), ref, level))
    obs = _records(content.tables.get("observations"))
    if obs:
        rank = _ranked([_v(r, "obs_date") for _, r in obs])
        for _, r in obs:
            level = _v(r, "leuven")
            if level is None:
                continue
            d = _v(r, "obs_date")
            out.append(("Observation", rank.get(d), d, _text(_v(r, "pupil_ref")), level))
    return out


L_PUPILS = 6


def goal_rows(content: WorkbookContent) -> list[tuple]:
    return [(_text(_v(r, "child_ref")), _v(r, "goal_no"), _v(r, "weight"), _v(r, "baseline"), _v(r, "review"),
             _v(r, "referral_date"), _v(r, "baseline_date"), _v(r, "review_date"))
            for _, r in _records(content.tables.get("goals")) if _text(_v(r, "child_ref"))]


def survey_rows(content: WorkbookContent) -> list[tuple]:
    out = []
    for n, (_, r) in enumerate(_records(content.tables.get("survey")), start=1):
        respondent = _text(_v(r, "respondent")) or f"Row {n}"
        for k, statement in enumerate(L.SURVEY_STATEMENTS, start=1):
            out.append((respondent, _v(r, "role"), k, statement, _v(r, f"q{k}")))
    return out


def school_return_rows(content: WorkbookContent) -> list[tuple]:
    if content.kind != "school_return":
        return []
    from ..domain.scores import sheet_checks

    checks = sheet_checks(content)  # the % cells the sheet shows as "check entry" (none when all is valid)
    layout = layout_of(content.template)
    out: list[tuple] = []
    acel = layout.tables.get("acel")
    for excel_row, r in _records(content.tables.get("acel")):
        if (acel.sheet, excel_row - 1, acel.columns["pct_all"]) in checks:
            continue  # the row's % shows "check entry" (a count not valid, or more achieving than assessed)
        stage, organiser = _text(r.get("stage")), _text(r.get("organiser"))
        for q in L.SIMD_QUINTILES:
            for quantity in ("assessed", "achieved"):
                v = _v(r, f"{quantity}_q{q}")
                if v is not None:
                    out.append(("ACEL", stage, organiser, f"Q{q}", quantity, float(v)))
    simd = layout.tables.get("attendance_simd")
    for excel_row, r in _records(content.tables.get("attendance_simd")):
        if (simd.sheet, excel_row - 1, simd.columns["pct"]) in checks:
            continue  # the sheet's % shows "check entry": neither count is counted
        group = _text(r.get("quintile"))
        group = f"Q{group.rsplit(' ', 1)[-1]}" if group else None
        for quantity in ("possible", "attended"):
            v = _v(r, quantity)
            if v is not None:
                out.append(("Attendance", None, None, group, quantity, float(v)))
    for key, quantity in (("roll", "roll"), ("exclusion_cases", "exclusion cases")):
        v = content.field_value(key)
        if v is not None:
            out.append(("Exclusions", None, None, "All pupils", quantity, float(v)))
    for _, r in _records(content.tables.get("stretch_aims")):
        measure, group = _v(r, "measure"), _v(r, "group")
        for quantity in ("current", "aim"):
            v = _v(r, quantity)
            if v is not None:
                out.append(("Stretch aim", None, measure, group, quantity, float(v)))
    return out


def file_content(content: WorkbookContent, scores: object | None = None) -> FileContent:
    """What the consolidator keeps of one workbook; `scores` from sipxl.domain.scores (computed if None)."""
    if scores is None:
        from ..domain.scores import score_workbook

        scores = score_workbook(content)
    rows = {
        "pupils": pupils_rows(content),
        "assessments": assessment_rows(scores),
        "sessions": session_rows(content),
        "goals": goal_rows(content),
        "survey": survey_rows(content),
        "school_returns": school_return_rows(content),
    }
    return FileContent(content.kind, content.version, meta_of(content), phases_of(content),
                       {k: v for k, v in rows.items() if v})
