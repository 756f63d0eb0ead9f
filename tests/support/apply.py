"""Apply the actions returned by xlwings' remote engine to a copy of an .xlsx, with openpyxl: a test helper.

This stands in for the Excel clients (xlwings Server's Office.js ``runActions`` / VBA ``Remote.bas``) in
tests, and is at least as strict as both: before anything is applied, every action goes through
:func:`support.clients.problems`, which reads the clients' own files, so an action that either client lacks,
any ``runMacro``, or arguments a client would read and not find are refused. Use::

    effects = apply_actions("in.xlsx", book.json(), "out.xlsx")

Every action has ``func``, ``args`` (a list), ``values``, ``sheet_position`` (0-based) and, for
range actions, ``start_row``/``start_column`` (0-based) and ``row_count``/``column_count``.

What Excel itself does on top of the client code is imitated where it matters for data: strings
written with ``setValues`` are parsed as if typed (``"=..."`` becomes a formula, numeric text a
number, ISO dates a date, a leading ``'`` forces text) unless the cell is formatted as Text (``@``).
A cell written for the first time takes its column's format, as Excel gives it (the Issues sheet's columns
wrap text), and a row whose height was never set grows to its wrapped text, as Excel autofits it.

Sheet protection is honoured as Excel honours it: on a protected sheet, formatting (fill, number format) is
refused unless the protection allows formatting cells, autofit unless it allows formatting columns, values
may only go into unlocked cells, and hyperlinks and clearing the whole sheet are refused.

Effects that have no place in a file (``alert``, ``calculate``, ``save``, autofit, screen updating)
are returned as a list of the actions concerned, so tests can assert on them. Actions this module
does not implement, and unknown actions, raise :class:`UnsupportedActionError` naming the action.
The source file is never written to.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .clients import problems

__all__ = ["UnsupportedActionError", "apply_actions", "SUPPORTED_ACTIONS", "NON_FILE_ACTIONS"]


class UnsupportedActionError(ValueError):
    """An action that apply_actions cannot reproduce (unknown, or not implemented here)."""

    def __init__(self, func: str | None, reason: str, index: int | None = None):
        where = f" (action #{index})" if index is not None else ""
        super().__init__(f"Cannot apply xlwings action {func!r}{where}: {reason}")
        self.func = func


def apply_actions(
    src_xlsx: str | Path,
    actions: list[dict] | dict,
    dst_xlsx: str | Path,
    *,
    client: str = "Office.js",
) -> list[dict]:
    """Copy ``src_xlsx`` to ``dst_xlsx`` and apply ``actions`` (``book.json()`` or its list).

    ``client`` only matters where the clients differ (VBA's ``Sheets.Add`` activates the new sheet,
    Office.js' ``worksheets.add`` does not). Returns the actions that only affect the running Excel
    (alerts, recalculation, save, autofit, ...), in order.
    """
    src, dst = Path(src_xlsx), Path(dst_xlsx)
    if src.resolve() == dst.resolve():
        raise ValueError("dst_xlsx must differ from src_xlsx: the source is never modified")
    if isinstance(actions, dict):
        if "actions" not in actions:
            raise ValueError("expected book.json() (a dict with 'actions') or a list of actions")
        actions = actions["actions"]
    actions = list(actions or [])

    keep_vba = src.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(src, keep_vba=keep_vba)
    state = _State(wb=wb, client=client)
    for index, action in enumerate(actions):
        func = action.get("func") if isinstance(action, dict) else None
        refused = problems(action) if isinstance(action, dict) else ["not an action"]
        if refused:
            raise UnsupportedActionError(func, "; ".join(refused), index)
        handler = _HANDLERS.get(func)  # type: ignore[arg-type]
        if handler is None:
            if func in NON_FILE_ACTIONS:
                state.effects.append(action)
                if func == "setAutofit":
                    _autofit(state, action)
                continue
            if func in _KNOWN_UNSUPPORTED:
                raise UnsupportedActionError(func, _KNOWN_UNSUPPORTED[func], index)
            raise UnsupportedActionError(func, "unknown action", index)
        try:
            handler(state, action)
        except UnsupportedActionError:
            raise
        except Exception as exc:  # re-raise with the action named
            raise UnsupportedActionError(func, f"{type(exc).__name__}: {exc}", index) from exc
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    wb.save(tmp)
    wb.close()
    shutil.move(tmp, dst)
    return state.effects


# --------------------------------------------------------------------------- helpers


def _autofit(state: _State, action: dict) -> None:
    """Excel's column autofit in the copy, so a render of it shows what a teacher would see: each column as wide
    as the widest value the range shows (its number format applied), measured with the glyph widths of the
    workbook's default font (Calibri 11 through Carlito, its metric twin). Without Carlito (where nothing is
    rendered: tests/test_print.py skips) every character counts as wide as Calibri's widest letters."""
    args = action.get("args")
    axis = args if isinstance(args, str) else (args or [""])[0]
    if "column" not in str(axis).lower():
        return
    ws = state.sheet(action)
    if ws.protection.sheet and ws.protection.formatColumns:
        raise UnsupportedActionError("setAutofit", f"sheet {ws.title!r} is protected: Excel refuses to size columns")
    min_row, min_col, max_row, max_col = _bounds(action)
    for col in range(min_col, max_col + 1):
        cells = [ws.cell(row=r, column=col) for r in range(min_row, max_row + 1)]
        pixels = max((_text_pixels(_shown(c.value, c.number_format)) for c in cells), default=0.0)
        if pixels:
            # Excel: a column of w characters is 7w + 5 pixels (Calibri 11); autofit leaves a few pixels spare
            ws.column_dimensions[get_column_letter(col)].width = min(round((pixels + 3) / 7 + 0.005, 2), 255)


def _shown(value: object, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        m = re.fullmatch(r"0(?:\.(0+))?(%?)", number_format or "")
        if m:
            return f"{value * (100 if m.group(2) else 1):.{len(m.group(1) or '')}f}{m.group(2)}"
        return f"{value:.10g}" if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return "00/00/0000"
    return str(value)


_CALIBRI_11 = 11 * 96 / 72  # pixels to the em at 100 % zoom
_CALIBRI_WIDEST = 0.95  # of an em: Calibri's widest letters (W, M) are narrower


@functools.cache
def _advances() -> tuple[dict[int, float], float] | None:
    """Carlito's advance widths (fractions of an em) by code point, or None where it is not installed."""
    path = "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf"  # Debian's fonts-crosextra-carlito
    if not os.path.exists(path) and shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", "Carlito:style=Regular"],
                               capture_output=True, text=True).stdout.split("\t")
        path = found[1] if len(found) == 2 and "Carlito" in found[0] else ""
    if path.endswith(".ttf") and os.path.exists(path):
        return _ttf_advances(Path(path).read_bytes())
    return None


def _ttf_advances(data: bytes) -> tuple[dict[int, float], float]:
    """Advance widths from a TrueType font's hhea, hmtx and cmap (format 4) tables; and the widest."""
    tables = {data[12 + 16 * k:16 + 16 * k].decode("latin-1"): struct.unpack(">II", data[20 + 16 * k:28 + 16 * k])
              for k in range(struct.unpack(">H", data[4:6])[0])}
    head = tables["head"][0]
    units = struct.unpack(">H", data[head + 18:head + 20])[0]
    hhea = tables["hhea"][0]
    metrics = struct.unpack(">H", data[hhea + 34:hhea + 36])[0]
    hmtx = tables["hmtx"][0]
    widths = [struct.unpack(">H", data[hmtx + 4 * k:hmtx + 4 * k + 2])[0] for k in range(metrics)]
    cmap = tables["cmap"][0]
    out: dict[int, float] = {}
    for k in range(struct.unpack(">H", data[cmap + 2:cmap + 4])[0]):
        platform, encoding, offset = struct.unpack(">HHI", data[cmap + 4 + 8 * k:cmap + 12 + 8 * k])
        sub = cmap + offset
        if (platform, encoding) not in ((3, 1), (0, 3)) or struct.unpack(">H", data[sub:sub + 2])[0] != 4:
            continue
        n = struct.unpack(">H", data[sub + 6:sub + 8])[0] // 2
        ends = struct.unpack(f">{n}H", data[sub + 14:sub + 14 + 2 * n])
        starts = struct.unpack(f">{n}H", data[sub + 16 + 2 * n:sub + 16 + 4 * n])
        deltas = struct.unpack(f">{n}h", data[sub + 16 + 4 * n:sub + 16 + 6 * n])
        at = sub + 16 + 6 * n
        offsets = struct.unpack(f">{n}H", data[at:at + 2 * n])
        for i in range(n):
            for code in range(starts[i], ends[i] + 1):
                if code == 0xFFFF:
                    continue
                if offsets[i] == 0:
                    glyph = (code + deltas[i]) & 0xFFFF
                else:
                    pos = at + 2 * i + offsets[i] + 2 * (code - starts[i])
                    glyph = struct.unpack(">H", data[pos:pos + 2])[0]
                    glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
                out[code] = widths[min(glyph, metrics - 1)] / units
        break
    return out, max(widths) / units


def _text_pixels(text: str) -> float:
    if not text:
        return 0.0
    metrics = _advances()
    if metrics is None:
        return len(text) * _CALIBRI_WIDEST * _CALIBRI_11
    advances, widest = metrics
    return sum(advances.get(ord(ch), widest) for ch in text) * _CALIBRI_11


_LINE_POINTS = 15.0  # Excel's height of a line of Calibri 11


def _wrapped_lines(text: str, pixels: float) -> int:
    """Lines of `text` wrapped at spaces in a cell `pixels` wide (a word wider than the cell is broken)."""
    count = 0
    for paragraph in text.split("\n"):
        count += 1
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if _text_pixels(trial) <= pixels or not line:
                line = trial
                while _text_pixels(line) > pixels and len(line) > 1:  # a word wider than the cell
                    cut = max(k for k in range(1, len(line) + 1) if _text_pixels(line[:k]) <= pixels or k == 1)
                    line = line[cut:]
                    count += 1
            else:
                count += 1
                line = word
    return count


def _fit_rows(ws: Worksheet, rows: Iterable[int]) -> None:
    """Excel's row autofit after values are written: a row whose height was never set grows to the lines of its
    wrapped text cells (Calibri 11, the workbook's default). openpyxl cannot keep Excel's mark of a height Excel
    fitted itself, so a row fitted once keeps its height in a later call (stricter than Excel, which refits it)."""
    for r in rows:
        dim = ws.row_dimensions[r]
        if dim.ht is not None:
            continue
        need = 1
        for (row, col), cell in list(ws._cells.items()):
            if row != r or not cell.alignment.wrap_text or not isinstance(cell.value, str) or not cell.value:
                continue
            width = ws.column_dimensions[get_column_letter(col)].width or 8.43
            need = max(need, _wrapped_lines(cell.value, round(width * 7) - 5))
        if need > 1:
            dim.ht = need * _LINE_POINTS


class _State:
    def __init__(self, wb: Workbook, client: str):
        self.wb = wb
        self.client = client
        self.effects: list[dict] = []

    def sheet(self, action: dict) -> Worksheet:
        pos = action.get("sheet_position")
        if pos is None:
            raise ValueError("action has no sheet_position")
        sheets = self.wb.worksheets
        if not 0 <= pos < len(sheets):
            raise IndexError(f"sheet_position {pos} out of range (workbook has {len(sheets)} sheets)")
        return sheets[pos]


def _bounds(action: dict) -> tuple[int, int, int, int]:
    """1-based (min_row, min_col, max_row, max_col) of the action's range."""
    r0, c0 = action["start_row"], action["start_column"]
    nrows, ncols = action.get("row_count") or 1, action.get("column_count") or 1
    return r0 + 1, c0 + 1, r0 + nrows, c0 + ncols


def _cell(ws: Worksheet, row: int, column: int):
    """The cell, made as Excel makes a cell a value or format is first written to: with its column's format."""
    if (row, column) not in ws._cells:
        cell = ws.cell(row=row, column=column)
        letter = get_column_letter(column)
        if letter in ws.column_dimensions and ws.column_dimensions[letter].has_style:
            cell._style = copy.copy(ws.column_dimensions[letter]._style)
        return cell
    return ws.cell(row=row, column=column)


def _cells(ws: Worksheet, bounds: tuple[int, int, int, int]) -> Iterable:
    min_row, min_col, max_row, max_col = bounds
    for row in range(min_row, max_row + 1):
        for col in range(min_col, max_col + 1):
            yield _cell(ws, row, col)


def _existing_cells(ws: Worksheet, bounds: tuple[int, int, int, int]) -> list:
    min_row, min_col, max_row, max_col = bounds
    return [
        cell
        for (row, col), cell in list(ws._cells.items())
        if min_row <= row <= max_row and min_col <= col <= max_col
    ]


def _whole_sheet(ws: Worksheet) -> tuple[int, int, int, int]:
    return 1, 1, max(ws.max_row, 1), max(ws.max_column, 1)


def _argb(color: str) -> str:
    color = color.lstrip("#")
    if len(color) == 6:
        return "FF" + color.upper()
    if len(color) == 8:
        return color.upper()
    raise ValueError(f"not a hex colour: {color!r}")


def _a1(address: str) -> tuple[int, int, int, int]:
    """(min_row, min_col, max_row, max_col) of an A1 address (also "A:A", "1:1", with "$")."""
    address = address.split("!")[-1].replace("$", "")
    min_col, min_row, max_col, max_row = range_boundaries(address)
    return min_row or 1, min_col or 1, max_row or 1048576, max_col or 16384


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _typed(value: Any, cell) -> Any:
    """What Excel stores when the client assigns ``value`` (as if typed in)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or cell.number_format == "@":
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("=") and len(value) > 1:
        return value  # openpyxl stores a formula
    stripped = value.strip()
    if _NUMBER.match(stripped):
        number = float(stripped)
        return (
            int(number)
            if number.is_integer() and "." not in stripped and "e" not in stripped.lower()
            else number
        )
    if _ISO_DATE.match(stripped):
        try:
            moment = dt.datetime.strptime(stripped, "%Y-%m-%d")
        except ValueError:
            return value
        if cell.number_format == "General":
            cell.number_format = "yyyy-mm-dd"
        return moment
    if _ISO_DATETIME.match(stripped):
        try:
            moment = dt.datetime.fromisoformat(stripped.rstrip("Z").replace(" ", "T"))
        except ValueError:
            return value
        if cell.number_format == "General":
            cell.number_format = "yyyy-mm-dd h:mm:ss"
        return moment
    return value


def _set_value(cell, value: Any) -> None:
    cell.value = _typed(value, cell)
    if isinstance(value, str) and value.startswith("'") and isinstance(cell.value, str):
        cell.data_type = "s"  # Excel's text prefix: "'=1+1" is the text "=1+1", never a formula
        cell.quotePrefix = True


def _clear_formats(cell) -> None:
    """As Excel: the cell takes the workbook's Normal style (its font is the workbook's default, Calibri 11)."""
    try:
        cell.style = "Normal"
    except ValueError:  # a workbook without it (not one Excel wrote)
        cell.font = Font(name="Calibri", sz=11, family=2, scheme="minor")
    cell.fill = PatternFill()
    cell.border = Border()
    cell.alignment = Alignment()
    cell.number_format = "General"
    cell.protection = Protection()


def _clear_contents(cell) -> None:
    cell.value = None


# --------------------------------------------------------------------------- range actions


def _check_protection(ws: Worksheet, what: str, cells: Iterable | None = None) -> None:
    """Refuse, as Excel does, to format a protected sheet or to write into its locked cells."""
    if not ws.protection.sheet:
        return
    if cells is None:
        if ws.protection.formatCells:
            raise UnsupportedActionError(what, f"sheet {ws.title!r} is protected: Excel refuses to format its cells")
        return
    for cell in cells:
        if cell.protection.locked is not False:
            raise UnsupportedActionError(
                what, f"cell {ws.title}!{cell.coordinate} is locked on a protected sheet: Excel refuses to change it"
            )


def _set_values(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, _, _ = _bounds(action)
    _check_protection(
        ws,
        "setValues",
        [
            _cell(ws, min_row + i, min_col + j)
            for i, row in enumerate(action.get("values") or [])
            for j in range(len(row))
        ],
    )
    for i, row in enumerate(action.get("values") or []):
        for j, value in enumerate(row):
            _set_value(_cell(ws, min_row + i, min_col + j), value)
    _fit_rows(ws, range(min_row, min_row + len(action.get("values") or [])))


def _set_formula(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    values = action.get("values")
    bounds = _bounds(action)
    if not isinstance(values, list):  # one formula for the whole range (no reference adjustment)
        for cell in _cells(ws, bounds):
            cell.value = values
        return
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            ws.cell(row=bounds[0] + i, column=bounds[1] + j).value = value if value != "" else None


def _range_clear_contents(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    for cell in _existing_cells(ws, _bounds(action)):
        _clear_contents(cell)


def _range_clear_formats(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    for cell in _existing_cells(ws, _bounds(action)):
        _clear_formats(cell)


def _range_clear(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    for cell in _existing_cells(ws, _bounds(action)):
        _clear_contents(cell)
        _clear_formats(cell)
        cell.hyperlink = None
        cell.comment = None


def _set_range_color(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    _check_protection(ws, "setRangeColor")
    color = action["args"][0]
    fill = (
        PatternFill() if color is None else PatternFill("solid", fgColor=_argb(color), bgColor=_argb(color))
    )
    for cell in _cells(ws, _bounds(action)):
        cell.fill = copy.copy(fill)


def _set_range_colors(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, _, _ = _bounds(action)
    for i, row in enumerate(action["args"][0]):
        for j, color in enumerate(row):
            if color == "keep":
                continue
            cell = ws.cell(row=min_row + i, column=min_col + j)
            cell.fill = PatternFill() if color is None else PatternFill("solid", fgColor=_argb(color))


def _add_hyperlink(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    if ws.protection.sheet:
        raise UnsupportedActionError("addHyperlink", f"sheet {ws.title!r} is protected: Excel refuses a hyperlink")
    address, text, tip = (list(action["args"]) + [None, None, None])[:3]
    for cell in _cells(ws, _bounds(action)):
        if address.startswith("#"):
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:], tooltip=tip, display=text)
        else:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, target=address, tooltip=tip, display=text)
        if text is not None:
            cell.value = text
        elif cell.value is None:
            cell.value = address


def _set_number_format(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    if (action.get("row_count"), action.get("column_count")) != (1, 1):
        raise UnsupportedActionError("setNumberFormat", "the Office.js client sends [[format]], a 1x1 array, which "
                                     "Excel refuses for a range of more than one cell")
    _check_protection(ws, "setNumberFormat")
    for cell in _cells(ws, _bounds(action)):
        cell.number_format = action["args"][0]


def _set_font_property(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    prop, value = action["args"][0], action["args"][1]
    key = {"bold": "bold", "italic": "italic", "size": "size", "color": "color", "name": "name"}.get(prop)
    if key is None:
        raise UnsupportedActionError("setFontProperty", f"unknown font property {prop!r}")
    if key == "color" and value is not None:
        value = _argb(value)
    if key in ("bold", "italic"):
        value = bool(value)
    for cell in _cells(ws, _bounds(action)):
        font = copy.copy(cell.font)
        setattr(font, key, value)
        cell.font = font


def _set_alignment(attribute: str, mapping: dict[str, str]) -> Callable[[_State, dict], None]:
    def handler(state: _State, action: dict) -> None:
        ws = state.sheet(action)
        value = action["args"][0]
        value = mapping.get(value, value) if isinstance(value, str) else bool(value)
        for cell in _cells(ws, _bounds(action)):
            alignment = copy.copy(cell.alignment)
            setattr(alignment, attribute, value)
            cell.alignment = alignment

    return handler


_HORIZONTAL = {
    "General": "general",
    "Left": "left",
    "Center": "center",
    "Right": "right",
    "Fill": "fill",
    "Justify": "justify",
    "CenterAcrossSelection": "centerContinuous",
    "Distributed": "distributed",
}
_VERTICAL = {
    "Top": "top",
    "Center": "center",
    "Bottom": "bottom",
    "Justify": "justify",
    "Distributed": "distributed",
}


def _range_adjust_indent(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    for cell in _cells(ws, _bounds(action)):
        alignment = copy.copy(cell.alignment)
        alignment.indent = max(0, (alignment.indent or 0) + int(action["args"][0]))
        cell.alignment = alignment


def _set_column_width(state: _State, action: dict) -> None:
    # The remote engine passes points; openpyxl stores character widths (Calibri 11: 7 px + 5 px pad).
    ws = state.sheet(action)
    points = float(action["args"][0])
    width = max(0.0, (points * 96 / 72 - 5) / 7)
    _, min_col, _, max_col = _bounds(action)
    for col in range(min_col, max_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = round(width, 2)


def _set_row_height(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, _, max_row, _ = _bounds(action)
    for row in range(min_row, max_row + 1):
        ws.row_dimensions[row].height = float(action["args"][0])


def _set_row_hidden(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, _, max_row, _ = _bounds(action)
    for row in range(min_row, max_row + 1):
        ws.row_dimensions[row].hidden = bool(action["args"][0])


def _set_column_hidden(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    _, min_col, _, max_col = _bounds(action)
    for col in range(min_col, max_col + 1):
        ws.column_dimensions[get_column_letter(col)].hidden = bool(action["args"][0])


def _range_group(delta: int) -> Callable[[_State, dict], None]:
    def handler(state: _State, action: dict) -> None:
        ws = state.sheet(action)
        min_row, min_col, max_row, max_col = _bounds(action)
        if action["args"][0] in ("rows", "r"):
            dims = [ws.row_dimensions[r] for r in range(min_row, max_row + 1)]
        else:
            dims = [ws.column_dimensions[get_column_letter(c)] for c in range(min_col, max_col + 1)]
        for dim in dims:
            dim.outline_level = max(0, min(7, (dim.outline_level or 0) + delta))

    return handler


def _range_merge(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, max_row, max_col = _bounds(action)
    across = bool(action["args"][0]) if action.get("args") else False
    rows = [(r, r) for r in range(min_row, max_row + 1)] if across else [(min_row, max_row)]
    for first, last in rows:
        if (first, min_col) != (last, max_col):
            ws.merge_cells(start_row=first, start_column=min_col, end_row=last, end_column=max_col)


def _range_unmerge(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, max_row, max_col = _bounds(action)
    for merged in list(ws.merged_cells.ranges):
        if (
            merged.min_row <= max_row
            and merged.max_row >= min_row
            and merged.min_col <= max_col
            and (merged.max_col >= min_col)
        ):
            ws.unmerge_cells(str(merged))


def _range_select(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    address = _address(*_bounds(action))
    ws.sheet_view.selection[0].sqref = address
    ws.sheet_view.selection[0].activeCell = address.split(":")[0]


def _address(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    first = f"{get_column_letter(min_col)}{min_row}"
    return (
        first
        if (min_row, min_col) == (max_row, max_col)
        else f"{first}:{get_column_letter(max_col)}{max_row}"
    )


def _range_delete(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, max_row, max_col = _bounds(action)
    _range_clear(state, action)
    shift = action["args"][0]
    if shift == "up":
        if ws.max_row > max_row:
            ws.move_range(_address(max_row + 1, min_col, ws.max_row, max_col), rows=-(max_row - min_row + 1))
    elif shift == "left":
        if ws.max_column > max_col:
            ws.move_range(
                _address(min_row, max_col + 1, max_row, ws.max_column), cols=-(max_col - min_col + 1)
            )
    else:
        raise ValueError(f"shift must be 'up' or 'left', got {shift!r}")


def _range_insert(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, max_row, max_col = _bounds(action)
    shift = action["args"][0]
    if shift == "down":
        if ws.max_row >= min_row:
            ws.move_range(_address(min_row, min_col, ws.max_row, max_col), rows=max_row - min_row + 1)
    elif shift == "right":
        if ws.max_column >= min_col:
            ws.move_range(_address(min_row, min_col, max_row, ws.max_column), cols=max_col - min_col + 1)
    else:
        raise ValueError(f"shift must be 'down' or 'right', got {shift!r}")


def _copy_range(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    dest_sheet_ix, dest_address = action["args"][0], action["args"][1]
    if dest_sheet_ix is None:
        raise UnsupportedActionError("copyRange", "copying to the clipboard has no file equivalent")
    dest = state.wb.worksheets[dest_sheet_ix]
    min_row, min_col, max_row, max_col = _bounds(action)
    top, left, _, _ = _a1(dest_address)
    for r in range(min_row, max_row + 1):
        for c in range(min_col, max_col + 1):
            source = ws.cell(row=r, column=c)
            target = dest.cell(row=top + r - min_row, column=left + c - min_col)
            target.value = source.value
            if source.has_style:
                target._style = copy.copy(source._style)


def _add_note(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    address, text = action["args"][0], action["args"][1]
    ws[address.replace("$", "")].comment = Comment(str(text), "xlwings")


def _set_note_text(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    cell = ws[action["args"][0].replace("$", "")]
    if cell.comment is None:
        raise ValueError(f"There's no note on {cell.coordinate} to set the text of.")
    cell.comment = Comment(str(action["args"][1]), cell.comment.author or "xlwings")


def _delete_note(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    ws[action["args"][0].replace("$", "")].comment = None


# --------------------------------------------------------------------------- sheet actions


def _add_sheet(state: _State, action: dict) -> None:
    position, name = (list(action["args"]) + [None, None])[:2]
    wb = state.wb
    if name is None:
        n = 1
        while f"Sheet{n}" in wb.sheetnames:
            n += 1
        name = f"Sheet{n}"
    ws = wb.create_sheet(title=str(name), index=int(position))
    if state.client == "VBA":  # Sheets.Add activates the new sheet; Office.js worksheets.add doesn't
        _activate(wb, ws)


def _activate(wb: Workbook, ws: Worksheet) -> None:
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = wb._sheets.index(ws)


def _activate_sheet(state: _State, action: dict) -> None:
    _activate(state.wb, state.wb.worksheets[int(action["args"][0])])


def _set_sheet_name(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    old, new = ws.title, str(action["args"][0])
    ws.title = new
    # Excel rewrites defined names that point at the renamed sheet.
    for defn in list(state.wb.defined_names.values()) + [
        d for sheet in state.wb.worksheets for d in sheet.defined_names.values()
    ]:
        if defn.attr_text and old in defn.attr_text:
            defn.attr_text = re.sub(
                rf"(?<![\w'])('?){re.escape(old)}\1!", lambda m: f"{_quote(new)}!", defn.attr_text
            )


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) else "'" + name.replace("'", "''") + "'"


def _set_sheet_visibility(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    ws.sheet_state = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}[action["args"][0]]


def _set_show_gridlines(state: _State, action: dict) -> None:
    state.sheet(action).sheet_view.showGridLines = bool(action["args"][0])


def _sheet_delete(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    was_active = state.wb.active is ws
    state.wb.remove(ws)
    if was_active and state.wb.worksheets:
        _activate(state.wb, state.wb.worksheets[min(action["sheet_position"], len(state.wb.worksheets) - 1)])


def _sheet_clear(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    if ws.protection.sheet:
        raise UnsupportedActionError("sheetClear", f"sheet {ws.title!r} is protected: Excel refuses to clear it")
    for cell in list(ws._cells.values()):
        _clear_contents(cell)
        _clear_formats(cell)
        cell.hyperlink = None
        cell.comment = None
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))


def _sheet_clear_contents(state: _State, action: dict) -> None:
    for cell in list(state.sheet(action)._cells.values()):
        _clear_contents(cell)


def _sheet_clear_formats(state: _State, action: dict) -> None:
    for cell in list(state.sheet(action)._cells.values()):
        _clear_formats(cell)


def _set_sheet_position(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    new_ix = int(action["args"][0])
    state.wb.move_sheet(ws, offset=new_ix - state.wb._sheets.index(ws))


def _copy_sheet(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    position, target_ix, name = action["args"][0], int(action["args"][1]), str(action["args"][2])
    copied = state.wb.copy_worksheet(ws)
    copied.title = name
    new_ix = target_ix if position == "Before" else target_ix + 1
    state.wb.move_sheet(copied, offset=new_ix - state.wb._sheets.index(copied))


def _freeze_at(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    address = str(action["args"][0]).replace("$", "")
    min_col, min_row, max_col, max_row = range_boundaries(address)
    # Office.js freezeAt(range): the range is the frozen top-left pane.
    first_row = (max_row + 1) if max_row is not None else 1
    first_col = (max_col + 1) if max_col is not None else 1
    ws.freeze_panes = f"{get_column_letter(first_col)}{first_row}"


def _unfreeze(state: _State, action: dict) -> None:
    state.sheet(action).freeze_panes = None


def _set_print_area(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    value = action["args"][0]
    if value:
        ws.print_area = value
    else:
        ws._print_area = None


# --------------------------------------------------------------------------- names / book


def _names_add(state: _State, action: dict) -> None:
    name, refers_to = action["args"][0], action["args"][1]
    defn = DefinedName(name, attr_text=str(refers_to).lstrip("="))
    if action.get("sheet_position") is None:
        state.wb.defined_names[name] = defn
    else:
        state.sheet(action).defined_names[name] = defn


def _set_range_name(state: _State, action: dict) -> None:
    ws = state.sheet(action)
    min_row, min_col, max_row, max_col = _bounds(action)
    first = f"${get_column_letter(min_col)}${min_row}"
    ref = (
        first
        if (min_row, min_col) == (max_row, max_col)
        else (f"{first}:${get_column_letter(max_col)}${max_row}")
    )
    name = str(action["args"][0])
    state.wb.defined_names[name] = DefinedName(name, attr_text=f"{_quote(ws.title)}!{ref}")


def _scope_names(state: _State, book_scope: bool, scope_sheet_index: int | None):
    return state.wb.defined_names if book_scope else state.wb.worksheets[scope_sheet_index].defined_names


def _name_delete(state: _State, action: dict) -> None:
    _, _, name, _, book_scope, scope_sheet_index = action["args"]
    names = _scope_names(state, book_scope, scope_sheet_index)
    local = name.rsplit("!", 1)[-1]
    if local in names:
        del names[local]


def _set_name_refers_to(state: _State, action: dict) -> None:
    name, book_scope, scope_sheet_index, value = action["args"]
    names = _scope_names(state, book_scope, scope_sheet_index)
    local = name.rsplit("!", 1)[-1]
    names[local] = DefinedName(local, attr_text=str(value).lstrip("="))


def _set_calculation(state: _State, action: dict) -> None:
    mode = {"Automatic": "auto", "Manual": "manual", "AutomaticExceptTables": "autoNoTable"}[
        action["args"][0]
    ]
    state.wb.calculation.calcMode = mode


_HANDLERS: dict[str, Callable[[_State, dict], None]] = {
    # ranges
    "setValues": _set_values,
    "setFormula": _set_formula,
    "rangeClearContents": _range_clear_contents,
    "rangeClearFormats": _range_clear_formats,
    "rangeClear": _range_clear,
    "setRangeColor": _set_range_color,
    "setRangeColors": _set_range_colors,
    "addHyperlink": _add_hyperlink,
    "setNumberFormat": _set_number_format,
    "setFontProperty": _set_font_property,
    "setWrapText": _set_alignment("wrap_text", {}),
    "setHorizontalAlignment": _set_alignment("horizontal", _HORIZONTAL),
    "setVerticalAlignment": _set_alignment("vertical", _VERTICAL),
    "rangeAdjustIndent": _range_adjust_indent,
    "setColumnWidth": _set_column_width,
    "setRowHeight": _set_row_height,
    "setRowHidden": _set_row_hidden,
    "setColumnHidden": _set_column_hidden,
    "rangeGroup": _range_group(+1),
    "rangeUngroup": _range_group(-1),
    "rangeMerge": _range_merge,
    "rangeUnmerge": _range_unmerge,
    "rangeSelect": _range_select,
    "rangeDelete": _range_delete,
    "rangeInsert": _range_insert,
    "copyRange": _copy_range,
    "addNote": _add_note,
    "setNoteText": _set_note_text,
    "deleteNote": _delete_note,
    # sheets
    "addSheet": _add_sheet,
    "activateSheet": _activate_sheet,
    "setSheetName": _set_sheet_name,
    "setSheetVisibility": _set_sheet_visibility,
    "setShowGridlines": _set_show_gridlines,
    "sheetDelete": _sheet_delete,
    "sheetClear": _sheet_clear,
    "sheetClearContents": _sheet_clear_contents,
    "sheetClearFormats": _sheet_clear_formats,
    "setSheetPosition": _set_sheet_position,
    "copySheet": _copy_sheet,
    "freezePaneAtRange": _freeze_at,
    "freezePaneUnfreeze": _unfreeze,
    "setPrintArea": _set_print_area,
    # names / book
    "namesAdd": _names_add,
    "setRangeName": _set_range_name,
    "nameDelete": _name_delete,
    "setNameRefersTo": _set_name_refers_to,
    "setCalculation": _set_calculation,
}

#: Actions that change the running Excel but not the file: recorded and returned, not applied.
NON_FILE_ACTIONS: frozenset[str] = frozenset(
    {"alert", "calculate", "save", "setScreenUpdating", "setAutofit", "setSheetAutofit"}
)

#: Actions xlwings can emit that apply_actions deliberately does not reproduce.
_KNOWN_UNSUPPORTED: dict[str, str] = {
    "rangeToPng": "rendering needs Excel",
    "chartToPng": "rendering needs Excel",
    **{
        f: "not implemented in tests/support/apply.py (pictures, charts, shapes, tables, pivots, "
        "borders, conditional formats, data validation, comments, sorting and autofill are not modelled)"
        for f in (
            "addPicture",
            "updatePicture",
            "deletePicture",
            "setPictureName",
            "setPictureLeft",
            "setPictureTop",
            "setPictureWidth",
            "setPictureHeight",
            "setPictureLockAspectRatio",
            "addChart",
            "setChartName",
            "setChartType",
            "setChartSourceData",
            "setChartXAxisValues",
            "setChartPosition",
            "deleteChart",
            "setChartPlotBy",
            "setChartSeries",
            "setChartAxis",
            "addTable",
            "setTableName",
            "resizeTable",
            "showAutofilterTable",
            "showHeadersTable",
            "showTotalsTable",
            "showTableStyleFirstColumn",
            "showTableStyleLastColumn",
            "showTableStyleRowStripes",
            "showTableStyleColumnStripes",
            "setTableStyle",
            "tableSort",
            "addTableRow",
            "deleteTableRow",
            "addTableColumn",
            "deleteTableColumn",
            "addPivotTable",
            "setBorderProperty",
            "addConditionalFormat",
            "setConditionalFormat",
            "deleteConditionalFormat",
            "clearConditionalFormats",
            "setDataValidationList",
            "setDataValidationRule",
            "deleteDataValidation",
            "addComment",
            "setCommentText",
            "setCommentResolved",
            "addCommentReply",
            "deleteComment",
            "rangeSort",
            "rangeRemoveDuplicates",
            "rangeReplaceAll",
            "rangeAutofill",
            "copyFromRange",
            "moveRange",
            "setFormulaArray",
            "setShapeName",
            "setShapeLeft",
            "setShapeTop",
            "setShapeWidth",
            "setShapeHeight",
            "setShapeText",
            "setShapeFontProperty",
            "deleteShape",
            "scaleShape",
        )
    },
}

#: Names of the actions apply_actions reproduces in the file.
SUPPORTED_ACTIONS: frozenset[str] = frozenset(_HANDLERS)
