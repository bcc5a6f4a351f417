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
