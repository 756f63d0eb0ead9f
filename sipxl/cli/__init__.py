"""The `sipxl` command line. Messages go to stderr, results to stdout; exit codes:
0 all valid, 1 finished and found problems, 2 usage error, 3 internal error (traceback in a log file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_TEMPLATES = Path("workbook_templates")


def _templates_build(args: argparse.Namespace) -> int:
    from ..io.build import build_all

    for path in build_all(Path(args.out)):
        print(path)
    return 0


def _sample(args: argparse.Namespace) -> int:
    from ..sample import generate_authority, manifest_path

    try:
        files = generate_authority(Path(args.out), schools=args.schools, seed=args.seed,
                                   mistake_rate=args.mistakes, session=args.session, missing=args.missing)
    except ValueError as e:
        print(f"sipxl sample: {e}", file=sys.stderr)
        return 2
    print(f"Wrote {len(files)} sample workbooks ({args.session}) to {args.out}; the answer key (every file and "
          f"every deliberate mistake) is {manifest_path(Path(args.out))}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sipxl", description=__doc__)
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"sipxl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    templates = sub.add_parser("templates", help="build the workbook templates")
    tsub = templates.add_subparsers(dest="action", required=True)
    build = tsub.add_parser("build", help="build every template from the specification")
    build.add_argument("--out", default=str(DEFAULT_TEMPLATES), metavar="DIR", help="folder to write")
    build.set_defaults(func=_templates_build)

    sample = sub.add_parser(
        "sample", help="write a synthetic authority of filled-in workbooks",
        description="Write a synthetic local authority (invented schools, pseudonymous pupils) of filled-in "
                    "workbooks: one SIPP project per partnership and one data return per school, some with "
                    "deliberate mistakes. The answer key goes beside the folder (sample -> sample_manifest.json).",
        epilog="example: sipxl sample --out last-year --session 2024/25")
    sample.add_argument("--out", default="sample", metavar="DIR", help="folder to write (default: %(default)s)")
    sample.add_argument("--schools", type=int, default=36, metavar="N", help="schools (default: %(default)s)")
    sample.add_argument("--seed", type=int, default=2026, metavar="S",
                        help="random seed: the same seed gives the same files (default: %(default)s)")
    sample.add_argument("--mistakes", type=float, default=0.15, metavar="SHARE",
                        help="share of project workbooks with mistakes (default: %(default)s)")
    sample.add_argument("--session", default="2025/26",
                        help="the session: another one gives the same schools with that year's answers "
                             "(default: %(default)s)")
    sample.add_argument("--missing", type=float, default=0.05, metavar="SHARE",
                        help="share of schools whose data return never arrives (default: %(default)s)")
    sample.set_defaults(func=_sample)

    from .consolidate import register_consolidate
    from .excel import register_excel
    from .validation import register_validation

    register_validation(sub)
    register_consolidate(sub)
    register_excel(sub)
    _complete_help(parser)
    return parser


# One example per command, shown under its --help (a command may give its own epilog instead).
EXAMPLES = {
    "templates build": "sipxl templates build --out workbook_templates",
    "sample": "sipxl sample --out sample --schools 36",
    "validate": "sipxl validate \"SIPP project 2025-26 - Dalburn Primary School.xlsx\"",
    "score": "sipxl score \"SIPP project 2025-26 - Dalburn Primary School.xlsx\" --json",
    "docs errors": "sipxl docs errors --out docs/errors.md",
    "addin init": "sipxl addin init my-addin --url https://sipxl.council.gov.uk --token SECRET",
    "addin wasm": "sipxl addin wasm my-addin --url https://sipxl.council.gov.uk --wheel dist/sipxl.whl",
    "serve": "sipxl serve --app my-addin --cert cert.pem --key key.pem",
    "xlam build": "sipxl xlam build --out sipxl.xlam",
}


def _subcommands(parser: argparse.ArgumentParser, path: str = ""):
    """(command path, its parser, its one-line help) for every command below `parser`."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, child in action.choices.items():
                full = f"{path} {name}".strip()
                yield full, child, helps.get(name)
                yield from _subcommands(child, full)


def _complete_help(parser: argparse.ArgumentParser) -> None:
    """Every command's --help: a description, each option's default, and an example."""
    for path, child, short in _subcommands(parser):
        if not child.description and short:
            child.description = short[0].upper() + short[1:] + "."
        if not child.epilog and path in EXAMPLES:
            child.epilog = f"example: {EXAMPLES[path]}"
        for a in child._actions:
            if not a.option_strings or isinstance(a, argparse._HelpAction):
                continue
            text = a.help or ""
            if "default" in text:
                continue
            if isinstance(a, argparse._StoreTrueAction):
                extra = "default: off"
            elif a.required:
                extra = "required"
            elif a.default is None:
                extra = "default: none"
            else:
                extra = "default: %(default)s"
            a.help = f"{text} ({extra})" if text else extra


def _parser_of(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The deepest command parser `args` went through (its usage and name head an error message)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and getattr(args, action.dest, None) in action.choices:
            return _parser_of(action.choices[getattr(args, action.dest)], args)
    return parser


ERROR_LOG = Path("sipxl-error.log")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command that was given, with its own usage (not sipxl's)
        _parser_of(parser, args).error(f"unrecognized arguments: {' '.join(unknown)} (see its --help)")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 3
    except Exception:  # never a traceback on screen: it goes to a log the user can send on
        import traceback

        log = ERROR_LOG.resolve()
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"The details are in {log}."
        except OSError:
            where = "The details could not be written to a log file."
        print(f"sipxl met an internal error and stopped. {where} Please send that file to your sipxl "
              "maintainer.", file=sys.stderr)
        return 3

