"""SIGTERM and SIGINT stop ``influxpy serve`` without losing an
acknowledged write: the requests in flight finish, the backend is closed
(checkpointed), and the file holds every point answered with 204."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx
import pytest

import influxpy
from influxpy import fields, models
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
