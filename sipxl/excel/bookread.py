"""Read a workbook's answers through the xlwings API, the way :func:`sipxl.io.read.read_workbook` reads a file.

The ribbon buttons receive an ``xw.Book`` (the remote engine's book built from a client's payload, or a live
book under classic RunPython). This module turns it into the same :class:`~sipxl.io.read.RawWorkbook` the
file reader gives: sheets found by their template code (by name, by the ``_sipxl_<code>`` defined name that
Excel moves with a renamed sheet, or by the name recorded on the ``_sipxl`` metadata sheet), plain grids of
values anchored at A1, and the same file-level issues (not a template, newer/older version, renamed, missing
or moved sheets). Values are normalised to what the file reader (calamine) gives, so the domain sees
identical input whichever way the workbook arrived: whole numbers as floats, dates at midnight as dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..io.build import META_NAME_PREFIX, META_SHEET
from ..io.read import KNOWN_KINDS, RawWorkbook, Unreadable, _find_sheet, _version_key
from ..issues import Issue, issue
from ..spec import get_template

__all__ = ["BookInfo", "book_info", "raw_from_book", "sheet_grid"]


def _norm(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time(0, 0):
        return v.date()
    return v


def sheet_grid(sheet: Any) -> list[list]:
    """All of a sheet's values from A1 to the last used cell, as rows; ``""`` where a cell is empty."""
    try:
        last = sheet.used_range.last_cell
        nrows, ncols = last.row, last.column
    except Exception:  # an empty sheet on some clients
        return []
    if nrows < 1 or ncols < 1:
        return []
    values = sheet.range((1, 1), (nrows, ncols)).options(ndim=2).value or []
    return [[_norm(v) for v in row] for row in values]


class BookInfo:
    """What a book says about itself: sheet names, the metadata sheet, and the ``_sipxl_*`` names."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.sheet_names: list[str] = [s.name for s in book.sheets]
        self.meta: dict[str, str] = {}
        self.built_names: dict[str, str] = {}
        if META_SHEET in self.sheet_names:
            for row in sheet_grid(book.sheets[META_SHEET]):
                if len(row) >= 2 and row[0] not in ("", None):
                    key = _text(row[0])
                    if key in ("kind", "version", "title"):
                        self.meta[key] = _text(row[1])
                    else:
                        self.built_names[key] = _text(row[1])
        self.defined: dict[str, str] = {}
        try:
            names = list(book.names)
        except Exception:  # pragma: no cover - a client that sends no names
            names = []
        for name in names:
            try:
                local = name.name.rsplit("!", 1)[-1]
                if local.startswith(META_NAME_PREFIX):
                    self.defined[local[len(META_NAME_PREFIX):]] = name.refers_to_range.sheet.name
            except Exception:  # a name that no longer refers to a range (#REF!)
                continue

    @property
    def kind(self) -> str | None:
        return self.meta.get("kind") or None

    @property
    def version(self) -> str:
        return self.meta.get("version", "")


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def book_info(book: Any) -> BookInfo:
    return BookInfo(book)


def raw_from_book(book: Any, info: BookInfo | None = None) -> RawWorkbook:
    """The book's template sheets as grids, located by code; raise Unreadable if it is not a sipxl template."""
    info = info or BookInfo(book)
    kind = info.kind
    if not kind:
        raise Unreadable(issue("SIPXL-F004", detail="it has no sipxl metadata sheet"))
    if kind not in KNOWN_KINDS:
        raise Unreadable(issue("SIPXL-F004", detail=f"unknown template kind '{kind}'"))
    template = get_template(kind)
    version = info.version
    issues: list[Issue] = []
    if _version_key(version) > _version_key(template.version):
        raise Unreadable(issue("SIPXL-F005", value=version, expected=template.version))
    if _version_key(version) < _version_key(template.version):
        issues.append(issue("SIPXL-F006", value=version, expected=template.version))
    present = info.sheet_names
    sheet_names: dict[str, str] = {}
    grids: dict[str, list[list]] = {}
    for sheet in template.sheets:
        name = _find_sheet(sheet.code, sheet.name, present, info.defined, info.built_names)
        if name is None:
            issues.append(issue("SIPXL-F009", sheet=sheet.name, expected=sheet.name))
            continue
        if name != sheet.name:
            issues.append(issue("SIPXL-F008", sheet=name, value=name, expected=sheet.name))
        sheet_names[sheet.code] = name
        grids[sheet.code] = sheet_grid(book.sheets[name])
    in_file = [n for n in present if n in set(sheet_names.values())]
    in_spec = [sheet_names[s.code] for s in template.sheets if s.code in sheet_names]
    if in_file != in_spec:
        moved = next(a for a, b in zip(in_file, in_spec, strict=True) if a != b)
        issues.append(issue("SIPXL-F012", sheet=moved, value=moved))
    return RawWorkbook(book.name, template, version, sheet_names, grids, issues, {})
