"""Find every file below the input folders, in a stable order, without opening any workbook.

Every path found is accounted for exactly once: it is a file to check, or a known system file (listed as
ignored), or a path that cannot be read at all (a link to nothing, a folder that cannot be opened, something that
is not a file), which is reported as such. Hidden files are files like any other: a school's workbook named
".project.xlsx" is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
READ_SUFFIXES = (".xlsx", ".xlsm", ".xls")  # .xls is opened only to say why it cannot be used
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


@dataclass(frozen=True)
class FoundFile:
    path: str  # absolute
    rel: str  # as shown to the QIO: relative to its input folder, '/'-separated
    size: int
    mtime_ns: int
    problem: str = ""  # why it cannot be read at all ("" for a regular file)

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.path)[1].lower()


def is_ignored(name: str) -> bool:
    """Only the files Windows, macOS and Excel make by themselves: Excel's lock files (~$name.xlsx, a workbook
    open in Excel), Thumbs.db, desktop.ini and .DS_Store."""
    return name.startswith("~$") or name.lower() in SYSTEM_FILES


def _unreadable(full: str, rel: str, why: str) -> FoundFile:
    return FoundFile(full, rel, 0, 0, why)


def discover(in_dirs: list[Path], exclude: list[Path] = ()) -> tuple[list[FoundFile], list[str]]:
    """(files found, ignored system files), each sorted by the name shown. `exclude`: folders not to walk."""
    found: list[FoundFile] = []
    ignored: list[str] = []
    excluded = {os.path.realpath(p) for p in exclude}
    several = len(in_dirs) > 1
    for in_dir in in_dirs:
        root = Path(in_dir).resolve()
        prefix = f"{root.name}/" if several else ""
        if root.is_file():
            st = root.stat()
            found.append(FoundFile(str(root), root.name, st.st_size, st.st_mtime_ns))
            continue

        start = len(os.path.join(str(root), ""))

        def shown(full: str, root: Path = root, prefix: str = prefix, start: int = start) -> str:
            # os.walk's paths all begin with the root as given: cutting it off is relpath, without its cost
            rel = full[start:] if full.startswith(str(root)) else os.path.relpath(full, root)
            return prefix + rel.replace(os.sep, "/")

        def cannot_list(e: OSError, root: Path = root) -> None:
            if e.filename and os.path.realpath(e.filename) != str(root):
                found.append(_unreadable(e.filename, shown(e.filename), f"the folder could not be opened: "
                                                                         f"{e.strerror or e}"))

        walked: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, onerror=cannot_list, followlinks=True):
            try:
                st = os.stat(dirpath)
                real = (st.st_dev, st.st_ino)  # the folder itself, by whatever links it was reached
            except OSError:
                real = (-1, len(walked))
            if real in walked:  # a link back to a folder already walked: its files are already counted
                dirnames[:] = []
                continue
            walked.add(real)
            dirnames[:] = sorted(d for d in dirnames
                                 if not excluded or os.path.realpath(os.path.join(dirpath, d)) not in excluded)
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = shown(full)
                if is_ignored(name):
                    ignored.append(rel)
                    continue
                try:
                    st = os.stat(full)
                except OSError as e:
                    why = "it is a link to a file that does not exist" if os.path.islink(full) else \
                        f"it could not be opened: {e.strerror or e}"
                    found.append(_unreadable(full, rel, why))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    found.append(_unreadable(full, rel, "it is not a regular file"))
                    continue
                found.append(FoundFile(full, rel, st.st_size, st.st_mtime_ns))
    found.sort(key=lambda f: (f.rel, f.path))
    return found, sorted(ignored)


def content_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
