"""Parallel writes: ``bulk_create(..., concurrency=N)`` and ``write_dataframe``.

Over HTTP the lines go to N lanes by series, each posting its batches in
order on its own connection, so several requests are in flight at once
while a series' points keep their order (a later duplicate still wins).
A failure stops every lane, and ``written`` still counts exactly the points
stored. The engine accepts the option and writes as before. The cases run
on the real InfluxDB (and the engine where it applies); a proxy cuts the
connection for the lost-connection case.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import influxpy
from _influxd import InfluxServer
from _models import Reading, ServerMeasurement
from _proxy import CuttingProxy
from influxpy.backends.http.lanes import _route
from influxpy.backends.http.writing import HTTPWrites
from influxpy.exceptions import FieldError, InterfaceError, LineProtocolError
from influxpy.lineprotocol import compiled
from influxpy.lineprotocol.encoder import joined

T0 = 1_513_071_900_000_000_000
HOSTS = 7


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


def point(n: int, value: float | None = None, **changes: Any) -> ServerMeasurement:
    values: dict[str, Any] = {
        "cpu": float(n) if value is None else value,
        "memory": n,
        "free_memory": 1,
        "name": f"host {n % HOSTS}",  # a space: keys that need escaping
        "region": "eu",
        "time": T0 + n // HOSTS * 1_000_000_000,
    }
    values.update(changes)
    return ServerMeasurement(**values)


def stored(alias: str = "default") -> list[dict[str, Any]]:
    series = ServerMeasurement.series.using(alias).order_by("time")
    rows = list(series.points())
    return sorted(rows, key=lambda r: (r["time"], r["name"]))


def test_bulk_create_with_concurrency_stores_every_point(conn: str) -> None:
    objs = [point(n) for n in range(12_000)]
    series = ServerMeasurement.series.using(conn)
    assert series.bulk_create(objs, batch_size=1_000, concurrency=3) == 12_000
    expected = sorted(
        ({"time": o.time, **o.values_dict()} for o in objs),
        key=lambda r: (r["time"], r["name"]),
    )
    assert stored(conn) == expected


def test_a_series_keeps_its_order_so_the_last_duplicate_wins(conn: str) -> None:
    """Each point is written three times, in batches far apart; the last copy
    must be the one stored, whichever lane and connection took it."""
    count = 3_000

    def generate() -> Iterator[ServerMeasurement]:
        for copy in range(3):
            for n in range(count):
                yield point(n, value=float(copy * 10_000 + n))

    series = ServerMeasurement.series.using(conn)
    assert series.bulk_create(generate(), batch_size=500, concurrency=4) == 3 * count
    values = {(r["time"], r["name"]): r["cpu"] for r in stored(conn)}
    assert len(values) == count
    assert sorted(values.values()) == [20_000.0 + n for n in range(count)]


def test_several_requests_are_in_flight_at_once(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two lanes' first requests must meet at a barrier while both are open:
    with one request at a time the barrier would break (after its timeout)."""
    barrier = threading.Barrier(2, timeout=30)
    lanes: set[str] = set()
    post = HTTPWrites._post_body

    def meeting(self: HTTPWrites, *args: Any) -> None:
        name = threading.current_thread().name
        if name not in lanes:
            lanes.add(name)
            # The caller waits for each body to be out before it goes on.
            sent = args[-1]
            sent.set()
            barrier.wait()
        post(self, *args)

    monkeypatch.setattr(HTTPWrites, "_post_body", meeting)
    influxpy.connect(influx_url)
    # 100 series, so that both lanes have some whatever the strings' hashes.
    objs = [point(n, name=f"h{n % 100}") for n in range(4_000)]
    assert ServerMeasurement.series.bulk_create(objs, batch_size=500, concurrency=2)
    assert len(lanes) == 2
    assert len(stored()) == 4_000


def test_a_bad_point_stops_every_lane_and_written_is_what_is_stored(
    conn: str,
) -> None:
    def generate() -> Iterator[ServerMeasurement]:
        for n in range(12_000):
            yield point(n, name="bad\nname") if n == 11_000 else point(n)

    series = ServerMeasurement.series.using(conn)
    with pytest.raises(LineProtocolError) as info:
        series.bulk_create(generate(), batch_size=1_000, concurrency=2)
    assert info.value.written == len(stored(conn))
    assert info.value.written >= 8_000


def test_an_error_of_the_callers_iterable_counts_what_is_stored(conn: str) -> None:
    class Broken(Exception):
        pass

    def generate() -> Iterator[ServerMeasurement]:
        for n in range(9_000):
            yield point(n)
        raise Broken

    series = ServerMeasurement.series.using(conn)
    with pytest.raises(Broken) as info:
        series.bulk_create(generate(), batch_size=1_000, concurrency=3)
    written = getattr(info.value, "written", None)
    assert written == len(stored(conn))


def test_a_lost_connection_stops_every_lane_and_written_is_exact(
    influx_server: InfluxServer, database: str
) -> None:
    objs = [point(n) for n in range(40_000)]
    with CuttingProxy(influx_server.port, allow=3) as proxy:
        influxpy.connect(
            f"influxdb://127.0.0.1:{proxy.port}/{database}?retry_timeout=1&timeout=5"
        )
        with pytest.raises(InterfaceError) as info:
            ServerMeasurement.series.bulk_create(objs, batch_size=2_000, concurrency=2)
        assert proxy.forwarded == 3
    written = info.value.written
    influxpy.connect(f"influxdb://{influx_server.host}:{influx_server.port}/{database}")
    assert written == len(stored())
    assert written > 0


def test_write_dataframe_with_concurrency_stores_every_row(conn: str) -> None:
    total = 9_000
    frame = _frame(total, hosts=HOSTS)
    series = ServerMeasurement.series.using(conn)
    assert series.write_dataframe(frame, batch_size=1_000, concurrency=2) == total
    rows = stored(conn)
    assert [r["memory"] for r in rows] == list(range(total))
    assert [r["cpu"] for r in rows] == [n / 2 for n in range(total)]


@pytest.mark.parametrize(
    ("value", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError)]
)
def test_concurrency_must_be_a_positive_int(
    conn: str, value: Any, error: type[Exception]
) -> None:
    series = ServerMeasurement.series.using(conn)
    with pytest.raises(
        error, match=rf"concurrency must be a positive int, got {value}"
    ):
        series.bulk_create([point(1)], concurrency=value)
    with pytest.raises(error, match="concurrency must be a positive int"):
        series.write_dataframe(pd.DataFrame(), concurrency=value)


def test_lines_are_routed_by_series_in_order() -> None:
    """Every line of a series lands in one lane, in the order given; keys
    with escaped spaces (``host\\ 1``) are read whole."""
    lines = [
        f"m,host=h{n % 5} v={n} {n}" if n % 2 else f"m,host=h\\ {n % 3} v={n} {n}"
        for n in range(200)
    ]
    for count in (2, 3):
        lanes = _route(lines, count)
        assert sorted(line for lane in lanes for line in lane) == sorted(lines)
        for lane in lanes:
            assert lane == [line for line in lines if line in lane]
        owners: dict[str, int] = {}
        for index, lane in enumerate(lanes):
            for line in lane:
                key = line.rsplit(" ", 2)[0]
                assert owners.setdefault(key, index) == index
        assert len(owners) == 8


def _odd_reading(n: int) -> Reading:
    """Readings of many series, some of whose values leave the compiled
    encoder's fast path (an int for a float field, text beyond ASCII, a
    newline inside a string value, a tag value with spaces and commas)."""
    return Reading(
        time=T0 + n,
        value=n if n % 7 == 0 else n / 4,
        count=n,
        ok=n % 2 == 0,
        message="two\nlines" if n % 11 == 0 else ("naïve" if n % 5 == 0 else "m"),
        anything=float(n),
        odd=0.5,
        host=f"h {n % 13},x=y",
        odd_tag=f"z{n % 3}",
        rack=None if n % 4 else "r1",
    )


@pytest.mark.skipif(not compiled(), reason="the compiled encoder routes lanes")
@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_compiled_lanes_route_as_the_lines_do(count: int) -> None:
    """``Encoder.lanes()`` gives each lane the lines ``_route()`` gives it
    from the same objects' lines, in order, whether a line was written in C
    or by the Python encoder (new series, values off the fast path)."""
    encoder = Reading._meta.encoder
    encoder._cache.clear()  # every series new at first: the Python encoder
    objs = [_odd_reading(n) for n in range(600)]
    expected = _route(encoder.encode_many(objs), count)
    encoder._cache.clear()
    got: list[list[str]] = [[] for _ in range(count)]
    for start in range(0, len(objs), 150):  # new series, then cached ones
        for lane, piece in enumerate(encoder.lanes(objs[start : start + 150], count)):
            if piece[2]:
                got[lane] += list(joined([piece])[1])
    assert got == expected
    assert sum(map(len, got)) == len(objs)


@pytest.mark.skipif(not compiled(), reason="the compiled encoder routes lanes")
def test_compiled_lanes_raise_the_encoders_error() -> None:
    objs = [point(1), point(2, name="bad\nname")]
    with pytest.raises(LineProtocolError, match=r"tag 'name' .* line break"):
        ServerMeasurement._meta.encoder.lanes(objs, 2)


@pytest.mark.parametrize("listed", [True, False])
def test_each_lane_posts_batches_of_batch_size_lines(
    conn: str, monkeypatch: pytest.MonkeyPatch, listed: bool
) -> None:
    """Every request of a lane holds exactly batch_size lines but its last,
    a series' points all go through one lane, and all are stored."""
    posted: dict[str, list[list[str]]] = {}
    post = HTTPWrites._post_body

    def recording(self: HTTPWrites, body: bytes, lines: Any, *args: Any) -> None:
        name = threading.current_thread().name
        posted.setdefault(name, []).append(list(lines))
        post(self, body, lines, *args)

    monkeypatch.setattr(HTTPWrites, "_post_body", recording)
    objs = [point(n, name=f"h{n % 50}") for n in range(10_000)]
    series = ServerMeasurement.series.using(conn)
    given = objs if listed else iter(objs)
    assert series.bulk_create(given, batch_size=700, concurrency=3) == 10_000
    assert len(stored(conn)) == 10_000
    if not posted:
        return  # the engine writes in one transaction, without lanes
    assert len(posted) == 3
    owners: dict[str, str] = {}
    for name, requests in posted.items():
        assert all(len(lines) == 700 for lines in requests[:-1])
        assert 0 < len(requests[-1]) <= 700
        for lines in requests:
            for line in lines:
                assert owners.setdefault(line.split(" ", 1)[0], name) == name
    assert sum(len(lines) for r in posted.values() for lines in r) == 10_000


def _frame(total: int, hosts: int = 50) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cpu": [n / 2 for n in range(total)],
            "memory": list(range(total)),
            "free_memory": [1] * total,
            "name": [f"host {n % hosts}" for n in range(total)],
            "region": ["eu"] * total,
        },
        index=pd.to_datetime(
            [T0 + n * 1_000_000_000 for n in range(total)], unit="ns", utc=True
        ),
    )


def test_write_dataframe_lanes_post_batch_size_rows_of_their_series(
    conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frame's rows are routed to the lanes as bodies: each lane's
    requests hold batch_size lines but its last, each series stays in one
    lane, and the lines are those of one connection's bodies."""
    posted: dict[str, list[list[str]]] = {}
    post = HTTPWrites._post_body

    def recording(self: HTTPWrites, body: bytes, lines: Any, *args: Any) -> None:
        posted.setdefault(threading.current_thread().name, []).append(list(lines))
        post(self, body, lines, *args)

    monkeypatch.setattr(HTTPWrites, "_post_body", recording)
    frame = _frame(9_000)
    series = ServerMeasurement.series.using(conn)
    assert series.write_dataframe(frame, batch_size=800, concurrency=3) == 9_000
    rows = stored(conn)
    assert [r["memory"] for r in rows] == list(range(9_000))
    if not posted:
        return  # the engine writes in one transaction, without lanes
    lanes = {name: r for name, r in posted.items() if "lane" in name}
    assert len(lanes) == 3
    owners: dict[str, str] = {}
    for name, requests in lanes.items():
        assert all(len(lines) == 800 for lines in requests[:-1])
        for lines in requests:
            for line in lines:
                assert owners.setdefault(line.rsplit(" ", 2)[0], name) == name
    assert sum(len(lines) for r in lanes.values() for lines in r) == 9_000
    assert len(owners) == 50


def test_write_dataframe_lanes_stop_at_a_refused_value(conn: str) -> None:
    """A value the line protocol cannot carry (inf) fails its batch; no
    later batch is sent and ``written`` counts exactly what is stored."""
    frame = _frame(12_000, hosts=4)
    frame.iloc[11_000, frame.columns.get_loc("cpu")] = float("inf")
    series = ServerMeasurement.series.using(conn)
    with pytest.raises(FieldError, match="cannot store NaN or infinity") as info:
        series.write_dataframe(frame, batch_size=1_000, concurrency=2)
    written = getattr(info.value, "written", None)
    assert written == len(stored(conn))
    assert written is not None
    assert written < 12_000
