"""Readable reports of a checked file's issues and scores, as plain text (for a person) or JSON (for a machine).

Each issue shows its severity, code, the cell as Excel shows it ('Social Skills'!D7), the column label, the
value found, the message and what to do. Nothing here reads or writes a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from .domain.scores import WorkbookScores, as_plain
from .engine import FileCheck
from .issues import Issue, sort_issues
from .scoring import PrePostSummary
from .spec.values import CHECK

__all__ = ["check_as_dict", "render_check", "render_issue", "render_scores", "status_of", "summary_counts"]


def status_of(check: FileCheck) -> str:
    """rejected (unreadable or errors), accepted with warnings, or accepted."""
    if not check.readable:
        return "rejected"
    counts = summary_counts(check.issues)
    if counts["error"]:
        return "has errors"
    if counts["warning"]:
        return "valid, with warnings"
    return "valid"


def summary_counts(issues: list[Issue]) -> Counter:
    counts: Counter = Counter({"error": 0, "warning": 0, "info": 0})
    counts.update(i.severity for i in issues)
    return counts


def _where(i: Issue) -> str:
    if i.cell:
        return i.cell
    if i.sheet:
        return f"sheet '{i.sheet}'"
    return "the file"


def render_issue(i: Issue) -> str:
    lines = [f"{i.severity.upper():<8}{i.code}  {_where(i)}  {i.title}"]
    details = []
    if i.label:
        details.append(f"label: {i.label}")
    if i.value != "":
        details.append(f"value: {i.value!r}" if isinstance(i.value, str) else f"value: {i.value}")
    if details:
        lines.append("        " + "; ".join(details))
    lines.append(f"        {i.message}")
    lines.append(f"        What to do: {i.fix}")
    return "\n".join(lines)


def render_check(check: FileCheck) -> str:
    """One file's report: a heading with its status and counts, then every issue (errors first)."""
    counts = summary_counts(check.issues)
    kind = f" ({check.content.template.title}, version {check.content.version})" if check.content else ""
    head = (f"{check.file}{kind}: {status_of(check)} - {counts['error']} error(s), {counts['warning']} "
            f"warning(s), {counts['info']} note(s)")
    lines = [head]
    for i in sort_issues(check.issues):
        lines.append(render_issue(i))
    return "\n".join(lines) + "\n"


def _fmt(v: object, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and math.isnan(v):  # a score the sheet shows as "check entry" (scores.CHECKED)
        return CHECK
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.{digits}f}"
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    cells = [headers] + [[_fmt(v) if not isinstance(v, str) else v for v in r] for r in rows]
    widths = [max(len(r[k]) for r in cells) for k in range(len(headers))]
    out = ["  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for r in cells[1:]:
        out.append(("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True))).rstrip())
    return out


def _summary(s: PrePostSummary, unit: str = "") -> list[str]:
    out = [f"  Group ({s.n_paired} pupil(s) with both): mean pre {_fmt(s.mean_pre)}, mean post "
           f"{_fmt(s.mean_post)}, mean change {_fmt(s.mean_change)}{unit}; d_z {_fmt(s.d_z, 2)}, "
           f"d_av {_fmt(s.d_av, 2)}, g_av {_fmt(s.g_av, 2)}"]
    if s.wilcoxon_p is not None:
        out.append(f"  Wilcoxon exact p = {s.wilcoxon_p:.3f} (n = {s.wilcoxon_n})")
    if s.wilcoxon_note:
        out.append(f"  Note: {s.wilcoxon_note}")
    out.append(f"  Caution: {s.caution}")
    return out


def render_scores(scores: WorkbookScores) -> str:
    """Every instrument's scores as short text tables."""
    lines: list[str] = []
    if scores.social_skills:
        ss = scores.social_skills
        lines.append("Social Skills Pupil Assessment (total /60)")
        lines += _table(["pupil", "pre", "post", "change"],
                        [[p.pupil, p.pre and p.pre.total, p.post and p.post.total, p.change] for p in ss.pupils])
        lines += _summary(ss.summary)
    if scores.leuven:
        lv = scores.leuven
        for title, by_pupil, by_session, overall in (
                ("Leuven engagement, Phase 4 session log", lv.log_by_pupil, lv.log_by_session, lv.log_overall),
                ("Leuven engagement, observations", lv.observations_by_pupil, lv.observations_by_session,
                 lv.observations_overall)):
            if overall.n == 0:
                continue
            lines.append(title)
            rows = [[str(k), s.n, s.median, s.mean, s.pct_engaged] for k, s in by_pupil.items() if s.n]
            rows += [[_fmt(k), s.n, s.median, s.mean, s.pct_engaged] for k, s in by_session.items() if s.n]
            rows.append(["all", overall.n, overall.median, overall.mean, overall.pct_engaged])
            lines += _table(["pupil or session", "n", "median", "mean", "% at 4-5"], rows)
    if scores.gas:
        g = scores.gas
        lines.append(f"Goal Attainment Scaling (rho = {g.rho})")
        lines += _table(["child", "goals", "baseline T", "review T", "change"],
                        [[c.child, c.goals, c.score.baseline_t, c.score.review_t, c.score.change]
                         for c in g.children])
    if scores.rosenberg:
        r = scores.rosenberg
        lines.append("Rosenberg self-esteem (total 0-30, below 15 = low)")
        lines += _table(["pupil", "pre", "pre low", "post", "post low", "change"],
                        [[p.pupil, p.pre and p.pre.total, p.pre and p.pre.low, p.post and p.post.total,
                          p.post and p.post.low, p.change] for p in r.pupils])
        lines += _summary(r.summary)
    if scores.attendance:
        a = scores.attendance
        lines.append("Attendance (%)")
        lines += _table(["pupil", "before", "after", "change (pp)"],
                        [[p.pupil, p.pct_before, p.pct_after, p.change_pp] for p in a.pupils])
    if scores.survey:
        s = scores.survey
        lines.append(f"Practitioner survey ({s.n_respondents} respondent(s)); % of those who answered")
        lines += _table(["statement", "N", *[k for k in s.rows[0].percentages]],
                        [[r.item, r.n, *r.percentages.values()] for r in s.rows])
    if scores.school_return:
        sr = scores.school_return
        lines.append("ACEL: % achieving the expected level")
        lines += _table(["stage", "organiser", "assessed", "all", "Q1", "Q5", "gap (pp)"],
                        [[a.stage, a.organiser, a.assessed, a.pct_all, a.pct_by_quintile[1], a.pct_by_quintile[5],
                          a.gap_pp] for a in sr.acel])
        lines.append("Attendance by SIMD quintile (%)")
        lines += _table(["quintile", "attendance %"],
                        [[f"Q{q}", v] for q, v in sr.attendance_by_quintile.items()] + [["all", sr.attendance_all]])
        lines.append(f"  Poverty-related attendance gap: {_fmt(sr.attendance_gap_pp)} pp")
        lines.append(f"  Exclusions per 1,000 pupils: {_fmt(sr.exclusions_per_1000)}")
        if sr.stretch_aims:
            lines.append("Stretch aims")
            lines += _table(["measure", "group", "current", "aim", "by"],
                            [[a.measure, a.group, a.current, a.aim, a.by_session or ""] for a in sr.stretch_aims])
    if not lines:
        lines.append("No scores: no assessment in this workbook has answers yet.")
    return "\n".join(lines) + "\n"


def check_as_dict(check: FileCheck, with_scores: bool = False) -> dict:
    """A file's check as JSON-ready values: status, counts, every issue (as_row) and, if asked, the scores."""
    counts = summary_counts(check.issues)
    out: dict = {
        "file": check.file,
        "kind": check.content.kind if check.content else None,
        "version": check.content.version if check.content else None,
        "status": status_of(check),
        "valid": check.valid,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "notes": counts["info"],
        "issues": [i.as_row() for i in sort_issues(check.issues)],
    }
    if with_scores:
        out["scores"] = as_plain(check.scores) if check.scores is not None else None
    return out
