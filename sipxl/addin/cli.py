"""The command line of the authority-hosted add-in: ``sipxl addin init`` and ``sipxl serve``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register"]


def _init(args: argparse.Namespace) -> int:
    from .project import init_app

    try:
        app = init_app(args.dir, args.url, token=args.token, authority=args.authority)
    except ValueError as e:
        print(f"sipxl addin init: {e}", file=sys.stderr)
        return 2
    print(f"SIPXL add-in written to {app}. Check {app / '.env'}, then run: sipxl serve --app {app} "
          "--cert CERT.pem --key KEY.pem")
    return 0


def _wasm(args: argparse.Namespace) -> int:
    from .wasm import build_wasm

    try:
        out = build_wasm(args.dir, args.url, args.out, args.wheel)
    except ValueError as e:
        print(f"sipxl addin wasm: {e}", file=sys.stderr)
        return 2
    print(f"xlwings Wasm site written to {out}: host it at {args.url} (HTTPS) and deploy {out / 'manifest.xml'}.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    if args.app is not None and not (Path(args.app) / "custom_scripts").is_dir():
        print(f"sipxl serve: {args.app} is not a SIPXL add-in folder; make one with "
              "`sipxl addin init DIR --url URL`.", file=sys.stderr)
        return 2
    try:
        return serve(args.app, args.host, args.port, args.cert, args.key, workers=args.workers)
    except ValueError as e:
        print(f"sipxl serve: {e}", file=sys.stderr)
        return 2


def register(sub: argparse._SubParsersAction) -> None:
    addin = sub.add_parser("addin", help="the authority-hosted Office.js add-in (an xlwings Server app)")
    asub = addin.add_subparsers(dest="action", required=True)
    init = asub.add_parser("init", help="write one authority's SIPXL add-in (xlwings Server app) into DIR")
    init.add_argument("dir", type=Path)
    init.add_argument("--url", required=True, help="the add-in's public https address, e.g. https://sipxl.council.gov.uk")
    init.add_argument("--token", default=None, help="require this token on every call (else: no authentication)")
    init.add_argument("--authority", default="SIPXL", help="the provider name shown in Excel's add-in list")
    init.set_defaults(func=_init)
    wasm = asub.add_parser("wasm", help="build the add-in as xlwings Wasm: static files, Python in the browser")
    wasm.add_argument("dir", type=Path, help="the folder from `sipxl addin init`")
    wasm.add_argument("--url", required=True, help="where the static files will be served (https)")
    wasm.add_argument("--wheel", type=Path, required=True, help="sipxl's wheel (python -m build --wheel)")
    wasm.add_argument("--out", type=Path, default=Path("sipxl-wasm"))
    wasm.set_defaults(func=_wasm)

    serve = sub.add_parser("serve", help="run a SIPXL add-in folder (xlwings Server) with uvicorn")
    serve.add_argument("--app", type=Path, default=None,
                       help="the folder from `sipxl addin init` (default: a trial app for this address)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: localhost only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--cert", type=Path, default=None, help="TLS certificate (PEM): serve HTTPS")
    serve.add_argument("--key", type=Path, default=None, help="the certificate's private key (PEM)")
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
