"""Run ``influxpy serve`` as a subprocess for the tests.

``Served.start`` launches ``python -m influxpy serve`` on a free loopback
port with a data file under a temporary directory and waits for ``/ping``;
``stop`` sends SIGTERM (the graceful shutdown under test) and waits.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

from _influxd import InfluxServer, free_port

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class Served:
    """One ``influxpy serve`` process and an HTTP client for it."""

    def __init__(self, path: Path | None, *extra: str) -> None:
        self.path = path
        self.extra = extra
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = (path.parent if path else Path.cwd()) / "serve.log"
        self.client = httpx.Client(timeout=60.0)

    @property
    def url(self) -> str:
        return f"duckdb://{self.path}" if self.path else "duckdb://:memory:"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Served:
        """Start the server on a free port and wait until it answers."""
        self.port = free_port()
        command = [sys.executable, "-m", "influxpy", "serve", "--url", self.url]
        command += ["--bind", f"127.0.0.1:{self.port}", *self.extra]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"influxpy serve exited: {self.log.read_text()[-3000:]}"
                raise RuntimeError(msg)
            with contextlib.suppress(httpx.TransportError):
                if self.client.get(f"{self.http_url}/ping").status_code == 204:
                    return self
            time.sleep(0.1)
        self.stop()
        msg = f"influxpy serve did not answer /ping: {self.log.read_text()[-3000:]}"
        raise RuntimeError(msg)

    def stop(self) -> int | None:
        """SIGTERM, wait (SIGKILL if it hangs); return the exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        return self.client.request(method, f"{self.http_url}{path}", **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.stop()
        self.client.close()


@contextlib.contextmanager
def seeded_pair(
    influx_server: InfluxServer, served: Served, prefix: str, lines: str
) -> Iterator[tuple[InfluxServer, Served, str]]:
    """A fresh database holding *lines* on influxd and on ``influxpy serve``
    alike, dropped from both afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    for target in (influx_server, served):
        target.request("POST", "/query", params={"q": f'CREATE DATABASE "{name}"'})
        response = target.request(
            "POST", "/write", params={"db": name}, content=lines.encode()
        )
        assert response.status_code == 204, response.text
    try:
        yield influx_server, served, name
    finally:
        for target in (influx_server, served):
            target.request("POST", "/query", params={"q": f'DROP DATABASE "{name}"'})


def both_answers(
    pair: tuple[InfluxServer, Served, str], q: str, method: str = "GET", **params: str
) -> list[tuple[int, Any]]:
    """influxd's and then ``influxpy serve``'s status and JSON documents for
    *q* on the pair's database."""
    influxd, served, name = pair
    out: list[tuple[int, Any]] = []
    for target in (influxd, served):
        response = target.request(
            method, "/query", params={"q": q, "db": name, **params}
        )
        documents = [orjson.loads(line) for line in response.text.splitlines()]
        out.append((response.status_code, documents))
    return out
