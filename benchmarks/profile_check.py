"""Per-stage time of checking one workbook, on one core: read, extract, validate, score (and tidy).

    python benchmarks/profile_check.py [--repeat 5] [--folder DIR] [--profile STAGE]

Measures, per file, the stages `sipxl.engine.check_file` runs (read_workbook, extract, validate_content,
score_workbook) and what the consolidator's worker adds (file_content: the tidy rows), first on a clean
6-pupil project workbook (`sipxl.sample.build_clean_project`), then on every workbook of a sample authority
(generated once into benchmarks/data/profile_authority, 36 schools with the generator's recorded mistakes,
unless --folder is given). Each figure is the median over --repeat runs of the mean per file, in ms.
The consolidator's batch path (`sipxl.consolidate.worker.check_many`, one call per chunk of files) is timed
too. `--profile validate` (or read, extract, score, tidy, batch) prints a cProfile of that stage.
Nothing is asserted; the figures are what the speed work in issue 6 is measured by.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import platform
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sipxl import __version__  # noqa: E402
from sipxl.consolidate.tidy import file_content  # noqa: E402
from sipxl.consolidate.worker import check_many  # noqa: E402
from sipxl.domain.rules import validate_content  # noqa: E402
from sipxl.domain.scores import score_workbook  # noqa: E402
from sipxl.engine import content_of  # noqa: E402
from sipxl.io.read import read_workbook  # noqa: E402
from sipxl.isolation import GC_YOUNG  # noqa: E402
from sipxl.sample import build_clean_project, generate_authority  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "profile_authority"
STAGES = ("read", "extract", "validate", "score", "tidy")


def _authority() -> Path:
    done = DATA / ".complete"
    if not done.exists():
        generate_authority(DATA, schools=36, seed=2026, mistake_rate=0.15)
        done.write_text("ok")
    return DATA


def _stages(paths: list[Path]) -> dict[str, float]:
    """Seconds per stage, summed over the files (each stage timed on its own)."""
    total = dict.fromkeys(STAGES, 0.0)
    for path in paths:
        t0 = time.perf_counter()
        raw = read_workbook(path)
        t1 = time.perf_counter()
        content = content_of(raw)
        t2 = time.perf_counter()
        validate_content(content)
        t3 = time.perf_counter()
        scores = score_workbook(content)
        t4 = time.perf_counter()
        file_content(content, scores)
        t5 = time.perf_counter()
        for stage, a, b in zip(STAGES, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
            total[stage] += b - a
    return total


def _batch(paths: list[Path], size: int = 32) -> float:
    t = time.perf_counter()
    names = [str(p) for p in paths]
    for i in range(0, len(names), size):
        check_many(names[i:i + size])
    return time.perf_counter() - t


def measure(paths: list[Path], repeat: int) -> dict[str, float]:
    """Median over `repeat` runs of ms per file, per stage, plus the total and the batch path, with the garbage
    collector set as in a worker (sipxl.isolation: what was loaded frozen, young objects collected less often)."""
    _stages(paths[:2])  # warm the caches (templates, layouts, schemas)
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *before[1:])
    try:
        return _measure(paths, repeat)
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _measure(paths: list[Path], repeat: int) -> dict[str, float]:
    runs = [_stages(paths) for _ in range(repeat)]
    out = {s: 1000 * statistics.median(r[s] for r in runs) / len(paths) for s in STAGES}
    out["check (read..score)"] = sum(out[s] for s in ("read", "extract", "validate", "score"))
    out["worker batch (check_many)"] = 1000 * statistics.median(_batch(paths) for _ in range(repeat)) / len(paths)
    return out


def _show(title: str, n: int, figures: dict[str, float]) -> None:
    print(f"\n{title} ({n} file{'s' if n != 1 else ''}), ms per file, one core")
    for name, ms in figures.items():
        print(f"  {name:<28}{ms:8.2f}")


def _profile(paths: list[Path], stage: str) -> None:
    contents = [content_of(read_workbook(p)) for p in paths]
    scores = [score_workbook(c) for c in contents]
    work = {
        "read": lambda: [read_workbook(p) for p in paths],
        "extract": lambda: [content_of(read_workbook(p)) for p in paths],
        "validate": lambda: [validate_content(c) for c in contents],
        "score": lambda: [score_workbook(c) for c in contents],
        "tidy": lambda: [file_content(c, s) for c, s in zip(contents, scores, strict=True)],
        "batch": lambda: _batch(paths),
    }[stage]
    prof = cProfile.Profile()
    prof.enable()
    work()
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--folder", type=Path, help="a folder of workbooks (default: the sample authority)")
    ap.add_argument("--profile", choices=(*STAGES, "batch"), help="print a cProfile of one stage")
    args = ap.parse_args(argv)
    print(f"sipxl {__version__}, Python {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        clean = build_clean_project(Path(tmp) / "clean.xlsx", seed=2026)
        folder = args.folder or _authority()
        paths = sorted(p for p in folder.rglob("*.xlsx") if p.is_file())
        if args.profile:
            _profile(paths, args.profile)
            return
        _show("clean 6-pupil project workbook", 1, measure([clean] * 20, args.repeat))
        _show(f"sample authority {folder}", len(paths), measure(paths, args.repeat))


if __name__ == "__main__":
    main()
