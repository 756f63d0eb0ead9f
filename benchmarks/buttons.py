"""Time each ribbon button on a 6-pupil project workbook, for both clients' payloads.

    python benchmarks/buttons.py [--repeat 5]

Each timing is what the server spends on one click: building ``xw.Book(json=payload)`` from the client's
payload, running the button (read, extract, validate/score, write back) and ``book.json()``. Making the
payload from the .xlsx (which a real client does in Excel) is reported separately, and so is the time
xlwings Server's own Office.js client takes to apply a click's actions in Node on the test model
(tests/clients, when Node and its packages are installed). Writes benchmarks/buttons_results.md and prints
the same table. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # support.officejs: the Office.js client

import sipxl.excel.xlremote as xlremote  # noqa: E402  (the xlwings environment first)
from sipxl import __version__  # noqa: E402
from sipxl.excel import buttons  # noqa: E402
from sipxl.excel.payload import payload_from_xlsx  # noqa: E402
from sipxl.sample import build_clean_project  # noqa: E402

OUT = Path(__file__).with_name("buttons_results.md")


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _officejs_time(path: Path, actions: list[dict], repeat: int) -> float | None:
    """Median time for xlwings Server's Office.js client to apply `actions` in Node; None without Node."""
    import shutil

    from support.officejs import CLIENT_DIR, run_officejs

    if shutil.which("node") is None or not (CLIENT_DIR / "node_modules").is_dir():
        return None
    return statistics.median(_time(lambda: run_officejs(path, actions), repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = build_clean_project(Path(tmp) / "project.xlsx", seed=2026)
        payloads = {c: payload_from_xlsx(path, client=c) for c in ("Office.js", "VBA")}
        payload_times = {c: _time(lambda c=c: payload_from_xlsx(path, client=c), args.repeat) for c in payloads}
        # warm up imports (the server imports once at start)
        buttons.validate(xlremote.book_from_payload(payloads["VBA"]))
        rows = []
        for name, fn in buttons.BUTTONS.items():
            for client, payload in payloads.items():
                actions: list[dict] = []

                def click(fn=fn, payload=payload, actions=actions) -> None:
                    book = xlremote.book_from_payload(payload)
                    fn(book)
                    actions[:] = book.json()["actions"]

                times = _time(click, args.repeat)
                applied = _officejs_time(path, actions, args.repeat) if client == "Office.js" else None
                rows.append((name, client, statistics.median(times), max(times), len(actions), applied))
    lines = [
        "# Ribbon button timings",
        "",
        f"sipxl {__version__}, xlwings {xlremote.XLWINGS_VERSION}, Python {platform.python_version()}, "
        f"{platform.machine()} ({platform.system()}); a 6-pupil SIPP project workbook (sample seed 2026); "
        f"median and worst of {args.repeat} runs. Server-side time per click: payload -> xw.Book -> button -> "
        "book.json(); the network and the client's own reading/writing in Excel are not included.",
        "",
        "The last column is the Office.js client (xlwings-server's own callbacks) applying the actions in Node on "
        "the test model, median, including reading the workbook's state with openpyxl and starting Node; real "
        "Excel's time is not measured.",
        "",
        "| button | client | median (ms) | worst (ms) | actions | Office.js client applies (ms) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {n} | {c} | {m * 1000:.0f} | {w * 1000:.0f} | {k} | "
              f"{'' if a is None else f'{a * 1000:.0f}'} |" for n, c, m, w, k, a in rows]
    lines += [
        "",
        "Making the payload from the .xlsx with openpyxl (the part a real client does inside Excel): "
        + ", ".join(f"{c} {statistics.median(t) * 1000:.0f} ms" for c, t in payload_times.items()) + ".",
        "",
    ]
    text = "\n".join(lines)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
