"""The `validate`, `score` and `docs` commands of the sipxl command line.

Reports go to stdout, messages to stderr. Exit codes: 0 every file valid (no errors), 1 finished and found
errors (or a file could not be read), 2 usage error (e.g. a file that does not exist). The files are only
read, never written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ERROR_LOG = Path("sipxl-error.log")  # in the current folder, as the command line's own internal errors

__all__ = ["register_validation"]


def _missing(files: list[str]) -> list[str]:
    return [f for f in files if not Path(f).is_file()]


def _validate(args: argparse.Namespace) -> int:
    from ..checking import check_and_report

    missing = _missing(args.files)
    if missing:
        for f in missing:
            if Path(f).is_dir():
                print(f"sipxl validate: {f} is a folder. Give the workbook files (for example {Path(f) / '*.xlsx'}), "
                      f"or check a whole folder of returns with: sipxl consolidate {f}", file=sys.stderr)
            else:
                print(f"sipxl validate: no such file: {f}", file=sys.stderr)
        return 2
    # each file in a worker that may die: a file that crashes, exhausts memory or hangs costs only itself
    checks = check_and_report(args.files, expect_kind=args.kind, jobs=min(len(args.files), os.cpu_count() or 1))
    _crash_log(checks)
    if args.json:
        json.dump([c.as_dict for c in checks], sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        for c in checks:
            sys.stdout.write(c.text + "\n")
    bad = sum(not c.valid for c in checks)
    print(f"{len(checks)} file(s) checked: {len(checks) - bad} valid, {bad} with errors.", file=sys.stderr)
    if bad:
        print("Fix the errors listed (each names its sheet and cell), then run sipxl validate again.",
              file=sys.stderr)
    return 1 if bad else 0


def _crash_log(checks: list) -> None:
    crashes = [c for c in checks if c.crash]
    if crashes:
        ERROR_LOG.write_text("\n\n".join(f"{c.file}\n{c.crash}" for c in crashes), encoding="utf-8")


def _score(args: argparse.Namespace) -> int:
    from ..checking import check_and_report

    if _missing([args.file]):
        what = "is a folder: give one workbook file" if Path(args.file).is_dir() else "no such file"
        print(f"sipxl score: {args.file}: {what}", file=sys.stderr)
        return 2
    check = check_and_report([args.file], expect_kind=args.kind, score=True)[0]
    _crash_log([check])
    if args.json:
        json.dump(check.as_dict, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(check.text + "\n")
        sys.stdout.write(check.scores_text)
    if not check.valid:
        print("Some answers have errors: scores leave out the answers that could not be used.", file=sys.stderr)
    return 0 if check.valid else 1


def _docs_errors(args: argparse.Namespace) -> int:
    from ..issues import catalogue_markdown

    text = catalogue_markdown()
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
        print(f"Wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register_validation(sub: argparse._SubParsersAction) -> None:
    """Add `validate`, `score` and `docs` to the sipxl command line."""
    from ..spec import all_templates

    kinds = [t.kind for t in all_templates()]
    validate = sub.add_parser("validate", help="check workbooks and list every problem with its cell")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--json", action="store_true", help="write the report as JSON")
    validate.add_argument("--kind", choices=kinds, help="the kind of template every file must be")
    validate.set_defaults(func=_validate)

    score = sub.add_parser("score", help="score a workbook's assessments (and list its problems)")
    score.add_argument("file", metavar="FILE")
    score.add_argument("--json", action="store_true", help="write the scores as JSON")
    score.add_argument("--kind", choices=kinds, help="the kind of template the file must be")
    score.set_defaults(func=_score)

    docs = sub.add_parser("docs", help="write generated documentation")
    dsub = docs.add_subparsers(dest="doc", required=True)
    errors = dsub.add_parser("errors", help="the catalogue of issue codes (docs/errors.md)")
    errors.add_argument("--out", help="write to this file (default: print)")
    errors.set_defaults(func=_docs_errors)
