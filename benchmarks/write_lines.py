"""Line-protocol ingest: influxpy's reader and engine against influxd's /write.

    python benchmarks/write_lines.py [-n 500000] [--batch 5000] [--trials 3]

The same lines (the shared data set: 1,000 hosts, 10 regions, a float and
two integer fields, nanosecond times) in bodies of ``--batch`` lines, as a
client POSTs them. Each case runs in a fresh interpreter, the bodies built
before the clock starts, and prints points per second and the ratio to
influxd's own ``/write`` measured in the same run (machines here are shared
and noisy: only ratios within one run mean much):

- ``influxd``: the bodies POSTed to a private influxd 1.6.7 over one
  keep-alive connection with ``http.client``;
- ``reader``: ``influxpy.lineprotocol.reader.read_body`` of each body alone;
- ``engine``: ``write_line_protocol`` of each body on an in-memory engine;
- ``serve``: the bodies POSTed to ``influxpy serve --url duckdb://:memory:``
  (when ``influxpy.server`` is installed) as to influxd;
- ``engine_file`` and ``serve_file``: ``engine`` and ``serve`` on a
  database file in a temporary directory instead of ``:memory:``.

Both servers get a fresh database before each trial (rewriting the same
points is another, slower path on both). For the two servers the CPU
seconds the server process used are printed too: on a shared machine they
vary far less than the wall time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BenchServer, _free_port, measure, median, median_result, rows

DB = "bench_lines"
CASES = {
    "influxd": "influxd 1.6.7 POST /write (http.client, keep-alive)",
    "reader": "influxpy read_body() of each body (no storage)",
    "engine": "influxpy engine write_line_protocol() of each body (:memory:)",
    "serve": "influxpy serve POST /write (http.client, keep-alive, :memory:)",
    "engine_file": "influxpy engine write_line_protocol() of each body (a file)",
    "serve_file": "influxpy serve POST /write (http.client, keep-alive, a file)",
}
#: The servers: influxd and a ``serve`` process for each of these cases.
SERVED = {"serve": ":memory:", "serve_file": "file"}


def bodies(n: int, batch: int) -> list[bytes]:
    """The data set as line-protocol bodies of *batch* lines."""
    lines = [
        f"servers,name={name},region={region} cpu={cpu!r},memory={memory}i,"
        f"free_memory={free}i {t}"
        for t, name, region, cpu, memory, free in rows(n)
    ]
    return ["\n".join(lines[i : i + batch]).encode() for i in range(0, n, batch)]


def _post_all(port: int, chunks: list[bytes], n: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for body in chunks:
        conn.request("POST", f"/write?db={DB}", body)
        response = conn.getresponse()
        text = response.read()
        if response.status != 204:
            msg = f"/write answered {response.status}: {text[:200]!r}"
            raise RuntimeError(msg)
    conn.close()
    return n


def child(case: str, n: int, batch: int, port: int) -> dict[str, Any]:
    """Run one case; the bodies are built before the clock starts."""
    chunks = bodies(n, batch)
    if case == "influxd" or case in SERVED:
        return measure(lambda: _post_all(port, chunks, n))
    if case == "reader":
        from influxpy.lineprotocol.reader import read_body

        read_body(chunks[0])  # imports and regex compilation out of the clock

        def read() -> int:
            return sum(read_body(body).points for body in chunks)

        return measure(read)
    import influxpy

    with tempfile.TemporaryDirectory() as directory:
        path = ":memory:" if case == "engine" else f"{directory}/bench.duckdb"
        engine: Any = influxpy.connect(f"duckdb://{path}", alias="bench")
        engine.create_database(DB)
        engine.write_line_protocol(b"warmup v=1 1", database=DB)

        def write() -> int:
            written = 0
            for body in chunks:
                written += engine.write_line_protocol(body, database=DB).written
            return written

        result = measure(write)
        engine.close()
        return result


def _process_cpu(pid: int) -> float:
    """CPU seconds (user and system, every thread) process *pid* has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reset_serve(port: int) -> None:
    """Drop and recreate the benchmark database on ``influxpy serve``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for statement in (f"DROP+DATABASE+{DB}", f"CREATE+DATABASE+{DB}"):
        conn.request("POST", f"/query?q={statement}")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            msg = f"/query {statement} answered {response.status}"
            raise RuntimeError(msg)
    conn.close()


def _serve(port: int, path: str) -> subprocess.Popen[bytes] | None:
    """``influxpy serve`` on *path* (``:memory:`` or a file), once it
    answers; None when ``influxpy.server`` is not installed."""
    try:
        import influxpy.server  # noqa: F401
    except ImportError:
        return None
    command = [
        sys.executable,
        "-m",
        "influxpy",
        "serve",
        "--url",
        f"duckdb://{path}",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("POST", f"/query?q=CREATE+DATABASE+{DB}")
            if conn.getresponse().status == 200:
                # Imports and first-use setup out of the clock, as the
                # engine case's warm-up write does.
                _post_all(port, [b"warmup v=1 1"], 1)
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    return None


def _run(case: str, n: int, batch: int, port: int) -> dict[str, Any]:
    args = ["-n", str(n), "--batch", str(batch), "--port", str(port)]
    proc = subprocess.run(
        [sys.executable, __file__, "--child", case, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Run every case, interleaved, and print points/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated cases to run"
    )
    parser.add_argument("--child")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        result = child(args.child, args.n, args.batch, args.port)
        print(json.dumps(result))
        return
    chosen = [case for case in CASES if case in args.cases.split(",")]
    server = BenchServer()
    directory = tempfile.TemporaryDirectory()
    served: dict[str, tuple[int, subprocess.Popen[bytes] | None]] = {}
    for case, path in SERVED.items():
        if case in chosen:
            port = _free_port()
            where = path if path == ":memory:" else f"{directory.name}/{case}.duckdb"
            served[case] = (port, _serve(port, where))
    results: dict[str, list[dict[str, Any]]] = {case: [] for case in chosen}
    try:
        for _trial in range(args.trials):
            for case in chosen:
                port, pid = 0, None
                if case == "influxd":
                    server.reset(DB)
                    port, pid = server.port, server.process.pid
                elif case in served:
                    port, process = served[case]
                    if process is None:
                        continue
                    _reset_serve(port)
                    pid = process.pid
                used = _process_cpu(pid) if pid else 0.0
                result = _run(case, args.n, args.batch, port)
                if pid and "wall" in result:
                    result["server_cpu"] = _process_cpu(pid) - used
                results[case].append(result)
                print(f"  {case}: {result}", file=sys.stderr)
    finally:
        server.close()
        for _port, process in served.values():
            if process is not None:
                process.terminate()
                process.wait(15)
        directory.cleanup()
    _report(results, args.n, args.batch, args.trials)
    if any(process is None for _port, process in served.values()):
        print("serve    not run: influxpy.server is not installed")


def _report(
    results: dict[str, list[dict[str, Any]]], n: int, batch: int, trials: int
) -> None:
    """Print each case's median trial, its fastest, and for the two servers
    the median server CPU: the figure a busy machine disturbs least."""
    best = {case: median_result(r) for case, r in results.items() if r}
    base = best.get("influxd", {}).get("wall")
    base_min = best.get("influxd", {}).get("min_wall")
    cpus = {
        case: median([r["server_cpu"] for r in rs if "server_cpu" in r])
        for case, rs in results.items()
        if any("server_cpu" in r for r in rs)
    }
    print(f"{n:,} lines in bodies of {batch:,}, median of {trials}")
    for case, result in best.items():
        if "wall" not in result:
            print(f"{case:11s} failed: {result.get('error')}")
            continue
        rate = n / result["wall"]
        ratio = f"{base / result['wall']:.2f}x influxd" if base else ""
        print(f"{case:11s} {rate:>12,.0f} points/s  {ratio:>16s}  {CASES[case]}")
        if base_min:
            fastest = n / result["min_wall"]
            ratio = f"{base_min / result['min_wall']:.2f}x"
            print(f"{'':11s} {fastest:>12,.0f} points/s in the fastest trial ({ratio})")
        if case in cpus:
            cpu = cpus[case]
            ratio = f" ({cpus['influxd'] / cpu:.2f}x)" if "influxd" in cpus else ""
            print(f"{'':11s} {n / cpu:>12,.0f} points per server CPU second{ratio}")


if __name__ == "__main__":
    main()
