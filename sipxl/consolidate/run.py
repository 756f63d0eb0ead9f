"""One consolidation run: find the files, read the new ones in parallel, account for every file.

The result (`Consolidation`) depends only on the files' contents, their names and modification times and the
configuration, never on the order in which worker processes finish.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..issues import Issue, has_errors, issue, sort_issues
from .cache import load_cache, load_manifest
from .config import AuthorityConfig
from .discover import FoundFile, content_hash, discover
from .guard import check_folders
from .privacy import authority_key, made_with, sanitise_result
from .result import FileContent, FileResult
from .rows_json import decode_columns, rows_from_columns

if TYPE_CHECKING:
    from ..io.bounds import Limits

STATUSES = ("valid", "warnings", "errors", "rejected", "empty", "duplicate", "superseded")
STATUS_LABELS = {
    "valid": "Accepted",
    "warnings": "Accepted with warnings",
    "errors": "Accepted with errors (answers in error left out)",
    "rejected": "Rejected",
    "empty": "Received empty (nothing entered yet)",
    "duplicate": "Duplicate file (counted once)",
    "superseded": "Replaced by a later submission",
}
ACCEPTED = ("valid", "warnings", "errors")
UNKNOWN_SCHOOL = ""
STAMP, MODIFIED = "Prepared for submission stamp", "file modified time"
DATE_UNKNOWN = "date unknown"  # no stamp: a file's time says when it was copied, not when the school sent it
_SEED_IN_PATH = re.compile(r"(?<!\d)(\d{7})(?!\d)")


@dataclass
class FileRecord:
    found: FoundFile
    sha256: str
    result: FileResult | None = None  # None for a duplicate (never read)
    unchanged: bool = False  # the result came from the cache: the file was not read again
    status: str = ""
    issues: list[Issue] = field(default_factory=list)
    duplicate_of: str = ""
    superseded_by: str = ""
    date_used: dt.date | None = None
    date_source: str = ""
    _seed: tuple | None = field(default=None, repr=False, compare=False)  # (the result it was read from, SEED code)

    @property
    def rel(self) -> str:
        return self.found.rel

    @property
    def content(self) -> FileContent | None:
        return None if self.result is None else self.result.content

    @property
    def kind(self) -> str:
        return self.content.kind if self.content else ""

    def meta(self, key: str) -> object:
        r = self.result  # asked tens of thousands of times a run: kept to attribute lookups
        c = None if r is None else r.content
        return None if c is None else c.meta.get(key)

    @property
    def seed_code(self) -> str:
        if self._seed is not None and self._seed[0] is self.result:  # asked several times a file, every run
            return self._seed[1]
        seed = self.meta("seed_code")
        if seed:
            code = str(seed)
        else:
            m = _SEED_IN_PATH.search(self.rel)  # an unreadable file in a school's folder
            code = m.group(1) if m else UNKNOWN_SCHOOL
        self._seed = (self.result, code)
        return code

    @property
    def modified(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.found.mtime_ns / 1e9).date()


@dataclass
class Consolidation:
    config: AuthorityConfig
    records: list[FileRecord]
    ignored: list[str]
    school_issues: list[Issue]  # about a school rather than a file (expected return missing)
    seconds: float = 0.0
    school_names: dict[str, str] = field(default_factory=dict)

    @property
    def read(self) -> int:
        """Files read in this run (one whose cached rows were damaged counts once its rows are read again)."""
        return sum(r.status != "duplicate" and not r.found.problem and not r.unchanged for r in self.records)

    @property
    def unchanged(self) -> int:
        """Files whose results came from the cache."""
        return sum(r.unchanged for r in self.records)

    @property
    def accepted(self) -> list[FileRecord]:
        return [r for r in self.records if r.status in ACCEPTED]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.records:
            out[r.status] += 1
        return out

    @property
    def crashes(self) -> list[tuple[str, str]]:
        return [(r.rel, r.result.crash) for r in self.records if r.result is not None and r.result.crash]

    @property
    def all_issues(self) -> list[Issue]:
        return sort_issues([i for r in self.records for i in r.issues] + self.school_issues)

    @property
    def exit_code(self) -> int:
        bad = any(r.status == "errors" or (r.status == "rejected" and has_errors(r.issues)) for r in self.records)
        return 1 if bad else 0

    def school_name(self, seed: str) -> str:
        return self.school_names.get(seed, "")


Progress = Callable[[int], None]


def default_jobs() -> int:
    return os.cpu_count() or 1


CHUNK = 32  # files per task: few, larger messages between processes, and one schema run per table per chunk


def _chunks(paths: list[str], jobs: int) -> list[list[str]]:
    """The files in tasks of up to CHUNK, each at most a quarter of a worker's share of what is left: smaller towards
    the end, so that no worker is left checking a large last task while the others wait."""
    chunks, i = [], 0
    while i < len(paths):
        size = max(1, min(CHUNK, (len(paths) - i) // (jobs * 4)))
        chunks.append(paths[i:i + size])
        i += size
    return chunks


def _check_all(paths: list[str], jobs: int, advance: Progress, limits: Limits | None = None,
               meanwhile: Sequence[Callable[[], None]] = ()) -> dict[str, FileResult]:
    """Every file checked in a worker process that may die (sipxl.isolation): a file that crashes the reader,
    exhausts its memory or takes too long is set aside (SIPXL-F017) and costs no other file."""
    if not paths:
        return {}
    from ..isolation import Isolated  # the checking code: imported only when there is a file to read
    from .worker import check_many, set_aside

    chunks = _chunks(paths, max(1, jobs))
    return Isolated(check_many, set_aside, min(jobs, len(chunks)), limits).run(chunks, advance, meanwhile)


def consolidate(in_dirs: list[Path], out_dir: Path, config: AuthorityConfig | None = None, force: bool = False,
                jobs: int | None = None, on_start: Callable[[int], None] | None = None,
                advance: Progress | None = None, limits: Limits | None = None,
                meanwhile: Sequence[Callable[[], None]] = ()) -> Consolidation:
    """Account for every file below `in_dirs`; read only those not already in `out_dir`'s cache. `meanwhile`:
    steps run in this process while the workers check (when any file is read; sipxl.isolation.Isolated.run)."""
    started = time.perf_counter()
    config = config or AuthorityConfig()
    out_dir = Path(out_dir)
    check_folders([Path(d) for d in in_dirs], out_dir)  # FolderClash: never read our outputs, never overwrite
    found, ignored = discover([Path(d) for d in in_dirs])
    manifest = {} if force else load_manifest(out_dir)
    cache = {} if force else load_cache(out_dir)

    records = []
    for f in found:
        old = manifest.get(f.path)
        if f.problem:
            sha = ""
        elif old and old.get("size") == f.size and old.get("mtime_ns") == f.mtime_ns and old.get("sha256"):
            sha = str(old["sha256"])  # same name, size and time: not even hashed again
        else:
            try:
                sha = content_hash(f.path)
            except OSError as e:  # found but not readable (permissions, removed meanwhile)
                f = replace(f, problem=f"it could not be opened: {e.strerror or e}")
                sha = ""
        records.append(FileRecord(f, sha))

    key = authority_key(config.pseudonym_key)
    first_of: dict[str, FileRecord] = {}
    to_read: list[str] = []
    for r in records:
        if r.found.problem:  # nothing to read: reported as it is, never a duplicate of another
            r.result = FileResult([issue("SIPXL-F001", detail=r.found.problem)])
            continue
        if r.sha256 in first_of:
            r.status, r.duplicate_of = "duplicate", first_of[r.sha256].rel
            continue
        first_of[r.sha256] = r
        if r.sha256 in cache and made_with(cache[r.sha256], key):
            r.result, r.unchanged = cache[r.sha256], True
        else:
            to_read.append(r.found.path)
    if on_start:
        on_start(len(to_read))
    fresh = _check_all(to_read, jobs or default_jobs(), advance or (lambda n: None), limits, meanwhile)
    for r in records:
        if r.status != "duplicate" and not r.unchanged and not r.found.problem:
            r.result = sanitise_result(fresh[r.found.path], key)  # before anything is cached or written

    school_issues = _account(records, config)
    names = _school_names(records, config)
    for i, r in enumerate(records):
        records[i].issues = [_located(x, r) for x in r.issues]
    return Consolidation(config, records, ignored, school_issues, time.perf_counter() - started, names)


def rows_of(record: FileRecord, key: bytes | None) -> dict[str, list[tuple]]:
    """The file's tidy rows (see columns_of)."""
    c = record.content
    if c is not None and c.rows is not None:
        return c.rows
    return rows_from_columns(columns_of(record, key))


def columns_of(record: FileRecord, key: bytes | None) -> dict[str, list]:
    """The file's tidy rows a column at a time (each table's columns in COLUMNS order), decoded from their JSON text
    (as workers send them and the cache keeps them) each time they are asked for, so that they are held once, in
    the tables built from them. A file whose cached rows cannot be decoded is read again (`key`: the authority's
    pseudonym key), so a damaged cache costs no more than a re-read, once: the file then counts as read, and its
    cache entry is written afresh."""
    c = record.content
    if c is None:
        return {}
    if c.rows is not None:
        return {table: list(zip(*rows, strict=True)) if rows else [] for table, rows in c.rows.items()}
    columns = decode_columns(c.rows_json or "")
    if columns is None:
        from .worker import check_one

        again = sanitise_result(check_one(record.found.path), key).content
        if again is not None and again.rows_json is not None:
            c.rows_json, record.unchanged = again.rows_json, False  # not kept as it was: the cache is mended
        else:
            c.rows_json = "{}"
        columns = decode_columns(c.rows_json) or {}
    return columns


def _located(i: Issue, r: FileRecord) -> Issue:
    return Issue(i.code, i.sheet, i.cell, i.label, i.value, i.expected, i.detail, r.rel,
                 {"seed_code": r.seed_code})


def _norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def _supersede_key(r: FileRecord) -> tuple | None:
    seed = r.meta("seed_code")
    if not seed:
        return None
    if r.kind == "sipp_project":
        return (r.kind, seed, _norm(r.meta("project")))
    if r.kind == "school_return":
        return (r.kind, seed, _norm(r.meta("session")))
    return None


def _account(records: list[FileRecord], config: AuthorityConfig) -> list[Issue]:
    """Give every file its status and the authority-level issues; return the school-level issues."""
    live = [r for r in records if r.status != "duplicate"]
    for r in records:
        if r.status == "duplicate":
            r.issues = [issue("SIPXL-C001", value=r.duplicate_of)]
            continue
        r.issues = list(r.result.issues)
        stamp = r.meta("submitted_on")
        if isinstance(stamp, dt.date):
            r.date_used, r.date_source = stamp, STAMP
        else:
            r.date_used, r.date_source = None, DATE_UNKNOWN
        if r.content is None:
            r.status = "rejected"
        elif any(i.code == "SIPXL-V010" for i in r.issues):  # a blank template: received, nothing to count
            r.status = "empty"

    groups: dict[tuple, list[FileRecord]] = {}
    for r in live:
        if r.content is not None:
            key = _supersede_key(r)
            if key:
                groups.setdefault(key, []).append(r)
    for rs in groups.values():
        if len(rs) < 2:
            continue
        by_stamp = all(r.date_source == STAMP for r in rs)
        source = STAMP if by_stamp else MODIFIED

        def when(r: FileRecord, by_stamp: bool = by_stamp) -> tuple:
            return (r.date_used if by_stamp else dt.date.min, r.found.mtime_ns, r.rel)

        winner = max(rs, key=when)
        for r in rs:
            if r is winner:
                continue
            r.status, r.superseded_by = "superseded", winner.rel
            shown = winner.date_used if by_stamp else winner.modified
            school = f"{r.meta('school') or 'The school'} ({r.meta('seed_code')})"
            r.issues.append(issue("SIPXL-C002", value=school,
                                  expected=f"{winner.rel}, later by its {source} {shown:%d/%m/%Y}",
                                  detail=source))

    expected = {s.seed_code for s in config.schools}
    for r in live:
        if r.status or r.content is None:
            continue
        if config.deadline and r.date_used and r.date_used > config.deadline:
            r.issues.append(issue("SIPXL-C003", value=f"{r.date_used:%d/%m/%Y} ({r.date_source})",
                                  expected=f"{config.deadline:%d/%m/%Y}"))
        if r.kind == "sipp_project" and r.date_source != STAMP:
            r.issues.append(issue("SIPXL-C004"))
        if expected and r.meta("seed_code") and r.meta("seed_code") not in expected:
            r.issues.append(issue("SIPXL-C005", value=r.meta("seed_code")))
        r.status = "errors" if has_errors(r.issues) else \
            "warnings" if any(i.severity == "warning" for i in r.issues) else "valid"

    school_issues: list[Issue] = []
    for school in config.schools:
        mine = [r for r in live if r.status in ACCEPTED and r.meta("seed_code") == school.seed_code]
        if school.school_return and not any(r.kind == "school_return" for r in mine):
            school_issues.append(issue("SIPXL-C008", label="school data return", expected="School data return",
                                       extra={"seed_code": school.seed_code}))
        got = {_norm(r.meta("project")) for r in mine if r.kind == "sipp_project"}
        for title in school.projects:
            if _norm(title) not in got:
                school_issues.append(issue("SIPXL-C008", label="SIPP project workbook",
                                           expected=f"project '{title}'", extra={"seed_code": school.seed_code}))
    return school_issues


def _school_names(records: list[FileRecord], config: AuthorityConfig) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in sorted(records, key=lambda r: (r.kind != "school_return", r.rel)):
        seed, name = r.meta("seed_code"), r.meta("school")
        if seed and name and seed not in names:
            names[str(seed)] = str(name)
    for s in config.schools:
        names[s.seed_code] = s.name
    return names
