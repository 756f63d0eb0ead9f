"""``sipxl serve`` and ``sipxl addin init`` (:mod:`sipxl.addin.cli`) and ``sipxl xlam build`` (the desktop add-in)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _xlam_build(args: argparse.Namespace) -> int:
    from ..excel.xlam import build_addin

    out = build_addin(Path(args.out), Path(args.macros) if args.macros else None)
    print(out)
    if args.xlsm:
        print(build_addin(Path(args.out).with_suffix(".xlsm"), Path(args.macros) if args.macros else None))
    return 0


def register_excel(sub: argparse._SubParsersAction) -> None:
    from ..addin.cli import register

    register(sub)
    xlam = sub.add_parser("xlam", help="the desktop add-in (sipxl.xlam)")
    xsub = xlam.add_subparsers(dest="action", required=True)
    build = xsub.add_parser("build", help="build sipxl.xlam from macros/ (ribbon XML and VBA source)")
    build.add_argument("--out", default="sipxl.xlam")
    build.add_argument("--macros", default=None, help="folder with customUI14.xml and *.bas (default: macros/)")
    build.add_argument("--xlsm", action="store_true", help="also write the equivalent .xlsm")
    build.set_defaults(func=_xlam_build)
