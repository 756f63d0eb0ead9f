"""pandera schemas generated from the specification: one per table, failures mapped back to Excel cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandera.pandas as pa
import pytest

from sipxl.domain.extract import TableData
from sipxl.domain.schemas import frame_of, schema_issues, table_schema, validate_table
from sipxl.engine import check_file
from sipxl.io.build import build_template
from sipxl.sample import clean_values
from sipxl.spec import all_templates, get_template, layout_template
from sipxl.spec.layout import excel_ref

TABLES = [(t.kind, table) for t in all_templates() for s in t.sheets for table in s.tables]


@pytest.mark.parametrize("kind, table", TABLES, ids=[f"{k}.{t.key}" for k, t in TABLES])
def test_every_table_has_a_schema_from_its_rules(kind, table):
    schema = table_schema(table)
    assert isinstance(schema, pa.DataFrameSchema)
    inputs = [c for c in table.columns if c.is_input]
    assert list(schema.columns) == [c.key for c in inputs]
    for col in inputs:
        assert schema.columns[col.key].nullable == (not col.rule.required)
        names = {c.name for c in schema.columns[col.key].checks}
        if col.rule.type in ("integer", "number"):
            assert "is_number" in names
        if col.rule.min is not None or col.rule.max is not None:
            assert "in_range" in names
        if col.rule.choices:
            assert "is_choice" in names
        if col.rule.type == "date":
            assert "is_date" in names


def _observations(rows: list[dict], index: list[int]) -> tuple[object, TableData]:
    template = get_template("observation")
    table = template.sheet("observation").tables[0]
    place = layout_template(template).tables["observations"]
    keys = [c.key for c in table.columns]
    full = [{k: r.get(k) for k in keys} for r in rows]
    frame = frame_of(full, index)
    data = TableData(table.key, "Observation", {c.key: c.label for c in table.columns}, dict(place.columns),
                     frame, frame.copy())
    return table, data


def test_failures_map_back_to_excel_rows_and_labels():
    """pandera reports index labels; the index is the Excel row, so the cell is exact (lazy: all at once)."""
    table, data = _observations([
        {"obs_date": dt.date(2026, 1, 12), "pupil_ref": "SIP-1", "leuven": 9},
        {"obs_date": "12th Jan", "pupil_ref": "SIP-2", "leuven": 3, "social_mode": "Alone"},
        {"obs_date": dt.date(2026, 1, 12), "pupil_ref": None, "leuven": 2.5},
    ], [8, 9, 12])
    place = layout_template(get_template("observation")).tables["observations"]
    found = {(i.code, i.cell, i.label) for i in validate_table(table, data)}

    def ref(row: int, col: str) -> str:
        return excel_ref("Observation", row - 1, place.columns[col])

    assert found == {
        ("SIPXL-V004", ref(8, "leuven"), "Level of engagement (1-5)"),
        ("SIPXL-V007", ref(9, "obs_date"), "Date"),
        ("SIPXL-V005", ref(9, "social_mode"), "The pupil is playing"),
        ("SIPXL-V001", ref(12, "pupil_ref"), "Pupil"),
        ("SIPXL-V008", ref(12, "leuven"), "Level of engagement (1-5)"),
    }


def test_valid_frame_passes():
    table, data = _observations([{"obs_date": dt.date(2026, 1, 12), "pupil_ref": "SIP-1", "leuven": 4}], [8])
    assert validate_table(table, data) == []


def test_already_reported_cells_are_not_reported_again():
    table, data = _observations([{"obs_date": dt.date(2026, 1, 12), "pupil_ref": "SIP-1", "leuven": 9}], [8])
    first = validate_table(table, data)
    assert validate_table(table, data, frozenset((i.code, i.cell) for i in first)) == []


def _build(tmp_path: Path, edit) -> Path:
    template, values = clean_values("sipp_project")
    values = dict(values)
    edit(values, layout_template(template))
    return build_template(template, tmp_path / "w.xlsx", values=values)


def test_required_column_missing_in_a_used_row(tmp_path):
    def edit(values, layout):
        place = layout.tables["factors"]
        del values[(place.sheet, place.first_row + 1, place.columns["level"])]

    place = layout_template(get_template("sipp_project")).tables["factors"]
    found = check_file(_build(tmp_path, edit), score=False).issues
    assert [(i.code, i.cell, i.label) for i in found] == [
        ("SIPXL-V001", excel_ref("Phase 2", place.first_row + 1, place.columns["level"]),
         "Is the factor at the level of the school/class, parent or pupil")]


def test_unusable_required_value_is_reported_once(tmp_path):
    """Text in a required number cell: the reader's 'not a number', not also 'required answer missing'."""
    def edit(values, layout):
        place = layout.tables["observations"]
        values[(place.sheet, place.first_row, place.columns["leuven"])] = "very engaged"

    check = check_file(_build(tmp_path, edit), score=False)
    place = layout_template(get_template("sipp_project")).tables["observations"]
    cell = excel_ref("Observation", place.first_row, place.columns["leuven"])
    assert [(i.code, i.cell) for i in check.issues] == [("SIPXL-V002", cell)]
    assert schema_issues(check.content) == []


def test_unused_rows_are_not_checked(tmp_path):
    check = check_file(build_template(get_template("sipp_project"), tmp_path / "blank.xlsx"), score=False)
    assert all(t.frame.empty for k, t in check.content.tables.items() if k not in ("acel", "attendance_simd"))
    assert schema_issues(check.content) == []
