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
WIDTH = 80  # the summary fits a standard terminal


EXAMPLE = """examples:
  sipxl consolidate returns --config batch/authority.toml --out sipxl-output
  sipxl consolidate returns-2026 --config batch/authority.toml --previous sipxl-output-2025 --all

outputs (in OUT_DIR): dashboard.xlsx, validation_report.xlsx/.json, feedback/ (a workbook per school with
something to fix, and mail_merge.csv), tidy/ (CSV and Parquet), history.json (for next year's comparison)."""


def register_consolidate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consolidate", help="read a folder tree of returned workbooks; write the authority "
                       "dashboard, the validation report, each school's feedback and tidy tables",
                       description=__doc__, epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("in_dirs", nargs="+", metavar="IN_DIR",
                   help="folders holding the returned workbooks (sub-folders are read too)")
    p.add_argument("--out", metavar="OUT_DIR", help="output folder (default: the config's output, else "
                   "'sipxl-output')")
    p.add_argument("--config", metavar="TOML", help="the authority's configuration: name, deadline, school list, "
                   "contact (default: none; e.g. batch/authority.toml)")
    p.add_argument("--previous", metavar="OUT_DIR", help="last session's output folder, for the year-on-year "
                   "comparison (default: the history kept in OUT_DIR)")
    p.add_argument("--survey", metavar="XLSX", action="append", default=[],
                   help="a Microsoft Forms 'Download responses' export of the practitioner survey; may be given "
                        "more than once (default: none)")
    p.add_argument("--force", action="store_true", help="read every file again, ignoring the cache (default: off)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--all", action="store_true", dest="all_schools",
                   help="list every school in the summary, not only those needing attention (default: off)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout (default: off)")
    p.set_defaults(func=run_consolidate)


def _fancy() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def run_consolidate(args: argparse.Namespace) -> int:
    from rich.console import Console

    err = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")), highlight=False, soft_wrap=True,
                  force_terminal=None if _fancy() else False, width=None if _fancy() else WIDTH)
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
    not_folders = [d for d in args.in_dirs if not Path(d).is_dir()]
    if not_folders:
        err.print(f"sipxl consolidate: {', '.join(not_folders)} is a file, not a folder. Give the folder that "
                  "holds the returned workbooks (to check one workbook: sipxl validate FILE).")
        return 2
    if args.previous and not Path(args.previous).is_dir():
        err.print(f"sipxl consolidate: --previous {args.previous}: no such folder (give last session's output "
                  "folder, the one holding history.json)")
        return 2
    bad_survey = [s for s in args.survey if not Path(s).is_file()]
    if bad_survey:
        err.print(f"sipxl consolidate: --survey: no such file: {', '.join(bad_survey)}")
        return 2
    if args.jobs is not None and args.jobs < 1:
        err.print("sipxl consolidate: --jobs must be 1 or more")
        return 2
    from ..consolidate.guard import Busy, FolderClash, OutputLock, check_folders

    try:
        check_folders([Path(d) for d in args.in_dirs], out)
    except FolderClash as e:
        err.print(f"sipxl consolidate: {e}", markup=False)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        err.print(f"sipxl consolidate: cannot create the output folder {out}: {e.strerror}")
        return 2
    try:
        with OutputLock(out):  # one run at a time into one output folder
            return _run(args, config, out, err)
    except Busy as e:
        err.print(f"sipxl consolidate: {e}", markup=False)
        return 2
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
    # Before pandas and Arrow load: every Arrow allocation of the run on the system's allocator, which reuses and
    # gives back what each step frees (sipxl.consolidate.outputs._arrow_on_the_system_allocator), unless the
    # authority's IT has chosen an allocator for Arrow.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..consolidate.discover import READ_SUFFIXES
    from ..consolidate.outputs import DASHBOARD, REPORT_XLSX, load_writers, write_outputs
    from ..consolidate.run import consolidate

    surveys = None
    if args.survey:
        from ..consolidate.forms import FormsError, read_forms_exports  # pandas: imported only when asked

        try:
            surveys = read_forms_exports([Path(s) for s in args.survey])
        except FormsError as e:
            err.print(f"sipxl consolidate: --survey: {e}", markup=False)
            return 2
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
                           on_start=on_start, advance=advance, meanwhile=load_writers())
    finally:
        if progress is not None:
            progress.stop()
    if not any(Path(r.found.path).suffix.lower() in READ_SUFFIXES for r in cons.records):
        err.print(f"No workbooks were found in {', '.join(args.in_dirs)} (looked for .xlsx and .xlsm files, in "
                  f"sub-folders too; {len(cons.records)} other file(s) found). Nothing was written. Check the "
                  "folder name, or copy the returned workbooks into it.")
        return 2
    paths = write_outputs(cons, out, force=args.force, previous=Path(args.previous) if args.previous else None,
                          surveys=surveys)
    log = out / ERROR_LOG
    if cons.crashes:
        log.write_text("\n\n".join(f"{rel}\n{tb}" for rel, tb in cons.crashes), encoding="utf-8")
    elif log.exists():
        log.unlink()
    _summary(cons, err, args.all_schools)
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


def _school_lines(cons) -> tuple[list[tuple[str, str, str]], list[str], int]:
    """(SEED code, school, what needs attention) for every school with a problem, missing first; the seed codes
    of the others; how many of those have warnings."""
    from ..issues import has_errors

    by_school: dict[str, list] = {}
    for r in cons.records:
        by_school.setdefault(r.seed_code, []).append(r)
    missing: dict[str, list[str]] = {}
    for i in cons.school_issues:
        if i.code == "SIPXL-C008":
            missing.setdefault(str(i.extra.get("seed_code", "")), []).append(i.label)
    problems, fine, warned = [], [], 0
    for seed in sorted(set(by_school) | set(missing), key=lambda s: (s == "", s)):
        rs = by_school.get(seed, [])
        what = []
        if seed in missing:
            what.append("nothing received" if not rs else "missing " + ", ".join(missing[seed]))
        rejected = sum(r.status == "rejected" and has_errors(r.issues) for r in rs)
        errors = sum(r.status == "errors" for r in rs)
        if rejected:
            what.append(f"{rejected} file(s) rejected")
        if errors:
            what.append(f"{errors} file(s) with errors")
        empty = sum(r.status == "empty" for r in rs)
        if empty:
            what.append(f"{empty} empty file(s), nothing entered")
        if what:
            name = cons.school_name(seed) if seed else "(school not known)"
            problems.append((seed or "-", name, "; ".join(what)))
        else:
            fine.append(seed)
            warned += any(r.status == "warnings" for r in rs)
    problems.sort(key=lambda p: (not p[2].startswith(("nothing", "missing")), p[0]))
    return problems, fine, warned


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _summary(cons, err, all_schools: bool = False) -> None:
    """Exceptions first, then one line for every school that is fine; every school with --all. Fits 80 columns."""
    from ..consolidate.run import ACCEPTED

    n_schools = len({r.seed_code for r in cons.records if r.seed_code} | {s.seed_code for s in cons.config.schools})
    err.print(_cut(f"{cons.config.name}: {len(cons.records)} file(s) from {n_schools} school(s)", WIDTH),
              markup=False)
    problems, fine, warned = _school_lines(cons)
    if problems:
        err.print(f"Needs attention ({len(problems)}):", markup=False, style="bold")
        err.print("\n".join(f"  {seed:<8} {_cut(name, 28):<28} {_cut(what, WIDTH - 40)}"  # one call: rich is
                             for seed, name, what in problems), markup=False)  # slow per line
    fine_text = f"{len(fine)} school(s) all fine" + (f" ({warned} with warnings to look at)" if warned else "")
    err.print(fine_text + ".", markup=False)
    if not cons.config.schools:
        err.print("No school list in the configuration: a school that sent nothing cannot be seen, so "
                  "coverage is unknown.", markup=False)
    if all_schools:
        err.print(f"  {'SEED':<8} {'School':<28} {'Valid':>6} {'Warn':>5} {'Err':>5} {'Rej':>5} {'Other':>6} "
                  f"{'Same':>5}", markup=False, style="bold")
        by_school: dict[str, list] = {}
        for r in cons.records:
            by_school.setdefault(r.seed_code, []).append(r)
        for seed in sorted(by_school, key=lambda s: (s == "", s)):
            rs = by_school[seed]
            counts = [sum(r.status == s for r in rs) for s in ("valid", "warnings", "errors", "rejected")]
            other = sum(r.status in ("duplicate", "superseded") for r in rs)
            same = sum(r.unchanged and r.status in (*ACCEPTED, "rejected") for r in rs)
            name = cons.school_name(seed) if seed else "(school not known)"
            err.print(f"  {seed or '-':<8} {_cut(name, 28):<28} {counts[0]:>6} {counts[1]:>5} {counts[2]:>5} "
                      f"{counts[3]:>5} {other:>6} {same:>5}", markup=False)
    elif fine:
        err.print("Every school: add --all.", markup=False, style="dim")
    if cons.ignored:
        shown = ", ".join(cons.ignored[:3]) + (f" and {len(cons.ignored) - 3} more (every one is listed in "
                                                "validation_report.json)" if len(cons.ignored) > 3 else "")
        err.print(_cut(f"Ignored {len(cons.ignored)} system file(s) that Windows, macOS or Excel make: {shown}.",
                       WIDTH * 3), markup=False)
    _warn_copied_times(cons, err)
    err.print(f"Read {cons.read} file(s), {cons.unchanged} unchanged since the last run, in {cons.seconds:.1f} s.",
              markup=False)


def _warn_copied_times(cons, err) -> None:
    """Most files modified today: they were copied, so their times say nothing about when schools sent them."""
    import datetime as dt

    today = dt.date.today()
    if cons.records and sum(r.modified == today for r in cons.records) > len(cons.records) / 2:
        err.print("Most files' modified times are today: they look copied, so lateness uses only each workbook's "
                  "'Prepared for submission' stamp (without one: date unknown).", markup=False)


def _next_step(cons, out: Path, err) -> None:
    from ..issues import has_errors

    bad = sum(r.status == "errors" or (r.status == "rejected" and has_errors(r.issues)) for r in cons.records)
    letters = len(list((out / "feedback").glob("*.xlsx")))
    if bad or letters:
        err.print(f"Next: send each school its feedback: {letters} workbook(s) in {out / 'feedback'} "
                  f"(mail_merge.csv lists the e-mails); then run this command again when they reply (unchanged "
                  f"files are not read again). The dashboard is {out / 'dashboard.xlsx'}.", markup=False)
    else:
        err.print(f"Next: open {out / 'dashboard.xlsx'}. Every file was accepted.", markup=False)
