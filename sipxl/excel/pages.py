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
from ..spec.layout import ReportSlots, excel_ref
from ..spec.model import Field
from ..spec.reports import (
    ISSUES_HEADER_ROW,
    RESULTS_HEADER_ROW,
    RESULTS_HEADING_ROW,
    RESULTS_ROWS,
    SCORES_WIDTHS,
    SUMMARY_COLUMNS,
)
from ..spec.values import CHECK
from . import cells
from .bookread import BookInfo

ISSUES_SHEET = "Issues"
SCORES_SHEET = "Scores"
SUMMARY_SHEET = "Summary"
ISSUE_HEADER = ("Severity", "Code", "Cell", "Label", "Value", "Problem", "What to do")
ISSUES_FIRST_ROW = ISSUES_HEADER_ROW  # 0-based row of the header on the Issues sheet
HEADER_FILL = "#DDEBF7"
TITLE_FILL = "#2F5597"
GAP = "   "  # before text that follows a right-aligned number (no client can set a cell's alignment)
WRAP = 100  # characters per line for long text (no client-independent wrap action exists)
#: Characters per line on a sheet the buttons add to an older workbook: Excel's default page (portrait, 100 %)
#: cuts a longer line at its right edge, as no client can set the page up.
ADDED_WRAP = 72


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
    # Where a block taller than a page may be split: before these rows (after a blank row, or between two rows
    # of a table), and, for a table's rows, the header row repeated above the continuation.
    breakable: set[int] = field(default_factory=set)
    repeat: dict[int, int] = field(default_factory=dict)
    max_text: int = 0  # if set, no line of text is longer (a sheet the buttons added)

    def add(self, *values: object) -> int:
        row = list(values)[: self.width]
        self.rows.append(row + [None] * (self.width - len(row)))
        return len(self.rows) - 1

    def blank(self) -> None:
        self.add()
        self.breakable.add(len(self.rows))

    def title(self, text: str) -> None:
        r = self.add(text)
        self.fills.append((r, 0, r, self.width - 1, HEADER_FILL))

    def heading(self, text: str) -> None:
        r = self.add(text)
        self.fills.append((r, 0, r, self.width - 1, HEADER_FILL))

    def text(self, text: str, indent: int = 0, width: int = WRAP) -> None:
        width = min(width, self.max_text) if self.max_text else width
        for line in textwrap.wrap(text, width) or [""]:
            self.add(*([None] * indent), line)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]], formats: Sequence[str] = (),
              fit: bool = False) -> None:
        """A header row and rows; `formats[k]` is the number format of column k + 1 (column 0 holds labels)."""
        h = self.add(*header)
        self.fills.append((h, 0, h, len(header) - 1, HEADER_FILL))
        first = len(self.rows)
        for row in rows:
            self.add(*row)
        last = len(self.rows) - 1
        for r in range(first + 1, last + 1):
            self.breakable.add(r)
            self.repeat[r] = h
        if last >= first:
            for k, fmt in enumerate(formats, start=1):
                self.formats.append((first, k, last, k, fmt))
        if fit:
            self.fit.append((h, max(last, h)))

    def pairs(self, header: Sequence[str], rows: Iterable[tuple[str, object, str]]) -> None:
        """A two-column table of (label, value, number format of that value)."""
        h = self.add(*header)
        self.fills.append((h, 0, h, len(header) - 1, HEADER_FILL))
        for label, value, fmt in rows:
            r = self.add(label, value)
            self.formats.append((r, 1, r, 1, fmt))

@dataclass
class _Row:
    """One row of a block with its own fills, formats and links (columns only), so blocks can be cut and moved."""

    values: list
    fills: list[tuple[int, int, str]] = field(default_factory=list)
    formats: list[tuple[int, int, str]] = field(default_factory=list)
    links: list[tuple[int, str, str]] = field(default_factory=list)
    breakable: bool = False
    header: _Row | None = None

    @property
    def blank(self) -> bool:
        return all(v in (None, "") for v in self.values)


def _rows_of(page: Page) -> list[_Row]:
    rows = [_Row(list(values), breakable=r in page.breakable) for r, values in enumerate(page.rows)]
    for r0, c0, r1, c1, colour in page.fills:
        for r in range(r0, r1 + 1):
            rows[r].fills.append((c0, c1, colour))
    for r0, c0, r1, c1, fmt in page.formats:
        for r in range(r0, r1 + 1):
            rows[r].formats.append((c0, c1, fmt))
    for r, c, address, text in page.links:
        rows[r].links.append((c, address, text))
    for r, h in page.repeat.items():
        rows[r].header = rows[h]
    return rows


def _append(page: Page, row: _Row) -> None:
    r = page.add(*row.values)
    page.fills += [(r, c0, r, c1, colour) for c0, c1, colour in row.fills]
    page.formats += [(r, c0, r, c1, fmt) for c0, c1, fmt in row.formats]
    page.links += [(r, c, address, text) for c, address, text in row.links]


def split_block(block: Page, size: int) -> list[list[_Row]]:
    """A block cut into parts of at most `size` rows, only where it may be cut (after a blank row, or between
    rows of a table, whose header then heads the continuation); each later part starts with the block's title
    and "(continued)". A block that fits is one part."""
    rows = _rows_of(block)
    while rows and rows[-1].blank:
        rows.pop()
    if not rows:
        return []
    title = rows[0]
    parts = []
    while len(rows) > size:
        # at least 3 rows go each time, so the title and a repeated header above the rest always make progress
        cut = max((k for k in range(3, size + 1) if rows[k].breakable), default=size)
        parts.append(rows[:cut])
        rest = rows[cut:]
        more = [_Row([f"{title.values[0]} (continued)", *title.values[1:]], fills=list(title.fills))]
        if rest[0].header is not None:
            more.append(_Row(list(rest[0].header.values), fills=list(rest[0].header.fills)))
        while rest and rest[0].blank:
            rest = rest[1:]
        rows = more + rest
    parts.append(rows)
    return parts


def slotted(head: Page, blocks: Sequence[Page], first: int, size: int) -> tuple[Page, list[int]]:
    """`head` (the title rows, `first` of them) and then each block at the top of the next place of `size`
    rows (a block taller than a place continues at the next ones). Returns the page and the place each part
    of a block went to."""
    page = head
    while len(page.rows) < first:
        page.blank()
    places = []
    for block in blocks:
        for part in split_block(block, size):
            k = math.ceil((len(page.rows) - first) / size)
            while len(page.rows) < first + k * size:
                page.add()
            places.append(k)
            for row in part:
                _append(page, row)
    return page, places


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


def issues_page(issues: Sequence[Issue], checked: Checked, added: bool = True) -> Page:
    """The Issues sheet: one row per issue. Into the template's own Issues sheet (`added` False), whose fixed
    column widths fit a landscape page and whose columns wrap text, nothing is autofitted: a long text grows
    its row. On a sheet Validate `added` to an older workbook the columns are autofitted to the table."""
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
    if added:
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


def _shown(v: object) -> object:
    """A score as the sheet's formula shows it: "check entry" where an answer it uses is not valid."""
    return GAP + CHECK if isinstance(v, float) and math.isnan(v) else v


def size_of_change(s: Any) -> str:
    """The size of the group's change in a teacher's words, from Hedges' g_av (Cohen's rough bands)."""
    g = _num(s.g_av)
    if g is None:
        return "not known (fewer than 2 pupils with both scores)" if s.n_paired < 2 else "not known"
    size = abs(g)
    words = "very small" if size < 0.2 else "small" if size < 0.5 else "medium" if size < 0.8 else "large"
    direction = "" if size < 0.2 else (" improvement" if g > 0 else " fall")
    return f"{words}{direction} (g = {g:.2f})"


def _group_block(page: Page, s: Any, unit: str) -> None:
    """The group's before and after in plain words; the technical statistics go to the psychologist's section."""
    page.pairs(("The group", "Value"), [
        ("Pupils with both scores", s.n_paired, "0"),
        (f"Average before{unit}", _num(s.mean_pre), "0.0"),
        (f"Average after{unit}", _num(s.mean_post), "0.0"),
        (f"Average change{unit}", _num(s.mean_change), "0.0"),
    ])
    page.add("Size of the change", size_of_change(s))


_TECHNICAL = (  # (label, attribute of the pre/post summary, number format)
    ("Pupils with both scores (n)", "n_paired", "0"),
    ("Mean change", "mean_change", "0.00"),
    ("SD of the changes", "sd_change", "0.00"),
    ("Effect size d_z (change ÷ SD of changes)", "d_z", "0.00"),
    ("Effect size d_av (change ÷ mean SD)", "d_av", "0.00"),
    ("Hedges' g_av (small-sample corrected)", "g_av", "0.00"),
    ("Wilcoxon signed-rank: pupils who changed", "wilcoxon_n", "0"),
    ("Wilcoxon exact two-sided p", "wilcoxon_p", "0.000"),
)


def _technical_table(page: Page, technical: Sequence[tuple[str, Any]]) -> None:
    """One table, a column per measure, so the psychologist's section prints on one page."""
    page.table(("Statistic", *(title for title, _ in technical)),
               [[label, *(_num(getattr(s, attr)) for _, s in technical)] for label, attr, _ in _TECHNICAL])
    first = len(page.rows) - len(_TECHNICAL)
    for k, (_, _, fmt) in enumerate(_TECHNICAL):
        page.formats.append((first + k, 1, first + k, len(technical), fmt))
    for title, s in technical:
        if s.wilcoxon_note:
            page.text(f"{title}: {s.wilcoxon_note}", width=150)


SCORE_TITLES = {
    "social_skills": "Social skills (total out of 60)",
    "leuven": "Leuven engagement (1 Disengaged to 5 Intense)",
    "gas": "Goal Attainment Scaling (T-scores; 50 = goals met as expected)",
    "rosenberg": "Rosenberg self-esteem (0-30; below 15 is low)",
    "attendance": "Attendance (%)",
    "survey": "Staff survey",
    "school_return": "School data return",
}


def running_line(content: WorkbookContent) -> str:
    """The school and project, as under every sheet's title in the template."""
    school = content.field_value("lead_school") or content.field_value("school_name") or ""
    project = content.field_value("project_title") or content.template.title
    return "   ·   ".join(str(x) for x in (school, project) if x)


def scores_page(checked: Checked, added: bool = False) -> Page:
    """The Scores sheet: per pupil and per group in plain words, the technical statistics in their own section.

    Written into the template's Scores sheet, whose fixed column widths (sipxl.spec.reports.SCORES_WIDTHS) fit
    every label and number here; the page asks for no autofit. Each block (an assessment, the psychologist's
    section) starts at the top of one of the sheet's fixed places, a printed page each (sipxl.spec.layout.
    report_slots), so the page breaks the template sets fall before each block and never inside one. On a
    sheet the buttons `added` to an older workbook (no page breaks, Excel's default page) the blocks follow each
    other and no line is longer than ADDED_WRAP.
    """
    content = checked.content
    head = Page(len(SCORES_WIDTHS), max_text=ADDED_WRAP if added else 0)
    head.title(f"Scores: {content.field_value('project_title') or content.template.title}")
    line = "Calculated from the answers in this workbook. Click Score again after changing an answer. " + stamp_line()
    if added:
        head.text(running_line(content))
        head.text(line)
        head.blank()
        page = head
        for block in score_blocks(checked, ADDED_WRAP):
            for part in split_block(block, max(len(block.rows), 1)):
                for row in part:
                    _append(page, row)
            page.blank()
        return page
    head.add(running_line(content))
    head.add(line)
    head.blank()
    slots = scores_slots(content)
    page, _ = slotted(head, score_blocks(checked), slots.first, slots.rows)
    return page


def scores_slots(content: WorkbookContent) -> ReportSlots:
    """The places of the Scores sheet's blocks in this workbook's template (or in today's, for an older one)."""
    from ..spec.layout import layout_template, report_slots

    template = content.template
    sheet = next((s for s in template.sheets if s.code == "scores"), None)
    if sheet is None or not sheet.report_slots:
        from ..spec import get_template

        template = get_template(template.kind)
    return report_slots(layout_template(template).sheets["scores"])


def score_blocks(checked: Checked, max_text: int = 0) -> list[Page]:
    """The Scores sheet's blocks, in order, each starting with its title."""
    sc = checked.scores
    blocks: list[Page] = []

    def block(title: str) -> Page:
        page = Page(len(SCORES_WIDTHS), max_text=max_text)
        page.heading(title)
        blocks.append(page)
        return page

    if not sc or not sc.instruments:
        page = Page(len(SCORES_WIDTHS), max_text=max_text)
        page.add("There is nothing to score yet: no assessment in this workbook has answers.")
        return [page]
    technical: list[tuple[str, Any]] = []
    rho = None
    if sc.social_skills:
        ss = sc.social_skills
        page = block(SCORE_TITLES["social_skills"])
        domains = next((list((p.pre or p.post).subtotals) for p in ss.pupils if p.pre or p.post), [])[:3]
        rows = [[p.pupil, _num(p.pre.total if p.pre else None), _num(p.post.total if p.post else None),
                 _num(p.change), *(_arrow(p.pre.subtotals.get(d) if p.pre else None,
                                          p.post.subtotals.get(d) if p.post else None) for d in domains)]
                for p in ss.pupils]
        page.table(["Pupil", "Before", "After", "Change", *domains], rows, formats=("0", "0", "0"))
        if domains:
            page.add("Each area shows before → after.")
        page.blank()
        _group_block(page, ss.summary, " (/60)")
        technical.append(("Social skills", ss.summary))
    if sc.leuven:
        lv = sc.leuven
        page = block(SCORE_TITLES["leuven"])
        for label, by_pupil, overall in (("Session log", lv.log_by_pupil, lv.log_overall),
                                         ("Observations", lv.observations_by_pupil, lv.observations_overall)):
            if overall.n == 0:
                continue
            rows = [[who, s.n, _shown(s.median), _shown(s.mean), _shown(s.pct_engaged)]
                    for who, s in by_pupil.items()]
            rows.append(["Whole group", overall.n, _shown(overall.median), _shown(overall.mean),
                         _shown(overall.pct_engaged)])
            page.add(label)
            page.table(("Pupil", "Observations", "Middle level", "Average level", "% at level 4-5"), rows,
                       formats=("0", "0.0", "0.0", "0"))
            page.blank()
    if sc.gas:
        gas = sc.gas
        page = block(SCORE_TITLES["gas"])
        rows = [[c.child, c.goals, _shown(c.score.baseline_t), _shown(c.score.review_t), _shown(c.score.change)]
                for c in gas.children]
        page.table(("Child", "Goals", "Baseline T", "Review T", "Change"), rows, formats=("0", "0.0", "0.0", "0.0"))
        page.blank()
        _group_block(page, gas.summary, " (T)")
        technical.append(("GAS T-score", gas.summary))
        rho = gas.rho
    if sc.rosenberg:
        ro = sc.rosenberg
        page = block(SCORE_TITLES["rosenberg"])
        rows = [[p.pupil, _num(p.pre.total if p.pre else None), _num(p.post.total if p.post else None),
                 _num(p.change), _low(p.pre), _low(p.post)] for p in ro.pupils]
        page.table(("Pupil", "Before", "After", "Change", "Low before", "Low after"), rows, formats=("0", "0", "0"))
        page.blank()
        _group_block(page, ro.summary, " (/30)")
        technical.append(("Rosenberg", ro.summary))
    if sc.attendance:
        at = sc.attendance
        page = block(SCORE_TITLES["attendance"])
        rows = [[p.pupil, _shown(p.pct_before), _shown(p.pct_after), _shown(p.change_pp)] for p in at.pupils]
        page.table(("Pupil", "% before", "% after", "Change (points)"), rows, formats=("0.0", "0.0", "0.0"))
        page.blank()
        _group_block(page, at.summary, " (%)")
        technical.append(("Attendance %", at.summary))
    if sc.survey:
        sv = sc.survey
        page = block(SCORE_TITLES["survey"] + f" ({plural(sv.n_respondents, 'respondent')}; % of those who "
                     "answered each statement)")
        answers = list(sv.rows[0].percentages) if sv.rows else []
        header = ["Statement", "Answered", *answers][: page.width]
        rows = [[f"S{k}", r.n, *(_num(r.percentages[a]) for a in answers)][: page.width]
                for k, r in enumerate(sv.rows, start=1)]
        page.table(header, rows, formats=("0", *("0",) * len(answers)))
        for k, r in enumerate(sv.rows, start=1):
            page.text(f"S{k}: {r.item}")
    if sc.school_return:
        sr = sc.school_return
        page = block(SCORE_TITLES["school_return"])
        rows = [[f"{a.stage} {a.organiser}", a.assessed, _shown(a.pct_all),
                 *(_shown(a.pct_by_quintile.get(q)) for q in (1, 5)), _shown(a.gap_pp)] for a in sr.acel]
        page.table(("Stage and organiser", "Assessed", "% achieved", "% SIMD Q1", "% SIMD Q5", "Gap (points)"),
                   rows, formats=("0", "0.0", "0.0", "0.0", "0.0"))
        page.blank()
        page.add("Attendance, all pupils (%)", _shown(sr.attendance_all))
        page.add("Attendance gap Q5 − Q1 (points)", _shown(sr.attendance_gap_pp))
        page.add("Exclusions per 1,000 pupils", _num(sr.exclusions_per_1000))
        for r in (len(page.rows) - 3, len(page.rows) - 1):
            page.formats.append((r, 1, r + (1 if r == len(page.rows) - 3 else 0), 1, "0.0"))
    if technical:
        page = block("For a psychologist: technical statistics")
        page.text("Paired pre/post statistics over the pupils with both scores (Lakens, 2013): d_z and d_av with "
                  "Hedges' small-sample correction, and the exact Wilcoxon signed-rank test"
                  + (f"; GAS T-scores with ρ = {rho} (Kiresuk & Sherman)." if rho is not None else "."), width=150)
        page.blank()
        _technical_table(page, technical)
        page.blank()
        page.text("Caution: " + technical[0][1].caution, width=150)
    return blocks


def _arrow(a: object, b: object) -> str:
    def show(v: object) -> str:
        return "–" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))

    return f"{GAP}{show(a)} → {show(b)}"


def _low(s: Any) -> str | None:
    if s is None or s.low is None:
        return None
    return GAP + ("Yes" if s.low else "No")


_RESULT_MEASURES = (  # (scores attribute, measure, out of, pupils with before/after)
    ("social_skills", "Social skills score", "/60"),
    ("rosenberg", "Rosenberg self-esteem", "/30"),
    ("attendance", "Attendance", "%"),
    ("gas", "GAS T-score", "T"),
)


def _results(sc: Any) -> tuple[str, str, list[tuple[str, object, object, object]]] | None:
    """The first measure with per-pupil before/after scores: (measure, unit, rows of the results table)."""
    for key, measure, unit in _RESULT_MEASURES:
        part = getattr(sc, key, None) if sc else None
        if part is None:
            continue
        if key == "attendance":
            rows = [(p.pupil, _num(p.pct_before), _num(p.pct_after), _num(p.change_pp)) for p in part.pupils]
        elif key == "gas":
            rows = [(c.child, _num(c.score.baseline_t), _num(c.score.review_t), _num(c.score.change))
                    for c in part.children]
        else:
            rows = [(p.pupil, _num(p.pre.total if p.pre else None), _num(p.post.total if p.post else None),
                     _num(p.change)) for p in part.pupils]
        return measure, unit, rows
    return None


def _smart_outcomes(content: WorkbookContent) -> list[tuple[str, str, str]]:
    """Phase 1's SMART outcomes with Phase 5's 'achieved?' and its description, row by row."""
    from ..spec.layout import layout_template

    outcomes, achieved = content.tables.get("smart_outcomes"), content.tables.get("smart_achieved")
    if outcomes is None:
        return []
    layout = layout_template(content.template)
    first_out = layout.tables["smart_outcomes"].first_row + 1
    done = {}
    if achieved is not None:
        first_ach = layout.tables["smart_achieved"].first_row + 1
        done = {r - first_ach: rec for r, rec in achieved.records}
    out = []
    for r, rec in outcomes.records:
        if not rec.get("outcome"):
            continue
        ach = done.get(r - first_out, {})
        out.append((str(rec["outcome"]), str(ach.get("achieved") or "not yet said"), str(ach.get("evidence") or "")))
    return out


def summary_page(checked: Checked, added: bool = False) -> Page:
    """The one-page Summary: the seed's results table (participant, before, after, difference) at the fixed
    place the template's chart reads, the group in plain words, the SMART outcomes achieved, the project."""
    content, sc = checked.content, checked.scores
    page = Page(SUMMARY_COLUMNS, max_text=ADDED_WRAP if added else 0)
    chars = 50 if added else 110  # an outcome after the Achieved? column
    title = content.field_value("project_title") or content.template.title
    page.title(f"Project summary: {title}")
    page.add(running_line(content))
    page.add(stamp_line())
    page.blank()
    assert len(page.rows) == RESULTS_HEADING_ROW
    results = _results(sc)
    if results:
        measure, unit, rows = results
        page.heading(f"Data results: {measure} ({unit.strip('/') if unit == '%' else 'out of ' + unit[1:]})"
                     if unit.startswith("/") else f"Data results: {measure} ({unit})")
        before, after = ("Before " + unit, "After " + unit) if unit.startswith("/") else ("Before", "After")
        fmt = "0" if unit.startswith("/") else "0.0"
        assert len(page.rows) == RESULTS_HEADER_ROW  # where the template's chart reads the table
        page.table(("Participant", before, after, "Difference"), rows[:RESULTS_ROWS], formats=(fmt, fmt, fmt))
        for _ in range(RESULTS_ROWS - min(len(rows), RESULTS_ROWS)):
            page.blank()
        part = getattr(sc, next(k for k, m, _ in _RESULT_MEASURES if m == measure))
        s = part.summary
        page.add("Average change", _num(s.mean_change))
        page.formats.append((len(page.rows) - 1, 1, len(page.rows) - 1, 1, "0.0"))
        page.add("Size of the change", size_of_change(s))
    else:
        page.heading("Data results")
        page.add("No assessment has before and after scores yet.")
        for _ in range(RESULTS_ROWS + 1):
            page.blank()
    page.blank()
    if sc and sc.leuven and sc.leuven.log_overall.n and sc.leuven.log_overall.mean is not None:
        o = sc.leuven.log_overall
        page.add("Engagement (Leuven, session log)",
                 f"{CHECK}: a level in the session log is not valid (click Validate)" if math.isnan(o.mean)
                 else f"average {o.mean:.1f} of 5; {o.pct_engaged:.0f}% of observations at level 4-5")
    outcomes = _smart_outcomes(content)
    if outcomes:
        page.heading("Have the SMART outcomes been achieved?")
        h = page.add("Achieved?", "SMART outcome and how it was achieved" if added else
                     "SMART outcome (Phase 1) and how it was achieved (Phase 5)")
        page.fills.append((h, 0, h, SUMMARY_COLUMNS - 1, HEADER_FILL))
        for outcome, achieved, evidence in outcomes:
            page.add(achieved, _fit(outcome, chars))
            if evidence:
                page.add(None, _fit("How: " + evidence, chars))
    page.blank()
    page.heading("The project")
    for block in (content.template.sheets[1].blocks if len(content.template.sheets) > 1 else ()):
        if isinstance(block, Field) and block.rule.type != "long_text" and not block.formula and not block.system:
            value = content.field_value(block.key)
            if value not in (None, ""):
                shown = _show(value)
                page.add(block.label, _fit(shown, chars) if isinstance(shown, str) else shown)
    pupils = content.tables.get("pupils")
    if pupils is not None:
        page.add("Pupils in the target group", len(pupils.records))
    n = count(checked.issues)
    page.add("Checks", f"{plural(n['error'], 'error')}, {plural(n['warning'], 'warning')} "
                       "(click Validate for the list)")
    if results:
        page.blank()
        page.text("Caution: with so few pupils and no comparison group, describe this group's change; it does not "
                  "prove the intervention works (the Scores sheet says more).", width=150)
    return page


def _fit(text: str, chars: int) -> str:
    """Shorten text to `chars` at a word, with an ellipsis, so it stays on one line of its cell."""
    if len(text) <= chars:
        return text
    return text[: text.rfind(" ", 0, chars - 1) if " " in text[: chars - 1] else chars - 1].rstrip(" ,;") + "…"


def _show(v: object) -> object:
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return v
