"""Every button's message fits what both clients show: VBA's MsgBox (1,024 characters) and the Office.js dialog,
whose URL carries the message."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

import sipxl.excel.xlremote as xr
from sipxl.excel import buttons
from sipxl.excel.alerts import ALERT_LINE_CHARS, ALERT_MAX_CHARS, fit_alert
from sipxl.excel.payload import payload_from_xlsx
from sipxl.sample import build_clean_project
from sipxl.spec import get_template, layout_template


@given(st.lists(st.text(max_size=600), min_size=1, max_size=40).map("\n".join))
def test_fit_alert_bounds_every_message(prompt: str) -> None:
    fitted = fit_alert(prompt)
    assert len(fitted) <= ALERT_MAX_CHARS
    assert all(len(line) <= ALERT_LINE_CHARS for line in fitted.split("\n"))
    first, last = prompt.split("\n")[0], prompt.split("\n")[-1]
    assert fitted.startswith(first[:ALERT_LINE_CHARS - 1])  # the verdict stays
    assert fitted.endswith(last if len(last) <= ALERT_LINE_CHARS else last[:ALERT_LINE_CHARS - 1] + "…")
    if len(prompt) <= ALERT_MAX_CHARS and all(len(x) <= ALERT_LINE_CHARS for x in prompt.split("\n")):
        assert fitted == prompt  # a message that fits is unchanged


def test_prepare_quoting_long_values_still_fits(tmp_path: Path) -> None:
    project = build_clean_project(tmp_path / "p.xlsx", seed=3)
    place = layout_template(get_template("sipp_project")).tables["pupils"]
    wb = openpyxl.load_workbook(project)
    for r in range(1, 5):
        wb["Pupils"].cell(place.first_row + r, place.columns["simd_decile"] + 1).value = "y" * 3000
    wb.save(tmp_path / "bad.xlsx")
    payload = payload_from_xlsx(tmp_path / "bad.xlsx", client="VBA")
    for name, button in buttons.BUTTONS.items():
        book = xr.xw.Book(json=json.loads(json.dumps(payload)))
        button(book)
        [alert] = [a for a in book.json()["actions"] if a["func"] == "alert"]
        assert len(alert["args"][0]) <= ALERT_MAX_CHARS, name
    assert "Not ready to send" in alert["args"][0] and "Issues sheet" in alert["args"][0]
