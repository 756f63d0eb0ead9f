"""One sanitiser for every output: a pupil reference flagged as a name (SIPXL-P007) or a Scottish Candidate
Number (SIPXL-P008) never leaves the checking of its file.

Each flagged value is replaced, wherever it appears in the file's result (tidy rows, issue values and details,
an error trace), by a stable placeholder before the result is cached or written anywhere:

* with the authority's key (``pseudonym_key`` in authority.toml, or the SIPXL_PSEUDONYM_KEY environment variable),
  ``withheld-`` and 10 hex digits of HMAC-SHA256(key, the reference): the same reference gives the same
  placeholder in every file and every year, and nobody without the key can test a guessed name against it;
* without a key, ``withheld-1``, ``withheld-2``... numbered within the file (what a file's rows need to stay
  joined), which says nothing about the value at all.

The school's own feedback points at the cell, never at the value. Pure: no files.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import replace

from ..issues import Issue

FLAGGED_CODES = ("SIPXL-P007", "SIPXL-P008")
PREFIX = "withheld-"
KEY_ENV = "SIPXL_PSEUDONYM_KEY"
KEY_META = "pseudonym_key_id"  # in a sanitised result's meta: which key made its placeholders ("" = none)


def authority_key(configured: str | None) -> bytes | None:
    """The key from the environment (preferred: it stays out of files) or the configuration; None if neither."""
    text = os.environ.get(KEY_ENV) or configured or ""
    return text.encode("utf-8") if text else None


def key_id(key: bytes | None) -> str:
    """A short public name for a key (never the key): cached placeholders made with another key are stale."""
    return "" if key is None else hmac.new(key, b"sipxl key id", hashlib.sha256).hexdigest()[:8]


def _canonical(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    digits = text.replace(" ", "")
    return digits if digits.isdigit() else text.casefold()


def _pattern(canonical: str) -> str:
    """Matches the value inside any text, whatever its spacing and case."""
    if canonical.isdigit():
        return r"(?<!\d)" + r"\s*".join(canonical) + r"(?!\d)"
    return r"(?<!\w)" + r"\s+".join(re.escape(w) for w in canonical.split()) + r"(?!\w)"


class Sanitiser:
    """Replaces the flagged values of one file by their placeholders, in text and in single values."""

    def __init__(self, flagged: Iterable[object], key: bytes | None = None):
        keys = sorted({_canonical(v) for v in flagged if str(v).strip()}, key=lambda c: (-len(c), c))
        self.key = key
        self.placeholders: dict[str, str] = {}
        for c in keys:
            self.placeholders[c] = (PREFIX + hmac.new(key, c.encode("utf-8"), hashlib.sha256).hexdigest()[:10]
                                    if key else f"{PREFIX}{len(self.placeholders) + 1}")
        self._re = re.compile("|".join(_pattern(c) for c in keys), re.IGNORECASE) if keys else None

    def __bool__(self) -> bool:
        return self._re is not None

    def text(self, s: str) -> str:
        if self._re is None or not s:
            return s
        return self._re.sub(lambda m: self.placeholders.get(_canonical(m.group()), PREFIX + "?"), s)

    def value(self, v: object) -> object:
        if self._re is None or v is None or isinstance(v, bool):
            return v
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, int | float):
            return self.placeholders.get(_canonical(v), v)
        return v

    def issue(self, i: Issue) -> Issue:
        return replace(i, label=self.text(i.label), value=self.text(str(i.value)) if i.value != "" else i.value,
                       expected=self.text(i.expected), detail=self.text(i.detail))


def flagged_values(issues: Iterable[Issue]) -> list[object]:
    return [i.value for i in issues if i.code in FLAGGED_CODES and i.value not in (None, "")]


def sanitise_result(result, key: bytes | None = None):
    """The file's result (sipxl.consolidate.worker.FileResult) with every flagged reference replaced; the same
    object when nothing was flagged (most files)."""
    s = Sanitiser(flagged_values(result.issues), key)
    if not s:
        return result
    content = result.content
    if content is not None:
        from .rows_json import decode_rows, encode_rows

        as_text = content.rows is None  # the rows as a worker sends them: JSON text
        given = decode_rows(content.rows_json or "") if as_text else content.rows
        rows = {name: [tuple(s.value(v) for v in row) for row in table] for name, table in (given or {}).items()}
        content = replace(content, rows=None if as_text else rows, rows_json=encode_rows(rows) if as_text else None,
                          meta={**content.meta, KEY_META: key_id(key)})
    return replace(result, issues=[s.issue(i) for i in result.issues], content=content,
                   crash=s.text(result.crash))


def made_with(result, key: bytes | None) -> bool:
    """A cached result may be used with this key: nothing in it was flagged, or its placeholders used this key."""
    content = getattr(result, "content", None)
    made = content.meta.get(KEY_META) if content is not None else None
    return made is None or made == key_id(key)
