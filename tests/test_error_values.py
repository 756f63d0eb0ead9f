"""TRUE/FALSE and error values (#N/A, #DIV/0!...) in answer cells: reported at the cell, in the teacher's words,
whichever way the workbook arrives: a file (calamine, with the error cells found in the sheet XML) or a ribbon
button's ``xw.Book(json=payload)``, where both xlwings clients send an error cell as its text.

(That the sheet's formulas show "check entry" for them, in LibreOffice, is tests/test_agreement.py's.)
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support.apply import apply_actions

import sipxl.excel.xlremote  # noqa: F401  (sets the xlwings environment before anything imports xlwings)
from sipxl.engine import check_file
from sipxl.excel import buttons
from sipxl.excel.bookread import raw_from_book
from sipxl.excel.cells import cell_display
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import build_template
from sipxl.sample import clean_values
from sipxl.spec import layout_template
from sipxl.spec.layout import excel_ref
from sipxl.spec.values import ERROR_TEXTS, CellError

CLIENTS = ["Office.js", "VBA"]


def _clients_code() -> tuple[str, str]:
    import xlwings
    import xlwings_server

    vba = (Path(xlwings.__file__).parent / "addin" / "WebHelpers.bas").read_text(encoding="utf-8", errors="replace")
    js = (Path(xlwings_server.__file__).parent / "static" / "js" / "custom-scripts" / "index.js").read_text(
        encoding="utf-8")
    return vba, js


def test_the_clients_send_an_error_cell_as_its_text() -> None:
    """What bookread relies on, read from the clients' own code: VBA's JSON writer turns each error (vbError)
    into its text; Office.js sends range.values, where Excel gives an error cell as its text."""
    vba, js = _clients_code()
    for code, text in (("2042", "#N/A"), ("2007", "#DIV/0!"), ("2015", "#VALUE!"), ("2023", "#REF!"),
                       ("2036", "#NUM!"), ("2029", "#NAME?"), ("2000", "#NULL!")):
        assert f'Case "Error {code}"\n            ConvertToJson = """" & "{text}" & """"' in vba.replace("\r", "")
        assert text in ERROR_TEXTS
    assert 'load("values, numberFormat")' in js and 'values = item["range"].values;' in js


def _item(layout, pupil: int, item: int) -> tuple[str, int, int]:
    place = layout.grids["social_skills"]
    return ("social_skills", place.item_rows[item], place.columns[(pupil, "Pre")])


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A Social Skills workbook with #N/A, #DIV/0! and TRUE pasted into three item cells (openpyxl writes the
    errors as error cells, as Excel saves a pasted #N/A)."""
    template, values = clean_values("social_skills")
    layout = layout_template(template)
    values = {**values, _item(layout, 2, 5): True}
    path = build_template(template, tmp_path_factory.mktemp("odd") / "odd.xlsx", values=values)
    wb = openpyxl.load_workbook(path)
    ws = wb["Social Skills"]
    typed = {}
    for (_, row, col), text in ((_item(layout, 0, 2), "#N/A"), (_item(layout, 1, 7), "#DIV/0!")):
        ws.cell(row + 1, col + 1).value = text
        assert ws.cell(row + 1, col + 1).data_type == "e"
        typed[excel_ref("Social Skills", row, col)] = text
    wb.save(path)
    _, row, col = _item(layout, 2, 5)
    typed[excel_ref("Social Skills", row, col)] = "TRUE"
    return path, typed


def _check(issues, typed: dict[str, str]) -> None:
    found = {i.cell: i for i in issues}
    for cell, text in typed.items():
        i = found[cell]
        assert i.severity == "error"
        if text == "TRUE":
            assert i.code == "SIPXL-V011"
            assert "holds the logical value TRUE" in i.message
        else:
            assert i.code == "SIPXL-V009" and i.value == text
            assert f"holds the error value {text}" in i.message
        assert "a whole number from 0 to 4, or leave the cell blank" in i.fix


def test_a_file_reports_each_at_its_cell(odd) -> None:
    path, typed = odd
    check = check_file(path)
    _check(check.issues, typed)
    assert not check.valid


@pytest.mark.parametrize("client", CLIENTS)
def test_a_button_reports_each_at_its_cell(odd, tmp_path: Path, client: str) -> None:
    """Through a client's payload: the error cells arrive as their text, bookread reads them as error values
    (xlwings alone would read them as empty cells), and Validate lists them as the file check does."""
    path, typed = odd
    payload = payload_from_xlsx(path, client=client)
    sheet = next(s for s in payload["sheets"] if s["name"] == "Social Skills")
    for cell, text in typed.items():
        row, col = _rc(cell)
        assert sheet["values"][row][col] == (True if text == "TRUE" else text)
    book = book_from_payload(payload)
    for cell, text in typed.items():
        row, col = _rc(cell)
        if text != "TRUE":  # the default read loses it: the reason bookread reads with err_to_str
            assert book.sheets["Social Skills"].range((row + 1, col + 1)).value is None
    grid = raw_from_book(book).grids["social_skills"]
    for cell, text in typed.items():
        row, col = _rc(cell)
        assert grid[row][col] == (True if text == "TRUE" else CellError(text))
    buttons.validate(book)
    apply_actions(path, book.json()["actions"], tmp_path / "validated.xlsx", client=client)
    rows = list(openpyxl.load_workbook(tmp_path / "validated.xlsx")[buttons.ISSUES_SHEET].iter_rows(values_only=True))
    listed = {(r[1], r[2]) for r in rows[buttons.ISSUES_FIRST_ROW + 1:] if r[1]}
    for cell, text in typed.items():
        row, col = _rc(cell)
        code = "SIPXL-V011" if text == "TRUE" else "SIPXL-V009"
        assert (code, cell_display("Social Skills", row, col)) in listed
    assert {(i.code, i.cell) for i in check_file(path).issues} >= {
        ("SIPXL-V011" if t == "TRUE" else "SIPXL-V009", c) for c, t in typed.items()}


def _rc(cell: str) -> tuple[int, int]:
    from sipxl.excel.cells import parse_ref

    _, row, col = parse_ref(cell)
    return row, col


def test_every_formula_tests_errors_and_booleans_before_numbers() -> None:
    """Each calculated cell that uses a number or choice answer tests ISERROR, then ISLOGICAL, before any
    ISNUMBER, inside an IFERROR that turns a test meeting an error into "check entry". In Excel that makes
    TRUE/FALSE and error values "check entry" (LibreOffice, where TRUE is the number 1, checks the errors:
    tests/test_agreement.py)."""
    from test_agreement import answer_rules

    from sipxl.spec import all_templates
    from sipxl.spec.formulas import direct_references, formula_cells

    checked = 0
    for template in all_templates():
        rules = answer_rules(template)
        refs = direct_references(template)
        for cell, text in formula_cells(template).items():
            if not any(rules[c].type in ("integer", "number", "choice") for c in refs[cell] if c in rules):
                continue
            checked += 1
            assert text.startswith("{=") and "IF(IFERROR((" in text, (template.kind, cell, text[:80])
            first = text.index("ISERROR(")
            assert first < text.index("ISLOGICAL(") and "ISNUMBER(" not in text[:first], (template.kind, cell)
    assert checked > 100
