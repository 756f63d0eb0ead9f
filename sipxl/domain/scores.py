"""Score a workbook: every instrument it holds, recomputed from the answers with sipxl.scoring.

`score_workbook(content)` gives a WorkbookScores of frozen dataclasses holding plain values; formula caches in
the file are never used. `scores_as_rows(scores)` flattens it into tidy records (one value per row) for
reports, the consolidator's tables and dashboards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, is_dataclass, replace

from ..scoring import (
    RHO,
    GasChild,
    LeuvenSummary,
    LikertRow,
    PrePostSummary,
    RosenbergScore,
    SocialSkillsScore,
    attendance_pct,
    change,
    exclusions_per_1000,
    likert_table,
    pct_achieving,
    poverty_gap_pp,
    pre_post_summary,
    score_gas_child,
    score_rosenberg,
    score_social_skills,
    summarise_by,
    summarise_leuven,
)
from ..spec.lists import ACEL_ORGANISERS, ACEL_STAGES, AGREEMENT, SIMD_QUINTILES, SURVEY_STATEMENTS
from ..spec.values import CHECK, text_key
from .extract import GridData, WorkbookContent, is_blank, layout_of

__all__ = [
    "AcelRow", "AttendancePupil", "AttendanceScores", "GasChildScore", "GasScores", "LeuvenScores",
    "RosenbergPupil", "RosenbergScores", "SchoolReturnScores", "SocialSkillsPupil", "SocialSkillsScores",
    "StretchAim", "SurveyScores", "WorkbookScores", "score_workbook", "scores_as_rows", "CHECKED", "is_check",
    "sheet_checks",
]


# ---------------------------------------------------------------- the results


@dataclass(frozen=True)
class SocialSkillsPupil:
    pupil: str
    pre: SocialSkillsScore | None  # None when the column is empty
    post: SocialSkillsScore | None
    change: float | None  # post total − pre total
    pre_date: dt.date | None = None
    post_date: dt.date | None = None


@dataclass(frozen=True)
class SocialSkillsScores:
    pupils: tuple[SocialSkillsPupil, ...]
    summary: PrePostSummary  # of the totals /60, with its caution


@dataclass(frozen=True)
class LeuvenScores:
    """Leuven engagement from the Phase 4 session log and from observations (either may be empty)."""

    log_by_pupil: dict[str, LeuvenSummary]
    log_by_session: dict[dt.date, LeuvenSummary]
    log_overall: LeuvenSummary
    observations_by_pupil: dict[str, LeuvenSummary]
    observations_by_session: dict[dt.date, LeuvenSummary]
    observations_overall: LeuvenSummary


@dataclass(frozen=True)
class GasChildScore:
    child: str
    goals: int
    score: GasChild


@dataclass(frozen=True)
class GasScores:
    rho: float
    children: tuple[GasChildScore, ...]
    summary: PrePostSummary  # baseline T against review T


@dataclass(frozen=True)
class RosenbergPupil:
    pupil: str
    pre: RosenbergScore | None
    post: RosenbergScore | None
    change: float | None


@dataclass(frozen=True)
class RosenbergScores:
    pupils: tuple[RosenbergPupil, ...]
    summary: PrePostSummary


@dataclass(frozen=True)
class AttendancePupil:
    pupil: str
    pct_before: float | None  # 0-100
    pct_after: float | None
    change_pp: float | None


@dataclass(frozen=True)
class AttendanceScores:
    pupils: tuple[AttendancePupil, ...]
    summary: PrePostSummary  # attendance % before against after


@dataclass(frozen=True)
class SurveyScores:
    n_respondents: int
    rows: tuple[LikertRow, ...]  # one per statement, percentages of those who answered, with N


@dataclass(frozen=True)
class AcelRow:
    stage: str
    organiser: str
    assessed: int
    pct_all: float | None  # 0-100
    pct_by_quintile: dict[int, float | None]
    gap_pp: float | None  # quintile 5 − quintile 1, percentage points


@dataclass(frozen=True)
class StretchAim:
    measure: str
    group: str
    current: float | None
    aim: float | None
    by_session: str | None


@dataclass(frozen=True)
class SchoolReturnScores:
    acel: tuple[AcelRow, ...]
    attendance_by_quintile: dict[int, float | None]
    attendance_all: float | None
    attendance_gap_pp: float | None
    roll: int | None
    exclusion_cases: int | None
    exclusions_per_1000: float | None
    stretch_aims: tuple[StretchAim, ...]


@dataclass(frozen=True)
class WorkbookScores:
    file: str
    kind: str
    social_skills: SocialSkillsScores | None = None
    leuven: LeuvenScores | None = None
    gas: GasScores | None = None
    rosenberg: RosenbergScores | None = None
    attendance: AttendanceScores | None = None
    survey: SurveyScores | None = None
    school_return: SchoolReturnScores | None = None

    @property
    def instruments(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if f.name not in ("file", "kind") and getattr(self, f.name))


# ---------------------------------------------------------------- scoring a workbook

#: A score where the sheet's formula shows "check entry" (an answer it uses is not valid): not a number, so no
#: mean, total or dashboard counts it; reports show it as "check entry" (`is_check`).
CHECKED = float("nan")


def is_check(v: object) -> bool:
    """True for a score the sheet shows as "check entry" (CHECKED)."""
    return isinstance(v, float) and v != v


def _checked_summary(n: int) -> LeuvenSummary:
    return LeuvenSummary(n=n, median=CHECKED, mean=CHECKED, pct_engaged=CHECKED)


def sheet_checks(content: WorkbookContent) -> set[tuple[str, int, int]]:
    """The calculated cells whose formula shows "check entry" for these answers (none when all are valid): the
    sheet's own rule (sipxl.spec.values), as sipxl.domain.rules.recomputed_formulas applies it."""
    from .rules import cross_checks, recomputed_formulas

    if not content.invalid and not cross_checks(content):
        return set()
    return {cell for cell, (_, v) in recomputed_formulas(content).items() if v == CHECK}


def _rows(content: WorkbookContent, key: str) -> list[dict]:
    data = content.tables.get(key)
    return [] if data is None else [rec for _, rec in data.records]


def _who(grid: GridData, p: int) -> str:
    ref = grid.pupils[p].ref.value
    return str(ref) if ref else f"Pupil {p + 1}"


def _assessed(grid: GridData, scorer):
    """(pupil, pre score, post score, pre column, post column) for each pupil assessed at least once."""
    for p, pupil in enumerate(grid.pupils):
        pre_col, post_col = pupil.occasions["Pre"], pupil.occasions["Post"]
        if pre_col.started or post_col.started:
            pre = pre_col.scored(scorer) if pre_col.started else None
            post = post_col.scored(scorer) if post_col.started else None
            yield _who(grid, p), pre, post, pre_col, post_col


def _group_summary(pupils) -> object:
    return pre_post_summary([x.pupil for x in pupils], [x.pre and x.pre.total for x in pupils],
                            [x.post and x.post.total for x in pupils])


def _social_skills(content: WorkbookContent) -> SocialSkillsScores | None:
    grid = content.grids.get("social_skills")
    if grid is None:
        return None
    pupils = [SocialSkillsPupil(who, pre, post, change(pre and pre.total, post and post.total),
                                pre_col.date.value, post_col.date.value)
              for who, pre, post, pre_col, post_col in _assessed(grid, score_social_skills)]
    return SocialSkillsScores(tuple(pupils), _group_summary(pupils)) if pupils else None


def _rosenberg(content: WorkbookContent) -> RosenbergScores | None:
    grid = content.grids.get("rosenberg")
    if grid is None:
        return None
    pupils = [RosenbergPupil(who, pre, post, change(pre and pre.total, post and post.total))
              for who, pre, post, _, _ in _assessed(grid, score_rosenberg)]
    if not pupils:
        return None
    summary = _group_summary(pupils)
    return RosenbergScores(tuple(pupils), summary)


def _log_pupil_names(content: WorkbookContent) -> list[str]:
    """The Phase 4 log's pupil columns follow the register: its k-th reference, else 'Pupil k'."""
    names = [f"Pupil {k + 1}" for k in range(6)]
    data = content.tables.get("pupils")
    if data is not None:
        first = layout_of(content.template).tables["pupils"].first_row + 1
        for k in range(6):
            ref = data.value(first + k, "pupil_ref")
            if ref:
                names[k] = str(ref)
    return names


def _leuven(content: WorkbookContent, observations: bool = True,
            checks: frozenset | set = frozenset()) -> LeuvenScores | None:
    """Leuven summaries; where the sheet's mean shows "check entry" (an answer it averages is not valid), the
    summary is CHECKED too: per session (the row's mean), per pupil (the column's mean), overall (any of them)."""
    layout = layout_of(content.template)
    log = content.tables["sessions"].records if "sessions" in content.tables else []
    obs = content.tables["observations"].records if observations and "observations" in content.tables else []
    log_pairs_pupil, log_pairs_session, log_all = [], [], []
    answered: dict[object, int] = {}  # pupil, session or "all" -> answers typed (valid or not)
    check_keys: set = set()
    if log:
        names = _log_pupil_names(content)
        place, raws = layout.tables["sessions"], content.tables["sessions"].raws
        for k in range(6):
            if (place.sheet, place.footer_rows[0], place.columns[f"leuven_{k + 1}"]) in checks:
                check_keys.add(("log", names[k]))
        for r, rec in log:
            day = rec.get("session_date")
            if day is not None and (place.sheet, r - 1, place.columns["session_mean"]) in checks:
                check_keys.add(("log", day))
            for k in range(6):
                if is_blank(raws[r][f"leuven_{k + 1}"]):
                    continue
                for key in (names[k], day, "all"):
                    answered[("log", key)] = answered.get(("log", key), 0) + 1
                log_pairs_pupil.append((names[k], rec.get(f"leuven_{k + 1}")))
                log_all.append(rec.get(f"leuven_{k + 1}"))
            if day is not None:
                log_pairs_session.append((day, None))
                log_pairs_session += [(day, rec.get(f"leuven_{k + 1}")) for k in range(6)]
        if any(key[1] != "all" and key[0] == "log" for key in check_keys):
            check_keys.add(("log", "all"))
    obs_pupil, obs_session, obs_all = [], [], []
    if obs:
        place, raws = layout.tables["observations"], content.tables["observations"].raws
        if (place.sheet, place.footer_rows[0], place.columns["leuven"]) in checks:
            check_keys.add(("obs", "all"))
        for r, rec in obs:
            who, day, level = rec.get("pupil_ref"), rec.get("obs_date"), rec.get("leuven")
            bad = (place.sheet, r - 1, place.columns["leuven"]) in content.invalid
            typed = not is_blank(raws[r]["leuven"])
            for key, present in ((str(who), bool(who)), (day, day is not None), ("all", True)):
                if present and typed:
                    answered[("obs", key)] = answered.get(("obs", key), 0) + 1
                if present and bad:
                    check_keys.add(("obs", key))
            if who:
                obs_pupil.append((str(who), level))
            if day is not None:
                obs_session.append((day, level))
            obs_all.append(level)
    if not any(x is not None for x in (*log_all, *obs_all)) and not check_keys:
        return None

    def summary(source: str, key: object, levels: list) -> LeuvenSummary:
        if (source, key) in check_keys:
            return _checked_summary(answered.get((source, key), 0))
        return summarise_leuven(levels)

    def by(source: str, pairs: list) -> dict:
        out = summarise_by(pairs)
        return {key: _checked_summary(answered.get((source, key), 0)) if (source, key) in check_keys else v
                for key, v in out.items()}

    return LeuvenScores(
        log_by_pupil=by("log", log_pairs_pupil),
        log_by_session=by("log", log_pairs_session),
        log_overall=summary("log", "all", log_all),
        observations_by_pupil=by("obs", obs_pupil),
        observations_by_session=by("obs", obs_session),
        observations_overall=summary("obs", "all", obs_all),
    )


def _gas(content: WorkbookContent, checks: frozenset | set = frozenset()) -> GasScores | None:
    rows = content.tables["goals"].records if "goals" in content.tables else []
    groups: dict[str, list[tuple]] = {}
    names: dict[str, str] = {}
    first_rows: dict[str, int] = {}  # the sheet shows a child's T on the child's first row
    for r, rec in rows:
        ref = rec.get("child_ref")
        if not ref:
            continue
        key = text_key(ref)  # the same child as in the sheet's formula: TRIM, any case
        names.setdefault(key, str(ref).strip())
        first_rows.setdefault(key, r - 1)
        groups.setdefault(key, []).append((rec.get("weight"), rec.get("baseline"), rec.get("review")))
    if not groups:
        return None
    rho_value = content.field_value("gas_rho")
    rho = RHO if rho_value is None else float(rho_value)
    place = layout_of(content.template).tables["goals"]

    def shown(key: str, child: GasChild) -> GasChild:
        """CHECKED where the child's T shows "check entry" (a level, weight or ρ it uses is not valid)."""
        baseline, review = (CHECKED if (place.sheet, first_rows[key], place.columns.get(col)) in checks else t
                            for col, t in (("baseline_t", child.baseline_t), ("review_t", child.review_t)))
        if baseline is child.baseline_t and review is child.review_t:
            return child
        moved = CHECKED if is_check(baseline) or is_check(review) else child.change
        return replace(child, baseline_t=baseline, review_t=review, change=moved)

    children = tuple(GasChildScore(names[k], len(g), shown(k, score_gas_child(g, rho))) for k, g in groups.items())
    summary = pre_post_summary([c.child for c in children], [c.score.baseline_t for c in children],
                               [c.score.review_t for c in children])
    return GasScores(rho, children, summary)


def _attendance(content: WorkbookContent, checks: frozenset | set = frozenset()) -> AttendanceScores | None:
    """Each pupil's attendance % before and after: CHECKED where the sheet's % shows "check entry" (a count that is
    not valid, or more attended than possible), so the group summary leaves it out."""
    pupils = []
    place = layout_of(content.template).tables["attendance"] if "attendance" in content.tables else None
    for r, rec in content.tables["attendance"].records if place else []:
        if not rec.get("pupil_ref"):
            continue

        before, after = (CHECKED if (place.sheet, r - 1, place.columns[f"pct_{when}"]) in checks
                         else attendance_pct(rec.get(f"attended_{when}"), rec.get(f"possible_{when}"))
                         for when in ("before", "after"))
        moved = CHECKED if is_check(before) or is_check(after) else change(before, after)
        pupils.append(AttendancePupil(str(rec["pupil_ref"]), before, after, moved))
    if not pupils:
        return None
    summary = pre_post_summary([x.pupil for x in pupils], [x.pct_before for x in pupils],
                               [x.pct_after for x in pupils])
    return AttendanceScores(tuple(pupils), summary)


def _survey(content: WorkbookContent) -> SurveyScores | None:
    rows = _rows(content, "survey")
    if not rows:
        return None
    items = {text: [r.get(f"q{k + 1}") for r in rows] for k, text in enumerate(SURVEY_STATEMENTS)}
    return SurveyScores(len(rows), tuple(likert_table(items, AGREEMENT)))


def _school_return(content: WorkbookContent, checks: frozenset | set = frozenset()) -> SchoolReturnScores | None:
    if "acel" not in content.tables and "attendance_simd" not in content.tables:
        return None
    acel = []
    acel_place = layout_of(content.template).tables["acel"] if "acel" in content.tables else None

    def sheet_shows(r: int, col: str, value: float | None) -> float | None:
        """CHECKED where the row's % (or gap) shows "check entry": an answer it uses is not valid, or more
        achieving than assessed."""
        return CHECKED if (acel_place.sheet, r - 1, acel_place.columns.get(col)) in checks else value

    for r, rec in content.tables["acel"].records if acel_place else []:
        by_q = {q: pct_achieving(rec.get(f"achieved_q{q}"), rec.get(f"assessed_q{q}")) for q in SIMD_QUINTILES}
        assessed = [rec.get(f"assessed_q{q}") for q in SIMD_QUINTILES]
        achieved = [rec.get(f"achieved_q{q}") for q in SIMD_QUINTILES]
        n = int(sum(a or 0 for a in assessed))
        pct_all = sheet_shows(r, "pct_all", pct_achieving(sum(a or 0 for a in achieved), n))
        # Q1 and Q5 have a % of their own on the sheet; Q2-Q4 only the row's % (all), so they follow it
        by_q = {q: sheet_shows(r, f"pct_q{q}", v) if q in (1, 5) else CHECKED if is_check(pct_all) else v
                for q, v in by_q.items()}
        gap = sheet_shows(r, "gap_pp", poverty_gap_pp(by_q[5], by_q[1]))
        acel.append(AcelRow(str(rec.get("stage") or ""), str(rec.get("organiser") or ""), n, pct_all, by_q, gap))
    # rows with no answers are not in the frame: keep every stage/organiser in order
    order = {(s, o): k for k, (s, o) in enumerate((s, o) for s in ACEL_STAGES for o in ACEL_ORGANISERS)}
    acel.sort(key=lambda a: order.get((a.stage, a.organiser), len(order)))
    by_quintile: dict[int, float | None] = dict.fromkeys(SIMD_QUINTILES)
    possible_all = attended_all = 0.0
    checked_any = False
    simd = content.tables.get("attendance_simd")
    simd_place = layout_of(content.template).tables["attendance_simd"] if simd is not None else None
    for r, rec in simd.records if simd is not None else []:
        label = str(rec.get("quintile") or "")
        q = int(label.split()[-1]) if label.split() and label.split()[-1].isdigit() else None
        if q is None:
            continue
        if (simd_place.sheet, r - 1, simd_place.columns["pct"]) in checks:  # the sheet shows "check entry"
            by_quintile[q], checked_any = CHECKED, True
            continue
        by_quintile[q] = attendance_pct(rec.get("attended"), rec.get("possible"))
        if rec.get("attended") is not None and rec.get("possible") is not None:
            possible_all += rec["possible"]
            attended_all += rec["attended"]
    roll, cases = content.field_value("roll"), content.field_value("exclusion_cases")
    aims = tuple(StretchAim(r.get("measure") or "", r.get("group") or "", r.get("current"), r.get("aim"),
                            r.get("by_session")) for r in _rows(content, "stretch_aims") if r.get("measure"))
    return SchoolReturnScores(
        acel=tuple(acel),
        attendance_by_quintile=by_quintile,
        attendance_all=CHECKED if checked_any else attendance_pct(attended_all, possible_all),
        attendance_gap_pp=CHECKED if is_check(by_quintile[5]) or is_check(by_quintile[1])
        else poverty_gap_pp(by_quintile[5], by_quintile[1]),
        roll=roll,
        exclusion_cases=cases,
        exclusions_per_1000=exclusions_per_1000(cases, roll),
        stretch_aims=aims,
    )


def score_workbook(content: WorkbookContent) -> WorkbookScores:
    """Every score the workbook's answers give, per instrument present (None where an instrument is absent
    or empty, or where the Project sheet says the project does not use it). Unusable answers are None already
    (the validation says why) and are left out."""
    from .rules import sheets_not_in_use

    unused = sheets_not_in_use(content)
    checks = sheet_checks(content)

    def used(code: str, score):
        return None if code in unused else score(content)

    return WorkbookScores(
        file=content.file,
        kind=content.kind,
        social_skills=used("social_skills", _social_skills),
        leuven=_leuven(content, observations="observation" not in unused, checks=checks),
        gas=used("gas", lambda c: _gas(c, checks)),
        rosenberg=used("rosenberg", _rosenberg),
        attendance=used("attendance", lambda c: _attendance(c, checks)),
        survey=used("survey", _survey),
        school_return=_school_return(content, checks),
    )


# ---------------------------------------------------------------- tidy records


def _row(scores: WorkbookScores, instrument: str, subject: str, measure: str, value: object,
         occasion: str = "") -> dict:
    if isinstance(value, dt.date):
        value = value.isoformat()
    return {"file": scores.file, "kind": scores.kind, "instrument": instrument, "subject": subject,
            "occasion": occasion, "measure": measure, "value": value}


def _summary_rows(scores: WorkbookScores, instrument: str, s: PrePostSummary) -> list[dict]:
    out = []
    for name in ("n_paired", "mean_pre", "mean_post", "mean_change", "sd_change", "d_z", "d_av", "g_av",
                 "wilcoxon_n", "wilcoxon_p"):
        out.append(_row(scores, instrument, "group", name, getattr(s, name)))
    return out


def scores_as_rows(scores: WorkbookScores) -> list[dict]:
    """Tidy records: file, kind, instrument, subject (a pupil, a session, 'group', a stage...), occasion,
    measure and value; one value per record, in a stable order."""
    out: list[dict] = []
    ss = scores.social_skills
    if ss:
        for p in ss.pupils:
            for occ, sc in (("Pre", p.pre), ("Post", p.post)):
                if sc is None:
                    continue
                for domain, v in sc.subtotals.items():
                    out.append(_row(scores, "social_skills", p.pupil, domain, v, occ))
                out.append(_row(scores, "social_skills", p.pupil, "total", sc.total, occ))
                out.append(_row(scores, "social_skills", p.pupil, "answered", sc.answered, occ))
            out.append(_row(scores, "social_skills", p.pupil, "change", p.change))
        out += _summary_rows(scores, "social_skills", ss.summary)
    lv = scores.leuven
    if lv:
        for source, by_pupil, by_session, overall in (
                ("leuven_log", lv.log_by_pupil, lv.log_by_session, lv.log_overall),
                ("leuven_observations", lv.observations_by_pupil, lv.observations_by_session,
                 lv.observations_overall)):
            for subject, summary in [*by_pupil.items(), *by_session.items(), ("group", overall)]:
                if summary.n == 0:
                    continue
                subject = subject.isoformat() if isinstance(subject, dt.date) else str(subject)
                for name in ("n", "median", "mean", "pct_engaged"):
                    out.append(_row(scores, source, subject, name, getattr(summary, name)))
    gas = scores.gas
    if gas:
        for c in gas.children:
            out.append(_row(scores, "gas", c.child, "goals", c.goals))
            out.append(_row(scores, "gas", c.child, "t", c.score.baseline_t, "Baseline"))
            out.append(_row(scores, "gas", c.child, "t", c.score.review_t, "Review"))
            out.append(_row(scores, "gas", c.child, "change", c.score.change))
        out.append(_row(scores, "gas", "group", "rho", gas.rho))
        out += _summary_rows(scores, "gas", gas.summary)
    ro = scores.rosenberg
    if ro:
        for p in ro.pupils:
            for occ, sc in (("Pre", p.pre), ("Post", p.post)):
                if sc is None:
                    continue
                out.append(_row(scores, "rosenberg", p.pupil, "total", sc.total, occ))
                out.append(_row(scores, "rosenberg", p.pupil, "low", sc.low, occ))
            out.append(_row(scores, "rosenberg", p.pupil, "change", p.change))
        out += _summary_rows(scores, "rosenberg", ro.summary)
    at = scores.attendance
    if at:
        for p in at.pupils:
            out.append(_row(scores, "attendance", p.pupil, "attendance_pct", p.pct_before, "Before"))
            out.append(_row(scores, "attendance", p.pupil, "attendance_pct", p.pct_after, "After"))
            out.append(_row(scores, "attendance", p.pupil, "change_pp", p.change_pp))
        out += _summary_rows(scores, "attendance", at.summary)
    sv = scores.survey
    if sv:
        out.append(_row(scores, "survey", "group", "respondents", sv.n_respondents))
        for r in sv.rows:
            out.append(_row(scores, "survey", r.item, "n", r.n))
            for answer, pct in r.percentages.items():
                out.append(_row(scores, "survey", r.item, f"pct {answer}", pct))
    sr = scores.school_return
    if sr:
        for a in sr.acel:
            subject = f"{a.stage} {a.organiser}"
            out.append(_row(scores, "acel", subject, "assessed", a.assessed))
            out.append(_row(scores, "acel", subject, "pct_achieved", a.pct_all, "All"))
            for q, v in a.pct_by_quintile.items():
                out.append(_row(scores, "acel", subject, "pct_achieved", v, f"SIMD Q{q}"))
            out.append(_row(scores, "acel", subject, "gap_pp", a.gap_pp))
        for q, v in sr.attendance_by_quintile.items():
            out.append(_row(scores, "school_attendance", f"SIMD Q{q}", "attendance_pct", v))
        out.append(_row(scores, "school_attendance", "All", "attendance_pct", sr.attendance_all))
        out.append(_row(scores, "school_attendance", "All", "gap_pp", sr.attendance_gap_pp))
        out.append(_row(scores, "exclusions", "All", "per_1000", sr.exclusions_per_1000))
        for aim in sr.stretch_aims:
            subject = f"{aim.measure} / {aim.group}"
            out.append(_row(scores, "stretch_aims", subject, "current", aim.current))
            out.append(_row(scores, "stretch_aims", subject, "aim", aim.aim, aim.by_session or ""))
    return out


def as_plain(obj: object) -> object:
    """A scores object as plain JSON-ready values (dates as ISO text, dict keys as text)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: as_plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, dict):
        return {(k.isoformat() if isinstance(k, dt.date) else str(k)): as_plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [as_plain(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if is_check(obj):  # what the sheet shows there
        return CHECK
    return obj
