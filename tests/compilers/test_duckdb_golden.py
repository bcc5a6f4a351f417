"""The SQL the embedded engine compiles, pinned in golden files.

Each case builds a QuerySet, compiles its ``Query`` against a fixed catalog
with a fixed ``now()``, and compares the whole ``Compiled`` (the InfluxQL
of the query, the SQL, its parameters, the metadata the backend reads, and
for a raw SELECT the SQL of its slice plan) with
``tests/compilers/golden/duckdb/<case>.sql``. Restructuring the compiler
keeps these files byte-identical; a change to them is a change of the SQL
and is reviewed as one.

``INFLUXPY_UPDATE_GOLDEN=1`` rewrites the files from the current compiler.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pprint
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from _models import Reading, ServerMeasurement
from influxpy import F, Now, Q, fields, models
from influxpy.compilers.base import Compiled, Plan
from influxpy.compilers.duckdb import Catalog, ColumnInfo, DuckDBCompiler
from influxpy.compilers.duckdb.plan import (
    DeletePlan,
    EmptyPlan,
    IntoPlan,
    SelectPlan,
    bindings_of,
)
from influxpy.compilers.duckdb.stream import Slice, StreamPlan
from influxpy.durations import Day, Hour, Minute, Second
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
    Pow,
    RelativeStrengthIndex,
    Round,
    Sample,
    Spread,
    Sqrt,
    StdDev,
    Sum,
    Top,
    TripleExponentialDerivative,
    TripleExponentialMovingAverage,
)
from influxpy.query import Delete, Source

GOLDEN = Path(__file__).parent / "golden" / "duckdb"
UPDATE = os.environ.get("INFLUXPY_UPDATE_GOLDEN") == "1"
NOW_NS = 1_600_000_000_123_456_789
T0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2020, 1, 2, tzinfo=dt.UTC)
#: The action each plan stands for in the golden files.
_ACTIONS: dict[type[Plan], str] = {
    EmptyPlan: "empty",
    DeletePlan: "delete",
    SelectPlan: "select",
    IntoPlan: "into",
}


class Metric(models.InfluxMeasurement):
    """A measurement with a field of every type and two tags."""

    class Meta:
        measurement = "metrics"

    v = fields.FloatField()
    n = fields.IntegerField()
    s = fields.StringField()
    b = fields.BooleanField()
    host = fields.InfluxTag()
    dc = fields.InfluxTag(null=True)


class Target(models.InfluxMeasurement):
    """Where INTO writes."""

    class Meta:
        measurement = "target"

    v = fields.FloatField()
    host = fields.InfluxTag()


def _columns(model: type[models.InfluxMeasurement], *, coded: bool) -> dict[str, Any]:
    kinds = {
        fields.FloatField: "float",
        fields.IntegerField: "integer",
        fields.StringField: "string",
        fields.BooleanField: "boolean",
        fields.InfluxField: "float",
    }
    columns: dict[str, ColumnInfo] = {}
    meta = model._meta
    for field in meta.tags:
        columns[field.db_name] = ColumnInfo(field.db_name, "tag", "string", coded)
    for field in meta.fields.values():
        if field.is_tag:
            continue
        columns[field.db_name] = ColumnInfo(field.db_name, "field", kinds[type(field)])
    return columns


#: metrics and readings store tag codes; servers is a table written before
#: tags had codes (grouped by the values themselves).
CATALOG = Catalog(
    "influxpy",
    {
        ("autogen", "metrics"): _columns(Metric, coded=True),
        ("autogen", "readings"): _columns(Reading, coded=True),
        ("autogen", "servers"): _columns(ServerMeasurement, coded=False),
    },
)

M = Metric.series
W = M.filter(time__gte=T0, time__lt=T1)
CASES: dict[str, Callable[[], Any]] = {
    # -- raw selects ---------------------------------------------------------
    "raw_all": lambda: M.all(),
    "raw_only": lambda: M.only("v", "n"),
    "raw_every_type": lambda: M.only("v", "n", "s", "b", "host"),
    "raw_escaped_keys": lambda: Reading.series.only("odd", "odd_tag", "value"),
    "raw_uncoded_tags": lambda: ServerMeasurement.series.only("cpu", "name"),
    "raw_group_by_tag": lambda: M.only("v").group_by("host"),
    # Texts holding every tag: replayed only where a row lacks one.
    "raw_texts_every_tag": lambda: M.only("dc", "host", "v")[:3],
    "raw_group_by_star": lambda: M.only("v").group_by("*"),
    "raw_math": lambda: M.annotate(x=F("v") * 2 + F("n"), y=F("n") / 3, z=F("n") % 2),
    "raw_math_functions": lambda: M.annotate(
        a=Abs("v"), r=Round("n"), q=Sqrt("v"), p=Pow("v", 2)
    ),
    "raw_tz": lambda: W.only("v").tz("Europe/Paris"),
    "raw_missing_table": lambda: Target.series.all(),
    # -- filters ---------------------------------------------------------------
    "filter_tag": lambda: M.filter(host="a").only("v"),
    "filter_tag_ne_in": lambda: M.filter(Q(host="a") | Q(dc__ne="x")).only("v"),
    "filter_null_tag": lambda: M.filter(dc__isnull=True).only("v"),
    "filter_fields": lambda: M.filter(v__gt=1.5, n__lte=3, b=True, s="x").only("v"),
    "filter_regex": lambda: M.filter(host__regex="^a.*", s__icontains="b").only("v"),
    "filter_startswith": lambda: M.filter(host__startswith="we").only("v"),
    "filter_exclude": lambda: M.exclude(host="a", v__lt=2).only("v"),
    "filter_time": lambda: W.only("v"),
    "filter_time_now": lambda: M.filter(time__gte=Now() - Hour(1)).only("v"),
    "filter_time_exact": lambda: M.filter(time=T0).only("v"),
    # -- aggregates and windows -----------------------------------------------
    "agg_mean": lambda: M.annotate(Mean("v")),
    "agg_many": lambda: W.annotate(
        Count("v"), Sum("n"), Median("v"), Spread("v"), StdDev("v"), Mode("s")
    ),
    "agg_group_tags": lambda: W.annotate(Mean("v")).group_by("host", "dc"),
    "agg_uncoded_group": lambda: ServerMeasurement.series.annotate(
        Mean("cpu")
    ).group_by("name"),
    "agg_window": lambda: W.annotate(Mean("v")).resolution(Minute(5)),
    "agg_window_offset": lambda: W.annotate(Max("v")).resolution(Hour(1), Minute(15)),
    "agg_window_now_offset": lambda: W.annotate(Sum("n")).resolution(Hour(1), Now()),
    "agg_window_group": lambda: (
        W.annotate(Count("v")).resolution(Minute(10)).group_by("host")
    ),
    "fill_null": lambda: W.annotate(Mean("v")).resolution(Hour(1)).fill(None),
    "fill_none": lambda: W.annotate(Mean("v")).resolution(Hour(1)).fill("none"),
    "fill_number": lambda: (
        W.annotate(Mean("v"), Count("n")).resolution(Hour(1)).fill(-1)
    ),
    "fill_previous": lambda: W.annotate(Mean("v")).resolution(Hour(1)).fill("previous"),
    "fill_linear": lambda: W.annotate(Mean("v")).resolution(Hour(1)).fill("linear"),
    "fill_number_raw_field": lambda: (
        W.annotate(Max("v")).only("n").resolution(Hour(1)).fill(0)
    ),
    "window_no_upper": lambda: (
        M.filter(time__gte=T0).annotate(Mean("v")).resolution(Hour(1))
    ),
    "window_tz": lambda: W.annotate(Mean("v")).resolution(Hour(1)).tz("Europe/Paris"),
    "window_tz_day": lambda: (
        M.filter(time__gte=T0, time__lt=T0 + dt.timedelta(days=90))
        .annotate(Sum("n"))
        .resolution(Day(1))
        .tz("America/New_York")
        .fill(0)
    ),
    "agg_math_of_aggregates": lambda: W.annotate(x=Mean("v") * 2 + Max("n")),
    # -- selectors ---------------------------------------------------------------
    "sel_first_last": lambda: M.annotate(First("v"), Last("n")),
    "sel_lone_max": lambda: M.annotate(Max("v")),
    "sel_lone_max_with_fields": lambda: M.annotate(Max("v")).only("n", "host"),
    "sel_min_window": lambda: W.annotate(Min("v")).resolution(Minute(30)),
    "sel_percentile": lambda: W.annotate(Percentile("v", 90)).resolution(Hour(1)),
    "sel_percentile_all": lambda: W.annotate(Percentile("v", 99)),
    # -- multi-row -------------------------------------------------------------
    "top": lambda: M.annotate(Top("v", 3)),
    "top_tags": lambda: W.annotate(Top("v", "host", 2)).resolution(Hour(6)),
    "bottom_window": lambda: W.annotate(Bottom("n", 2)).resolution(Hour(1)),
    "sample": lambda: W.annotate(Sample("v", 2)),
    "distinct": lambda: M.annotate(Distinct("s")).group_by("host"),
    "count_distinct": lambda: M.annotate(Count(Distinct("s"))),
    # -- transformations ------------------------------------------------------------
    "derivative_raw": lambda: M.annotate(Derivative("v", Second(1))),
    "derivative_window": lambda: W.annotate(
        NonNegativeDerivative(Mean("v"), Minute(1))
    ).resolution(Minute(5)),
    "difference": lambda: M.annotate(Difference("n"), NonNegativeDifference("v")),
    "cumulative_sum_window": lambda: W.annotate(CumulativeSum(Sum("n"))).resolution(
        Hour(1)
    ),
    "moving_average": lambda: M.annotate(MovingAverage("v", 3)),
    "elapsed_desc": lambda: M.annotate(Elapsed("v", Second(1))).order_by("-time"),
    # -- technical analysis --------------------------------------------------------
    "ta_ema": lambda: M.annotate(ExponentialMovingAverage("v", 3)),
    "ta_dema_window": lambda: W.annotate(
        DoubleExponentialMovingAverage(Mean("v"), 2, -1, "simple")
    ).resolution(Hour(1)),
    "ta_others": lambda: M.annotate(
        TripleExponentialMovingAverage("v", 3),
        TripleExponentialDerivative("v", 3),
        RelativeStrengthIndex("v", 3),
        ChandeMomentumOscillator("v", 3),
        KaufmansEfficiencyRatio("v", 3),
        KaufmansAdaptiveMovingAverage("v", 3),
    ),
    "holt_winters": lambda: W.annotate(HoltWinters(Mean("v"), 5, 2)).resolution(
        Hour(1)
    ),
    "holt_winters_fit": lambda: W.annotate(
        HoltWintersWithFit(Max("v"), 3, 0)
    ).resolution(Hour(1)),
    "holt_winters_by_host": lambda: (
        W.annotate(HoltWinters(Mean("v"), 5, 2)).resolution(Hour(1)).group_by("host")
    ),
    "holt_winters_of_derivative": lambda: (
        W.annotate(HoltWinters(Derivative(Mean("v")), 3, 0))
        .resolution(Hour(1))
        .group_by("host")
        .order_by("-time")
    ),
    # -- integral ------------------------------------------------------------------
    "integral": lambda: M.annotate(Integral("v")),
    "integral_window": lambda: W.annotate(Integral("v", Minute(1))).resolution(Hour(1)),
    "integral_window_fill": lambda: (
        W.annotate(Integral("v")).resolution(Hour(1)).fill(0)
    ),
    # -- subqueries ----------------------------------------------------------------
    "subquery_raw": lambda: M.only("v", "n").subquery().only("v"),
    "subquery_aggregate": lambda: (
        W.annotate(m=Mean("v"))
        .resolution(Minute(10))
        .group_by("host")
        .subquery()
        .annotate(top=Max("m"))
    ),
    "subquery_filter": lambda: (
        W.annotate(m=Mean("v"))
        .resolution(Minute(10))
        .group_by("host")
        .subquery()
        .filter(m__gt=5)
        .annotate(Max("m"))
        .group_by("host")
    ),
    "subquery_math": lambda: M.annotate(x=F("v") * 2 + 1).subquery().annotate(Sum("x")),
    "subquery_nested": lambda: (
        M.only("v").subquery().only("v").subquery().annotate(Count("v"))
    ),
    "subquery_paged": lambda: M.only("v")[:2].subquery().annotate(Sum("v")),
    # -- into ----------------------------------------------------------------------
    "into_raw": lambda: M.only("v").into(Target),
    "into_window": lambda: (
        W.annotate(v=Mean("v")).resolution(Hour(1)).group_by("host").into("target")
    ),
    # -- series limits, ordering and paging ----------------------------------------
    "agg_shared": lambda: (
        W.annotate(Max("v"), Min("v"), Count("v"), Spread("v"))
        .resolution(Minute(1))
        .group_by("host")
    ),
    "slimit": lambda: M.only("v").group_by("host").series_limit(2).series_offset(1),
    "slimit_aggregate": lambda: (
        W.annotate(Mean("v")).resolution(Hour(1)).group_by("host").series_limit(1)
    ),
    "order_desc": lambda: M.only("v").order_by("-time"),
    "limit_offset": lambda: M.only("v").group_by("host")[3:8],
    "limit_aggregate": lambda: W.annotate(Mean("v")).resolution(Minute(1))[2:5],
    "limit_desc_window": lambda: (
        W.annotate(Sum("n")).resolution(Minute(1)).order_by("-time")[:4]
    ),
}


def _delete() -> Delete:
    query = M.filter(host="a", time__lt=T0).query
    assert isinstance(query.source, Source)
    return Delete(query.source, query.where)


def _render(name: str, build: Callable[[], Any]) -> str:
    built = build()
    query = built.query
    compiled: Compiled = query.compile(DuckDBCompiler(CATALOG, now_ns=NOW_NS))
    lines = [f"-- case: {name}", f"-- influxql: {query}"]
    return _render_compiled(lines, compiled)


def _plan_meta(plan: Plan | None) -> tuple[dict[str, Any], StreamPlan | None]:
    """The plan as the golden files show it: a dict of its action and
    fields (tuples as lists; bindings shown after the SQL), and apart the
    slice plan of a raw SELECT."""
    assert plan is not None
    meta: dict[str, Any] = {"action": _ACTIONS[type(plan)]}
    for field in dataclasses.fields(plan):
        value = getattr(plan, field.name)
        meta[field.name] = list(value) if isinstance(value, tuple) else value
    stream = meta.pop("stream", None)
    meta.pop("bindings", None)
    if not meta.get("parts"):
        # Only a SELECT of several measurements has parts.
        meta.pop("parts", None)
    heap = meta.get("heap")
    if heap is not None and heap.unreplayed is not None:
        # Replayed only where a row lacks a text: the check, and the SQL
        # run where none does.
        meta["heap_lacking"] = heap.lacking.text
        meta["heap_unreplayed"] = heap.unreplayed.text
    return meta, stream


def _render_compiled(lines: list[str], compiled: Compiled) -> str:
    meta, stream = _plan_meta(compiled.plan)
    lines.append(f"-- writes: {compiled.writes}")
    lines.append("-- params: " + pprint.pformat(dict(compiled.params), width=200))
    lines.append("-- meta: " + pprint.pformat(meta, width=200, sort_dicts=True))
    lines.append(compiled.text)
    for binding in bindings_of(compiled):
        lines.append(f"-- run first, binding {', '.join(binding.names)}:")
        lines.append("-- params: " + pprint.pformat(dict(binding.params), width=200))
        if binding.derive is not None:
            derive = binding.derive
            keywords = getattr(derive, "keywords", {})
            name = getattr(getattr(derive, "func", derive), "__name__", "?")
            lines.append(f"-- values: {name}({pprint.pformat(keywords, width=200)})")
        lines.append(binding.text)
    if stream is not None:
        lines.extend(_render_stream(stream, compiled.params))
    return "\n".join(lines) + "\n"


def _render_stream(plan: StreamPlan, params: Any) -> list[str]:
    fields_ = {
        f.name: getattr(plan, f.name)
        for f in dataclasses.fields(plan)
        if f.name not in ("finish", "body")
    }
    first = tuple("a" for _ in range(plan.groups))
    last = tuple("b" for _ in range(plan.groups))
    lines = [
        "-- stream: " + pprint.pformat(fields_, width=200, sort_dicts=True),
        "-- stream finish: " + repr(plan.finish),
        "-- stream body:",
        plan.body,
        "-- stream count:",
        plan.count_sql(),
    ]
    for label, (text, bound) in (
        ("slices", plan.slices_sql(1000, params)),
        ("histogram", plan.histogram_sql(first, 0, 10, params)),
        ("slice of series", plan.slice_sql(Slice(first, last), params)),
        ("slice of times", plan.slice_sql(Slice(first, first, 5, 9), params)),
    ):
        lines.append(f"-- stream {label}: " + pprint.pformat(bound, width=200))
        lines.append(text)
    return lines


def _check(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.sql"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"No golden file {path}; run with INFLUXPY_UPDATE_GOLDEN=1."
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_sql_matches_golden(name: str) -> None:
    _check(name, _render(name, CASES[name]))


def test_delete_matches_golden() -> None:
    delete = _delete()
    compiled = delete.compile(DuckDBCompiler(CATALOG, now_ns=NOW_NS))
    text = _render_compiled(["-- case: delete", f"-- influxql: {delete}"], compiled)
    _check("delete", text)


def test_every_golden_file_has_a_case() -> None:
    names = {p.stem for p in GOLDEN.glob("*.sql")}
    assert names == {*CASES, "delete"}


def test_calls_grouping_the_same_rows_alike_share_one_aggregate() -> None:
    # Four calls of one field in windows by host: one GROUP BY over the rows
    # (``shared``); a second field's calls have their own.
    compiled = (
        W.annotate(Max("v"), Min("v"), Count("v"), Spread("v"), Max("n"), Sum("n"))
        .resolution(Minute(1))
        .group_by("host")
        .query.compile(DuckDBCompiler(CATALOG, now_ns=NOW_NS))
    )
    assert compiled.text.count("FROM base WHERE") == 2
    assert compiled.text.count("shared_") >= 2 + 6
    # The series' parts of two fields' means: one grouping by series.
    means = (
        W.annotate(Mean("v"), Mean("n"), Sum("v"))
        .resolution(Minute(1))
        .group_by("host")
        .query.compile(DuckDBCompiler(CATALOG, now_ns=NOW_NS))
    )
    assert means.text.count("FROM base WHERE") == 1
    assert '("v" IS NOT NULL OR "n" IS NOT NULL)' in means.text
    # One call alone reads the rows itself.
    alone = W.annotate(Max("v")).resolution(Minute(1)).group_by("host").query
    assert "shared_" not in alone.compile(DuckDBCompiler(CATALOG, now_ns=NOW_NS)).text
