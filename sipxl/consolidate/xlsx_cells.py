"""A worksheet writing its plain cells' XML in one step: the same bytes as xlsxwriter's own, for less work.

xlsxwriter writes each cell through several general steps (an attribute list, each attribute escaped, each string
searched by four regular expressions), which is most of the time the dashboard and the validation report take
(hundreds of thousands of cells at a national collection). `CellSheet._write_cell` writes the common cells —
text, a number, a date, a blank, each with its own format — directly, and hands any other cell (a formula, rich
text, a cell without a format of its own) and any text that needs escaping, whitespace kept or a control
character written as _xHHHH_ to xlsxwriter's own `_write_cell`, so the file is byte for byte what xlsxwriter
writes (tests/test_xlsx_cells.py compares them).
"""

from __future__ import annotations

import re

from xlsxwriter.worksheet import Worksheet

try:  # xlsxwriter's own cell records (3.x); an xlsxwriter without them writes every cell its own way
    from xlsxwriter.utility import xl_rowcol_to_cell_fast
    from xlsxwriter.worksheet import CellBlankTuple, CellDatetimeTuple, CellNumberTuple, CellStringTuple
except ImportError:  # pragma: no cover - not the xlsxwriter sipxl is tested with
    CellBlankTuple = CellDatetimeTuple = CellNumberTuple = CellStringTuple = None

# Text xlsxwriter would change or mark: XML's special characters, a newline, control characters and the two
# non-characters (written as _xHHHH_), text already looking like such an escape, leading or trailing white space
# (xml:space="preserve"), rich text (starts with <r>: has "<").
_PLAIN_NOT = re.compile(r'[\x00-\x1f"&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$')


class CellSheet(Worksheet):
    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = type(cell)
        fmt = getattr(cell, "format", None)
        if not fmt or CellStringTuple is None:  # no format of its own (a row's or column's may apply): its own way
            return super()._write_cell(row, col, cell)
        if kind is CellStringTuple:
            text = cell.string
            if not self.constant_memory:  # an index into the shared strings
                self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}" t="s">'
                              f"<v>{text}</v></c>")
                return None
            if _PLAIN_NOT.search(text):
                return super()._write_cell(row, col, cell)
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}" t="inlineStr">'
                          f"<is><t>{text}</t></is></c>")
        elif kind is CellNumberTuple or kind is CellDatetimeTuple:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}">'
                          f"<v>{cell.number:.16G}</v></c>")
        elif kind is CellBlankTuple:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"/>')
        else:
            return super()._write_cell(row, col, cell)
        return None
