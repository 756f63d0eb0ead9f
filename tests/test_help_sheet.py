"""The Help sheet of every template is a teacher's guide; the catalogue of issue codes is docs/errors.md."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sipxl.excel.buttons import BUTTONS
from sipxl.issues import CATALOGUE, catalogue_markdown

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xlsx"))
BUTTON_NAMES = ("Validate", "Score", "Summary", "Check setup", "Prepare for submission")


def _help_text(path: Path) -> str:
    ws = openpyxl.load_workbook(path)["Help"]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_help_sheet_is_a_teachers_guide(path: Path) -> None:
    text = _help_text(path)
    for section in ("What to fill in", "The SIPXL buttons", "How to fix an issue", "How to send the file"):
        assert section in text, f"{path.name}: Help has no '{section}' section"
    assert len(BUTTON_NAMES) == len(BUTTONS)
    for name in BUTTON_NAMES:
        assert f"{name}:" in text, f"{path.name}: Help does not say what {name} does"
    assert "Issues sheet" in text and ".xlsx" in text
    assert "SIPXL-" not in text, f"{path.name}: the catalogue of codes belongs in docs/errors.md, not on Help"


def test_project_help_says_what_to_fill_in_each_phase() -> None:
    text = _help_text(ROOT / "workbook_templates" / "sipp_project.xlsx")
    for where in ("Project sheet", "Pupils sheet", "Phase 1", "Phase 2", "Phase 3", "Phase 4", "Phase 5",
                  "Observation form"):
        assert where in text


def test_the_catalogue_of_codes_is_in_docs_errors_md() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert text == catalogue_markdown()
    assert all(f"| {code} |" in text for code in CATALOGUE)
