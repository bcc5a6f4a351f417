"""The embedded engine against InfluxDB 1.6.7 on the same data and queries.

    python benchmarks/embedded.py [-n 10000000] [--influx-n N] [--no-influx]

Measures, in one run: ingest into the embedded engine from a pandas
DataFrame and from model instances, ingest into a private InfluxDB through
influxpy, then five queries on both stores: the mean per 5 minutes and
host, the max, min and count per 5 minutes and host (one aggregate for
the three), a top-10, a percentile over all the data and one per host. Each
query runs ``--repeat`` times (default 3) on both backends; the median is
reported and the answers are checked to be equal. ``--influx-n``
(default: the same as ``-n``) bounds the points written to InfluxDB, which
ingests about 100,000 points per second on this class of machine.

Before the server part, the same queries run on the in-process
alternatives a user would otherwise pick (benchmarks/_peers.py:
hand-written DuckDB SQL over a plain table, polars and pandas on a DataFrame
already in memory) on all ``-n`` points; each is printed as a ratio to the
engine measured in the same run, with whether its answer equals the
engine's. Their runs interleave, round by round, and each ratio is the
median of the rounds' ratios, so that a load drifting over the run weighs
on both sides alike. ``--no-influx`` stops after that table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HOSTS,
    REGIONS,
    START_NS,
    BenchServer,
    current_rss_mib,
    median,
)
from write import _model

DB = "bench_embedded"


def frame(n: int) -> Any:
    """The data set as a DataFrame, built with numpy (not timed)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    index = np.arange(n)
    hosts = np.array([f"host-{h:04d}" for h in range(HOSTS)], dtype=object)
    regions = np.array([f"region-{r}" for r in range(REGIONS)], dtype=object)
    return pd.DataFrame(
        {
            "time": START_NS + (index // HOSTS) * 1_000_000_000,
            "name": hosts[index % HOSTS],
            "region": regions[(index % HOSTS) % REGIONS],
            "cpu": np.round(rng.random(n) * 100, 3),
            "memory": rng.integers(1 << 30, 1 << 34, n),
            "free_memory": rng.integers(0, 1 << 30, n),
        }
    )


def timed(label: str, run: Any) -> tuple[float, Any]:
    """Run and time one step, printing it as it finishes."""
    start = time.perf_counter()
    value = run()
    wall = time.perf_counter() - start
    print(f"  {label}: {wall:.2f} s", file=sys.stderr)
    return wall, value


def median_of(repeat: int, label: str, run: Any) -> tuple[float, Any]:
    """Run a query *repeat* times; its median time and its answer."""
    walls = []
    value = None
    for attempt in range(repeat):
        wall, value = timed(f"{label} #{attempt + 1}", run)
        walls.append(wall)
    return median(walls), value


def queries(model: Any, n: int) -> dict[str, Any]:
    """The queries of the comparison, as QuerySets."""
    from influxpy.aggregates import Count, Max, Mean, Min, Percentile, Top
    from influxpy.durations import Minute

    end = START_NS + (n // HOSTS + 1) * 1_000_000_000
    window = model.series.filter(time__gte=START_NS, time__lt=end)
    return {
        "mean per 5m per host": window.annotate(Mean("cpu"))
        .resolution(Minute(5))
        .group_by("name")
        .epoch(),
        "max, min and count per 5m per host": window.annotate(
            Max("cpu"), Min("cpu"), Count("cpu")
        )
        .resolution(Minute(5))
        .group_by("name")
        .epoch(),
        "top 10": window.annotate(Top("cpu", 10)).epoch(),
        "percentile 99": window.annotate(Percentile("cpu", 99)).epoch(),
        "percentile 99 per host": window.annotate(Percentile("cpu", 99))
        .group_by("name")
        .epoch(),
    }


def main() -> None:
    """Run the comparison and print the table."""
    import influxpy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000_000)
    parser.add_argument("--influx-n", type=int)
    parser.add_argument("--instances-n", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each query (median)"
    )
    parser.add_argument(
        "--no-influx", action="store_true", help="stop after the peers' table"
    )
    args = parser.parse_args()
    n = args.n
    influx_n = args.influx_n or n
    data = frame(n)
    model = _model()
    rows: list[tuple[str, str, str]] = []

    embedded = influxpy.connect("duckdb://:memory:", alias="embedded")
    wall, _ = timed(
        "embedded ingest (DataFrame)",
        lambda: model.series.using("embedded").write_dataframe(
            data, batch_size=1_000_000
        ),
    )
    rows.append(("ingest from a DataFrame", f"{n / wall:,.0f} points/s", "-"))

    scratch = influxpy.connect("duckdb://:memory:", alias="scratch")
    subset = data.iloc[: args.instances_n]
    objs = [
        model(time=t, name=a, region=b, cpu=c, memory=m, free_memory=f)
        for t, a, b, c, m, f in subset.itertuples(index=False)
    ]
    count = len(objs)
    wall, _ = timed(
        "embedded ingest (instances)",
        lambda: model.series.using("scratch").bulk_create(objs, batch_size=50_000),
    )
    rows.append(
        (f"ingest {count:,} model instances", f"{count / wall:,.0f} points/s", "-")
    )
    objs.clear()
    scratch.close()
    print_peers(compare_peers(model, data, n, args.repeat), n)
    if args.no_influx:
        return

    server = BenchServer()
    try:
        influxpy.connect(
            f"influxdb://127.0.0.1:{server.port}/{DB}?timeout=600", alias="server"
        )
        server.reset(DB)
        wall, _ = timed(
            "InfluxDB ingest (DataFrame, through influxpy)",
            lambda: model.series.using("server").write_dataframe(
                data.iloc[:influx_n], batch_size=5_000
            ),
        )
        rows[0] = (rows[0][0], rows[0][1], f"{influx_n / wall:,.0f} points/s")
        if influx_n != n:
            embedded.drop_database()
            embedded.create_database()
            model.series.using("embedded").write_dataframe(
                data.iloc[:influx_n], batch_size=1_000_000
            )
        time.sleep(25)  # let the server flush and compact, as for its own benchmark
        # Both stores are timed on an otherwise idle machine: the server's
        # compactions of the ingest can run for minutes and share the CPU.
        waited = server.wait_idle()
        print(
            f"  waited {waited:.0f} s more for the server to go idle", file=sys.stderr
        )
        for label, qs in queries(model, influx_n).items():
            local_wall, local = median_of(
                args.repeat,
                f"{label} (embedded)",
                lambda qs=qs: list(qs.using("embedded").points()),
            )
            server_wall, remote = median_of(
                args.repeat,
                f"{label} (InfluxDB)",
                lambda qs=qs: list(qs.using("server").points()),
            )
            same = _same(local, remote, label)
            rows.append(
                (
                    f"{label} ({len(local):,} rows, equal: {same})",
                    f"{local_wall:.3f} s",
                    f"{server_wall:.3f} s ({server_wall / local_wall:.1f}x slower)",
                )
            )
    finally:
        server.close()
    print(
        f"\nEmbedded engine vs InfluxDB 1.6.7: {n:,} points ({influx_n:,} on "
        f"InfluxDB), {HOSTS} hosts; client RSS now {current_rss_mib():.0f} MiB\n"
    )
    print("| step | embedded (DuckDB) | InfluxDB 1.6.7 |")
    print("|---|---|---|")
    for step, local, remote in rows:
        print(f"| {step} | {local} | {remote} |")


def compare_peers(
    model: Any, data: Any, n: int, repeat: int
) -> list[tuple[str, str, str, str, str]]:
    """Time the engine's queries and each peer's, on the same *n* points.

    The runs interleave, round by round (the engine, then each peer), and
    a ratio is the median of the rounds' ratios: a machine whose load
    drifts over the minutes of a run weighs on both sides of each ratio
    alike, not on whichever ran during the busier minute.
    """
    from _peers import normalise, peers, same

    end = START_NS + (n // HOSTS + 1) * 1_000_000_000
    alternatives = peers(data, START_NS, end)
    rows = []
    for label, qs in queries(model, n).items():
        runs = {
            "embedded": lambda qs=qs: list(qs.using("embedded").points()),
            **{peer: run for peer, (run, _convert) in alternatives[label].items()},
        }
        walls: dict[str, list[float]] = {name: [] for name in runs}
        answers: dict[str, Any] = {}
        for attempt in range(repeat):
            for name, run in runs.items():
                wall, answers[name] = timed(f"{label} ({name}) #{attempt + 1}", run)
                walls[name].append(wall)
        engine_wall = median(walls["embedded"])
        expected = normalise(label, answers["embedded"])
        cells = []
        for peer, (_run, convert) in alternatives[label].items():
            ratio = median(
                [e / p for e, p in zip(walls["embedded"], walls[peer], strict=True)]
            )
            equal = "" if same(expected, convert(answers[peer])) else ", ANSWER DIFFERS"
            cells.append(f"{median(walls[peer]):.3f} s ({ratio:.2f}x{equal})")
        rows.append(
            (
                f"{label} ({len(answers['embedded']):,} rows)",
                f"{engine_wall:.3f} s",
                *cells,
            )
        )
    return rows  # type: ignore[return-value]


def print_peers(rows: list[tuple[str, str, str, str, str]], n: int) -> None:
    """Print the engine-against-peers table (engine time / peer time)."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nEmbedded engine vs in-process peers on {n:,} points "
        "(ratio: engine time / peer time, the median of the rounds' ratios, "
        "times the medians of the runs; load average "
        f"{load} at the end)\n"
    )
    print("| query | engine | hand-written DuckDB SQL | polars | pandas |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    sys.stdout.flush()


def _same(left: list[dict[str, Any]], right: list[dict[str, Any]], label: str) -> str:
    """Whether both answers agree: floats within 1e-9 relative.

    Rows are matched by their non-float columns. A selector's reported time
    is left out for the percentile: among equal values InfluxDB picks one by
    an unstable sort (reference §6.5), the engine the earliest.
    """
    if len(left) != len(right):
        return "no (row counts differ)"
    ignore = {"time"} if label.startswith("percentile") else set()

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            (k, v)
            for k, v in sorted(row.items())
            if not isinstance(v, float) and k not in ignore
        )

    for a, b in zip(sorted(left, key=key), sorted(right, key=key), strict=True):
        for name in (a.keys() | b.keys()) - ignore:
            x, y = a.get(name), b.get(name)
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 1e-9 * max(abs(x), abs(y), 1.0):
                    return f"no ({name}: {x!r} != {y!r})"
            elif x != y:
                return f"no ({name}: {x!r} != {y!r})"
    return "yes, times of tied values aside" if ignore else "yes"


if __name__ == "__main__":
    main()
