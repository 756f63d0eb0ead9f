"""Write the authority dashboard: one workbook of published tables and native Excel charts (xlsxwriter).

Everything written is already suppressed (sipxl.consolidate.analysis). Text that came from a school (names,
interventions, partnerships, teams) is written with write_string, so it can never become a formula. Charts
read their numbers from a hidden sheet where a suppressed value is a gap, never a zero.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..safe_text import cell_text
from ..scoring.prepost import CAUTION
from .analysis import ALL, NOT_SHOWN, RAG_AMBER, RAG_GREEN, RAG_RED, SURVEY_RULE, Table
from .row_heights import LINE_HEIGHT, wrapped_lines
from .suppression import SUPPRESSED, SUPPRESSED_NOTE

FIXED_DATE = dt.datetime(2026, 1, 1)  # document properties: no run timestamp inside the file
BLUE = "#2F5597"
COLOURS = ["#2F5597", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47"]
RAG_FILL = {RAG_GREEN: "#C6EFCE", RAG_AMBER: "#FFEB9C", RAG_RED: "#FFC7CE"}
RAG_FONT = {RAG_GREEN: "#006100", RAG_AMBER: "#9C5700", RAG_RED: "#9C0006"}
DATA_SHEET = "ChartData"
TITLE_ROW_HEIGHT = 24
ROW_PX = 20  # a default 15 pt row
MAX_CHART_PX = 600  # shorter than a printed A4 landscape page, so a chart always fits on one
NOT_SHOWN_COLOUR = "#D9D9D9"


class Dashboard:
    def __init__(self, path: Path):
        self.wb = xlsxwriter.Workbook(str(path), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "in_memory": True, "nan_inf_to_errors": True})
        self.wb.set_properties({"title": "SIP authority dashboard", "author": "sipxl", "company": "",
                                "created": FIXED_DATE, "comments": f"sipxl {__version__}"})
        self.wb.set_calc_mode("auto")
        f = self.wb.add_format
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        self.f = {
            "title": f({**base, "bold": True, "font_size": 16, "font_color": BLUE}),
            "h2": f({**base, "bold": True, "font_size": 12, "font_color": BLUE}),
            "text": f({**base, "text_wrap": False}),
            "note": f({**base, "italic": True, "font_color": "#595959"}),
            "para": f({**base, "italic": True, "font_color": "#595959", "text_wrap": True}),
            "para_plain": f({**base, "text_wrap": True}),
            "header": f({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                         "valign": "bottom"}),
            "str": f({**base, "border": 1, "border_color": "#BFBFBF"}),
            "int": f({**base, "border": 1, "border_color": "#BFBFBF", "num_format": "#,##0"}),
            "num1": f({**base, "border": 1, "border_color": "#BFBFBF", "num_format": "0.0"}),
            "num2": f({**base, "border": 1, "border_color": "#BFBFBF", "num_format": "0.00"}),
            "pct100": f({**base, "border": 1, "border_color": "#BFBFBF", "num_format": "0.0"}),
            "pct100rag": f({**base, "border": 1, "border_color": "#BFBFBF", "num_format": "0"}),
            "date": f({**base, "border": 1, "border_color": "#BFBFBF", "num_format": "dd/mm/yyyy"}),
            "supp": f({**base, "border": 1, "border_color": "#BFBFBF", "align": "right", "font_color": "#7F7F7F"}),
            "total": f({**base, "border": 1, "border_color": "#BFBFBF", "bold": True}),
            "link": f({**base, "border": 1, "border_color": "#BFBFBF", "font_color": "#0563C1", "underline": 1}),
        }
        for rag in RAG_FILL:
            self.f[f"rag:{rag}"] = f({**base, "border": 1, "border_color": "#BFBFBF", "bg_color": RAG_FILL[rag],
                                      "font_color": RAG_FONT[rag], "bold": True})
        self.data = None  # the hidden chart-data sheet, added last so the visible sheets come first
        self._data_rows: list[tuple[str, list]] = []
        self.charts = 0
        self._widths: dict[str, list[float]] = {}
        self._breaks: dict[str, list[int]] = {}  # rows where a printed page starts (before each chart)
        self._frozen: set[str] = set()
        self._sheets: dict[str, Worksheet] = {}

    # ------------------------------------------------------------ cells

    def sheet(self, name: str, title: str, subtitle: str = "", widths: list[float] | None = None) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        self._sheets[name] = ws
        self.widths(ws, 1, widths or [60])
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(0.4, 0.4, 0.5, 0.5)
        ws.set_column(0, 0, 2)
        ws.set_row(0, TITLE_ROW_HEIGHT)  # a 16 pt title in a 15 pt row would run into the subtitle below
        ws.write_string(0, 1, cell_text(title), self.f["title"])
        if subtitle:
            self.para(ws, 1, 1, subtitle)
        ws.set_footer(f"&L&8{_footer(title)}&R&8Page &P of &N")
        self._breaks[ws.name] = []
        return ws

    def cell(self, ws: Worksheet, row: int, col: int, value: object, kind: str = "str") -> None:
        if isinstance(value, tuple) and value and value[0] == "link":
            ws.write_url(row, col, f"internal:'{value[1]}'!A1", self.f["link"], string=f"See {value[1]}")
        elif value is None:
            ws.write_blank(row, col, None, self.f["str"])
        elif value == SUPPRESSED:
            ws.write_string(row, col, SUPPRESSED, self.f["supp"])
        elif isinstance(value, str):
            fmt = self.f.get(f"rag:{value}") if kind == "rag" else None
            ws.write_string(row, col, cell_text(value), fmt or self.f["str"])  # school text: never a formula
        elif isinstance(value, dt.datetime | dt.date):
            ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), self.f["date"])
        elif isinstance(value, bool):
            ws.write_string(row, col, "Yes" if value else "No", self.f["str"])
        else:
            if isinstance(value, int) and kind in ("num1", "num2", "str"):
                kind = "int"  # a count in a column of measures
            ws.write_number(row, col, float(value), self.f.get(kind, self.f["num1"]))

    def table(self, ws: Worksheet, row: int, col: int, t: Table, widths: dict[int, float] | None = None) -> int:
        """Write `t` at (row, col) with its title and note; return the next free row."""
        ws.write_string(row, col, t.title, self.f["h2"])
        row += 1
        last_row = row + max(len(t.rows), 1)
        # An Excel Table: filter buttons on every column; the headers of the sheet's first table stay in view.
        ws.add_table(row, col, last_row, col + len(t.columns) - 1, {
            "style": "Table Style Light 1", "autofilter": True, "banded_rows": False,
            "columns": [{"header": name, "header_format": self.f["header"]} for name in t.columns]})
        if ws.name not in self._frozen:
            ws.freeze_panes(row + 1, 0)
            self._frozen.add(ws.name)
        widths = self._widths.get(ws.name, [])

        def lines(j: int, text: str) -> int:
            return wrapped_lines(text, widths[col - 1 + j] if col - 1 + j < len(widths) else 10)

        ws.set_row(row, LINE_HEIGHT * max([1] + [lines(j, c) for j, c in enumerate(t.columns)]))
        first = row + 1
        for i, values in enumerate(t.rows):
            for j, value in enumerate(values):
                kind = t.formats.get(t.columns[j], "str")
                self.cell(ws, first + i, col + j, value, kind)
            if values and values[0] == ALL:
                ws.write_string(first + i, col, ALL, self.f["total"])
        if not t.rows:
            ws.write_string(first, col, "No data in this collection.", self.f["note"])
        last = first + max(len(t.rows), 1) - 1
        for j, name in enumerate(t.columns):
            if t.formats.get(name) == "pct100rag" and t.rows:
                self._rag_scale(ws, first, col + j, last)
        row = last + 1
        if t.note:
            self.para(ws, row, col, t.note, span=max(len(t.columns), 1))
            row += 1
        return row + 1

    def _rag_scale(self, ws: Worksheet, first: int, col: int, last: int) -> None:
        """Green at 80% or more, amber from 50%, red below; blank and suppressed cells stay white."""
        ref = xl_rowcol_to_cell(first, col)
        for test, rag in ((f"{ref}>=80", RAG_GREEN), (f"AND({ref}>=50,{ref}<80)", RAG_AMBER),
                          (f"{ref}<50", RAG_RED)):
            fmt = self.wb.add_format({"bg_color": RAG_FILL[rag], "font_color": RAG_FONT[rag]})
            ws.conditional_format(first, col, last, col, {"type": "formula",
                                                          "criteria": f"=AND(ISNUMBER({ref}),{test})",
                                                          "format": fmt})

    def widths(self, ws: Worksheet, col: int, widths: list[float]) -> None:
        for j, w in enumerate(widths):
            ws.set_column(col + j, col + j, w)
        self._widths[ws.name] = widths

    def para(self, ws: Worksheet, row: int, col: int, text: str, span: int | None = None, plain: bool = False) -> None:
        """A paragraph wrapped across the sheet's table columns, so long text never widens the page."""
        widths = self._widths.get(ws.name, [60])
        span = span or max(1, len(widths))
        chars = max(20.0, sum(widths[:span]) * 1.1)
        lines = max(1, -(-len(text) // int(chars)))
        fmt = self.f["para_plain" if plain else "para"]
        if span > 1:
            ws.merge_range(row, col, row, col + span - 1, "", fmt)
        ws.write_string(row, col, text, fmt)
        ws.set_row(row, 13.5 * lines)

    # ------------------------------------------------------------ charts

    def _series_data(self, categories: list[object], series: list[tuple[str, list[object]]]) -> tuple[str, list]:
        """Write a chart's data to the hidden sheet; a suppressed or missing value is left blank (a gap)."""
        if self.data is None:
            self.data = self.wb.add_worksheet(DATA_SHEET)
            self.data.hide()
            self._next = 0
        r0 = self._next
        ws = self.data
        ws.write_string(r0, 0, "category")
        for i, c in enumerate(categories):
            ws.write_string(r0 + 1 + i, 0, cell_text(c))
        refs = []
        for j, (name, values) in enumerate(series, start=1):
            ws.write_string(r0, j, name)
            for i, v in enumerate(values):
                if isinstance(v, int | float) and not isinstance(v, bool) and v == v:
                    ws.write_number(r0 + 1 + i, j, float(v))
            refs.append((name, j))
        self._next = r0 + len(categories) + 2
        n = len(categories)
        cats = [DATA_SHEET, r0 + 1, 0, r0 + n, 0]
        return cats, [(name, [DATA_SHEET, r0, j, r0, j], [DATA_SHEET, r0 + 1, j, r0 + n, j]) for name, j in refs]

    def chart(self, ws: Worksheet, row: int, col: int, kind: str, title: str, categories: list[object],
              series: list[tuple[str, list[object]]], y_title: str = "", subtype: str | None = None,
              y_min: float | None = None, y_max: float | None = None, width: int = 720, height: int = 300,
              x_title: str = "") -> int:
        """Insert a native chart at (row, col); return the first row below it."""
        if not categories:
            return row
        height = min(height, MAX_CHART_PX)
        if row > 4:  # each chart starts a printed page, so none is ever cut in two
            self._breaks[ws.name].append(row)
        opts = {"type": kind}
        if subtype:
            opts["subtype"] = subtype
        ch = self.wb.add_chart(opts)
        cats, refs = self._series_data(categories, series)
        for k, (name, name_ref, values_ref) in enumerate(refs):
            colour = NOT_SHOWN_COLOUR if name == NOT_SHOWN else COLOURS[k % len(COLOURS)]
            s = {"name": name_ref, "categories": cats, "values": values_ref,
                 "fill": {"color": colour}, "border": {"none": True}}
            if kind == "line":
                s = {"name": name_ref, "categories": cats, "values": values_ref,
                     "line": {"color": COLOURS[k % len(COLOURS)], "width": 2.25},
                     "marker": {"type": "circle", "size": 6,
                                "fill": {"color": COLOURS[k % len(COLOURS)]},
                                "border": {"color": COLOURS[k % len(COLOURS)]}}}
            ch.add_series(s)
        ch.set_title({"name": title, "name_font": {"size": 11, "bold": True, "name": "Arial"}})
        axis = {"num_font": {"name": "Arial", "size": 8}, "name_font": {"name": "Arial", "size": 9}}
        value_axis = {**axis, "name": y_title, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
        if y_min is not None:
            value_axis["min"] = y_min
        if y_max is not None:
            value_axis["max"] = y_max
        cat_axis = {**axis, "name": x_title}
        if kind == "bar":
            ch.set_x_axis(value_axis)
            ch.set_y_axis({**cat_axis, "reverse": True})
        else:
            ch.set_y_axis(value_axis)
            ch.set_x_axis(cat_axis)
        ch.set_legend({"position": "bottom", "font": {"name": "Arial", "size": 8}})
        ch.show_blanks_as("gap")
        ch.set_size({"width": width, "height": height})
        ws.insert_chart(row, col, ch, {"x_offset": 4, "y_offset": 4, "object_position": 1})
        self.charts += 1
        return row + int(height / ROW_PX) + 2

    def group_chart(self, ws: Worksheet, row: int, col: int, t: Table, series: list[tuple[str, str]], title: str,
                    unit: str = "pupils", **opts) -> int:
        """Chart the groups of `t` that are shown, with the authority's 'All' row first, each labelled with its
        n; a note under the chart says how many groups are not shown. Returns the next free row."""
        n_col = t.columns[1]
        shown, hidden = [], 0
        for r in t.rows:
            if not r:
                continue
            n = r[1]
            if n == SUPPRESSED or any(r[t.columns.index(c)] == SUPPRESSED for _, c in series):
                hidden += r[0] != ALL
                continue
            if not isinstance(n, int | float) or not n:
                continue
            shown.append(r)
        shown.sort(key=lambda r: r[0] != ALL)  # the authority first
        total = next((r[1] for r in t.rows if r and r[0] == ALL), None)
        cats = [f"{'All (authority)' if r[0] == ALL else r[0]} (n={_count(r[1])})" for r in shown]
        vals = [(name, [r[t.columns.index(c)] for r in shown]) for name, c in series]
        n_text = f" (n = {_count(total)} {unit})" if isinstance(total, int | float) else ""
        row = self.chart(ws, row, col, opts.pop("kind", "column"), title + n_text, cats, vals, **opts)
        groups = sum(1 for r in t.rows if r and r[0] != ALL)
        if hidden:
            self.para(ws, row, col, f"Not shown in the chart: {hidden} of {groups} groups (fewer than the threshold "
                      f"of {n_col.lower()}, or hidden so that such a number cannot be worked out). The "
                      "authority's figure includes them.")
            row += 2
        return row

    def close(self) -> None:
        for name, rows in self._breaks.items():
            if rows:
                self._sheets[name].set_h_pagebreaks(sorted(set(rows)))
        self.wb.close()


def _count(n: object) -> str:
    return f"{int(n):,}" if isinstance(n, int | float) else str(n)


def _footer(title: str) -> str:
    return title.replace("&", "&&")[:60]


def _col(t: Table, name: str) -> list[object]:
    j = t.columns.index(name)
    return [r[j] for r in t.rows]


SHEETS = ("Overview", "Coverage", "School profile", "Social skills", "Engagement", "GAS",
          "Self-esteem & attendance", "Survey", "Attainment", "Outliers")


def write_dashboard(path: Path, d: dict) -> int:
    """Write the dashboard from the published figures `d` (see outputs.build_figures); return the chart count."""
    from ..spec import lists as L

    db = Dashboard(path)
    t = d["threshold"]
    supp_note = SUPPRESSED_NOTE.format(t=t)

    # ---- Overview: the outcomes first, then the files
    session = d.get("session_current") or d.get("session")
    ws = db.sheet("Overview", f"{d['authority']}: School Improvement Partnership dashboard",
                  f"Session {session}" if session else "", widths=[58, 12, 14, 22, 12, 26])
    row = 3
    row = db.table(ws, row, 1, d["outcomes"])
    row = db.table(ws, row, 1, d["summary"])
    row = db.table(ws, row, 1, d["headline"])
    ws.write_string(row, 1, "Reading these figures", db.f["h2"])
    notes = [supp_note + " Charts leave such groups out and say how many; the authority's figure always "
             "includes them.",
             SURVEY_RULE.format(t=t),
             "Pupils appear only in groups: no table here has a row for a pupil, and no pupil is named.",
             CAUTION,
             f"Made by sipxl {__version__} from the workbooks returned by schools; the validation report lists "
             "every file and every problem found, and feedback/ holds a workbook for each school to send.",
             "Sheets: " + ", ".join(SHEETS[1:]) + "."]
    for k, text in enumerate(notes):
        db.para(ws, row + 1 + k, 1, text, plain=True)
    ws.activate()

    # ---- Coverage
    ws = db.sheet("Coverage", "Coverage, completeness and timeliness", supp_note,
                  widths=[12, 30, 11, 10, 10, 12, 9, 9, 9, 9, 8, 8, 8, 8, 8, 12, 12])
    cov = d["coverage"]
    row = db.table(ws, 3, 1, cov)
    listed = [r for r in cov.rows if isinstance(r[-2], int | float)]
    row = db.chart(ws, row, 1, "bar", f"Completeness per school (%) (n = {len(listed)} schools)",
                   [r[1] or r[0] for r in listed], [("Completeness %", [r[-2] for r in listed])],
                   y_title="%", y_min=0, y_max=100, height=max(260, 16 * len(listed) + 80))
    row = db.table(ws, row, 1, d["timeliness"])

    # ---- School profile
    ws = db.sheet("School profile", "School profile: now, last session and stretch aims",
                  "One row per school: filter or sort any column.",
                  widths=[10, 30, 10] + [11] * (len(d["profile"].columns) - 3))
    db.table(ws, 3, 1, d["profile"])
    ws.freeze_panes(5, 3)

    # ---- Social skills
    ws = db.sheet("Social skills", "Social Skills Pupil Assessment: before and after", CAUTION,
                  widths=[34, 10, 12, 12, 12])
    row = 3
    for key, label in (("ss_intervention", "intervention"), ("ss_partnership", "partnership")):
        tab = d[key]
        row = db.table(ws, row, 1, tab)
        row = db.group_chart(ws, row, 1, tab, [("Pre", "Mean pre"), ("Post", "Mean post")],
                             f"Social skills total /60 by {label}: mean before and after",
                             y_title="Mean total /60", y_min=0, y_max=60)

    # ---- Engagement
    ws = db.sheet("Engagement", "Leuven engagement over the sessions", supp_note, widths=[12, 14, 14, 10, 16])
    lv = d["leuven"]
    row = db.table(ws, 3, 1, lv)
    body = [r for r in lv.rows if r[0] != ALL and r[1] != SUPPRESSED]
    total = next((r[1] for r in lv.rows if r[0] == ALL), None)
    db.chart(ws, row, 1, "line", f"Mean Leuven engagement by session (n = {_count(total)} observations)",
             [f"{r[0]} (n={_count(r[1])})" for r in body], [("Mean engagement", [r[2] for r in body])],
             y_title="Mean (1-5)", y_min=1, y_max=5, x_title="Session")

    # ---- GAS
    ws = db.sheet("GAS", "Goal Attainment Scaling by intervention and by Joint Support Team",
                  f"{supp_note} T = 50 + 10·Σwx / √((1−ρ)Σw² + ρ(Σw)²), Kiresuk & Sherman; ρ as set in each "
                  "workbook (usually 0.3).", widths=[44, 10, 12, 12, 12])
    row = 3
    for key, label in (("gas_intervention", "intervention"), ("gas", "Joint Support Team")):
        tab = d[key]
        row = db.table(ws, row, 1, tab)
        row = db.group_chart(ws, row, 1, tab, [("Baseline T", "Mean baseline T"), ("Review T", "Mean review T")],
                             f"Mean GAS T-score by {label}: baseline and review", unit="children", kind="bar",
                             y_title="T-score (50 = goals achieved as expected)", y_min=20, y_max=80,
                             height=max(260, 40 * len(tab.rows) + 100))

    # ---- Self-esteem & attendance
    ws = db.sheet("Self-esteem & attendance", "Rosenberg self-esteem and attendance: before and after", CAUTION,
                  widths=[34, 10, 12, 12, 12])
    row = 3
    for key, title, y_title, y_max in (("rosenberg", "Rosenberg total /30 by intervention", "Mean total /30", 30),
                                       ("attendance", "Attendance % by intervention", "Attendance %", 100)):
        tab = d[key]
        row = db.table(ws, row, 1, tab)
        row = db.group_chart(ws, row, 1, tab, [("Before", tab.columns[2]), ("After", tab.columns[3])], title,
                             y_title=y_title, y_min=0, y_max=y_max)

    # ---- Survey: published percentages on a 0-100 axis; what is not shown is a visible grey segment
    ws = db.sheet("Survey", "Practitioner survey: individuals' experiences of working together",
                  SURVEY_RULE.format(t=t), widths=[62, 11, 11, 11, 11, 11, 9, 7])
    sv = d["survey"]
    row = db.table(ws, 3, 1, sv)
    answers = sum(r[-1] for r in sv.rows if isinstance(r[-1], int | float))
    db.chart(ws, row, 1, "bar", f"Working together has... (% of those answering; n = {answers:,} answers)",
             [f"{r[0]} (N={_count(r[-1])})" for r in sv.rows],
             [(a, _col(sv, a)) for a in (*L.AGREEMENT, NOT_SHOWN)], subtype="stacked",
             y_title="% of practitioners answering", y_min=0, y_max=100, height=360, width=860)

    # ---- Attainment
    ws = db.sheet("Attainment", "Attainment (ACEL) and the poverty-related gap", supp_note,
                  widths=[22, 22, 14, 14, 14, 12, 14, 14, 26])
    q = d["acel_quintile"]
    row = db.table(ws, 3, 1, q)
    row = db.group_chart(ws, row, 1, q, [("% achieving", "% achieving")],
                         "% achieving expected CfE levels by SIMD quintile", y_title="%", y_min=0, y_max=100)
    st = d["acel_stage"]
    row = db.table(ws, row, 1, st)
    gaps = [r for r in st.rows if isinstance(r[6], int | float)]
    row = db.chart(ws, row, 1, "column", "Poverty-related gap by stage and organiser (percentage points; "
                   f"n = {_count(sum(r[2] for r in gaps if isinstance(r[2], int | float)))} assessed)",
                   [f"{r[0]} {r[1]} (n={_count(r[2])})" for r in gaps], [("Gap (pp)", [r[6] for r in gaps])],
                   y_title="Q5 − Q1 (pp)", width=820)
    row = db.table(ws, row, 1, d["stretch"])

    # ---- Outliers
    ws = db.sheet("Outliers", "Outliers in the school returns", "Modified z-score |M| > 3.5",
                  widths=[30, 12, 26, 10, 14, 14])
    row = db.table(ws, 3, 1, d["outliers"])
    row = db.table(ws, row, 1, d["school_measures"])

    charts = db.charts
    db.close()
    return charts
