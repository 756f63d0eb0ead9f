"""Small helpers the ribbon buttons share: cell references, original fills, text that stays text.

Nothing here touches xlwings; the buttons module does the writing.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from ..io.build import CALC_FILL, HEADER_FILL
from ..spec.layout import a1, layout_template
from ..spec.model import Field, ItemGrid, Table, Template

__all__ = [
    "MARK_COLOURS",
    "as_text",
    "cell_display",
    "original_fills",
    "parse_ref",
]

#: Fill of a marked cell, by the worst severity of its issues (Excel's "Bad" and "Neutral" styles).
MARK_COLOURS = {"error": "#FFC7CE", "warning": "#FFEB9C"}
INPUT_FILL = "#FFFFFF"

_NUMBERLIKE = re.compile(r"^\s*[-+]?(\d[\d,]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*%?\s*$")
_DATELIKE = re.compile(r"^\s*(\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?|\d{1,2}[ -][A-Za-z]{3,9}([ -]\d{2,4})?)\b")
_FORMULA_START = ("=", "+", "-", "@", "'", "\t", "\r", "\n")
_LITERALS = {"true", "false", "#n/a", "#div/0!", "#name?", "#null!", "#num!", "#ref!", "#value!"}


def as_text(value: object) -> object:
    """A value to write into a cell so that Excel keeps it exactly as text.

    Strings that Excel would turn into a formula (``=``, ``+``, ``-``, ``@``), a number, a date, a
    boolean or an error, or whose own leading apostrophe Excel would swallow, get a leading ``'``: Excel's
    text prefix, which is not shown and not part of the value. Other values are returned unchanged.
    """
    if not isinstance(value, str) or value == "":
        return value
    if (
        value.startswith(_FORMULA_START)
        or _NUMBERLIKE.match(value)
        or _DATELIKE.match(value)
        or value.strip().casefold() in _LITERALS
    ):
        return "'" + value
    return value


def parse_ref(ref: str) -> tuple[str, int, int] | None:
    """``'Social Skills'!D7`` (or ``Social Skills!D7``) -> (sheet name, row, col), 0-based; None if not a cell."""
    if "!" not in ref:
        return None
    sheet, cell = ref.rsplit("!", 1)
    sheet = sheet.strip()
    if len(sheet) >= 2 and sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    elif sheet.endswith("'") and "'" not in sheet[:-1]:  # Excel ate the leading quote as a text prefix
        sheet = sheet[:-1]
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", cell.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return sheet, int(m.group(2)) - 1, col - 1


def cell_display(sheet: str, row: int, col: int) -> str:
    """How the Issues sheet shows a cell: ``Social Skills!D7``.

    Excel's own form quotes sheet names with spaces (``'Social Skills'!D7``), but a leading apostrophe typed
    into a cell is Excel's text prefix and disappears, so the quotes are left out of the shown text; the
    hyperlink itself uses the quoted form.
    """
    return f"{sheet}!{a1(row, col)}"


@cache
def original_fills(template: Template) -> dict[tuple[str, int, int], str]:
    """The fill every answer and calculated cell has in the template, keyed by (sheet code, row, col).

    Marks are undone by putting this fill back (the remote engine cannot read a cell's colour, and a
    teacher cannot recolour cells on the protected sheets). Cells not listed here are never marked.
    """
    layout = layout_template(template)
    out: dict[tuple[str, int, int], str] = {}
    for sheet in template.sheets:
        code = sheet.code
        for block in sheet.blocks:
            if isinstance(block, Field):
                place = layout.fields[block.key]
                out[(code, place.row, place.col)] = INPUT_FILL if block.is_input else CALC_FILL
            elif isinstance(block, Table):
                place = layout.tables[block.key]
                for col in block.columns:
                    j = place.columns[col.key]
                    fill = INPUT_FILL if col.is_input else CALC_FILL
                    for row in place.rows:
                        out[(code, row, j)] = fill
                for row in place.footer_rows:
                    for j in place.columns.values():
                        out[(code, row, j)] = CALC_FILL
            elif isinstance(block, ItemGrid):
                place = layout.grids[block.key]
                for (p, _occ), c in place.columns.items():
                    first = place.columns[(p, block.occasions[0])]
                    if c == first:
                        out[(code, place.pupil_row, c)] = HEADER_FILL if block.pupils_from_register else INPUT_FILL
                    for row in (place.date_row, place.by_row, *place.item_rows.values()):
                        out[(code, row, c)] = INPUT_FILL
                    for row in (*place.group_rows.values(), place.total_row, place.change_row):
                        if row is not None:
                            out[(code, row, c)] = CALC_FILL
    return out


def today() -> dt.date:
    """The date used for stamps (a function so a deployment or a test can see where it comes from)."""
    return dt.date.today()
