"""A subquery's NaN tied in time with another inner series' number, under
MAX, MIN and FIRST.

Both stores keep a NaN their calls read first (Go compares NaN as unequal
to every number, so nothing replaces it) and skip one read later. Points
of several series at one time the server reads in its merge order, by
series key; the engine reads them by value, NaN last, as it orders ties
of series everywhere else. So the answers differ only when the NaN's
series sorts first: pinned as a quirk.
"""

from __future__ import annotations

import influxpy
from conformance._common import Reading, at, write_both

TEXT = (
    "SELECT {call} FROM (SELECT sqrt(v) AS x FROM conformance GROUP BY host) "
    f"WHERE time >= {at(0)} AND time < {at(10)}"
)


def _write(both: tuple[str, str], nan_host: str) -> None:
    """``sqrt(v)``: NaN for *nan_host* at 1 s, tied with 1.5 and 2.0 of
    host ``b``."""
    write_both(
        both,
        Reading(time=at(1), v=-1.0, host=nan_host),
        Reading(time=at(1), v=2.25, host="b"),
        Reading(time=at(2), v=4.0, host="b"),
    )


def _answer(alias: str, call: str) -> list[list[object]]:
    (result,) = list(influxpy.get_connection(alias).statements(TEXT.format(call=call)))
    assert result.error is None
    return [list(v) for s in result.series for v in s.values]


def test_quirk_nan_tied_in_time_with_another_series(both: tuple[str, str]) -> None:
    """The NaN's series (host ``a``) sorts before ``b``: the server reads
    the NaN first and answers it (null); the engine reads 1.5 first."""
    server, engine = both
    _write(both, "a")
    assert _answer(server, "max(x)") == [[at(1), None]]
    assert _answer(engine, "max(x)") == [[at(2), 2.0]]
    assert _answer(server, "min(x), first(x)") == [[at(0), None, None]]
    assert _answer(engine, "min(x), first(x)") == [[at(0), 1.5, 1.5]]


def test_nan_read_after_a_tied_number_is_skipped(both: tuple[str, str]) -> None:
    """The NaN's series (host ``c``) sorts after ``b``: both skip it."""
    server, engine = both
    _write(both, "c")
    for call in ("max(x)", "min(x), first(x)", "last(x)"):
        assert _answer(server, call)
        assert _answer(engine, call) == _answer(server, call)
