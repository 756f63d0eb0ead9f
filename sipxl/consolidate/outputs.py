"""Write every output of a consolidation into the output folder, each under a temporary name first and
renamed into place at the end, so a run that fails half-way never leaves half a dashboard."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..safe_text import csv_table
from .cache import MANIFEST, load_rows, save_cache
from .feedback import FEEDBACK, MAIL_MERGE, write_feedback
from .history import HISTORY, history_text, load_history, previous_session
from .privacy import authority_key, key_id
from .result import TABLES
from .run import STATUS_LABELS, Consolidation

if TYPE_CHECKING:  # pandas and the writers are imported where they are used: an unchanged re-run needs neither
    import pandas as pd

    from . import analysis as A

DASHBOARD = "dashboard.xlsx"
REPORT_XLSX = "validation_report.xlsx"
REPORT_JSON = "validation_report.json"
TIDY = "tidy"
TMP = ".sipxl-tmp"


WRITERS = ("pandas", "pyarrow", "pyarrow.csv", "pyarrow.parquet", "xlsxwriter", "sipxl.consolidate.frames",
           "sipxl.consolidate.analysis", "sipxl.consolidate.dashboard", "sipxl.consolidate.validation_report")


def load_writers() -> list[Callable[[], None]]:
    """Steps importing what writing the outputs needs (pandas, Arrow, the analysis and the xlsx writers), one
    module a step: run while the workers check, so the parent is ready when they finish (an unchanged re-run
    never runs them)."""
    import importlib

    return [lambda name=name: importlib.import_module(name) for name in WRITERS]


def current_session(files: pd.DataFrame) -> str:
    """The session most accepted files belong to ("" when none says)."""
    ok = files[files["status"].isin(["valid", "warnings", "errors"])]["session"].dropna().astype(str)
    ok = ok[ok != ""]
    return str(ok.value_counts().sort_index(ascending=False).idxmax()) if len(ok) else ""


def build_figures(cons: Consolidation, frames: dict[str, pd.DataFrame], history: dict | None = None) -> dict:
    """Every published table of the dashboard, suppressed (see sipxl.consolidate.analysis); `history` holds
    earlier sessions' figures (sipxl.consolidate.history) for the comparison with the previous session."""
    from . import analysis as A

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
    received_seeds = {str(x.meta("seed_code")) for x in cons.accepted if x.meta("seed_code")}
    schools_received = len(received_seeds)
    headline = A.Table("Files at a glance", ["Measure", "Value"], [
        ["Schools with at least one accepted file", schools_received],
        ["Schools on the authority's list", len(cons.config.schools) or "none given: coverage unknown"],
        ["Schools on the list with nothing received", sum(1 for s in cons.config.schools
                                                          if s.seed_code not in received_seeds)
         if cons.config.schools else None],
        ["SIPP project workbooks accepted", sum(x.kind == "sipp_project" for x in cons.accepted)],
        ["School data returns accepted", sum(x.kind == "school_return" for x in cons.accepted)],
        ["% achieving expected CfE levels (all)", pct.get(A.ALL)],
        ["Poverty-related gap, Q5 − Q1 (percentage points)", gap],
    ], formats={"Value": "num1"})
    figs = {
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
        "gas_intervention": _gas_columns(A.prepost_by(a, A.GAS, A.GAS_T, "intervention", t,
                                                      "GAS T-score change by intervention", "Intervention")),
        "gap": gap,
    }
    session = current_session(frames["files"])
    previous_name, previous = previous_session(history or {}, session)
    outcomes = A.outcomes(figs)
    figs["session_current"], figs["previous_session"] = session, previous_name
    figs["outcomes"] = _outcome_table(outcomes, previous_name, (previous or {}).get("headline", {}))
    rag = {row[0]: row[-1] for row in figs["coverage"].rows}
    figs["profile"] = A.school_profile(measures, r, (previous or {}).get("schools"), previous_name, rag, names)
    figs["history"] = {
        "headline": {o.measure: {"value": o.value, "n": o.n if isinstance(o.n, int | float) else None}
                     for o in outcomes},
        "schools": {rec["seed_code"]: {m: rec[m] for m in A.OUTLIER_MEASURES if rec[m] == rec[m] and rec[m] is not None}
                    for rec in measures.to_dict("records")},
    }
    return figs


OUTCOME_COLUMNS = ["Outcome", "Now", "Based on (n)", "Previous session", "Change", "Detail"]


def _outcome_table(outcomes: list, previous_name: str | None, before: dict) -> A.Table:
    from . import analysis as A

    rows = []
    for o in outcomes:
        prev = before.get(o.measure, {}).get("value") if previous_name else None
        change = o.value - prev if o.value is not None and prev is not None else None
        rows.append([o.measure, o.value if o.value is not None else (A.SUPPRESSED if o.n == A.SUPPRESSED else None),
                     o.n, prev, change, ("link", o.sheet)])
    cols = list(OUTCOME_COLUMNS)
    if previous_name:
        cols[3] = f"Previous session ({previous_name})"
    note = ("Each figure is the authority-level ('All') row of the table on its sheet, with what it rests on (n: "
            "pupils, children, observations or answers). Change: now minus the previous session, in the same "
            "units (percentage points for percentages).")
    if not previous_name:
        note += (" No previous session: give last year's output folder with --previous, or keep the outputs in "
                 "the same folder each year (history.json).")
    return A.Table("Outcomes at a glance", cols, rows, note=note,
                   formats={cols[1]: "num1", cols[2]: "int", cols[3]: "num1", cols[4]: "num1", cols[5]: "link"})


def _gas_columns(t: A.Table) -> A.Table:
    t.columns = [t.columns[0], "Children (n)", "Mean baseline T", "Mean review T", "Mean change in T"]
    t.formats = {"Children (n)": "int", "Mean baseline T": "num1", "Mean review T": "num1", "Mean change in T": "num1"}
    return t


def _attendance_columns(t: A.Table) -> A.Table:
    t.columns = [t.columns[0], "Pupils (n)", "Mean attendance % before", "Mean attendance % after",
                 "Mean change (pp)"]
    t.formats = {"Pupils (n)": "int", **{c: "num1" for c in t.columns[2:]}}
    return t


PARQUET_SLICE = 1 << 15  # rows cast and written at a time (a row group) where a tidy table holds encoded text
# rows Arrow's CSV writer formats at a time: a quarter less time than its 1,024 on the large tables (measured,
# 8,192 best of 1,024 to 131,072); the file is the same
CSV_BATCH = 1 << 13


def _write_frame(df: pd.DataFrame, csv: Path, parquet: Path) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    df = df.copy(deep=False)  # columns replaced below are this copy's (copy on write): the frames stay as they are
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
    # text that a spreadsheet would run as a formula is neutralised
    pa_csv.write_csv(csv_table(table), csv, pa_csv.WriteOptions(batch_size=CSV_BATCH))
    schema = _text_schema(table.schema)
    if schema.equals(table.schema):
        pq.write_table(table, parquet)
    else:
        # Repeated text is held dictionary-encoded (sipxl.consolidate.frames); the Parquet file keeps plain text
        # columns, as an analyst's script expects (Parquet dictionary-encodes them on disk all the same), cast a
        # slice at a time so no table is ever held as full text.
        with pq.ParquetWriter(parquet, schema) as writer:
            for start in range(0, table.num_rows, PARQUET_SLICE):  # Table.cast: RecordBatch.cast is pyarrow 16+
                writer.write_table(table.slice(start, PARQUET_SLICE).cast(schema))
    del table
    give_back_freed_memory()


def _text_schema(schema):
    """`schema` with every dictionary-encoded text column as plain text, pandas' note of it included (a reader
    gets the str column it got before the tables were encoded, not a Categorical)."""
    import pyarrow as pa

    coded = {f.name for f in schema if pa.types.is_dictionary(f.type)}
    if not coded:
        return schema
    fields = [pa.field(f.name, f.type.value_type, f.nullable) if f.name in coded else f for f in schema]
    meta = dict(schema.metadata or {})
    if b"pandas" in meta:
        note = json.loads(meta[b"pandas"])
        for c in note["columns"]:
            if c.get("field_name") in coded:
                c.update(pandas_type="object", numpy_type="str", metadata=None)
        meta[b"pandas"] = json.dumps(note).encode()
    return pa.schema(fields, metadata=meta)


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
    files = manifest.pop("files")
    head = json.dumps(manifest, indent=2, ensure_ascii=False)[:-2]
    # One file a line: readable, and json's fast encoder (an indented dump of thousands of files is slow).
    text = head + ',\n  "files": [\n' + ",\n".join("    " + json.dumps(f, ensure_ascii=False) for f in files) + \
        "\n  ]\n}\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def inputs_fingerprint(cons: Consolidation, history: dict | None = None, surveys: pd.DataFrame | None = None) -> str:
    """What the outputs depend on: sipxl's version, the authority's settings and every file found (path, bytes,
    time). The same fingerprint means the same outputs, byte for byte."""
    key = key_id(authority_key(cons.config.pseudonym_key))  # placeholders of flagged references depend on it
    h = hashlib.sha256(f"{__version__}\n{cons.config!r}\n{key}\n".encode())
    own = {str(r.meta("session")) for r in cons.accepted}  # this run's own sessions are written, not read
    h.update(json.dumps({k: v for k, v in (history or {}).items() if k not in own}, sort_keys=True,
                        default=str).encode())
    if surveys is not None:
        h.update(surveys.to_csv(index=False).encode())
    for r in cons.records:
        h.update(f"{r.found.path}\0{r.sha256}\0{r.found.size}\0{r.found.mtime_ns}\n".encode())
    return h.hexdigest()


def _output_names() -> tuple[str, ...]:
    return (*(f"{TIDY}/{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")), f"{TIDY}/README.txt",
            DASHBOARD, REPORT_XLSX, REPORT_JSON, HISTORY, MANIFEST)


def _current_outputs(out_dir: Path, inputs: str) -> dict[str, Path] | None:
    """The existing outputs, when the last run wrote them from exactly these inputs and they are all there."""
    try:
        last = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or last.get("inputs") != inputs:
        return None
    paths = {name: out_dir / name for name in _output_names()}
    if not (all(p.is_file() for p in paths.values()) and (out_dir / FEEDBACK / MAIL_MERGE).is_file()):
        return None
    return {**paths, FEEDBACK: out_dir / FEEDBACK}


def earlier_sessions(out_dir: Path, previous: Path | None = None) -> dict[str, dict]:
    """The history kept in `out_dir`, with the sessions of `previous` (last year's output folder) added."""
    return {**load_history(out_dir), **load_history(previous)}


def frames_for(cons: Consolidation, surveys: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    import pandas as pd

    from .frames import tidy_frames

    frames = tidy_frames(cons)
    if surveys is not None and len(surveys):
        frames["survey"] = pd.concat([frames["survey"], surveys], ignore_index=True)
    give_back_freed_memory()
    return frames


def _arrow_on_the_system_allocator() -> None:
    """Arrow's own allocator (mimalloc) keeps what pandas and the writers free for later use, so each step's
    working copies pile up; on the system's allocator they are reused by the next step and given back by
    give_back_freed_memory: about 60 MiB less at the peak at 6,694 files, for the same speed (measured). An
    allocator chosen for Arrow in the environment (ARROW_DEFAULT_MEMORY_POOL) is left as it is; the command line
    chooses the system's there, before Arrow first allocates."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL", "system") != "system":
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def give_back_freed_memory() -> None:
    """Arrow's allocator and glibc's keep what was freed for later use (the lists the tidy tables were gathered
    in, pandas' working copies while the figures are built, a writer's buffers): given back after each big step,
    it is not carried beside the next one, nor by three processes at once (about 90 MiB of Arrow's and 30 MiB of
    glibc's in the parent alone at 6,694 files)."""
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl): nothing to give back this way
        pass


def _report_and_letters(tmp: Path, cons: Consolidation) -> Callable[[], None]:
    """Writing the validation report (xlsx, JSON) and the feedback workbooks: they need the consolidation, not the
    tidy tables, so they are written beside the tables' building (see write_outputs)."""
    from .validation_report import write_report_json, write_report_xlsx

    def task() -> None:
        _let_rows_go(cons)  # in this process's copy: what it shares of the rows' text is given back at once
        give_back_freed_memory()
        write_report_xlsx(tmp / REPORT_XLSX, cons)
        give_back_freed_memory()
        write_report_json(tmp / REPORT_JSON, cons)
        give_back_freed_memory()
        write_feedback(cons, tmp / FEEDBACK)
    return task


def _let_rows_go(cons: Consolidation) -> None:
    for r in cons.records:
        if r.content is not None:
            r.content.rows_json = None


def _write_all(tmp: Path, cons: Consolidation, frames: dict[str, pd.DataFrame], history: dict,
               inputs: str, out_dir: Path) -> None:
    from .dashboard import write_dashboard
    from .frames import PUPIL_LEVEL_NOTE

    (tmp / TIDY).mkdir(parents=True)

    def dashboard() -> None:
        figures = build_figures(cons, frames, history)
        give_back_freed_memory()
        (tmp / HISTORY).write_text(history_text(history, figures["session_current"], figures["history"]),
                                   encoding="utf-8")
        write_dashboard(tmp / DASHBOARD, figures)

    def the_rest() -> None:
        for name in TABLES:
            _write_frame(frames[name], tmp / TIDY / f"{name}.csv", tmp / TIDY / f"{name}.parquet")
        (tmp / TIDY / "README.txt").write_text(
            "Tidy tables of the School Improvement Partnership collection, for the authority's analysts.\n\n"
            + PUPIL_LEVEL_NOTE + "\n\nfiles: every file found, with its status and issue counts.\n"
            "school_returns: the counts each school returned (section, stage, organiser, group, quantity, "
            "value).\nsurvey: one row per practitioner answer (anonymous respondent codes).\n", encoding="utf-8")
        _write_manifest(tmp / MANIFEST, cons, inputs)

    side_by_side(dashboard, the_rest, names=("the dashboard",))


def _save_cache(out_dir: Path, cons: Consolidation) -> None:
    save_cache(out_dir, {r.sha256: r.result for r in cons.records if r.result is not None},
               frozenset(r.sha256 for r in cons.records if r.unchanged))


def _forking() -> bool:
    """Whether outputs are written in forked processes: on Linux (fork is the platform's safe default there, not on
    Windows or macOS) with more than one core."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def side_by_side(*tasks: Callable[[], None], names: tuple[str, ...] = ()) -> None:
    """Run every task but the last in a forked copy of this process while this one runs the last: the dashboard,
    the feedback letters and the other outputs are independent, so a second core shortens the serial phase. An
    error in any is raised here, a child's with its traceback, after every task has ended. Where fork is not the
    platform's safe default (Windows, macOS), or with one core, they run one after the other. `names` say what
    each child writes, for the message when one fails (default: "the dashboard")."""
    *children, last = tasks
    if not _forking():
        for task in tasks:
            task()
        return
    with _frozen():
        started = [_start(task, names[k] if k < len(names) else "the dashboard") for k, task in enumerate(children)]
        try:
            last()
        finally:
            _finish(started)


@contextlib.contextmanager
def meanwhile(task: Callable[[], None], name: str) -> Iterator[None]:
    """Run `task` in a forked copy of this process while the `with` block runs here, and wait for it at the block's
    end, raising its error (with its traceback) as side_by_side does; where outputs are not forked, run it after
    the block (so that what the block does first, such as saving the cache, never waits on the task's success)."""
    if not _forking():
        yield
        task()
        return
    with _frozen():
        started = [_start(task, name)]
        try:
            yield
        finally:
            _finish(started)


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Frozen, the objects the processes share (the consolidation, the tables) are out of the cyclic collector's
    reach while the children run: a collection, in a child or in this process, would otherwise write to every
    one of them and so copy every page they are on, though all only read them. Within an enclosing block, what
    was made since is frozen too, and the enclosing block unfreezes it all at its end."""
    outermost = not gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()


def _start(task: Callable[[], None], name: str) -> tuple[str, object, object]:
    import multiprocessing

    receive, send = multiprocessing.Pipe(duplex=False)

    def child() -> None:
        try:
            task()
            send.send("")
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
            send.send(traceback.format_exc())

    process = multiprocessing.get_context("fork").Process(target=child, daemon=True)
    process.start()
    send.close()
    return name, process, receive


def _finish(started: list[tuple[str, object, object]]) -> None:
    failures = []
    for name, process, receive in started:
        try:
            failure = receive.recv()
        except EOFError:  # the child died before it could say (killed, out of memory)
            failure = None
        process.join()
        if failure is None:
            failures.append(f"the process writing {name} ended without a word (exit code {process.exitcode})")
        elif failure:
            failures.append(f"writing {name} failed:\n{failure}")
    if failures:
        raise RuntimeError("\n".join(failures))


def write_outputs(cons: Consolidation, out_dir: Path, force: bool = False, previous: Path | None = None,
                  surveys: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write the dashboard, the validation report (xlsx + JSON), the tidy tables, the session history, the
    manifest and the cache. Returns the final paths by name. Outputs already written from exactly the same
    inputs are kept as they are (unless `force`): they would come out byte for byte the same. `previous`: last
    session's output folder, for the year-on-year comparison (else the history kept in `out_dir`). `surveys`: the
    practitioner survey's rows from the authority's own Forms exports (sipxl.consolidate.forms). The cache is saved
    before any output is written; the files' tidy rows are then let go (they are in the tables), so `cons` no
    longer holds them (sipxl.consolidate.run.rows_of would read a file again for its rows)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    history = earlier_sessions(out_dir, previous)
    inputs = inputs_fingerprint(cons, history, surveys)
    current = None if force else _current_outputs(out_dir, inputs)
    if current is not None:  # nothing to rebuild; the manifest still records this run
        _write_manifest(out_dir / MANIFEST, cons, inputs)
        if cons.read:  # files read again although the outputs stand (the cache was lost or damaged): keep them
            _save_cache(out_dir, cons)
        return current
    _arrow_on_the_system_allocator()  # only now: a re-run with nothing to rebuild never loads Arrow
    # Everything is written into a fresh folder beside out_dir (same disk, so each rename below is atomic): a run
    # that fails on the way leaves the previous outputs as they were, and two runs never share a temporary folder.
    load_rows(out_dir, {r.sha256: r.content for r in cons.records  # the unchanged files' rows, from the cache
                        if r.unchanged and r.content is not None and r.content.rows_json is None})
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.resolve().name}.", suffix=TMP, dir=out_dir.resolve().parent))
    try:
        # The validation report and the feedback workbooks need no tidy table: they are written while the tables
        # are built, on the second core.
        with meanwhile(_report_and_letters(tmp, cons), "the validation report and the feedback workbooks"):
            frames = frames_for(cons, surveys)
            # The cache goes straight into place (a cache of what was read stays right even if a later step
            # fails), before the other writers fork: the rows' JSON text, now in the tables, is then let go rather
            # than carried beside them (about 55 MiB at 6,694 files).
            _save_cache(out_dir, cons)
            _let_rows_go(cons)
            give_back_freed_memory()
            _write_all(tmp, cons, frames, history, inputs, out_dir)
        final: dict[str, Path] = {}
        shutil.rmtree(out_dir / FEEDBACK, ignore_errors=True)  # last run's letters go: schools fixed since get none
        os.replace(tmp / FEEDBACK, out_dir / FEEDBACK)
        final[FEEDBACK] = out_dir / FEEDBACK
        (out_dir / TIDY).mkdir(exist_ok=True)
        for name in _output_names():
            os.replace(tmp / name, out_dir / name)
            final[name] = out_dir / name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
