"""The consolidator's outputs keep their values while its insides change (issue 13: faster, same numbers).

`tests/data/outputs_snapshot.json` holds the values of every output the sample authority consolidates into
(dashboard and validation report cells, the report's JSON, every tidy table), written by the code as it was
before the speed work. The test consolidates the same sample again, with every file's time fixed so dates do
not depend on the day, and compares value for value (floats to 10 significant digits, since a grouped sum may
add in another order). Only what the snapshot holds is compared: a new sheet, table or column is not a
difference; a changed value, a missing row or a vanished table is.

When an output changes on purpose (a fixed figure, a new layout), regenerate the snapshot and say so in the
commit message:

    SIPXL_WRITE_SNAPSHOT=1 python -m pytest -q tests/test_outputs_snapshot.py
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

SNAPSHOT = Path(__file__).parent / "data" / "outputs_snapshot.json"
FIXED_TIME = dt.datetime(2026, 3, 2, 12, 0).timestamp()
# Outputs that describe the run rather than the data (paths of this machine, what was re-read).
NOT_COMPARED = {"manifest.json"}


def _value(v: object) -> object:
    if isinstance(v, bool) or v is None or isinstance(v, str | int):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else float(f"{v:.10g}")
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_value(x) for x in v]
    return str(v)


def _workbook(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [[_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in wb.worksheets}
    finally:
        wb.close()


def outputs_values(out: Path) -> dict[str, object]:
    """Every output's values: workbooks by sheet and row, JSON as parsed, tidy tables by column."""
    values: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if not path.is_file() or rel.startswith(".") or "/." in rel or rel in NOT_COMPARED:
            continue
        if path.suffix == ".xlsx":
            values[rel] = _workbook(path)
        elif path.suffix == ".json":
            values[rel] = _value(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".parquet":
            table = pq.read_table(path)
            values[rel] = {name: _value(table.column(name).to_pylist()) for name in table.column_names}
    return values


def consolidate_sample(sample_authority: Path, tmp: Path) -> Path:
    inputs, out = tmp / "returns", tmp / "out"
    shutil.copytree(sample_authority, inputs)
    for path in inputs.rglob("*"):
        os.utime(path, (FIXED_TIME, FIXED_TIME))
    done = subprocess.run([sys.executable, "-m", "sipxl.cli", "consolidate", str(inputs), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr  # 1: the sample has files with errors, on purpose
    return out


def _differences(expected: object, got: object, where: str, out: list[str]) -> None:
    if len(out) > 20:
        return
    if isinstance(expected, dict) and isinstance(got, dict):
        for k, v in expected.items():
            if k not in got:
                out.append(f"{where}/{k}: missing")
            else:
                _differences(v, got[k], f"{where}/{k}", out)
    elif isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            _differences(a, b, f"{where}[{i}]", out)
    elif expected != got:
        out.append(f"{where}: expected {str(expected)[:200]}, got {str(got)[:200]}")


def test_outputs_have_the_values_of_the_snapshot(sample_authority: Path, tmp_path: Path) -> None:
    values = outputs_values(consolidate_sample(sample_authority, tmp_path))
    assert "dashboard.xlsx" in values and "tidy/assessments.parquet" in values
    if os.environ.get("SIPXL_WRITE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        pytest.skip(f"snapshot written to {SNAPSHOT}")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    diffs: list[str] = []
    _differences(expected, values, "", diffs)
    assert not diffs, "outputs differ from tests/data/outputs_snapshot.json:\n" + "\n".join(diffs)
