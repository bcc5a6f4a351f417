"""Differential property tests: the embedded engine against InfluxDB 1.6.7.

Hypothesis draws a small data set (2-4 series over the tags ``t1`` and
``t2``, one of them possibly absent; float, integer, boolean and string
fields, some missing; irregular integer-nanosecond times in a four-minute
window with duplicates inside and across series and batches; in some data
sets a tag ``i`` on some series, the key of the integer field, which
InfluxDB allows), writes it to both
backends through ``bulk_create`` (the points tagged ``i`` as line
protocol), then draws QuerySets from the
supported grammar (filters on tags, fields and time, ``group_by``,
``resolution`` with offsets and every fill mode, aggregates, selectors,
transformations, technical analysis and HOLT_WINTERS, math, subqueries,
TOP, BOTTOM and SAMPLE next to fields, tags and arithmetic of them,
ordering, slicing and series limits) and requires both backends to give the same
result: same series, same tags, same columns in the same order, same values
and types (floats within 1e-9 relative).

Where InfluxDB leaves the order undefined (rows of different series with
equal timestamps in an ungrouped raw query), rows are compared as sorted
lists, and the series of an INTEGRAL with GROUP BY as a set (merging
those with the same tags, which a windowed INTEGRAL may split). Query shapes
whose answer depends on that undefined order are drawn only where it cannot
matter: transformations of raw values, FIRST/LAST and INTEGRAL when no two
series of a group share a timestamp; MODE and PERCENTILE (which sort points
whose input order across series is undefined) when each group is one
series. Server quirks are not drawn; each has its own test in
``tests/conformance/test_quirks.py``.

Every example uses its own measurement, in one server database and one
embedded engine for the whole run. The number of examples defaults to 300;
run many more locally with (the data sets and the filters every generator
adds are in ``_differential_data.py``)::

    INFLUXPY_DIFF_EXAMPLES=10000 python -m pytest tests/test_differential.py

``INFLUXPY_DIFF_KINDS`` (comma-separated generator names, such as
``selector_column_queries``) draws only those kinds of queries. On a small
machine, run the 10,000 as chunks of one generator each, with a seed per
chunk so each can be replayed, and the statistics to count the examples::

    for kind in raw_queries aggregate_queries transform_queries \\
        special_queries subquery_queries selector_column_queries; do
      INFLUXPY_DIFF_EXAMPLES=2000 INFLUXPY_DIFF_KINDS=$kind python -m pytest \\
        tests/test_differential.py -x -q -p no:cacheprovider \\
        --hypothesis-seed=1 --hypothesis-show-statistics
    done

Each chunk of 1,000 takes about two minutes on two cores.

A failure prints the falsifying example and a ``@reproduce_failure`` blob
(``print_blob=True``); ``--hypothesis-seed=N`` replays a whole run.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influxpy
from _differential_data import (
    DUCK,
    EXAMPLES,
    FIELDS,
    INFLUX,
    NUMERIC,
    ROW_MATH,
    TAGS,
    WINDOW,
    Dataset,
    S,
    Spec,
    add_filters,
    add_grouping,
    add_paging,
    datasets,
    make_model,
    t,
    tag_conditions,
)
from _influxd import InfluxServer
from influxpy import F
from influxpy.durations import Second
from influxpy.exceptions import InfluxpyError
from influxpy.expressions import CombinedExpression
from influxpy.functions import (
    Abs,
    Bottom,
    ChandeMomentumOscillator,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    DoubleExponentialMovingAverage,
    Elapsed,
    ExponentialMovingAverage,
    First,
    Func,
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    KaufmansAdaptiveMovingAverage,
    KaufmansEfficiencyRatio,
    Last,
    Max,
    Mean,
    Median,
    Min,
    Mode,
    MovingAverage,
    NonNegativeDerivative,
    NonNegativeDifference,
    Percentile,
    RelativeStrengthIndex,
    Sample,
    Spread,
    StdDev,
    Sum,
    Top,
    TripleExponentialDerivative,
    TripleExponentialMovingAverage,
)

#: The ROW_MATH that can make NaN: f % f of 0, SQRT of a negative.
NAN_MATH = (8, 13)


@st.composite
def raw_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    spec = Spec()
    add_filters(draw, spec, time_required=False)
    kind = draw(st.sampled_from(["star", "only", "math"]))
    if kind == "only":
        names = draw(
            st.lists(
                st.sampled_from(FIELDS + TAGS), min_size=1, max_size=4, unique=True
            )
        )
        if not set(names) & set(FIELDS):
            names.append(draw(st.sampled_from(FIELDS)))
        spec.add("only", *names)
    elif kind == "math":
        indexes = st.sampled_from(range(len(ROW_MATH)))
        chosen = draw(st.lists(indexes, min_size=1, max_size=3, unique=True))
        spec.add("annotate", **{f"x{n}": ROW_MATH[n]() for n in chosen})
        if draw(st.booleans()):
            # The annotation's expression compared in WHERE, row-wise math
            # evaluated on each point as influxd evaluates it.
            op = draw(st.sampled_from(["gt", "gte", "lt", "lte", "exact", "ne"]))
            value = draw(st.sampled_from([-1, 0, 0.5, 2, 10, F("i")]))
            spec.add("filter", **{f"x{draw(st.sampled_from(chosen))}__{op}": value})
    group_by = add_grouping(draw, spec)
    spec.unordered = data.shares_times(group_by)
    add_paging(draw, spec, group_by, rows=not spec.unordered, open_end=False)
    return spec


def numeric_result(expr: Any) -> bool:
    """Whether a call (or math over one) gives numbers."""
    if isinstance(expr, CombinedExpression):
        return True
    if expr.name == "abs":
        return True
    if expr.name not in ("first", "last", "mode"):
        return True
    return bool(expr.source.name in NUMERIC)


def aggregate_call(draw: st.DrawFn, *, single: bool) -> Any:
    """One aggregate or selector call, possibly inside math.

    FIRST and LAST may read points of several series at one time: as
    influxd's reducer picks them with windows, and without, as its merge
    and limit pass them (``edge_picks``). MODE and PERCENTILE sort points
    whose input order across series is not defined.
    """
    numeric = st.sampled_from(NUMERIC)
    anything = st.sampled_from(FIELDS)
    # From 50 up every group read has a point at the rank: below, a first
    # group without one makes the server answer nothing at all (a quirk,
    # test_quirk_percentile_after_a_first_group_without_rank); the ranks
    # of low percentiles are checked in test_percentile_rank.py.
    percent = st.sampled_from([50, 75, 90, 100])
    choices: list[Callable[[], Any]] = [
        lambda: Count(draw(anything)),
        lambda: Mean(draw(numeric)),
        lambda: Median(draw(numeric)),
        lambda: Spread(draw(numeric)),
        lambda: StdDev(draw(numeric)),
        lambda: Sum(draw(numeric)),
        lambda: Max(draw(numeric)),
        lambda: Min(draw(numeric)),
        lambda: Count(Distinct(draw(anything))),
        lambda: First(draw(anything)),
        lambda: Last(draw(anything)),
    ]
    if single:
        choices += [
            lambda: Mode(draw(anything)),
            lambda: Percentile(draw(numeric), draw(percent)),
        ]
    call = draw(st.sampled_from(choices))()
    wrap = draw(st.integers(0, 5))
    if wrap == 0 and numeric_result(call):
        return call * 2
    # abs() of an integer is a server quirk: only floats here.
    if wrap == 1 and (call.name == "mean" or (call.name in ABS_OK and is_float(call))):
        return Abs(call)
    return call


ABS_OK = ("max", "min", "spread")
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}
SELECTORS = ("first", "last", "max", "min", "percentile")


def is_selector(expr: Any) -> bool:
    """Whether *expr* is one selector call, possibly inside math."""
    if isinstance(expr, CombinedExpression):
        return is_selector(expr.lhs) and not isinstance(expr.rhs, Func)
    return isinstance(expr, Func) and expr.name in SELECTORS


def is_float(call: Any) -> bool:
    return bool(call.source.name == "f")


def picks_one_point(
    data: Dataset, group_by: tuple[str, ...], calls: list[Any], *, ordered: bool
) -> bool:
    """Whether *calls* is one selector whose point is not arbitrary.

    Where series of a group share a time, MAX and MIN still pick one point
    unless two of them tie on value at one time (FIRST and LAST read such
    points as the server's windows do, not drawn).
    """
    if len(calls) != 1 or not is_selector(calls[0]):
        return False
    if ordered:
        return True
    call: Any = calls[0]
    if isinstance(call, CombinedExpression):
        call = call.lhs
    return call.name in ("max", "min") and not data.ties_on_value(
        group_by, call.source.name
    )


@st.composite
def aggregate_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    spec = Spec()
    windows = draw(st.booleans())
    add_filters(draw, spec, time_required=windows)
    group_by = add_grouping(draw, spec)
    ordered = not data.shares_times(group_by)
    single = data.one_series_per_group(group_by)
    calls = [
        aggregate_call(draw, single=single) for _ in range(draw(st.integers(1, 3)))
    ]
    extra = draw(st.integers(0, 5))
    numeric_only = all(numeric_result(c) for c in calls)
    if extra == 0:
        # Arithmetic of two calls beside the others.
        pair = [aggregate_call(draw, single=single) for _ in "ab"]
        pair = [c if numeric_result(c) else Mean("f") for c in pair]
        op = draw(st.sampled_from(["+", "-", "*"]))
        calls.append(OPS[op](pair[0], pair[1]))
    elif extra == 1 and windows:
        calls.append(draw(st.sampled_from(TRANSFORMS))(Mean("f")))
    elif extra == 2 and len(calls) == 1:
        calls = [Count("*")]
    elif extra == 3 and picks_one_point(data, group_by, calls, ordered=ordered):
        # One selector next to raw fields and row math of them: they come
        # from the selected point.
        names = st.sampled_from(FIELDS + TAGS)
        raw = draw(st.lists(names, max_size=3, unique=True))
        if raw:
            spec.add("only", *raw)
        indexes = st.sampled_from(range(len(ROW_MATH)))
        chosen = draw(st.lists(indexes, min_size=0 if raw else 1, max_size=2))
        if chosen:
            spec.add("annotate", **{f"x{n}": ROW_MATH[n]() for n in chosen})
        numeric_only = numeric_only and set(raw) <= set(NUMERIC)
    elif extra == 4 and picks_one_point(data, group_by, calls, ordered=ordered):
        # A selector in arithmetic with a raw field, read from its point.
        calls = [calls[0] + F(draw(st.sampled_from(NUMERIC)))]
    elif extra == 5 and ordered:
        # SAMPLE of more points than any window holds beside the calls: its
        # points join their rows (in descending order as the cursor merges).
        calls.insert(draw(st.integers(0, len(calls))), Sample("f", 40))
    spec.add("annotate", **{f"c{n}": c for n, c in enumerate(calls)})
    if windows:
        interval = draw(st.sampled_from([10, 25, 30, 60, 90]))
        offset = draw(st.sampled_from([None, 0, 5, -5, 20, 45]))
        shift = None if offset is None else Second(offset)
        spec.add("resolution", Second(interval), shift)
        fills: list[Any] = [None, "null", "none", "previous", "linear"]
        if numeric_only or (len(calls) == 1 and extra != 3):
            fills += [0, -1, 2.5]
        fill = draw(st.sampled_from(fills))
        if fill is not None:
            spec.add("fill", fill)
        if draw(st.integers(0, 4)) == 0:
            # Windows in local time (the engine's own path for them).
            spec.add("tz", draw(st.sampled_from(["Europe/Paris", "Asia/Kolkata"])))
    add_paging(draw, spec, group_by)
    return spec


TRANSFORMS: list[Callable[[Any], Any]] = [
    lambda x: Derivative(x),
    lambda x: Derivative(x, Second(10)),
    lambda x: NonNegativeDerivative(x),
    lambda x: Difference(x),
    lambda x: NonNegativeDifference(x),
    lambda x: MovingAverage(x, 2),
    lambda x: MovingAverage(x, 3),
    lambda x: CumulativeSum(x),
    lambda x: Elapsed(x),
    lambda x: Elapsed(x, Second(1)),
]


TECHNICAL: list[Callable[[Any], Any]] = [
    lambda x: ExponentialMovingAverage(x, 3),
    lambda x: DoubleExponentialMovingAverage(x, 2, -1, "simple"),
    lambda x: TripleExponentialMovingAverage(x, 2, 1),
    lambda x: TripleExponentialDerivative(x, 2),
    lambda x: RelativeStrengthIndex(x, 3, 2),
    lambda x: ChandeMomentumOscillator(x, 2),
    lambda x: ChandeMomentumOscillator(x, 3, -1, "exponential"),
    lambda x: KaufmansEfficiencyRatio(x, 2),
    lambda x: KaufmansAdaptiveMovingAverage(x, 3, 1),
]


@st.composite
def transform_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    """A transformation of raw values, or of an aggregate with windows
    (possibly offset or in local time), or HOLT_WINTERS of an aggregate.

    Of an aggregate in ascending order the server reads the window before
    the lower bound, and without one it answers nothing (a quirk), so a
    lower bound is always given.
    """
    spec = Spec()
    windows = draw(st.booleans())
    add_filters(draw, spec, time_required=windows)
    group_by = add_grouping(draw, spec)
    technical = draw(st.integers(0, 3)) == 0
    make = draw(st.sampled_from(TECHNICAL if technical else TRANSFORMS))
    if windows:
        inner = draw(st.sampled_from([Mean, Sum, Max, Min, Count, Spread, Median]))
        call = make(inner(draw(st.sampled_from(NUMERIC))))
        if draw(st.integers(0, 2)) == 0:
            # A transformation or technical-analysis function of another
            # one of the aggregate.
            call = draw(st.sampled_from(TRANSFORMS + TECHNICAL))(call)
        forecast = not group_by and draw(st.integers(0, 3)) == 0
        if forecast:
            # Grouped, the server stops answering after a series without a
            # forecast (test_quirk_grouped_holt_winters_after_series_without_
            # a_forecast), and in descending order it answers nothing.
            predict = draw(st.sampled_from([HoltWinters, HoltWintersWithFit]))
            call = predict(inner(draw(st.sampled_from(NUMERIC))), *draw(HW_ARGS))
        elif not data.shares_times(group_by) and draw(st.integers(0, 3)) == 0:
            # A transformation of DISTINCT's values, alone or beside an
            # aggregate (the cursor pairs their rows of one time in order).
            field = draw(st.sampled_from(NUMERIC))
            call = draw(st.sampled_from(TRANSFORMS))(Distinct(field))
            if draw(st.booleans()):
                spec.add("annotate", e=inner(draw(st.sampled_from(NUMERIC))))
        elif draw(st.integers(0, 3)) == 0:
            # Arithmetic of the transformation, or of an aggregate beside it.
            op = OPS[draw(st.sampled_from(["+", "-", "*"]))]
            if draw(st.booleans()):
                call = op(call, draw(st.sampled_from([2, 0.5])))
            else:
                spec.add("annotate", e=op(inner(draw(st.sampled_from(NUMERIC))), 3))
        spec.add("annotate", d=call)
        interval = draw(st.sampled_from([10, 30, 60]))
        offset = draw(st.sampled_from([None, None, 5, -5, 20]))
        shift = None if offset is None else Second(offset)
        spec.add("resolution", Second(interval), shift)
        fill = draw(st.sampled_from([None, "none", "previous", "linear", 0, -1]))
        if fill is not None:
            spec.add("fill", fill)
        if draw(st.integers(0, 3)) == 0:
            # Windows in local time.
            spec.add("tz", draw(st.sampled_from(["Europe/Paris", "Asia/Kolkata"])))
        if forecast:
            add_paging(draw, spec, group_by, descending=False)
            return spec
    else:
        if data.shares_times(group_by):
            spec.steps = [s for s in spec.steps if s[0] != "group_by"]
            spec.add("group_by", "*")
            group_by = ("*",)
        elapsed = make(F("f")).name == "elapsed"
        spec.add(
            "annotate", d=make(draw(st.sampled_from(FIELDS if elapsed else NUMERIC)))
        )
    add_paging(draw, spec, group_by)
    return spec


#: resolution() arguments: an interval, and an offset or None.
WINDOWS = st.tuples(
    st.sampled_from([10, 30, 60]).map(Second),
    st.sampled_from([None, None, 5, -5, 20]).map(
        lambda s: None if s is None else Second(s)
    ),
)

#: HOLT_WINTERS(agg, N, S): N forecasts, a season of S windows.
HW_ARGS = st.tuples(st.integers(1, 4), st.integers(0, 3))


TAG_ARGS: list[tuple[str, ...]] = [(), (), ("t1",), ("t2",), ("t1", "t2")]


@st.composite
def special_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    """Functions InfluxDB only answers alone: INTEGRAL, DISTINCT, TOP, BOTTOM."""
    spec = Spec()
    kind = draw(st.sampled_from(["top", "bottom", "distinct", "integral"]))
    windows = draw(st.booleans())
    add_filters(draw, spec, time_required=windows)
    group_by = add_grouping(draw, spec)
    # A windowed INTEGRAL in descending order is a server quirk
    # (test_quirk_integral_over_windows_in_descending_order).
    descending = draw(st.booleans()) and not (kind == "integral" and windows)
    if kind in ("top", "bottom"):
        make = Top if kind == "top" else Bottom
        # By tag, the best points of different tag values may tie on time
        # only where no two series of a group share a timestamp.
        by = () if data.shares_times(group_by) else draw(st.sampled_from(TAG_ARGS))
        spec.add(
            "annotate",
            make(draw(st.sampled_from(NUMERIC)), *by, draw(st.integers(1, 4))),
        )
    elif kind == "distinct":
        spec.add("annotate", Distinct(draw(st.sampled_from(FIELDS))))
    else:
        if data.shares_times(group_by):
            spec.steps = [s for s in spec.steps if s[0] != "group_by"]
            spec.add("group_by", "*")
            group_by = ("*",)
        # An integer INTEGRAL in descending order is a server quirk.
        field = draw(st.sampled_from(("f",) if descending else NUMERIC))
        unit = draw(st.sampled_from([None, Second(10)]))
        spec.add("annotate", Integral(field) if unit is None else Integral(field, unit))
        spec.unordered_series = True
    if windows:
        spec.add("resolution", *draw(WINDOWS))
    # The server pushes LIMIT down to each stored series before TOP and
    # BOTTOM rank the points (a quirk), so they get no LIMIT here.
    rows = kind == "distinct"
    add_paging(draw, spec, group_by, rows=rows, descending=descending, open_end=False)
    return spec


@st.composite
def selector_column_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    """TOP, BOTTOM or SAMPLE next to fields, tags and arithmetic of fields,
    alone or inside a subquery.

    The other columns come from the picked points, so points that tie on
    value and time in different series of a group would make the pick
    arbitrary: then every series is its own group. SAMPLE draws more points
    than any window holds, so it picks all of them. The server pushes LIMIT
    down to each stored series before TOP and BOTTOM rank the points (a
    quirk), so only SAMPLE gets a LIMIT here.
    """
    spec = Spec()
    kind = draw(st.sampled_from(["top", "bottom", "sample"]))
    inner = draw(st.integers(0, 2)) == 0
    windows = not inner and draw(st.booleans())
    add_filters(draw, spec, time_required=windows)
    group_by = add_grouping(draw, spec)
    if data.shares_times(group_by):
        spec.steps = [s for s in spec.steps if s[0] != "group_by"]
        spec.add("group_by", "*")
        group_by = ("*",)
    field = draw(st.sampled_from(NUMERIC))
    if kind == "sample":
        call: Any = Sample(field, 40)
    else:
        make = Top if kind == "top" else Bottom
        grouped = set(TAGS) if "*" in group_by else set(group_by)
        by = draw(st.sampled_from([a for a in TAG_ARGS if not grouped & set(a)]))
        call = make(field, *by, draw(st.integers(1, 4)))
    grouped = set(TAGS) if "*" in group_by else set(group_by)
    names = draw(
        st.lists(
            st.sampled_from(
                [k for k in FIELDS + TAGS if k not in grouped and k != field]
            ),
            max_size=3,
            unique=True,
        )
    )
    # Subqueries do not draw what differs for raw subqueries as well: the
    # server types POW of an integer field as an integer there
    # (test_quirk_math_of_an_integer_inside_a_subquery_is_an_integer); nor
    # NaN when series share a time (which influxd reads first, nans.py).
    inner_quirks = (12,) if not data.shares_times(()) else (12, *NAN_MATH)
    indexes = st.sampled_from(
        [n for n in range(len(ROW_MATH)) if not inner or n not in inner_quirks]
    )
    chosen = draw(st.lists(indexes, max_size=2, unique=True))
    if inner and not chosen:
        chosen = [draw(indexes)]
    if not names and not chosen:
        names = [draw(st.sampled_from([k for k in FIELDS if k != field]))]
    first = draw(st.booleans())
    if not first and names:
        spec.add("only", *names)
    spec.add("annotate", call, **{f"x{n}": ROW_MATH[n]() for n in chosen})
    if first and names:
        spec.add("only", *names)
    if windows:
        spec.add("resolution", *draw(WINDOWS))
    if not inner:
        add_paging(draw, spec, group_by, rows=kind == "sample", open_end=False)
        return spec
    spec.add("subquery")
    column = f"x{chosen[0]}"
    if draw(st.booleans()):
        spec.add("only", column, call.name)
        spec.unordered = True
    else:
        outer_calls: tuple[Any, ...] = OUTER_CALLS
        if chosen[0] in NAN_MATH:
            # The server's MEDIAN sorts NaN where its sort leaves it
            # (test_quirk_nan_inside_a_subquery_sorts_where_the_server_leaves_it).
            outer_calls = tuple(c for c in OUTER_CALLS if c is not Median)
            if group_by:
                # Its MAX and MIN read a grouped call's series one after
                # another (a known difference, nans.py).
                outer_calls = tuple(c for c in outer_calls if c not in (Max, Min))
        outer = draw(st.sampled_from(outer_calls))
        spec.add("annotate", o=outer(column))
        if group_by and "*" not in group_by and draw(st.booleans()):
            spec.add("group_by", *group_by)
    return spec


SUBQUERY_CALLS = (Mean, Max, Min, Sum, Count, Spread)
OUTER_CALLS = (Mean, Max, Min, Sum, Count, Median)


def add_series_limits(draw: st.DrawFn, spec: Spec, *, always: bool = False) -> None:
    """SLIMIT/SOFFSET over a subquery (they slice the outer tag sets)."""
    if always or draw(st.integers(0, 3)) == 0:
        spec.add("series_limit", draw(st.integers(1, 3)))
        if draw(st.booleans()):
            spec.add("series_offset", draw(st.integers(0, 2)))


@st.composite
def subquery_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    """A query over a subquery, the outer options merging into the inner.

    Outer GROUP BY tags join the inner ones, an inner aggregate without
    windows takes the outer windows, the time ranges intersect. A lower
    bound at 45 s starts inside inner windows: outer windows read their rows
    (functions without outer windows then answer a quirk, not drawn).
    """
    spec = Spec()
    # Of a key that is only a tag, an inner call read by an outer MEAN or
    # MAX fails on the server (test_quirk_aggregate_of_a_tag_call_inside_a_
    # subquery): the subquery reads the field f then.
    numeric = ("f",) if data.i_only_a_tag else NUMERIC
    for _ in range(draw(st.integers(0, 1))):
        spec.add("filter", draw(tag_conditions()))
    inner_group = draw(st.sampled_from([(), ("t1",), ("t2",), ("t1", "t2"), ("*",)]))
    if inner_group:
        spec.add("group_by", *inner_group)
    raw = draw(st.integers(0, 3)) == 0
    combined = nan = transform = looks_back = False
    if raw:
        # Raw rows: a slice below counts them per run of one inner group,
        # twice, after a cut of each stored series. Row math can make NaN,
        # which the outer query reads as a value; of NaN and numbers at one
        # time in several series, the engine cannot tell which influxd's
        # MAX, MIN, FIRST or LAST reads first (nans.py), so not then.
        nan = not data.shares_times(()) and draw(st.integers(0, 2)) == 0
        if nan:
            spec.add("annotate", m=ROW_MATH[draw(st.sampled_from(NAN_MATH))]())
        else:
            spec.add("annotate", m=F(draw(st.sampled_from(numeric))))
    elif transform := (
        "*" not in inner_group
        and not data.shares_times(inner_group)
        and draw(st.integers(0, 4)) == 0
    ):
        # A transformation of raw points: sliced per run in time order, it
        # keeps reading points under outer windows (a derivative without a
        # unit per outer interval; test_subquery_nested_slices.py).
        change = draw(st.sampled_from([Difference, CumulativeSum, Derivative]))
        looks_back = change is not CumulativeSum
        spec.add("annotate", m=change(draw(st.sampled_from(numeric))))
    else:
        inner: Any = draw(st.sampled_from(SUBQUERY_CALLS))(
            draw(st.sampled_from(numeric))
        )
        combined = draw(st.integers(0, 3)) == 0
        if combined:
            # A column of two calls: the server computes it from the row its
            # cursor pairs (test_subquery_call_columns.py).
            inner = inner + Count(draw(st.sampled_from(numeric)))
        spec.add("annotate", m=inner)
    several = not raw and not transform and draw(st.booleans())
    if several:
        spec.add("annotate", k=Count(draw(st.sampled_from(numeric))))
    sampled = (
        not raw
        and not transform
        and not data.shares_times(inner_group)
        and draw(st.integers(0, 3)) == 0
    )
    if sampled:
        # SAMPLE of more points than any window holds beside the calls: the
        # outer query reads the rows in the cursor's order, sliced inside
        # call by call (test_sample_subquery_order.py).
        spec.add("annotate", s=Sample("f", 40))
    several = several or combined or sampled
    windows = not raw and not transform and draw(st.booleans())
    inner_interval = draw(st.sampled_from([10, 30, 60]))
    if windows:
        spec.add("resolution", Second(inner_interval))
        fill = draw(st.sampled_from([None, "null", "none", 0, "previous", "linear"]))
        if fill is not None:
            spec.add("fill", fill)
    # A fill inside a subquery grouped finer than the outer query fills runs
    # of windows on the server (test_subquery_windows.py, test_quirk_fill_*).
    filled = windows and fill not in (None, "null", "none")
    # Raw rows (and a transformation's rows) of two series at one time come
    # in no set order on the server, which decides the rows a slice keeps.
    ties = (raw or transform) and data.shares_times(())
    if inner_group and draw(st.integers(0, 4)) == 0:
        # SLIMIT/SOFFSET inside: the outer query reads the kept tag sets.
        add_series_limits(draw, spec, always=True)
    if not ties and draw(st.integers(0, 2)) == 0:
        # Grouped finer than the outer query, rows are counted per run of
        # one inner group in time order (test_subquery_limits.py), each
        # call's points on their own (test_subquery_call_columns.py).
        start = draw(st.integers(0, 2))
        spec.add("slice", start, draw(st.integers(start + 1, start + 3)))
    spec.add("subquery")
    lower = draw(st.none() | st.sampled_from([0, 60 * S, 45 * S]))
    if lower is not None:
        spec.add("filter", time__gte=t(lower))
    spec.add("filter", time__lt=t(draw(st.sampled_from([120 * S, 180 * S, WINDOW]))))
    if draw(st.integers(0, 3)) == 0:
        spec.add("filter", m__gt=draw(st.sampled_from([0, 1.5, 5])))
    groups: list[tuple[str, ...]] = [(), (), ("t1",), ("t2",), ("*",)]
    outer_group = draw(st.sampled_from([(), inner_group] if several else groups))
    if filled and not set(inner_group) <= set(outer_group) and "*" not in outer_group:
        outer_group = inner_group
    if draw(st.booleans()):
        spec.add("only", "m")
        descending = draw(st.booleans())
        if several and filled:
            # Merging the inner series of several calls splits rows on the
            # server; the engine splits them as the server does
            # (test_subquery_windows.py), but not those of filled windows.
            outer_group = inner_group
        if outer_group:
            spec.add("group_by", *outer_group)
            add_series_limits(draw, spec)
        spec.unordered = True
        if descending:
            spec.add("order_by", "-time")
        return spec
    # Inner windows starting before the range: a quirk without outer windows.
    outer_windows = draw(st.booleans()) or (windows and lower == 45 * S)
    if looks_back and lower is None:
        # Outer windows pass their look-back to an inner DIFFERENCE or
        # DERIVATIVE: without a lower bound the server answers nothing
        # (test_quirk_windows_over_a_raw_transformation_need_a_lower_bound).
        outer_windows = False
    outer_interval = draw(st.sampled_from([30, 60]))
    # The server's MEDIAN sorts NaN where its sort leaves it
    # (test_quirk_nan_inside_a_subquery_sorts_where_the_server_leaves_it).
    outer_calls = [c for c in OUTER_CALLS if not (nan and c is Median)]
    call = draw(st.sampled_from(outer_calls))("m")
    if (
        outer_windows
        and lower is not None
        and (not windows or outer_interval % inner_interval == 0)
        and draw(st.integers(0, 2)) == 0
    ):
        # Of windows over the subquery: reads the window before the range
        # (without a lower bound the server answers nothing, a quirk; inner
        # windows start with that window). Over an inner transformation of
        # raw points, that reads one more window, as far as the outer
        # statement's extra intervals (test_subquery_look_back.py).
        call = draw(st.sampled_from(TRANSFORMS))(call)
    spec.add("annotate", o=call)
    if outer_group:
        spec.add("group_by", *outer_group)
        add_series_limits(draw, spec)
    if outer_windows:
        spec.add("resolution", Second(outer_interval))
        if draw(st.booleans()):
            spec.add("fill", draw(st.sampled_from(["none", 0, "previous"])))
    # In descending order the server splits several inner calls into rows
    # unless the outer query groups by the inner tags (or by every tag);
    # the engine splits them too, but refuses to for filled windows.
    whole = set(inner_group) <= set(outer_group) or "*" in outer_group
    # SAMPLE's points come after the row of their inner window, so outer
    # windows in descending order read one window twice on the server
    # (test_quirk_a_sample_point_after_its_window_in_descending_outer_windows).
    sample_late = sampled and outer_windows
    if (not several or whole or not filled) and not sample_late and draw(st.booleans()):
        spec.add("order_by", "-time")
    return spec


@st.composite
def picks_subquery_queries(draw: st.DrawFn, data: Dataset) -> Spec:
    """Every row of a subquery's TOP, BOTTOM or DISTINCT, in the order the
    server emits them: window by window (in the query's direction), inner
    series by series ascending, each series' rows as its call gives them (a
    DISTINCT's values by the time each was seen, which no column shows),
    windows in local time too."""
    spec = Spec()
    if draw(st.integers(0, 2)) == 0:
        spec.add("filter", draw(tag_conditions()))
    inner_group = draw(st.sampled_from([(), ("t1",), ("t2",), ("t1", "t2")]))
    kind = draw(st.sampled_from(["top", "bottom", "distinct"]))
    if kind == "distinct":
        spec.add("annotate", m=Distinct(draw(st.sampled_from(FIELDS))))
    else:
        make = Top if kind == "top" else Bottom
        field = draw(st.sampled_from(NUMERIC))
        spec.add("annotate", m=make(field, draw(st.integers(1, 3))))
    if inner_group:
        spec.add("group_by", *inner_group)
    if draw(st.booleans()):
        spec.add("resolution", *draw(WINDOWS))
        if draw(st.integers(0, 2)) == 0:
            spec.add("tz", draw(st.sampled_from(["Europe/Paris", "Asia/Kolkata"])))
    if kind == "distinct" and inner_group and draw(st.integers(0, 2)) == 0:
        # Rows counted per run of one inner series in that order (TOP and
        # BOTTOM: the server's pushed-down LIMIT, a quirk, not drawn).
        start = draw(st.integers(0, 2))
        spec.add("slice", start, draw(st.integers(start + 1, start + 3)))
    spec.add("subquery")
    spec.add("filter", time__gte=t(draw(st.sampled_from([0, 45 * S, 60 * S]))))
    spec.add("filter", time__lt=t(draw(st.sampled_from([120 * S, 180 * S, WINDOW]))))
    spec.add("only", "m")
    if draw(st.booleans()):
        spec.add("order_by", "-time")
    return spec


@st.composite
def examples(draw: st.DrawFn) -> tuple[Dataset, list[Spec]]:
    data = draw(datasets())
    kinds = [
        raw_queries,
        aggregate_queries,
        transform_queries,
        special_queries,
        subquery_queries,
        selector_column_queries,
        picks_subquery_queries,
    ]
    wanted = os.environ.get("INFLUXPY_DIFF_KINDS")
    if wanted:
        kinds = [k for k in kinds if k.__name__ in wanted.split(",")]
    specs = [
        draw(st.sampled_from(kinds).flatmap(lambda kind: kind(data)))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return data, specs


# -- comparison -----------------------------------------------------------------


def same_value(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def same_row(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)


def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["time"], repr(sorted(row.items())))


def outcome(qs: Any) -> Any:
    """The result as (name, tags, rows) per series, or the error's class."""
    try:
        return [(r.name, r.tags, r.points) for r in qs.epoch()]
    except InfluxpyError as exc:
        return type(exc).__name__


def merge_series(result: list[Any]) -> list[Any]:
    """Series sorted by tags, those with the same tags merged in time order.

    With GROUP BY tags, a windowed INTEGRAL on the server may come as
    several series with the same tags, in any order.
    """
    merged: dict[Any, tuple[str, dict[str, str], list[Any]]] = {}
    for name, tags, rows in result:
        key = (name, tuple(sorted(tags.items())))
        merged.setdefault(key, (name, tags, []))[2].extend(rows)
    return [
        (name, tags, sorted(rows, key=lambda r: r["time"]))
        for _key, (name, tags, rows) in sorted(merged.items(), key=lambda i: i[0])
    ]


def compare(spec: Spec, influx: Any, duck: Any) -> str | None:
    """Return a description of the first difference, or None."""
    if isinstance(influx, str) or isinstance(duck, str):
        return None if influx == duck else f"errors differ: {influx} / {duck}"
    if spec.unordered_series:
        influx, duck = merge_series(influx), merge_series(duck)
    if [(n, t) for n, t, _ in influx] != [(n, t) for n, t, _ in duck]:
        return "series differ"
    for (_, tags, rows_a), (_, _, rows_b) in zip(influx, duck, strict=True):
        if spec.unordered:
            rows_a, rows_b = sorted(rows_a, key=sort_key), sorted(rows_b, key=sort_key)
        if len(rows_a) != len(rows_b):
            return f"series {tags}: {len(rows_a)} rows / {len(rows_b)} rows"
        for a, b in zip(rows_a, rows_b, strict=True):
            if not same_row(a, b):
                return f"series {tags}: row {a} / {b}"
    return None


# -- the test -------------------------------------------------------------------


@pytest.fixture(scope="module")
def backends(influx_server: InfluxServer) -> Iterator[tuple[str, str]]:
    """One server database and one embedded engine for every example."""
    database = f"diff_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(database)
    host = f"{influx_server.host}:{influx_server.port}"
    credentials = ""
    if influx_server.username is not None:
        credentials = f"{influx_server.username}:{influx_server.password}@"
    influx = influxpy.connect(
        f"{influx_server.url_scheme}://{credentials}{host}/{database}", alias=INFLUX
    )
    duck = influxpy.connect("duckdb://:memory:", alias=DUCK)
    try:
        yield INFLUX, DUCK
    finally:
        influx.close()
        duck.close()
        influx_server.drop_database(database)


def run_example(data: Dataset, specs: list[Spec]) -> list[str]:
    """Write *data* to both backends, run *specs*, return the differences."""
    model = make_model()
    measurement = model._meta.measurement
    for alias in (INFLUX, DUCK):
        backend = influxpy.get_connection(alias)
        for batch, lines in zip(
            data.models(model), data.lines(measurement), strict=True
        ):
            if batch:
                model.series.using(alias).bulk_create(batch)
            if lines:
                backend.write_lines(lines)
    problems = []
    for spec in specs:
        influx = outcome(spec.build(model.series.using(INFLUX)))
        duck = outcome(spec.build(model.series.using(DUCK)))
        difference = compare(spec, influx, duck)
        if difference is not None:
            query = spec.build(model.series.using(INFLUX)).query
            problems.append(
                f"{spec!r}\n  InfluxQL: {query}\n  {difference}\n"
                f"  influxdb: {influx}\n  duckdb:   {duck}"
            )
    return problems


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(example=examples())
def test_engine_matches_influxdb(backends: tuple[str, str], example: Any) -> None:
    """Random data and QuerySets give the same results on both backends."""
    data, specs = example
    problems = run_example(data, specs)
    assert not problems, "\n".join(problems)
