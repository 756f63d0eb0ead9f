"""The buttons against the real xlwings clients, not against our own idea of them.

What each client implements is read from its own files in the installed packages (support/clients.py):
the VBA client ``xlwings/addin/Remote.bas`` (xlwings wheel) and the Office.js client
``xlwings_server/static/js/custom-scripts`` (xlwings-server wheel). Every action every button emits, on
every committed template, on a varied sample authority and on a second click, must be one both clients
implement with every argument each reads, and never ``runMacro``. Then the Office.js client's own
callbacks apply the buttons' actions in Node on a strict Office.js model (Microsoft's office-addin-mock
for loading; Excel's protection rules enforced), and the resulting workbook is checked.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import clients
from support.apply import apply_actions
from support.officejs import run_officejs

import sipxl
import sipxl.excel.xlremote  # noqa: F401  (the xlwings environment before anything imports xlwings)
from sipxl.engine import check_file
from sipxl.excel import buttons
from sipxl.excel.cells import MARK_COLOURS, original_fills, parse_ref
from sipxl.excel.pages import ISSUES_FIRST_ROW, ISSUES_SHEET, SCORES_SHEET, SUMMARY_SHEET, count, issue_cell, plural
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import META_PROTECTION, META_SHEET, build_template
from sipxl.sample import build_clean_project, clean_values, manifest_path
from sipxl.spec import layout_template
from sipxl.spec.history import template_version

TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "workbook_templates").glob("*.xlsx"))
CLIENTS = ["Office.js", "VBA"]


def click(name: str, path: Path, client: str = "Office.js") -> list[dict]:
    book = book_from_payload(payload_from_xlsx(path, client=client))
    buttons.BUTTONS[name](book)
    return book.json()["actions"]


def assert_both_clients_run(actions: list[dict], where: str) -> None:
    assert actions, where
    refused = {p for a in actions for p in clients.problems(a)}
    assert not refused, f"{where}: {sorted(refused)}"


# ---------------------------------------------------------------- reading the clients


def test_the_clients_are_read_from_the_installed_packages() -> None:
    import xlwings
    import xlwings_server

    assert clients.remote_bas().is_relative_to(Path(xlwings.__file__).parent)
    assert clients.officejs_index().is_relative_to(Path(xlwings_server.__file__).parent)
    vba, js = clients.vba_actions(), clients.officejs_actions()
    # the actions the buttons need are in both, each reading what the xlwings protocol sends
    for name in ("setValues", "setRangeColor", "addHyperlink", "setNumberFormat", "setAutofit", "addSheet",
                 "sheetClear", "activateSheet", "alert"):
        assert name in vba and name in js, name
    assert vba["addHyperlink"].args == js["addHyperlink"].args == {0, 1, 2}
    assert vba["alert"].args == js["alert"].args == {0, 1, 2, 3, 4}
    assert {"values", "sheet_position", "start_row", "start_column", "row_count", "column_count"} \
        <= vba["setValues"].keys & js["setValues"].keys
    assert 1 in vba["addSheet"].nullable and 1 in js["addSheet"].nullable
    assert 0 in js["setRangeColor"].nullable and 0 not in vba["setRangeColor"].nullable  # VBA: HexToRgb(Null)
    # the clients differ: notes, fonts, sheet autofit are Office.js only, so a button must not use them
    assert {"addNote", "setFontProperty", "setSheetAutofit"} <= set(js) - set(vba)
    assert not set(vba) - set(js)


def test_a_macro_is_found_by_its_exact_name_only() -> None:
    """How runMacro finds its target in each client: why Book.macro's qualified names never resolve."""
    bas = clients.remote_bas().read_text(encoding="utf-8", errors="replace")
    index = clients.officejs_index().read_text(encoding="utf-8")
    assert re.search(r'Application\.Run action\("args"\)\(1\), wb\b', bas)  # VBA: Application.Run "<name>", wb
    assert "await globalThis.callbacks[action.args[0].toString()](" in index  # Office.js: a registered callback
    assert clients.problems({"func": "runMacro", "args": ["'X.xlsx'!SipxlUnprotectSheet", "Pupils"]})


# ---------------------------------------------------------------- every emitted action, both clients


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_every_button_on_every_template_uses_only_what_both_clients_run(template: Path, client: str,
                                                                        tmp_path: Path) -> None:
    for name in buttons.BUTTONS:
        first = click(name, template, client)
        assert_both_clients_run(first, f"{template.name} {name}")
        clicked = tmp_path / f"{name}.xlsx"
        apply_actions(template, first, clicked, client=client)
        again = click(name, clicked, client)  # the second click meets the sheets the first one wrote
        assert_both_clients_run(again, f"{template.name} {name}, second click")


def _sample_files(root: Path) -> list[Path]:
    """A clean workbook of each kind, and workbooks until every kind of mistake the sample makes is in."""
    files = json.loads(manifest_path(root).read_text(encoding="utf-8"))["files"]
    picked, seen = [], set()
    for f in files:
        wanted = {(f["kind"], m["name"]) for m in f["mistakes"]} if f["mistakes"] else {(f["kind"], "clean")}
        if wanted - seen:
            seen |= wanted
            picked.append(root / f["path"])
    return picked


def test_every_button_on_a_varied_sample_authority_uses_only_what_both_clients_run(sample_authority: Path,
                                                                                   tmp_path: Path) -> None:
    files = _sample_files(sample_authority)
    assert len(files) >= 4 and {f.name.split(" ")[0] for f in files} == {"School", "SIPP"}
    funcs: set[str] = set()
    for k, path in enumerate(files):
        client = CLIENTS[k % 2]
        for name in ("validate", "score", "summary", "prepare"):
            actions = click(name, path, client)
            assert_both_clients_run(actions, f"{path.name} {name}")
            funcs |= {a["func"] for a in actions}
            clicked = tmp_path / f"{k}-{name}.xlsx"
            apply_actions(path, actions, clicked, client=client)
            assert_both_clients_run(click(name, clicked, client), f"{path.name} {name}, second click")
    assert {"setValues", "setRangeColor", "addHyperlink", "alert"} <= funcs
    assert "runMacro" not in funcs


# ---------------------------------------------------------------- the Office.js client's own callbacks


def _faulty(tmp: Path, version: str | None = None) -> Path:
    template, values = clean_values("sipp_project", 2026)
    if version:  # an earlier version's layout: the same answers, where that version had its cells
        earlier = template_version("sipp_project", version)
        old, new = layout_template(earlier), layout_template(template)
        moved = {}
        for (code, row, col), value in values.items():
            for key, place in new.fields.items():
                if (place.sheet, place.row, place.col) == (code, row, col) and key in old.fields:
                    p = old.fields[key]
                    moved[(p.sheet, p.row, p.col)] = value
        values, template = moved, earlier  # fields only: enough for Validate to find problems to list
        return build_template(template, tmp / "faulty.xlsx", values=values)
    layout = layout_template(template)
    grid = layout.grids["social_skills"]
    values[("social_skills", grid.item_rows[3], grid.columns[(0, "Pre")])] = 7  # out of range: error
    values[("social_skills", grid.item_rows[5], grid.columns[(1, "Post")])] = "3 - mostly"  # read from text
    return build_template(template, tmp / "faulty.xlsx", values=values)


def _before_protection_allowed_marks(src: Path, dst: Path) -> Path:
    """A workbook as built before: formatting not allowed, stamp cells locked, no protection row."""
    wb = openpyxl.load_workbook(src)
    meta = wb[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == META_PROTECTION[0]:
            row[0].value = row[1].value = None
    template = layout_template(check_file(src).content.template)
    for ws in wb.worksheets:
        if ws.protection.sheet:
            ws.protection.formatCells = True
    for key in ("submitted_on", "submitted_with"):
        place = template.fields[key]
        cell = wb.worksheets[[s.title for s in wb.worksheets].index("Project")].cell(place.row + 1, place.col + 1)
        cell.protection = openpyxl.styles.Protection(locked=True)
    wb.save(dst)
    return dst


def _issues_rows(sheet: dict) -> dict[int, dict[int, object]]:
    rows: dict[int, dict[int, object]] = {}
    for (r, c), cell in sheet["cells"].items():
        if "value" in cell:
            rows.setdefault(r, {})[c] = cell["value"]
    return rows


def test_officejs_client_applies_validate_marks_and_links(tmp_path: Path) -> None:
    faulty = _faulty(tmp_path)
    result = check_file(faulty)
    actions = click("validate", faulty)
    out = run_officejs(faulty, actions)
    assert out["error"] is None
    book = out["sheets"]
    assert out["workbook"]["active"] == buttons.ISSUES_SHEET
    [alert] = out["workbook"]["alerts"]
    n = count(result.issues)
    assert alert["title"] == "SIPXL" and alert["mode"] == "critical"
    assert alert["prompt"].startswith(f"Found {plural(n['error'], 'error')} and {plural(n['warning'], 'warning')}.")
    # every issue with a cell: its mark on the protected template sheet, its row and link on the Issues sheet
    issues = book[buttons.ISSUES_SHEET]
    rows = _issues_rows(issues)
    listed = [rows[r] for r in sorted(rows) if r > ISSUES_FIRST_ROW]
    assert len(listed) == len(result.issues)
    marked = 0
    names = result.content.sheet_names
    for k, issue in enumerate(result.issues):
        assert listed[k][0].lower() == issue.severity and listed[k][1] == issue.code
        where = issue_cell(issue, names)
        if where is None:
            continue
        link = issues["cells"][(ISSUES_FIRST_ROW + 1 + k, 2)]["hyperlink"]
        assert link["address"] == "#" + issue.cell
        if issue.severity in MARK_COLOURS and (where[0], where[2], where[3]) in original_fills(
                result.content.template):
            sheet = book[where[1]]
            assert sheet["protection"]["protected"], where
            assert sheet["cells"][(where[2], where[3])]["fill"] == MARK_COLOURS[issue.severity].upper()
            marked += 1
    assert marked >= 2

    # a second click after the teacher fixed the out-of-range answer puts that cell's own fill back
    clicked = tmp_path / "clicked.xlsx"
    apply_actions(faulty, actions, clicked)
    error = next(i for i in result.issues if i.severity == "error" and i.code == "SIPXL-V004")  # out of range
    sheet_name, r, c = parse_ref(error.cell)
    wb = openpyxl.load_workbook(clicked)
    wb[sheet_name].cell(r + 1, c + 1).value = 3
    wb.save(clicked)
    again = run_officejs(clicked, click("validate", clicked))
    assert again["error"] is None
    assert again["sheets"][sheet_name]["cells"][(r, c)]["fill"] == "#FFFFFF"
    [alert] = again["workbook"]["alerts"]
    n = count(check_file(clicked).issues)
    assert alert["prompt"].startswith(f"Found {plural(n['error'], 'error')}") or n["error"] == n["warning"] == 0


def test_officejs_client_applies_prepare_stamp_on_the_protected_sheet(tmp_path: Path) -> None:
    clean = build_clean_project(tmp_path / "clean.xlsx", seed=2026)
    out = run_officejs(clean, click("prepare", clean))
    assert out["error"] is None
    project = out["sheets"]["Project"]
    assert project["protection"]["protected"]
    layout = layout_template(check_file(clean).content.template)
    on, with_ = layout.fields["submitted_on"], layout.fields["submitted_with"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", project["cells"][(on.row, on.col)]["value"])
    assert project["cells"][(with_.row, with_.col)]["value"] == f"sipxl {sipxl.__version__}"
    [alert] = out["workbook"]["alerts"]
    assert alert["prompt"].startswith("Ready to send.")


@pytest.mark.parametrize("name, sheet", [("score", buttons.SCORES_SHEET), ("summary", buttons.SUMMARY_SHEET)])
def test_officejs_client_writes_the_score_and_summary_pages(name: str, sheet: str, tmp_path: Path) -> None:
    clean = build_clean_project(tmp_path / "clean.xlsx", seed=2026)
    actions = click(name, clean)
    out = run_officejs(clean, actions)
    assert out["error"] is None and out["workbook"]["active"] == sheet
    page = out["sheets"][sheet]
    formats = [a for a in actions if a["func"] == "setNumberFormat"]
    assert formats
    for a in formats:
        assert page["cells"][(a["start_row"], a["start_column"])]["numberFormat"] == a["args"][0]
    written = next(a for a in actions if a["func"] == "setValues")
    for i, row in enumerate(written["values"]):
        for j, v in enumerate(row):
            got = page["cells"].get((written["start_row"] + i, written["start_column"] + j), {}).get("value")
            assert got == (v if v not in (None, "") else None)


@pytest.mark.parametrize("version", ["current", "0.9"])
def test_officejs_client_on_a_workbook_built_before_marks_were_allowed(version: str, tmp_path: Path) -> None:
    faulty = _faulty(tmp_path, None if version == "current" else version)
    old = _before_protection_allowed_marks(faulty, tmp_path / "old.xlsx")
    # the model is strict: today's marks on that workbook's protection are refused, as Excel refuses them
    refused = run_officejs(old, click("validate", faulty))
    assert refused["error"] and "protected" in refused["error"]
    # the buttons see the old protection: the Issues sheet with its links, and a plain word, never a failure
    out = run_officejs(old, click("validate", old))
    assert out["error"] is None
    assert buttons.ISSUES_SHEET in out["sheets"]
    assert any("hyperlink" in c for c in out["sheets"][buttons.ISSUES_SHEET]["cells"].values())
    assert not any("fill" in c for s in out["sheets"].values() if s["protection"]["protected"]
                   for c in s["cells"].values())
    [alert] = out["workbook"]["alerts"]
    assert buttons.NO_MARKS in alert["prompt"]

    clean = build_clean_project(tmp_path / "clean.xlsx", seed=2026)
    old_clean = _before_protection_allowed_marks(clean, tmp_path / "old-clean.xlsx")
    out = run_officejs(old_clean, click("prepare", old_clean))
    assert out["error"] is None
    [alert] = out["workbook"]["alerts"]
    assert "could not be stamped" in alert["prompt"]


# ---------------------------------------------------------------- any answers a teacher may type


_ANSWERS = st.one_of(st.integers(-3, 9), st.floats(-1, 10, allow_nan=False),
                     st.sampled_from(["3 - mostly", "abc", "=1+1", " 2 ", "'4", "TRUE"]))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.dictionaries(st.tuples(st.integers(1, 15), st.integers(0, 5), st.sampled_from(["Pre", "Post"])),
                             _ANSWERS, min_size=1, max_size=8),
       client=st.sampled_from(CLIENTS))
def test_any_answers_give_actions_both_clients_run_and_the_officejs_client_applies(edits: dict,
                                                                                   client: str) -> None:
    template, values = clean_values("sipp_project", 2026)
    grid = layout_template(template).grids["social_skills"]
    for (item, pupil, occasion), value in edits.items():
        if (pupil, occasion) in grid.columns:
            values[("social_skills", grid.item_rows[item], grid.columns[(pupil, occasion)])] = value
    with tempfile.TemporaryDirectory() as tmp:
        src = build_template(template, Path(tmp) / "edited.xlsx", values=values)
        actions = click("validate", src, client)
        assert_both_clients_run(actions, "validate")
        out = run_officejs(src, actions)
        assert out["error"] is None
        fills = original_fills(template)
        codes = {s.name: s.code for s in template.sheets}
        owned = (ISSUES_SHEET, SCORES_SHEET, SUMMARY_SHEET)  # the buttons' own pages (pre-built in templates)
        for sheet in out["workbook"]["sheets"]:
            if sheet["name"] in codes and sheet["name"] not in owned:
                code = codes[sheet["name"]]
                for (r, c), cell in sheet["cells"].items():
                    if "fill" in cell:  # only answer and calculated cells are ever marked
                        assert (code, r, c) in fills
        clicked = Path(tmp) / "clicked.xlsx"
        apply_actions(src, actions, clicked, client=client)
        for name in ("validate", "prepare"):
            assert_both_clients_run(click(name, clicked, client), f"{name} after validate")
