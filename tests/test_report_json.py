"""The validation report's JSON is written a record at a time (sipxl.consolidate.validation_report.dump_indented,
for speed): it must be byte for byte what json.dump(indent=2, ensure_ascii=False) writes, for any data."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sipxl.consolidate.validation_report import dump_indented

scalar = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
record = st.dictionaries(st.text(max_size=6), scalar, max_size=5)
anything = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
value = st.lists(record, max_size=4) | anything


@settings(deadline=None, max_examples=300)
@given(st.dictionaries(st.text(max_size=8), value, max_size=6))
def test_the_report_json_is_what_json_dump_writes(data) -> None:
    ours = io.StringIO()
    dump_indented(data, ours)
    theirs = io.StringIO()
    json.dump(data, theirs, indent=2, ensure_ascii=False)
    assert ours.getvalue() == theirs.getvalue()


def test_records_take_the_fast_way() -> None:
    """Lists of flat records are what the fast way serves; they come out as json.dump writes them too."""
    data = {"files": [{"file": "a\nb.xlsx", "errors": 2, "ok": True, "x": None, "y": 1.5, "é": "ü"}] * 3,
            "issues": [], "counts": {"valid": 1}}
    ours = io.StringIO()
    dump_indented(data, ours)
    assert ours.getvalue() == json.dumps(data, indent=2, ensure_ascii=False)
