"""STDDEV, INTEGRAL and MODE of series writing at the same times, as
influxd reads their points.

Agents such as Telegraf write every host at the same rounded times. influxd
reads a tag set's points through one merge heap per shard group (Go's
``container/heap``, keyed by time), so the points of one time come out in
the order the heap's array holds their series, not by series key: a
STDDEV of all hosts per minute differs in the last bits, an INTEGRAL
(which keeps the last point of one time) by far more. The engine replays
that heap (``compilers/duckdb/point_order.py``). Each case runs on influxd
and on the engine and expects the same series; two more show that series-
key order would answer otherwise.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from conformance._common import S, text_answers

#: Sunday 2020-09-06, 23:50 UTC: the points reach into the next 7-day shard
#: group (Monday 00:00).
T0 = 1_599_436_200 * S
_RANDOM = random.Random(11)
LINES = [
    f"m,host=h{h},dc={'x' if h % 2 else 'y'} v={_RANDOM.random() * 100:.6f},"
    f"w={_RANDOM.randint(0, 3)}i {T0 + t * S}"
    for h in range(6)
    for t in range(0, 1200, 10)
    if _RANDOM.random() < 0.9
]
RANGE = f"WHERE time >= {T0} AND time < {T0 + 1200 * S}"


TAILS = [
    " GROUP BY time(60s)",
    " GROUP BY time(60s) ORDER BY time DESC",
    " GROUP BY time(60s), dc",
    "",
    " GROUP BY dc",
    " GROUP BY time(120s) fill(0)",
    " GROUP BY time(7m)",
]
#: Each call with each shape, but INTEGRAL over windows grouped by a tag or
#: in descending order: influxd's answers there are quirks of their own
#: (README, "grouped Integral" and "Integral with resolution() in
#: descending order"), pinned by ``test_quirks.py`` and ``test_engine_refusals.py``.
SHAPES = [
    (call, tail)
    for call in ("stddev(v)", "integral(v)", "mode(w)", "stddev(w)")
    for tail in TAILS
    if not (
        call == "integral(v)"
        and "GROUP BY time" in tail
        and ("dc" in tail or "DESC" in tail)
    )
]


@pytest.mark.parametrize(("call", "tail"), SHAPES)
def test_points_at_one_time_in_the_heaps_order(
    both: tuple[str, str], call: str, tail: str
) -> None:
    text = f"SELECT {call} FROM m {RANGE}{tail}"
    server, engine = text_answers(both, "point_heap", LINES, text, epoch="ns")
    if "dc" in tail and call.startswith("integral"):
        # influxd lists a grouped INTEGRAL's series in no particular order.
        server, engine = sorted(server, key=repr), sorted(engine, key=repr)
    assert engine == server


@pytest.mark.parametrize(
    "tail",
    ["", " GROUP BY dc", " ORDER BY time DESC", " GROUP BY dc ORDER BY time DESC"],
)
@pytest.mark.parametrize(
    "call",
    [
        "difference(v)",
        "non_negative_difference(v)",
        "derivative(v)",
        "non_negative_derivative(v, 10s)",
        "moving_average(v, 3)",
        "exponential_moving_average(v, 3)",
        "elapsed(v)",
        "cumulative_sum(v)",
    ],
)
def test_transformations_read_points_at_one_time_in_the_heaps_order(
    both: tuple[str, str], call: str, tail: str
) -> None:
    """DIFFERENCE and DERIVATIVE keep the first point of one time the heap
    pops; the others read every point, and answer a row per point, in that
    order."""
    text = f"SELECT {call} FROM m {RANGE} AND time < {T0 + 300 * S}{tail}"
    server, engine = text_answers(both, "point_heap_raw", LINES, text, epoch="ns")
    assert engine == server


def _by_series_key(points: list[tuple[int, str, float]]) -> list[float]:
    return [v for _t, _k, v in sorted(points)]


def test_series_key_order_would_differ(both: tuple[str, str]) -> None:
    text = f"SELECT stddev(v) FROM m {RANGE} AND time < {T0 + 60 * S}"
    server, engine = text_answers(both, "point_heap_key", LINES, text, epoch="ns")
    assert engine == server
    ((_tags, (point,)),) = engine
    points = []
    for line in LINES:
        key, fields, stamp = line.split(" ")
        if int(stamp) < T0 + 60 * S:
            value = float(fields.split(",")[0][2:])
            points.append((int(stamp), key, value))
    values = _by_series_key(points)
    # Welford's running mean, as influxd folds, in series-key order.
    mean = 0.0
    for i, v in enumerate(values, 1):
        mean += (v - mean) / i
    squares = 0.0
    for v in values:
        squares += (v - mean) * (v - mean)
    keyed = math.sqrt(squares / (len(values) - 1))
    assert keyed == pytest.approx(statistics.stdev(values))
    assert point["stddev"] == pytest.approx(keyed)
    assert point["stddev"] != keyed
