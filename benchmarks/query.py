"""Read throughput: influxpy against the raw limit and influxdb-python.

    python benchmarks/query.py [-n 1000000] [--iter-n 2000000] [--trials 3]
                               [--parallel 2]

Loads the seed model's data set into a private influxd, waits for the server
to flush and compact it, then runs each case in a fresh interpreter:
``SELECT *`` of every point, and ``mean(cpu)`` per 5 minutes and host
(``GROUP BY time(5m), "name"``). The raw limit is the HTTP fetch of msgpack
with ``chunked=true`` (through ``httpx``, as a user would write it) plus
decoding, nothing else; ``raw_select_http_client`` is the same fetch through
``http.client``, which parses the chunked answer with less CPU (influxpy
reads a plain ``http://`` URL that way). ``iterator()`` is also run over a
larger measurement to show that its memory stays flat, against the raw
fetch of that measurement (``raw_select_big``). The
``*_parallel`` cases read the same range as ``--parallel`` time slices at
the same time (``to_dataframe(parallel=N)``…), against the single-stream raw
limit; ``raw_select_parallel`` is the raw fetch of those slices in threads.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    START_NS,
    BenchServer,
    measure,
    median_result,
    rows,
    run_trials,
)
from write import _instances, _model

DB = "bench_query"
SELECT_ALL = 'SELECT * FROM "servers"'
AGGREGATE = (
    'SELECT mean("cpu") FROM "servers" WHERE time >= {start} AND time < {end} '
    'GROUP BY time(5m), "name"'
)

CASES = {
    "raw_select": "raw limit: GET msgpack chunked, streamed msgpack decode",
    "raw_select_http_client": "the raw limit read with http.client, not httpx",
    "influxpy_points": "list(Model.series.points())",
    "influxpy_to_dataframe": "Model.series.to_dataframe()",
    "influxpy_to_arrow": "Model.series.to_arrow() (pyarrow.Table, no pandas)",
    "influxdb_python_get_points": "influxdb-python query() + list(get_points())",
    "influxdb_python_dataframe": "influxdb-python DataFrameClient.query()",
    "raw_aggregate": "raw limit for the aggregate (msgpack chunked + decode)",
    "influxpy_aggregate_points": "aggregate QuerySet, list(.points())",
    "influxpy_aggregate_dataframe": "aggregate QuerySet, .to_dataframe()",
    "influxdb_python_aggregate_points": "influxdb-python aggregate get_points()",
    "influxdb_python_aggregate_dataframe": "influxdb-python aggregate DataFrameClient",
    "influxpy_iterator": "iterator(chunk_size=10000) over the large measurement",
    "raw_select_big": "raw limit of the large measurement (chunk_size=10000)",
    "raw_select_parallel": "raw fetch of --parallel time slices in threads",
    "influxpy_points_parallel": "list(points().iterator(parallel=N)), bounded",
    "influxpy_to_dataframe_parallel": "to_dataframe(parallel=N), bounded",
    "influxpy_to_arrow_parallel": "to_arrow(parallel=N), bounded",
    "influxpy_aggregate_dataframe_parallel": "aggregate .to_dataframe(parallel=N)",
}
#: Time slices of the ``*_parallel`` cases (``--parallel``, passed to children).
PARALLEL_ENV = "INFLUXPY_BENCH_PARALLEL"


def _aggregate_text(n: int) -> str:
    end = START_NS + (n // 1000 + 1) * 1_000_000_000
    return AGGREGATE.format(start=START_NS, end=end)


def _raw(port: int, q: str) -> int:
    import httpx
    import msgpack

    count = 0
    params = {"db": DB, "q": q, "epoch": "ns", "chunked": "true", "chunk_size": "10000"}
    # As influxpy on loopback: no gzip, which costs the server more than it saves.
    headers = {"Accept": "application/x-msgpack", "Accept-Encoding": "identity"}
    with httpx.stream(
        "GET",
        f"http://127.0.0.1:{port}/query",
        params=params,
        headers=headers,
        timeout=600,
    ) as response:
        unpacker = msgpack.Unpacker(raw=False, max_buffer_size=2**31 - 1)
        for piece in response.iter_bytes():
            unpacker.feed(piece)
            for document in unpacker:
                for result in document.get("results", ()):
                    for series in result.get("series", ()):
                        count += len(series["values"])
    return count


def _raw_http_client(port: int, q: str) -> int:
    import http.client
    import urllib.parse

    import msgpack

    count = 0
    params = {"db": DB, "q": q, "epoch": "ns", "chunked": "true", "chunk_size": "10000"}
    headers = {"Accept": "application/x-msgpack", "Accept-Encoding": "identity"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(
            "GET", "/query?" + urllib.parse.urlencode(params), None, headers
        )
        response = connection.getresponse()
        unpacker = msgpack.Unpacker(raw=False, max_buffer_size=2**31 - 1)
        while piece := response.read(1 << 18):
            unpacker.feed(piece)
            for document in unpacker:
                for result in document.get("results", ()):
                    for series in result.get("series", ()):
                        count += len(series["values"])
    finally:
        connection.close()
    return count


def _raw_parallel(port: int, n: int, parallel: int) -> int:
    from concurrent.futures import ThreadPoolExecutor

    end = START_NS + (n // 1000 + 1) * 1_000_000_000
    step = (end - START_NS) // parallel
    edges = [START_NS + i * step for i in range(parallel)] + [end]
    texts = [
        f"{SELECT_ALL} WHERE time >= {low} AND time < {high}"
        for low, high in itertools.pairwise(edges)
    ]
    with ThreadPoolExecutor(parallel) as pool:
        return sum(pool.map(lambda q: _raw(port, q), texts))


def child(case: str, url: str, n: int) -> dict[str, Any]:
    """Run one case in this interpreter and return its figures."""
    port = int(url.rsplit(":", 1)[1])
    aggregate = _aggregate_text(n)
    parallel = int(os.environ.get(PARALLEL_ENV, "2"))
    if case == "raw_select":
        return measure(lambda: _raw(port, SELECT_ALL))
    if case == "raw_select_http_client":
        return measure(lambda: _raw_http_client(port, SELECT_ALL))
    if case == "raw_select_big":
        return measure(lambda: _raw(port, 'SELECT * FROM "big"'))
    if case == "raw_select_parallel":
        return measure(lambda: _raw_parallel(port, n, parallel))
    if case == "raw_aggregate":
        return measure(lambda: _raw(port, aggregate))
    if case.startswith("influxpy"):
        import pandas  # noqa: F401  (imported before the clock, as the peers do)

        import influxpy
        from influxpy.aggregates import Mean
        from influxpy.durations import Minute

        influxpy.connect(f"influxdb://127.0.0.1:{port}/{DB}")
        model = _model()
        qs = model.series.all()
        bounded = model.series.filter(
            time__gte=START_NS, time__lt=START_NS + (n // 1000 + 1) * 10**9
        )
        agg = bounded.annotate(Mean("cpu")).resolution(Minute(5)).group_by("name")
        if case == "influxpy_points":
            return measure(lambda: len(list(qs.points())))
        if case == "influxpy_to_dataframe":
            return measure(lambda: len(qs.to_dataframe()))
        if case == "influxpy_to_arrow":
            return measure(lambda: qs.to_arrow().num_rows)
        if case == "influxpy_aggregate_points":
            return measure(lambda: len(list(agg.points())))
        if case == "influxpy_aggregate_dataframe":
            return measure(lambda: len(agg.to_dataframe()))
        if case == "influxpy_points_parallel":
            items = bounded.points().iterator(parallel=parallel)
            return measure(lambda: sum(1 for _ in items))
        if case == "influxpy_to_dataframe_parallel":
            return measure(lambda: len(bounded.to_dataframe(parallel=parallel)))
        if case == "influxpy_to_arrow_parallel":
            return measure(lambda: bounded.to_arrow(parallel=parallel).num_rows)
        if case == "influxpy_aggregate_dataframe_parallel":
            return measure(lambda: len(agg.to_dataframe(parallel=parallel)))
        if case == "influxpy_iterator":

            class Big(model):  # type: ignore[misc, valid-type]
                measurement = "big"

            return measure(
                lambda: sum(1 for _ in Big.series.points().iterator(chunk_size=10_000))
            )
    if case.startswith("influxdb_python"):
        from influxdb import DataFrameClient, InfluxDBClient

        if case.endswith("dataframe"):
            frame_client = DataFrameClient("127.0.0.1", port, database=DB)
            q = aggregate if "aggregate" in case else SELECT_ALL

            def frames() -> int:
                result = frame_client.query(q)
                return sum(len(f) for f in result.values())

            return measure(frames)
        client = InfluxDBClient("127.0.0.1", port, database=DB)
        q = aggregate if "aggregate" in case else SELECT_ALL
        return measure(lambda: len(list(client.query(q).get_points())))
    raise SystemExit(f"unknown case {case}")


def load(server: BenchServer, n: int, big: int) -> None:
    """Write the data sets once, with influxpy, then let the server compact."""
    import influxpy

    server.reset(DB)
    influxpy.connect(f"influxdb://127.0.0.1:{server.port}/{DB}")
    model = _model()
    model.series.bulk_create(_instances(model, n))

    class Big(model):  # type: ignore[misc, valid-type]
        measurement = "big"

    Big.series.bulk_create(
        Big(time=t, name=name, region=region, cpu=cpu, memory=m, free_memory=f)
        for t, name, region, cpu, m, f in rows(big, seed=2)
    )
    influxpy.connections.close_all()
    time.sleep(25)  # cache-snapshot-write-cold-duration and full compaction


def main() -> None:
    """Load the data, run every case (interleaved over trials), print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--iter-n", type=int, default=2_000_000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.n)))
        return
    os.environ[PARALLEL_ENV] = str(args.parallel)
    server = BenchServer()
    try:
        big = {"influxpy_iterator", "raw_select_big"} & set(args.cases)
        load(server, args.n, args.iter_n if big else 0)
        results = run_trials(__file__, server, args.cases, args.trials, args.n)
    finally:
        server.close()
    report(results)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2))


def report(results: dict[str, list[dict[str, Any]]]) -> None:
    """Print the Markdown table of medians, with ratios to the raw limit and peers."""
    medians = {case: median_result(r) for case, r in results.items()}

    def rate(case: str) -> float | None:
        result = medians.get(case, {})
        return result["count"] / result["wall"] if "wall" in result else None

    references = {
        "select": (
            rate("raw_select"),
            rate("influxdb_python_get_points"),
            rate("influxdb_python_dataframe"),
        ),
        "big": (
            rate("raw_select_big"),
            rate("influxdb_python_get_points"),
            rate("influxdb_python_dataframe"),
        ),
        "aggregate": (
            rate("raw_aggregate"),
            rate("influxdb_python_aggregate_points"),
            rate("influxdb_python_aggregate_dataframe"),
        ),
    }
    print("\nQuery benchmark, median of trials\n")
    print(
        "| case | rows | rows/s | wall s (min-max) | client CPU s | server CPU s "
        "| peak MiB (+growth) | vs raw | vs influxdb-python get_points "
        "| vs DataFrameClient |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case, result in medians.items():
        if "wall" not in result:
            print(f"| {case} | error: {result.get('error')} |||||||||")
            continue
        group = "aggregate" if "aggregate" in case else "select"
        if case in ("influxpy_iterator", "raw_select_big"):
            group = "big"
        raw, points, frames = references[group]
        mine = result["count"] / result["wall"]

        def ratio(other: float | None, mine: float = mine) -> str:
            return f"{mine / other:.2f}x" if other else "-"

        print(
            f"| {case} | {result['count']:,} | {mine:,.0f} | {result['wall']:.2f} "
            f"({result['min_wall']:.2f}-{result['max_wall']:.2f}) | "
            f"{result['cpu']:.2f} | {result['server_cpu']:.2f} | "
            f"{result['peak_mib']:.0f} (+{result['growth_mib']:.0f}) | "
            f"{ratio(raw)} | {ratio(points)} | {ratio(frames)} |"
        )
    print(
        "\nvs raw: against raw_select (raw_select_big for the iterator, "
        "raw_aggregate for aggregates)"
    )
    print("\n" + "\n".join(f"- {k}: {v}" for k, v in CASES.items()))


if __name__ == "__main__":
    main()
