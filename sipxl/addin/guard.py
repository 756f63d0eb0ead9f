"""Bounds in front of xlwings Server: every request body is limited, and a call's JSON is checked before it runs.

xlwings Server 1.20 parses a call's body with ``json.loads`` inside a dependency and builds ``xw.Book`` from
whatever it got, so a malformed or wrong-shaped body ends in its catch-all handler as a 500, and it reads bodies
of any size. This ASGI middleware answers those requests itself, in words:

* a body longer than the limit (``Content-Length`` or the bytes actually sent) -> 413;
* a call (``/xlwings/custom-scripts-call/...``, ``/xlwings/custom-functions-call``) whose body is not JSON, or not
  the shape the xlwings clients send -> 400.

The shapes are what the remote engine reads from the payload (see docs/xlwings-notes.md); anything else the
clients send is passed through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["DEFAULT_MAX_BODY_BYTES", "RequestGuard", "problem_with_call"]

#: 20 MiB: a filled SIPP project workbook's payload is well under 1 MiB.
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _BookInfo(_Open):
    name: str
    active_sheet_index: int


class _Sheet(_Open):
    name: str
    values: list[list[Any]]


class _Name(_Open):
    name: str


class ScriptCall(_Open):
    """The workbook payload of Office.js (xlwings.js) and VBA (Remote.bas) clients."""

    client: str
    version: str
    book: _BookInfo
    sheets: list[_Sheet]
    names: list[_Name] = []
    args: list[Any] | None = None


class FunctionCall(_Open):
    """A custom-function call from the Office.js custom-functions runtime."""

    func_name: str
    args: list[Any]
    version: str
    client: str
    runtime: str
    caller_address: str | None = None


def problem_with_call(kind: str, body: bytes, content_type: str) -> str | None:
    """Why `body` is not a call of `kind` ("script" or "function") a client would send; None if it is."""
    text = body
    if kind == "script" and content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
        if "bookData" not in form:
            return "The form has no bookData field."
        text = form["bookData"][0].encode()
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return "The request body is not JSON."
    model = ScriptCall if kind == "script" else FunctionCall
    try:
        model.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the body"
        return f"The request is not an xlwings {kind} call: {where}: {first['msg']}."
    return None


def _call_kind(path: str, app_path: str) -> str | None:
    prefix = f"{app_path}/xlwings/"
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix):]
    if rest.startswith("custom-scripts-call/"):
        return "script"
    if rest == "custom-functions-call":
        return "function"
    return None


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware: 413 past `max_body_bytes`, 400 for a call that is not what the clients send."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, app_path: str = "") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.app_path = app_path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        too_big = f"The request is larger than the server accepts ({self.max_body_bytes:,} bytes)."
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _reply(send, 413, too_big)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _reply(send, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        kind = _call_kind(scope["path"], self.app_path)
        if kind is not None:
            problem = problem_with_call(kind, body, headers.get("content-type", ""))
            if problem:
                await _reply(send, 400, problem)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
