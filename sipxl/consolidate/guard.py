"""The output folder is sipxl's own: never an input folder, never inside one (nor one inside it), and written by
one consolidation at a time.

A lock file in the output folder (an operating-system lock, released even when a run is killed) makes a second
run into the same folder stop with a plain message instead of colliding with the first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

LOCK_FILE = ".sipxl.lock"


class FolderClash(ValueError):
    """The output folder and an input folder overlap: the run would read its own outputs or overwrite returns."""


class Busy(RuntimeError):
    """Another consolidation is writing to the output folder right now."""


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def check_folders(in_dirs: Iterable[Path], out_dir: Path) -> None:
    """Raise FolderClash when `out_dir` is an input folder, lies inside one, or holds one."""
    out = os.path.realpath(out_dir)
    for d in in_dirs:
        src = os.path.realpath(d)
        if os.path.isfile(src):
            continue
        if _within(out, src):
            where = "is" if out == src else "is inside"
            raise FolderClash(f"the output folder {out_dir} {where} the input folder {d}: sipxl would read its own "
                              "outputs as returns and could overwrite a school's file. Choose an output folder "
                              "outside the returns, e.g. --out sipxl-output")
        if _within(src, out):
            raise FolderClash(f"the input folder {d} is inside the output folder {out_dir}. Keep the returns and "
                              "sipxl's outputs in separate folders.")


class OutputLock:
    """`with OutputLock(out_dir):` holds the output folder for one run; raises Busy when another run holds it."""

    def __init__(self, out_dir: Path) -> None:
        from filelock import FileLock

        self.path = Path(out_dir) / LOCK_FILE
        self._lock = FileLock(str(self.path), timeout=0)

    def __enter__(self) -> OutputLock:
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise Busy(f"another sipxl consolidate is writing to {self.path.parent} right now. Wait for it to "
                       "finish (or choose another --out), then run this again.") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
