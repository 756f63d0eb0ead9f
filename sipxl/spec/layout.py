"""Where every block of a template sits on its sheet.

The builder writes, and the readers read, at exactly these places; both call `layout_template`.
Rows and columns here are 0-based (xlsxwriter's convention); `a1()` gives the cell as Excel shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .model import Field, Guidance, Heading, ItemGrid, Sheet, Table, Template


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


@dataclass
class SheetLayout:
    sheet: Sheet
    rows: dict[int, int] = field(default_factory=dict)  # block index -> first row
    last_row: int = 0
    last_col: int = 0
    col_widths: list[float] = field(default_factory=list)


@dataclass
class TemplateLayout:
    template: Template
    sheets: dict[str, SheetLayout]
    fields: dict[str, FieldPlace]
    tables: dict[str, TablePlace]
    grids: dict[str, GridPlace]

    def sheet_name(self, code: str) -> str:
        return self.template.sheet(code).name


GRID_FIRST_COL = 2
TITLE_ROWS = 2


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
            r += TITLE_ROWS if block.level == 1 else 1
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
    lay.col_widths = widths
    return lay


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
        if name == "this":
            assert table is not None and column is not None
            place = layout.tables[table.key]
            c = place.columns[column]
            return f"{a1(place.first_row, c)}:{a1(place.last_row, c)}"
        raise ValueError(f"unknown placeholder {m.group(0)!r} in {text!r}")

    return _PLACEHOLDER.sub(sub, text)
