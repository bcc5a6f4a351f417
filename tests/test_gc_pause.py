"""The garbage collector's pause while results are built, across threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from influxpy._utils import gc_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_overlapping_pauses_in_two_threads_keep_the_collector_off_until_the_last_ends(
    collector_on: None,
) -> None:
    inside = threading.Event()
    release = threading.Event()
    seen: list[bool] = []

    def second_reader() -> None:
        with gc_paused():
            inside.set()
            release.wait(timeout=30)
            seen.append(gc.isenabled())

    with gc_paused():
        worker = threading.Thread(target=second_reader)
        worker.start()
        assert inside.wait(timeout=30)
    # The first pause has ended while the second thread is still inside its own.
    assert not gc.isenabled()
    release.set()
    worker.join(timeout=30)
    assert seen == [False]
    assert gc.isenabled()


def test_nested_pauses_restore_the_collector_once(collector_on: None) -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_an_error_inside_still_ends_the_pause(collector_on: None) -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


class _Collections:
    """The collector's full (oldest generation) passes while it is counted."""

    def __init__(self) -> None:
        self.full = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            self.full += 1


@pytest.fixture
def full_passes(collector_on: None) -> Iterator[_Collections]:
    gc.collect()
    counted = _Collections()
    gc.callbacks.append(counted)
    try:
        yield counted
    finally:
        gc.callbacks.remove(counted)


ROWS = 200_000
TEXTS = [
    # The rows as the SQL orders them (the texts hold every tag).
    "SELECT * FROM m",
    # The heap replayed, times alone, then times and texts (``label`` ties
    # across the series).
    "SELECT v FROM m",
    "SELECT label, v FROM m",
    # Texts that order the series: handed over as columns, nothing replayed.
    "SELECT v, host FROM m",
]


def _lines() -> list[str]:
    return [
        f'm,host=h{i % 50:02d} label="l{(i // 50) % 3}",v={i % 7} {(i // 50) * 10**9}'
        for i in range(ROWS)
    ]


@pytest.mark.parametrize("text", TEXTS)
def test_the_engine_builds_a_large_answer_without_full_collections(
    full_passes: _Collections, text: str
) -> None:
    """Each batch of rows is built with the collector paused: without the
    pauses, 200,000 rows cost it several full passes over every object of
    the process; with them, it runs its young generations once a batch."""
    import influxpy

    backend = influxpy.connect("duckdb://:memory:", alias="gc-pause-engine")
    try:
        backend.write_lines(_lines())
        full_passes.full = 0
        (result,) = list(backend.statements(text, params=None))
        assert sum(len(s.values) for s in result.series) == ROWS
        assert full_passes.full == 0, text
        assert gc.isenabled()
    finally:
        backend.close()


def test_the_http_backend_decodes_a_large_answer_without_full_collections(
    full_passes: _Collections, influx_url: str
) -> None:
    """msgpack and JSON pieces are decoded with the collector paused."""
    import influxpy

    backend = influxpy.connect(influx_url, alias="gc-pause-http")
    try:
        backend.write_lines(_lines())
        full_passes.full = 0
        (result,) = list(backend.statements("SELECT v, host FROM m", params=None))
        assert sum(len(s.values) for s in result.series) == ROWS
        assert full_passes.full == 0
        assert gc.isenabled()
    finally:
        backend.close()


def test_streaming_a_large_aggregate_runs_no_full_collection(
    full_passes: _Collections,
) -> None:
    """An aggregate's batch of rows lives while its pieces are handed over:
    held as tuples, the collector stops tracking them at its first pass, and
    each piece's lists die before the collector runs again, so a stream of
    many windows promotes nothing to the oldest generation."""
    import influxpy
    from influxpy import fields, models
    from influxpy.aggregates import Mean
    from influxpy.durations import Second

    class Metric(models.InfluxMeasurement):
        class Meta:
            measurement = "m"

        v = fields.FloatField()
        host = fields.InfluxTag()

    backend = influxpy.connect("duckdb://:memory:", alias="gc-pause-stream")
    try:
        # 250 hosts, one point per second each for 4,000 s: 1,000,000 windows.
        backend.write_lines(
            f"m,host=h{h:03d} v={(h * t) % 11} {t * 10**9}"
            for t in range(4000)
            for h in range(250)
        )
        qs = (
            Metric.series.using("gc-pause-stream")
            .filter(time__gte=0, time__lt=4000 * 10**9)
            .annotate(Mean("v"))
            .resolution(Second(1))
            .group_by("host")
            .epoch()
        )
        # What the writes left pending counts for nothing here.
        gc.collect()
        full_passes.full = 0
        rows = sum(len(piece) for piece in qs.iterator(chunk_size=10_000))
        assert rows == 1_000_000
        assert full_passes.full == 0
        assert gc.isenabled()
    finally:
        backend.close()
