"""Check one file in a worker process and send back a compact, picklable result.

Never raises: an unexpected error while checking one file becomes an issue on that file (SIPXL-C007) with
the traceback kept for the error log, so one bad file never stops a run.
"""

from __future__ import annotations

import os
import traceback

from ..io import stages
from ..isolation import Died
from ..issues import Issue, issue
from .discover import READ_SUFFIXES
from .result import FileResult
from .rows_json import as_json
from .tidy import file_content


def check_one(path: str) -> FileResult:
    if os.path.splitext(path)[1].lower() not in READ_SUFFIXES:
        return FileResult([issue("SIPXL-C006", value=os.path.splitext(path)[1] or "(none)")])
    try:
        from ..engine import check_file

        checked = check_file(path)
        if checked.content is None:
            return FileResult([_plain(i) for i in checked.issues])
        return FileResult([_plain(i) for i in checked.issues], as_json(file_content(checked.content, checked.scores)))
    except Exception:  # noqa: BLE001 - one file's failure must not stop the run
        return FileResult([issue("SIPXL-C007")], None, traceback.format_exc())


def _plain(i: Issue) -> Issue:
    """Drop the file path (the consolidator sets the name the QIO sees) and any bulky extras."""
    return Issue(i.code, i.sheet, i.cell, i.label, i.value, i.expected, i.detail, "")


def check_many(paths: list[str]) -> list[FileResult]:
    """A chunk of files in one call, so that few, larger messages cross between processes; the table schemas
    pandera must judge run once for the chunk (sipxl.engine.iter_checked), and each file's workbook is let go
    as soon as its result is made. The results are check_one's for each file: should anything go wrong in the
    chunk, its files are checked one by one, so one file's failure stays its own."""
    readable = [p for p in paths if os.path.splitext(p)[1].lower() in READ_SUFFIXES]
    if len(readable) < 2:
        return [check_one(p) for p in paths]
    try:
        from ..engine import iter_checked

        results: dict[str, FileResult] = {}
        for at, c in iter_checked(readable):
            if c.content is None:
                results[readable[at]] = FileResult([_plain(i) for i in c.issues])
            else:
                stages.begin(c.file, "preparing its rows for the tables")
                results[readable[at]] = FileResult([_plain(i) for i in c.issues],
                                                   as_json(file_content(c.content, c.scores)))
            del c
        return [results[p] if p in results else check_one(p) for p in paths]  # check_one: not a workbook (C006)
    except Exception:  # noqa: BLE001 - one file's failure must not stop the others: one by one
        return [check_one(p) for p in paths]


def set_aside(died: Died) -> FileResult:
    """The result of a file whose worker died or was stopped while checking it (sipxl.isolation)."""
    return FileResult([issue("SIPXL-F017", value=died.size, detail=died.detail)])
