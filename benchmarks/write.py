"""Write throughput: influxpy against the raw limit and influxdb-python.

    python benchmarks/write.py [-n 1000000] [--trials 3]

Starts a private influxd, then runs each case in a fresh interpreter on the
same data (the seed's model: 1,000 hosts, 10 regions, cpu float, memory and
free_memory integers, nanosecond times) and prints points per second, client
CPU seconds, server CPU seconds, peak client memory and the share of the raw
limit. The raw limit is pre-encoded line protocol POSTed in 5,000-line
batches over one keep-alive connection with ``http.client``: the server's
speed with a client that does nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HOSTS,
    BenchServer,
    measure,
    median_result,
    rows,
    run_trials,
)

DB = "bench_write"
BATCH = 5_000

CASES = {
    "raw_b5000": "raw limit: pre-encoded lines, 5,000 per POST, http.client",
    "influxpy_bulk_create": "influxpy bulk_create() of pre-built model instances",
    "influxpy_abulk_create": "influxpy abulk_create() of the same (asyncio)",
    "influxpy_batch_writer": "influxpy batch_writer(): add() each instance",
    "influxpy_abatch_writer": "influxpy abatch_writer(): await add() each instance",
    "influxpy_bulk_create_gzip": "the same with gzip=true (the default off loopback)",
    "influxpy_write_dataframe": "influxpy write_dataframe() of a pandas DataFrame",
    "influxpy_generator": "influxpy bulk_create() of a generator building instances "
    "from rows in memory",
    "influxpy_bulk_create_c2": "influxpy bulk_create(concurrency=2): two requests "
    "in flight, lines routed to two connections by series",
    "influxpy_write_dataframe_c2": "influxpy write_dataframe(concurrency=2): the "
    "same for a DataFrame's rows",
    "influxdb_python_write_points": "influxdb-python write_points(), 5,000 a batch",
}


def _model() -> Any:
    from influxpy import fields, models

    class ServerMeasurement(models.InfluxMeasurement):
        measurement = "servers"
        cpu = fields.InfluxField()
        memory = fields.IntegerField()
        free_memory = fields.IntegerField()
        name = fields.InfluxTag()
        region = fields.InfluxTag()
        optional_tag = fields.InfluxTag(null=True)

    return ServerMeasurement


def _instances(model: Any, n: int, data: list[Any] | None = None) -> Any:
    for t, name, region, cpu, memory, free in rows(n) if data is None else data:
        yield model(
            time=t, name=name, region=region, cpu=cpu, memory=memory, free_memory=free
        )


def _batch_writer(model: Any, objs: list[Any]) -> int:
    with model.series.batch_writer(batch_size=BATCH) as writer:
        for obj in objs:
            writer.add(obj)
    return int(writer.written)


async def _abatch_writer(model: Any, objs: list[Any]) -> int:
    async with model.series.abatch_writer(batch_size=BATCH) as writer:
        for obj in objs:
            await writer.add(obj)
    return int(writer.written)


def child(case: str, url: str, n: int) -> dict[str, Any]:
    """Run one case in this interpreter and return its figures."""
    port = int(url.rsplit(":", 1)[1])
    if case == "raw_b5000":
        lines = [
            f"servers,name={name},region={region} cpu={cpu!r},memory={memory}i,"
            f"free_memory={free}i {t}"
            for t, name, region, cpu, memory, free in rows(n)
        ]
        bodies = ["\n".join(lines[i : i + BATCH]).encode() for i in range(0, n, BATCH)]
        del lines

        def run() -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            for body in bodies:
                conn.request("POST", f"/write?db={DB}", body)
                response = conn.getresponse()
                response.read()
                if response.status != 204:
                    raise RuntimeError(response.status)
            conn.close()
            return n

        return measure(run)
    if case.startswith("influxpy"):
        import influxpy

        gzip = "true" if case.endswith("gzip") else "auto"
        influxpy.connect(f"influxdb://127.0.0.1:{port}/{DB}?gzip={gzip}")
        model = _model()
        if case.startswith("influxpy_write_dataframe"):
            import pandas as pd

            frame = pd.DataFrame(
                list(rows(n)),
                columns=["time", "name", "region", "cpu", "memory", "free_memory"],
            )
            lanes = 2 if case.endswith("_c2") else 1
            return measure(
                lambda: model.series.write_dataframe(frame, concurrency=lanes)
            )
        if case == "influxpy_generator":
            # The rows are in memory, as the raw case's lines are: the clock
            # sees the instances built and written, not the data made up.
            data = list(rows(n))
            return measure(lambda: model.series.bulk_create(_instances(model, n, data)))
        objs = list(_instances(model, n))
        if case == "influxpy_abulk_create":
            return measure(lambda: asyncio.run(model.series.abulk_create(objs)))
        if case == "influxpy_bulk_create_c2":
            return measure(lambda: model.series.bulk_create(objs, concurrency=2))
        if case == "influxpy_batch_writer":
            return measure(lambda: _batch_writer(model, objs))
        if case == "influxpy_abatch_writer":
            return measure(lambda: asyncio.run(_abatch_writer(model, objs)))
        return measure(lambda: model.series.bulk_create(objs))
    if case == "influxdb_python_write_points":
        from influxdb import InfluxDBClient

        client = InfluxDBClient("127.0.0.1", port, database=DB)
        points = [
            {
                "measurement": "servers",
                "tags": {"name": name, "region": region},
                "time": t,
                "fields": {"cpu": cpu, "memory": memory, "free_memory": free},
            }
            for t, name, region, cpu, memory, free in rows(n)
        ]

        def run() -> int:
            client.write_points(points, batch_size=BATCH, time_precision="n")
            return n

        return measure(run)
    raise SystemExit(f"unknown case {case}")


def main() -> None:
    """Run every case (interleaved over trials) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="points per case")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.n)))
        return
    server = BenchServer()
    try:
        results = run_trials(
            __file__,
            server,
            args.cases,
            args.trials,
            args.n,
            prepare=lambda: server.reset(DB),
            stored_in=DB,
        )
    finally:
        server.close()
    report(results, args.n)
    encoding_costs()
    instance_costs()
    gzip_table()
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2))


def encoding_costs(count: int = 100_000, trials: int = 5) -> None:
    """Print the client CPU of encoding alone, per point (median of *trials*):
    no server, so these move far less than the wall times on a busy machine."""
    import gc
    import statistics
    import time

    import pandas as pd

    from influxpy._dataframe import frame_batches, frame_columns
    from influxpy.backends.http.frame_bodies import frame_bodies as http_frame_bodies
    from influxpy.lineprotocol import encode_columns

    model = _model()
    encoder = model._meta.encoder
    data = list(rows(count))
    objs = list(_instances(model, count, data))
    frame = pd.DataFrame(
        data, columns=["time", "name", "region", "cpu", "memory", "free_memory"]
    )

    def batches() -> None:
        for start in range(0, count, BATCH):
            encoder.encode_many(objs[start : start + BATCH])

    def generated(pieces: bool) -> None:
        made = _instances(model, count, data)
        if pieces:  # bulk_create's path
            for _line in encoder.lines(made, BATCH):
                pass
            return
        batch: list[Any] = []
        for obj in made:
            batch.append(obj)
            if len(batch) == BATCH:
                encoder.encode_many(batch)
                batch = []

    def one_by_one() -> None:
        for obj in objs:
            encoder.encode(obj)

    def columns() -> None:
        series: dict[Any, str] = {}
        for times, tags, fields in frame_batches(*frame_columns(model, frame), BATCH):
            "\n".join(encode_columns("servers", times, tags, fields, series)).encode()

    def frame_bodies() -> None:
        bodies = http_frame_bodies(model, frame, BATCH)
        assert bodies is not None
        for _body in bodies:
            pass

    print(f"\nEncoding alone (client CPU µs per point, median of {trials})\n")
    print("| what | µs |")
    print("|---|---|")
    pieces = "a generator's instances built and encoded in pieces (bulk_create)"
    for label, run in (
        ("encode_many() of 5,000 pre-built instances (bulk_create)", batches),
        (pieces, lambda: generated(True)),
        ("the same in whole 5,000-instance batches", lambda: generated(False)),
        ("encode() of one instance (batch_writer add())", one_by_one),
        ("a DataFrame's columns as lines, joined (before)", columns),
        ("a DataFrame's bodies joined in C (write_dataframe)", frame_bodies),
    ):
        spent = []
        for _ in range(trials):
            gc.collect()
            start = time.process_time()
            run()
            spent.append(time.process_time() - start)
        print(f"| {label} | {statistics.median(spent) / count * 1e6:.2f} |")


def instance_costs(count: int = 50_000, trials: int = 5) -> None:
    """Print the CPU cost of building one instance of the benchmark's model:
    its compiled ``__init__``, the generic one every model had before, and
    the floor of filling ``__dict__`` without any check (best of *trials*)."""
    import time

    from influxpy.models import InfluxMeasurement

    model = _model()
    data = list(rows(count))
    generic = InfluxMeasurement.__init__

    def compiled() -> None:
        for t, name, region, cpu, memory, free in data:
            model(
                time=t, name=name, region=region, cpu=cpu, memory=memory,
                free_memory=free,
            )  # fmt: skip

    def generic_init() -> None:
        for t, name, region, cpu, memory, free in data:
            generic(
                model.__new__(model), time=t, name=name, region=region, cpu=cpu,
                memory=memory, free_memory=free,
            )  # fmt: skip

    def floor() -> None:
        for t, name, region, cpu, memory, free in data:
            model.__new__(model).__dict__.update(
                time=t, name=name, region=region, cpu=cpu, memory=memory,
                free_memory=free,
            )  # fmt: skip

    print("\nBuilding one instance (CPU µs, best of 5)\n")
    print("| how | µs |")
    print("|---|---|")
    for label, build in (
        ("compiled __init__ (validates every value)", compiled),
        ("generic __init__ (the one before)", generic_init),
        ("floor: __dict__ filled, no checks", floor),
    ):
        best = float("inf")
        for _ in range(trials):
            start = time.process_time()
            build()
            best = min(best, time.process_time() - start)
        print(f"| {label} | {best / count * 1e6:.2f} |")


def gzip_table(batches: int = 20) -> None:
    """Print the client CPU per 1M points and the size ratio of each deflate
    engine and level on 5,000-line bodies of the benchmark's data (how the
    write path's levels were chosen)."""
    import gzip
    import importlib
    import time

    model = _model()
    objs = list(_instances(model, BATCH))
    body = "\n".join(model._meta.encoder.encode_many(objs)).encode()
    engines = {"isal": "isal.igzip", "zlib-ng": "zlib_ng.gzip_ng", "zlib": "gzip"}
    print("\nGzip of a 5,000-line body: client CPU s per 1M points, size ratio\n")
    print("| engine | level | CPU s per 1M | ratio |")
    print("|---|---|---|---|")
    for engine, module_name in engines.items():
        try:
            compress = importlib.import_module(module_name).compress
        except ImportError:
            print(f"| {engine} | - | not installed | - |")
            continue
        # isal has levels 0-3 only.
        for level in (0, 1, 2, 3) if engine == "isal" else (1, 2, 3, 6, 9):
            start = time.process_time()
            for _ in range(batches):
                out = compress(body, compresslevel=level)
            cpu = (time.process_time() - start) / batches * 1_000_000 / BATCH
            assert gzip.decompress(out) == body
            print(f"| {engine} | {level} | {cpu:.3f} | {len(body) / len(out):.2f} |")


def report(results: dict[str, list[dict[str, Any]]], n: int) -> None:
    """Print the Markdown table of medians."""
    medians = {case: median_result(r) for case, r in results.items()}
    raw = medians.get("raw_b5000", {})
    raw_rate = n / raw["wall"] if "wall" in raw else None
    python = medians.get("influxdb_python_write_points", {})
    py_rate = n / python["wall"] if "wall" in python else None
    print(f"\nWrite benchmark: {n:,} points, {HOSTS} hosts, median of trials\n")
    print(
        "| case | points/s | wall s (min-max) | client CPU s | server CPU s "
        "| peak MiB (+growth) | % of raw | x influxdb-python | stored |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for case, result in medians.items():
        if "wall" not in result:
            print(f"| {case} | error: {result.get('error')} |||||||")
            continue
        rate = n / result["wall"]
        share = f"{100 * rate / raw_rate:.0f}%" if raw_rate else "-"
        versus = f"{rate / py_rate:.2f}x" if py_rate else "-"
        print(
            f"| {case} | {rate:,.0f} | {result['wall']:.2f} "
            f"({result['min_wall']:.2f}-{result['max_wall']:.2f}) | "
            f"{result['cpu']:.2f} | {result['server_cpu']:.2f} | "
            f"{result['peak_mib']:.0f} (+{result['growth_mib']:.0f}) | {share} | "
            f"{versus} | {result.get('stored', '?'):,} |"
        )
    print("\n" + "\n".join(f"- {k}: {v}" for k, v in CASES.items()))


if __name__ == "__main__":
    main()
