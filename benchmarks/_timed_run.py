"""Run `sipxl <args>` and record how long each stage took, for benchmarks/consolidate.py (not part of sipxl).

    BENCH_T0=<time.time() at launch> BENCH_STAGES=<json out> python benchmarks/_timed_run.py consolidate ...

Stages are timed by wrapping named functions of the consolidator as their modules are imported (an import
hook), so sipxl itself carries no timing code and its lazy imports stay lazy. A function that no longer
exists is simply not timed. Start-up is launch to the first call of `consolidate` (interpreter, imports,
configuration). The parent writes the file; a forked dashboard writer adds its figures and dashboard times
through a side file (they run beside the parent's other outputs, so the stages overlap); check workers
never record.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0") or time.time())
PARENT = os.getpid()
# (module, function, stage): what the parent spends its time on, in the order of a run.
STAGES = [
    ("sipxl.consolidate.run", "consolidate", "check"),
    ("sipxl.consolidate.outputs", "write_outputs", "outputs"),
    ("sipxl.consolidate.frames", "tidy_frames", "tidy frames"),
    ("sipxl.consolidate.outputs", "build_figures", "figures"),
    ("sipxl.consolidate.dashboard", "write_dashboard", "dashboard.xlsx"),
    ("sipxl.consolidate.validation_report", "write_report_xlsx", "report.xlsx"),
    ("sipxl.consolidate.validation_report", "write_report_json", "report.json"),
    ("sipxl.consolidate.outputs", "_write_frame", "tidy files"),
    ("sipxl.consolidate.feedback", "write_feedback", "feedback"),
    ("sipxl.consolidate.cache", "save_cache", "cache"),
]
# built in forked processes beside the tidy files (the dashboard; the report, the feedback workbooks and the cache)
CHILD_STAGES = {"figures", "dashboard.xlsx", "report.xlsx", "report.json", "feedback", "cache"}
seconds: dict[str, float] = {}
first_call: dict[str, float] = {}


def _timed(stage: str, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        first_call.setdefault(stage, time.time() - T0)
        try:
            return func(*args, **kwargs)
        finally:
            took = time.perf_counter() - start
            seconds[stage] = seconds.get(stage, 0.0) + took
            out = os.environ.get("BENCH_STAGES")
            if out and os.getpid() != PARENT and stage in CHILD_STAGES:  # a forked writer (the dashboard)
                with open(out + ".child", "a", encoding="utf-8") as f:
                    f.write(json.dumps([stage, took]) + "\n")
    return wrapper


class _Loader(importlib.abc.Loader):
    def __init__(self, inner, name: str):
        self.inner, self.name = inner, name

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        for mod, func, stage in STAGES:
            if mod == self.name and callable(getattr(module, func, None)):
                setattr(module, func, _timed(stage, getattr(module, func)))


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in {m for m, _, _ in STAGES}:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, name)
        return spec


def main() -> int:
    sys.meta_path.insert(0, _Finder())
    from sipxl.cli import main as sipxl_main

    try:
        return sipxl_main(sys.argv[1:])
    finally:
        out = os.environ.get("BENCH_STAGES")
        if out and os.getpid() == PARENT:
            stages = {"start-up": first_call.get("check", time.time() - T0), **seconds}
            try:
                with open(out + ".child", encoding="utf-8") as f:
                    for line in f:
                        stage, took = json.loads(line)
                        stages[stage] = stages.get(stage, 0.0) + took
                os.remove(out + ".child")
            except OSError:
                pass
            with open(out, "w", encoding="utf-8") as f:
                json.dump(stages, f)


if __name__ == "__main__":
    sys.exit(main())
