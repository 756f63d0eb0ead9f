"""The texts of every data validation in every template fit Excel's limits, whole words, with the right words.

Excel refuses a file whose input title or error title is over 32 characters, or whose input or error message
is over 255; a title cut mid-word or a boilerplate "Enter text." reads badly, and a dropdown's error must say
what the list is.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sipxl.io.build import ERROR_MESSAGE_MAX, ERROR_TITLE_MAX, INPUT_MESSAGE_MAX, INPUT_TITLE_MAX, clip
from sipxl.spec import all_templates, layout_template
from sipxl.spec.model import Column, Field

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = {t.kind: t for t in all_templates()}


def _labels(template) -> set[str]:
    out = {"Pupil reference", "Date assessed"}
    for sheet in template.sheets:
        for block in sheet.blocks:
            if isinstance(block, Field):
                out.add(block.label.rstrip(":").strip())
            for col in getattr(block, "columns", ()):
                if isinstance(col, Column):
                    out.add(col.label)
            if hasattr(block, "items"):
                out.add(block.title)
    return out


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_validation_text_fits_excel_whole_words_no_boilerplate(kind: str) -> None:
    template = TEMPLATES[kind]
    labels = _labels(template)
    wb = openpyxl.load_workbook(ROOT / "workbook_templates" / template.filename)
    seen = 0
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            seen += 1
            where = f"{kind} {ws.title}!{dv.sqref}"
            assert len(dv.promptTitle or "") <= INPUT_TITLE_MAX and len(dv.prompt or "") <= INPUT_MESSAGE_MAX
            assert len(dv.errorTitle or "") <= ERROR_TITLE_MAX and len(dv.error or "") <= ERROR_MESSAGE_MAX
            title = dv.promptTitle or ""
            if title.endswith("…"):  # cut at a word: a whole-word prefix of a label
                stem = title[:-1]
                assert any(lab.startswith(stem) and lab[len(stem)] == " " for lab in labels), where
            else:
                assert title in labels, f"{where}: input title {title!r} is not a label"
            assert "Enter text." not in (dv.prompt or ""), where
            assert not (dv.prompt or "").endswith(" ."), where
            if dv.type in ("list", "whole", "decimal", "date"):
                assert dv.showErrorMessage and dv.errorTitle and dv.error, f"{where}: no error text"
                assert dv.errorTitle != "sipxl", where
    assert seen


def test_each_dropdown_of_typed_values_names_its_own_source() -> None:
    """The school column of the Pupils sheet lists the Project's schools; its error must not talk of pupils."""
    template = TEMPLATES["sipp_project"]
    layout = layout_template(template)
    wb = openpyxl.load_workbook(ROOT / "workbook_templates" / template.filename)
    checked = 0
    for sheet in template.sheets:
        for table in sheet.tables:
            for col in table.columns:
                if not col.rule.choices_from:
                    continue
                src_table, src_col = col.rule.choices_from.split(".")
                src = next(t for s in template.sheets for t in s.tables if t.key == src_table)
                src_sheet = layout.sheet_name(layout.tables[src_table].sheet)
                place = layout.tables[table.key]
                cell = f"{openpyxl.utils.get_column_letter(place.columns[col.key] + 1)}{place.first_row + 1}"
                dv = next(d for d in wb[sheet.name].data_validations.dataValidation if cell in d.sqref)
                assert src.column(src_col).label.lower() in dv.error and src_sheet in dv.error, dv.error
                checked += 1
    assert checked >= 3


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400),
       st.integers(min_value=8, max_value=300))
def test_clip_keeps_whole_words_within_the_limit(text: str, limit: int) -> None:
    out = clip(text, limit)
    flat = " ".join(text.split())
    assert len(out) <= limit
    if len(flat) <= limit:
        assert out == flat
    elif out.endswith("…"):
        stem = out[:-1]
        assert flat.startswith(stem)
        assert flat[len(stem)] in " ,;:-(" or " " not in flat[: limit - 1]  # a word is never cut, unless one
        # word alone is longer than the limit
    else:
        assert flat.startswith(out) and out.endswith(".")
