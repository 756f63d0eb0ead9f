"""Remember a function's result by the identity of its arguments.

The specification's objects (Template, Table, Rule, TemplateLayout) are deep frozen dataclasses: hashing one
for functools.cache walks all of it, which costs more than the work remembered when it happens per table or
per cell. They are built once and kept, so their identity is a sound key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

R = TypeVar("R")


def by_identity(fn: Callable[..., R]) -> Callable[..., R]:
    """Memoise `fn` by its arguments' identities (strings and numbers by value). The arguments are kept alive
    with the result, so an identity is never reused for another object while it is a key."""
    memo: dict[object, tuple[object, R]] = {}

    def key_of(x: object) -> object:
        return x if isinstance(x, str | int) else id(x)

    @functools.wraps(fn)
    def remembered(*args: object) -> R:
        if len(args) == 1:  # the common case, called per cell: kept to a dict lookup and an identity test
            a = args[0]
            hit = memo.get(id(a))
            if hit is not None and hit[0] is a:
                return hit[1]
            value = fn(a)
            memo[id(a)] = (a, value)
            return value
        key = tuple(key_of(a) for a in args)
        hit = memo.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], args, strict=True)):
            return hit[1]
        value = fn(*args)
        memo[key] = (args, value)
        return value

    return remembered
