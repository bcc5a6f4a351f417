"""A transformation of a transformation of raw points in a subquery read
under windows (``SELECT mean(d) FROM (SELECT difference(difference(v)) AS
d FROM m) … GROUP BY time(20s)``).

influxd's compiler hands the outer windows down to a subquery that has
none of its own and takes them as its interval, so the nested
transformation, refused in a statement of its own ("difference aggregate
requires a GROUP BY interval" without windows, "aggregate function
required inside the call to difference" with them), passes its checks and
runs over the points: each level over the rows of the one below in the
order they were read (of several series writing at one time, influxd's
merge order), each derivative without a unit taking the outer interval.
The engine refused these statements. Each case runs on influxd and on the
engine and expects the same answer, also across two shard groups.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from conformance._common import S, approx, stored_answer, text_answers

_RANDOM = random.Random(11)
#: Hosts a and b write at the same times (ties across series), c apart,
#: across the boundary of two shard groups (7-day groups start on Mondays,
#: counted from Go's zero time: 1970-01-05T00:00:00Z is one).
START = 4 * 86_400 - 100
LINES = [
    f"m,host={host},dc={'y' if host == 'b' else 'x'} v={_RANDOM.randint(0, 30)} "
    f"{(START + t + shift) * S}"
    for host, shift in (("a", 0), ("b", 0), ("c", 5))
    for t in range(0, 200, 10)
    if _RANDOM.random() < 0.8
]
INNER = [
    "difference(difference(v))",
    "derivative(derivative(v))",
    "derivative(difference(v), 4s)",
    "non_negative_difference(difference(v))",
    "cumulative_sum(difference(v))",
    "moving_average(difference(v), 2)",
    "elapsed(difference(v), 1s)",
    "difference(difference(difference(v)))",
]
GROUPS = ["", " GROUP BY host", " GROUP BY dc"]
OUTER = [
    "mean(d)",
    "sum(d), count(d)",
    "last(d)",
]
RANGE = f"time >= {START + 25}s AND time < {START + 200}s"
TAILS = [
    " GROUP BY time(20s)",
    " GROUP BY time(30s), host",
    " GROUP BY time(20s) ORDER BY time DESC",
    " GROUP BY time(20s), dc fill(0)",
]


@pytest.mark.parametrize("tail", TAILS)
@pytest.mark.parametrize("outer", OUTER)
@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("inner", INNER)
def test_nested_transformations_run_over_the_points_under_outer_windows(
    both: tuple[str, str], inner: str, group: str, outer: str, tail: str
) -> None:
    inner_query = f"SELECT {inner} AS d FROM m{group}"
    text = f"SELECT {outer} FROM ({inner_query}) WHERE {RANGE}{tail}"
    server, engine = text_answers(both, "nested_transforms", LINES, text, epoch="ns")
    # Sums of fractions of several series at one time: influxd adds the
    # subquery's rows in its heap order, the engine by series key (README,
    # the last bits), so derivatives compare within 1e-9.
    close = approx_answer if inner.startswith("derivative") else _same
    if engine != close(server):
        # influxd once answered from the later of the two shard groups
        # only, on a loaded machine (never again in 2,000 reads of this
        # statement, quiet or loaded): its answer read again decides.
        (server,) = text_answers(both[:1], "nested_transforms", LINES, text, epoch="ns")
    assert engine == close(server)


def _same(answer: Any) -> Any:
    """*answer* itself, compared exactly."""
    return answer


def approx_answer(answer: Any) -> Any:
    """*answer* with each float compared within a relative 1e-9."""
    if isinstance(answer, float):
        return approx(answer, rel=1e-9)
    if isinstance(answer, dict):
        return {k: approx_answer(v) for k, v in answer.items()}
    if isinstance(answer, (list, tuple)):
        return type(answer)(approx_answer(v) for v in answer)
    return answer


@pytest.mark.parametrize(
    "text",
    [
        "SELECT difference(difference(v)) FROM m",
        "SELECT difference(difference(v)) FROM m GROUP BY time(20s)",
        "SELECT mean(d) FROM (SELECT difference(difference(v)) AS d FROM m)",
    ],
)
def test_without_windows_handed_down_it_is_refused_as_influxd_refuses_it(
    both: tuple[str, str], text: str
) -> None:
    server, engine = (
        stored_answer(alias, "nested_refused", LINES, text) for alias in both
    )
    assert isinstance(server, str)  # influxd's error
    assert engine == server


#: Inner ranges that start (or, descending, end) inside the outer one: each
#: level of DIFFERENCE, DERIVATIVE, MOVING_AVERAGE or ELAPSED in the chain
#: reads one more outer window before it (``cumulative_sum`` none).
CHAINS = [
    "difference(difference(v))",
    "cumulative_sum(difference(v))",
    "derivative(derivative(v), 1s)",
    "difference(difference(difference(v)))",
]
BOUNDED = [
    ("min(d)", f"time >= {START + 110}s", " GROUP BY time(40s)"),
    (
        "first(d)",
        f"time >= {START + 60}s AND time < {START + 150}s",
        " GROUP BY time(10s, 5s)",
    ),
    ("sum(d)", f"time >= {START + 110}s", " GROUP BY time(20s), host"),
    ("max(d)", f"time < {START + 120}s", " GROUP BY time(20s) ORDER BY time DESC"),
]


@pytest.mark.parametrize(("outer", "inner_where", "tail"), BOUNDED)
@pytest.mark.parametrize("chain", CHAINS)
def test_each_level_of_the_chain_reads_a_window_before_the_inner_range(
    both: tuple[str, str], chain: str, outer: str, inner_where: str, tail: str
) -> None:
    inner_query = f"SELECT {chain} AS d FROM m WHERE {inner_where} GROUP BY host"
    text = f"SELECT {outer} FROM ({inner_query}) WHERE {RANGE}{tail}"
    server, engine = text_answers(both, "nested_transforms", LINES, text, epoch="ns")
    assert engine == server
