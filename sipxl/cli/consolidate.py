"""`sipxl consolidate IN_DIR... --out OUT_DIR`: the authority's batch run, for a person at a terminal.

Exit codes: 0 every file valid; 1 finished, and some files have errors or were rejected (the outputs are
still written); 2 usage error; 3 internal error (the traceback goes to OUT_DIR/sipxl-error.log, never to the
screen).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

ERROR_LOG = "sipxl-error.log"
SUMMARY_ROWS = 40  # above this many schools the table lists only those with something to see


def register_consolidate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consolidate", help="read a folder tree of returned workbooks; write the authority "
                       "dashboard, the validation report and tidy tables",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("in_dirs", nargs="+", metavar="IN_DIR", help="folders holding the returned workbooks")
    p.add_argument("--out", metavar="OUT_DIR", help="output folder (default: the config's output, else "
                   "'sipxl-output')")
    p.add_argument("--config", metavar="TOML", help="the authority's configuration, e.g. batch/authority.toml")
    p.add_argument("--force", action="store_true", help="read every file again (ignore the cache)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    p.set_defaults(func=run_consolidate)


def _fancy() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def run_consolidate(args: argparse.Namespace) -> int:
    from rich.console import Console

    err = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")), highlight=False,
                  force_terminal=None if _fancy() else False, width=None if _fancy() else 120)
    from ..consolidate.config import AuthorityConfig, ConfigError, load_config

    try:
        config = load_config(args.config) if args.config else AuthorityConfig()
    except ConfigError as e:
        err.print(f"sipxl consolidate: {e}")
        return 2
    out = Path(args.out or config.output or "sipxl-output")
    missing = [d for d in args.in_dirs if not Path(d).exists()]
    if missing:
        err.print(f"sipxl consolidate: no such folder: {', '.join(missing)}")
        return 2
    if args.jobs is not None and args.jobs < 1:
        err.print("sipxl consolidate: --jobs must be 1 or more")
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        err.print(f"sipxl consolidate: cannot create the output folder {out}: {e.strerror}")
        return 2
    try:
        return _run(args, config, out, err)
    except KeyboardInterrupt:
        err.print("Stopped. Nothing was replaced in the output folder.")
        return 130
    except Exception:  # noqa: BLE001 - a person at a terminal never sees a traceback
        log = out / ERROR_LOG
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"The details are in {log}."
        except OSError:
            where = "The details could not be written to the output folder."
        err.print(f"sipxl consolidate stopped on an internal error. {where} Please send that file to the sipxl "
                  "maintainers.")
        return 3


def _run(args: argparse.Namespace, config, out: Path, err) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..consolidate.outputs import DASHBOARD, REPORT_XLSX, write_outputs
    from ..consolidate.run import consolidate

    progress = None
    task = None

    def on_start(n: int) -> None:
        nonlocal progress, task
        if _fancy() and n:
            progress = Progress(TextColumn("Reading workbooks"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=err, transient=True)
            progress.start()
            task = progress.add_task("read", total=n)

    def advance(n: int) -> None:
        if progress is not None:
            progress.advance(task, n)

    try:
        cons = consolidate([Path(d) for d in args.in_dirs], out, config, force=args.force, jobs=args.jobs,
                           on_start=on_start, advance=advance)
    finally:
        if progress is not None:
            progress.stop()
    paths = write_outputs(cons, out, force=args.force)
    log = out / ERROR_LOG
    if cons.crashes:
        log.write_text("\n\n".join(f"{rel}\n{tb}" for rel, tb in cons.crashes), encoding="utf-8")
    elif log.exists():
        log.unlink()
    _summary(cons, err)
    if args.json:
        import json

        print(json.dumps({"files_found": len(cons.records), "counts": cons.counts(), "read": cons.read,
                          "unchanged": cons.unchanged, "exit_code": cons.exit_code,
                          "outputs": {k: str(v) for k, v in paths.items()}}, indent=2))
    else:
        print(paths[DASHBOARD])
        print(paths[REPORT_XLSX])
    _next_step(cons, out, err)
    return cons.exit_code


def _summary(cons, err) -> None:
    from rich.table import Table

    from ..consolidate.run import ACCEPTED

    table = Table(title=f"{cons.config.name}: {len(cons.records)} files found", title_justify="left")
    for col in ("SEED code", "School", "Valid", "With warnings", "With errors", "Rejected", "Not counted",
                "Unchanged"):
        table.add_column(col, justify="left" if col in ("SEED code", "School") else "right")
    by_school: dict[str, list] = {}
    for r in cons.records:
        by_school.setdefault(r.seed_code, []).append(r)
    totals = [0] * 6
    quiet = 0  # schools whose every file is valid, folded into one row when there are many schools
    for seed in sorted(by_school, key=lambda s: (s == "", s)):
        rs = by_school[seed]
        row = [sum(r.status == "valid" for r in rs), sum(r.status == "warnings" for r in rs),
               sum(r.status == "errors" for r in rs), sum(r.status == "rejected" for r in rs),
               sum(r.status in ("duplicate", "superseded") for r in rs),
               sum(r.unchanged and r.status in (*ACCEPTED, "rejected") for r in rs)]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        if len(by_school) > SUMMARY_ROWS and row[0] == len(rs):
            quiet += 1
            continue
        table.add_row(seed or "-", cons.school_name(seed) if seed else "(school not known)", *map(str, row))
    if quiet:
        table.add_row("", f"{quiet} other schools: every file valid", "", "", "", "", "", "", style="dim")
    table.add_row("", "All", *map(str, totals), style="bold")
    err.print(table)
    if cons.ignored:
        err.print(f"Ignored {len(cons.ignored)} hidden or system file(s) such as {cons.ignored[0]}.")
    err.print(f"Read {cons.read} file(s), {cons.unchanged} unchanged since the last run, in {cons.seconds:.1f} s.")


def _next_step(cons, out: Path, err) -> None:
    from ..issues import has_errors

    bad = sum(r.status == "errors" or (r.status == "rejected" and has_errors(r.issues)) for r in cons.records)
    if bad:
        err.print(f"Next: {bad} file(s) need a school's attention. Open {out / 'validation_report.xlsx'} and "
                  "send each school its own sheet; then run this command again (unchanged files are not read "
                  f"again). The dashboard is {out / 'dashboard.xlsx'}.")
    else:
        err.print(f"Next: open {out / 'dashboard.xlsx'}. Every file was accepted.")
