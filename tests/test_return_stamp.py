"""The school data return carries the submission stamp (template 1.2): Prepare stamps it on the Details sheet and
the consolidator dates the return by it. A 1.1 return (no stamp) is still read, with its own layout.

End to end on real files: the return built from the templates, Prepare run on ``xw.Book(json=payload)`` as each
client sends it, its actions applied to a copy, the copy consolidated and the outputs read back.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from support.apply import apply_actions

import sipxl.excel.xlremote  # noqa: F401  (sets the xlwings environment before anything imports xlwings)
from sipxl import __version__
from sipxl.cli import main
from sipxl.consolidate import consolidate
from sipxl.consolidate.run import DATE_UNKNOWN, STAMP
from sipxl.engine import check_file
from sipxl.excel import buttons
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import build_template
from sipxl.sample import clean_values
from sipxl.spec import get_template, layout_template
from sipxl.spec.history import template_version
from sipxl.spec.layout import a1

CLIENTS = ["Office.js", "VBA"]


def _prepare(src: Path, dst: Path, client: str) -> str:
    book = book_from_payload(payload_from_xlsx(src, client=client))
    buttons.prepare(book)
    effects = apply_actions(src, book.json()["actions"], dst, client=client)
    [alert] = [e["args"][0] for e in effects if e["func"] == "alert"]
    return alert


def test_the_return_has_the_project_s_stamp_cells_on_its_details_sheet() -> None:
    ret, project = get_template("school_return"), get_template("sipp_project")
    assert ret.version == "1.3" and project.version == "1.2"  # 1.3 and 1.2: the pre-built Issues sheet
    fields = {f.key: f for s in ret.sheets for f in s.fields}
    theirs = {f.key: f for s in project.sheets for f in s.fields}
    for key in ("submitted_on", "submitted_with"):
        assert fields[key] == theirs[key] and fields[key].system
    assert layout_template(ret).fields["submitted_on"].sheet == "details"
    help_text = " ".join(b.text for b in ret.sheet("help").blocks if hasattr(b, "text"))
    assert "stamps the date and the sipxl version on the Details sheet" in help_text


@pytest.mark.parametrize("client", CLIENTS)
def test_prepare_stamps_the_return_and_the_consolidator_dates_it(tmp_path: Path, client: str) -> None:
    template, values = clean_values("school_return")
    src = build_template(template, tmp_path / "return.xlsx", values=values)
    assert check_file(src).issues == []
    returns = tmp_path / "returns"
    returns.mkdir()
    out = returns / "School return.xlsx"
    text = _prepare(src, out, client)
    on = layout_template(template).fields["submitted_on"]
    assert text.startswith("Ready to send.") and f"on the Details sheet ({a1(on.row, on.col)})" in text
    ws = openpyxl.load_workbook(out)["Details"]
    assert ws.protection.sheet is True  # stamped through the protection, as in Excel
    again = check_file(out)
    assert again.issues == []
    assert again.content.field_value("submitted_on") == dt.date.today()
    assert again.content.field_value("submitted_with") == f"sipxl {__version__}"

    cons = consolidate([returns], tmp_path / "out", jobs=1)
    [r] = cons.records
    assert (r.kind, r.status, r.date_used, r.date_source) == ("school_return", "valid", dt.date.today(), STAMP)
    assert main(["consolidate", str(returns), "--out", str(tmp_path / "out2"), "--json"]) == 0
    report = json.loads((tmp_path / "out2" / "validation_report.json").read_text(encoding="utf-8"))
    [row] = [f for f in report["files"] if f["kind"] == "school_return"]
    assert (row["date_used"], row["date_source"]) == (dt.date.today().isoformat(), STAMP)


def test_a_1_1_return_is_still_read_and_consolidated(tmp_path: Path) -> None:
    """A return made from the 1.1 template (no stamp rows) is read with its own layout: its answers in place,
    no answer taken for something typed outside the form; dated 'date unknown'; Prepare says why it cannot
    stamp it."""
    old = template_version("school_return", "1.1")
    assert "submitted_on" not in layout_template(old).fields
    current, values = clean_values("school_return")
    cur, was = layout_template(current), layout_template(old)
    # the stamp rows were added under the Details sheet's answers: every 1.1 answer keeps its cell
    assert all(was.fields[k] == cur.fields[k] for k in was.fields)
    assert all(was.tables[k].first_row == cur.tables[k].first_row for k in was.tables)
    returns = tmp_path / "returns"
    returns.mkdir()
    path = build_template(old, returns / "old.xlsx", values=values)
    check = check_file(path)
    assert [i.code for i in check.issues] == ["SIPXL-F006"]
    assert check.content.version == "1.1" and check.content.field_value("submitted_on") is None
    assert check.scores.school_return is not None
    text = _prepare(path, tmp_path / "prepared.xlsx", "Office.js")
    assert text.startswith("No errors: the workbook can be sent as it is.")
    assert "earlier template (version 1.1) without a submission stamp" in text
    [r] = consolidate([returns], tmp_path / "out", jobs=1).records
    assert (r.status, r.date_used, r.date_source) == ("valid", None, DATE_UNKNOWN)
