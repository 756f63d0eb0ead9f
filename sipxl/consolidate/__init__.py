"""The batch consolidator: a folder tree of returned workbooks in, an authority dashboard, a validation report
and tidy tables out. See `sipxl consolidate --help` and batch/authority.toml.

The names below are imported when first used (PEP 562), so a run imports only what it needs: an unchanged
re-run never loads pandas, the analysis or the output writers."""

from __future__ import annotations

import importlib

_WHERE = {
    "AuthorityConfig": "config", "ConfigError": "config", "ExpectedSchool": "config", "load_config": "config",
    "write_outputs": "outputs",
    "STATUSES": "run", "Consolidation": "run", "FileRecord": "run", "consolidate": "run",
    "suppress": "suppression", "suppress_column": "suppression",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
