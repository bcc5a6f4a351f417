"""InfluxQL parsing speed: statements per second, and its share of a query.

    python benchmarks/parse.py [--seconds 2]

Parses typical statements (what Grafana sends, what QuerySets compile to,
management statements) with ``influxpy.influxql.parse`` and prints
statements per second for each, then times the same aggregate query run on
the embedded engine over a small measurement (10,000 points) to show the
share parsing takes of a whole query: it must stay under 5%.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import influxpy
from influxpy import fields, models
from influxpy.aggregates import Mean
from influxpy.durations import Minute
from influxpy.influxql import parse

STATEMENTS = {
    "grafana": (
        'SELECT mean("value") FROM "cpu" WHERE ("host" =~ /^(a|b)$/) AND '
        'time >= now() - 6h and time <= now() GROUP BY time(20s), "host" fill(null)'
    ),
    "queryset": (
        'SELECT mean("usage") AS "mean_usage", max("usage") FROM "db"."autogen"."cpu" '
        "WHERE \"region\" = 'eu' AND time >= '2024-01-01T00:00:00Z' AND "
        "time < '2024-01-02T00:00:00Z' GROUP BY time(5m), \"host\" fill(none) "
        "ORDER BY time DESC LIMIT 100"
    ),
    "raw": "SELECT * FROM cpu WHERE host = 'a' LIMIT 10",
    "subquery": (
        "SELECT max(m) FROM (SELECT mean(usage) AS m FROM cpu GROUP BY time(1m), "
        "host) WHERE time > now() - 1h GROUP BY time(10m)"
    ),
    "show": "SHOW TAG VALUES FROM cpu WITH KEY = host WHERE region = 'eu'",
    "create": "CREATE RETENTION POLICY r ON db DURATION 30d REPLICATION 1 DEFAULT",
}


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per second of *work* over about *seconds*."""
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            work()
        count += 100
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


class Cpu(models.InfluxMeasurement):
    """A small measurement for the engine query."""

    measurement = "cpu"
    host = fields.InfluxTag()
    usage = fields.FloatField()


def engine_query_seconds(seconds: float) -> float:
    """Seconds one aggregate query takes on the embedded engine."""
    influxpy.connect("duckdb://:memory:", alias="parse-bench")
    start_ns = 1_704_067_200 * 10**9
    points = [
        Cpu(host=f"h{i % 10}", usage=float(i % 100), time=start_ns + i * 10**9)
        for i in range(10_000)
    ]
    Cpu.series.using("parse-bench").bulk_create(points)
    queryset = (
        Cpu.series.using("parse-bench")
        .filter(time__gte=start_ns, time__lt=start_ns + 10_000 * 10**9)
        .group_by("host")
        .resolution(Minute(5))
        .annotate(mean=Mean("usage"))
    )
    return 1 / rate(lambda: list(queryset.all()), seconds / 4)


def main() -> None:
    """Print statements per second, and parsing's share of a query."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    slowest = 0.0
    print(f"{'statement':<10} {'statements/s':>14} {'µs each':>9}")
    for name, text in STATEMENTS.items():
        per_second = rate(lambda text=text: parse(text), args.seconds)
        slowest = max(slowest, 1 / per_second)
        print(f"{name:<10} {per_second:>14,.0f} {1e6 / per_second:>9.1f}")
    query = engine_query_seconds(args.seconds)
    print(
        f"\nengine query (mean per 5m and host over 10,000 points): "
        f"{query * 1e3:.2f} ms; the slowest parse is "
        f"{100 * slowest / query:.2f}% of it (target: under 5%)"
    )


if __name__ == "__main__":
    main()
