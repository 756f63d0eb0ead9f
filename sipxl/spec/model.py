"""The vocabulary of a template specification.

A template is a list of sheets; a sheet is a list of blocks laid out top to bottom. Blocks are
headings and guidance (printed text), fields (one answer each), tables (a header and input rows) and
item grids (an assessment form: items down the side, one column per pupil and occasion). The builder,
the reader, the validation schemas and the messages all read these objects, never a copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

ValueType = Literal["text", "long_text", "integer", "number", "date", "choice"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = sheet title (the row under it names the school and project), 2 = step heading
    new_page: bool = False  # printed at the top of a new page, like each step of the paper form


@dataclass(frozen=True)
class Guidance:
    text: str


@dataclass(frozen=True)
class Rule:
    """What a single answer may be: its type, closed list, range and whether it is required."""

    type: ValueType = "text"
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    required: bool = False
    choices_from: str | None = None  # "table.column": a dropdown of what was typed there (e.g. pupils)
    digits: int | None = None  # a code of exactly this many digits (a SEED code has 7)

    def describe(self) -> str:
        """The rule in a teacher's words, used in input messages and in issue messages."""
        if self.digits:
            return f"a {self.digits}-digit code"
        if self.choices:
            return "one of: " + ", ".join(self.choices)
        if self.type in ("integer", "number") and self.min is not None and self.max is not None:
            whole = "a whole number" if self.type == "integer" else "a number"
            return f"{whole} from {_num(self.min)} to {_num(self.max)}"
        if self.type == "integer":
            return "a whole number"
        if self.type == "number":
            return "a number"
        if self.type == "date":
            return "a date (dd/mm/yyyy)"
        return "text"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Field:
    """One answer on a form. Long text answers sit under their question, like the paper form."""

    key: str
    label: str
    rule: Rule = Rule()
    guidance: str = ""
    formula: str | None = None  # a calculated cell (not an input)
    system: bool = False  # written by sipxl (e.g. the submission stamp), locked for the teacher
    default: object = None  # the value the template holds until a teacher changes it (e.g. GAS ρ = 0.3)

    @property
    def is_input(self) -> bool:
        return self.formula is None and not self.system


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    rule: Rule = Rule()
    guidance: str = ""
    width: float = 14
    formula: str | None = None  # per-row formula template, see sipxl.spec.layout.resolve
    identifies_pupil: bool = False  # holds a pupil reference (pseudonymity checks)
    header_formula: str | None = None  # a header that shows e.g. the pupil register's reference
    fixed: bool = False  # a printed row label (e.g. stage, SIMD quintile), from Table.fixed_rows
    number_format: str | None = None  # e.g. "0.0%" for a calculated percentage
    span: bool = False  # the last column's cells stretch to the sheet's right edge (long answers)

    @property
    def is_input(self) -> bool:
        return self.formula is None and not self.fixed


@dataclass(frozen=True)
class Footer:
    """A calculated row under a table: its label and, per column, a formula ({this} = that column)."""

    label: str
    formulas: tuple[tuple[str, str], ...]  # (column key, formula template)
    percent: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: int
    guidance: str = ""
    row_key: str | None = None  # the column whose emptiness means the row is unused
    footer: tuple[Footer, ...] = ()
    fixed_rows: tuple[tuple[str, ...], ...] = ()  # values of the fixed columns, row by row
    row_lines: int = 1  # printed lines per row, where a calculated column shows long text

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"table {self.key!r} has no column {key!r}")


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    group: str = ""


@dataclass(frozen=True)
class ItemGrid:
    """An assessment form: items down the side; for each pupil one column per occasion (pre, post).

    `pupils_from_register` makes the pupil header a formula that shows the pupil register's reference,
    so a teacher types each pupil once per project workbook.
    """

    key: str
    title: str
    items: tuple[Item, ...]
    rule: Rule
    pupils: int
    occasions: tuple[str, ...] = ("Pre", "Post")
    pupils_from_register: bool = False
    group_totals: bool = True
    total_label: str = "Total"
    total_formula: str = "SUM"  # how a column's answers make its total, see the builder
    guidance: str = ""


@dataclass(frozen=True)
class PrintedTable:
    """Text in boxes, as on a paper form (a scale's levels, a form to fill in by hand): nothing is read.

    Each row's cells share the sheet's width equally; `lines` gives a row at least that many printed lines
    (writing space on a printed form).
    """

    key: str
    title: str
    rows: tuple[tuple[str, ...], ...]
    header_rows: int = 1
    lines: tuple[int, ...] = ()

    def min_lines(self, k: int) -> int:
        return self.lines[k] if k < len(self.lines) else 1


Block = Heading | Guidance | Field | Table | ItemGrid | PrintedTable


@dataclass(frozen=True)
class ChartSpec:
    """A small clustered column chart over cells of its sheet (0-based rows and columns)."""

    title: str
    category_col: int
    value_cols: tuple[int, ...]  # each a series, named by its cell in `header_row`
    header_row: int
    first_row: int
    last_row: int
    anchor: tuple[int, int]
    size: tuple[int, int]  # width, height in pixels


@dataclass(frozen=True)
class Sheet:
    code: str  # stable identifier, survives a renamed sheet
    name: str  # the tab name as built
    blocks: tuple[Block, ...]
    landscape: bool = False
    width: int = 6  # columns used by text and merged answer cells
    label_width: float = 34
    fit_width: bool = True
    # A sheet the ribbon's buttons write (Scores, Summary): built empty with its column widths, print setup and
    # chart, left unprotected; it prints `report_pages` pages tall (0: as many as it needs), one page wide.
    report: bool = False
    report_pages: int = 0
    # Or, with `report_slots` > 0, it prints at a fixed scale with a manual page break every so many rows below its
    # title rows (sipxl.spec.layout.report_slots): the buttons write each block at the top of one of these places,
    # so a page break falls before each block and never inside one (no client can set a page break).
    report_slots: int = 0
    col_widths: tuple[float, ...] = ()
    chart: ChartSpec | None = None
    # A report sheet the buttons write as one long table (Issues): the table's header row (0-based), printed on
    # every page with the rows above it and frozen on screen. Its columns but the first (whose lines above the
    # table run on) are formatted to wrap text at the top of the row: the cells a button writes take their
    # column's format (as Excel gives a new cell), so a long text grows its row instead of running off the page.
    table_header: int | None = None

    # Worked out once per sheet (cached_property writes the instance's own __dict__, which a frozen dataclass
    # allows): checking a workbook asks for them dozens of times.
    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Field))

    @cached_property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))

    @cached_property
    def grids(self) -> tuple[ItemGrid, ...]:
        return tuple(b for b in self.blocks if isinstance(b, ItemGrid))

    @property
    def has_answers(self) -> bool:
        """False for a sheet with nothing to read (Help, a printed form, a sheet the buttons write)."""
        return bool(self.fields or self.tables or self.grids)


@dataclass(frozen=True)
class Template:
    kind: str
    version: str
    title: str
    filename: str
    sheets: tuple[Sheet, ...]
    description: str = ""
    help_text: tuple[str, ...] = field(default=())
    running_head: str | None = None  # formula: the school and project, printed under every sheet's title

    def sheet(self, code: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.code == code:
                return sheet
        raise KeyError(f"template {self.kind!r} has no sheet {code!r}")
