"""Row heights for wrapped text in the workbooks sipxl writes (dashboard, validation report, feedback).

xlsxwriter cannot measure text, and LibreOffice does not fit a row to its wrapped text when it opens a file, so a
row of long messages would be drawn over the next: sipxl sets the height from an estimate of the lines.
"""

from __future__ import annotations

from collections.abc import Iterable

LINE_HEIGHT = 13.5  # points a wrapped line of 10 pt text takes in a row
WRAPPED_PER_UNIT = 1.1  # characters of 10 pt Arial a column unit holds, wrapped at word ends (sipxl's estimate)


def wrapped_height(cells: Iterable[tuple[str, float]]) -> float | None:
    """The height in points a row of 10 pt Arial needs for its cells' wrapped text ((text, column width) pairs);
    None when each cell's text fits on one line, which the default height does."""
    lines = 1
    for text, width in cells:
        if len(text) > width or "\n" in text:  # else one line, whatever the width: most cells
            lines = max(lines, wrapped_lines(text, width, WRAPPED_PER_UNIT))
    return LINE_HEIGHT * lines if lines > 1 else None


def fit_row(ws, row: int, cells: Iterable[tuple[str, float]]) -> None:
    """Make the worksheet's row tall enough for its cells' wrapped text (see wrapped_height); a row whose text
    fits on one line keeps the default height."""
    height = wrapped_height(cells)
    if height:
        ws.set_row(row, height)


def wrapped_lines(text: str, width: float, per_unit: float = 0.9) -> int:
    """About how many lines `text` takes wrapped in a column `width` wide (Excel's column units), at `per_unit`
    characters a unit."""
    per_line = max(4, int(width * per_unit))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
