"""The sheets the ribbon's buttons write (Issues, Scores, Summary), as empty sheets built into every template.

No client (VBA's Remote.bas, the Office.js task pane) can set column widths, page setup or charts, so these
sheets are built with them: fixed column widths that fit every label and number sipxl.excel.pages writes,
landscape, one page wide, and on the Summary a before/after chart over the cells where the results table is
written. The buttons only clear the cells and write values and formats, which keeps all of that. The Issues
sheet's columns wrap text (a column format the buttons' Clear Contents keeps), so each issue stays one row that
grows as tall as its longest text.
"""

from __future__ import annotations

from .model import ChartSpec, Guidance, Heading, Sheet

#: Severity, Code, Cell, Label, Value, Problem, What to do: 136 characters, one landscape A4 page wide at 100 %.
ISSUES_WIDTHS = (9.0, 11.0, 16.0, 24.0, 16.0, 34.0, 26.0)
ISSUES_HEADER_ROW = 4  # 0-based: the title, two lines, a blank row, then the header
SCORES_WIDTHS = (46.0, 18.0, 18.0, 18.0, 20.0, 20.0, 20.0, 18.0)
SUMMARY_WIDTHS = (38.0, 12.0, 12.0, 12.0, 14.0, 12.0, 3.0, 11.0, 11.0, 11.0, 11.0, 11.0)
SUMMARY_COLUMNS = 6  # the chart sits to the right of these
RESULTS_HEADING_ROW = 4  # the results table on the Summary: heading, header, then one row per pupil
RESULTS_HEADER_ROW = 5
RESULTS_ROWS = 8  # as many as the pupil register
#: Places (a page each) for the Scores sheet's blocks: more than the largest workbook needs (tests/test_print.py).
SCORES_SLOTS = 16
SUMMARY_CHART = ChartSpec(
    title="Each pupil before and after", category_col=0, value_cols=(1, 2), header_row=RESULTS_HEADER_ROW,
    first_row=RESULTS_HEADER_ROW + 1, last_row=RESULTS_HEADER_ROW + RESULTS_ROWS, anchor=(RESULTS_HEADING_ROW, 7),
    size=(380, 250),
)


def scores_sheet() -> Sheet:
    return Sheet("scores", "Scores", (
        Heading("Scores"),
        Guidance("Click Score on the SIPXL tab of the ribbon: each assessment's scores are written here."),
    ), landscape=True, report=True, report_slots=SCORES_SLOTS, col_widths=SCORES_WIDTHS, width=len(SCORES_WIDTHS))


def summary_sheet() -> Sheet:
    return Sheet("summary", "Summary", (
        Heading("Summary"),
        Guidance("Click Summary on the SIPXL tab of the ribbon: a one-page summary of the project is written here, "
                 "with the results table and a before/after chart."),
    ), landscape=True, report=True, report_pages=1, col_widths=SUMMARY_WIDTHS, width=len(SUMMARY_WIDTHS),
        chart=SUMMARY_CHART)


def issues_sheet() -> Sheet:
    return Sheet("issues", "Issues", (
        Heading("Issues"),
        Guidance("Click Validate on the SIPXL tab of the ribbon: every problem in this workbook is listed here, "
                 "with a link to its cell."),
    ), landscape=True, report=True, col_widths=ISSUES_WIDTHS, width=len(ISSUES_WIDTHS),
        table_header=ISSUES_HEADER_ROW)
