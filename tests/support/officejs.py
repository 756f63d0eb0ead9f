"""Run xlwings Server's own Office.js client on a workbook's state in Node (see tests/clients/run-actions.mjs).

:func:`workbook_state` reads what the client's callbacks meet in Excel from an .xlsx (sheet order, each
sheet's protection and which cells are unlocked, the values, the active sheet); :func:`run_officejs` applies
a button's actions with the client's ``runActions`` and returns the resulting state and the client's error.
Needs ``node`` and ``npm ci`` in tests/clients (``.ci/run`` does it); the test is skipped without them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from .clients import officejs_index

CLIENT_DIR = Path(__file__).resolve().parents[1] / "clients"


def node() -> str:
    exe = shutil.which("node")
    if exe is None or not (CLIENT_DIR / "node_modules" / "office-addin-mock").is_dir():
        pytest.skip("Node and tests/clients/node_modules (npm ci --prefix tests/clients) are needed")
    return exe


def _json_value(v: object) -> object:
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, str | int | float | bool):
        return v
    return str(getattr(v, "text", v))  # an array or data-table formula: its text, as Excel shows in the bar


def workbook_state(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        p = ws.protection
        unlocked, cells = [], {}
        for row in ws.iter_rows():
            for c in row:
                if not hasattr(c, "column"):
                    continue
                key = f"{c.row - 1},{c.column - 1}"
                if c.protection.locked is False:
                    unlocked.append(key)
                if c.value is not None:
                    cells[key] = {"value": _json_value(c.value)}
        sheets.append({
            "name": ws.title,
            # openpyxl's flags say what the protection locks, so an allowance is the flag off
            "protection": {"protected": bool(p.sheet), "allowFormatCells": not p.formatCells,
                           "allowFormatColumns": not p.formatColumns, "allowFormatRows": not p.formatRows,
                           "allowInsertHyperlinks": not p.insertHyperlinks},
            "unlocked": unlocked,
            "cells": cells,
            "visibility": {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}[ws.sheet_state],
        })
    return {"sheets": sheets, "active": wb.index(wb.active)}


def run_officejs(path: Path, actions: list[dict]) -> dict:
    """The workbook state after the Office.js client applied `actions`; ``["error"]`` is its message or None."""
    payload = {"index_js": str(officejs_index()), "workbook": workbook_state(path), "actions": actions}
    done = subprocess.run([node(), str(CLIENT_DIR / "run-actions.mjs")], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=120, check=False, cwd=CLIENT_DIR)
    if done.returncode != 0:
        raise RuntimeError(f"node failed ({done.returncode}):\n{done.stderr[-4000:]}")
    out = json.loads(done.stdout)
    for sheet in out["workbook"]["sheets"]:
        sheet["cells"] = {tuple(map(int, k.split(","))): v for k, v in sheet["cells"].items()}
    out["sheets"] = {s["name"]: s for s in out["workbook"]["sheets"]}
    return out
