"""The dashboard's and the validation report's sheets write their cells' XML themselves (sipxl.consolidate.xlsx_cells,
for speed): the workbook must be byte for byte the one xlsxwriter writes, whatever the text (XML's special
characters, control characters, text looking like Excel's _xHHHH_ escapes, white space at either end, rich
text), in both of xlsxwriter's modes (shared strings; constant_memory's inline strings)."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sipxl.consolidate.xlsx_cells import CellSheet

FIXED = dt.datetime(2026, 1, 1)
TRICKY = ["", " ", "a ", " a", "\t", "x\n", "\n", "a\r\nb", "_x0041_", "_x00zz_", "<r>x</r>", "a&b", '"q"', "<", ">",
          "\x00", "\x07", "\x1f", "\ufffe", "\uffff", "\u00a0", "\u2003x", "é", "🙂", "plain text"]
tricky = st.sampled_from(TRICKY)
text = st.one_of(st.text(max_size=20), st.lists(tricky | st.text(max_size=3), max_size=5).map("".join))
value = st.one_of(text, st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                  st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)), st.none())
cells = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6), value, st.booleans()), max_size=40)


def _write(path: Path, rows: list, constant_memory: bool, sheet_class) -> dict[str, bytes]:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "tmpdir": str(path.parent),
                                         "strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": FIXED})
    own = wb.add_format({"bold": True})
    dates = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Cells", sheet_class)
    ws.set_column(2, 2, 12, wb.add_format({"italic": True}))  # a column's format, for cells without their own
    ws.set_row(3, 20, wb.add_format({"underline": 1}))  # a row's format
    # constant_memory writes a row when the next begins: cells in row order there
    for row, col, v, with_format in sorted(rows, key=lambda c: c[:2]) if constant_memory else rows:
        fmt = own if with_format else None
        if isinstance(v, str):
            ws.write_string(row, col, v, fmt)
        elif isinstance(v, dt.date):
            ws.write_datetime(row, col, dt.datetime(v.year, v.month, v.day), dates if with_format else None)
        elif v is None:
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, v, fmt)
    ws.write_formula(40, 0, "=SUM(A1:A2)", own, 3)
    ws.write_url(41, 0, "internal:'Cells'!A1", own, string="See Cells")
    ws.write_rich_string(42, 0, "plain ", own, "bold", " end")
    wb.close()
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@settings(deadline=None, max_examples=150)
@given(cells, st.booleans())
@example([(i, i % 7, t, True) for i, t in enumerate(TRICKY)], True)
@example([(i, i % 7, t, True) for i, t in enumerate(TRICKY)], False)
def test_a_cell_sheet_writes_the_bytes_xlsxwriter_writes(rows, constant_memory) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        theirs = _write(Path(tmp) / "theirs.xlsx", rows, constant_memory, None)
        ours = _write(Path(tmp) / "ours.xlsx", rows, constant_memory, CellSheet)
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_the_fast_path_is_taken(tmp_path, monkeypatch) -> None:
    """The comparison above would pass if every cell went to xlsxwriter's own writer: plain text, numbers,
    dates and blanks with a format of their own must not."""
    from xlsxwriter.worksheet import Worksheet

    calls = []
    original = Worksheet._write_cell

    def counted(self, row, col, cell):
        calls.append(type(cell).__name__)
        return original(self, row, col, cell)

    monkeypatch.setattr(Worksheet, "_write_cell", counted)
    _write(tmp_path / "ours.xlsx", [(0, 0, "plain", True), (1, 1, 2.5, True), (2, 0, None, True),
                                    (2, 1, dt.date(2026, 3, 2), True), (3, 0, " lead", True)], True, CellSheet)
    # xlsxwriter's own writer: the text with a leading space, the formula and the rich text only (the link's
    # text is plain text with a format)
    assert sorted(calls) == ["Formula", "RichString", "String"]
