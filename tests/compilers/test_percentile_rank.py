"""The engine's PERCENTILE over all rows equals a full sort by (value, time).

compilers/duckdb/percentile.py brackets the nearest-rank point with a
sample, or selects it with ``quantile_disc`` and a correction when the
bracket misses, instead of ranking every row; here its answers are compared
with sorting in Python on every tie pattern of up to four points over three
values in every time order, and on random sets with many ties, at
percentiles whose ranks round up, round down or land exactly. The sample is
made to take every row (the bracket holds, or with no width holds only
sometimes) or none (it always misses), so that each way is checked on every
case.

The SQL only compares values and times, so two sets whose points have the
same order of values (ties included) in time order get the same answer up
to relabelling: each such pattern is one case. A query's text does not
depend on the tag or the percentile (both are parameters), so it is
prepared once per way and executed for every case; for up to four points
the answer depends on the percentile only through the nearest rank and
``quantile_disc``'s rank (the bracket is then all the values: its width is
at least 4/n), so one percentile per pair of ranks is run.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Iterator
from typing import Any, cast

import pytest

import influxpy
from influxpy import F, Percentile, Second, fields, models
from influxpy.backends.duckdb.stream import bound_params
from influxpy.compilers.duckdb import (
    percentile,
    percentile_arrays,
    percentile_groups,
    percentile_tails,
)
from influxpy.compilers.duckdb.plan import Binding
from influxpy.functions import Func

S = 1_000_000_000
T0 = 1_577_836_800 * S
PERCENTS = [0, 1, 25, 33.3, 49.9, 50, 50.1, 66.7, 99, 99.9, 100]


class Sample(models.InfluxMeasurement):
    """One data set per ``case`` tag."""

    class Meta:
        measurement = "percentile_rank"

    v = fields.FloatField()
    case = fields.InfluxTag()


def tie_patterns() -> list[list[tuple[int, float]]]:
    """Every order of values (ties included) of 1 to 4 points over 3 values,
    the points at times 0, 1, ...: each value the rank of its level."""
    patterns = set()
    for size in range(1, 5):
        for values in itertools.product(range(3), repeat=size):
            levels = sorted(set(values))
            patterns.add(tuple(levels.index(v) for v in values))
    return [
        [(t, float(v)) for t, v in enumerate(pattern)] for pattern in sorted(patterns)
    ]


def random_sets() -> list[list[tuple[int, float]]]:
    """(time, value) sets of 5 to 101 points with few or many ties."""
    rng = random.Random(7)
    sets = []
    for size in [5, 10, 19, 101]:
        for spread in (2, 5, 1000):
            times = rng.sample(range(10_000), size)
            drawn = [float(rng.randrange(spread)) for _ in range(size)]
            sets.append(list(zip(times, drawn, strict=True)))
    return sets


def by_sort(points: list[tuple[int, float]], p: float) -> list[tuple[int, float]]:
    ranked = sorted(points, key=lambda tv: (tv[1], tv[0]))
    k = math.floor(len(points) * p / 100 + 0.5)
    return [ranked[k - 1]] if 1 <= k <= len(points) else []


def test_tie_patterns_cover_every_order_of_up_to_four_points() -> None:
    # Ordered partitions of n points into at most 3 levels: 1, 3, 13, 51.
    sizes = [len(points) for points in tie_patterns()]
    assert [sizes.count(n) for n in range(1, 5)] == [1, 3, 13, 51]


@pytest.fixture
def engine() -> Iterator[str]:
    backend = influxpy.connect("duckdb://:memory:", alias="percentile-rank")
    try:
        yield "percentile-rank"
    finally:
        backend.close()


#: (sample, bracket half-widths, tail share, window share) of
#: compilers/duckdb/percentile.py: a tail share of 2 keeps (fetches) every
#: tail; else a window share of 2 fetches every table's bracket's rows;
#: both 0, nothing is kept or fetched (the rows inside the bracket are
#: read again).
WAYS = {
    "bracket": ("100% (system)", percentile.BRACKET_WIDTHS, 0.0, 0.0),
    "bracket, tail kept": ("100% (system)", percentile.BRACKET_WIDTHS, 2.0, 0.0),
    "bracket, window fetched": ("100% (system)", percentile.BRACKET_WIDTHS, 0.0, 2.0),
    "bracket without width": ("100% (system)", (0.0,), 0.0, 0.0),
    "bracket without width, tail kept": ("100% (system)", (0.0,), 2.0, 0.0),
    "bracket without width, window fetched": ("100% (system)", (0.0,), 0.0, 2.0),
    "exact": (
        "0% (system)",
        percentile.BRACKET_WIDTHS,
        percentile.TAIL_SHARE,
        percentile.WINDOW_SHARE,
    ),
}


def _way(way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the percentile of a table's or subquery's rows take *way*."""
    sample, widths, tail, window = WAYS[way]
    monkeypatch.setattr(percentile, "SAMPLE", sample)
    monkeypatch.setattr(percentile, "BRACKET_WIDTHS", widths)
    monkeypatch.setattr(percentile, "TAIL_SHARE", tail)
    monkeypatch.setattr(percentile, "WINDOW_SHARE", window)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    return f"CAST({float(value)!r} AS DOUBLE)"


class Prepared:
    """Runs compiled QuerySets as prepared statements, one per distinct text."""

    def __init__(self, alias: str) -> None:
        self.backend = cast(Any, influxpy.connections[alias])
        self.cursor = self.backend._cursor()
        self.names: dict[str, str] = {}

    def points(
        self, qs: Any, bracket: dict[str, Any] | None = None
    ) -> list[tuple[int, Any]]:
        """The (time, value) rows of *qs*, as ``points()`` would give them;
        with *bracket*, its values given to the statements after the
        bracket's own (``Binding``) instead of those it finds, by the end
        of their names."""
        compiled = qs.query.compile(self.backend.get_compiler(None))
        name = self.names.get(compiled.text)
        if name is None:
            name = self.names[compiled.text] = f"percentile_{len(self.names)}"
            self.cursor.execute(f"PREPARE {name} AS {compiled.text}")
        if bracket is not None:
            compiled = _with_bracket(compiled, bracket)
        params = bound_params(self.cursor, compiled).items()
        values = ", ".join(f"{k} := {_literal(v)}" for k, v in params)
        rows: list[tuple[int, Any]] = self.cursor.execute(
            f"EXECUTE {name}({values})"
        ).fetchall()
        return rows


def _with_bracket(compiled: Any, bracket: dict[str, Any]) -> Any:
    """*compiled* with its bracket's statement giving *bracket*'s values
    (by the end of their names) in place of those it finds."""

    def replaced(binding: Binding) -> Binding:
        if not binding.names[0].endswith("_lo"):
            return binding
        found = binding.derive
        assert found is not None

        def derive(*row: Any) -> list[Any]:
            values = found(*row)
            return [
                bracket.get(name.rsplit("_", 1)[-1], value)
                for name, value in zip(binding.names, values, strict=True)
            ]

        return dataclasses.replace(binding, derive=derive)

    bindings = tuple(map(replaced, compiled.plan.bindings))
    return compiled._replace(plan=dataclasses.replace(compiled.plan, bindings=bindings))


def quantile_ranks(alias: str, size: int) -> dict[float, tuple[int, int]]:
    """For each percentile, the nearest rank and ``quantile_disc``'s rank
    among *size* values."""
    cursor = cast(Any, influxpy.connections[alias])._cursor()
    ranks = {}
    for p in PERCENTS:
        (chosen,) = cursor.execute(
            "SELECT quantile_disc(i, least(greatest("
            f"{_literal(p)} / 100.0, 0.0), 1.0)) FROM range(1, {size + 1}) AS t(i)"
        ).fetchone()
        ranks[p] = (math.floor(size * p / 100 + 0.5), int(chosen))
    return ranks


def cases(alias: str) -> list[tuple[int, list[tuple[int, float]], list[float]]]:
    """(case, points, percentiles): every tie pattern at one percentile per
    pair of ranks, every random set at every percentile."""
    out = []
    for i, points in enumerate(tie_patterns()):
        distinct = {ranks: p for p, ranks in quantile_ranks(alias, len(points)).items()}
        out.append((i, points, sorted(distinct.values())))
    first = len(out)
    out.extend((first + i, s, PERCENTS) for i, s in enumerate(random_sets()))
    return out


def stored_cases(alias: str) -> list[tuple[int, list[tuple[int, float]], list[float]]]:
    """``cases()``, each written to the store of *alias* as its ``case`` tag."""
    todo = cases(alias)
    Sample.series.using(alias).bulk_create(
        Sample(time=T0 + t * S, v=v, case=str(i))
        for i, points, _ in todo
        for t, v in points
    )
    return todo


@pytest.mark.parametrize("way", list(WAYS))
def test_percentile_equals_the_point_at_the_rank_of_a_full_sort(
    engine: str, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _way(way, monkeypatch)
    todo = stored_cases(engine)
    run = Prepared(engine)
    for i, points, percents in todo:
        qs = Sample.series.using(engine).filter(case=str(i))
        for p in percents:
            rows = run.points(qs.annotate(Func("percentile", F("v"), p)).epoch())
            got = [((t - T0) // S, v) for t, v in rows]
            assert got == by_sort(points, p), (points, p)
    # One text per way: the tag and the percentile are parameters.
    assert len(run.names) == 1
    # The QuerySet itself gives what the prepared statement gives.
    qs = Sample.series.using(engine).filter(case=str(todo[-1][0]))
    for p in PERCENTS:
        call = qs.annotate(Func("percentile", F("v"), p)).epoch()
        got = [((row["time"] - T0) // S, row["percentile"]) for row in call.points()]
        assert got == by_sort(todo[-1][1], p), p


@pytest.mark.parametrize("way", list(WAYS))
def test_percentile_of_a_subquery_equals_the_point_at_the_rank_of_a_full_sort(
    engine: str, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A subquery's rows are bracketed inside the percentile's statement
    # (no statement runs first): every way there too, on every other case.
    _way(way, monkeypatch)
    backend = cast(Any, influxpy.connections[engine])
    for i, points, percents in stored_cases(engine)[::2]:
        for p in percents:
            text = (
                f"SELECT percentile(v, {p}) FROM (SELECT v FROM percentile_rank "
                f"WHERE \"case\" = '{i}')"
            )
            got = [
                ((row["time"] - T0) // S, row["percentile"])
                for series in backend.query(text, epoch="ns")
                for row in series.points
            ]
            assert got == by_sort(points, p), (way, points, p)


#: Brackets bound instead of the one the sample gives: the bracket only
#: decides how much the statement sorts, never its answer.
WRONG_BRACKETS = [
    {"lo": 0.0, "hi": 0.0, "upper": True, "tail": True, "window": False},
    {"lo": 2.0, "hi": 2.0, "upper": False, "tail": True, "window": False},
    {"lo": 1.0, "hi": 0.0, "upper": True, "tail": False, "window": False},
    {"lo": -5.0, "hi": 5.0, "upper": False, "tail": False, "window": False},
    {"lo": -5.0, "hi": 5.0, "upper": True, "tail": True, "window": False},
    {"lo": 0.5, "hi": 1.5, "upper": True, "tail": True, "window": False},
    {"lo": 0.5, "hi": 1.5, "upper": False, "tail": False, "window": False},
    {"lo": None, "hi": None, "upper": None, "tail": None, "window": None},
    {"lo": 1.0, "hi": None, "upper": True, "tail": True, "window": False},
    {"lo": 0.5, "hi": 1.5, "upper": True, "tail": False, "window": True},
    {"lo": 1.0, "hi": 0.0, "upper": False, "tail": False, "window": True},
    {"lo": -5.0, "hi": 5.0, "upper": True, "tail": False, "window": True},
    {"lo": 0.0, "hi": 1.0, "upper": True, "tail": True, "window": True},
    {"lo": None, "hi": 1.0, "upper": True, "tail": None, "window": True},
    {"lo": 2.0, "hi": 2.0, "upper": False, "tail": False, "window": True},
]


def test_any_bracket_bound_gives_the_point_at_the_rank_of_a_full_sort(
    engine: str,
) -> None:
    # The bracket is a statement of its own whose row the percentile's SQL
    # binds: whatever values are bound, right or wrong, held or missed,
    # kept or read again, the answer is the point at the nearest rank.
    todo = stored_cases(engine)
    run = Prepared(engine)
    qs = Sample.series.using(engine).filter(time__gte=T0)
    compiled = qs.annotate(Func("percentile", F("v"), 50)).query.compile(
        run.backend.get_compiler(None)
    )
    assert compiled.plan.bindings, "the bracket is a statement of its own"
    # Each case and percentile with one of the brackets in turn.
    turn = itertools.cycle(WRONG_BRACKETS + WRONG_BRACKETS[:1])
    for i, points, percents in todo:
        one = qs.filter(case=str(i))
        for p in percents:
            call = one.annotate(Func("percentile", F("v"), p)).epoch()
            bracket = next(turn)
            rows = run.points(call, bracket)
            got = [((t - T0) // S, v) for t, v in rows]
            assert got == by_sort(points, p), (points, p, bracket)


@pytest.mark.parametrize(("tail", "window"), [(0.0, 0.0), (2.0, 0.0), (0.0, 2.0)])
@pytest.mark.parametrize("sample", ["1% (system)", "50% (system)", "100% (system)"])
def test_percentile_over_several_vectors_of_trending_values(
    engine: str,
    sample: str,
    tail: float,
    window: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Values that rise with time, in vectors of 2,048 rows: the sampled
    # vectors differ, so the bracket widens (or misses) and stays exact,
    # whether the tail beyond it or the rows inside it are fetched, or the
    # bracket's rows read again.
    monkeypatch.setattr(percentile, "SAMPLE", sample)
    monkeypatch.setattr(percentile, "TAIL_SHARE", tail)
    monkeypatch.setattr(percentile, "WINDOW_SHARE", window)
    rng = random.Random(3)
    points = [(t, float(t // 7 + rng.randrange(3))) for t in range(9_000)]
    Sample.series.using(engine).bulk_create(
        Sample(time=T0 + t * S, v=v, case="trend") for t, v in points
    )
    qs = Sample.series.using(engine).filter(case="trend")
    for p in PERCENTS:
        got = [
            ((row["time"] - T0) // S, row["percentile"])
            for row in qs.annotate(Func("percentile", F("v"), p)).epoch().points()
        ]
        assert got == by_sort(points, p), p


#: (sample, least sampled values, standard errors, share of sampled rows
#: for thresholds) of a percentile in a tail
#: (compilers/duckdb/percentile_tails.py): as shipped; every group sampled
#: whole with a threshold just short of the rank (it holds or not); every
#: group sampled with a safe threshold (it holds); none sampled, or
#: thresholds turned off (every group answered by percentile_groups.py).
TAIL_WAYS = {
    "as shipped": (
        percentile_tails.SAMPLE,
        percentile_tails.MIN_SAMPLED,
        percentile_tails._SIGMAS,
        percentile_tails.SAMPLED_SHARE,
    ),
    "sampled, tight": ("100% (system)", 1, 0.0, 0.5),
    "sampled": ("100% (system)", 1, 4.0, 0.5),
    "not sampled": ("0% (system)", 1, 4.0, 0.5),
    "thresholds off": ("100% (system)", 1, 4.0, 2.0),
}


@pytest.fixture(params=list(TAIL_WAYS))
def tails(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    sample, least, sigmas, share = TAIL_WAYS[request.param]
    monkeypatch.setattr(percentile_tails, "SAMPLE", sample)
    monkeypatch.setattr(percentile_tails, "MIN_SAMPLED", least)
    monkeypatch.setattr(percentile_tails, "_SIGMAS", sigmas)
    monkeypatch.setattr(percentile_tails, "SAMPLED_SHARE", share)
    return str(request.param)


def by_sort_descending(points: list[tuple[int, float]], p: float) -> list[Any]:
    """The point at the nearest rank when ties of value go latest first."""
    ranked = sorted(points, key=lambda tv: (tv[1], -tv[0]))
    k = math.floor(len(points) * p / 100 + 0.5)
    return [ranked[k - 1]] if 1 <= k <= len(points) else []


@pytest.mark.parametrize("descending", [False, True])
def test_percentile_of_each_group_equals_the_point_at_the_rank_of_a_full_sort(
    engine: str, descending: bool, tails: str
) -> None:
    # Every tie pattern and random set is a group of its own (the ``case``
    # tag); grouped by the tag the point's time is reported, grouped by
    # windows of time only the value (the window's start is the time).
    todo = stored_cases(engine)
    sort = by_sort_descending if descending else by_sort
    qs = Sample.series.using(engine).filter(time__gte=T0, time__lt=T0 + 10_000 * S)
    if descending:
        qs = qs.order_by("-time")
    for p in PERCENTS:
        call = Func("percentile", F("v"), p)
        got = {
            row["case"]: ((row["time"] - T0) // S, row["percentile"])
            for row in qs.annotate(call).group_by("case").epoch().points()
        }
        expected = {
            str(i): sort(points, p)[0] for i, points, _ in todo if sort(points, p)
        }
        assert got == expected, p
        if p == 0:
            continue  # Percentile() refuses 0 (influxd answers nothing)
        windows = qs.annotate(Percentile("v", p)).group_by("case")
        windows = windows.resolution(Second(3600))
        got_values = {
            (row["case"], (row["time"] - T0) // S): row["percentile"]
            for row in windows.fill("none").epoch().points()
        }
        expected_values = {}
        for i, points, _ in todo:
            for start in range(0, 10_000, 3600):
                inside = [tv for tv in points if start <= tv[0] < start + 3600]
                picked = sort(inside, p)
                if picked:
                    expected_values[(str(i), start)] = picked[0][1]
        assert got_values == expected_values, p


@pytest.mark.parametrize("kept", [0.0, 2.0])
@pytest.mark.parametrize("descending", [False, True])
def test_percentile_of_large_groups_reads_again_only_the_rows_near_the_picks(
    engine: str,
    descending: bool,
    kept: float,
    tails: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Groups of 150 to 700 points, with few or many ties, one far below the
    # others: quantile_disc's picks at p and DELTA below it differ, so only
    # the rows from the least lower pick up (or up to the greatest pick)
    # are read again, kept in memory or scanned twice. The nearest rank is
    # the pick's own or the one before it, whose value lies below the pick.
    monkeypatch.setattr(percentile_groups, "KEPT_SHARE", kept)
    rng = random.Random(11)
    groups = {}
    for g, size in enumerate([150, 201, 333, 499, 700, 1001]):
        spread = [1_000_000, 10, 1000][g % 3]
        offset = -2_000_000.0 if g == 0 else 0.0
        times = rng.sample(range(10_000), size)
        groups[str(g)] = [(t, offset + float(rng.randrange(spread))) for t in times]
    Sample.series.using(engine).bulk_create(
        Sample(time=T0 + t * S, v=v, case=case)
        for case, points in groups.items()
        for t, v in points
    )
    sort = by_sort_descending if descending else by_sort
    qs = Sample.series.using(engine).filter(time__gte=T0, time__lt=T0 + 10_000 * S)
    if descending:
        qs = qs.order_by("-time")
    for p in [1, 5, 33.3, 49.9, 50.1, 66.7, 95, 97.5, 99, 99.5, 99.9]:
        call = Func("percentile", F("v"), p)
        got = {
            row["case"]: ((row["time"] - T0) // S, row["percentile"])
            for row in qs.annotate(call).group_by("case").epoch().points()
        }
        expected = {case: sort(points, p)[0] for case, points in groups.items()}
        assert got == expected, p


@pytest.mark.parametrize("descending", [False, True])
def test_percentile_in_a_tail_of_groups_of_many_vectors(
    engine: str, descending: bool, tails: str
) -> None:
    # Three groups of 12,000 points, interleaved in time as hosts write
    # them: uniform values with ties, values rising with time, and values
    # far below the others; the sample's vectors hold all three.
    rng = random.Random(5)
    groups: dict[str, list[tuple[int, float]]] = {"u": [], "trend": [], "low": []}
    for t in range(12_000):
        groups["u"].append((t, float(rng.randrange(500))))
        groups["trend"].append((t, float(t // 5 + rng.randrange(4))))
        groups["low"].append((t, -1e6 + rng.random()))
    Sample.series.using(engine).bulk_create(
        Sample(time=T0 + t * S, v=v, case=case)
        for t in range(12_000)
        for case, points in groups.items()
        for _, v in [points[t]]
    )
    sort = by_sort_descending if descending else by_sort
    qs = Sample.series.using(engine).filter(time__gte=T0, time__lt=T0 + 12_000 * S)
    if descending:
        qs = qs.order_by("-time")
    for p in [0.1, 5, 10, 90, 99.5, 99.99, 100]:
        got = {
            row["case"]: ((row["time"] - T0) // S, row["percentile"])
            for row in qs.annotate(Percentile("v", p)).group_by("case").epoch().points()
        }
        expected = {case: sort(points, p)[0] for case, points in groups.items()}
        assert got == expected, p
        # Windows in local time (the rows are not a table's: the sample is
        # drawn from them).
        windows = qs.annotate(Percentile("v", p)).group_by("case").fill("none")
        got_values = {
            (row["case"], (row["time"] - T0) // S): row["percentile"]
            for row in windows.resolution(Second(3600))
            .tz("Europe/Paris")
            .epoch()
            .points()
        }
        expected_values = {}
        for case, points in groups.items():
            # Paris is an hour ahead: its hours start on UTC's.
            for start in range(0, 12_000, 3600):
                inside = [tv for tv in points if start <= tv[0] < start + 3600]
                expected_values[(case, start)] = sort(inside, p)[0][1]
        assert got_values == expected_values, p


def test_the_bracket_of_a_sample_is_its_narrowest_safe_width() -> None:
    # The row of the bracket's statement: the sample's count, its picks at
    # the median, the lows and the highs, and the vectors' spread.
    widths = percentile.BRACKET_WIDTHS
    count = len(widths)
    picks = [50.0, *(float(-i) for i in range(1, count + 1))]
    picks += [float(i) for i in range(1, count + 1)]

    def bracket(row: tuple[Any, ...], fraction: float) -> tuple[Any, ...]:
        return percentile_arrays.bracket_of_sample(
            row, fraction=fraction, widths=widths, tail_share=percentile.TAIL_SHARE
        )

    # 100,000 values sampled at the 99th: 4 standard errors (two sampled
    # values counting as one) are 0.0018, so the third width, 0.002.
    assert bracket((100_000, picks, 0, None), 0.99) == (-3.0, 3.0, True, True)
    # Vectors that differ four times more than independent values would.
    spread = 4.0 * 40 / (4.0 * 100_000)
    assert bracket((100_000, picks, 40, spread), 0.99) == (-4.0, 4.0, True, True)
    # Below the median the tail read is the lower one; near it none is kept.
    assert bracket((100_000, picks, 0, None), 0.01) == (-3.0, 3.0, False, True)
    assert bracket((100_000, picks, 0, None), 0.5)[2:] == (True, False)
    # No sample: no bounds (the exact selection answers), the widest width.
    assert bracket((0, None, 0, None), 0.99) == (None, None, True, False)
    # Few values: the widest width, whatever the side.
    assert bracket((3, picks, 1, None), 0.99)[:2] == (-12.0, 12.0)


@pytest.mark.parametrize(
    "inner",
    ["sqrt(v - 40)", "log(v - 20, 10)", "pow(10, v * 4)", "v"],
)
def test_percentile_over_infinities_and_nan_is_the_exact_selection(
    engine: str, inner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A subquery's rows hold NaN and infinities where the math overflows:
    # a bracket reaching them (the whole sample, the widest width) answers
    # as the exact selection does (no sample at all).
    backend = influxpy.connections[engine]
    backend.write_lines([f"overflow v={i % 97} {i + 1}" for i in range(5_000)])
    monkeypatch.setattr(percentile, "BRACKET_WIDTHS", (1.0,))
    answers = {}
    for sample in ("100% (system)", "0% (system)"):
        monkeypatch.setattr(percentile, "SAMPLE", sample)
        answers[sample] = [
            [r.points for r in backend.query(text, epoch="ns")]
            for p in (1, 30, 50, 70, 99)
            for text in [
                f"SELECT percentile(d, {p}) FROM (SELECT {inner} AS d FROM overflow)"
            ]
        ]
    assert answers["100% (system)"] == answers["0% (system)"]


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.5, 0.99, 1.0])
def test_the_bracket_in_sql_is_the_bracket_of_a_sample(
    engine: str, fraction: float
) -> None:
    # A sample of a subquery's rows is bracketed in its own statement, by
    # SQL; a table's by ``bracket_of_values`` (``bracket_of_sample``'s rule)
    # after the sample's statement.
    # Both give the same bracket for vectors not told apart.
    cursor = cast(Any, influxpy.connections[engine])._cursor()
    widths = percentile.BRACKET_WIDTHS
    listed = percentile_arrays.sample_fractions(fraction, widths)
    for size in [0, 1, 3, 40, 1_000, 100_000]:
        sampled = (
            f"(SELECT count(x) AS {percentile._M}, quantile_disc(x, {listed}) "
            f"AS {percentile._LOWS} FROM (SELECT random() AS x "
            f"FROM range({size})))"
        )
        cursor.execute(f"CREATE OR REPLACE TEMP TABLE sampled AS {sampled}")
        row = cursor.execute("SELECT * FROM sampled").fetchone()
        expected = percentile_arrays.bracket_of_sample(
            (*row, 0, None),
            fraction=fraction,
            widths=widths,
            tail_share=percentile.TAIL_SHARE,
        )
        in_sql = cursor.execute(percentile.bounds_sql("sampled", fraction)).fetchone()
        assert in_sql == expected, size


@pytest.mark.parametrize("fetch_rows", [percentile.FETCH_ROWS, 10])
@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.5, 0.99, 1.0])
def test_the_bracket_of_sampled_values_is_the_bracket_of_their_picks(
    engine: str, fraction: float, fetch_rows: int
) -> None:
    # A table's sample comes back as arrays, bracketed in numpy
    # (``bracket_of_values``): its picks are quantile_disc's and its spread
    # the variance between the vectors of their shares up to the median, as
    # DuckDB computes them over the same values; floats and integers, one
    # vector or many, ties, nulls left out.
    cursor = cast(Any, influxpy.connections[engine])._cursor()
    widths = percentile.BRACKET_WIDTHS
    listed = percentile_arrays.sample_fractions(fraction, widths)
    shapes = [
        (size, value)
        for size in [0, 1, 3, 40, 1_000, 30_000]
        for value in ["random()", "CAST(floor(random() * 7) AS BIGINT)", "i / 9"]
    ]
    for size, value in shapes:
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE s AS SELECT i // 2048 AS vector, "
            f"CASE WHEN i % 11 = 5 THEN NULL ELSE {value} END AS value "
            f"FROM range({size}) AS t(i)"
        )
        row = cursor.execute(
            f"WITH p AS (SELECT count(value) AS m, quantile_disc(value, {listed}) "
            "AS q FROM s), v AS (SELECT count(*) AS n, var_samp(share) AS spread "
            "FROM (SELECT avg(CAST(value <= (SELECT q[1] FROM p) AS DOUBLE)) "
            "AS share FROM s WHERE value IS NOT NULL GROUP BY vector)) "
            "SELECT m, q, n, spread FROM p, v"
        ).fetchone()
        m, picks, vectors, spread = row
        columns = cursor.execute("SELECT vector, value, 12345 AS n FROM s").fetchnumpy()
        made = percentile_arrays.sample_row(columns, listed)
        if m:
            assert made[:3] == (m, picks, vectors), (size, value)
            assert made[3] == pytest.approx(spread, rel=1e-9), (size, value)
        else:
            assert made == (0, None, 0, None)
        expected = percentile_arrays.bracket_of_sample(
            made, fraction=fraction, widths=widths, tail_share=percentile.TAIL_SHARE
        )
        got = percentile_arrays.bracket_of_values(
            columns,
            fraction=fraction,
            widths=widths,
            tail_share=percentile.TAIL_SHARE,
            window_share=percentile.WINDOW_SHARE,
            fetch_rows=fetch_rows,
        )
        lo, hi, upper, small = expected
        tail = window = False
        if m and lo is not None:
            # The rows fetched: the tail, if the sample's share in it is
            # small too, else those inside the bracket, if few; either only
            # if that share of the 12,345 rows is at most fetch_rows.
            beyond = f"value >= {lo}" if upper else f"value <= {hi}"
            (in_tail, in_window) = cursor.execute(
                f"SELECT count(*) FILTER (WHERE {beyond}) / count(value), "
                f"count(*) FILTER (WHERE value BETWEEN {lo} AND {hi}) "
                "/ count(value) FROM s"
            ).fetchone()
            few = fetch_rows / 12345
            tail = small and in_tail <= min(percentile.TAIL_SHARE, few)
            window = not tail and in_window <= min(percentile.WINDOW_SHARE, few)
        # The count, on every row (none here without one).
        n = 12345 if size else 0
        assert got == (lo, hi, upper, tail, window, n), (size, value)
        assert [type(v) for v in got[:3]] == [type(v) for v in expected[:3]]


@pytest.mark.parametrize("descending", [False, True])
def test_the_pick_among_the_rows_fetched_is_the_point_at_the_rank_of_a_full_sort(
    descending: bool,
) -> None:
    # ``pick_in_rows``: the rows fetched (the tail from a bound up, or up
    # to it; or those inside a bracket, with the count below it) and the
    # count of all the rows find the point at the nearest rank by (value,
    # time), ties of value latest first when descending; no point (neither
    # found nor left to the SQL) outside ranks 1..n; left to the SQL when
    # the rank is outside the rows fetched or none were.
    import numpy as np

    rng = random.Random(11)
    for _ in range(600):
        n = rng.randrange(1, 60)
        kind = rng.choice([int, float])
        points = [(t, kind(rng.randrange(6))) for t in rng.sample(range(1000), n)]
        ranked = sorted(points, key=lambda tv: (tv[1], -tv[0] if descending else tv[0]))
        upper = rng.random() < 0.5
        lo, hi = sorted(rng.choice([v for _, v in points]) for _ in range(2))
        tail = rng.random() < 0.5
        below: int | None = None
        if tail:
            fetched = [tv for tv in points if (tv[1] >= lo if upper else tv[1] <= hi)]
            before = n - len(fetched) if upper else 0
        else:
            fetched = [tv for tv in points if lo <= tv[1] <= hi]
            before = below = sum(v < lo for _, v in points)
        rng.shuffle(fetched)
        columns = {
            "time": np.array([t for t, _ in fetched], dtype=np.int64),
            "value": np.array([v for _, v in fetched], dtype=type(points[0][1])),
        }
        p = rng.choice(PERCENTS)
        k = math.floor(n * p / 100 + 0.5)
        way = {"percent": p, "upper": upper, "descending": descending}
        got = percentile_arrays.pick_in_rows(columns, tail, not tail, below, n, **way)
        if not 1 <= k <= n:
            assert got == (False, False, None, None)
            continue
        if not 1 <= k - before <= len(fetched):
            assert got == (False, True, None, None)
            continue
        assert got == (True, False, *ranked[k - 1]), (points, p, upper, tail)
        assert type(got[3]) is type(ranked[k - 1][1])
        # Without rows fetched, the SQL finds it.
        nothing = percentile_arrays.pick_in_rows(columns, False, False, below, n, **way)
        assert nothing == (False, True, None, None)
