"""Turn a workbook's grids into typed answers that remember where each one came from.

Pure domain code: it sees only the specification and plain grids of values (sipxl.io.read gives them),
never a file. Every value is read as the teacher meant it where that is safe ("3 - mostly" -> 3, "Yes "
-> "Yes", numbers stored as text) and reported otherwise; an answer that cannot be used becomes None in
`value`, while `raw` keeps what was typed, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from ..issues import Issue, issue
from ..spec.layout import TemplateLayout, excel_ref, layout_template
from ..spec.model import Field, Guidance, Heading, ItemGrid, Rule, Table, Template


@dataclass(frozen=True)
class Cell:
    value: object  # typed; None when empty or unusable
    raw: object  # as found in the file
    sheet: str  # the tab's name in this file
    row: int  # from 0
    col: int
    label: str

    @property
    def ref(self) -> str:
        return excel_ref(self.sheet, self.row, self.col)


@dataclass
class TableData:
    key: str
    sheet: str
    labels: dict[str, str]
    columns: dict[str, int]
    frame: pd.DataFrame  # index: the Excel row number as shown (from 1); typed values, None when unusable
    raw: pd.DataFrame

    def ref(self, excel_row: int, column: str) -> str:
        return excel_ref(self.sheet, excel_row - 1, self.columns[column])


@dataclass
class GridColumn:
    occasion: str
    date: Cell
    by: Cell
    items: list[Cell]  # in item order

    @property
    def answered(self) -> int:
        return sum(c.value is not None for c in self.items)

    @property
    def started(self) -> bool:
        return any(c.raw not in (None, "") for c in self.items)


@dataclass
class GridPupil:
    index: int  # 0-based column pair
    ref: Cell
    occasions: dict[str, GridColumn]


@dataclass
class GridData:
    key: str
    sheet: str
    pupils: list[GridPupil]


@dataclass
class WorkbookContent:
    file: str
    template: Template
    version: str
    sheet_names: dict[str, str]
    fields: dict[str, Cell]
    tables: dict[str, TableData]
    grids: dict[str, GridData]
    cached: dict[tuple[str, int, int], object]  # formula cells' cached values, where the file has them
    issues: list[Issue] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.template.kind

    def field_value(self, key: str) -> object:
        cell = self.fields.get(key)
        return None if cell is None else cell.value


# ---------------------------------------------------------------- reading one answer

_NUMBER = re.compile(r"^\s*([+-−]?\d+(?:[.,]\d+)?)\b")
_WORDS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))}
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def _as_number(raw: object) -> tuple[float | None, bool]:
    """(number, read from text?) or (None, False) when there is no number in it."""
    if isinstance(raw, bool):
        return None, False
    if isinstance(raw, int | float):
        return float(raw), False
    if isinstance(raw, str):
        text = raw.strip()
        try:
            return float(text), False  # a number stored as text: Excel's green triangle, harmless
        except ValueError:
            pass
        m = _NUMBER.match(text)
        if m:
            return float(m.group(1).replace(",", ".").replace("−", "-")), True
        word = text.lower().split(" ")[0].strip(".-")
        if word in _WORDS:
            return float(_WORDS[word]), True
    return None, False


def _as_date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(raw))
    if isinstance(raw, str):
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(raw.strip(), fmt).date()
            except ValueError:
                continue
    return None


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.strftime("%d/%m/%Y")
    return str(raw).strip()


def _show(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.strftime("%d/%m/%Y")
    return str(raw)


def read_answer(raw: object, rule: Rule, where: dict[str, str]) -> tuple[object, list[Issue]]:
    """One answer typed against its rule: (value or None, issues). `where` = sheet, cell, label."""
    if is_blank(raw):
        return None, []
    shown = _show(raw)
    if rule.type in ("text", "long_text"):
        return _text(raw), []
    if rule.type == "date":
        d = _as_date(raw)
        return (d, []) if d else (None, [issue("SIPXL-V007", value=shown, **where)])
    if rule.type == "choice" or (rule.choices and rule.type not in ("integer", "number")):
        text = _text(raw)
        choices = rule.choices or ()
        if text in choices:
            if isinstance(raw, str) and raw != text:
                return text, [issue("SIPXL-V006", value=raw, expected=text, **where)]
            return text, []
        folded = {c.casefold(): c for c in choices}
        if " ".join(text.split()).casefold() in folded:
            found = folded[" ".join(text.split()).casefold()]
            return found, [issue("SIPXL-V006", value=raw, expected=found, **where)]
        return None, [issue("SIPXL-V005", value=shown, expected=rule.describe(), **where)]
    # integer or number
    number, from_text = _as_number(raw)
    if number is None:
        return None, [issue("SIPXL-V002", value=shown, expected=rule.describe(), **where)]
    found: list[Issue] = []
    if from_text:
        found.append(issue("SIPXL-V003", value=shown, expected=_show(number), **where))
    if rule.type == "integer" and not number.is_integer():
        return None, found + [issue("SIPXL-V008", value=shown, **where)]
    if rule.choices and _show(number) not in rule.choices:
        return None, found + [issue("SIPXL-V005", value=shown, expected=rule.describe(), **where)]
    if (rule.min is not None and number < rule.min) or (rule.max is not None and number > rule.max):
        return None, found + [issue("SIPXL-V004", value=shown, expected=rule.describe(), **where)]
    return (int(number) if rule.type == "integer" else number), found


# ---------------------------------------------------------------- a whole workbook


class _Grid:
    def __init__(self, grids: dict[str, list[list]]):
        self.grids = grids

    def get(self, code: str, row: int, col: int) -> object:
        grid = self.grids.get(code)
        if grid is None or row >= len(grid) or col >= len(grid[row]):
            return None
        v = grid[row][col]
        return None if v == "" else v


def extract(file: str, template: Template, version: str, sheet_names: dict[str, str],
            grids: dict[str, list[list]], issues: list[Issue] | None = None) -> WorkbookContent:
    layout = layout_template(template)
    g = _Grid(grids)
    out = WorkbookContent(file, template, version, dict(sheet_names), {}, {}, {}, {}, list(issues or []))

    def where(code: str, row: int, col: int, label: str) -> dict[str, str]:
        name = sheet_names[code]
        return {"sheet": name, "cell": excel_ref(name, row, col), "label": label}

    def answer(code: str, row: int, col: int, rule: Rule, label: str) -> Cell:
        raw = g.get(code, row, col)
        value, found = read_answer(raw, rule, where(code, row, col, label))
        out.issues.extend(found)
        return Cell(value, raw, sheet_names[code], row, col, label)

    for sheet in template.sheets:
        code = sheet.code
        if code not in sheet_names:
            continue
        for block in sheet.blocks:
            if isinstance(block, Field):
                place = layout.fields[block.key]
                if block.formula:
                    _cache(out, g, code, place.row, place.col)
                    continue
                out.fields[block.key] = answer(code, place.row, place.col, block.rule, block.label)
            elif isinstance(block, Table):
                out.tables[block.key] = _table(out, g, layout, code, block, answer)
            elif isinstance(block, ItemGrid):
                out.grids[block.key] = _grid(out, g, layout, code, block, answer)
        out.issues.extend(_outside_the_form(layout, code, sheet_names[code], grids.get(code, [])))
    return out


def _cache(out: WorkbookContent, g: _Grid, code: str, row: int, col: int) -> None:
    v = g.get(code, row, col)
    if v is not None:
        out.cached[(code, row, col)] = v


def _table(out: WorkbookContent, g: _Grid, layout: TemplateLayout, code: str, table: Table, answer) -> TableData:
    place = layout.tables[table.key]
    inputs = [c for c in table.columns if c.is_input]
    keys = [c.key for c in table.columns]
    # An earlier template version may lack a column of the current one: it is there, empty.
    keys += [c.key for c in _current_table(out.template, table.key).columns if c.key not in keys]
    rows, raws, index = [], [], []
    for row in place.rows:
        if all(is_blank(g.get(code, row, place.columns[c.key])) for c in inputs):
            continue
        values, raw_values = dict.fromkeys(keys), dict.fromkeys(keys)
        for col in table.columns:
            j = place.columns[col.key]
            if col.is_input:
                cell = answer(code, row, j, col.rule, col.label)
                values[col.key], raw_values[col.key] = cell.value, cell.raw
            else:
                values[col.key] = raw_values[col.key] = g.get(code, row, j)
                if col.formula:
                    _cache(out, g, code, row, j)
        rows.append(values)
        raws.append(raw_values)
        index.append(row + 1)
    for frow in place.footer_rows:
        for col in table.columns:
            _cache(out, g, code, frow, place.columns[col.key])
    frame = pd.DataFrame(rows, index=pd.Index(index, name="excel_row"), columns=keys, dtype=object)
    raw = pd.DataFrame(raws, index=pd.Index(index, name="excel_row"), columns=keys, dtype=object)
    return TableData(table.key, out.sheet_names[code], {c.key: c.label for c in table.columns},
                     dict(place.columns), frame, raw)


def _current_table(template: Template, key: str) -> Table:
    from ..spec import get_template

    for sheet in get_template(template.kind).sheets:
        for block in sheet.tables:
            if block.key == key:
                return block
    raise KeyError(key)


def _grid(out: WorkbookContent, g: _Grid, layout: TemplateLayout, code: str, grid: ItemGrid, answer) -> GridData:
    place = layout.grids[grid.key]
    pupils = []
    for p in range(grid.pupils):
        first_col = place.columns[(p, grid.occasions[0])]
        if grid.pupils_from_register:
            ref_cell = _register_ref(out, p, out.sheet_names[code], place.pupil_row, first_col)
        else:
            ref_cell = answer(code, place.pupil_row, first_col, Rule("text"), f"Pupil {p + 1} reference")
        who = ref_cell.value or f"Pupil {p + 1}"
        occasions = {}
        for occ in grid.occasions:
            c = place.columns[(p, occ)]
            label = f"{grid.title}: {who} {occ}"
            date = answer(code, place.date_row, c, Rule("date"), f"{occ} date for {who}")
            by = answer(code, place.by_row, c, Rule("text"), f"{occ} completed by for {who}")
            items = [answer(code, place.item_rows[item.number], c, grid.rule, f"{label}, item {item.number}")
                     for item in grid.items]
            occasions[occ] = GridColumn(occ, date, by, items)
            for row in [*place.group_rows.values(), place.total_row, place.change_row]:
                if row is not None:
                    _cache(out, g, code, row, c)
        pupils.append(GridPupil(p, ref_cell, occasions))
    return GridData(grid.key, out.sheet_names[code], pupils)


def _register_ref(out: WorkbookContent, p: int, sheet: str, row: int, col: int) -> Cell:
    """The pupil header of an assessment in a project workbook is a formula showing the register's p-th
    reference: take the register's value (never the formula's cached copy)."""
    register = out.tables.get("pupils")
    value = None
    if register is not None:
        layout_rows = sorted(register.frame.index)
        first = layout_template(out.template).tables["pupils"].first_row + 1
        if first + p in layout_rows:
            value = register.frame.loc[first + p, "pupil_ref"]
    return Cell(value, value, sheet, row, col, f"Pupil {p + 1}")


def _outside_the_form(layout: TemplateLayout, code: str, name: str, grid: list[list]) -> list[Issue]:
    """Anything typed where the form has no cell (e.g. rows added under a table) is reported, not lost."""
    if code == "help":
        return []
    known: set[tuple[int, int]] = set()
    lay = layout.sheets[code]
    width = lay.last_col + 1
    sheet = lay.sheet
    for i, block in enumerate(sheet.blocks):
        r = lay.rows[i]
        if isinstance(block, Heading | Guidance):
            known.update((r, c) for c in range(width))
        elif isinstance(block, Field):
            place = layout.fields[block.key]
            rows = [place.row] + ([place.question_row] if place.question_row is not None else [])
            known.update((row, c) for row in rows for c in range(width))
        elif isinstance(block, Table):
            place = layout.tables[block.key]
            for row in [place.title_row, place.header_row, *place.rows, *place.footer_rows]:
                known.update((row, c) for c in range(width))
        elif isinstance(block, ItemGrid):
            place = layout.grids[block.key]
            last = place.change_row if place.change_row is not None else place.total_row
            known.update((row, c) for row in range(place.title_row, last + 1) for c in range(width))
    stray = [(r, c) for r, row in enumerate(grid) for c, v in enumerate(row)
             if not is_blank(v) and (r, c) not in known]
    if not stray:
        return []
    r, c = stray[0]
    more = f" and {len(stray) - 1} more cells" if len(stray) > 1 else ""
    return [issue("SIPXL-F010", sheet=name, cell=excel_ref(name, r, c), value=f"{_show(grid[r][c])!r}{more}")]
