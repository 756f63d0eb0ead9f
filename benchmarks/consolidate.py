"""Benchmark: consolidation speed and growth against the naive reader and the unzip-and-parse limit.

    python benchmarks/consolidate.py [--sizes 250 1000 2500] [--quick]

Generates (once, cached in benchmarks/data/) sample authorities with the given numbers of project workbooks,
then measures on the same files: `sipxl consolidate` on 1 core and on all cores (wall time, files/s, peak
memory), plain openpyxl (`load_workbook(read_only=True, data_only=True)`, every cell of every sheet) as the
naive baseline, unzipping and parsing every sheet's XML with no other work as the physical limit, and
incremental re-runs (nothing changed; 1% changed). Prints the figures and writes benchmarks/results.md.
Timings are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results.md"


def workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if p.is_file())


def ensure_sample(n_projects: int) -> Path:
    """A sample authority of about n project workbooks (one per partnership of 2-3 schools; about 2.4 schools a
    partnership on average), without the school data returns, so the files are project workbooks only."""
    from sipxl.sample import generate_authority

    folder = DATA / f"authority_{n_projects}"
    done = folder / ".complete"
    if not done.exists():
        if folder.exists():
            shutil.rmtree(folder)
        start = time.perf_counter()
        generate_authority(folder, schools=round(n_projects * 2.4), seed=2026, mistake_rate=0.1, returns=False)
        done.write_text("ok")
        print(f"  generated about {n_projects} project workbooks in {time.perf_counter() - start:.1f} s", flush=True)
    return folder


def warm_cache(files: list[Path]) -> None:
    """Read every file once, so each measurement starts with the files in the page cache (the first one
    measured would otherwise also pay for the disk)."""
    for f in files:
        f.read_bytes()


def _naive_one(path: str) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += sum(v is not None for v in row)
    wb.close()
    return n


def _limit_one(path: str) -> int:
    n = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml":
                n += len(ElementTree.fromstring(zf.read(name)))
    return n


def timed_pool(func, files: list[Path], jobs: int) -> float:
    start = time.perf_counter()
    if jobs == 1:
        for f in files:
            func(str(f))
    else:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(func, [str(f) for f in files], chunksize=8))
    return time.perf_counter() - start


def run_consolidate(inputs: Path, out: Path, jobs: int, force: bool) -> tuple[float, float]:
    """(wall seconds, peak resident memory MiB of the command and its workers)."""
    cmd = [sys.executable, "-c",
           "import sys, resource; from sipxl.cli import main; rc = main(sys.argv[1:]); "
           "self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
           "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
           "print(f'PEAK_KB {max(self, kids)} {self} {kids}', file=sys.stderr); sys.exit(rc)",
           "consolidate", str(inputs), "--out", str(out), "--jobs", str(jobs)]
    if force:
        cmd.append("--force")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"consolidate failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    peak = next((line.split() for line in proc.stderr.splitlines() if line.startswith("PEAK_KB")), None)
    total_kb = int(peak[2]) + int(peak[3]) if peak else 0  # parent + largest worker, an upper bound
    return wall, total_kb / 1024


def touch_one_percent(folder: Path) -> int:
    """Change 1% of the files' bytes (a zip comment), as a re-sent workbook would."""
    files = [f for f in workbooks(folder)][:: 100]
    for f in files:
        with zipfile.ZipFile(f, "a") as zf:
            zf.comment = f"changed {time.time()}".encode()
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 2500])
    parser.add_argument("--quick", action="store_true", help="skip the naive reader above 1,000 files")
    args = parser.parse_args()
    import sipxl

    cores = os.cpu_count() or 1
    rows = []
    for n in args.sizes:
        print(f"== {n} project workbooks", flush=True)
        folder = ensure_sample(n)
        files = workbooks(folder)
        warm_cache(files)
        out = DATA / f"out_{n}"
        shutil.rmtree(out, ignore_errors=True)
        one, mem1 = run_consolidate(folder, out, 1, force=True)
        print(f"  sipxl 1 core: {one:.2f} s", flush=True)
        shutil.rmtree(out, ignore_errors=True)
        alln, mem_all = run_consolidate(folder, out, cores, force=True)
        print(f"  sipxl {cores} cores: {alln:.2f} s", flush=True)
        unchanged, _ = run_consolidate(folder, out, cores, force=False)
        changed_n = touch_one_percent(folder)
        changed, _ = run_consolidate(folder, out, cores, force=False)
        naive = timed_pool(_naive_one, files, cores) if not (args.quick and n > 1000) else float("nan")
        print(f"  naive openpyxl {cores} cores: {naive:.2f} s", flush=True)
        limit = timed_pool(_limit_one, files, cores)
        print(f"  unzip+parse limit {cores} cores: {limit:.2f} s", flush=True)
        rows.append(dict(n=n, files=len(files), one=one, all=alln, mem1=mem1, mem_all=mem_all, naive=naive,
                         limit=limit, unchanged=unchanged, changed=changed, changed_n=changed_n))

    lines = [
        "# Consolidation benchmark", "",
        f"Machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, sipxl "
        f"{sipxl.__version__}, {platform.platform()}.", "",
        "Files = SIPP project workbooks from the sample generator (10% with mistakes). "
        "Naive = openpyxl read_only/data_only over every cell; "
        "limit = unzip and parse each sheet's XML, nothing else (both on all cores). Files are in the page cache "
        "for every measurement.", "",
        "| project workbooks | files | sipxl 1 core (s) | sipxl all cores (s) | files/s | peak MiB (1 core / all) "
        "| naive (s) | naive ÷ sipxl | limit (s) | sipxl ÷ limit | re-run unchanged (s) | re-run 1% changed (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['files']} | {r['one']:.2f} | {r['all']:.2f} | {r['files'] / r['all']:.0f} | "
            f"{r['mem1']:.0f} / {r['mem_all']:.0f} | {r['naive']:.2f} | {r['naive'] / r['all']:.1f} | "
            f"{r['limit']:.2f} | {r['all'] / r['limit']:.1f} | {r['unchanged']:.2f} | "
            f"{r['changed']:.2f} ({r['changed_n']} files) |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["all"] / first["all"]) / (last["files"] / first["files"])
        lines += ["", f"Growth: time per file at {last['n']} ÷ time per file at {first['n']} = {growth:.2f} "
                  "(1.0 is linear)."]
    buttons = HERE / "buttons_results.md"
    if buttons.exists():
        lines += ["", buttons.read_text().strip()]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {RESULTS}; peak memory from getrusage (ru_maxrss) of the command and its largest worker")


if __name__ == "__main__":
    main()
