"""Build the JSON payload an Excel client would POST for a workbook, from an .xlsx file.

This lets tests (and offline tools) drive ribbon-button functions without Excel::

    payload = payload_from_xlsx("school.xlsx", client="VBA")
    book = book_from_payload(payload)        # sipxl.excel.xlremote
    my_button(book)
    apply_actions("school.xlsx", book.json(), "out.xlsx")   # tests/support/apply.py

Two clients are modelled (see docs/xlwings-notes.md for the sources):

* ``"Office.js"``: the xlwings Server / xlwings Lite add-in (``getBookData()`` in xlwings.js).
* ``"VBA"``: the xlwings add-in's ``RunRemotePython``/``RunServerPython`` (``Remote.bas``).

The result is what the server gets after ``json.loads`` of the request body: plain dicts, lists,
str, int/float, bool and None. Cached values are used (``data_only=True``): formulas are not sent by
either client, only their last calculated values.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any, Literal

import openpyxl
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from .xlremote import XLWINGS_VERSION

Client = Literal["Office.js", "VBA"]
CLIENTS: tuple[str, ...] = ("Office.js", "VBA")

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
_CALC_MODE = {"auto": "Automatic", "manual": "Manual", "autoNoTable": "AutomaticExceptTables"}


def payload_from_xlsx(
    path: str | Path,
    client: Client = "Office.js",
    active_sheet: str | None = None,
    selection: str | None = None,
) -> dict[str, Any]:
    """Return the payload ``client`` would send for the workbook at ``path``.

    Args:
        path: an .xlsx/.xlsm file.
        client: ``"Office.js"`` or ``"VBA"``.
        active_sheet: name of the sheet that is active when the button is clicked; defaults to the
            workbook's saved active sheet.
        selection: selected cell range on the active sheet (e.g. ``"B2:C4"``); defaults to the saved
            selection of the active sheet (``"A1"`` if none is saved).
    """
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {CLIENTS}, got {client!r}")
    path = Path(path)
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        worksheets = list(wb.worksheets)  # both clients list worksheets only (no chart sheets)
        if not worksheets:
            raise ValueError(f"{path} has no worksheets")
        if active_sheet is None:
            active = wb.active if isinstance(wb.active, Worksheet) else worksheets[0]
        else:
            matches = [ws for ws in worksheets if ws.title == active_sheet]
            if not matches:
                raise ValueError(f"{path} has no sheet named {active_sheet!r}")
            active = matches[0]
        active_index = worksheets.index(active)
        if selection is None:
            selection = _saved_selection(active)
        selection = _selection_address(selection, client)

        book: dict[str, Any] = {
            "name": path.name,
            "active_sheet_index": active_index,
            "selection": selection,
        }
        if client == "Office.js":
            calc_mode = getattr(getattr(wb, "calculation", None), "calcMode", None) or "auto"
            book["calculation"] = _CALC_MODE.get(calc_mode, "Automatic")

        payload: dict[str, Any] = {
            "client": client,
            "version": XLWINGS_VERSION,
            "book": book,
            "names": _names(wb, worksheets, client),
            "sheets": [_sheet(ws, client) for ws in worksheets],
        }
    finally:
        wb.close()
    # What the server sees is the parsed JSON body: make sure it round-trips.
    return json.loads(json.dumps(payload))


# --------------------------------------------------------------------------- values


def excel_serial(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> float:
    """Excel serial number (1900 system, as both clients use after conversion) of a date/time."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400


def iso_for_client(value: dt.datetime | dt.date | dt.time | dt.timedelta, client: Client) -> str:
    """The string a client sends for a date/time cell.

    Office.js: ``new Date(Math.round((serial - 25569) * 86400 * 1000)).toISOString()``, i.e.
    millisecond precision with a ``Z`` (no time-zone shift: the serial is read as UTC).
    VBA: ``Format$(date, "yyyy-mm-ddTHH:mm:ss.000Z")``, i.e. whole seconds and a literal ``.000Z``.
    Time-only values come through as dates on 1899-12-30.
    """
    serial = excel_serial(value)
    if client == "Office.js":
        ms = round(serial * 86400 * 1000)
        moment = _EXCEL_EPOCH + dt.timedelta(milliseconds=ms)
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"
    seconds = round(serial * 86400)
    moment = _EXCEL_EPOCH + dt.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"


def _json_number(value: int | float) -> int | float:
    # JSON.stringify(5.0) == "5" in JS and VBA writes Str(5#) == "5": the server parses an int.
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _cell_value(value: Any, client: Client) -> Any:
    if value is None or value == "":
        # Office.js: range.values has "" for empty cells; VBA: Empty becomes JSON null.
        return "" if client == "Office.js" else None
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return iso_for_client(value, client)
    if isinstance(value, (int, float)):
        return _json_number(value)
    if isinstance(value, str):
        return value
    return str(value)  # e.g. openpyxl's rich text or unexpected types: send their text


# --------------------------------------------------------------------------- ranges


def _values_bounds(ws: Worksheet) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of cells holding a value, or None if there are none."""
    rows, cols = [], []
    for (row, col), cell in ws._cells.items():
        if cell.value is not None and cell.value != "":
            rows.append(row)
            cols.append(col)
    if not rows:
        return None
    return min(rows), min(cols), max(rows), max(cols)


def _cells_bounds(ws: Worksheet) -> tuple[int, int, int, int] | None:
    """Bounds of all stored cells, formatted-but-empty ones included (like Excel's UsedRange)."""
    if not ws._cells:
        return None
    rows = [row for row, _ in ws._cells]
    cols = [col for _, col in ws._cells]
    return min(rows), min(cols), max(rows), max(cols)


def _address(min_row: int, min_col: int, max_row: int, max_col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    first = f"{d}{get_column_letter(min_col)}{d}{min_row}"
    if (min_row, min_col) == (max_row, max_col):
        return first
    return f"{first}:{d}{get_column_letter(max_col)}{d}{max_row}"


def _matrix(ws: Worksheet, max_row: int, max_col: int, client: Client) -> list[list[Any]]:
    cells = ws._cells  # reading through ws.cell() would create the missing cells
    return [
        [_cell_value(cells[(r, c)].value if (r, c) in cells else None, client) for c in range(1, max_col + 1)]
        for r in range(1, max_row + 1)
    ]


def _saved_selection(ws: Worksheet) -> str:
    try:
        sqref = ws.sheet_view.selection[0].sqref
    except (IndexError, AttributeError):
        sqref = None
    return str(sqref) if sqref else "A1"


def _selection_address(selection: str | None, client: Client) -> str | None:
    if selection is None:
        return None
    areas = [a for a in re.split(r"[ ,]+", selection.replace("$", "").upper()) if a]
    if not areas:
        return None
    if client == "Office.js":
        # getSelectedRange() throws for a multi-area selection; the client then sends null.
        return areas[0] if len(areas) == 1 else None
    return ",".join(areas)  # VBA: Selection.Address(False, False)


# --------------------------------------------------------------------------- sheets


def _sheet(ws: Worksheet, client: Client) -> dict[str, Any]:
    if client == "VBA":
        return {
            "name": ws.title,
            "pictures": _pictures(ws, client),
            "tables": _tables(ws, client),
            "values": _vba_values(ws),
        }
    bounds = _values_bounds(ws)
    if bounds is None:
        # getUsedRangeOrNullObject(true) is null: the client reads A1:A1 instead.
        values = [[""]]
        used = {"used_range_address": None, "used_range_row_count": 0, "used_range_column_count": 0}
    else:
        min_row, min_col, max_row, max_col = bounds
        values = _matrix(ws, max_row, max_col, client)  # always anchored at A1
        used = {
            "used_range_address": _address(min_row, min_col, max_row, max_col),
            "used_range_row_count": max_row - min_row + 1,
            "used_range_column_count": max_col - min_col + 1,
        }
    pictures = _pictures(ws, client)
    return {
        "name": ws.title,
        "visibility": _VISIBILITY.get(ws.sheet_state, "Visible"),
        "print_area": _print_area(ws),
        "notes": [{"address": coord} for coord, cell in _iter_cells(ws) if cell.comment is not None],
        **used,
        "values": values,
        "pictures": pictures,
        "shapes": [
            {k: p[k] for k in ("name", "height", "width", "left", "top")} | {"type": "Image"}
            for p in pictures
        ],
        "charts": [],  # openpyxl does not read charts from existing files
        "tables": _tables(ws, client),
        # Not in the xlwings.js source that could be read, but the 0.37.8 remote engine adds both
        # keys to a new sheet for Office.js clients only (Sheets.add), i.e. it expects them there.
        "show_gridlines": bool(ws.sheet_view.showGridLines is not False),
        "pivot_tables": [],
    }


def _vba_values(ws: Worksheet) -> list[list[Any]]:
    """RunRemotePython sends A1:<last cell of UsedRange>; ``[[]]`` if UsedRange.Value is Empty."""
    bounds = _cells_bounds(ws)
    if bounds is None:
        return [[]]
    min_row, min_col, max_row, max_col = bounds
    if (min_row, min_col) == (max_row, max_col):
        value = ws._cells[(min_row, min_col)].value
        if value is None or value == "":
            return [[]]  # IsEmpty(UsedRange.Value)
    return _matrix(ws, max_row, max_col, "VBA")


def _iter_cells(ws: Worksheet):
    for (row, col), cell in sorted(ws._cells.items()):
        yield f"{get_column_letter(col)}{row}", cell


def _print_area(ws: Worksheet) -> str | None:
    area = ws.print_area
    if not area:
        return None
    parts = area if isinstance(area, (list, tuple)) else str(area).split(",")
    return ",".join(str(p).split("!")[-1].replace("$", "") for p in parts)


def _pictures(ws: Worksheet, client: Client) -> list[dict[str, Any]]:
    pictures = []
    for i, image in enumerate(getattr(ws, "_images", []), start=1):
        # openpyxl keeps neither the shape name nor the position in points.
        entry: dict[str, Any] = {
            "name": f"Picture {i}",
            "height": float(image.height) * 0.75,  # px -> pt
            "width": float(image.width) * 0.75,
        }
        if client == "Office.js":
            entry.update({"left": None, "top": None, "lock_aspect_ratio": True})
        pictures.append(entry)
    return pictures


def _tables(ws: Worksheet, client: Client) -> list[dict[str, Any]]:
    absolute = client == "VBA"  # VBA sends ListObject.Range.Address ($A$1:$C$4); Office.js has no "$"
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers = table.headerRowCount if table.headerRowCount is not None else 1
        totals = table.totalsRowCount or 0
        body_first, body_last = min_row + headers, max_row - totals
        style = table.tableStyleInfo
        entry: dict[str, Any] = {
            "name": table.displayName or table.name,
            "range_address": _address(min_row, min_col, max_row, max_col, absolute),
            "header_row_range_address": (
                _address(min_row, min_col, min_row, max_col, absolute) if headers else None
            ),
            "data_body_range_address": (
                _address(body_first, min_col, body_last, max_col, absolute)
                if body_first <= body_last
                else None
            ),
            "total_row_range_address": (
                _address(max_row, min_col, max_row, max_col, absolute) if totals else None
            ),
            "show_headers": bool(headers),
            "show_totals": bool(totals),
            "table_style": (style.name if style is not None and style.name else ""),
            "show_autofilter": table.autoFilter is not None,
        }
        if client == "Office.js":
            entry.update(
                {
                    "row_count": max_row - min_row + 1,
                    "column_count": max_col - min_col + 1,
                    "show_table_style_first_column": bool(style and style.showFirstColumn),
                    "show_table_style_last_column": bool(style and style.showLastColumn),
                    "show_table_style_row_stripes": bool(style and style.showRowStripes),
                    "show_table_style_column_stripes": bool(style and style.showColumnStripes),
                }
            )
        tables.append(entry)
    return tables


# --------------------------------------------------------------------------- names


def _quote_sheet(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not re.fullmatch(
        r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*", name
    ):
        return name
    return "'" + name.replace("'", "''") + "'"


def _name_target(defn, sheet_index: dict[str, int]) -> tuple[int, str] | None | Literal[False]:
    """(sheet index, address) of a named range; None for a multi-area range; False if not a range."""
    try:
        destinations = list(defn.destinations)
    except Exception:
        return False
    if not destinations:
        return False
    sheets = {title for title, _ in destinations}
    if len(sheets) != 1 or next(iter(sheets)) not in sheet_index:
        return False
    title = next(iter(sheets))
    if len(destinations) > 1:
        return None
    return sheet_index[title], destinations[0][1].replace("$", "")


def _names(wb, worksheets: list[Worksheet], client: Client) -> list[dict[str, Any]]:
    """Named ranges only (both clients skip constants and formulas)."""
    sheet_index = {ws.title: i for i, ws in enumerate(worksheets)}
    scoped: list[tuple[Any, Worksheet | None]] = [(d, None) for d in wb.defined_names.values()]
    for ws in worksheets:
        scoped.extend((d, ws) for d in ws.defined_names.values())

    names = []
    for defn, scope in scoped:
        if defn.name.startswith("_xlnm.") or defn.is_reserved:
            continue  # built-ins (print area, filter database) are not read as named ranges here
        target = _name_target(defn, sheet_index)
        if target is False:
            continue
        if target is None:
            if client == "VBA":
                continue  # multi-area: not modelled for RunRemotePython
            sheet_idx, address = None, None  # Office.js: getRangeOrNullObject() is null
        else:
            sheet_idx, address = target
        entry: dict[str, Any] = {"sheet_index": sheet_idx, "address": address}
        if scope is None:
            entry.update({"book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None})
            name = defn.name
        else:
            entry.update(
                {
                    "book_scope": False,
                    "scope_sheet_name": scope.title,
                    "scope_sheet_index": sheet_index[scope.title],
                }
            )
            # Excel's Name.Name (VBA) carries the sheet prefix for sheet-scoped names; Office.js doesn't.
            name = defn.name if client == "Office.js" else f"{_quote_sheet(scope.title)}!{defn.name}"
        if client == "Office.js":
            names.append({"name": name, **entry})
        else:
            names.append(
                {
                    "name": name,
                    "sheet_index": entry["sheet_index"],
                    "address": entry["address"],
                    "book_scope": entry["book_scope"],
                    "scope_sheet_name": entry["scope_sheet_name"],
                    "scope_sheet_index": entry["scope_sheet_index"],
                }
            )
    if client == "VBA":
        names.sort(key=lambda n: n["name"].casefold())  # Workbook.Names is ordered by name
    return names
