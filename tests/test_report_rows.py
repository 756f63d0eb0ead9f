"""The validation report's and the feedback workbooks' rows are tall enough for their wrapped text: LibreOffice
does not fit a row to it on opening (nor can xlsxwriter measure text), so a row of long messages would otherwise
be drawn over the next."""

from __future__ import annotations

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from sipxl.consolidate import consolidate, write_outputs
from sipxl.consolidate.row_heights import LINE_HEIGHT, WRAPPED_PER_UNIT, wrapped_lines
from sipxl.consolidate.validation_report import ISSUE_COLUMNS


@given(text=st.text(alphabet=st.sampled_from("ab \n"), max_size=400), width=st.floats(1, 120),
       more=st.text(alphabet="ab ", max_size=200))
def test_wrapped_lines_grow_with_the_text_and_count_every_line_break(text, width, more) -> None:
    lines = wrapped_lines(text, width)
    assert lines >= text.count("\n") + 1
    assert lines * max(4, int(width * 0.9)) >= len(text) - text.count("\n")  # room for every character
    assert wrapped_lines(text + more, width) >= lines
    assert wrapped_lines(text, width * 2) <= lines


def _check_rows(ws, widths: dict[str, float]) -> int:
    """Every row below the header as tall as its longest text needs (the default where all fits on one line);
    the number of rows that wrap."""
    tall = 0
    for row in ws.iter_rows(min_row=ws.min_row + 1):
        lines = max([1] + [wrapped_lines(str(c.value), widths[c.column_letter], per_unit=WRAPPED_PER_UNIT)
                           for c in row if isinstance(c.value, str)])
        height = ws.row_dimensions[row[0].row].height
        if lines > 1:
            assert height == LINE_HEIGHT * lines, (ws.title, row[0].row, lines, height)
            tall += 1
        else:
            assert height is None, (ws.title, row[0].row)  # one line: the default height, which fits it
    return tall


def _widths(ws) -> dict[str, float]:
    return {c.column_letter: ws.column_dimensions[c.column_letter].width - 0.71  # xlsxwriter adds the padding
            for c in ws[ws.min_row]}


def test_each_row_is_tall_enough_for_its_longest_text(sample_authority, tmp_path) -> None:
    out = tmp_path / "out"
    write_outputs(consolidate([sample_authority], out, jobs=1), out)
    book = openpyxl.load_workbook(out / "validation_report.xlsx")
    assert [c.value for c in book["Issues"][3]] == [c.replace("_", " ").capitalize() for c in ISSUE_COLUMNS]
    assert sum(_check_rows(ws, _widths(ws)) for ws in book.worksheets) > 0  # the sample's messages wrap
    letters = sorted((out / "feedback").glob("*.xlsx"))
    assert letters
    for path in letters:
        letter = openpyxl.load_workbook(path)
        assert _check_rows(letter["Issues"], _widths(letter["Issues"])) > 0
        _check_rows(letter["Your files"], _widths(letter["Your files"]))
