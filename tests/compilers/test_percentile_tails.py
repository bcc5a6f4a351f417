"""The first step of a percentile near 0 or 100 per group, over a table's
rows: a statement of its own whose values the percentile's SQL binds
(compilers/duckdb/percentile_tails.py). The answers themselves are checked
against a full sort in test_percentile_rank.py, every way the groups go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import duckdb
import numpy as np
import pytest

import influxpy
from influxpy import fields, models
from influxpy.aggregates import Percentile
from influxpy.compilers.duckdb import percentile_tails
from influxpy.compilers.duckdb.percentile_tails import (
    MIN_SAMPLED,
    SAMPLED_SHARE,
    WIDTHS,
    thresholds_of_sample,
    thresholds_used,
    widths_for,
)
from influxpy.compilers.duckdb.plan import SelectPlan


class Load(models.InfluxMeasurement):
    """Points of one host each."""

    class Meta:
        measurement = "percentile_tails"

    cpu = fields.FloatField()
    host = fields.InfluxTag(null=True)


@pytest.fixture
def engine() -> Iterator[str]:
    influxpy.connect("duckdb://:memory:", alias="percentile-tails")
    try:
        yield "percentile-tails"
    finally:
        influxpy.connections["percentile-tails"].close()


def _picked(widths: tuple[float, ...], fraction: float, m: int) -> float:
    """The width the thresholds' SQL picks for a group of *m* sampled
    values from the ladder *widths*, computed by DuckDB as the SQL does."""
    ladder = ", ".join(str(d) for d in widths)
    error = (
        f"{percentile_tails._SIGMAS} * sqrt({fraction!r} * (1.0 - {fraction!r}) "
        f"* {percentile_tails._CLUSTERING} / {m}) + {percentile_tails._SIGMAS} / {m}"
    )
    narrowest = f"1 + len(list_filter([{ladder}], lambda d: {error} > d))"
    ((width,),) = duckdb.execute(
        f"SELECT [{ladder}][least({narrowest}, {len(widths)})]"
    ).fetchall()
    return float(width)


@pytest.mark.parametrize(
    "fraction", [0.0, 0.001, 0.01, 0.05, 0.1, 0.9, 0.95, 0.99, 0.999, 1.0]
)
def test_the_ladder_left_gives_every_group_the_width_of_the_whole_ladder(
    fraction: float,
) -> None:
    # Only widths no group can take are left out: a group of any count of
    # sampled values from the least that gets a threshold up takes the
    # width it would take from the whole ladder.
    ladder = widths_for(fraction)
    assert ladder == WIDTHS[: len(ladder)]
    counts = [MIN_SAMPLED, MIN_SAMPLED + 1, 80, 100, 200, 1000, 10_000, 10**6]
    for m in counts:
        assert _picked(ladder, fraction, m) == _picked(WIDTHS, fraction, m), m
    # The widest left is taken by the fewest sampled values (no width is
    # kept that nothing takes).
    assert _picked(ladder, fraction, MIN_SAMPLED) == ladder[-1]


def test_the_99th_percentile_leaves_out_the_widest_picks() -> None:
    assert widths_for(0.99) == WIDTHS[:7]
    assert widths_for(0.9) == WIDTHS


def _arrays(m: list[int], th: list[float], *keys: list[Any]) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "m": np.array(m, dtype=np.int64),
        "th": np.ma.masked_invalid(np.array(th, dtype=np.float64)),
    }
    for i, key in enumerate(keys):
        columns[f"k{i}"] = np.ma.masked_array(
            [0 if v is None else v for v in key], mask=[v is None for v in key]
        )
    return columns


def test_thresholds_are_used_when_their_groups_hold_enough_of_the_sample() -> None:
    # Two groups with enough sampled values (one of them the group of rows
    # without the tag), one without: the first two hold 300 of 310 values.
    arrays = _arrays([100, 200, 10], [5.0, 7.0, 1.0], [3, None, 4], [10, 20, 30])
    on, edge, th, k0, k1 = thresholds_of_sample(
        arrays, upper=True, least=64, share=0.5, keys=2
    )
    assert (on, edge, th, k0, k1) == (True, 5.0, [5.0, 7.0], [3, None], [10, 20])
    # Below the median, the greatest threshold bounds the scan.
    assert thresholds_of_sample(arrays, upper=False, least=64, share=0.5, keys=2)[
        1
    ] == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("m", "share"),
    [
        ([10, 20], 0.5),  # no group has enough sampled values
        ([100, 200], 1.01),  # more than all of them asked for
        ([], 0.5),  # nothing sampled
        ([0, 0], 0.0),  # groups of no sampled value
    ],
)
def test_no_threshold_when_their_groups_hold_too_little(
    m: list[int], share: float
) -> None:
    arrays = _arrays(m, [1.0] * len(m), list(range(len(m))))
    assert thresholds_of_sample(arrays, upper=True, least=64, share=share, keys=1) == [
        False,
        None,
        [],
        [],
    ]


@pytest.mark.parametrize(
    "m",
    [
        [100, 200, 10],
        [10, 20],
        [],
        [64, 63],
        [64, 65],
        [63, 65, 1],
        [1000] + [10] * 99,
        [100] + [10] * 10,
        [1000] + [10] * 101,
    ],
)
def test_the_rule_in_sql_is_the_rule_of_the_sample(m: list[int]) -> None:
    # A subquery's statement decides in SQL what a table's binding decides
    # in Python: the same way for the same groups.
    relation = (
        f"(SELECT * FROM (VALUES {', '.join(f'({v})' for v in m)}) AS s(m))"
        if m
        else "(SELECT 1 AS m WHERE FALSE)"
    )
    ((used,),) = duckdb.execute(
        f"SELECT {thresholds_used('m')} FROM {relation}"
    ).fetchall()
    arrays = _arrays(m, [1.0] * len(m), list(range(len(m))))
    on = thresholds_of_sample(
        arrays, upper=True, least=MIN_SAMPLED, share=SAMPLED_SHARE, keys=1
    )[0]
    assert bool(used) is on


def test_a_tables_step_one_runs_first_and_the_statement_reads_no_sample(
    engine: str,
) -> None:
    backend = cast(Any, influxpy.connections[engine])
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    Load.series.using(engine).bulk_create([Load(time=t0, cpu=1.0, host="a")])
    qs = (
        Load.series.using(engine)
        .filter(time__gte=t0)
        .annotate(Percentile("cpu", 99))
        .group_by("host")
    )
    compiled = qs.query.compile(backend.get_compiler(None))
    plan = compiled.plan
    assert isinstance(plan, SelectPlan)
    (first,) = plan.bindings
    assert "TABLESAMPLE" in first.text
    assert first.columns
    assert first.names[:3] == ("bound0_on", "bound0_edge", "bound0_th")
    assert "TABLESAMPLE" not in compiled.text
    assert "$bound0_on" in compiled.text
    assert "$bound0_edge" in compiled.text
    # Over a subquery's rows the sample is drawn in the statement itself.
    nested = (
        Load.series.using(engine)
        .filter(time__gte=t0)
        .subquery()
        .annotate(Percentile("cpu", 99))
        .group_by("host")
    )
    compiled = nested.query.compile(backend.get_compiler(None))
    assert isinstance(compiled.plan, SelectPlan)
    assert not compiled.plan.bindings
    assert "USING SAMPLE" in compiled.text
