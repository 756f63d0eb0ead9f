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
from .analysis import ALL, RAG_AMBER, RAG_GREEN, RAG_RED, Table
from .suppression import SUPPRESSED, SUPPRESSED_NOTE

FIXED_DATE = dt.datetime(2026, 1, 1)  # document properties: no run timestamp inside the file
BLUE = "#2F5597"
COLOURS = ["#2F5597", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47"]
RAG_FILL = {RAG_GREEN: "#C6EFCE", RAG_AMBER: "#FFEB9C", RAG_RED: "#FFC7CE"}
RAG_FONT = {RAG_GREEN: "#006100", RAG_AMBER: "#9C5700", RAG_RED: "#9C0006"}
DATA_SHEET = "ChartData"


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
        }
        for rag in RAG_FILL:
            self.f[f"rag:{rag}"] = f({**base, "border": 1, "border_color": "#BFBFBF", "bg_color": RAG_FILL[rag],
                                      "font_color": RAG_FONT[rag], "bold": True})
        self.data = None  # the hidden chart-data sheet, added last so the visible sheets come first
        self._data_rows: list[tuple[str, list]] = []
        self.charts = 0
        self._widths: dict[str, list[float]] = {}

    # ------------------------------------------------------------ cells

    def sheet(self, name: str, title: str, subtitle: str = "", widths: list[float] | None = None) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        self.widths(ws, 1, widths or [60])
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(0.4, 0.4, 0.5, 0.5)
        ws.set_column(0, 0, 2)
        ws.write_string(0, 1, title, self.f["title"])
        if subtitle:
            self.para(ws, 1, 1, subtitle)
        ws.set_footer(f"&L&8{_footer(title)}&R&8Page &P of &N")
        return ws

    def cell(self, ws: Worksheet, row: int, col: int, value: object, kind: str = "str") -> None:
        if value is None:
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
        for j, name in enumerate(t.columns):
            ws.write_string(row, col + j, name, self.f["header"])
        widths = self._widths.get(ws.name, [])

        def lines(j: int, text: str) -> int:
            w = widths[col - 1 + j] if col - 1 + j < len(widths) else 10
            return -(-len(text) // max(4, int(w * 0.9)))

        ws.set_row(row, 13.5 * max([1] + [lines(j, c) for j, c in enumerate(t.columns)]))
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
        opts = {"type": kind}
        if subtype:
            opts["subtype"] = subtype
        ch = self.wb.add_chart(opts)
        cats, refs = self._series_data(categories, series)
        for k, (_name, name_ref, values_ref) in enumerate(refs):
            s = {"name": name_ref, "categories": cats, "values": values_ref,
                 "fill": {"color": COLOURS[k % len(COLOURS)]}, "border": {"none": True}}
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
        return row + int(height / 20) + 2

    def close(self) -> None:
        self.wb.close()


def _footer(title: str) -> str:
    return title.replace("&", "&&")[:60]


def _col(t: Table, name: str) -> list[object]:
    j = t.columns.index(name)
    return [r[j] for r in t.rows]


def _body(t: Table) -> Table:
    """The table without its 'All' row (for charts of the groups)."""
    return Table(t.title, t.columns, [r for r in t.rows if r and r[0] != ALL], t.note, t.formats)


def write_dashboard(path: Path, d: dict) -> int:
    """Write the dashboard from the published figures `d` (see outputs.build_figures); return the chart count."""
    db = Dashboard(path)
    t = d["threshold"]
    supp_note = SUPPRESSED_NOTE.format(t=t)

    # ---- Overview
    ws = db.sheet("Overview", f"{d['authority']}: School Improvement Partnership dashboard",
                  f"Session {d['session']}" if d.get("session") else "",
                  widths=[46, 16, 60])
    row = 3
    row = db.table(ws, row, 1, d["summary"])
    row = db.table(ws, row, 1, d["headline"])
    ws.write_string(row, 1, "Reading these figures", db.f["h2"])
    notes = [supp_note,
             "Pupils appear only in groups: no table here has a row for a pupil, and no pupil is named.",
             CAUTION,
             f"Made by sipxl {__version__} from the workbooks returned by schools; the validation report lists "
             "every file and every problem found.",
             "Sheets: Coverage, Social skills, Engagement, GAS, Self-esteem & attendance, Survey, Attainment, "
             "Outliers."]
    for k, text in enumerate(notes):
        db.para(ws, row + 1 + k, 1, text, plain=True)
    ws.activate()

    # ---- Coverage
    ws = db.sheet("Coverage", "Coverage, completeness and timeliness", supp_note,
                  widths=[12, 30, 11, 10, 10, 12, 9, 9, 9, 9, 8, 8, 8, 8, 8, 12, 10])
    cov = d["coverage"]
    row = db.table(ws, 3, 1, cov)
    row = db.chart(ws, row, 1, "bar", "Completeness per school (%)",
                   [r[1] or r[0] for r in cov.rows], [("Completeness %", _col(cov, "Completeness %"))],
                   y_title="%", y_min=0, y_max=100, height=max(260, 22 * len(cov.rows) + 80))
    row = db.table(ws, row, 1, d["timeliness"])

    # ---- Social skills
    ws = db.sheet("Social skills", "Social Skills Pupil Assessment: before and after", CAUTION,
                  widths=[34, 10, 12, 12, 12])
    for key, label in (("ss_intervention", "intervention"), ("ss_partnership", "partnership")):
        tab = d[key]
        row = db.table(ws, 3 if label == "intervention" else row, 1, tab)
        body = _body(tab)
        row = db.chart(ws, row, 1, "column", f"Social skills total /60 by {label}: mean before and after",
                       _col(body, body.columns[0]),
                       [("Pre", _col(body, "Mean pre")), ("Post", _col(body, "Mean post"))],
                       y_title="Mean total /60", y_min=0, y_max=60)

    # ---- Engagement
    ws = db.sheet("Engagement", "Leuven engagement over the sessions", supp_note,
                  widths=[12, 14, 14, 10, 16])
    lv = d["leuven"]
    row = db.table(ws, 3, 1, lv)
    body = _body(lv)
    db.chart(ws, row, 1, "line", "Mean Leuven engagement by session", _col(body, "Session"),
             [("Mean engagement", _col(body, "Mean engagement"))], y_title="Mean (1-5)", y_min=1, y_max=5,
             x_title="Session")

    # ---- GAS
    ws = db.sheet("GAS", "Goal Attainment Scaling by Joint Support Team", supp_note,
                  widths=[44, 10, 12, 12, 12])
    gas = d["gas"]
    row = db.table(ws, 3, 1, gas)
    body = _body(gas)
    row = db.chart(ws, row, 1, "bar", "Mean GAS T-score: baseline and review", _col(body, body.columns[0]),
                   [("Baseline T", _col(body, "Mean baseline T")), ("Review T", _col(body, "Mean review T"))],
                   y_title="T-score (50 = goals achieved as expected)", y_min=20, y_max=80,
                   height=max(260, 40 * len(body.rows) + 100))
    db.para(ws, row, 1, "T = 50 + 10·Σwx / √((1−ρ)Σw² + ρ(Σw)²), Kiresuk & Sherman; ρ as set in each "
                    "workbook (usually 0.3).")

    # ---- Self-esteem & attendance
    ws = db.sheet("Self-esteem & attendance", "Rosenberg self-esteem and attendance: before and after", CAUTION,
                  widths=[34, 10, 12, 12, 12])
    row = 3
    for key, title, y_title, y_max in (("rosenberg", "Rosenberg total /30 by intervention", "Mean total /30", 30),
                                       ("attendance", "Attendance % by intervention", "Attendance %", 100)):
        tab = d[key]
        row = db.table(ws, row, 1, tab)
        body = _body(tab)
        pre, post = body.columns[2], body.columns[3]
        row = db.chart(ws, row, 1, "column", title, _col(body, body.columns[0]),
                       [("Before", _col(body, pre)), ("After", _col(body, post))], y_title=y_title, y_min=0,
                       y_max=y_max)

    # ---- Survey
    ws = db.sheet("Survey", "Practitioner survey: individuals' experiences of working together", supp_note,
                  widths=[62, 11, 11, 11, 11, 11, 7])
    sv = d["survey"]
    row = db.table(ws, 3, 1, sv)
    from ..spec import lists as L

    db.chart(ws, row, 1, "bar", "Working together has... (% of those answering)",
             [r[0] for r in sv.rows], [(a, _col(sv, a)) for a in L.AGREEMENT], subtype="percent_stacked",
             y_title="%", height=320, width=820)

    # ---- Attainment
    ws = db.sheet("Attainment", "Attainment (ACEL) and the poverty-related gap", supp_note,
                  widths=[22, 22, 14, 14, 14, 12, 14])
    q = d["acel_quintile"]
    row = db.table(ws, 3, 1, q)
    body = _body(q)
    row = db.chart(ws, row, 1, "column", "% achieving expected CfE levels by SIMD quintile",
                   _col(body, "SIMD quintile"), [("% achieving", _col(body, "% achieving"))], y_title="%",
                   y_min=0, y_max=100)
    row = db.table(ws, row, 1, d["acel_stage"])
    st = d["acel_stage"]
    row = db.chart(ws, row, 1, "column", "Poverty-related gap by stage and organiser (percentage points)",
                   [f"{r[0]} {r[1]}" for r in st.rows], [("Gap (pp)", _col(st, "Gap (pp)"))],
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
