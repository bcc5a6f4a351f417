"""SUM and MEAN of many series, added in the order influxd merges them.

influxd computes a window's SUM or MEAN per series, then merges the
series' parts (``NewParallelMergeIterator``: the tag set's series cut into
one slice per core, each merged by a heap, the slices merged by another)
and adds them in that order, which decides the last bits. Three or more
series of a tag set with points in a shard group come out of Go's heaps
mixed, differently window by window. The engine replays the merge
(``compilers/duckdb/part_order.py``, ``influxpy_merge_order``); every
answer here is compared with a real influxd's to the last bit, on a
machine with the same number of cores (both read ``GOMAXPROCS`` or the
CPUs this process may use).
"""

from __future__ import annotations

import random

import pytest

from conformance._common import text_answers

S = 1_000_000_000
#: A Sunday noon; the 7-day shard groups of autogen start on Mondays.
T0 = 1_600_000_000 * S
HOUR = 3600 * S


def _lines() -> list[str]:
    rng = random.Random(20261206)
    lines = []
    for host in range(11):
        dc = "x" if host < 6 else "y"
        density = (0.9, 0.5, 0.25)[host % 3]
        for k in range(120):
            if host == 9 and 20 <= k < 100:
                continue  # points only outside the queries' range
            if rng.random() < density:
                value = rng.uniform(-1000, 1000)
                lines.append(f"cpu,host=h{host:02d},dc={dc} v={value!r} {T0 + k * S}")
    # Hourly points of many hosts across the Monday midnight that starts a
    # shard group; some hosts only on one side of it.
    for host in range(8):
        for k in range(1, 30):
            if (host == 2 and k > 12) or (host == 5 and k < 14):
                continue
            if rng.random() < 0.7:
                value = rng.uniform(0, 100)
                lines.append(f"hourly,host=h{host} v={value!r} {T0 + k * HOUR // 2}")
    return lines


LINES = _lines()
RANGE = f"time >= {T0 + 20 * S} AND time < {T0 + 100 * S}"
CPU = f"FROM cpu WHERE {RANGE}"
DAY = 86400 * S


def _weeks() -> list[str]:
    """Five hosts every 3 hours for 40 days: six shard groups."""
    rng = random.Random(40)
    lines = []
    for host in range(5):
        for k in range(40 * 8):
            if rng.random() < 0.8 and not (host == 3 and k < 100):
                value = rng.uniform(-100, 100)
                lines.append(
                    f"weeks,host=h{host},dc=d{host % 2} v={value!r} {T0 + k * 3 * HOUR}"
                )
    return lines


WEEKS = _weeks()
LONG = f"time >= {T0} AND time < {T0 + 40 * DAY}"
WEEKS_RANGE = f"FROM weeks WHERE {LONG}"


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT mean(v) {CPU} GROUP BY time(10s)",
        f"SELECT sum(v) {CPU} GROUP BY time(10s)",
        f"SELECT mean(v) {CPU} GROUP BY time(10s) ORDER BY time DESC",
        f"SELECT mean(v) {CPU} GROUP BY time(10s), dc",
        f"SELECT mean(v) {CPU} AND host != 'h04' GROUP BY time(10s)",
        f"SELECT mean(v) {CPU} AND v > 0 GROUP BY time(10s)",
        f"SELECT mean(v) {CPU} GROUP BY time(30s, 7s) fill(0)",
        f"SELECT mean(v), sum(v), max(v) {CPU} GROUP BY time(10s)",
        f"SELECT derivative(mean(v)) {CPU} GROUP BY time(10s)",
        f"SELECT mean(v) {CPU}",
        f"SELECT mean(v) {CPU} GROUP BY time(10s), dc SLIMIT 1 SOFFSET 1",
        f"SELECT mean(v) {CPU} GROUP BY time(10s), *",
        f"SELECT mean(v) {CPU} GROUP BY time(10s) tz('Europe/Paris')",
        f"SELECT mean(v) {CPU} AND host =~ /h0[1-7]/ GROUP BY time(20s)",
        f"SELECT max(m) FROM (SELECT mean(v) AS m {CPU} GROUP BY time(10s))",
        "SELECT sum(v) FROM hourly GROUP BY time(1h)",
        "SELECT mean(v) FROM hourly GROUP BY time(2h) ORDER BY time DESC",
    ],
)
def test_parts_are_added_in_influxds_merge_order(
    both: tuple[str, str], text: str
) -> None:
    answers = text_answers(both, "merge_order", LINES, text, epoch="ns")
    assert answers[0], "the server answered nothing"
    assert answers[1] == answers[0]


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT mean(v) {WEEKS_RANGE}",
        f"SELECT sum(v) {WEEKS_RANGE}",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY host",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY dc",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY time(7d)",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY time(7d), host",
        f"SELECT sum(v) {WEEKS_RANGE} GROUP BY time(30d), dc",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY time(30d) ORDER BY time DESC",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY host ORDER BY time DESC",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY time(7d, 4d)",
        f"SELECT mean(v), sum(v) {WEEKS_RANGE} AND v > 0 GROUP BY time(10d)",
        f"SELECT mean(v) {WEEKS_RANGE} GROUP BY time(7d) tz('America/New_York')",
        f"SELECT mean(v) FROM weeks WHERE time >= {T0} GROUP BY host",
        "SELECT sum(v) FROM weeks GROUP BY dc",
    ],
)
def test_windows_over_several_shard_groups_add_each_groups_part_apart(
    both: tuple[str, str], text: str
) -> None:
    """A window holding points of several shard groups: influxd adds each
    shard group's series first, then the shard groups' sums in the order
    it merges its shards' iterators (one heap over every group's windows);
    ``GROUP BY time(7d, 4d)`` windows start with the shard groups (Mondays)
    and span none."""
    answers = text_answers(both, "merge_weeks", WEEKS, text, epoch="ns")
    assert answers[0], "the server answered nothing"
    assert answers[1] == answers[0]


def test_series_key_order_would_differ(both: tuple[str, str]) -> None:
    """The windows' means added in series-key order differ from influxd's in
    their last bits: the merge order matters for this data."""
    text = f"SELECT mean(v) {CPU} GROUP BY time(10s)"
    ((_tags, points),) = text_answers(both, "merge_key", LINES, text, epoch="ns")[0]
    parts: dict[int, dict[str, tuple[float, int]]] = {}
    for line in LINES:
        key, field, stamp = line.split(" ")
        if not key.startswith("cpu,"):
            continue
        t = int(stamp)
        if not T0 + 20 * S <= t < T0 + 100 * S:
            continue
        window = t - (t - T0) % (10 * S)
        total, count = parts.setdefault(window, {}).get(key, (0.0, 0))
        parts[window][key] = (total + float(field[2:]), count + 1)
    differing = 0
    for point in points:
        added, n = 0.0, 0
        for _key, (total, count) in sorted(parts[point["time"]].items()):
            mean = total / count
            added += mean * count if count >= 2 else mean
            n += count
        differing += added / n != point["mean"]
    assert differing > 0
