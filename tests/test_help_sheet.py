"""The Help sheet of every template carries the catalogue of issue codes."""

from __future__ import annotations


def test_help_sheet_lists_every_issue_code():
    """The catalogue renders the Help sheet's list (and docs/errors.md): a teacher can look up any code."""
    from pathlib import Path

    import openpyxl

    from sipxl.issues import CATALOGUE

    templates = Path(__file__).resolve().parents[1] / "workbook_templates"
    for path in sorted(templates.glob("*.xlsx")):
        ws = openpyxl.load_workbook(path)["Help"]
        listed = {row[0] for row in ws.iter_rows(values_only=True) if row and row[0]}
        assert set(CATALOGUE) <= listed, f"{path.name}: Help sheet misses {sorted(set(CATALOGUE) - listed)}"
