"""``influxpy serve`` writing while the engine checkpoints in the background:
no acknowledged write waits for a checkpoint or is lost to one, through a
graceful stop in the middle of the writes."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx

import influxpy
from server._serve import Served

#: Points per body; the server checkpoints every two bodies.
BODY = 1_000
#: Exit codes of a graceful stop (see ``test_shutdown``).
STOPPED = {0, -signal.SIGTERM}


class CheckpointingServed(Served):
    """``influxpy serve`` on a file, checkpointing every ``2 * BODY`` rows."""

    @property
    def url(self) -> str:
        return f"duckdb://{self.path}?checkpoint_rows={2 * BODY}"


def body(batch: int) -> bytes:
    start = batch * BODY
    return "\n".join(
        f"ck,batch=b{batch} v={i}i {1_000_000_000 + i}"
        for i in range(start, start + BODY)
    ).encode()


def stored(path: Path) -> dict[str, tuple[int, int]]:
    """Each batch's point count and sum of ``v`` in the file."""
    backend = influxpy.connect(f"duckdb://{path}", alias="serve-ck-check")
    try:
        (result,) = backend.statements(
            "SELECT count(v), sum(v) FROM ck GROUP BY batch", database="influxpy"
        )
        return {
            series.tags["batch"]: (series.values[0][1], series.values[0][2])
            for series in result.series
        }
    finally:
        backend.close()


def expected(batch: int) -> tuple[int, int]:
    start = batch * BODY
    return BODY, sum(range(start, start + BODY))


def test_writes_through_checkpoints_and_a_stop_keep_every_acknowledged_point(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.duckdb"
    served = CheckpointingServed(path).start()
    created = served.request("POST", "/query", params={"q": "CREATE DATABASE influxpy"})
    assert created.status_code == 200, created.text
    acknowledged: list[int] = []
    answers: list[int] = []
    enough = threading.Event()

    def write() -> None:
        with httpx.Client(timeout=120) as client:
            for batch in range(400):
                try:
                    response = client.post(
                        f"{served.http_url}/write",
                        params={"db": "influxpy"},
                        content=body(batch),
                    )
                except httpx.TransportError:
                    return  # the server has stopped accepting
                answers.append(response.status_code)
                if response.status_code != 204:
                    return
                acknowledged.append(batch)
                if len(acknowledged) == 40:
                    enough.set()
        enough.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        # Stop in the middle of the writes, after checkpoints have run.
        assert enough.wait(timeout=300)
        assert served.process is not None
        served.process.send_signal(signal.SIGTERM)
        writer.join(timeout=300)
        assert served.process.wait(timeout=60) in STOPPED
    finally:
        served.close()
        writer.join(timeout=60)
    assert set(answers) == {204}
    assert len(acknowledged) >= 40
    found = stored(path)
    for batch in acknowledged:
        assert found.pop(f"b{batch}") == expected(batch)
    # A body sent as the server stopped is stored whole or not at all.
    for name, counts in found.items():
        assert counts == expected(int(name[1:]))
