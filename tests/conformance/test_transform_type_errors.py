"""Transformations of text or booleans, on both stores.

influxd has no iterator for a transformation of strings or booleans: the
statement fails with ``unsupported <what> iterator type:
*query.<type>Iterator``, named by the transformation (HOLT_WINTERS by the
ELAPSED it reads first) and by what it reads: an aggregate's windows
(``Interrupt``), DISTINCT's values (``Interval``) or SAMPLE's points
(``Reduce``). ELAPSED reads only times and runs.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

POINTS = [
    Reading(time=at(1), v=1.5, n=2, s="x", ok=True, host="a"),
    Reading(time=at(2), v=2.75, n=3, s="y", ok=False, host="a"),
    Reading(time=at(3), v=-4.5, n=5, s="x", ok=True, host="b"),
    Reading(time=at(6), v=9.5, n=11, s="z", ok=False, host="a"),
]
WINDOWS = f"WHERE time >= {at(0)} AND time < {at(10)} GROUP BY time(2s)"

CASES = [
    ("derivative(first(s))", "derivative", "stringInterruptIterator"),
    ("non_negative_derivative(last(ok))", "derivative", "booleanInterruptIterator"),
    ("difference(mode(s))", "difference", "stringInterruptIterator"),
    ("non_negative_difference(min(ok))", "difference", "booleanInterruptIterator"),
    ("cumulative_sum(max(ok))", "cumulative sum", "booleanInterruptIterator"),
    ("moving_average(first(ok), 2)", "moving average", "booleanInterruptIterator"),
    ("derivative(distinct(s))", "derivative", "stringIntervalIterator"),
    ("cumulative_sum(distinct(ok))", "cumulative sum", "booleanIntervalIterator"),
    ("moving_average(distinct(s), 2)", "moving average", "stringIntervalIterator"),
    ("holt_winters(first(s), 2, 1)", "elapsed", "stringInterruptIterator"),
    ("holt_winters_with_fit(distinct(ok), 2, 1)", "elapsed", "booleanIntervalIterator"),
    ("holt_winters(sample(ok, 3), 2, 1)", "elapsed", "booleanReduceBooleanIterator"),
    (
        "exponential_moving_average(last(s), 2)",
        "exponential moving average",
        "stringInterruptIterator",
    ),
    (
        "chande_momentum_oscillator(sample(ok, 3), 2)",
        "chande momentum oscillator",
        "booleanReduceBooleanIterator",
    ),
    (
        "kaufmans_efficiency_ratio(mode(ok), 2)",
        "kaufmans efficiency ratio",
        "booleanInterruptIterator",
    ),
    ("difference(derivative(first(s)))", "derivative", "stringInterruptIterator"),
    ("derivative(first(s)) + 1", "derivative", "stringInterruptIterator"),
]


def answers(alias: str, text: str) -> tuple[str | None, list[object]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.tags, s.columns, [list(v) for v in s.values]) for s in result.series
    ]


@pytest.mark.parametrize(("select", "what", "iterator"), CASES)
def test_transformation_of_text_or_booleans_fails_as_on_influxd(
    conn: str, select: str, what: str, iterator: str
) -> None:
    write_both((conn,), *POINTS)
    text = f"SELECT {select} FROM conformance {WINDOWS}"
    error, series = answers(conn, text)
    assert error == f"unsupported {what} iterator type: *query.{iterator}"
    assert series == []


@pytest.mark.parametrize(
    "tail",
    ["fill(0)", "fill(previous)", "ORDER BY time DESC", "tz('Europe/Paris')"],
)
def test_the_error_whatever_the_clauses(both: tuple[str, str], tail: str) -> None:
    write_both(both, *POINTS)
    text = (
        f"SELECT derivative(first(s)), mean(v) FROM conformance {WINDOWS}, host {tail}"
    )
    server, engine = (answers(alias, text) for alias in both)
    assert (
        server[0]
        == "unsupported derivative iterator type: *query.stringInterruptIterator"
    )
    assert engine == server


@pytest.mark.parametrize(
    "select",
    ["elapsed(first(s))", "elapsed(distinct(ok))", "derivative(elapsed(last(s)))"],
)
def test_elapsed_of_text_or_booleans_runs(both: tuple[str, str], select: str) -> None:
    write_both(both, *POINTS)
    text = f"SELECT {select} FROM conformance {WINDOWS}"
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server


@pytest.mark.parametrize(
    "select", ["derivative(first(s::float))", "difference(last(ok::integer))"]
)
def test_text_or_booleans_cast_to_numbers_answer_nothing(
    both: tuple[str, str], select: str
) -> None:
    """A cast to a number gives a text or boolean field no values: no
    error, no rows."""
    write_both(both, *POINTS)
    text = f"SELECT {select} FROM conformance {WINDOWS}"
    server, engine = (answers(alias, text) for alias in both)
    assert server == (None, [])
    assert engine == server
