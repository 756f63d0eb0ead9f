"""Where every block of a template sits on its sheet.

The builder writes, and the readers read, at exactly these places; both call `layout_template`.
Rows and columns here are 0-based (xlsxwriter's convention); `a1()` gives the cell as Excel shows it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

from .model import Field, Guidance, Heading, ItemGrid, PrintedTable, Sheet, Table, Template


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def excel_ref(sheet_name: str, row: int, col: int) -> str:
    """A cell as Excel shows it in a formula bar or a hyperlink: 'Social Skills'!D7."""
    return f"{quote_sheet(sheet_name)}!{a1(row, col)}"


@dataclass(frozen=True)
class FieldPlace:
    sheet: str  # sheet code
    row: int
    col: int
    question_row: int | None = None  # long answers sit under their question


@dataclass(frozen=True)
class TablePlace:
    sheet: str
    title_row: int
    header_row: int
    first_row: int
    last_row: int
    columns: dict[str, int]
    footer_rows: tuple[int, ...] = ()

    @property
    def rows(self) -> range:
        return range(self.first_row, self.last_row + 1)


@dataclass(frozen=True)
class GridPlace:
    sheet: str
    title_row: int
    pupil_row: int
    occasion_row: int
    date_row: int
    by_row: int
    item_rows: dict[int, int]  # item number -> row
    group_rows: dict[str, int]  # group -> subtotal row
    total_row: int
    change_row: int | None
    columns: dict[tuple[int, str], int]  # (pupil index from 0, occasion) -> column
    item_text_col: int = 1
    group_col: int = 0


@dataclass(frozen=True)
class PrintedPlace:
    sheet: str
    title_row: int
    rows: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]  # (row, ((first col, last col) per cell))


@dataclass
class SheetLayout:
    sheet: Sheet
    rows: dict[int, int] = field(default_factory=dict)  # block index -> first row
    last_row: int = 0
    last_col: int = 0
    col_widths: list[float] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)  # rows printed taller than one line
    head_row: int | None = None  # under the sheet title: the school and project, on every printed page
    print: PrintSetup | None = None


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints on A4: scale, manual page breaks, rows repeated on every page, frozen panes."""

    landscape: bool
    scale: int  # per cent, chosen so the sheet is one page wide (manual breaks work only with a fixed scale)
    breaks: tuple[int, ...]  # rows (0-based) that start a new page
    titles: tuple[int, int]  # first and last row repeated at the top of every page
    freeze: tuple[int, int]  # rows above and columns left of the frozen panes
    long_table: str | None = None  # the table that runs over pages (its title row shows the running head)

    @property
    def pages(self) -> int:
        return len(self.breaks) + 1


@dataclass
class TemplateLayout:
    template: Template
    sheets: dict[str, SheetLayout]
    fields: dict[str, FieldPlace]
    tables: dict[str, TablePlace]
    grids: dict[str, GridPlace]
    printed: dict[str, PrintedPlace] = field(default_factory=dict)

    def sheet_name(self, code: str) -> str:
        return self.template.sheet(code).name


GRID_FIRST_COL = 2
TITLE_ROWS = 2
LINE = 13.0  # points per printed line of wrapped Arial 10
ROW = 15.0  # points of a row given no height
TITLE_HEIGHT = 24.0
LONG_ANSWER_HEIGHT = 80.0
# A4 in points, less the margins the builder sets (0.5 in left and right, 0.6 in top and bottom)
A4_SHORT, A4_LONG = 595.0, 842.0
MARGIN_X, MARGIN_Y = 36.0, 43.2


def lines(text: str, width_chars: float, bold: bool = False) -> int:
    """Printed lines of wrapped Arial 10 text in a column `width_chars` wide (about 1.15 characters a unit, 1.0
    in bold)."""
    per_line = max(width_chars * (1.0 if bold else 1.15), 10)
    return max(1, sum(math.ceil(max(1, len(part)) / per_line) for part in text.split("\n")))


def width_points(width_chars: float) -> float:
    """A column's printed width: Excel's character units (7 pixels each, plus 5 of padding) in points, and 7 %
    more, as LibreOffice prints them with Calibri's metric twin (Carlito): the wider of the two programs."""
    return (width_chars * 7 + 5) * 0.75 * 1.07


def split_width(widths: list[float], n: int) -> tuple[tuple[int, int], ...]:
    """Cut the columns into `n` runs of about equal width: (first col, last col) of each."""
    if n > len(widths):
        raise ValueError(f"{n} boxes need at least {n} columns, the sheet has {len(widths)}")
    total = sum(widths)
    out, first, acc = [], 0, 0.0
    for k in range(1, n):
        target = total * k / n
        last = first
        while last + 1 < len(widths) - (n - k) and abs(acc + widths[last] - target) > abs(
                acc + widths[last] + widths[last + 1] - target):
            acc += widths[last]
            last += 1
        acc += widths[last]
        out.append((first, last))
        first = last + 1
    out.append((first, len(widths) - 1))
    return tuple(out)


def _grid_width(grid: ItemGrid) -> int:
    return GRID_FIRST_COL + grid.pupils * len(grid.occasions)


@cache
def layout_template(template: Template) -> TemplateLayout:
    out = TemplateLayout(template, {}, {}, {}, {})
    for sheet in template.sheets:
        out.sheets[sheet.code] = _layout_sheet(sheet, out)
    return out


def _layout_sheet(sheet: Sheet, out: TemplateLayout) -> SheetLayout:
    lay = SheetLayout(sheet)
    width = max([sheet.width] + [len(t.columns) for t in sheet.tables] + [_grid_width(g) for g in sheet.grids])
    lay.last_col = width - 1
    set_by_table: list[float | None] = [None] * width
    r = 0
    for i, block in enumerate(sheet.blocks):
        lay.rows[i] = r
        if isinstance(block, Heading):
            if block.level == 1 and lay.head_row is None:
                lay.head_row = r + 1
            r += TITLE_ROWS if block.level == 1 else 1
        elif isinstance(block, PrintedTable):
            _unique(out, block.key)
            r += len(block.rows) + 2
        elif isinstance(block, Guidance):
            r += 2
        elif isinstance(block, Field):
            key = block.key
            _unique(out, key)
            if block.rule.type == "long_text":
                out.fields[key] = FieldPlace(sheet.code, r + 1, 0, question_row=r)
                r += 3
            else:
                out.fields[key] = FieldPlace(sheet.code, r, 1)
                r += 1
                if i + 1 < len(sheet.blocks) and not isinstance(sheet.blocks[i + 1], Field):
                    r += 1
        elif isinstance(block, Table):
            _unique(out, block.key)
            cols = {c.key: j for j, c in enumerate(block.columns)}
            for j, c in enumerate(block.columns):
                set_by_table[j] = max(set_by_table[j] or 0, c.width)
            first = r + 2
            last = first + block.rows - 1
            footer = tuple(last + 1 + k for k in range(len(block.footer)))
            out.tables[block.key] = TablePlace(sheet.code, r, r + 1, first, last, cols, footer)
            r = last + len(block.footer) + 2
        elif isinstance(block, ItemGrid):
            _unique(out, block.key)
            pupil_row, occ_row, date_row, by_row = r + 1, r + 2, r + 3, r + 4
            item_rows = {item.number: r + 5 + k for k, item in enumerate(block.items)}
            nxt = r + 5 + len(block.items)
            group_rows: dict[str, int] = {}
            if block.group_totals:
                for item in block.items:
                    if item.group and item.group not in group_rows:
                        group_rows[item.group] = nxt
                        nxt += 1
            total_row = nxt
            change_row = total_row + 1 if len(block.occasions) == 2 else None
            columns = {
                (p, occ): GRID_FIRST_COL + p * len(block.occasions) + k
                for p in range(block.pupils)
                for k, occ in enumerate(block.occasions)
            }
            out.grids[block.key] = GridPlace(
                sheet.code, r, pupil_row, occ_row, date_row, by_row, item_rows, group_rows, total_row,
                change_row, columns,
            )
            set_by_table[0] = 18
            set_by_table[1] = 56
            for c in columns.values():
                set_by_table[c] = 9
            r = (change_row if change_row is not None else total_row) + 2
    lay.last_row = r
    # Column A carries field labels too; other columns take their tables' widths (16 where none).
    widths = [max(sheet.label_width, set_by_table[0] or 0) if sheet.fields else (set_by_table[0] or sheet.label_width)]
    widths += [w if w is not None else 16.0 for w in set_by_table[1:]]
    lay.col_widths = list(sheet.col_widths) if sheet.col_widths else widths
    lay.last_col = len(lay.col_widths) - 1 if sheet.col_widths else lay.last_col
    for i, block in enumerate(sheet.blocks):
        if isinstance(block, PrintedTable):
            r = lay.rows[i]
            rows = tuple((r + 1 + k, split_width(widths[:lay.last_col + 1], len(cells)))
                         for k, cells in enumerate(block.rows))
            out.printed[block.key] = PrintedPlace(sheet.code, r, rows)
    _heights(lay, out)
    lay.print = _report_setup(lay) if sheet.report_slots else _print_setup(lay, out)
    return lay


def text_width(lay: SheetLayout, first: int = 0, last: int | None = None) -> float:
    """The characters a merged run of columns holds (merged text wraps a little wider than one column)."""
    last = lay.last_col if last is None else last
    return sum(lay.col_widths[first:last + 1]) * 1.05


def _heights(lay: SheetLayout, out: TemplateLayout) -> None:
    """The printed height of every row that is not one plain line (the builder sets exactly these)."""
    h, w = lay.heights, lay.col_widths
    for i, block in enumerate(lay.sheet.blocks):
        r = lay.rows[i]
        if isinstance(block, Heading) and block.level == 1:
            h[r] = TITLE_HEIGHT
        elif isinstance(block, Guidance):
            h[r] = LINE * lines(block.text, text_width(lay))
        elif isinstance(block, Field):
            place = out.fields[block.key]
            if place.question_row is not None:
                h[place.question_row] = 14 * lines(block.label, text_width(lay), bold=True)
                h[place.row] = LONG_ANSWER_HEIGHT
            elif lines(block.label, w[0], bold=True) > 1:
                h[place.row] = LINE * lines(block.label, w[0], bold=True)
        elif isinstance(block, Table):
            place = out.tables[block.key]
            header = max(lines(c.label, w[j], bold=True) for j, c in enumerate(block.columns))
            h[place.header_row] = max(ROW, LINE * header)
            if block.row_lines > 1:
                for row in place.rows:
                    h[row] = LINE * block.row_lines + 2
        elif isinstance(block, ItemGrid):
            grid = out.grids[block.key]
            for item in block.items:
                text = f"{item.number}. {item.text}"
                if lines(text, w[1]) > 1:
                    h[grid.item_rows[item.number]] = LINE * lines(text, w[1])
        elif isinstance(block, PrintedTable):
            for k, (row, spans) in enumerate(out.printed[block.key].rows):
                need = max(lines(text, text_width(lay, a, b), bold=k < block.header_rows)
                           for text, (a, b) in zip(block.rows[k], spans, strict=True))
                h[row] = LINE * max(need, block.min_lines(k)) + 4


def height(lay: SheetLayout, first: int, last: int) -> float:
    return sum(lay.heights.get(r, ROW) for r in range(first, last + 1))


def _one_page_wide(lay: SheetLayout) -> tuple[int, float]:
    """The print scale that fits the sheet's columns on one page's width, and a page's height in sheet points."""
    paper_w, paper_h = (A4_LONG, A4_SHORT) if lay.sheet.landscape else (A4_SHORT, A4_LONG)
    wide = sum(width_points(x) for x in lay.col_widths[:lay.last_col + 1])
    scale = min(100, math.floor(100 * (paper_w - 2 * MARGIN_X) / wide) - 1)
    return scale, (paper_h - 2 * MARGIN_Y) * 100 / scale - 2 * ROW  # room for rounding in the renderers


@dataclass(frozen=True)
class ReportSlots:
    """The fixed places of a report sheet's blocks: `count` runs of `rows` rows from `first`, one per page."""

    first: int
    rows: int
    count: int

    def start(self, k: int) -> int:
        return self.first + k * self.rows


def report_slots(lay: SheetLayout) -> ReportSlots:
    """Below the title rows (the title, the running line, the stamp), places of one page each for rows of the
    default height: the first page holds the title rows and a place, every later page the repeated title and
    running line and a place."""
    _, page = _one_page_wide(lay)
    first = lay.last_row
    rows = math.floor((page - height(lay, 0, first - 1)) / ROW)
    return ReportSlots(first, rows, lay.sheet.report_slots)


def _report_setup(lay: SheetLayout) -> PrintSetup:
    slots = report_slots(lay)
    scale, _ = _one_page_wide(lay)
    breaks = tuple(slots.start(k) for k in range(1, slots.count))
    return PrintSetup(lay.sheet.landscape, scale, breaks, (0, TITLE_ROWS - 1), (0, 0))


def _print_setup(lay: SheetLayout, out: TemplateLayout) -> PrintSetup:
    """Scale to one page wide; break pages before each step and between blocks, never inside a question
    and its answer box, a short table or a scale; a long table breaks between rows under its repeated header."""
    sheet = lay.sheet
    scale, page = _one_page_wide(lay)
    # Units: row ranges printed together; a heading or guidance is kept with what follows it.
    units: list[tuple[int, int, bool]] = []  # first row, last row, starts a new page
    long_table: str | None = None
    pending: tuple[int, bool] | None = None
    ends = [lay.rows[i] for i in range(1, len(sheet.blocks))] + [lay.last_row]
    for i, block in enumerate(sheet.blocks):
        first, last = lay.rows[i], ends[i] - 1
        new_page = isinstance(block, Heading) and block.new_page
        if pending is not None:
            first, new_page = pending[0], pending[1] or new_page
        nxt = sheet.blocks[i + 1] if i + 1 < len(sheet.blocks) else None
        if nxt is not None and (isinstance(block, Heading) or (
                isinstance(block, Guidance) and not isinstance(nxt, Heading | Guidance))):
            pending = (first, new_page)  # a heading, or the guidance of a question or table, goes with it
            continue
        pending = None
        place_rows = (out.tables[block.key].title_row, last) if isinstance(block, Table) else None
        if place_rows and long_table is None and height(lay, *place_rows) > page - height(lay, 0, lay.head_row or 0):
            place = out.tables[block.key]  # longer than a page: it breaks between rows, under its header
            long_table = block.key
            head_last = min(place.first_row + 2, place.last_row)
            units.append((first, head_last, new_page))
            tail = max(head_last + 1, place.last_row - 4)  # the totals never print alone
            units += [(r, r, False) for r in range(head_last + 1, tail)]
            units.append((tail, last, False))
            continue
        units.append((first, last, new_page))
    if long_table is not None:
        place = out.tables[long_table]
        titles = (place.title_row, place.header_row)
    else:
        titles = (0, lay.head_row if lay.head_row is not None else 0)
    title_h = height(lay, *titles)
    breaks: list[int] = []
    used = 0.0
    for first, last, new_page in units:
        h = height(lay, first, last)
        if used > 0 and (new_page or used + h > page):
            breaks.append(first)
            used = title_h if first > titles[1] else 0.0
        used += h
        while used > page:  # a block taller than a page: the renderer breaks it where it must
            used -= page - title_h
    if long_table is not None:
        breaks = _balance(breaks, out.tables[long_table])
    return PrintSetup(sheet.landscape, scale, tuple(breaks), titles, _freeze(lay, out), long_table)


def _balance(breaks: list[int], place: TablePlace) -> list[int]:
    """Move a long table's last break up, so its last page holds as many rows as the page before, not a few."""
    inside = [b for b in breaks if place.first_row < b <= place.last_row]
    if not inside:
        return breaks
    last = inside[-1]
    previous = max([b for b in breaks if b < last] + [place.first_row])
    before, after = last - max(previous, place.first_row), place.last_row + 1 - last
    if after >= before:
        return breaks
    moved = max(last - (before - after) // 2, place.first_row + 3)
    return [moved if b == last else b for b in breaks]


def _freeze(lay: SheetLayout, out: TemplateLayout) -> tuple[int, int]:
    """Keep a table's header and its label column on screen, where the header sits near the top."""
    sheet = lay.sheet
    for grid in sheet.grids:
        place = out.grids[grid.key]
        if height(lay, 0, place.occasion_row) <= 220:
            return place.occasion_row + 1, GRID_FIRST_COL
    for table in sheet.tables:
        place = out.tables[table.key]
        if height(lay, 0, place.header_row) <= 220 and table.rows >= 8:
            return place.header_row + 1, 1 if len(table.columns) > 6 else 0
    return 0, 0


def _unique(out: TemplateLayout, key: str) -> None:
    if key in out.fields or key in out.tables or key in out.grids:
        raise ValueError(f"duplicate key {key!r} in template {out.template.kind!r}")


_PLACEHOLDER = re.compile(r"\{(\w+)(?::([\w.]+))?\}")


def resolve(layout: TemplateLayout, text: str, sheet_code: str, row: int | None = None,
            table: Table | None = None, column: str | None = None) -> str:
    """Turn a formula template into an Excel formula.

    `{r}` this row; `{n}` this row's number within the table; `{first}` the table's first input row;
    `{c:key}` this table's column letter; `{cell:field}` a field's cell;
    `{col:table.column}` a whole table column as an absolute range; `{at:table.column.k}` the k-th row
    (from 0) of a table column; `{this}` the current table column's input rows (in footers); references
    to another sheet are prefixed with its quoted name.
    """

    def prefix(code: str) -> str:
        return "" if code == sheet_code else quote_sheet(layout.sheet_name(code)) + "!"

    def sub(m: re.Match[str]) -> str:
        name, arg = m.group(1), m.group(2)
        if name == "r":
            assert row is not None
            return str(row + 1)
        if name == "n":  # this row's number within its table, from 1
            assert table is not None and row is not None
            return str(row - layout.tables[table.key].first_row + 1)
        if name == "first":
            assert table is not None
            return str(layout.tables[table.key].first_row + 1)
        if name == "c":
            assert table is not None and arg is not None
            return col_letter(layout.tables[table.key].columns[arg])
        if name == "cell":
            place = layout.fields[arg]
            return prefix(place.sheet) + a1(place.row, place.col, absolute=True)
        if name == "col":
            tkey, ckey = arg.split(".")
            place = layout.tables[tkey]
            c = place.columns[ckey]
            return prefix(place.sheet) + f"{a1(place.first_row, c, True)}:{a1(place.last_row, c, True)}"
        if name == "at":
            tkey, ckey, k = arg.split(".")
            place = layout.tables[tkey]
            return prefix(place.sheet) + a1(place.first_row + int(k), place.columns[ckey], True)
        if name == "total":  # the total of the item grid `key` for this row's pupil (row n = pupil n), at `occasion`
            assert table is not None and row is not None
            gkey, occasion = arg.split(".")
            place = layout.grids[gkey]
            pupil = row - layout.tables[table.key].first_row
            return prefix(place.sheet) + a1(place.total_row, place.columns[(pupil, occasion)], True)
        if name == "this":
            assert table is not None and column is not None
            place = layout.tables[table.key]
            c = place.columns[column]
            return f"{a1(place.first_row, c)}:{a1(place.last_row, c)}"
        raise ValueError(f"unknown placeholder {m.group(0)!r} in {text!r}")

    return _PLACEHOLDER.sub(sub, text)
