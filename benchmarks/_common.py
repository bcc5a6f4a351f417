"""Shared pieces of the benchmarks: a private server, the data set, the runner.

Every case runs in a fresh child interpreter (``python <script> --child CASE``)
so that memory and CPU are measured for that case alone; inputs are built
before the clock starts. Figures are printed side by side with the peers and
the raw limit measured in the same run: machines here are shared and noisy,
so only ratios within one run mean much.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

HOSTS = 1_000
REGIONS = 10
START_NS = 1_704_067_200 * 10**9  # 2024-01-01T00:00:00Z

_CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{root}/meta"
  logging-enabled = false
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "15s"
[coordinator]
  max-select-point = 0
  max-select-series = 0
  max-select-buckets = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[http]
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
  max-body-size = 0
  max-row-limit = 0
[logging]
  level = "warn"
  suppress-logo = true
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchServer:
    """A private influxd on loopback, configured as in shared/bench/README.md."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="influxpy-bench-"))
        self.port = _free_port()
        config = self.root / "influxdb.conf"
        config.write_text(
            _CONFIG.format(root=self.root, rpc_port=_free_port(), http_port=self.port)
        )
        log = (self.root / "influxd.log").open("wb")
        self.process = subprocess.Popen(
            ["influxd", "-config", str(config)], stdout=log, stderr=log
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/ping").status_code == 204:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        msg = f"influxd did not start; see {self.root / 'influxd.log'}"
        raise RuntimeError(msg)

    def query(self, q: str, db: str | None = None) -> Any:
        params = {"q": q, **({"db": db} if db else {})}
        response = httpx.post(f"{self.url}/query", params=params, timeout=600)
        response.raise_for_status()
        return response.json()

    def reset(self, db: str) -> None:
        self.query(f'DROP DATABASE "{db}"')
        self.query(f'CREATE DATABASE "{db}"')

    def count(self, db: str, measurement: str = "servers", field: str = "cpu") -> int:
        body = self.query(f'SELECT count("{field}") FROM "{measurement}"', db)
        series = body["results"][0].get("series")
        return int(series[0]["values"][0][1]) if series else 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
        parts = fields.split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(parts[11]) + int(parts[12])) / ticks

    def wait_idle(self, limit: float = 600.0, step: float = 2.0) -> float:
        """Wait until the server has used under 5% of a core for *step*
        seconds (its compactions done), at most *limit* seconds; return the
        seconds waited. Queries timed before that share the CPU with it."""
        start = time.monotonic()
        used = self.cpu_seconds()
        while time.monotonic() - start < limit:
            time.sleep(step)
            now = self.cpu_seconds()
            if now - used < 0.05 * step:
                break
            used = now
        return time.monotonic() - start

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def rows(n: int, seed: int = 1) -> Iterator[tuple[int, str, str, float, int, int]]:
    """The deterministic data set: (time ns, name, region, cpu, memory, free)."""
    rnd = random.Random(seed)
    for i in range(n):
        host = i % HOSTS
        yield (
            START_NS + (i // HOSTS) * 1_000_000_000,
            f"host-{host:04d}",
            f"region-{host % REGIONS}",
            round(rnd.random() * 100, 3),
            rnd.randrange(1 << 30, 1 << 34),
            rnd.randrange(0, 1 << 30),
        )


def reset_peak_rss() -> None:
    """Make VmHWM restart from the current RSS (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB since the last reset."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(run: Callable[[], int]) -> dict[str, float]:
    """Time *run* (which returns a count) for wall, CPU and memory."""
    reset_peak_rss()
    start_rss = current_rss_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    count = run()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return {
        "count": count,
        "wall": wall,
        "cpu": cpu,
        "peak_mib": peak_rss_mib(),
        "growth_mib": peak_rss_mib() - start_rss,
    }


def run_child(script: str, case: str, args: list[str]) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return its JSON result."""
    proc = subprocess.run(
        [sys.executable, script, "--child", case, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def median_result(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The trial with the median wall time, with the min and max noted."""
    good = [r for r in results if "error" in r or "wall" in r]
    timed = sorted((r for r in good if "wall" in r), key=lambda r: r["wall"])
    if not timed:
        return good[0] if good else {"error": "no result"}
    middle = dict(timed[len(timed) // 2])
    middle["min_wall"] = timed[0]["wall"]
    middle["max_wall"] = timed[-1]["wall"]
    middle["trials"] = len(timed)
    return middle


def median(values: list[float]) -> float:
    """The median of *values*."""
    return statistics.median(values)


def run_trials(
    script: str,
    server: BenchServer,
    cases: list[str],
    trials: int,
    n: int,
    *,
    prepare: Callable[[], None] | None = None,
    stored_in: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Run every case *trials* times, interleaved, each in a fresh child.

    *prepare* runs before each case (e.g. a fresh database); with
    *stored_in*, the points the server holds afterwards are counted.
    """
    results: dict[str, list[dict[str, Any]]] = {case: [] for case in cases}
    for _trial in range(trials):
        for case in cases:
            if prepare is not None:
                prepare()
            before = server.cpu_seconds()
            result = run_child(script, case, ["--url", server.url, "-n", str(n)])
            result["server_cpu"] = server.cpu_seconds() - before
            if stored_in is not None and "count" in result:
                result["stored"] = server.count(stored_in)
            results[case].append(result)
            print(f"  {case}: {result}", file=sys.stderr)
    return results
