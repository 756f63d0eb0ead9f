"""Bounds in front of xlwings Server: every request body is limited, and a call's JSON is checked before it runs.

xlwings Server 1.20 parses a call's body with ``json.loads`` inside a dependency and builds ``xw.Book`` from
whatever it got, so a malformed or wrong-shaped body ends in its catch-all handler as a 500, and it reads bodies
of any size. This ASGI middleware answers those requests itself, in words:

* a body longer than the limit (``Content-Length`` or the bytes actually sent) -> 413;
* a call (``/xlwings/custom-scripts-call/...``, ``/xlwings/custom-functions-call``) whose body is not JSON, or not
  the shape the xlwings clients send, or that names no script or function of the app, or gives a function a
  number of arguments its signature cannot take -> 400 (xlwings would fail on it with a 500).

The shapes are what the remote engine reads from the payload (see docs/xlwings-notes.md); anything else the
clients send is passed through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["DEFAULT_MAX_BODY_BYTES", "Callables", "RequestGuard", "problem_with_call"]

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


#: An argument as Excel passes it to a custom function whose parameters are matrices (xlwings declares them so):
#: a range or value as a 2-D array of at least one cell, or null for an omitted optional argument. sipxl's
#: functions take plain values (numbers, text, blanks); a data-type object in a cell is refused.
Cell = None | bool | int | float | str
Matrix = Annotated[list[Annotated[list[Cell], Field(min_length=1)]], Field(min_length=1)]


class FunctionCall(_Open):
    """A custom-function call from the Office.js custom-functions runtime."""

    func_name: str
    args: list[Matrix | None]
    version: str
    client: str
    runtime: str
    caller_address: str | None = None


class Callables:
    """The app's scripts, and its functions with how many arguments each takes (from their signatures)."""

    def __init__(self, scripts_module: object, functions_module: object) -> None:
        import inspect

        self.scripts = {n for n, o in inspect.getmembers(scripts_module) if hasattr(o, "__xlscript__")}
        self.functions: dict[str, tuple[int, int | None]] = {}
        for _, obj in inspect.getmembers(functions_module):
            if hasattr(obj, "__xlfunc__"):
                params = list(inspect.signature(obj).parameters.values())
                positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                required = sum(1 for p in positional if p.default is p.empty)
                varargs = any(p.kind is p.VAR_POSITIONAL for p in params)
                self.functions[obj.__xlfunc__["name"]] = (required, None if varargs else len(positional))

    def problem(self, kind: str, name: str, data: dict) -> str | None:
        if kind == "script":
            return None if name in self.scripts else f"There is no script called {name!r}."
        if data["func_name"] not in self.functions:
            return f"There is no function called {data['func_name']!r}."
        low, high = self.functions[data["func_name"]]
        n = len(data["args"])
        if n < low or (high is not None and n > high):
            return f"{data['func_name']} takes {low}{'' if high == low else f' to {high}'} arguments, not {n}."
        return None


def problem_with_call(kind: str, body: bytes, content_type: str, name: str = "",
                      callables: Callables | None = None) -> str | None:
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
    return callables.problem(kind, name, data) if callables else None


def _call_kind(path: str, app_path: str) -> tuple[str, str] | None:
    """("script", its name) or ("function", "") for a call's path; None for any other path."""
    prefix = f"{app_path}/xlwings/"
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix):]
    if rest.startswith("custom-scripts-call/"):
        return "script", rest.removeprefix("custom-scripts-call/")
    if rest == "custom-functions-call":
        return "function", ""
    return None


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware: 413 past `max_body_bytes`, 400 for a call that is not what the clients send."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, app_path: str = "",
                 callables: Callables | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.app_path = app_path.rstrip("/")
        self.callables = callables

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
        call = _call_kind(scope["path"], self.app_path)
        if call is not None:
            problem = problem_with_call(call[0], body, headers.get("content-type", ""), call[1], self.callables)
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
