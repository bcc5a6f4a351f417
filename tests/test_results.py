"""Result rows: dicts with aware datetimes, built in bulk as row by row."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influxpy import results
from influxpy.results import Converter, Series

UTC = dt.UTC


def expected_points(
    series: Series, names: dict[str, str], tz: dt.tzinfo | None
) -> list[dict[str, Any]]:
    """The points of *series*, one row at a time."""
    columns = [names.get(c, c) for c in series.columns]
    out = []
    for values in series.values:
        row = dict(zip(columns, values, strict=False))
        if columns[:1] == ["time"] and isinstance(row["time"], int):
            stamp = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(
                microseconds=row["time"] // 1_000
            )
            row["time"] = stamp if tz is None else stamp.astimezone(tz)
        for key, value in series.tags.items():
            row.setdefault(names.get(key, key), value)
        out.append(row)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), max_size=30),
        max_size=4,
    ),
    st.sampled_from([None, zoneinfo.ZoneInfo("America/New_York")]),
    st.sampled_from([["time", "v"], ["time", "host"], ["v", "time"]]),
    st.dictionaries(st.sampled_from(["host", "dc"]), st.text(max_size=2)),
    st.sampled_from([{}, {"v": "time"}]),
)
def test_points_are_the_rows_converted_one_by_one(
    pieces: list[list[int | None]],
    tz: dt.tzinfo | None,
    columns: list[str],
    tags: dict[str, str],
    names: dict[str, str],
) -> None:
    """Repeated, new, null and cached times convert as they would one by one."""
    converter = Converter(names=names, tz=tz)
    for stamps in pieces:
        series = Series("m", tags, columns, [[t, i] for i, t in enumerate(stamps)])
        assert converter.points(series) == expected_points(series, names, tz)


def test_the_time_cache_starts_afresh_when_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More distinct times than the cache holds still convert correctly."""
    monkeypatch.setattr(results, "_CACHE_SIZE", 5)
    converter = Converter()
    for start in (0, 3, 100):
        series = Series("m", {}, ["time"], [[start + i * 1_000] for i in range(8)])
        assert converter.points(series) == expected_points(series, {}, None)
        assert len(converter.time.cache) <= 8


def test_epoch_rows_keep_integer_times() -> None:
    """With epoch='ns' the time stays the integer the backend gave."""
    series = Series("m", {"host": "a"}, ["time", "v"], [[1, 2.0], [3, None]])
    assert Converter(epoch="ns").points(series) == [
        {"time": 1, "v": 2.0, "host": "a"},
        {"time": 3, "v": None, "host": "a"},
    ]
