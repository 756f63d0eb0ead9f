"""A workbook as the template left it: nothing to fix yet, one note, Prepare stamps it as an empty return, and the
consolidator counts it as received but empty. Once anything is typed, a missing required answer is an error again.

Real workbooks: every template built from the specification, typed into, read back; the ribbon's Prepare run on
``xw.Book(json=payload)`` as each client sends it, its actions applied to a copy and read with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.apply import apply_actions
from test_agreement import answer_rules

import sipxl.excel.xlremote  # noqa: F401  (sets the xlwings environment before anything imports xlwings)
from sipxl import __version__
from sipxl.cli import main
from sipxl.consolidate import consolidate
from sipxl.consolidate.run import STATUS_LABELS
from sipxl.engine import check_file
from sipxl.excel import buttons
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import build_all, build_template
from sipxl.sample import build_clean_project, clean_values
from sipxl.spec import all_templates, layout_template
from sipxl.spec.layout import a1

KINDS = [t.kind for t in all_templates()]
CLIENTS = ["Office.js", "VBA"]
START = {"sipp_project": "the Project sheet (Project title)"}  # the others start on their Details sheet


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every template, as `sipxl templates build` writes it."""
    paths = build_all(tmp_path_factory.mktemp("blank"))
    return {check_file(p).content.kind: p for p in paths}


def _prepare(src: Path, dst: Path, client: str) -> str:
    book = book_from_payload(payload_from_xlsx(src, client=client))
    buttons.prepare(book)
    effects = apply_actions(src, book.json()["actions"], dst, client=client)
    [alert] = [e for e in effects if e["func"] == "alert"]
    return alert["args"][0], alert


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_template_validates_clean_with_one_note(blanks: dict[str, Path], kind: str) -> None:
    check = check_file(blanks[kind])
    assert check.valid
    [note] = check.issues
    assert (note.code, note.severity) == ("SIPXL-V010", "info")
    assert note.message == f"Nothing entered yet: start with {START.get(kind, 'the Details sheet (School)')}."
    assert "empty return" in note.fix


def test_sipxl_validate_exits_clean_on_every_blank_template(blanks: dict[str, Path], capsys) -> None:
    assert main(["validate", *map(str, blanks.values())]) == 0
    out = capsys.readouterr().out
    assert out.count("Nothing entered yet: start with") == len(KINDS) and "ERROR" not in out


def test_the_committed_templates_validate_clean() -> None:
    folder = Path(__file__).resolve().parents[1] / "workbook_templates"
    for template in all_templates():
        check = check_file(folder / template.filename)
        assert [i.code for i in check.issues] == ["SIPXL-V010"], template.filename


@st.composite
def one_answer(draw) -> tuple[str, tuple[str, int, int], object]:
    """Any answer cell of any template, and something a teacher might type there."""
    kind = draw(st.sampled_from(KINDS))
    template = next(t for t in all_templates() if t.kind == kind)
    rules = answer_rules(template)
    layout = layout_template(template)
    stamp = {(layout.fields[k].sheet, layout.fields[k].row, layout.fields[k].col)
             for k in ("submitted_on", "submitted_with") if k in layout.fields}
    cell = draw(st.sampled_from(sorted(set(rules) - stamp)))
    typed = draw(st.sampled_from(["x", "SIP-A1", "0", "3", "Yes", "12/03/2026", " a "]) | st.integers(0, 9))
    return kind, cell, typed


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=one_answer())
def test_once_anything_is_typed_the_required_answers_are_asked_for(case, tmp_path: Path) -> None:
    """One answer typed anywhere on the form, and the required details left empty are errors again."""
    kind, cell, typed = case
    template = next(t for t in all_templates() if t.kind == kind)
    path = build_template(template, tmp_path / f"{kind}.xlsx", values={cell: typed})
    check = check_file(path)
    codes = [i.code for i in check.issues]
    assert "SIPXL-V010" not in codes
    assert "SIPXL-V001" in codes and not check.valid, (cell, typed, codes)


def test_the_template_s_own_default_is_not_an_answer(tmp_path: Path) -> None:
    """GAS ρ is 0.3 in the template: left as it is, nothing is entered; changed, something is."""
    template = next(t for t in all_templates() if t.kind == "gas")
    place = layout_template(template).fields["gas_rho"]
    kept = build_template(template, tmp_path / "kept.xlsx", values={(place.sheet, place.row, place.col): 0.3})
    changed = build_template(template, tmp_path / "changed.xlsx", values={(place.sheet, place.row, place.col): 0.5})
    assert [i.code for i in check_file(kept).issues] == ["SIPXL-V010"]
    assert "SIPXL-V001" in [i.code for i in check_file(changed).issues]


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("kind", KINDS)
def test_prepare_stamps_a_blank_template_as_an_empty_return(blanks: dict[str, Path], tmp_path: Path, kind: str,
                                                            client: str) -> None:
    out = tmp_path / "out.xlsx"
    text, alert = _prepare(blanks[kind], out, client)
    first, *_, last = text.split("\n")
    assert "EMPTY return: nothing has been entered in this workbook yet." in first
    start = START.get(kind, "the Details sheet (School)")
    assert last == f"To send your answers instead, start with {start}, then click Prepare for submission again."
    assert "…" not in text  # nothing cut to fit the clients' alert
    assert "critical" not in alert["args"]
    check = check_file(out)
    assert [i.code for i in check.issues] == ["SIPXL-V010"]  # still empty: the stamp is not an answer
    layout = layout_template(check.content.template)
    if "submitted_on" in layout.fields:
        on = layout.fields["submitted_on"]
        assert first.startswith("Stamped as an EMPTY return")
        assert f"on the {layout.sheet_name(on.sheet)} sheet ({a1(on.row, on.col)})" in text
        assert check.content.field_value("submitted_on") == dt.date.today()
        assert check.content.field_value("submitted_with") == f"sipxl {__version__}"
    else:
        assert first.startswith("No errors, but this is an EMPTY return") and "no submission stamp" in text


def test_validate_button_says_nothing_is_entered(blanks: dict[str, Path], tmp_path: Path) -> None:
    book = book_from_payload(payload_from_xlsx(blanks["sipp_project"], client="Office.js"))
    buttons.validate(book)
    effects = apply_actions(blanks["sipp_project"], book.json()["actions"], tmp_path / "v.xlsx", client="Office.js")
    [alert] = [e["args"][0] for e in effects if e["func"] == "alert"]
    assert alert.startswith("Nothing entered yet: start with the Project sheet (Project title).")
    rows = list(openpyxl.load_workbook(tmp_path / "v.xlsx")[buttons.ISSUES_SHEET].iter_rows(values_only=True))
    assert sum("SIPXL-V010" in row for row in rows) == 1 and not any("SIPXL-V001" in row for row in rows)


@pytest.mark.parametrize("client", CLIENTS)
def test_a_project_that_does_not_use_gas_can_be_prepared(tmp_path: Path, client: str) -> None:
    """A correctly filled project whose Project sheet says GAS is not used (and whose GAS sheet is empty)."""
    template, values = clean_values("sipp_project")
    layout = layout_template(template)
    values = {k: v for k, v in values.items() if k[0] != "gas"}
    flag = layout.fields["uses_gas"]
    values[(flag.sheet, flag.row, flag.col)] = "No"
    src = build_template(template, tmp_path / "no_gas.xlsx", values=values)
    assert check_file(src).issues == []
    text, _ = _prepare(src, tmp_path / "out.xlsx", client)
    assert text.startswith("Ready to send.")
    again = check_file(tmp_path / "out.xlsx")
    assert again.issues == [] and again.content.field_value("submitted_on") == dt.date.today()
    assert again.scores.gas is None


def test_the_consolidator_counts_a_blank_workbook_as_received_but_empty(blanks: dict[str, Path],
                                                                         tmp_path: Path) -> None:
    root = tmp_path / "returns"
    root.mkdir()
    build_clean_project(root / "filled.xlsx", seed=2026)
    for kind in ("sipp_project", "school_return", "gas"):
        shutil.copy(blanks[kind], root / f"blank_{kind}.xlsx")
    cons = consolidate([root], tmp_path / "out", jobs=1)
    by = {r.rel: r for r in cons.records}
    for kind in ("sipp_project", "school_return", "gas"):
        r = by[f"blank_{kind}.xlsx"]
        assert r.status == "empty" and STATUS_LABELS[r.status].startswith("Received empty")
        assert [i.code for i in r.issues] == ["SIPXL-V010"]
        assert r not in cons.accepted  # nothing from it is counted
    assert by["filled.xlsx"].status in ("valid", "warnings")
    assert cons.counts()["empty"] == 3 and cons.counts()["errors"] == 0 and cons.counts()["rejected"] == 0
    assert cons.exit_code == 0
    assert main(["consolidate", str(root), "--out", str(tmp_path / "out2")]) == 0
