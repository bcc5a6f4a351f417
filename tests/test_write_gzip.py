"""Gzip-compressed writes with each deflate engine, on the real InfluxDB.

``gzip_compressor()`` picks the fastest installed engine (python-isal,
zlib-ng, then the standard library); each must give bodies InfluxDB reads,
so the same points are stored whichever engine compressed them.
"""

from __future__ import annotations

import gzip
import importlib.util
import sys
import threading
from collections.abc import Iterator

import pytest

import influxpy
from _models import ServerMeasurement
from influxpy.backends.http.writing import GZIP_ENGINES, HTTPWrites, gzip_compressor

T0 = 1_513_071_900_000_000_000
_MODULES = {"isal": "isal", "zlib-ng": "zlib_ng", "zlib": "zlib"}
INSTALLED = [e for e in GZIP_ENGINES if importlib.util.find_spec(_MODULES[e])]


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


@pytest.mark.parametrize("engine", INSTALLED)
def test_each_engine_gives_a_standard_gzip_body(engine: str) -> None:
    body = b"servers,name=i-1 cpu=1.5 1\n" * 1000
    compressed = gzip_compressor(engine)(body)
    assert compressed[:2] == b"\x1f\x8b"
    assert gzip.decompress(compressed) == body
    assert len(compressed) < len(body) // 10


@pytest.mark.parametrize("engine", INSTALLED)
def test_points_written_through_each_engine_are_stored(
    engine: str, influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[int] = []
    compress = gzip_compressor(engine)

    def counting(body: bytes) -> bytes:
        used.append(len(body))
        return compress(body)

    monkeypatch.setattr(HTTPWrites, "gzip_compress", staticmethod(counting))
    influxpy.connect(f"{influx_url}?gzip=true")
    objs = [
        ServerMeasurement(
            time=T0 + n, cpu=n / 4, memory=n, free_memory=1, name="i-1", region="eu"
        )
        for n in range(12_000)
    ]
    assert ServerMeasurement.series.bulk_create(objs, batch_size=5_000) == 12_000
    assert len(used) == 3
    stored = list(ServerMeasurement.series.order_by("time").instances())
    assert stored == objs


def test_the_default_engine_is_the_fastest_installed() -> None:
    best = INSTALLED[0]
    body = b"x" * 100

    def without_mtime(member: bytes) -> bytes:
        return member[:4] + member[8:]  # the header's mtime is the clock's

    default, chosen = gzip_compressor()(body), gzip_compressor(best)(body)
    assert without_mtime(default) == without_mtime(chosen)


def test_an_unknown_engine_is_refused_naming_the_engines() -> None:
    with pytest.raises(ValueError, match=r"Unknown gzip engine 'brotli'.*isal"):
        gzip_compressor("brotli")


def test_an_engine_not_installed_is_refused_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "isal.igzip", None)
    with pytest.raises(ValueError, match=r"'isal' is not installed.*\[gzip\]"):
        gzip_compressor("isal")
    monkeypatch.setitem(sys.modules, "zlib_ng.gzip_ng", None)
    compress = gzip_compressor()
    assert gzip.decompress(compress(b"abc")) == b"abc"


def test_bodies_are_compressed_where_batches_are_encoded(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each body is compressed by the thread that encodes the batches, while
    the server works on the batch before; compressing in the thread that
    sends would leave the server waiting for it. Retries send the same
    compressed bytes (the body is compressed once)."""
    threads: list[str] = []
    compress = gzip_compressor()

    def noting(body: bytes) -> bytes:
        threads.append(threading.current_thread().name)
        return compress(body)

    monkeypatch.setattr(HTTPWrites, "gzip_compress", staticmethod(noting))
    influxpy.connect(f"{influx_url}?gzip=true")
    objs = [
        ServerMeasurement(
            time=T0 + n,
            cpu=n / 4,
            memory=n,
            free_memory=1,
            name=f"i-{n % 7}",
            region="eu",
        )
        for n in range(12_000)
    ]
    caller = threading.current_thread().name
    assert ServerMeasurement.series.bulk_create(objs, batch_size=2_000) == 12_000
    assert threads == [caller] * 6
    threads.clear()
    written = ServerMeasurement.series.bulk_create(
        objs, batch_size=2_000, concurrency=2
    )
    assert written == 12_000
    assert set(threads) == {caller}
    stored = list(ServerMeasurement.series.order_by("time").instances())
    assert stored == objs
