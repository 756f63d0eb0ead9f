"""Error values (#N/A, #DIV/0!, ...) in a workbook's cells, which python-calamine reads as empty cells.

A teacher who pastes a copied formula's result can leave an error value in an answer cell; the sheet's formulas
that use it show the error, so sipxl must see it too. The sheets' XML marks such a cell with t="e"; a sheet
without one is not parsed at all.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from ..spec.values import CellError
from .package import Package

_SHEET_TAG = re.compile(r"<sheet\b[^>]*>")
_REL_TAG = re.compile(r"<Relationship\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_ERROR_CELL = re.compile(r'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_VALUE = re.compile(r"<v>([^<]*)</v>")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _attrs(tag: str) -> dict[str, str]:
    return dict(_ATTR.findall(tag))


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


def _position(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref)
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def error_cells(path: Path | str | Package, sheets: set[str]) -> dict[str, list[tuple[int, int, CellError]]]:
    """For each of `sheets` (tab names) holding an error value: (row, col, the error), from 0."""
    if isinstance(path, Package):
        return _error_cells(path, sheets)
    try:
        with Package(path) as package:
            return _error_cells(package, sheets)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}  # the reader reports a damaged file in its own words


def _error_cells(zf: Package, sheets: set[str]) -> dict[str, list[tuple[int, int, CellError]]]:
    out: dict[str, list[tuple[int, int, CellError]]] = {}
    try:
        names = zf.names
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return out
        targets = {}
        for tag in _REL_TAG.findall(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")):
            a = _attrs(tag)
            target = a.get("Target", "")
            targets[a.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        for tag in _SHEET_TAG.findall(zf.read("xl/workbook.xml").decode("utf-8", "replace")):
            a = _attrs(tag)
            name, part = _unescape(a.get("name", "")), targets.get(a.get("r:id"))
            if name not in sheets or part not in names:
                continue
            data = zf.read(part)
            if b't="e"' not in data:
                continue
            for attrs, inner in _ERROR_CELL.findall(data.decode("utf-8", "replace")):
                where = _position(_attrs(attrs).get("r", ""))
                value = _VALUE.search(inner)
                if where is not None:
                    text = _unescape(value.group(1)) if value else "#N/A"
                    out.setdefault(name, []).append((*where, CellError(text)))
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, ValueError):
        return {}  # the reader reports a damaged file in its own words
    return out


def mark_error_values(grids: dict[str, list[list]], sheet_names: dict[str, str], path: Path | str | Package) -> None:
    """Put each error value of the file into its sheet's grid (code -> rows), where calamine left a blank."""
    by_name = {name: code for code, name in sheet_names.items() if grids.get(code)}
    for name, cells in error_cells(path, set(by_name)).items():
        grid = grids[by_name[name]]
        for row, col, err in cells:
            while len(grid) <= row:
                grid.append([])
            line = grid[row]
            if len(line) <= col:
                line.extend([""] * (col + 1 - len(line)))
            if line[col] in ("", None):
                line[col] = err
