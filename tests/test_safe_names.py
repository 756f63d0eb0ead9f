"""Any school or file name makes a valid sheet name, control characters never reach an xlsx, and text that a
spreadsheet would run as a formula is neutralised in the CSVs (issue 12, items 2, 3 and 7)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hostile_files import build, opens_in_libreoffice
from hypothesis import given, settings
from hypothesis import strategies as st

from sipxl.consolidate import consolidate, write_outputs
from sipxl.safe_text import cell_text, csv_field, sheet_name, utf16_units


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=8))
def test_any_names_make_valid_unique_sheet_names(tmp_path_factory, texts):
    used: set[str] = set()
    names = [sheet_name(t, used) for t in texts]
    assert len({n.casefold() for n in names}) == len(names)
    for n in names:
        assert 1 <= utf16_units(n) <= 31 and n.casefold() != "history"
        assert not set(n) & set("[]:*?/\\") and not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in n)
        assert not n.startswith("'") and not n.endswith("'")
    # xlsxwriter applies Excel's rules (it raises on an invalid or repeated name); the file reads back
    path = tmp_path_factory.mktemp("names") / "names.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for n in names:
        wb.add_worksheet(n)
    wb.close()
    assert openpyxl.load_workbook(path).sheetnames == names


def test_an_emoji_counts_two_units_and_is_never_cut_in_half():
    name = sheet_name("1234567 " + "🏫" * 20)
    assert utf16_units(name) <= 31 and name.endswith("🏫") and len(name) == 8 + 11
    assert sheet_name("History") != "History" and sheet_name("history", {"History (2)"}) == "history (3)"


def test_cell_text_holds_no_control_characters_and_is_cut_with_a_note():
    assert cell_text("a\x00b\x1fc\td") == "abc\td"
    long = cell_text("x" * 40_000)
    assert len(long) == 32_767 and "cut: 40,000 characters" in long


def test_csv_fields_that_look_like_formulas_are_neutralised():
    for text in ("=cmd|'/c calc'!A1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_field(text) == "'" + text
    assert csv_field("Nurture group") == "Nurture group" and csv_field(-2) == -2


def _school_with_an_error(root, name, school):
    return build(root / name, lead_school=school, start_date="soon")  # not a date: an error


@pytest.mark.libreoffice
@pytest.mark.parametrize("school", ["Glen 🏫🏫🏫 Primary School and Nursery Class",
                                    "Bad\x01Name\x1f School [Annex]: *?/\\", "History"])
def test_a_school_name_never_breaks_the_validation_report(tmp_path, school):
    root = tmp_path / "in"
    _school_with_an_error(root, "p.xlsx", school)
    out = tmp_path / "out"
    cons = consolidate([root], out, jobs=1)
    assert cons.exit_code == 1
    paths = write_outputs(cons, out)
    for p in (paths["validation_report.xlsx"], paths["dashboard.xlsx"]):
        with zipfile.ZipFile(p) as z:
            for part in z.namelist():
                if part.endswith(".xml"):
                    text = z.read(part).decode("utf-8")
                    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text), (p.name, part)
        assert opens_in_libreoffice(p), p.name
    assert len(openpyxl.load_workbook(paths["validation_report.xlsx"]).sheetnames) == 3


def test_formula_like_text_is_neutralised_in_the_tidy_csv(tmp_path):
    root = tmp_path / "in"
    evil = "=cmd|'/c calc'!A1"
    build(root / "p.xlsx", intervention=evil, partnership="@SUM(1+1)")
    out = tmp_path / "out"
    write_outputs(consolidate([root], out, jobs=1), out)
    fields = [v for p in (out / "tidy").glob("*.csv")
              for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))) for v in row]
    assert "'" + evil in fields and "'@SUM(1+1)" in fields
    assert not any(v.startswith(("=", "+", "@")) for v in fields)
    assert not any(v.startswith("-") and not _number(v) for v in fields)


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.text(max_size=6) | st.sampled_from(["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "\r",
                                                                   "'=x", " =x", ""]), max_size=30))
def test_csv_table_neutralises_exactly_what_csv_field_does(values) -> None:
    """The vectorised pass over an Arrow column gives, value for value, what csv_field gives one at a time."""
    import pyarrow as pa

    from sipxl.safe_text import csv_field, csv_table

    table = pa.table({"text": pa.array(values, pa.string()), "n": pa.array(range(len(values)), pa.int64()),
                      "coded": pa.array(values, pa.large_string()).dictionary_encode()})
    out = csv_table(table)
    assert out.column("text").to_pylist() == [csv_field(v) for v in values]
    assert out.column("coded").to_pylist() == [csv_field(v) for v in values]  # as the tidy tables' repeated text
    assert out.column("n").to_pylist() == list(range(len(values)))
