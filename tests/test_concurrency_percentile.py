"""A percentile read while points are written is exact for one committed state.

The engine's percentile over a table's rows runs statements first: one
brackets the point from a sample, one picks it among the rows beyond the
bracket (or, when it cannot, one finds it in SQL); the percentile's own
statement then reads that point's row by its time and value
(``compilers/duckdb/percentile.py``, ``Binding``). A write may commit
between any two of them: all must read one snapshot, or the bracket could
come from fewer points than the rows it steers, and the row picked could
be gone (overwritten) when it is read. Here each batch written moves the
99th percentile far above the last, so a bracket drawn before a write
misses after it; every answer the readers get must be the exact percentile
of the points stored before some number of the batches, and the last one
of all of them. Loops are bounded by counts, never by time.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy import Percentile, fields, models
from influxpy.backends.duckdb import stream
from influxpy.compilers.duckdb import percentile
from influxpy.compilers.duckdb.plan import bindings_of

S = 1_000_000_000
T0 = 1_577_923_200 * S
STORED = 20_000
BATCHES = 8
BATCH = 2_000
READERS = 2
READS = 30


class Spread(models.InfluxMeasurement):
    """The measurement written and read."""

    class Meta:
        measurement = "pct_stress"

    v = fields.FloatField()


def _points() -> tuple[list[tuple[int, float]], list[list[tuple[int, float]]]]:
    """The points stored first, and the batches written while reading:
    batch ``b``'s values all lie above every value before it."""
    rng = random.Random(42)
    first = [(i, rng.random() * 100) for i in range(STORED)]
    batches = [
        [
            (STORED + b * BATCH + j, 100.0 * (b + 1) + rng.random() * 100)
            for j in range(BATCH)
        ]
        for b in range(BATCHES)
    ]
    return first, batches


def _nearest_rank(points: list[tuple[int, float]], p: float) -> tuple[int, float]:
    ranked = sorted(points, key=lambda tv: (tv[1], tv[0]))
    k = math.floor(len(ranked) * p / 100 + 0.5)
    return ranked[k - 1]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Half the table's vectors: a bracket that holds for the rows it was
    # drawn from, and misses once a batch above them is written.
    monkeypatch.setattr(percentile, "SAMPLE", "50% (system)")
    backend = influxpy.connect("duckdb://:memory:", alias="pct-stress")
    try:
        yield "pct-stress"
    finally:
        backend.close()


def _save(alias: str, points: list[tuple[int, float]]) -> None:
    """Write *points* in one batch (one transaction)."""
    Spread.series.using(alias).bulk_create(
        (Spread(time=T0 + t * S, v=v) for t, v in points), batch_size=len(points)
    )


def test_a_percentile_read_during_writes_is_exact_for_a_committed_state(
    engine: str,
) -> None:
    first, batches = _points()
    _save(engine, first)
    states = [first]
    for batch in batches:
        states.append([*states[-1], *batch])
    # The point at the nearest rank of each committed state, in seconds.
    expected = {_nearest_rank(state, 99): n for n, state in enumerate(states)}
    assert len(expected) == len(states)
    qs = Spread.series.using(engine).filter(time__gte=T0).epoch()
    call = qs.annotate(Percentile("v", 99))
    compiled = call.query.compile(influxpy.connections[engine].get_compiler(None))
    assert bindings_of(compiled), "the bracket runs first"

    answers: list[tuple[int, float]] = []
    failures: list[BaseException] = []
    start = threading.Barrier(READERS + 1)

    def read() -> None:
        try:
            start.wait()
            for _ in range(READS):
                (row,) = list(call.points())
                answers.append(((row["time"] - T0) // S, row["percentile"]))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    start.wait()
    for batch in batches:
        _save(engine, batch)
    for thread in readers:
        thread.join()
    assert not failures, failures
    assert len(answers) == READERS * READS
    seen = {expected.get(answer, -1) for answer in answers}
    assert -1 not in seen, [a for a in answers if a not in expected]
    (row,) = list(call.points())
    assert ((row["time"] - T0) // S, row["percentile"]) == _nearest_rank(states[-1], 99)


def _write_after_bindings(
    engine: str, batches: list[list[tuple[int, float]]], mp: pytest.MonkeyPatch
) -> list[list[tuple[int, float]]]:
    """Make each read commit the next of *batches* right after the
    statements run first and before the percentile's own; return the
    batches not written yet."""
    pending = list(batches)
    bound_params = stream.bound_params

    def bound_then_write(cursor: Any, compiled: Any) -> dict[str, Any]:
        params = bound_params(cursor, compiled)
        if pending:
            _save(engine, pending.pop(0))
        return params

    mp.setattr(stream, "bound_params", bound_then_write)
    return pending


def test_a_write_between_the_bracket_and_the_rows_is_not_read(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each batch is committed right after the statements run first (the
    # bracket, the pick in its tail) and before the percentile's own
    # statement reads the row they found: all of them read one snapshot,
    # so the answer is the percentile of the points before the batch, and
    # the next read's that of the points after it.
    first, batches = _points()
    _save(engine, first)
    pending = _write_after_bindings(engine, batches, monkeypatch)
    call = Spread.series.using(engine).filter(time__gte=T0).epoch()
    call = call.annotate(Percentile("v", 99))
    stored = list(first)
    for batch in batches:
        (row,) = list(call.points())
        assert ((row["time"] - T0) // S, row["percentile"]) == _nearest_rank(stored, 99)
        stored += batch
    assert not pending
    (row,) = list(call.points())
    assert ((row["time"] - T0) // S, row["percentile"]) == _nearest_rank(stored, 99)


def test_a_point_overwritten_after_it_was_picked_is_read_as_it_was(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every point is written again with a new value right after the point
    # at the rank was picked (by its time and value) and before the
    # percentile's statement reads its row: that statement reads the
    # snapshot the pick was made in, where the row still has the value.
    first, _batches = _points()
    _save(engine, first)
    rewrites = [[(t, v + 1000.0 * (b + 1)) for t, v in first] for b in range(3)]
    pending = _write_after_bindings(engine, rewrites, monkeypatch)
    call = Spread.series.using(engine).filter(time__gte=T0).epoch()
    call = call.annotate(Percentile("v", 99))
    stored = first
    for rewrite in rewrites:
        (row,) = list(call.points())
        assert ((row["time"] - T0) // S, row["percentile"]) == _nearest_rank(stored, 99)
        stored = rewrite
    assert not pending
