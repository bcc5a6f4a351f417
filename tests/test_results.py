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


def _shapes(converter: Converter, series: Series) -> Any:
    """A series' rows, points and result as each builder makes them, with
    every dict's keys in order (``==`` on dicts ignores the order)."""
    made = [converter.rows(series), converter.points(series)]
    made.append(converter.result(series).points)
    return [[list(row.items()) for row in rows] for rows in made]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["time", "v", "host", "w"]), min_size=1, max_size=5),
    st.integers(0, 4),
    st.booleans(),
    st.dictionaries(st.sampled_from(["host", "dc", "v", "time"]), st.text(max_size=2)),
    st.sampled_from([{}, {"w": "time"}, {"v": "host"}]),
    st.sampled_from([None, "ns"]),
    st.data(),
)
def test_the_compiled_rows_are_the_dict_displays(
    columns: list[str],
    count: int,
    as_tuples: bool,
    tags: dict[str, str],
    names: dict[str, str],
    epoch: str | None,
    data: st.DataObject,
) -> None:
    """Where the compiled builder is built, it makes the dicts the Python
    displays make: the same keys in the same order, the same values,
    repeated columns, tags named as columns, converted times, rows as tuples
    and short rows (IndexError) alike."""
    if results._ROW_DICTS is None:
        pytest.skip("the compiled builder is not built here")
    value = st.one_of(st.none(), st.integers(0, 2**62), st.floats(), st.text())
    # A time is an integer (or null): no backend gives a float time.
    stamp = st.one_of(st.none(), st.integers(0, 10), st.integers(0, 2**62))
    rows: list[Any] = [
        data.draw(st.lists(value, min_size=len(columns), max_size=len(columns) + 1))
        for _ in range(count)
    ]
    for row in rows:
        row[:1] = [data.draw(stamp)][: len(row)]
    if rows and data.draw(st.booleans()):
        rows[data.draw(st.integers(0, count - 1))] = rows[0][: len(columns) - 1]
    if as_tuples:
        rows = [tuple(row) for row in rows]
    series = Series("m", tags, columns, rows)
    outcomes = []
    for compiled in (results._ROW_DICTS, None):
        converter = Converter(names=names, epoch=epoch)
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(results, "_ROW_DICTS", compiled)
                outcomes.append(_shapes(converter, series))
        except (IndexError, TypeError) as error:
            outcomes.append(type(error))
    assert outcomes[0] == outcomes[1]


def test_the_python_builder_is_chosen_by_the_environment() -> None:
    """``INFLUXPY_PURE_PYTHON=1`` when influxpy is imported leaves the rows
    to the dict displays."""
    import os
    import subprocess
    import sys

    code = "from influxpy import results; print(results._ROW_DICTS)"
    env = {**os.environ, "INFLUXPY_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == "None", done.stderr


def test_equal_strings_of_rows_are_one_string() -> None:
    """The compiled builder stores one string per distinct string value (the
    rows' tag values), across the pieces of one read; values stay equal."""
    if results._ROW_DICTS is None:
        pytest.skip("the compiled builder is not built here")
    converter = Converter(epoch="ns")
    made = []
    for _piece in range(2):
        rows = [[t, "".join(["host-", str(t % 2)])] for t in range(4)]
        made += converter.points(Series("m", {}, ["time", "host"], rows))
    assert [row["host"] for row in made] == ["host-0", "host-1"] * 4
    assert len({id(row["host"]) for row in made}) == 2
