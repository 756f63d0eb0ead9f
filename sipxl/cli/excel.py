"""``sipxl serve`` (the add-in server on localhost) and ``sipxl xlam build`` (the desktop add-in)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from ..excel.server import create_app

    logging.basicConfig(level=logging.INFO)
    print(f"sipxl add-in server on http://{args.host}:{args.port} (manifest: /manifest.xml). Ctrl+C stops it.",
          file=sys.stderr)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def _xlam_build(args: argparse.Namespace) -> int:
    from ..excel.xlam import build_addin

    out = build_addin(Path(args.out), Path(args.macros) if args.macros else None)
    print(out)
    if args.xlsm:
        print(build_addin(Path(args.out).with_suffix(".xlsm"), Path(args.macros) if args.macros else None))
    return 0


def register_excel(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the SIPXL add-in server (Office.js add-in, RunRemotePython)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: localhost only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_serve)

    xlam = sub.add_parser("xlam", help="the desktop add-in (sipxl.xlam)")
    xsub = xlam.add_subparsers(dest="action", required=True)
    build = xsub.add_parser("build", help="build sipxl.xlam from macros/ (ribbon XML and VBA source)")
    build.add_argument("--out", default="sipxl.xlam")
    build.add_argument("--macros", default=None, help="folder with customUI14.xml and *.bas (default: macros/)")
    build.add_argument("--xlsm", action="store_true", help="also write the equivalent .xlsm")
    build.set_defaults(func=_xlam_build)
