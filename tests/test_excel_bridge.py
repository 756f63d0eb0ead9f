"""Round trip without Excel: xlsx -> client payload -> xw.Book (remote engine) -> actions -> xlsx."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from support.apply import SUPPORTED_ACTIONS, UnsupportedActionError, _text_pixels, apply_actions

from sipxl.excel.payload import iso_for_client, payload_from_xlsx
from sipxl.excel.xlremote import XLWINGS_VERSION, book_from_payload, xw

CLIENTS = ["Office.js", "VBA"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pupils"
    ws.append(["Name", "Score", "Assessed"])
    ws.append(["Ann", 12, dt.datetime(2024, 1, 15)])
    ws.append(["Bob", 7.5, dt.datetime(2024, 2, 1, 13, 30)])
    ws.append(["Cat", None, None])  # empty cells
    ws["E6"] = "note"  # gap of empty rows/columns before the last used cell
    other = wb.create_sheet("Class Summary")
    other["B2"] = "Mean"
    other["C2"] = 9.75
    other["B3"] = True
    wb.defined_names["scores"] = DefinedName("scores", attr_text="Pupils!$B$2:$B$4")
    other.defined_names["mean_cell"] = DefinedName("mean_cell", attr_text="'Class Summary'!$C$2")
    path = tmp_path / "school.xlsx"
    wb.save(path)
    return path


def _openpyxl_matrix(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=1, min_col=1)]


# --------------------------------------------------------------------------- payload


@pytest.mark.parametrize("client", CLIENTS)
def test_payload_shape(src: Path, client: str) -> None:
    payload = payload_from_xlsx(src, client=client)
    assert payload["client"] == client
    assert payload["version"] == XLWINGS_VERSION == xw.__version__
    assert payload["book"] == {
        "name": "school.xlsx",
        "active_sheet_index": 0,
        "selection": "A1",
        **({"calculation": "Automatic"} if client == "Office.js" else {}),
    }
    assert [s["name"] for s in payload["sheets"]] == ["Pupils", "Class Summary"]
    pupils = payload["sheets"][0]
    empty = "" if client == "Office.js" else None
    # values are anchored at A1 and reach the last used cell
    assert len(pupils["values"]) == 6 and all(len(r) == 5 for r in pupils["values"])
    assert pupils["values"][1] == ["Ann", 12, "2024-01-15T00:00:00.000Z", empty, empty]
    assert pupils["values"][3][:3] == ["Cat", empty, empty]
    assert pupils["values"][5][4] == "note"
    assert payload["sheets"][1]["values"][0] == [empty, empty, empty]
    names = {n["name"]: n for n in payload["names"]}
    local = "mean_cell" if client == "Office.js" else "'Class Summary'!mean_cell"
    assert names["scores"]["address"] == "B2:B4" and names["scores"]["book_scope"] is True
    assert names[local]["scope_sheet_index"] == 1 and names[local]["address"] == "C2"
    if client == "Office.js":
        assert pupils["used_range_address"] == "A1:E6"
        assert pupils["visibility"] == "Visible"
    else:
        assert set(pupils) == {"name", "pictures", "tables", "values"}


def test_dates_as_each_client_sends_them() -> None:
    moment = dt.datetime(2024, 2, 1, 13, 30, 15, 250_000)
    assert iso_for_client(moment, "Office.js") == "2024-02-01T13:30:15.250Z"
    assert iso_for_client(moment, "VBA") == "2024-02-01T13:30:15.000Z"
    assert iso_for_client(dt.time(12, 0), "VBA") == "1899-12-30T12:00:00.000Z"


def test_active_sheet_and_selection(src: Path) -> None:
    payload = payload_from_xlsx(src, client="VBA", active_sheet="Class Summary", selection="$B$2:$C$3")
    assert payload["book"]["active_sheet_index"] == 1
    assert payload["book"]["selection"] == "B2:C3"
    book = book_from_payload(payload)
    assert book.sheets.active.name == "Class Summary"
    assert book.selection.address == "$B$2:$C$3"


@pytest.mark.parametrize("client", CLIENTS)
def test_values_through_xw_book_equal_openpyxl(src: Path, client: str) -> None:
    book = book_from_payload(payload_from_xlsx(src, client=client))
    wb = openpyxl.load_workbook(src, data_only=True)
    for ws in wb.worksheets:
        expected = _openpyxl_matrix(ws)
        got = book.sheets[ws.title].range((1, 1), (ws.max_row, ws.max_column)).options(ndim=2).value
        assert got == expected, ws.title
    assert book.sheets["Pupils"]["C2"].value == dt.datetime(2024, 1, 15)
    assert book.sheets["Pupils"]["B4"].value is None
    assert book.sheets["Class Summary"]["B3"].value is True
    assert book.names["scores"].refers_to_range.value == [12, 7.5, None]


def test_vba_client_needs_the_exact_xlwings_version(src: Path) -> None:
    payload = payload_from_xlsx(src, client="VBA")
    payload["version"] = "0.0.1"
    with pytest.raises(xw.XlwingsError, match="0.0.1"):
        book_from_payload(payload)
    office = payload_from_xlsx(src, client="Office.js")
    office["version"] = "0.0.1"
    book_from_payload(office)  # Office.js clients are not version-checked


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("client", CLIENTS)
def test_round_trip_edits(src: Path, tmp_path: Path, client: str) -> None:
    before = _sha256(src)
    book = book_from_payload(payload_from_xlsx(src, client=client))
    pupils = book.sheets["Pupils"]

    total = sum(v for v in pupils["B2:B4"].value if v is not None)
    pupils["G1"].value = [["Total", total], ["Checked", dt.date(2024, 3, 1)]]
    pupils["A1:C1"].color = (255, 230, 153)
    pupils["B3"].number_format = "0.0"
    pupils["A2"].add_hyperlink("https://example.org/ann", "Ann (profile)")
    pupils["E6"].clear_contents()
    pupils["A4:C4"].clear()
    new = book.sheets.add("Report", after=book.sheets[-1])
    new["A1"].value = "Generated"
    book.sheets["Class Summary"].name = "Summary"
    pupils.activate()

    actions = book.json()["actions"]
    funcs = [a["func"] for a in actions]
    assert set(funcs) <= SUPPORTED_ACTIONS
    for func in [
        "setValues",
        "setRangeColor",
        "setNumberFormat",
        "addHyperlink",
        "rangeClearContents",
        "rangeClear",
        "addSheet",
        "setSheetName",
        "activateSheet",
    ]:
        assert func in funcs

    dst = tmp_path / "out.xlsx"
    effects = apply_actions(src, book.json(), dst, client=client)
    assert effects == []
    assert _sha256(src) == before  # source untouched

    wb = openpyxl.load_workbook(dst)
    assert wb.sheetnames == ["Pupils", "Summary", "Report"]
    ws = wb["Pupils"]
    assert wb.active.title == "Pupils"
    assert [ws["G1"].value, ws["H1"].value] == ["Total", 19.5]
    assert ws["G2"].value == "Checked" and ws["H2"].value == dt.datetime(2024, 3, 1)
    assert ws["A1"].fill.fgColor.rgb == "FFFFE699" and ws["C1"].fill.fill_type == "solid"
    assert ws["D1"].fill.fill_type is None
    assert ws["B3"].number_format == "0.0"
    assert ws["A2"].hyperlink.target == "https://example.org/ann" and ws["A2"].value == "Ann (profile)"
    assert ws["E6"].value is None
    assert [ws[c].value for c in ("A4", "B4", "C4")] == [None, None, None]
    assert ws["A3"].value == "Bob" and ws["C2"].value == dt.datetime(2024, 1, 15)
    assert wb["Report"]["A1"].value == "Generated"
    assert wb["Summary"]["C2"].value == 9.75
    assert wb["Summary"].defined_names["mean_cell"].attr_text == "Summary!$C$2"


def test_setvalues_strings_are_typed_like_excel(src: Path, tmp_path: Path) -> None:
    book = book_from_payload(payload_from_xlsx(src))
    sheet = book.sheets["Pupils"]
    sheet["J1"].value = [["001234", "'001234", "=B2*2", "2.50", "1e3", "pupil 7"]]
    dst = tmp_path / "typed.xlsx"
    apply_actions(src, book.json(), dst)
    ws = openpyxl.load_workbook(dst)["Pupils"]
    assert [ws.cell(1, c).value for c in range(10, 16)] == [1234, "001234", "=B2*2", 2.5, 1000.0, "pupil 7"]


def test_non_file_actions_are_returned(src: Path, tmp_path: Path) -> None:
    book = book_from_payload(payload_from_xlsx(src))
    book.app.alert("Done", title="sipxl")
    book.sheets[0]["A1:C3"].columns.autofit()
    effects = apply_actions(src, book.json(), tmp_path / "out.xlsx")
    assert [e["func"] for e in effects] == ["alert", "setAutofit"]
    assert effects[0]["args"][:2] == ["Done", "sipxl"]


def test_unknown_and_unsupported_actions_raise(src: Path, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedActionError, match="'frobnicate'"):
        apply_actions(src, [{"func": "frobnicate", "args": []}], tmp_path / "a.xlsx")
    with pytest.raises(UnsupportedActionError, match="'runMacro'"):
        apply_actions(src, [{"func": "runMacro", "args": ["Module1.Foo"]}], tmp_path / "b.xlsx")
    # what only one client implements, or arguments a client reads and would not find, are refused too
    book = book_from_payload(payload_from_xlsx(src))
    book.sheets[0]["A1"].font.bold = True
    with pytest.raises(UnsupportedActionError, match="the VBA client has no such action"):
        apply_actions(src, book.json(), tmp_path / "c.xlsx")
    book = book_from_payload(payload_from_xlsx(src))
    book.sheets[0]["A1:A3"].number_format = "0.0"
    with pytest.raises(UnsupportedActionError, match="1x1 array"):
        apply_actions(src, book.json(), tmp_path / "d.xlsx")
    book = book_from_payload(payload_from_xlsx(src))
    book.sheets[0]["A1"].color = "#FFC7CE"
    [colour] = book.json()["actions"]
    with pytest.raises(UnsupportedActionError, match=r"VBA client reads args\[0\] without a null check"):
        apply_actions(src, [{**colour, "args": [None]}], tmp_path / "e.xlsx")
    with pytest.raises(UnsupportedActionError, match=r"never reads args\[1\] \('bold'\): it would be lost"):
        apply_actions(src, [{**colour, "args": ["#FFC7CE", "bold"]}], tmp_path / "g.xlsx")
    with pytest.raises(UnsupportedActionError, match="reads action\\['sheet_position'\\], which is missing"):
        apply_actions(src, [{k: v for k, v in colour.items() if k != "sheet_position"}], tmp_path / "f.xlsx")
    assert not (tmp_path / "a.xlsx").exists()
    with pytest.raises(ValueError, match="differ"):
        apply_actions(src, [], src)


def test_remote_engine_gotchas(src: Path) -> None:
    """Reads that need Excel raise on the remote engine; writes are queued as actions."""
    book = book_from_payload(payload_from_xlsx(src, client="VBA"))
    cell = book.sheets["Pupils"]["A1"]
    for read in (
        lambda: cell.color,
        lambda: cell.formula,
        lambda: cell.number_format,
        lambda: cell.font.bold,
    ):
        with pytest.raises(NotImplementedError):
            read()
    with pytest.raises(KeyError):  # the VBA client doesn't send sheet visibility
        book.sheets["Pupils"].visible  # noqa: B018
    office = book_from_payload(payload_from_xlsx(src, client="Office.js"))
    assert office.sheets["Pupils"].visible is True


def test_column_autofit_is_approximated_in_the_copy(src: Path, tmp_path: Path) -> None:
    """Excel widens autofitted columns; the copy does too, so a render shows what a teacher would see."""
    book = book_from_payload(payload_from_xlsx(src, client="Office.js"))
    sheet = book.sheets[0]
    sheet["H1:H2"].value = [["a fairly long piece of text to fit"], ["short"]]
    sheet["H1:H2"].columns.autofit()
    dst = tmp_path / "fitted.xlsx"
    effects = apply_actions(src, book.json(), dst)
    assert any(e["func"] == "setAutofit" for e in effects)
    width = openpyxl.load_workbook(dst).worksheets[0].column_dimensions["H"].width
    text = _text_pixels("a fairly long piece of text to fit")  # Calibri 11's glyphs (Carlito's metrics)
    assert text < 7 * width + 5 <= text + 12  # Excel's column of w characters is 7w + 5 pixels: fitted, tight
    assert _text_pixels("short") < text
