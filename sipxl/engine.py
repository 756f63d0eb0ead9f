"""Check one workbook file: read it, read its answers, validate them, score them.

The glue the command line, the consolidator and the ribbon buttons share. It never writes to the file.
"""

from __future__ import annotations

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
    """check_file of each path (the same results), with the table schemas run once for the whole batch.

    An unexpected error in any file is raised, as check_file raises it (the consolidator then checks the
    batch's files one by one, so that one file's failure is that file's alone)."""
    from .domain.rules import validate_many
    from .domain.scores import score_workbook

    out: list[FileCheck] = []
    read: list[FileCheck] = []
    for path in paths:
        stages.begin(str(path), "reading")
        try:
            raw = read_workbook(path, expect_kind)
        except Unreadable as e:
            out.append(FileCheck(str(path), None, [e.issue]))
            continue
        stages.at("reading the answers")
        out.append(FileCheck(str(path), content_of(raw)))
        read.append(out[-1])
    stages.begin(None, "checking the answers of the batch's files together")
    for checked, issues in zip(read, validate_many([c.content for c in read]), strict=True):
        checked.issues = issues
        stages.begin(checked.file, "scoring")
        checked.scores = score_workbook(checked.content) if score else None
    return out
