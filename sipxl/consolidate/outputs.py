"""Write every output of a consolidation into the output folder, each under a temporary name first and
renamed into place at the end, so a run that fails half-way never leaves half a dashboard."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .. import __version__
from ..safe_text import csv_table
from . import analysis as A
from .cache import MANIFEST, save_cache
from .dashboard import write_dashboard
from .frames import PUPIL_LEVEL_NOTE, tidy_frames
from .privacy import authority_key, key_id
from .run import STATUS_LABELS, Consolidation
from .tidy import TABLES
from .validation_report import report_json, write_report_xlsx

DASHBOARD = "dashboard.xlsx"
REPORT_XLSX = "validation_report.xlsx"
REPORT_JSON = "validation_report.json"
TIDY = "tidy"
TMP = ".sipxl-tmp"


def build_figures(cons: Consolidation, frames: dict[str, pd.DataFrame]) -> dict:
    """Every published table of the dashboard, suppressed (see sipxl.consolidate.analysis)."""
    t = cons.config.threshold
    names = {**cons.school_names}
    a, s, r = frames["assessments"], frames["sessions"], frames["school_returns"]
    counts = cons.counts()
    summary = A.Table("Files received", ["What happened", "Files"],
                      [[STATUS_LABELS[k], v] for k, v in counts.items()] + [[A.ALL, len(cons.records)]],
                      note="Every file found is counted once in one row: the rows add up to the files found.",
                      formats={"Files": "int"})
    quintile, pct = A.acel_by_quintile(r, t)
    measures = A.school_measures(r, names, t)
    sessions_seen = sorted({str(x) for x in frames["files"]["session"].dropna() if x})
    gap = pct.get("gap")
    schools_received = len({x.meta("seed_code") for x in cons.accepted if x.meta("seed_code")})
    headline = A.Table("At a glance", ["Measure", "Value"], [
        ["Schools with at least one accepted file", schools_received],
        ["Schools on the authority's list", len(cons.config.schools) or None],
        ["SIPP project workbooks accepted", sum(x.kind == "sipp_project" for x in cons.accepted)],
        ["School data returns accepted", sum(x.kind == "school_return" for x in cons.accepted)],
        ["% achieving expected CfE levels (all)", pct.get(A.ALL)],
        ["Poverty-related gap, Q5 − Q1 (percentage points)", gap],
    ], formats={"Value": "num1"})
    return {
        "authority": cons.config.name,
        "session": ", ".join(sessions_seen),
        "threshold": t,
        "summary": summary,
        "headline": headline,
        "coverage": A.coverage(frames["files"], cons.config, names),
        "timeliness": A.timeliness(frames["files"], cons.config, names),
        "ss_intervention": A.prepost_by(a, A.SOCIAL_SKILLS, A.SOCIAL_SKILLS_TOTAL, "intervention", t,
                                        "Social skills total /60 by intervention", "Intervention"),
        "ss_partnership": A.prepost_by(a, A.SOCIAL_SKILLS, A.SOCIAL_SKILLS_TOTAL, "partnership", t,
                                       "Social skills total /60 by partnership", "Partnership"),
        "leuven": A.leuven_by_session(s, t),
        "gas": _gas_columns(A.prepost_by(a, A.GAS, A.GAS_T, "jst", t, "GAS T-score change by Joint Support Team",
                                         "Joint Support Team")),
        "rosenberg": A.prepost_by(a, A.ROSENBERG, A.ROSENBERG_TOTAL, "intervention", t,
                                  "Rosenberg self-esteem total /30 by intervention", "Intervention"),
        "attendance": _attendance_columns(A.prepost_by(a, A.ATTENDANCE, A.ATTENDANCE_PCT, "intervention", t,
                                                       "Attendance % before and after, by intervention",
                                                       "Intervention")),
        "survey": A.survey_table(frames["survey"], t),
        "acel_quintile": quintile,
        "acel_stage": A.acel_by_stage(r, t),
        "stretch": A.stretch_aims(r, t),
        "outliers": A.outliers(measures),
        "school_measures": A.Table("School return measures used for the outliers", ["SEED code", "School",
                                   *A.OUTLIER_MEASURES], measures.astype(object).where(measures.notna(), None)
                                   .values.tolist(), note="A value resting on fewer pupils (or exclusions) than "
                                   "the threshold is not shown and not used.",
                                   formats={m: "num1" for m in A.OUTLIER_MEASURES}),
    }


def _gas_columns(t: A.Table) -> A.Table:
    t.columns = [t.columns[0], "Children (n)", "Mean baseline T", "Mean review T", "Mean change in T"]
    t.formats = {"Children (n)": "int", "Mean baseline T": "num1", "Mean review T": "num1", "Mean change in T": "num1"}
    return t


def _attendance_columns(t: A.Table) -> A.Table:
    t.columns = [t.columns[0], "Pupils (n)", "Mean attendance % before", "Mean attendance % after",
                 "Mean change (pp)"]
    t.formats = {"Pupils (n)": "int", **{c: "num1" for c in t.columns[2:]}}
    return t


def _write_frame(df: pd.DataFrame, csv: Path, parquet: Path) -> None:
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_object_dtype(df[c].dtype):
            kinds = {type(v).__name__ for v in df[c] if v is not None and v == v}
            if len(kinds) > 1 or kinds - {"date", "str"}:
                if kinds <= {"int", "float"}:
                    df[c] = pd.to_numeric(df[c])
                elif kinds != {"date"}:
                    df[c] = df[c].map(lambda v: None if v is None or v != v else str(v)).astype("string")
    # One Arrow table serves both files; Arrow's CSV writer is several times faster than pandas' on the large
    # national tables (hundreds of thousands of assessment answers).
    table = pa.Table.from_pandas(df, preserve_index=False)
    pa_csv.write_csv(csv_table(table), csv)  # text that a spreadsheet would run as a formula is neutralised
    pq.write_table(table, parquet)


def _write_manifest(path: Path, cons: Consolidation, inputs: str) -> None:
    manifest = {
        "sipxl_version": __version__,
        "inputs": inputs,
        "authority": cons.config.name,
        "files_found": len(cons.records),
        "read_this_run": cons.read,
        "unchanged": cons.unchanged,
        "files": [{"path": r.found.path, "file": r.rel, "sha256": r.sha256, "size": r.found.size,
                   "mtime_ns": r.found.mtime_ns, "status": r.status, "unchanged": r.unchanged}
                  for r in cons.records],
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def inputs_fingerprint(cons: Consolidation) -> str:
    """What the outputs depend on: sipxl's version, the authority's settings and every file found (path, bytes,
    time). The same fingerprint means the same outputs, byte for byte."""
    key = key_id(authority_key(cons.config.pseudonym_key))  # placeholders of flagged references depend on it
    h = hashlib.sha256(f"{__version__}\n{cons.config!r}\n{key}\n".encode())
    for r in cons.records:
        h.update(f"{r.found.path}\0{r.sha256}\0{r.found.size}\0{r.found.mtime_ns}\n".encode())
    return h.hexdigest()


def _output_names() -> tuple[str, ...]:
    return (*(f"{TIDY}/{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")), f"{TIDY}/README.txt",
            DASHBOARD, REPORT_XLSX, REPORT_JSON, MANIFEST)


def _current_outputs(out_dir: Path, inputs: str) -> dict[str, Path] | None:
    """The existing outputs, when the last run wrote them from exactly these inputs and they are all there."""
    try:
        last = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or last.get("inputs") != inputs:
        return None
    paths = {name: out_dir / name for name in _output_names()}
    return paths if all(p.is_file() for p in paths.values()) else None


def write_outputs(cons: Consolidation, out_dir: Path, force: bool = False) -> dict[str, Path]:
    """Write the dashboard, the validation report (xlsx + JSON), the tidy tables, the manifest and the
    cache. Returns the final paths by name. Outputs already written from exactly the same inputs are kept as
    they are (unless `force`): they would come out byte for byte the same."""
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = inputs_fingerprint(cons)
    current = None if force else _current_outputs(out_dir, inputs)
    if current is not None:  # nothing to rebuild; the manifest still records this run
        _write_manifest(out_dir / MANIFEST, cons, inputs)
        return current
    tmp = out_dir / TMP
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / TIDY).mkdir(parents=True)
    frames = tidy_frames(cons)
    figures = build_figures(cons, frames)
    write_dashboard(tmp / DASHBOARD, figures)
    write_report_xlsx(tmp / REPORT_XLSX, cons)
    (tmp / REPORT_JSON).write_text(report_json(cons), encoding="utf-8")
    for name in TABLES:
        _write_frame(frames[name], tmp / TIDY / f"{name}.csv", tmp / TIDY / f"{name}.parquet")
    (tmp / TIDY / "README.txt").write_text(
        "Tidy tables of the School Improvement Partnership collection, for the authority's analysts.\n\n"
        + PUPIL_LEVEL_NOTE + "\n\nfiles: every file found, with its status and issue counts.\n"
        "school_returns: the counts each school returned (section, stage, organiser, group, quantity, value).\n"
        "survey: one row per practitioner answer (anonymous respondent codes).\n", encoding="utf-8")
    _write_manifest(tmp / MANIFEST, cons, inputs)

    final: dict[str, Path] = {}
    (out_dir / TIDY).mkdir(exist_ok=True)
    for name in _output_names():
        os.replace(tmp / name, out_dir / name)
        final[name] = out_dir / name
    shutil.rmtree(tmp, ignore_errors=True)
    save_cache(out_dir, {r.sha256: r.result for r in cons.records if r.result is not None})
    return final
