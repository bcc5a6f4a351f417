"""Result frames: the columns pandas would infer, whatever the chunking.

``series_to_dataframe`` builds each column from the pieces of a chunked
response without handing pandas one Python list per column. These tests
hold it to that reference: the frame pandas builds from the same values in
plain lists, with the same dtypes, values and column order, for series cut
into pieces anywhere. The server side of ``to_dataframe()`` is covered in
``tests/conformance/`` and ``test_async.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influxpy._dataframe import series_to_dataframe
from influxpy.results import Series


def reference(
    series: Iterable[Series],
    *,
    names: Mapping[str, str] | None = None,
    tz: dt.tzinfo | None = None,
    epoch: str | None = None,
) -> pd.DataFrame:
    """The frame pandas infers from one list per column."""
    names = dict(names or {})
    columns: dict[str, list[Any]] = {}
    times: list[int] = []
    total = 0
    for piece in series:
        count = len(piece.values)
        if not count:
            continue
        done = set()
        for index, key in enumerate(piece.columns):
            name = names.get(key, key)
            if name == "time" and index == 0:
                times.extend(row[0] for row in piece.values)
                continue
            if name not in done:
                done.add(name)
                target = columns.setdefault(name, [None] * total)
                target.extend(row[index] for row in piece.values)
        for key, value in piece.tags.items():
            name = names.get(key, key)
            if name not in done:
                done.add(name)
                columns.setdefault(name, [None] * total).extend([value] * count)
        total += count
        for target in columns.values():
            target.extend([None] * (total - len(target)))
    if epoch is not None:
        index = pd.Index(pd.array(times, dtype="int64"), name="time")
    else:
        index = pd.DatetimeIndex(
            pd.to_datetime(pd.array(times, dtype="int64"), unit="ns", utc=True),
            name="time",
        )
        if tz is not None:
            index = index.tz_convert(tz)
    return pd.DataFrame(columns, index=index)


def assert_same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert list(frame.dtypes) == list(expected.dtypes)
    for name in frame.columns:
        if frame[name].dtype == object:
            got = [(type(v), repr(v)) for v in frame[name]]
            assert got == [(type(v), repr(v)) for v in expected[name]]


def cut(series: Series, *sizes: int) -> list[Series]:
    """*series* as the pieces of a chunked response of *sizes* rows."""
    pieces, start = [], 0
    for size in sizes:
        rows = series.values[start : start + size]
        pieces.append(Series(series.name, series.tags, series.columns, rows, True))
        start += size
    pieces[-1].partial = False
    return pieces


T = 1_577_836_800 * 10**9


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([1, 2, 3], "int64"),
        ([1, None, 3], "float64"),
        ([None, None, 3], "float64"),
        ([1.5, None, 2.5], "float64"),
        ([True, False, True], "bool"),
        ([True, None, False], "object"),
        ([None, None, None], "object"),
        ([1.5, True, 2.5], "object"),
        ([1, 2.5, None], "float64"),
        ([1, "a", None], "object"),
        ([2**63, 1, 2], "uint64"),
    ],
)
def test_each_column_has_the_dtype_pandas_infers(values: list[Any], dtype: str) -> None:
    """Nulls, mixed kinds and huge integers give pandas' dtype, chunked or not."""
    series = Series("m", {}, ["time", "v"], [[T + i, v] for i, v in enumerate(values)])
    expected = reference([series])
    assert str(expected["v"].dtype) == dtype
    assert_same(series_to_dataframe([series]), expected)
    for sizes in ((1, 2), (2, 1), (1, 1, 1)):
        assert_same(series_to_dataframe(cut(series, *sizes)), expected)


def test_text_utf8_cannot_carry_fails_as_in_pandas() -> None:
    """A lone surrogate is refused with pandas' own error, or kept as pandas keeps it.

    pandas 3 stores text as UTF-8 and refuses it; pandas 2 keeps Python
    objects and takes it.
    """
    series = Series("m", {}, ["time", "s"], [[T, "a"], [T + 1, "\ud800"]])
    try:
        expected = reference([series])
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            series_to_dataframe(cut(series, 1, 1))
    else:
        assert_same(series_to_dataframe(cut(series, 1, 1)), expected)


def test_strings_have_the_dtype_pandas_infers() -> None:
    """Text columns (tags and string fields) are typed as pandas types text."""
    series = Series(
        "m", {"host": "a"}, ["time", "s"], [[T, "x"], [T + 1, None], [T + 2, ""]]
    )
    frame = series_to_dataframe(cut(series, 1, 2))
    assert frame["s"].dtype == pd.Series(["x"]).dtype
    assert frame["host"].dtype == pd.Series(["x"]).dtype
    assert_same(frame, reference([series]))


def test_columns_missing_from_a_series_are_null_there() -> None:
    """Series with other columns and tags are stacked with nulls between."""
    first = Series("m", {"host": "a"}, ["time", "n"], [[T, 1], [T + 1, 2]])
    second = Series("m", {"dc": "x"}, ["time", "v", "n"], [[T + 2, 1.5, None]])
    third = Series("other", {}, ["time", "b"], [[T + 3, True]])
    frame = series_to_dataframe([first, second, third])
    assert list(frame.columns) == ["n", "host", "v", "dc", "b"]
    assert frame["n"].dtype == "float64"
    assert frame.attrs["measurements"] == ["m", "other"]
    assert_same(frame, reference([first, second, third]))


def test_a_value_column_wins_over_a_tag_of_the_same_name() -> None:
    """A column and a tag with one name fill one column, from the column."""
    series = Series("m", {"host": "tag"}, ["time", "host"], [[T, "field"]])
    assert series_to_dataframe([series])["host"].tolist() == ["field"]


def test_no_rows_give_an_empty_frame_with_a_time_index() -> None:
    """An empty result is an empty frame indexed by UTC time."""
    frame = series_to_dataframe([Series("m", {}, ["time", "v"], [])])
    assert frame.empty
    assert frame.index.name == "time"
    assert str(frame.index.dtype) == "datetime64[ns, UTC]"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_infinity=False),
    st.text(max_size=3),
)


@st.composite
def results(draw: st.DrawFn) -> list[Series]:
    kinds = {name: draw(scalars) for name in ("a", "b", "c")}
    out = []
    for _ in range(draw(st.integers(0, 4))):
        keys = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
        rows = []
        for _ in range(draw(st.integers(0, 5))):
            row = [draw(st.integers(0, 2**62))]
            for key in keys:
                # Mostly the column's own kind, sometimes anything.
                same = draw(st.booleans()) or draw(st.booleans())
                value = kinds[key] if same else draw(scalars)
                row.append(value)
            rows.append(row)
        tags = draw(st.dictionaries(st.sampled_from(["host", "dc"]), st.text()))
        name = draw(st.sampled_from(["m", "n"]))
        out.append(Series(name, tags, ["time", *keys], rows, draw(st.booleans())))
    return out


@settings(max_examples=300, deadline=None)
@given(
    results(),
    st.sampled_from([None, "ns"]),
    st.sampled_from([{}, {"b": "bee"}, {"a": "time"}]),
)
def test_frames_match_pandas_inference_from_lists(
    series: list[Series], epoch: str | None, names: dict[str, str]
) -> None:
    """Any mix of kinds, nulls and pieces gives the frame built from lists."""
    expected = reference(series, names=names, epoch=epoch)
    assert_same(series_to_dataframe(series, names=names, epoch=epoch), expected)
