"""Where the checking of a file has got to, for an isolated worker to tell its parent.

The reader and the engine call `at("reading the sheet 'Pupils'")` as they go; outside a worker nothing listens
and the call costs almost nothing. When a worker dies (crash, memory, time), its parent knows the file and the
stage it died in, and says so in the file's issue.
"""

from __future__ import annotations

from collections.abc import Callable

_listener: Callable[[str | None, str, bool], None] | None = None


def listen(listener: Callable[[str | None, str, bool], None] | None) -> None:
    """`listener(file, stage, begins)` is told of every stage from now on (None: nobody listens); `begins` when
    work on a new file (or, with file None, on the whole batch) begins."""
    global _listener
    _listener = listener


def at(stage: str) -> None:
    """The current file has reached `stage`."""
    if _listener is not None:
        _listener(None, stage, False)


def begin(file: str | None, stage: str) -> None:
    """Work on `file` (None: the whole batch at once) begins, at `stage`."""
    if _listener is not None:
        _listener(file, stage, True)
