"""Find every file below the input folders, in a stable order, without opening any workbook."""

from __future__ import annotations

import hashlib
import os
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

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.path)[1].lower()


def is_ignored(name: str) -> bool:
    """Hidden files, Windows/macOS system files and Excel's lock files (~$name.xlsx, open in Excel)."""
    return name.startswith(".") or name.startswith("~$") or name.lower() in SYSTEM_FILES


def discover(in_dirs: list[Path], exclude: list[Path] = ()) -> tuple[list[FoundFile], list[str]]:
    """(files found, ignored system files), each sorted by the name shown. `exclude`: folders to skip
    (the output folder when it lies inside an input folder)."""
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
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                                 and os.path.realpath(os.path.join(dirpath, d)) not in excluded)
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = prefix + os.path.relpath(full, root).replace(os.sep, "/")
                if is_ignored(name):
                    ignored.append(rel)
                    continue
                try:
                    st = os.stat(full)
                except OSError:
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
