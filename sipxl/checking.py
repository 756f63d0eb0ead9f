"""`sipxl validate` and `sipxl score` check each file in an isolated worker (sipxl.isolation) and get back its
report, ready to print: a file that crashes the reader, exhausts memory or hangs is reported and set aside,
and the other files are checked as usual."""

from __future__ import annotations

import functools
import traceback
from dataclasses import dataclass

from .isolation import Died, Isolated
from .issues import issue


@dataclass(frozen=True)
class Reported:
    file: str
    as_dict: dict
    text: str
    valid: bool
    scores_text: str = ""
    crash: str = ""  # traceback of an internal error, for sipxl-error.log


def _report(path: str, expect_kind: str | None, score: bool) -> Reported:
    from .engine import FileCheck, check_file
    from .report import check_as_dict, render_check, render_scores

    try:
        check = check_file(path, expect_kind=expect_kind, score=score)
        crash = ""
    except Exception:  # noqa: BLE001 - one file's internal error is that file's (SIPXL-C007), not the run's
        check, crash = FileCheck(path, None, [issue("SIPXL-C007")]), traceback.format_exc()
    scores = render_scores(check.scores) if score and check.scores is not None else ""
    return Reported(path, check_as_dict(check, with_scores=score), render_check(check), check.valid, scores, crash)


def report_batch(paths: list[str], expect_kind: str | None = None, score: bool = False) -> list[Reported]:
    return [_report(p, expect_kind, score) for p in paths]


def _set_aside(died: Died) -> Reported:
    from .engine import FileCheck
    from .report import check_as_dict, render_check

    check = FileCheck(died.file, None, [issue("SIPXL-F017", value=died.size, detail=died.detail)])
    return Reported(died.file, check_as_dict(check), render_check(check), False)


def check_and_report(paths: list[str], expect_kind: str | None = None, score: bool = False,
                     jobs: int = 1) -> list[Reported]:
    """Each file's report, in the order given; each file checked in a worker that may die."""
    task = functools.partial(report_batch, expect_kind=expect_kind, score=score)
    warm = ("python_calamine", "sipxl.engine", "sipxl.domain.rules", "sipxl.report",
            *(("sipxl.domain.scores",) if score else ()))
    done = Isolated(task, _set_aside, jobs, warm=warm).run([[p] for p in dict.fromkeys(paths)])
    return [done[p] for p in paths]
