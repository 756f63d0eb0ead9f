"""Any later sipxl reads any earlier template: a 0.9 project workbook is read with its own layout."""

from __future__ import annotations

from sipxl.engine import content_of
from sipxl.io.build import build_template
from sipxl.io.read import read_workbook
from sipxl.spec import get_template, layout_template
from sipxl.spec.history import HISTORY, template_version


def test_every_earlier_version_is_older_than_the_current_one():
    for kind, version in HISTORY:
        assert template_version(kind, version).version == version
        assert tuple(map(int, version.split("."))) < tuple(map(int, get_template(kind).version.split(".")))


def test_earlier_project_workbook_is_read_at_its_own_cells(tmp_path):
    old = template_version("sipp_project", "0.9")
    lay = layout_template(old)
    pupils = lay.tables["pupils"]
    decile_col = pupils.columns["simd_decile"]
    # In 0.9 the decile sits one column left of where the current template has it.
    assert decile_col == layout_template(get_template("sipp_project")).tables["pupils"].columns["simd_decile"] - 1
    path = build_template(old, tmp_path / "old.xlsx", {
        ("pupils", pupils.first_row, pupils.columns["pupil_ref"]): "SIP-Q1",
        ("pupils", pupils.first_row, decile_col): 3,
    })
    content = content_of(read_workbook(path))
    assert content.version == "0.9"
    assert [i.code for i in content.issues] == ["SIPXL-F006"]
    row = content.tables["pupils"].frame.iloc[0]
    assert row["pupil_ref"] == "SIP-Q1"
    assert row["simd_decile"] == 3
    assert row["sex"] is None  # a column the earlier version did not have is there, empty
    assert content.tables["pupils"].ref(pupils.first_row + 1, "simd_decile") == f"'Pupils'!D{pupils.first_row + 1}"


def test_ribbon_reads_an_earlier_version_at_its_own_cells(tmp_path):
    """A button clicked in a 0.9 workbook reads it as the file reader does (one identification for both)."""
    from sipxl.excel.bookread import raw_from_book
    from sipxl.excel.payload import payload_from_xlsx
    from sipxl.excel.xlremote import book_from_payload

    old = template_version("sipp_project", "0.9")
    pupils = layout_template(old).tables["pupils"]
    path = build_template(old, tmp_path / "old.xlsx", {
        ("pupils", pupils.first_row, pupils.columns["pupil_ref"]): "SIP-Q1",
        ("pupils", pupils.first_row, pupils.columns["simd_decile"]): 3,
    })
    from_file = content_of(read_workbook(path))
    from_book = content_of(raw_from_book(book_from_payload(payload_from_xlsx(path, client="Office.js"))))
    assert from_book.version == "0.9"
    assert [i.code for i in from_book.issues] == ["SIPXL-F006"]
    assert from_book.tables["pupils"].frame.iloc[0].to_dict() == from_file.tables["pupils"].frame.iloc[0].to_dict()


def test_a_1_0_project_workbook_is_read_with_its_own_layout(tmp_path):
    """1.0 had 8 register rows, no "measures used", and one typed results table for every measure."""
    old = template_version("sipp_project", "1.0")
    lay = layout_template(old)
    pupils, results = lay.tables["pupils"], lay.tables["results"]
    assert len(pupils.rows) == 8 and "social_results" not in lay.tables and "uses_gas" not in lay.fields
    current = layout_template(get_template("sipp_project"))
    assert lay.fields["project_title"] == current.fields["project_title"]
    assert lay.tables["schools"].first_row < current.tables["schools"].first_row  # the measures sit above
    path = build_template(old, tmp_path / "old.xlsx", {
        ("pupils", pupils.first_row, pupils.columns["pupil_ref"]): "SIP-Q1",
        (results.sheet, results.first_row, results.columns["pupil_ref"]): "SIP-Q1",
        (results.sheet, results.first_row, results.columns["measure"]): "Social Skills Pupil Assessment",
        (results.sheet, results.first_row, results.columns["pre"]): 20,
    })
    content = content_of(read_workbook(path))
    assert content.version == "1.0"
    assert [i.code for i in content.issues] == ["SIPXL-F006"]  # Social Skills was a measure of that table
    rec = content.tables["results"].frame.iloc[0]
    assert (rec["pupil_ref"], rec["measure"], rec["pre"]) == ("SIP-Q1", "Social Skills Pupil Assessment", 20)
    assert content.tables["pupils"].frame.iloc[0]["no_post"] is None  # a column 1.0 did not have: there, empty
