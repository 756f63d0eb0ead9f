"""Read a workbook's answers through the xlwings API, the way :func:`sipxl.io.read.read_workbook` reads a file.

The ribbon buttons receive an ``xw.Book`` (the remote engine's book built from a client's payload, or a live
book under classic RunPython). This module turns it into the same :class:`~sipxl.io.read.RawWorkbook` the
file reader gives: sheets found by their template code (by name, by the ``_sipxl_<code>`` defined name that
Excel moves with a renamed sheet, or by the name recorded on the ``_sipxl`` metadata sheet), plain grids of
values anchored at A1, and the same file-level issues (not a template, newer/older version, renamed, missing
or moved sheets). Values are normalised to what the file reader (calamine) gives, so the domain sees
identical input whichever way the workbook arrived: whole numbers as floats, dates at midnight as dates, and
an error value as a CellError (both clients send an error cell as its text, "#N/A": VBA's
WebHelpers.ConvertToJson, Office.js's range.values).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..io.build import META_NAME_PREFIX, META_PROTECTION, META_SHEET
from ..io.read import RawWorkbook, _meta_text, raw_from_sheets
from ..spec.values import ERROR_TEXTS, CellError

__all__ = ["BookInfo", "book_info", "raw_from_book", "sheet_grid"]


def _norm(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, str) and v in ERROR_TEXTS:  # an error value, as a client sends it (read with err_to_str)
        return CellError(v)
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
    # err_to_str: without it xlwings reads an error value (#N/A) as an empty cell, and it would go unreported
    values = sheet.range((1, 1), (nrows, ncols)).options(ndim=2, err_to_str=True).value or []
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
                    key = _meta_text(row[0])
                    if key in ("kind", "version", "title"):
                        self.meta[key] = _meta_text(row[1])
                    else:
                        self.built_names[key] = _meta_text(row[1])
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

    @property
    def template_sheets_writable(self) -> bool:
        """Whether the template sheets' protection lets the buttons colour cells and write the stamp.

        Recorded on the metadata sheet by the build (:data:`sipxl.io.build.META_PROTECTION`); workbooks built
        before forbid formatting and lock the stamp cells, and no client can unprotect without a macro.
        """
        key, allows = META_PROTECTION
        return self.built_names.get(key) == allows


def book_info(book: Any) -> BookInfo:
    return BookInfo(book)


def raw_from_book(book: Any, info: BookInfo | None = None) -> RawWorkbook:
    """The book's template sheets as grids, located by code; raise Unreadable if it is not a sipxl template.

    The same identification as the file reader (sipxl.io.read.raw_from_sheets): an earlier template version
    is read with its own layout. A client sends no document properties, so only the metadata sheet counts.
    """
    info = info or BookInfo(book)
    meta_rows = [[key, value] for key, value in info.meta.items()]
    meta_rows += [[code, name] for code, name in info.built_names.items()]
    return raw_from_sheets(book.name, info.sheet_names, meta_rows, lambda name: sheet_grid(book.sheets[name]),
                           lambda: info.defined, dict)
