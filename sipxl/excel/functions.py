"""Custom functions for the Office.js add-in: the scores a teacher may want in a cell.

In Excel they are called with the add-in's namespace, e.g. ``=SIPXL.GAST(B5:B10, C5:C10)``. Each is a thin
wrapper over :mod:`sipxl.scoring`, so a cell and the Score button always agree. Errors (a level outside
-2..+2, ranges of different sizes) come back as the error text, never as a traceback.
"""

from __future__ import annotations

# ruff: noqa: I001, E402  (xlremote must be imported before xlwings.server)

import functools

from . import xlremote  # noqa: F401  - sets the xlwings environment: must come first
from xlwings.server import arg, func, ret

from ..scoring import gas_t_score, pre_post_summary, summarise_leuven
from ..scoring.gas import RHO

__all__ = ["GAST", "LEUVENMEAN", "LEUVENENGAGED", "MEANCHANGE", "FUNCTIONS"]


def _flat(values: object) -> list:
    if values is None:
        return []
    if not isinstance(values, list):
        return [values]
    out: list = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _blank(v: object) -> object:
    return None if v in ("", None) else v


def _cell_safe(f):
    """A cell gets the reason as text (``#SIPXL: ...``) for arguments it cannot use, never a server error."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError) as e:
            return f"#SIPXL: {f.__name__} cannot use these values ({e})"

    return wrapper


@func
@arg("levels", doc="The goals' attainment levels, -2 to +2 (blank = not scored).")
@arg("weights", doc="Optional: the goals' weights (blank = 1).")
@arg("rho", doc="Optional: the inter-goal correlation; 0.3 unless the authority says otherwise.")
@ret(doc="The GAS T-score (50 = goals met as expected).")
@_cell_safe
def GAST(levels, weights=None, rho: float = RHO):  # noqa: N802 - Excel's naming
    """Goal Attainment Scaling T-score (Kiresuk & Sherman)."""
    lv = [_blank(v) for v in _flat(levels)]
    ws = [_blank(v) for v in _flat(weights)] if weights not in (None, "") else None
    try:
        t = gas_t_score(lv, ws, rho=float(rho if rho not in (None, "") else RHO))
    except ValueError as e:
        return f"#SIPXL: {e}"
    return "" if t is None else t


@func
@arg("levels", doc="Leuven engagement levels, 1 to 5.")
@ret(doc="The mean engagement level.")
@_cell_safe
def LEUVENMEAN(levels):  # noqa: N802
    """Mean Leuven engagement over the non-blank observations."""
    s = summarise_leuven([_blank(v) for v in _flat(levels)])
    return "" if s.mean is None else s.mean


@func
@arg("levels", doc="Leuven engagement levels, 1 to 5.")
@ret(doc="The percentage of observations at level 4 or 5.")
@_cell_safe
def LEUVENENGAGED(levels):  # noqa: N802
    """Percentage of observations at level 4-5 (Engaged or Intense)."""
    s = summarise_leuven([_blank(v) for v in _flat(levels)])
    return "" if s.pct_engaged is None else s.pct_engaged


@func
@arg("pre", doc="Each pupil's score before.")
@arg("post", doc="Each pupil's score after, in the same order.")
@ret(doc="The mean change over the pupils with both scores.")
@_cell_safe
def MEANCHANGE(pre, post):  # noqa: N802
    """Mean change (post - pre) over the pupils with both scores."""
    a, b = [_blank(v) for v in _flat(pre)], [_blank(v) for v in _flat(post)]
    if len(a) != len(b):
        return "#SIPXL: pre and post must have the same number of pupils"
    s = pre_post_summary([f"pupil {k + 1}" for k in range(len(a))], a, b)
    return "" if s.mean_change is None else s.mean_change


FUNCTIONS = (GAST, LEUVENMEAN, LEUVENENGAGED, MEANCHANGE)
