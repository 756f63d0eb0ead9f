"""Build a template workbook from its specification with xlsxwriter.

Builds are byte-stable: the same specification always gives the same bytes (fixed document dates,
xlsxwriter's fixed zip timestamps), so a test can prove the committed templates are current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..spec import all_templates
from ..spec.formulas import grid_change, grid_total
from ..spec.layout import (
    GridPlace,
    TemplateLayout,
    a1,
    col_letter,
    layout_template,
    lines,
    quote_sheet,
    resolve,
    text_width,
)
from ..spec.model import ChartSpec, Field, Guidance, Heading, ItemGrid, PrintedTable, Rule, Sheet, Table, Template
from ..spec.templates import NOT_IN_USE, measure_flag

META_SHEET = "_sipxl"
META_NAME_PREFIX = "_sipxl_"  # defined names that follow a sheet when it is renamed in Excel
BUILD_DATE = dt.datetime(2026, 1, 1)
DATE_MIN, DATE_MAX = dt.date(2000, 1, 1), dt.date(2100, 12, 31)

BLUE = "#2F5597"
INPUT_BORDER = "#8EA9DB"
CALC_FILL = "#EDEDED"
HEADER_FILL = "#DDEBF7"
TAB_COLOURS = {"help": "#7F7F7F", "project": "#2F5597", "pupils": "#2F5597"}

#: What every protected template sheet (all but Help) allows. No password: an authority officer can unprotect
#: to change structure (see Help and README). Formatting cells is allowed so that Validate can colour a cell
#: without unprotecting (no Excel client can run a macro for it); a teacher still cannot type over a locked cell,
#: nor insert or delete rows, columns or sheets.
SHEET_PROTECTION = {"format_cells": True, "format_columns": True, "format_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True}
#: The metadata row that says so. Workbooks built before it forbid formatting and have the stamp cells locked,
#: so the buttons leave their template sheets alone.
META_PROTECTION = ("protection", "format cells; stamp open")


class Formats:
    """The handful of cell styles a teacher learns to read: input, calculated, heading, label."""

    def __init__(self, wb: Workbook) -> None:
        def fmt(**kw: object) -> object:
            return wb.add_format({"font_name": "Arial", "font_size": 10, "valign": "top", **kw})

        inp = {"locked": False, "border": 1, "border_color": INPUT_BORDER, "bg_color": "#FFFFFF"}
        self.title = fmt(bold=True, font_size=14, font_color=BLUE, valign="vcenter")
        self.h2 = fmt(bold=True, font_size=11, font_color=BLUE, bottom=1, bottom_color=BLUE)
        self.guidance = fmt(italic=True, text_wrap=True, font_color="#404040")
        self.guidance_line = fmt(italic=True, font_color="#404040")
        self.label = fmt(bold=True, text_wrap=True)
        self.question = fmt(bold=True, text_wrap=True, bg_color="#F2F2F2", border=1, border_color="#BFBFBF")
        self.header = fmt(bold=True, text_wrap=True, bg_color=HEADER_FILL, border=1, valign="vcenter")
        self.input = fmt(**inp, text_wrap=True)
        self.input_long = fmt(**inp, text_wrap=True)
        self.input_date = fmt(**inp, num_format="dd/mm/yyyy", align="left")
        self.input_num = fmt(**inp, align="center")
        self.calc = fmt(bg_color=CALC_FILL, border=1, border_color="#BFBFBF", align="center")
        self.calc_text = fmt(bg_color=CALC_FILL, border=1, border_color="#BFBFBF", text_wrap=True)
        self.calc_pct = fmt(bg_color=CALC_FILL, border=1, border_color="#BFBFBF", align="center",
                            num_format="0%")
        self.fixed = fmt(bold=True, bg_color=CALC_FILL, border=1, border_color="#BFBFBF")
        # Stamped by Prepare for submission, so open on the protected sheet.
        self.system = fmt(locked=False, bg_color=CALC_FILL, border=1, border_color="#BFBFBF", num_format="dd/mm/yyyy",
                          align="left")
        self.text = fmt(text_wrap=True)
        self.head = fmt(italic=True, font_color="#595959", valign="vcenter")
        self.box = fmt(text_wrap=True, border=1, border_color="#7F7F7F")
        self.box_header = fmt(bold=True, text_wrap=True, border=1, border_color="#7F7F7F", bg_color=HEADER_FILL)
        # A report table's columns (the Issues sheet): the first not wrapped, as the lines above the table run on
        # in the workbook's default font (Calibri 11), as the cells the buttons clear and write
        self.column_top = wb.add_format({"valign": "top"})
        self.column_wrap = wb.add_format({"valign": "top", "text_wrap": True})
        self.banner = wb.add_format({"bold": True, "font_color": "#C00000"})  # a conditional format
        self._wb = wb
        self._numbered: dict[str, object] = {}

    def calc_numbered(self, num_format: str) -> object:
        if num_format not in self._numbered:
            self._numbered[num_format] = self._wb.add_format({
                "font_name": "Arial", "font_size": 10, "valign": "top", "bg_color": CALC_FILL, "border": 1,
                "border_color": "#BFBFBF", "align": "center", "num_format": num_format,
            })
        return self._numbered[num_format]

    def for_input(self, rule: Rule) -> object:
        if rule.type == "date":
            return self.input_date
        if rule.type == "long_text":
            return self.input_long
        if rule.type in ("integer", "number") or (rule.type == "choice" and rule.choices
                                                  and max(map(len, rule.choices)) <= 3):
            return self.input_num
        return self.input


LONG_LISTS_COL = 3  # on the metadata sheet: closed lists too long for an inline dropdown


def _long_list_ref(long_lists: list[tuple[str, ...]], choices: tuple[str, ...]) -> str:
    if choices not in long_lists:
        long_lists.append(choices)
    c = LONG_LISTS_COL + long_lists.index(choices)
    return f"={quote_sheet(META_SHEET)}!{a1(0, c, True)}:{a1(len(choices) - 1, c, True)}"


# Excel's limits on a data validation's texts (longer ones make Excel refuse to open the file).
INPUT_TITLE_MAX, INPUT_MESSAGE_MAX, ERROR_TITLE_MAX, ERROR_MESSAGE_MAX = 32, 255, 32, 255


def clip(text: str, limit: int) -> str:
    """`text` within `limit` characters: whole, else cut after its last full sentence or word, with '…'."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    sentence = head.rfind(". ")
    if sentence >= limit // 2:
        return head[: sentence + 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip(" ,;:-(") + "…"


def _validation(rule: Rule, label: str, guidance: str, layout: TemplateLayout,
                long_lists: list[tuple[str, ...]], first_cell: str = "A1") -> dict | None:
    """The Excel data validation (dropdown or range) and input message for one kind of answer."""
    plain = rule.type in ("text", "long_text") and not rule.choices and not rule.digits
    wanted = "" if plain else f"Enter {rule.describe()}."
    message = clip(" ".join(x for x in (guidance, wanted) if x), INPUT_MESSAGE_MAX)
    common = {"input_title": clip(label.rstrip(":").strip(), INPUT_TITLE_MAX), "input_message": message}

    def error(title: str, text: str, kind: str = "stop") -> dict:
        return {**common, "error_type": kind, "error_title": clip(title, ERROR_TITLE_MAX),
                "error_message": clip(text, ERROR_MESSAGE_MAX)}

    if rule.digits:  # exactly n digits, typed as a number or as text (a leading "+", "-", "." or "e" is not a digit)
        x = first_cell
        n = rule.digits
        formula = (f'=OR(LEN(TRIM({x}))=0,AND(LEN({x})={n},ISNUMBER(-{x}),-{x}<=0,INT(-{x})=-{x},'
                   f'ISERR(FIND("e",LOWER({x}))),ISERR(FIND(" ",{x})),LEFT({x})<>"+"))')
        return {**error(f"Not {n} digits", f"Please enter {rule.describe()}, for example 8123456."),
                "validate": "custom", "value": formula}
    if rule.choices_from:
        tkey, ckey = rule.choices_from.split(".")
        place = layout.tables[tkey]
        c = place.columns[ckey]
        table = next(t for s in layout.template.sheets for t in s.tables if t.key == tkey)
        sheet = layout.sheet_name(place.sheet)
        ref = f"={quote_sheet(sheet)}!{a1(place.first_row, c, True)}:{a1(place.last_row, c, True)}"
        what = table.column(ckey).label.lower()
        return {**error("Not on the list", f"This is not a {what} typed in '{table.title}' on the {sheet} sheet. "
                        f"Choose from the list, or add it on the {sheet} sheet first.", "warning"),
                "validate": "list", "source": ref}
    if rule.choices:
        source: list[str] | str = list(rule.choices)
        if len(",".join(source)) >= 255 or any("," in x for x in source):
            source = _long_list_ref(long_lists, rule.choices)
        text = f"Please choose {rule.describe()}." if isinstance(source, list) else "Please choose from the list."
        return {**error("Not one of the choices", clip(text, ERROR_MESSAGE_MAX) if len(text) <= ERROR_MESSAGE_MAX
                        else "Please choose from the list."), "validate": "list", "source": source}
    if rule.type in ("integer", "number") and (rule.min is not None or rule.max is not None):
        lo = rule.min if rule.min is not None else -1e9
        hi = rule.max if rule.max is not None else 1e9
        title = "Not a whole number in range" if rule.type == "integer" else "Number out of range"
        return {**error(title, f"Please enter {rule.describe()}."),
                "validate": "integer" if rule.type == "integer" else "decimal", "criteria": "between",
                "minimum": lo, "maximum": hi}
    if rule.type == "date":
        return {**error("Not a date", "Please enter a date, dd/mm/yyyy, between 2000 and 2100."),
                "validate": "date", "criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX}
    if message:
        return {**common, "validate": "any"}
    return None


class SheetBuilder:
    def __init__(self, wb: Workbook, fm: Formats, template: Template, layout: TemplateLayout, sheet: Sheet,
                 long_lists: list[tuple[str, ...]]):
        self.fm, self.template, self.layout, self.sheet = fm, template, layout, sheet
        self.long_lists = long_lists
        self.merged_from: dict[tuple[int, int], int] = {}  # (row, first col) -> last col of a merged cell
        self.tall_rows: dict[int, float] = {}  # rows given a height for long answers
        self.wb = wb
        self.ws: Worksheet = wb.add_worksheet(sheet.name)
        self.lay = layout.sheets[sheet.code]
        self.last_col = self.lay.last_col

    def text_width(self, first: int = 0, last: int | None = None) -> float:
        return text_width(self.lay, first, last)

    def merge(self, row: int, first: int, last: int, text: str, fmt: object) -> None:
        self.ws.merge_range(row, first, row, last, text, fmt)
        self.merged_from[(row, first)] = last

    def merged(self, row: int, text: str, fmt: object, first: int = 0, height: float | None = None) -> None:
        if self.last_col > first and not self.sheet.report:  # a report sheet is cleared by the buttons: no merges
            self.merge(row, first, self.last_col, text, fmt)
        else:
            self.ws.write(row, first, text, fmt)
        if height:
            self.ws.set_row(row, height)
            self.tall_rows[row] = height

    def formula(self, row: int, col: int, template: str, fmt: object, table: Table | None = None,
                column: str | None = None) -> None:
        self.write_formula(row, col, resolve(self.layout, template, self.sheet.code, row, table, column), fmt)

    def write_formula(self, row: int, col: int, formula: str, fmt: object) -> None:
        """A formula, or an array formula where it starts with "{=" (see sipxl.spec.values)."""
        if formula.startswith("{="):
            self.ws.write_array_formula(row, col, row, col, formula, fmt, "")
        else:
            self.ws.write_formula(row, col, formula, fmt, "")

    def validate(self, first_row: int, col: int, last_row: int, last_col: int, rule: Rule, label: str,
                 guidance: str) -> None:
        options = _validation(rule, label, guidance, self.layout, self.long_lists, a1(first_row, col))
        if options:
            self.ws.data_validation(first_row, col, last_row, last_col, options)

    def build(self) -> None:
        ws, sheet = self.ws, self.sheet
        for c, w in enumerate(self.lay.col_widths):
            ws.set_column(c, c, w)
        for i, block in enumerate(sheet.blocks):
            r = self.lay.rows[i]
            if isinstance(block, Heading):
                fmt = self.fm.title if block.level == 1 else self.fm.h2
                self.merged(r, block.text, fmt)
                if r + 1 == self.lay.head_row:
                    self.running_head(r + 1, 0)
            elif isinstance(block, Guidance):  # on a report table's narrow first column, a line that runs on
                line = sheet.table_header is not None
                self.merged(r, block.text, self.fm.guidance_line if line else self.fm.guidance)
            elif isinstance(block, Field):
                self.field(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, ItemGrid):
                self.grid(block)
            elif isinstance(block, PrintedTable):
                self.printed(block)
        for row, h in self.lay.heights.items():
            ws.set_row(row, h)
            self.tall_rows[row] = h
        if sheet.report:
            self.report_setup()
            return
        self.page_setup()
        ws.hide_gridlines(2)
        if sheet.code in TAB_COLOURS:
            ws.set_tab_color(TAB_COLOURS[sheet.code])
        elif sheet.code.startswith("phase"):
            ws.set_tab_color("#548235")
        if sheet.code != "help":
            ws.protect("", dict(SHEET_PROTECTION))

    def page_setup(self) -> None:
        """A4, one page wide at a fixed scale (so the manual page breaks hold), the sheet title and the running
        head (or a long table's header) on every page, the file and sheet in the footer."""
        ws, setup = self.ws, self.lay.print
        assert setup is not None
        if setup.landscape:
            ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_print_scale(setup.scale)
        ws.print_area(0, 0, max(self.lay.last_row - 1, 0), self.last_col)
        ws.repeat_rows(*setup.titles)
        if setup.breaks:
            ws.set_h_pagebreaks(list(setup.breaks))
        if any(setup.freeze):
            ws.freeze_panes(*setup.freeze)
        # Excel's footer cannot show a cell, so the school and project are in the running head under each
        # sheet's title (a formula, repeated on every page); the footer names the file, which a school names.
        ws.set_footer("&L&8&F&C&8&A&R&8Page &P of &N")

    def report_setup(self) -> None:
        """A sheet the buttons write: landscape, one page wide, its chart; unprotected. With fixed places for its
        blocks, at a fixed scale with a page break before each place (Excel ignores manual breaks when fitting to
        pages); otherwise fitted to one page wide and `report_pages` tall."""
        ws, sheet = self.ws, self.sheet
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if sheet.report_slots:
            setup = self.lay.print
            assert setup is not None
            ws.set_print_scale(setup.scale)
            ws.set_h_pagebreaks(list(setup.breaks))
        else:
            ws.fit_to_pages(1, sheet.report_pages)
        if sheet.table_header is not None:  # one long table: its columns wrap, its header on every page
            for c, w in enumerate(self.lay.col_widths):
                ws.set_column(c, c, w, self.fm.column_wrap if c else self.fm.column_top)
            ws.repeat_rows(0, sheet.table_header)
            ws.freeze_panes(sheet.table_header + 1, 0)
        else:
            ws.repeat_rows(0, 1)
        ws.set_footer("&L&8&F&C&8&A&R&8Page &P of &N")
        ws.hide_gridlines(2)
        ws.set_tab_color("#7F7F7F")
        if sheet.chart:  # the series' names until the Summary button writes the table
            self.ws.write_row(sheet.chart.header_row, sheet.chart.category_col, ("Participant", "Before", "After"))
            self.chart(sheet.chart)

    def chart(self, spec: ChartSpec) -> None:
        """A clustered column chart (before and after per pupil) over the cells the Summary button fills."""
        name = self.sheet.name
        chart = self.wb.add_chart({"type": "column"})
        for k, col in enumerate(spec.value_cols):
            chart.add_series({
                "name": [name, spec.header_row, col],
                "categories": [name, spec.first_row, spec.category_col, spec.last_row, spec.category_col],
                "values": [name, spec.first_row, col, spec.last_row, col],
                "fill": {"color": ("#9DC3E6", "#2F5597")[k % 2]},
                "gap": 80,
            })
        chart.set_title({"name": spec.title, "name_font": {"size": 10, "bold": True}})
        chart.set_legend({"position": "bottom", "font": {"size": 9}})
        chart.set_y_axis({"num_font": {"size": 8}, "major_gridlines": {"visible": True,
                                                                         "line": {"color": "#D9D9D9"}}})
        chart.set_x_axis({"num_font": {"size": 8}})
        chart.show_blanks_as("gap")
        self.ws.insert_chart(*spec.anchor, chart, {"x_scale": spec.size[0] / 480, "y_scale": spec.size[1] / 288,
                                                   "object_position": 3})

    def running_head(self, row: int, first: int) -> None:
        """The school and project (a formula over the Project or Details sheet), as on every printed page."""
        if not self.template.running_head:
            return
        text = resolve(self.layout, self.template.running_head, self.sheet.code)
        flag = measure_flag(self.sheet.code)
        if flag in self.layout.fields:  # an assessment the Project sheet may say the project does not use
            ref = resolve(self.layout, f"{{cell:{flag}}}", self.sheet.code)
            text = f'=IF(TRIM({ref})="No","{NOT_IN_USE}",{text[1:]})'
            self.ws.conditional_format(row, first, row, first, {
                "type": "formula", "criteria": f'=TRIM({ref})="No"', "format": self.fm.banner})
        if self.last_col > first and not self.sheet.report:
            self.merge(row, first, self.last_col, "", self.fm.head)
        self.ws.write_formula(row, first, text, self.fm.head, "")

    def printed(self, t: PrintedTable) -> None:
        place = self.layout.printed[t.key]
        if t.title:
            self.ws.write(place.title_row, 0, t.title, self.fm.h2)
        for k, (row, spans) in enumerate(place.rows):
            fmt = self.fm.box_header if k < t.header_rows else self.fm.box
            for text, (a, b) in zip(t.rows[k], spans, strict=True):
                if b > a:
                    self.merge(row, a, b, text, fmt)
                else:
                    self.ws.write(row, a, text, fmt)

    def cell_width(self, row: int, col: int) -> float:
        """The width a value written at (row, col) wraps in: a merged answer spans to the right edge."""
        if (row, col) in self.merged_from:
            return self.text_width(col, self.merged_from[(row, col)])
        return self.lay.col_widths[col]

    def write_value(self, row: int, col: int, value: object) -> None:
        """Write a teacher's answer over an input cell, keeping the cell's style."""
        fmt = self.fm.input_date if isinstance(value, dt.date) else self.fm.input
        if isinstance(value, str):
            self.ws.write_string(row, col, value, self.fm.input)
        elif value is None:
            return
        elif isinstance(value, bool):
            self.ws.write_boolean(row, col, value, self.fm.input_num)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(row, col, value, fmt)
        else:
            self.ws.write_number(row, col, value, self.fm.input_num)

    def field(self, f: Field) -> None:
        place = self.layout.fields[f.key]
        ws, r, c = self.ws, place.row, place.col
        if place.question_row is not None:
            self.merged(place.question_row, f.label, self.fm.question)
            self.merged(r, "", self.fm.input_long)
            self.validate(r, 0, r, 0, f.rule, f.label, f.guidance)
            return
        ws.write(r, 0, f.label, self.fm.label)
        if f.formula:
            self.write_formula(r, c, resolve(self.layout, f.formula, self.sheet.code), self.fm.calc)
            return
        fmt = self.fm.system if f.system else self.fm.for_input(f.rule)
        last = min(self.last_col, c + 2)
        if last > c:
            self.merge(r, c, last, "", fmt)
        else:
            ws.write_blank(r, c, None, fmt)
        if f.default is not None:
            ws.write(r, c, f.default, fmt)
        if not f.system:
            self.validate(r, c, r, c, f.rule, f.label, f.guidance)

    def table(self, t: Table) -> None:
        place = self.layout.tables[t.key]
        ws, fm = self.ws, self.fm
        ws.write(place.title_row, 0, t.title, fm.h2)
        if self.lay.print and self.lay.print.long_table == t.key and len(t.columns) >= 6:
            self.running_head(place.title_row, len(t.columns) // 2)  # repeated with the header on every page
        for j, col in enumerate(t.columns):
            if col.span and j < self.last_col:
                self.merge(place.header_row, j, self.last_col, "", fm.header)
            if col.header_formula:
                self.formula(place.header_row, j, col.header_formula, fm.header, t)
            else:
                ws.write(place.header_row, j, col.label, fm.header)
        for j, col in enumerate(t.columns):
            if col.fixed:
                for k, row in enumerate(place.rows):
                    fixed_cols = [c for c in t.columns if c.fixed]
                    ws.write(row, j, t.fixed_rows[k][fixed_cols.index(col)], fm.fixed)
            elif col.formula:
                fmt = fm.calc_numbered(col.number_format) if col.number_format else fm.calc_text
                for row in place.rows:
                    self.formula(row, j, col.formula, fmt, t)
            else:
                fmt = fm.for_input(col.rule)
                for row in place.rows:
                    if col.span and j < self.last_col:
                        self.merge(row, j, self.last_col, "", fmt)
                    else:
                        ws.write_blank(row, j, None, fmt)
                self.validate(place.first_row, j, place.last_row, j, col.rule, col.label, col.guidance)
        for footer, row in zip(t.footer, place.footer_rows, strict=True):
            ws.write(row, 0, footer.label, fm.fixed)
            fmt = fm.calc_pct if footer.percent else fm.calc_numbered("0.00")
            for key, template in footer.formulas:
                self.formula(row, place.columns[key], template, fmt, t, key)

    def grid(self, g: ItemGrid) -> None:
        place: GridPlace = self.layout.grids[g.key]
        ws, fm = self.ws, self.fm
        ws.write(place.title_row, 0, g.title, fm.h2)
        ws.write(place.title_row, 1, g.guidance, fm.guidance)
        for label, row in (("Pupil", place.pupil_row), ("", place.occasion_row),
                           ("Date assessed", place.date_row), ("Completed by", place.by_row)):
            ws.write(row, 1, label, fm.label)
        for p in range(g.pupils):
            first = place.columns[(p, g.occasions[0])]
            last = place.columns[(p, g.occasions[-1])]
            if g.pupils_from_register:
                ref = resolve(self.layout, f"{{at:pupils.pupil_ref.{p}}}", self.sheet.code)
                formula = f'=IF({ref}="","Pupil {p + 1}",{ref})'
                self.merge(place.pupil_row, first, last, "", fm.header)
                ws.write_formula(place.pupil_row, first, formula, fm.header, "")
            else:
                self.merge(place.pupil_row, first, last, "", fm.input)
                self.validate(place.pupil_row, first, place.pupil_row, first, Rule("text"), "Pupil reference",
                              "A pseudonymous reference such as SIP-A1. Never a name or Scottish Candidate "
                              "Number.")
            for o in g.occasions:
                c = place.columns[(p, o)]
                ws.write(place.occasion_row, c, o, fm.header)
                ws.write_blank(place.date_row, c, None, fm.input_date)
                ws.write_blank(place.by_row, c, None, fm.input)
        cols = sorted(place.columns.values())
        self.validate(place.date_row, cols[0], place.date_row, cols[-1], Rule("date"), "Date assessed", "")
        group_start: dict[str, int] = {}
        for item in g.items:
            row = place.item_rows[item.number]
            if item.group and item.group not in group_start:
                group_start[item.group] = row
                ws.write(row, 0, item.group, fm.label)
            ws.write(row, 1, f"{item.number}. {item.text}", fm.text)
            for c in cols:
                ws.write_blank(row, c, None, fm.for_input(g.rule))
        first_item, last_item = place.item_rows[g.items[0].number], place.item_rows[g.items[-1].number]
        self.validate(first_item, cols[0], last_item, cols[-1], g.rule, g.title, g.guidance)
        for group, row in place.group_rows.items():
            rows = [place.item_rows[i.number] for i in g.items if i.group == group]
            ws.write(row, 1, f"{group} sub-total /{len(rows) * int(g.rule.max or 0)}", fm.label)
            for c in cols:
                self.write_formula(row, c, grid_total(g, c, rows[0], rows[-1]), fm.calc)
        ws.write(place.total_row, 1, g.total_label, fm.label)
        for c in cols:
            self.write_formula(place.total_row, c, grid_total(g, c, first_item, last_item), fm.calc)
        if place.change_row is not None:
            ws.write(place.change_row, 1, "Change (post − pre)", fm.label)
            for p in range(g.pupils):
                pre = a1(place.total_row, place.columns[(p, g.occasions[0])])
                post = a1(place.total_row, place.columns[(p, g.occasions[1])])
                ws.write_blank(place.change_row, place.columns[(p, g.occasions[0])], None, fm.calc)
                self.write_formula(place.change_row, place.columns[(p, g.occasions[1])], grid_change(pre, post),
                                   fm.calc)


Values = dict[tuple[str, int, int], object]  # (sheet code, row, col) from 0 -> value typed by a teacher


def build_template(template: Template, path: Path, values: Values | None = None,
                   sheet_names: dict[str, str] | None = None) -> Path:
    """Write `template` to `path`; `values` fill input cells (sample workbooks), `sheet_names` renames tabs
    as a teacher might (the sample generator's mistakes)."""
    original = template
    if sheet_names:
        template = replace(template, sheets=tuple(
            replace(s, name=sheet_names.get(s.code, s.name)) for s in template.sheets))
    layout = layout_template(template)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": template.title, "subject": template.description, "author": "sipxl",
                       "company": "", "created": BUILD_DATE, "comments": f"{template.kind} {template.version}"})
    wb.set_custom_property("sipxl_kind", template.kind)
    wb.set_custom_property("sipxl_version", template.version)
    fm = Formats(wb)
    long_lists: list[tuple[str, ...]] = []
    for sheet in template.sheets:
        builder = SheetBuilder(wb, fm, template, layout, sheet, long_lists)
        builder.build()
        heights: dict[int, int] = {}
        for (code, row, col), value in sorted((values or {}).items(), key=lambda kv: kv[0]):
            if code == sheet.code:
                builder.write_value(row, col, value)
                if isinstance(value, str):
                    heights[row] = max(heights.get(row, 1), lines(value, builder.cell_width(row, col)))
        for row, n in sorted(heights.items()):
            if n > 1 or row in builder.tall_rows:
                builder.ws.set_row(row, max(13 * n + 2, builder.tall_rows.get(row, 0)))
        wb.define_name(f"{META_NAME_PREFIX}{sheet.code}", f"={quote_sheet(sheet.name)}!$A$1")
    meta = wb.add_worksheet(META_SHEET)
    meta.write_row(0, 0, ["kind", template.kind])
    meta.write_row(1, 0, ["version", template.version])
    meta.write_row(2, 0, ["title", template.title])
    meta.write_row(3, 0, list(META_PROTECTION))
    for k, sheet in enumerate(original.sheets):  # a rename in Excel leaves these as built
        meta.write_row(4 + k, 0, [sheet.code, sheet.name])
    for k, values in enumerate(long_lists):
        meta.write_column(0, LONG_LISTS_COL + k, values)
    meta.very_hidden()
    meta.protect("")
    first = next(s for s in template.sheets if s.code != "help")
    wb.get_worksheet_by_name(first.name).activate() if template.kind != "sipp_project" else None
    wb.close()
    return path


def build_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [build_template(t, out_dir / t.filename) for t in all_templates()]


__all__ = ["build_all", "build_template", "META_SHEET", "META_NAME_PREFIX", "META_PROTECTION", "SHEET_PROTECTION",
           "col_letter"]
