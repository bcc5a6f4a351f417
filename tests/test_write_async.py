"""How ``abulk_create()`` encodes over HTTP, on the real InfluxDB.

Batches are encoded on the event loop a few hundred objects at a time, with
a turn of the loop between pieces: a worker thread encoding would hold the
GIL the loop needs at each step of the request in flight. The lines and
the errors are those of encoding each batch whole.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from _models import ServerMeasurement
from influxpy.backends.http.writing import _AENCODE_PIECE
from influxpy.exceptions import LineProtocolError

T0 = 1_513_071_900_000_000_000


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


def point(n: int, **changes: Any) -> ServerMeasurement:
    values: dict[str, Any] = {
        "cpu": n / 4,
        "memory": n,
        "free_memory": 1,
        "name": f"host-{n % 7}",
        "region": "eu",
        "time": T0 + n,
    }
    values.update(changes)
    return ServerMeasurement(**values)


def test_abulk_create_encodes_on_the_loop_in_pieces(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    influxpy.connect(influx_url)
    encoder = ServerMeasurement._meta.encoder
    # Pieces of a body with the compiled encoder, of lines without it.
    method = "piece" if encoder.compiled else "encode_many"
    encode = getattr(encoder, method)
    seen: list[tuple[str, int]] = []
    steps: list[int] = []

    def noting(objs: list[Any]) -> Any:
        seen.append((threading.current_thread().name, len(objs)))
        return encode(objs)

    monkeypatch.setattr(encoder, method, noting)
    objs = [point(n) for n in range(6_000)]

    async def stepping() -> None:
        for step in range(100):
            steps.append(step)
            await asyncio.sleep(0)

    async def main() -> int:
        other = asyncio.create_task(stepping())
        written = await ServerMeasurement.series.abulk_create(objs, batch_size=5_000)
        await other
        return written

    assert asyncio.run(main()) == 6_000
    assert {name for name, _count in seen} == {threading.current_thread().name}
    assert max(count for _name, count in seen) == _AENCODE_PIECE
    assert sum(count for _name, count in seen) == 6_000
    # Another task ran between the pieces of the first batch.
    assert len(steps) == 100
    stored = list(ServerMeasurement.series.order_by("time").instances())
    assert stored == objs


def test_a_bad_point_in_a_later_piece_stops_its_batch(influx_url: str) -> None:
    influxpy.connect(influx_url)
    objs = [point(n) for n in range(3_000)]
    objs[2_600] = point(2_600, name="bad\nname")

    async def main() -> None:
        await ServerMeasurement.series.abulk_create(objs, batch_size=1_000)

    with pytest.raises(LineProtocolError) as info:
        asyncio.run(main())
    assert info.value.written == 2_000
    assert len(list(ServerMeasurement.series.all().points())) == 2_000
