"""The sheets the ribbon's buttons write (Issues, Scores, Summary), built as pages of values and formats.

Pure: a page is built from a checked workbook's issues and scores, and :mod:`sipxl.excel.buttons` writes it
with a handful of xlwings actions. Nothing here touches a book.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..domain.extract import WorkbookContent
from ..domain.issue_groups import group_issues, source_sheets
from ..issues import Issue
from ..spec.layout import excel_ref
from ..spec.model import Field
from . import cells
from .bookread import BookInfo

ISSUES_SHEET = "Issues"
SCORES_SHEET = "Scores"
SUMMARY_SHEET = "Summary"
ISSUE_HEADER = ("Severity", "Code", "Cell", "Label", "Value", "Problem", "What to do")
ISSUES_FIRST_ROW = 4  # 0-based row of the header on the Issues sheet
HEADER_FILL = "#DDEBF7"
TITLE_FILL = "#2F5597"
WRAP = 100  # characters per line for long text (no client-independent wrap action exists)


@dataclass
class Checked:
    info: BookInfo
    content: WorkbookContent
    issues: list[Issue]
    scores: Any = None


@dataclass
class Page:
    """A report sheet built as one block of values plus a few formats, written in a handful of actions."""

    width: int
    rows: list[list] = field(default_factory=list)
    fills: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # r0, c0, r1, c1 (incl.), colour
    formats: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    fit: list[tuple[int, int]] = field(default_factory=list)  # row ranges whose columns are autofitted
    links: list[tuple[int, int, str, str]] = field(default_factory=list)  # row, col, address, text

    def add(self, *values: object) -> int:
        row = list(values)[: self.width]
        self.rows.append(row + [None] * (self.width - len(row)))
        return len(self.rows) - 1

    def blank(self) -> None:
        self.add()

    def title(self, text: str) -> None:
        r = self.add(text)
        self.fills.append((r, 0, r, self.width - 1, HEADER_FILL))

    def heading(self, text: str) -> None:
        r = self.add(text)
        self.fills.append((r, 0, r, self.width - 1, HEADER_FILL))

    def text(self, text: str, indent: int = 0) -> None:
        for line in textwrap.wrap(text, WRAP) or [""]:
            self.add(*([None] * indent), line)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]], number_format: str = "0.0",
              first_numeric: int = 1) -> None:
        h = self.add(*header)
        self.fills.append((h, 0, h, len(header) - 1, HEADER_FILL))
        first = len(self.rows)
        for row in rows:
            self.add(*row)
        last = len(self.rows) - 1
        if last >= first and len(header) > first_numeric:
            self.formats.append((first, first_numeric, last, len(header) - 1, number_format))
        self.fit.append((h, max(last, h)))


def stamp_line() -> str:
    now = dt.datetime.now().strftime("%d/%m/%Y %H:%M")
    return f"Made by sipxl {__version__} on {now}."


def count(issues: Sequence[Issue]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for i in issues:
        out[i.severity] += 1
    return out


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def issue_cell(issue: Issue, sheet_names: dict[str, str]) -> tuple[str, str, int, int] | None:
    """(sheet code, sheet name, row, col) of an issue that points at a cell of a template sheet."""
    if not issue.cell:
        return None
    parsed = cells.parse_ref(issue.cell)
    if parsed is None:
        return None
    name, row, col = parsed
    by_name = {v: k for k, v in sheet_names.items()}
    if name not in by_name:
        return None
    return by_name[name], name, row, col


def issues_page(issues: Sequence[Issue], checked: Checked) -> Page:
    page = Page(len(ISSUE_HEADER))
    n = count(issues)
    if issues:
        page.title(f"sipxl found {plural(n['error'], 'error')}, {plural(n['warning'], 'warning')} and "
                   f"{n['info']} for information in this workbook.")
    else:
        page.title("sipxl found no problems in this workbook.")
    page.add("Click a cell reference to go to the cell. Errors are marked red and warnings amber; fix them and "
             "click Validate again.")
    page.add(stamp_line())
    page.blank()
    assert len(page.rows) == ISSUES_FIRST_ROW
    header = page.add(*ISSUE_HEADER)
    page.fills.append((header, 0, header, len(ISSUE_HEADER) - 1, HEADER_FILL))
    sheet_names = checked.content.sheet_names
    sources = source_sheets(checked.content.template, sheet_names)
    for group in group_issues(issues, sources):
        root = group.root
        root_shown = _issue_row(page, root, sheet_names, root.message, root.fix)
        for issue in group.copies:
            fix = (f"Correct it on the {root.sheet} sheet first, then choose it again from this cell's list."
                   if root.sheet in sources else issue.fix)
            _issue_row(page, issue, sheet_names, f"The same value as {root_shown} (above).", fix)
    page.fit.append((header, len(page.rows) - 1))
    return page


def _issue_row(page: Page, issue: Issue, sheet_names: dict[str, str], problem: str, fix: str) -> str:
    """One row of the Issues sheet; returns the cell as shown."""
    where = issue_cell(issue, sheet_names)
    shown = cells.cell_display(where[1], where[2], where[3]) if where else (issue.sheet or "")
    r = page.add(issue.severity.capitalize(), issue.code, shown, issue.label, issue.value, problem, fix)
    if where:
        page.links.append((r, 2, "#" + excel_ref(where[1], where[2], where[3]), shown))
    colour = cells.MARK_COLOURS.get(issue.severity)
    if colour:
        page.fills.append((r, 0, r, 0, colour))
    return shown


def _num(v: object) -> object:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def _prepost_block(page: Page, title: str, s: Any) -> None:
    page.add(f"{title}: the group before and after")
    rows = [
        ("Pupils with both scores", s.n_paired),
        ("Mean before", _num(s.mean_pre)),
        ("Mean after", _num(s.mean_post)),
        ("Mean change", _num(s.mean_change)),
        ("SD of the changes", _num(s.sd_change)),
        ("Effect size d_z (change ÷ SD of changes)", _num(s.d_z)),
        ("Effect size d_av (change ÷ mean SD)", _num(s.d_av)),
        ("Hedges' g_av (small-group corrected)", _num(s.g_av)),
        ("Wilcoxon signed-rank test: pupils who changed", s.wilcoxon_n),
        ("Wilcoxon exact two-sided p", _num(s.wilcoxon_p)),
    ]
    page.table(("Measure", "Value"), rows, number_format="0.00")
    if s.wilcoxon_note:
        page.text("Note: " + s.wilcoxon_note)
    page.text("Caution: " + s.caution)
    page.blank()


SCORE_TITLES = {
    "social_skills": "Social skills (total out of 60)",
    "leuven": "Leuven engagement (1-5)",
    "gas": "Goal Attainment Scaling (T-scores)",
    "rosenberg": "Rosenberg self-esteem (0-30; below 15 is low)",
    "attendance": "Attendance (%)",
    "survey": "Staff survey",
    "school_return": "School data return",
}


def scores_page(checked: Checked) -> Page:
    sc = checked.scores
    page = Page(8)
    title = checked.content.field_value("project_title") or checked.content.template.title
    page.title(f"Scores: {title}")
    page.add("Calculated from the answers in this workbook. Click Score again after changing an answer.")
    page.add(stamp_line())
    page.blank()
    if not sc.instruments:
        page.add("There is nothing to score yet: no assessment in this workbook has answers.")
        return page
    if sc.social_skills:
        ss = sc.social_skills
        page.heading(SCORE_TITLES["social_skills"])
        domains = list(next((p.pre or p.post).subtotals for p in ss.pupils if p.pre or p.post)) \
            if any(p.pre or p.post for p in ss.pupils) else []
        header = ["Pupil", "Before", "After", "Change", *(f"{d} (before → after)" for d in domains)]
        rows = []
        for p in ss.pupils:
            subs = [_arrow(p.pre.subtotals.get(d) if p.pre else None, p.post.subtotals.get(d) if p.post else None)
                    for d in domains]
            rows.append([p.pupil, _num(p.pre.total if p.pre else None), _num(p.post.total if p.post else None),
                         _num(p.change), *subs])
        n_formats = len(page.formats)
        page.table(header[: page.width], [r[: page.width] for r in rows], number_format="0", first_numeric=1)
        if len(page.formats) > n_formats:
            page.formats[-1] = (*page.formats[-1][:3], 3, "0")
        page.blank()
        _prepost_block(page, "Social skills", ss.summary)
    if sc.leuven:
        lv = sc.leuven
        page.heading(SCORE_TITLES["leuven"])
        for label, by_pupil, overall in (("Session log", lv.log_by_pupil, lv.log_overall),
                                         ("Observation scans", lv.observations_by_pupil, lv.observations_overall)):
            if overall.n == 0:
                continue
            rows = [[who, s.n, _num(s.median), _num(s.mean), _num(s.pct_engaged)] for who, s in by_pupil.items()]
            rows.append(["Whole group", overall.n, _num(overall.median), _num(overall.mean),
                         _num(overall.pct_engaged)])
            page.add(label)
            page.table(("Pupil", "Observations", "Median", "Mean", "% at level 4-5"), rows, number_format="0.0")
        page.blank()
    if sc.gas:
        gas = sc.gas
        page.heading(SCORE_TITLES["gas"])
        rows = [[c.child, c.goals, _num(c.score.baseline_t), _num(c.score.review_t), _num(c.score.change)]
                for c in gas.children]
        page.table(("Child", "Goals", "Baseline T", "Review T", "Change"), rows, number_format="0.0")
        page.add(f"T-scores use ρ = {gas.rho} (Kiresuk & Sherman); 50 means the goals were met as expected.")
        page.blank()
        _prepost_block(page, "GAS", gas.summary)
    if sc.rosenberg:
        ro = sc.rosenberg
        page.heading(SCORE_TITLES["rosenberg"])
        rows = [[p.pupil, _num(p.pre.total if p.pre else None), _num(p.post.total if p.post else None),
                 _num(p.change), _low(p.pre), _low(p.post)] for p in ro.pupils]
        page.table(("Pupil", "Before", "After", "Change", "Low before", "Low after"), rows, number_format="0")
        page.blank()
        _prepost_block(page, "Rosenberg", ro.summary)
    if sc.attendance:
        at = sc.attendance
        page.heading(SCORE_TITLES["attendance"])
        rows = [[p.pupil, _num(p.pct_before), _num(p.pct_after), _num(p.change_pp)] for p in at.pupils]
        page.table(("Pupil", "% before", "% after", "Change (points)"), rows, number_format="0.0")
        page.blank()
        _prepost_block(page, "Attendance", at.summary)
    if sc.survey:
        sv = sc.survey
        page.heading(SCORE_TITLES["survey"] + f" ({plural(sv.n_respondents, 'respondent')})")
        answers = list(sv.rows[0].percentages) if sv.rows else []
        header = ["Statement", "N", *(f"% {a}" for a in answers)][: page.width]
        rows = [[r.item, r.n, *(_num(r.percentages[a]) for a in answers)][: page.width] for r in sv.rows]
        page.table(header, rows, number_format="0")
        page.blank()
    if sc.school_return:
        sr = sc.school_return
        page.heading(SCORE_TITLES["school_return"])
        rows = [[f"{a.stage} {a.organiser}", a.assessed, _num(a.pct_all), *(_num(a.pct_by_quintile.get(q))
                                                                            for q in (1, 5)), _num(a.gap_pp)]
                for a in sr.acel]
        page.table(("Stage and organiser", "Assessed", "% achieved", "% SIMD Q1", "% SIMD Q5", "Gap (points)"),
                   rows, number_format="0.0")
        page.add("Attendance, all pupils (%)", _num(sr.attendance_all))
        page.add("Attendance gap Q5 − Q1 (points)", _num(sr.attendance_gap_pp))
        page.add("Exclusions per 1,000 pupils", _num(sr.exclusions_per_1000))
        page.blank()
    return page


def _arrow(a: object, b: object) -> str:
    def show(v: object) -> str:
        return "–" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))

    return f"{show(a)} → {show(b)}"


def _low(s: Any) -> str | None:
    if s is None or s.low is None:
        return None
    return "Yes" if s.low else "No"


def summary_page(checked: Checked) -> Page:
    content, sc = checked.content, checked.scores
    page = Page(6)
    title = content.field_value("project_title") or content.template.title
    page.title(f"Project summary: {title}")
    page.add(stamp_line())
    page.blank()
    first_sheet = content.template.sheets[1] if len(content.template.sheets) > 1 else content.template.sheets[0]
    for block in first_sheet.blocks:
        if isinstance(block, Field) and block.rule.type != "long_text" and not block.formula:
            value = content.field_value(block.key)
            if value not in (None, ""):
                page.add(block.label, _show(value))
    pupils = content.tables.get("pupils")
    if pupils is not None:
        page.add("Pupils in the target group", len(pupils.records))
    n = count(checked.issues)
    page.add("Checks", f"{plural(n['error'], 'error')}, {plural(n['warning'], 'warning')} "
                       "(click Validate for the list)")
    page.blank()
    rows = []
    for key, label in (("social_skills", "Social skills (/60)"), ("gas", "GAS T-score"),
                       ("rosenberg", "Rosenberg (/30)"), ("attendance", "Attendance %")):
        part = getattr(sc, key, None) if sc else None
        if part is None:
            continue
        s = part.summary
        rows.append([label, s.n_paired, _num(s.mean_pre), _num(s.mean_post), _num(s.mean_change), _num(s.g_av)])
    if rows:
        page.heading("Results: before and after")
        page.table(("Measure", "Pupils", "Mean before", "Mean after", "Mean change", "Hedges' g_av"), rows,
                   number_format="0.0")
    if sc and sc.leuven and sc.leuven.log_overall.n:
        o = sc.leuven.log_overall
        page.add("Engagement (Leuven, session log)", f"mean {o.mean:.1f} of 5; {o.pct_engaged:.0f}% of observations "
                                                      "at level 4-5" if o.mean is not None else "")
    if rows:
        caution = next(getattr(sc, k).summary.caution for k in ("social_skills", "gas", "rosenberg", "attendance")
                       if getattr(sc, k, None) is not None)
        page.blank()
        page.text("Caution: " + caution)
    return page


def _show(v: object) -> object:
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return v
