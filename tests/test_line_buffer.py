"""The batch writer's buffer of lines (``line_buffer.py``, ``_linebuffer.c``):
the compiled buffer and the pure Python one take the same points, give the
same bodies and lines, call what is due when it is due, and lose or tear no
line while threads add, cut and close at once."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import influxpy
from _lineprotocol import Obj
from influxpy import fields, models
from influxpy.exceptions import LineProtocolError
from influxpy.lineprotocol import Encoder, FieldSpec, TagSpec
from influxpy.lineprotocol import line_buffer as line_buffer_module
from influxpy.lineprotocol._compiled import COMPILED
from influxpy.lineprotocol.line_buffer import (
    ATTENTION,
    PAUSE,
    PUSHED,
    REFUSED,
    Buffer,
    PyLineBuffer,
    batch,
    line_buffer,
)

TAGS = [TagSpec("host", "host")]
FIELDS = [
    FieldSpec("value", "value", "float"),
    FieldSpec("count", "count", "integer"),
    FieldSpec("note", "note", "string"),
]
KINDS = ["compiled", "python"]


class Point(Obj):
    """The class a buffer takes (another class is refused)."""


class Calls:
    """What a buffer called: ("attention",), ("pause",), ("refused", point)."""

    def __init__(self) -> None:
        self.made: list[tuple[Any, ...]] = []

    def attention(self) -> None:
        self.made.append(("attention",))

    def pause(self) -> None:
        self.made.append(("pause",))

    def refused(self, point: Any) -> None:
        self.made.append(("refused", point))


def make(
    kind: str, batch_size: int = 4, pause_every: int = 2
) -> tuple[Buffer, Encoder, Calls]:
    if kind == "compiled" and not COMPILED:
        pytest.skip("the compiled extension is not built here")
    encoder = Encoder("cpu", TAGS, FIELDS, compiled=kind == "compiled")
    calls = Calls()
    made = line_buffer(
        encoder,
        Point,
        batch_size,
        attention=calls.attention,
        refused=calls.refused,
        pause=calls.pause,
        pause_every=pause_every,
    )
    assert isinstance(made, PyLineBuffer) == (kind == "python")
    return made, encoder, calls


def point(n: int, **values: Any) -> Point:
    return Point(
        **{"host": f"h{n % 3}", "value": n / 2, "count": n, "time": n, **values}
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_body_is_the_encoders_lines_joined(kind: str) -> None:
    buffer, encoder, _calls = make(kind, batch_size=100)
    points = [point(n) for n in range(10)]
    for p in points:
        buffer.add(p)
    assert len(buffer) == 10
    taken = batch(buffer, 4)
    expected = [encoder.encode(p) for p in points]
    assert taken.body == "\n".join(expected[:4]).encode()
    assert list(taken) == expected[:4]
    assert len(buffer) == 6
    rest = batch(buffer, 100)
    assert list(rest) == expected[4:]
    assert len(buffer) == 0
    assert batch(buffer, 5).body == b""


@pytest.mark.parametrize("kind", KINDS)
def test_push_says_what_is_due(kind: str) -> None:
    """Attention for the first line since empty and for a full batch, a pause
    every pause_every lines, refused for another class or a closed buffer."""
    buffer, _encoder, calls = make(kind, batch_size=5, pause_every=2)
    dues = [buffer.push(point(n)) for n in range(7)]
    assert dues == [ATTENTION, PAUSE, PUSHED, PAUSE, ATTENTION, ATTENTION, ATTENTION]
    batch(buffer, 5)
    assert [buffer.push(point(n)) for n in range(3)] == [PUSHED, PAUSE, ATTENTION]
    batch(buffer, 10)
    assert buffer.push(point(1)) == ATTENTION
    assert buffer.push(Obj(host="a", value=1.0)) == REFUSED
    buffer.open = False
    assert buffer.push(point(2)) == REFUSED
    assert len(buffer) == 1
    assert calls.made == []


@pytest.mark.parametrize("kind", KINDS)
def test_add_makes_the_call_that_is_due(kind: str) -> None:
    buffer, _encoder, calls = make(kind, batch_size=3, pause_every=2)
    other = Obj(host="a", value=1.0)
    for p in [point(0), point(1), point(2), other]:
        buffer.add(p)
    buffer.open = False
    closed = point(3)
    buffer.add(closed)
    assert calls.made == [
        ("attention",),
        ("pause",),
        ("attention",),
        ("refused", other),
        ("refused", closed),
    ]
    assert len(buffer) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_point_that_cannot_be_written_raises_and_leaves_the_buffer(
    kind: str,
) -> None:
    buffer, _encoder, calls = make(kind)
    buffer.add(point(0))
    with pytest.raises(LineProtocolError, match=r"field .value. .*a str cannot"):
        buffer.add(point(1, value="nope"))
    with pytest.raises(LineProtocolError, match="at least one field value"):
        buffer.add(Point(host="a", time=1))
    buffer.add(point(2))
    assert len(buffer) == 2
    assert list(batch(buffer, 10)) == [
        Encoder("cpu", TAGS, FIELDS).encode(p) for p in (point(0), point(2))
    ]
    assert calls.made == [("attention",), ("pause",)]


_VALUES = st.fixed_dictionaries(
    {
        "host": st.sampled_from(["a", "b c", "ü", "x,y=z"]),
        "value": st.floats(allow_nan=False, allow_infinity=False) | st.none(),
        "count": st.integers(-(2**63), 2**63 - 1) | st.none(),
        "note": st.text(alphabet='a\\"é ,=\n\t\r', max_size=6) | st.none(),
        "time": st.integers(0, 2**62),
    }
).filter(lambda v: any(v[k] is not None for k in ("value", "count", "note")))


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(_VALUES, min_size=1, max_size=30),
    cuts=st.lists(st.integers(0, 12), min_size=1, max_size=6),
)
def test_both_buffers_cut_the_same_bodies_and_lines(
    values: list[dict[str, Any]], cuts: list[int]
) -> None:
    """Strings with newlines, non-ASCII keys and values, any number: both
    give the body and lines of the encoder, cut anywhere."""
    kinds = KINDS if COMPILED else ["python"]
    outcomes = []
    for kind in kinds:
        buffer, encoder, _calls = make(kind, batch_size=1000)
        for v in values:
            buffer.add(Point(**v))
        pieces = [batch(buffer, cut) for cut in cuts]
        pieces.append(batch(buffer, len(values)))
        outcomes.append([(piece.body, list(piece)) for piece in pieces])
        lines = [line for piece in pieces for line in piece]
        assert lines == [encoder.encode(Point(**v)) for v in values]
    assert all(outcome == outcomes[0] for outcome in outcomes)


@pytest.mark.parametrize("kind", KINDS)
def test_threads_adding_while_another_cuts_lose_and_tear_no_line(kind: str) -> None:
    """Four threads add 20,000 points each while a fifth cuts batches: every
    line comes out whole, exactly once."""
    buffer, encoder, _calls = make(kind, batch_size=10**9, pause_every=64)
    per_thread, threads = 20_000, 4
    done = threading.Event()
    taken: list[str] = []

    def produce(first: int) -> None:
        for n in range(first, per_thread * threads, threads):
            buffer.add(point(n, note="x" * (n % 7)))

    def cut() -> None:
        while not done.is_set():
            taken.extend(batch(buffer, 97))
        taken.extend(batch(buffer, 10**9))

    cutter = threading.Thread(target=cut)
    cutter.start()
    producers = [threading.Thread(target=produce, args=(i,)) for i in range(threads)]
    for producer in producers:
        producer.start()
    for producer in producers:
        producer.join()
    done.set()
    cutter.join()
    expected = sorted(
        encoder.encode(point(n, note="x" * (n % 7)))
        for n in range(per_thread * threads)
    )
    assert sorted(taken) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_no_line_goes_in_after_the_buffer_closed(kind: str) -> None:
    buffer, _encoder, calls = make(kind, batch_size=10**9, pause_every=10**9)
    added = threading.Barrier(3)
    counts = [0, 0]

    def produce(index: int) -> None:
        added.wait()
        while buffer.open:
            buffer.add(point(index))
            counts[index] += 1

    producers = [threading.Thread(target=produce, args=(i,)) for i in range(2)]
    for producer in producers:
        producer.start()
    added.wait()
    while len(buffer) < 1000:
        pass
    buffer.open = False
    sealed = len(batch(buffer, 10**9))
    for producer in producers:
        producer.join()
    refused = sum(1 for call in calls.made if call[0] == "refused")
    assert len(buffer) == 0
    assert sealed + refused == sum(counts)


class Gauge(models.InfluxMeasurement):
    """A model for the writer-level tests."""

    class Meta:
        measurement = "line_buffer_gauge"

    value = fields.IntegerField()
    note = fields.StringField(null=True)
    host = fields.InfluxTag()


@pytest.fixture(params=KINDS)
def buffer_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The writer with each buffer."""
    kind: str = request.param
    if kind == "compiled" and not COMPILED:
        pytest.skip("the compiled extension is not built here")
    if kind == "python":
        monkeypatch.setattr(line_buffer_module, "LineBuffer", None)
    return kind


@pytest.fixture
def server(influx_url: str) -> Iterator[str]:
    influxpy.connections.close_all()
    influxpy.connect(influx_url)
    Gauge.series.drop()
    yield influx_url
    influxpy.connections.close_all()


def test_the_batch_writer_writes_newlines_and_odd_values_through_either_buffer(
    server: str, buffer_kind: str
) -> None:
    """A string value holding a newline and a non-ASCII tag reach the real
    server as written, whichever buffer cut the batches."""
    notes = ["plain", "two\nlines", 'quote " and \\', "é ü", None]
    with Gauge.series.batch_writer(batch_size=3, flush_interval=None) as writer:
        for n in range(25):
            writer.add(Gauge(time=n, value=n, note=notes[n % 5], host=f"hé{n % 2}"))
    assert writer.written == 25
    got = {(p["value"], p["note"], p["host"]) for p in Gauge.series.points()}
    assert got == {(n, notes[n % 5], f"hé{n % 2}") for n in range(25)}


def test_a_closed_writer_refuses_add_with_either_buffer(
    server: str, buffer_kind: str
) -> None:
    writer = Gauge.series.batch_writer()
    writer.add(Gauge(time=1, value=1, host="a"))
    writer.close()
    with pytest.raises(ValueError, match="is closed"):
        writer.add(Gauge(time=2, value=2, host="a"))
    other = Gauge.series.batch_writer()
    with pytest.raises(TypeError, match="takes Gauge instances"):
        other.add(Obj(value=1))  # type: ignore[arg-type]
    other.close()
    assert Gauge.series.count() == 1


def test_a_closed_writer_is_collected(server: str, buffer_kind: str) -> None:
    """The buffer's calls hold the writer: the cycle is collected."""
    writer = Gauge.series.batch_writer()
    writer.add(Gauge(time=1, value=1, host="a"))
    writer.close()
    gone = weakref.ref(writer)
    del writer
    gc.collect()
    assert gone() is None


def test_the_async_writer_writes_through_either_buffer(
    server: str, buffer_kind: str
) -> None:
    async def write() -> int:
        async with Gauge.series.abatch_writer(batch_size=7) as writer:
            for n in range(50):
                await writer.add(Gauge(time=n, value=n, note="a\nb", host="h"))
        return int(writer.written)

    assert asyncio.run(write()) == 50
    assert sorted(p["value"] for p in Gauge.series.points()) == list(range(50))
    assert {p["note"] for p in Gauge.series.points()} == {"a\nb"}
