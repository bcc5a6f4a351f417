"""The typed plan the engine's compiler hands its backend."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from tests._models import ServerMeasurement

import influxpy
import influxpy.backends.duckdb.backend as engine
from influxpy.compilers.base import Compiled
from influxpy.compilers.duckdb.plan import EmptyPlan, IntoPlan, SelectPlan
from influxpy.exceptions import ProgrammingError

T0 = 1_704_067_200_000_000_000


@pytest.fixture
def memory() -> Iterator[engine.DuckDBBackend]:
    conn = influxpy.connect("duckdb://:memory:", alias="plans")
    assert isinstance(conn, engine.DuckDBBackend)
    yield conn
    influxpy.connections.close_all()


def test_compiler_returns_typed_frozen_plans(memory: engine.DuckDBBackend) -> None:
    """A SELECT of a missing table is empty; of a stored one, a SelectPlan
    naming the series' keys and columns; an INTO names its target."""
    series = ServerMeasurement.series.using("plans")
    compiler = memory.get_compiler()
    assert series.only("cpu").query.compile(compiler).plan == EmptyPlan()
    series.bulk_create([ServerMeasurement(time=T0, name="a", region="r", cpu=1.5)])
    compiled = series.only("cpu").group_by("name").query.compile(memory.get_compiler())
    plan = compiled.plan
    assert isinstance(plan, SelectPlan)
    assert (plan.measurement, plan.group_keys, plan.columns) == (
        ServerMeasurement._meta.measurement,
        ("name",),
        ("cpu",),
    )
    assert plan.stream is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.measurement = "other"  # type: ignore[misc]
    into = series.only("cpu").into("copy").query.compile(memory.get_compiler())
    assert isinstance(into.plan, IntoPlan)
    assert (into.plan.measurement, into.plan.columns) == ("copy", ("cpu",))


def test_engine_refuses_a_statement_without_its_plan(
    memory: engine.DuckDBBackend,
) -> None:
    """Text the engine's compiler did not produce is refused with a
    sentence naming the compiler, not a KeyError."""
    with pytest.raises(ProgrammingError, match="DuckDBCompiler"):
        list(memory.execute(Compiled("SELECT 1")))


def test_texts_of_every_tag_replay_only_where_a_row_lacks_one(
    memory: engine.DuckDBBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A raw SELECT whose texts hold every tag runs the statement ordered
    by its texts while no row read lacks one (the heap is not replayed),
    and replays the heap once a series without a tag is among the rows;
    the check and the rows share one snapshot."""
    import influxpy.backends.duckdb.reading as reading

    replays: list[dict[object, object]] = []
    real = reading.heap_ordered

    def counted(*args: object, **kwargs: object) -> object:
        # The shard groups to replay, filled as the rows start.
        replays.append(kwargs["firsts"])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "heap_ordered", counted)
    memory.create_database("plans_db")
    lines = [f"m,dc=d{s % 2},host=h{s} v={s}i {t}" for t in range(3) for s in range(4)]
    memory.write_lines("\n".join(lines), database="plans_db")
    text = "SELECT dc, host, v FROM m"

    def values() -> list[int]:
        answer = memory.query(text, database="plans_db")
        return [point["v"] for series in answer for point in series.points]

    assert values() == [0, 2, 1, 3] * 3  # by dc, then host
    assert replays == []  # the statement ordered by its texts ran
    memory.write_lines("m,dc=d0 v=9i 1", database="plans_db")
    found = values()
    assert found[:4] == [0, 2, 1, 3]
    assert sorted(found[4:9]) == [0, 1, 2, 3, 9]
    assert found[9:] == [0, 2, 1, 3]
    assert [len(firsts) for firsts in replays] == [1]  # its one shard group
