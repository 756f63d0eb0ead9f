"""A file's tidy rows travel and are cached as JSON text: what is decoded is what was encoded, and text of any
other shape is refused (the file is then read again), never half-used."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sipxl.consolidate.rows_json import decode_columns, decode_rows, encode_rows
from sipxl.consolidate.tidy import COLUMNS

values = (st.none() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=12) | st.dates() | st.datetimes())


@st.composite
def tidy_rows(draw):
    tables = draw(st.lists(st.sampled_from(sorted(COLUMNS)), unique=True, max_size=4))
    return {t: [tuple(draw(values) for _ in COLUMNS[t]) for _ in range(draw(st.integers(0, 4)))] for t in tables}


@settings(deadline=None)  # a loaded machine is no failure
@given(tidy_rows())
def test_decoded_rows_are_the_encoded_rows(rows) -> None:
    back = decode_rows(encode_rows(rows))
    assert back == rows
    for table, got in back.items():  # a date stays a date, a date and time a date and time
        for row, want in zip(got, rows[table], strict=True):
            assert [type(v) for v in row] == [type(v) for v in want]


@settings(deadline=None)
@given(tidy_rows())
def test_decoded_columns_are_the_encoded_rows_column_by_column(rows) -> None:
    back = decode_columns(encode_rows(rows))
    assert back is not None and set(back) == set(rows)
    for table, columns in back.items():
        assert len(columns) == (len(COLUMNS[table]) if rows[table] else 0)
        assert [list(c) for c in columns] == [list(c) for c in zip(*rows[table], strict=True)]
        for column, want in zip(columns, zip(*rows[table], strict=True), strict=True):
            assert [type(v) for v in column] == [type(v) for v in want]


def test_rows_of_another_shape_are_refused() -> None:
    good = {"pupils": [tuple(range(len(COLUMNS["pupils"])))]}
    assert decode_rows(encode_rows(good)) == good
    assert decode_rows('{"pupils": [[1, 2]]}') is None  # a row of the wrong width
    assert decode_rows('{"no such table": []}') is None
    assert decode_rows('[1, 2]') is None and decode_rows("not json") is None
    for text in ('{"pupils": [[1, 2]]}', '{"no such table": []}', '[1, 2]', "not json", '{"pupils": [1]}'):
        assert decode_columns(text) is None
    assert decode_rows(encode_rows({"sessions": [("Session log", 1, dt.date(2026, 3, 2), "SIP-A-01", 3)]}))
