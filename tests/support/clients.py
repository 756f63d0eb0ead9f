"""What the two shipped xlwings clients implement, read from their own files in the installed packages.

- VBA: ``xlwings/addin/Remote.bas`` in the ``xlwings`` wheel. ``RunServerPython`` runs each returned action
  with ``Application.Run action("func"), wb, action``: an action is a ``Sub name(wb As Workbook, action As
  Dictionary)`` of that module, and ``runMacro`` calls ``Application.Run`` on its first argument.
- Office.js: ``xlwings_server/static/js/custom-scripts/`` in the ``xlwings-server`` wheel. ``runActions`` hands
  the actions to ``dispatchActions``, which looks each one up by its exact name in ``globalThis.callbacks``
  (filled from the ``funcs`` map and by ``registerCallback``); ``runMacro`` looks its first argument up there.

For each action this module finds which ``args`` positions the client reads, which it reads with a null
check, and which other keys of the action it reads (``values``, ``sheet_position``, range bounds), following
the helpers (``GetRange``, ``getRange``, ``getSheet``) and the factories (``createSetValues``) the callbacks use.
:func:`problems` says what either client would refuse in an action; it never learns from our own code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = ["Action", "officejs_actions", "officejs_dir", "officejs_index", "problems", "remote_bas", "vba_actions"]


@dataclass
class Action:
    """What one client's callback for an action reads from it."""

    name: str
    args: set[int] = field(default_factory=set)  # 0-based positions in action["args"]
    nullable: set[int] = field(default_factory=set)  # positions read behind a null check
    keys: set[str] = field(default_factory=set)  # other keys of the action


def remote_bas() -> Path:
    import xlwings

    path = Path(xlwings.__file__).parent / "addin" / "Remote.bas"
    if not path.is_file():  # pragma: no cover
        raise FileNotFoundError(f"xlwings {xlwings.__version__} ships no {path}")
    return path


def officejs_dir() -> Path:
    import xlwings_server

    path = Path(xlwings_server.__file__).parent / "static" / "js" / "custom-scripts"
    if not (path / "index.js").is_file():  # pragma: no cover
        raise FileNotFoundError(f"xlwings-server ships no {path / 'index.js'}")
    return path


def officejs_index() -> Path:
    return officejs_dir() / "index.js"


# ---------------------------------------------------------------- VBA


def _vba_bodies(text: str) -> dict[str, tuple[str, str]]:
    """name -> (signature, body) of every Sub and Function."""
    out = {}
    for m in re.finditer(r"^(Sub|Function)\s+(\w+)\s*\(([^)]*)\)(.*?)^End \1", text, re.M | re.S):
        out[m.group(2)] = (m.group(3), m.group(4))
    return out


def vba_dispatch(text: str) -> bool:
    """Whether RunServerPython runs every action as the Sub named by its func (and nothing else)."""
    return bool(re.search(r'For Each action In myResponse\.Data\("actions"\)\s+Application\.Run action\("func"\), '
                          r"wb, action\s+Next", text))


@cache
def vba_actions() -> dict[str, Action]:
    text = remote_bas().read_text(encoding="utf-8", errors="replace")
    if not vba_dispatch(text):  # pragma: no cover - a new client: re-read it before trusting this module
        raise AssertionError("Remote.bas no longer runs actions with Application.Run action(\"func\"), wb, action")
    bodies = _vba_bodies(text)
    range_keys = set(re.findall(r'action\("(\w+)"\)', bodies["GetRange"][1]))
    out = {}
    for name, (signature, body) in bodies.items():
        if not re.fullmatch(r"\s*wb As Workbook,\s*action As Dictionary\s*", signature) or name == "GetRange":
            continue
        a = Action(name)
        for m in re.finditer(r'action\("args"\)\((\d+)\)', body):
            a.args.add(int(m.group(1)) - 1)  # a VBA Collection counts from 1
        for m in re.finditer(r'IsNull\(action\("args"\)\((\d+)\)\)', body):
            a.nullable.add(int(m.group(1)) - 1)
        a.keys = set(re.findall(r'action\("(\w+)"\)', body)) - {"args"}
        if "GetRange(wb, action)" in body:
            a.keys |= range_keys
        out[name] = a
    return out


# ---------------------------------------------------------------- Office.js


def _js_body(text: str, start: int) -> str:
    """The text of the {...} block that opens at or after `start`."""
    i = text.index("{", start)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i:j + 1]
    raise ValueError("unbalanced braces")  # pragma: no cover


def _js_function(sources: dict[str, str], name: str) -> str | None:
    for text in sources.values():
        m = re.search(rf"(?:async\s+)?function\s+{re.escape(name)}\s*\(", text)
        if m:
            return _js_body(text, m.end())
    return None


def officejs_dispatch(sources: dict[str, str]) -> bool:
    """Whether actions are found by exact name in globalThis.callbacks, filled from `funcs` and registerCallback."""
    index, dispatch = sources["index.js"], sources["action-dispatch.js"]
    return ("dispatchActions(rawData?.actions, context, globalThis.callbacks)" in index
            and "Object.assign(globalThis.callbacks, funcs)" in index
            and "globalThis.callbacks[callback.name] = callback" in index
            and 'typeof actionFunc === "string" ? callbacks?.[actionFunc] : null' in dispatch)


def _reads(body: str, helpers: dict[str, set[str]]) -> Action:
    a = Action("")
    for m in re.finditer(r'action(?:\.args|\["args"\])(?:\?\.)?\[(\d+)\]', body):
        a.args.add(int(m.group(1)))
    for m in re.finditer(r'action(?:\.args|\["args"\])\[(\d+)\]\s*[!=]==?\s*null', body):
        a.nullable.add(int(m.group(1)))
    a.keys = set(re.findall(r"action\??\.(\w+)", body)) - {"args"}
    for helper, keys in helpers.items():
        if re.search(rf"\b{helper}\(context, action\)", body):
            a.keys |= keys
    return a


@cache
def officejs_actions() -> dict[str, Action]:
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(officejs_dir().glob("*.js"))}
    if not officejs_dispatch(sources):  # pragma: no cover
        raise AssertionError("xlwings Server's Office.js client no longer dispatches actions by name")
    index = sources["index.js"]
    sheet_keys = set(re.findall(r"action\.(\w+)", _js_function(sources, "getActionSheet") or ""))
    range_keys = set(re.findall(r"action\.(\w+)", _js_function(sources, "getRange") or "")) | sheet_keys
    helpers = {"getRange": range_keys, "getSheet": sheet_keys, "getActionSheet": sheet_keys}
    funcs = _js_body(index, index.index("let funcs = {"))
    out = {}
    for m in re.finditer(r"^\s*(\w+):\s*(.+?),?$", funcs[1:-1], re.M):
        name, value = m.group(1), m.group(2).rstrip(",")
        factory = re.match(r"(create\w+)\(", value)
        if not factory and re.fullmatch(r"\w+", value):  # a callback, or a const made by a factory
            made = re.search(rf"const\s+{value}\s*=\s*(create\w+)\(", index)
            factory = made
            body = None if made else _js_function(sources, value)
        else:
            body = None
        if factory:
            body = _js_function(sources, factory.group(1))
        if body is None:  # pragma: no cover
            raise AssertionError(f"cannot find the Office.js callback for {name} ({value})")
        a = _reads(body, helpers)
        a.name = name
        out[name] = a
    return out


# ---------------------------------------------------------------- what a client refuses


def problems(action: dict) -> list[str]:
    """Why each client would refuse `action`: empty if both run it with everything they read."""
    func = action.get("func")
    if func == "runMacro":
        target = (action.get("args") or [None])[0]
        return [f"runMacro {target!r}: a macro runs only if the workbook or add-in has one by exactly that name; "
                "sipxl's buttons must not depend on one"]
    out = []
    args = action.get("args")
    if not isinstance(args, list):
        return [f"{func}: args must be a list, got {args!r}"]
    for client, implemented in (("VBA", vba_actions()), ("Office.js", officejs_actions())):
        spec = implemented.get(func)
        if spec is None:
            out.append(f"{func}: the {client} client has no such action")
            continue
        for key in sorted(spec.keys):
            if key not in action:
                out.append(f"{func}: the {client} client reads action[{key!r}], which is missing")
        for pos in sorted(spec.args):
            if pos >= len(args):
                out.append(f"{func}: the {client} client reads args[{pos}], but there are {len(args)} args")
            elif args[pos] is None and pos not in spec.nullable:
                out.append(f"{func}: the {client} client reads args[{pos}] without a null check, and it is null")
        for pos, value in enumerate(args):
            if value is not None and pos not in spec.args:
                out.append(f"{func}: the {client} client never reads args[{pos}] ({value!r}): it would be lost")
    return out
