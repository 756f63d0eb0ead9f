"""Check one workbook file: read it, read its answers, validate them, score them.

The glue the command line, the consolidator and the ribbon buttons share. It never writes to the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .domain.extract import WorkbookContent, extract
from .io import stages
from .io.read import RawWorkbook, Unreadable, read_workbook
from .issues import Issue, has_errors


@dataclass
class FileCheck:
    file: str
    content: WorkbookContent | None  # None when the file could not be read at all
    issues: list[Issue] = field(default_factory=list)
    scores: object | None = None  # sipxl.domain.scores.WorkbookScores

    @property
    def readable(self) -> bool:
        return self.content is not None

    @property
    def valid(self) -> bool:
        return self.readable and not has_errors(self.issues)


def content_of(raw: RawWorkbook) -> WorkbookContent:
    return extract(raw.file, raw.template, raw.version, raw.sheet_names, raw.grids, raw.issues)


def check_file(path: Path | str, expect_kind: str | None = None, score: bool = True) -> FileCheck:
    from .domain.rules import validate_content
    from .domain.scores import score_workbook

    stages.begin(str(path), "reading")
    try:
        raw = read_workbook(path, expect_kind)
    except Unreadable as e:
        return FileCheck(str(path), None, [e.issue])
    stages.at("reading the answers")
    content = content_of(raw)
    stages.at("checking the answers")
    issues = validate_content(content)
    stages.at("scoring")
    scores = score_workbook(content) if score else None
    return FileCheck(str(path), content, issues, scores)


def check_files(paths: list[Path | str], expect_kind: str | None = None, score: bool = True) -> list[FileCheck]:
    """check_file of each path (the same results, in order), with the table schemas run once for the whole batch
    (see iter_checked)."""
    out: list[FileCheck | None] = [None] * len(paths)
    for at, checked in iter_checked(paths, expect_kind, score):
        out[at] = checked
    return out  # type: ignore[return-value]


def iter_checked(paths: list[Path | str], expect_kind: str | None = None,
                 score: bool = True) -> Iterator[tuple[int, FileCheck]]:
    """(position in `paths`, check_file's result) for each file, given as soon as the file is checked: at once for a
    file whose tables all pass their schemas for certain (the common case), after the batch for the rest, whose
    tables go to pandera together (validate_many). A caller that keeps only a compact result of each lets each
    workbook go as it comes: a batch then holds few workbooks at once, which is faster than holding all of them.

    An unexpected error in any file is raised, as check_file raises it (the consolidator then checks the
    batch's files one by one, so that one file's failure is that file's alone)."""
    from .domain.rules import validate_many, validate_screened
    from .domain.scores import score_workbook

    waiting: list[tuple[int, FileCheck]] = []
    for at, path in enumerate(paths):
        stages.begin(str(path), "reading")
        try:
            raw = read_workbook(path, expect_kind)
        except Unreadable as e:
            yield at, FileCheck(str(path), None, [e.issue])
            continue
        stages.at("reading the answers")
        checked = FileCheck(str(path), content_of(raw))
        del raw
        stages.at("checking the answers")
        issues = validate_screened(checked.content)
        if issues is None:
            waiting.append((at, checked))
            continue
        checked.issues = issues
        stages.at("scoring")
        checked.scores = score_workbook(checked.content) if score else None
        yield at, checked
    if not waiting:
        return
    stages.begin(None, "checking the answers of the batch's files together")
    for (at, checked), issues in zip(waiting, validate_many([c.content for _, c in waiting]), strict=True):
        checked.issues = issues
        stages.begin(checked.file, "scoring")
        checked.scores = score_workbook(checked.content) if score else None
        yield at, checked
