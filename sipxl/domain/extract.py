"""Turn a workbook's grids into typed answers that remember where each one came from.

Pure domain code: it sees only the specification and plain grids of values (sipxl.io.read gives them),
never a file. Every value is read as the teacher meant it where that is safe ("3 - mostly" -> 3, "Yes "
-> "Yes", numbers stored as text) and reported otherwise; an answer that cannot be used becomes None in
`value`, while `raw` keeps what was typed, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .._memo import by_identity
from ..issues import Issue, issue
from ..spec.layout import TemplateLayout, excel_ref, layout_template
from ..spec.model import Field, Guidance, Heading, ItemGrid, PrintedTable, Rule, Table, Template
from ..spec.values import CellError, choice_of, is_blank_value

if TYPE_CHECKING:
    import pandas as pd


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


def _cell(value: object, raw: object, sheet: str, row: int, col: int, label: str) -> Cell:
    """Cell(value, raw, sheet, row, col, label), the very same object, made without the frozen dataclass's six
    object.__setattr__ calls (half the time, for the hundreds of answer cells of each workbook)."""
    cell = _new(Cell)
    _set(cell, "__dict__", {"value": value, "raw": raw, "sheet": sheet, "row": row, "col": col, "label": label})
    return cell


_new, _set = object.__new__, object.__setattr__


class TableData:
    """One table's used rows. `records` (Excel row number as shown, from 1; typed values, None when unusable)
    and `raws` (Excel row -> what was typed) are what the checks and scores read; `frame` and `raw` are the
    same as pandas DataFrames indexed by the Excel row, built only when asked for."""

    def __init__(self, key: str, sheet: str, labels: dict[str, str], columns: dict[str, int],
                 frame: pd.DataFrame | None = None, raw: pd.DataFrame | None = None, *,
                 records: list[tuple[int, dict]] | None = None, raws: dict[int, dict] | None = None,
                 keys: list[str] | None = None):
        self.key, self.sheet, self.labels, self.columns = key, sheet, labels, columns
        if frame is None:
            self.records = records if records is not None else []
            self.raws = raws if raws is not None else {}
            self.keys = keys if keys is not None else list(labels)
            self.from_records = True  # the typed values are extract's own (see schemas.screen_table)
        else:
            if raw is None:
                raw = frame
            self.__dict__["frame"], self.__dict__["raw"] = frame, raw
            self.records = [(int(r), rec) for r, rec in zip(frame.index, frame.to_dict("records"), strict=True)]
            self.raws = {int(r): rec for r, rec in zip(raw.index, raw.to_dict("records"), strict=True)}
            self.keys = [str(c) for c in frame.columns]
            self.from_records = False

    @cached_property
    def frame(self) -> pd.DataFrame:
        """index: the Excel row number as shown (from 1); typed values, None when unusable."""
        return _frame([rec for _, rec in self.records], [r for r, _ in self.records], self.keys)

    @cached_property
    def raw(self) -> pd.DataFrame:
        return _frame([self.raws[r] for r, _ in self.records], [r for r, _ in self.records], self.keys)

    @property
    def empty(self) -> bool:
        return not self.records

    def __len__(self) -> int:
        return len(self.records)

    def value(self, excel_row: int, column: str) -> object:
        """The typed value at an Excel row (None when the row is not used)."""
        rec = self._by_row().get(excel_row)
        return None if rec is None else rec.get(column)

    def raw_value(self, excel_row: int, column: str) -> object:
        rec = self.raws.get(excel_row)
        return None if rec is None else rec.get(column)

    def _by_row(self) -> dict[int, dict]:
        by_row = self.__dict__.get("_by_row_cache")
        if by_row is None:
            by_row = self.__dict__["_by_row_cache"] = dict(self.records)
        return by_row

    def ref(self, excel_row: int, column: str) -> str:
        return excel_ref(self.sheet, excel_row - 1, self.columns[column])

    def __repr__(self) -> str:
        return f"TableData({self.key!r}, {self.sheet!r}, {len(self.records)} rows)"


def _frame(rows: list[dict], index: list[int], keys: list[str]) -> pd.DataFrame:
    import pandas as pd  # only when a frame is asked for: checking a file never needs one

    return pd.DataFrame(rows, index=pd.Index(index, name="excel_row"), columns=keys, dtype=object)


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

    def scored(self, score: Callable[[list], object]) -> object:
        """score(the items' values) (a sipxl.scoring function), worked out once: validation and scoring both
        need each column's scores. The answers are read once and not changed afterwards."""
        memo = self.__dict__.setdefault("_scored", {})
        if score not in memo:
            memo[score] = score([c.value for c in self.items])
        return memo[score]


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
    # answer cells (sheet code, row, col) whose value is not valid (an error was reported there): the sheet's
    # formulas that use them show "check entry", and sipxl does not count them
    invalid: set[tuple[str, int, int]] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.template.kind

    def field_value(self, key: str) -> object:
        cell = self.fields.get(key)
        return None if cell is None else cell.value


# ---------------------------------------------------------------- reading one answer

_NUMBER = re.compile(r"^\s*([+\-−]?\d+(?:[.,]\d+)?)\b")
_WORDS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))}
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def is_blank(v: object) -> bool:
    """Empty or only spaces, as Excel's LEN(TRIM(x))=0 (sipxl.spec.values)."""
    return is_blank_value(v)


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
    return str(raw).strip(" ")  # spaces, as Excel's TRIM: a tab or a line break is something typed


def _show(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.strftime("%d/%m/%Y")
    return str(raw)


def read_answer(raw: object, rule: Rule, where: dict[str, str]) -> tuple[object, list[Issue]]:
    """One answer typed against its rule: (value or None, issues). `where` = sheet, cell, label."""
    return _read(raw, rule, lambda: where)


def _read(raw: object, rule: Rule, where: Callable[[], dict[str, str]]) -> tuple[object, list[Issue]]:
    """read_answer with the place made only when there is something to report."""
    if isinstance(raw, CellError):
        return None, [issue("SIPXL-V009", value=raw.text, expected=rule.describe(), **where())]
    if is_blank(raw):
        return None, []
    kind = rule.type
    if isinstance(raw, bool) and kind not in ("text", "long_text"):  # TRUE/FALSE: never a number or a choice
        return None, [issue("SIPXL-V011", value="TRUE" if raw else "FALSE", expected=rule.describe(), **where())]
    if kind == "text" or kind == "long_text":
        return _text(raw), []
    if kind == "date":
        d = _as_date(raw)
        return (d, []) if d else (None, [issue("SIPXL-V007", value=_show(raw), **where())])
    if kind == "choice" or (rule.choices and kind not in ("integer", "number")):
        choices = rule.choices or ()
        found = choice_of(raw, choices) if isinstance(raw, str) else None  # a number is no choice in Excel
        if found is None:
            return None, [issue("SIPXL-V005", value=_show(raw), expected=rule.describe(), **where())]
        if raw != found:
            return found, [issue("SIPXL-V006", value=raw, expected=found, **where())]
        return found, []
    # integer or number
    number, _ = _as_number(raw)
    if number is None:
        return None, [issue("SIPXL-V002", value=_show(raw), expected=rule.describe(), **where())]
    if isinstance(raw, str):  # a number as text: Excel's totals leave it out, so sipxl does not count it either
        return None, [issue("SIPXL-V003", value=raw, expected=_show(number), **where())]
    found: list[Issue] = []
    if kind == "integer" and not number.is_integer():
        return None, found + [issue("SIPXL-V008", value=_show(raw), **where())]
    if rule.choices and _show(number) not in rule.choices:
        return None, found + [issue("SIPXL-V005", value=_show(raw), expected=rule.describe(), **where())]
    if (rule.min is not None and number < rule.min) or (rule.max is not None and number > rule.max):
        return None, found + [issue("SIPXL-V004", value=_show(raw), expected=rule.describe(), **where())]
    return (int(number) if kind == "integer" else number), found


# ---------------------------------------------------------------- a whole workbook


_MISS = object()  # a fast reader's "not sure: read it the careful way"


def _fast_reader(rule: Rule) -> Callable[[object], object]:
    """For one rule, a reader of the common, clean answers that gives exactly what `_read` gives when there
    is nothing to report, and _MISS for anything else (which `_read` then reads and reports)."""
    kind = rule.type
    if kind in ("text", "long_text"):
        def text(v: object) -> object:
            if type(v) is str:
                stripped = v.strip(" ")
                return stripped or None  # only spaces: blank, as TRIM says
            return _MISS
        return text
    if kind == "date":
        def date(v: object) -> object:
            t = type(v)
            if t is dt.date:
                return v
            if t is dt.datetime:
                return v.date()
            return _MISS
        return date
    if kind == "choice" or (rule.choices and kind not in ("integer", "number")):
        allowed = frozenset(rule.choices or ())

        def choice(v: object) -> object:
            if type(v) is str and v in allowed and v == v.strip():
                return v
            return _MISS
        return choice
    if kind in ("integer", "number") and not rule.choices:
        lo, hi, whole = rule.min, rule.max, kind == "integer"

        def number(v: object) -> object:
            t = type(v)
            if t is not int and t is not float:
                return _MISS
            x = float(v)
            if x != x:
                return None  # NaN: blank
            if whole and not x.is_integer():
                return _MISS
            if (lo is not None and x < lo) or (hi is not None and x > hi):
                return _MISS
            return int(x) if whole else x
        return number
    return lambda v: _MISS


_DATE_RULE, _TEXT_RULE = Rule("date"), Rule("text")
_fast_of = by_identity(_fast_reader)
layout_of = by_identity(layout_template)  # per cell: hashing a whole Template for functools.cache costs more


def _blank_typed(v: object) -> bool:
    """is_blank for a value of a grid, where "" has already been read as None."""
    return v is None or (isinstance(v, str) and not v.strip(" ")) or (isinstance(v, float) and math.isnan(v))


@dataclass(frozen=True)
class _TablePlan:
    """What reading one table needs, worked out once per template: for each column (in the table's order)
    its key, column index, whether it is typed in, its rule and label, and whether it is a formula."""

    columns: tuple[tuple[str, int, bool, Rule, str, bool, Callable[[object], object]], ...]
    input_cols: tuple[int, ...]
    keys: tuple[str, ...]
    labels: dict[str, str]

    def inputs(self, line: list) -> tuple:
        """The row's input cells, '' where the row ends before them (calamine's empty cell)."""
        width = len(line)
        if width > self.last_input and len(self.input_cols) > 1:  # calamine's rows are the sheet's full width
            return self.take(line)  # the common case, in C
        return tuple(line[j] if j < width else "" for j in self.input_cols)

    @cached_property
    def last_input(self) -> int:
        return max(self.input_cols, default=-1)

    @cached_property
    def take(self) -> Callable[[list], tuple]:
        return operator.itemgetter(*self.input_cols)


@by_identity
def _table_plan(template: Template, layout: TemplateLayout, table: Table) -> _TablePlan:
    place = layout.tables[table.key]
    keys = [c.key for c in table.columns]
    # An earlier template version may lack a column of the current one: it is there, empty.
    keys += [c.key for c in _current_table(template, table.key).columns if c.key not in keys]
    plan = _TablePlan(
        tuple((c.key, place.columns[c.key], c.is_input, c.rule, c.label, bool(c.formula), _fast_of(c.rule))
              for c in table.columns),
        tuple(place.columns[c.key] for c in table.columns if c.is_input),
        tuple(keys),
        {c.key: c.label for c in table.columns},
    )
    return plan


def extract(file: str, template: Template, version: str, sheet_names: dict[str, str],
            grids: dict[str, list[list]], issues: list[Issue] | None = None) -> WorkbookContent:
    layout = layout_of(template)
    out = WorkbookContent(file, template, version, dict(sheet_names), {}, {}, {}, {}, list(issues or []))
    found = out.issues

    def get(code: str, row: int, col: int) -> object:
        grid = grids.get(code)
        if grid is None or row >= len(grid):
            return None
        line = grid[row]
        if col >= len(line):
            return None
        v = line[col]
        return None if v == "" else v

    def answer(code: str, row: int, col: int, rule: Rule, label: str, fast=None) -> Cell:
        raw = get(code, row, col)
        name = sheet_names[code]
        if raw is None:
            return _cell(None, None, name, row, col, label)
        value = (fast or _fast_of(rule))(raw)
        if value is not _MISS:
            return _cell(value, raw, name, row, col, label)
        value, said = _read(raw, rule, lambda: {"sheet": name, "cell": excel_ref(name, row, col), "label": label})
        if said:
            found.extend(said)
            if any(i.severity == "error" for i in said):
                out.invalid.add((code, row, col))
        return _cell(value, raw, name, row, col, label)

    for sheet in template.sheets:
        code = sheet.code
        if code not in sheet_names:
            continue
        for block in sheet.blocks:
            if isinstance(block, Field):
                place = layout.fields[block.key]
                if block.formula:
                    _cache(out, get, code, place.row, place.col)
                    continue
                out.fields[block.key] = answer(code, place.row, place.col, block.rule, block.label)
            elif isinstance(block, Table):
                out.tables[block.key] = _table(out, grids.get(code) or [], layout, code, block, get)
            elif isinstance(block, ItemGrid):
                out.grids[block.key] = _grid(out, get, layout, code, block, answer, grids.get(code) or [])
        found.extend(_outside_the_form(layout, code, sheet_names[code], grids.get(code, [])))
    return out


def _cache(out: WorkbookContent, get, code: str, row: int, col: int) -> None:
    v = get(code, row, col)
    if v is not None:
        out.cached[(code, row, col)] = v


def _table(out: WorkbookContent, grid: list[list], layout: TemplateLayout, code: str, table: Table,
           get) -> TableData:
    place = layout.tables[table.key]
    plan = _table_plan(out.template, layout, table)
    name = out.sheet_names[code]
    keys = plan.keys
    records: list[tuple[int, dict]] = []
    raws: dict[int, dict] = {}
    found = out.issues
    cached = out.cached
    n = len(grid)
    for row in place.rows:
        if row >= n:
            break  # every row below the grid's end is empty
        line = grid[row]
        width = len(line)
        if line.count("") == width:  # a row of calamine's empty cells: most of a table's rows, skipped in C
            continue
        typed = plan.inputs(line)
        if typed.count("") == len(typed) or all(_blank_typed(v) for v in typed):  # count: the unused rows, fast
            continue
        values, raw_values = dict.fromkeys(keys), dict.fromkeys(keys)
        for key, j, is_input, rule, label, formula, fast in plan.columns:
            v = line[j] if j < width else None
            if v == "":
                v = None
            if is_input:
                if v is not None:
                    value = fast(v)
                    if value is _MISS:
                        value, said = _read(v, rule, lambda row=row, j=j, label=label: {
                            "sheet": name, "cell": excel_ref(name, row, j), "label": label})
                        if said:
                            found.extend(said)
                            if any(i.severity == "error" for i in said):
                                out.invalid.add((code, row, j))
                    values[key] = value
                raw_values[key] = v
            else:
                values[key] = raw_values[key] = v
                if formula and v is not None:
                    cached[(code, row, j)] = v
        records.append((row + 1, values))
        raws[row + 1] = raw_values
    for footer, frow in zip(table.footer, place.footer_rows, strict=True):
        for key, _formula in footer.formulas:  # the footer's calculated cells, not its label
            _cache(out, get, code, frow, place.columns[key])
    return TableData(table.key, name, dict(plan.labels), dict(place.columns), records=records, raws=raws,
                     keys=list(keys))


def _current_table(template: Template, key: str) -> Table:
    from ..spec import get_template

    for sheet in get_template(template.kind).sheets:
        for block in sheet.tables:
            if block.key == key:
                return block
    raise KeyError(key)


def _grid(out: WorkbookContent, get, layout: TemplateLayout, code: str, grid: ItemGrid, answer,
          lines: list[list]) -> GridData:
    place = layout.grids[grid.key]
    name = out.sheet_names[code]
    n = len(lines)
    pupils = []
    date_rule, text_rule = _DATE_RULE, _TEXT_RULE
    rule = grid.rule
    fast = _fast_of(rule)  # once per grid, not per cell
    item_rows = [(item.number, place.item_rows[item.number]) for item in grid.items]
    cache_rows = [r for r in [*place.group_rows.values(), place.total_row, place.change_row] if r is not None]
    for p in range(grid.pupils):
        first_col = place.columns[(p, grid.occasions[0])]
        if grid.pupils_from_register:
            ref_cell = _register_ref(out, p, out.sheet_names[code], place.pupil_row, first_col)
        else:
            ref_cell = answer(code, place.pupil_row, first_col, text_rule, f"Pupil {p + 1} reference")
        who = ref_cell.value or f"Pupil {p + 1}"
        occasions = {}
        for occ in grid.occasions:
            c = place.columns[(p, occ)]
            label = f"{grid.title}: {who} {occ}"
            date = answer(code, place.date_row, c, date_rule, f"{occ} date for {who}")
            by = answer(code, place.by_row, c, text_rule, f"{occ} completed by for {who}")
            items = []
            for number, row in item_rows:  # answer(), inlined for the clean answers: most of a file's cells
                line = lines[row] if row < n else ()
                raw = line[c] if c < len(line) else None
                value = None if raw is None or raw == "" else fast(raw)
                if value is _MISS:
                    items.append(answer(code, row, c, rule, f"{label}, item {number}", fast))
                else:
                    items.append(_cell(value, None if raw == "" else raw, name, row, c, f"{label}, item {number}"))
            occasions[occ] = GridColumn(occ, date, by, items)
            for row in cache_rows:
                _cache(out, get, code, row, c)
        pupils.append(GridPupil(p, ref_cell, occasions))
    return GridData(grid.key, out.sheet_names[code], pupils)


def _register_ref(out: WorkbookContent, p: int, sheet: str, row: int, col: int) -> Cell:
    """The pupil header of an assessment in a project workbook is a formula showing the register's p-th
    reference: take the register's value (never the formula's cached copy)."""
    register = out.tables.get("pupils")
    value = None
    if register is not None:
        first = layout_of(out.template).tables["pupils"].first_row + 1
        value = register.value(first + p, "pupil_ref")
    return Cell(value, value, sheet, row, col, f"Pupil {p + 1}")


@by_identity
def _known_rows(layout: TemplateLayout, code: str) -> tuple[frozenset[int], int]:
    """The rows of a sheet where the form has cells (each such row is the form's across its whole width),
    and that width; worked out once per layout and sheet."""
    known: set[int] = set()
    lay = layout.sheets[code]
    width = lay.last_col + 1
    sheet = lay.sheet
    for i, block in enumerate(sheet.blocks):
        r = lay.rows[i]
        if isinstance(block, Heading | Guidance):
            known.add(r)
            if r + 1 == lay.head_row:  # the running head (school and project) under the title
                known.add(r + 1)
        elif isinstance(block, PrintedTable):
            known.update(range(r, r + len(block.rows) + 1))
        elif isinstance(block, Field):
            place = layout.fields[block.key]
            known.add(place.row)
            if place.question_row is not None:
                known.add(place.question_row)
        elif isinstance(block, Table):
            place = layout.tables[block.key]
            known.update([place.title_row, place.header_row, *place.rows, *place.footer_rows])
        elif isinstance(block, ItemGrid):
            place = layout.grids[block.key]
            last = place.change_row if place.change_row is not None else place.total_row
            known.update(range(place.title_row, last + 1))
    return frozenset(known), width


def _outside_the_form(layout: TemplateLayout, code: str, name: str, grid: list[list]) -> list[Issue]:
    """Anything typed where the form has no cell (e.g. rows added under a table) is reported, not lost."""
    if code == "help":
        return []
    known, width = _known_rows(layout, code)
    stray: list[tuple[int, int]] = []
    for r, row in enumerate(grid):
        if r in known:
            if len(row) > width:
                stray += [(r, c) for c in range(width, len(row)) if not is_blank(row[c])]
        elif row.count("") != len(row):  # a row of calamine's empty cells has nothing typed: most rows
            stray += [(r, c) for c, v in enumerate(row) if not is_blank(v)]
    if not stray:
        return []
    r, c = stray[0]
    more = f" and {len(stray) - 1} more cells" if len(stray) > 1 else ""
    return [issue("SIPXL-F010", sheet=name, cell=excel_ref(name, r, c), value=f"{_show(grid[r][c])!r}{more}")]
