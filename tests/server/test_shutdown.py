"""SIGTERM and SIGINT stop ``influxpy serve`` without losing an
acknowledged write: the requests in flight finish, the backend is closed
(checkpointed), and the file holds every point answered with 204. A crash
(SIGKILL) loses no acknowledged write either."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx
import pytest

import influxpy
from influxpy import fields, models
from influxpy.functions import Count
from server._serve import Served

#: Exit codes of a graceful stop: uvicorn re-raises the signal once it has
#: shut down, so the process ends as stopped by it (130 for SIGINT's
#: KeyboardInterrupt).
STOPPED = {0, -signal.SIGTERM, 130}


class Shutdown(models.InfluxMeasurement):
    measurement = "shutdown"
    v = fields.IntegerField()
    batch = fields.InfluxTag()


def stored(path: Path) -> int:
    backend = influxpy.connect(f"duckdb://{path}", alias="serve-shutdown-check")
    try:
        return Shutdown.series.using("serve-shutdown-check").count()
    finally:
        backend.close()


def body(batch: int, size: int) -> bytes:
    start = batch * size
    return "\n".join(
        f"shutdown,batch=b{batch} v={i}i {1_000_000_000 + i}"
        for i in range(start, start + size)
    ).encode()


def started(path: Path) -> Served:
    """``influxpy serve`` on *path* with the database the writes name (as
    on influxd, a new server has none)."""
    served = Served(path).start()
    response = served.request(
        "POST", "/query", params={"q": "CREATE DATABASE influxpy"}
    )
    assert response.status_code == 200, response.text
    return served


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_acknowledged_writes_survive_a_stop_right_after_them(tmp_path, sig):
    path = tmp_path / "data.duckdb"
    served = started(path)
    acknowledged = 0
    try:
        for batch in range(20):
            response = served.request(
                "POST", "/write", params={"db": "influxpy"}, content=body(batch, 500)
            )
            assert response.status_code == 204, response.text
            acknowledged += 500
        assert served.process is not None
        served.process.send_signal(sig)
        assert served.process.wait(timeout=60) in STOPPED
    finally:
        served.close()
    assert stored(path) == acknowledged == 10_000


def test_a_write_in_flight_when_stopped_is_answered_and_kept(tmp_path):
    """Big writes racing a SIGTERM: each one answered 204 is in the file."""
    path = tmp_path / "data.duckdb"
    served = started(path)
    answers: list[int] = []
    bodies = [body(batch, 50_000) for batch in range(3)]

    def write(batch: int) -> None:
        try:
            response = served.client.post(
                f"{served.http_url}/write",
                params={"db": "influxpy"},
                content=bodies[batch],
                timeout=120,
            )
            answers.append(response.status_code)
        except httpx.TransportError:
            answers.append(0)  # refused: the server had stopped accepting

    threads = [threading.Thread(target=write, args=(b,)) for b in range(3)]
    for thread in threads:
        thread.start()
    # Stop while the writes are being sent or stored (a ping's round trip
    # after they started).
    assert served.process is not None
    try:
        for _ in range(3):
            served.request("GET", "/ping")
        served.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(timeout=120)
        assert served.process.wait(timeout=60) in STOPPED
    finally:
        served.close()
    assert stored(path) == 50_000 * answers.count(204)
    assert set(answers) <= {204, 0}


def batches_stored(path: Path) -> dict[str, int]:
    """Points stored per batch tag, read after a crash."""
    backend = influxpy.connect(f"duckdb://{path}", alias="serve-crash-check")
    try:
        qs = Shutdown.series.using("serve-crash-check").annotate(n=Count("v"))
        return {r.tags["batch"]: r.points[0]["n"] for r in qs.group_by("batch")}
    finally:
        backend.close()


def test_a_crash_keeps_every_acknowledged_write_and_no_part_of_another(tmp_path):
    """SIGKILL, no shutdown at all, while three clients write: reopened, the
    file holds every batch answered 204, and each other batch whole or not
    at all (a write is one transaction in DuckDB's write-ahead log)."""
    path = tmp_path / "data.duckdb"
    served = started(path)
    acknowledged: list[int] = []
    size = 2_000
    go_on = threading.Event()
    go_on.set()

    def write(lane: int) -> None:
        for k in range(200):
            batch = lane * 1_000 + k
            try:
                response = httpx.post(
                    f"{served.http_url}/write",
                    params={"db": "influxpy"},
                    content=body(batch, size),
                    timeout=60,
                )
            except httpx.TransportError:
                return  # the server is gone
            assert response.status_code == 204, response.text
            acknowledged.append(batch)
            if not go_on.is_set():
                return

    threads = [threading.Thread(target=write, args=(lane,)) for lane in range(3)]
    for thread in threads:
        thread.start()
    try:
        while len(acknowledged) < 12:  # bounded by the writers' 600 batches
            served.request("GET", "/ping")
            if not any(thread.is_alive() for thread in threads):
                break
        assert served.process is not None
        served.process.kill()
        served.process.wait(timeout=60)
        served.process = None
    finally:
        go_on.clear()
        for thread in threads:
            thread.join(timeout=120)
        served.close()
    counts = batches_stored(path)
    assert len(acknowledged) >= 12
    assert all(counts.get(f"b{batch}") == size for batch in acknowledged)
    assert set(counts.values()) == {size}
