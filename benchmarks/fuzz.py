"""The long fuzzing run: tests/test_fuzz.py with many cases per family, its figures written up.

    python benchmarks/fuzz.py [--examples 200]

Runs the fuzzing tests with SIPXL_FUZZ_EXAMPLES=N (random, not derandomized) and writes the cases, minutes and
failures of each mutation family to benchmarks/fuzz_results.md. Any failure is printed by pytest as usual,
with the hypothesis example that shows it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "fuzz_results.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200, help="cases per mutation family (default 200)")
    args = parser.parse_args()
    record = Path(tempfile.mkstemp(prefix="sipxl-fuzz-", suffix=".jsonl")[1])
    env = {**os.environ, "SIPXL_FUZZ_EXAMPLES": str(args.examples), "SIPXL_FUZZ_RECORD": str(record)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py",
                           "-k", "test_fuzz_"], cwd=HERE.parent, env=env, check=False)
    minutes = (time.perf_counter() - started) / 60
    rows = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines() if line.strip()]
    record.unlink()
    lines = ["# Long fuzzing run", "",
             f"`python benchmarks/fuzz.py --examples {args.examples}` on {dt.date.today():%d %B %Y}, "
             f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
             f"{os.cpu_count()} cores (shared). pytest exit code {done.returncode}; {minutes:.1f} minutes in all.", "",
             "A case is one mutated workbook put through `consolidate` (beside two good files) and the checking "
             "behind `validate`; a failure is any case breaking one of the properties in tests/test_fuzz.py.", "",
             "| mutation family | cases | minutes | failures |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['family']} | {r['cases']} | {r['seconds'] / 60:.1f} | {r['failures']} |")
    total = sum(r["cases"] for r in rows), sum(r["seconds"] for r in rows) / 60, sum(r["failures"] for r in rows)
    lines.append(f"| all | {total[0]} | {total[1]:.1f} | {total[2]} |")
    lines.append("")
    lines.append("Failures count the cases hypothesis ran that failed, shrinking included; 0 means every case held.")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
