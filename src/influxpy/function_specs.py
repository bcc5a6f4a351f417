"""The InfluxQL functions influxpy declares: one entry each, read everywhere.

``FUNCTIONS`` maps a function's InfluxQL name to its ``FunctionSpec``: its
kind, its arity and argument rules, the column the server names its result,
the stores that run it, and the key of the engine implementation the DuckDB
compiler dispatches on. The function classes (``influxpy.functions``), the
query checks (``influxpy.query``), the compilers and the README's support
table all read it, so adding a function is one entry here, a class, and its
engine implementation.

The table holds no SQL and no InfluxQL beyond each function's name; it
imports nothing of influxpy, so every layer may read it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

__all__ = [
    "ENGINE",
    "FUNCTIONS",
    "SERVER_STORES",
    "STORES",
    "FunctionSpec",
    "names_where",
]

#: The kind a function class reports (``Func.kind``).
Kind = Literal["aggregate", "selector", "transform"]
#: The family of a transformation, or ``None`` for the plain ones.
Family = Literal["math", "technical", "predictor"]

#: InfluxDB servers, in the README's column order.
SERVER_STORES: tuple[str, ...] = ("influxdb1", "influxdb2", "influxdb3")
#: The embedded engine (DuckDB).
ENGINE = "engine"
#: Every store a function can run on.
STORES: tuple[str, ...] = (*SERVER_STORES, ENGINE)

#: Stores that run what every store runs.
_ALL = frozenset(STORES)
#: InfluxDB 3.x has no SAMPLE, HOLT_WINTERS or technical analysis
#: (shared/reference/influxql.md §5).
_NOT_V3 = _ALL - {"influxdb3"}
#: The field types the numeric functions refuse.
_NOT_NUMBERS = ("string", "boolean")


@dataclasses.dataclass(frozen=True)
class FunctionSpec:
    """One InfluxQL function: what it is, what it takes, who runs it."""

    #: The InfluxQL name, lower case.
    name: str
    #: ``aggregate``, ``selector`` or ``transform`` (``Func.kind``).
    kind: Kind
    #: How the engine computes it: the key its compiler dispatches on.
    engine: str
    #: The transformation family: ``math`` (row by row), ``technical``
    #: (technical analysis) or ``predictor`` (HOLT_WINTERS).
    family: Family | None = None
    #: Whether it emits several rows per window (TOP, BOTTOM, SAMPLE,
    #: DISTINCT). The function classes keep ``kind`` (DISTINCT is an
    #: aggregate, TOP a selector) while the engine compiles these apart
    #: from the aggregates and selectors.
    multi_row: bool = False
    #: Arity, counting the argument it reads; ``None``: no upper bound.
    min_args: int = 1
    max_args: int | None = 1
    #: Whether the argument must be numeric (int or float fields).
    numeric: bool = False
    #: For a transformation: whether applying it to an aggregate needs
    #: GROUP BY time.
    needs_group_by_time: bool = False
    #: The roles of the parameters after the argument, in order (the
    #: function class checks each): ``unit`` (a duration), ``count``,
    #: ``window``, ``percentile``, ``number``, ``expression``, ``tags…``
    #: (tag names, any number), ``season``, ``period``, ``hold``, ``warmup``.
    params: tuple[str, ...] = ()
    #: The warmup types InfluxDB accepts (technical analysis).
    warmups: tuple[str, ...] = ()
    #: The type of its values when it does not follow the field's:
    #: ``float`` or ``integer``. Math functions follow their own rules
    #: (``keeps_integer``).
    result_type: Literal["float", "integer"] | None = None
    #: A math function that leaves an integer as it is (MathValuer).
    keeps_integer: bool = False
    #: A transformation that reads one window before the range.
    look_back: bool = False
    #: A transformation that makes the statement map its shards one window
    #: (or its period N) before the range (``ExtraIntervals`` in influxd's
    #: ``compile.go``): every ``look_back`` one, and CUMULATIVE_SUM, which
    #: reads nothing earlier itself but lets a subquery's raw DIFFERENCE or
    #: DERIVATIVE under its windows read one window back.
    extra_intervals: bool = False
    #: The stores that run it (``STORES``).
    stores: frozenset[str] = _ALL
    #: The column the server names its result, unless aliased.
    column: str = ""
    #: The field types influxd 1.6.7 refuses as the argument, answering
    #: ``unsupported <iterator> iterator type: *query.<type>InterruptIterator``
    #: (``string``, ``boolean``): the numeric functions but the math ones
    #: (which answer null), and MAX and MIN take booleans.
    refused_types: frozenset[str] | None = None
    #: The function's name in that error (``cumulative sum``; the
    #: non-negative variants say ``derivative`` and ``difference``).
    iterator: str = ""

    def __post_init__(self) -> None:
        if not self.column:
            object.__setattr__(self, "column", self.name)
        if not self.iterator:
            object.__setattr__(self, "iterator", self.name.replace("_", " "))
        if self.look_back:
            object.__setattr__(self, "extra_intervals", True)
        if self.refused_types is None:
            refused = _NOT_NUMBERS if self.numeric and self.family != "math" else ()
            object.__setattr__(self, "refused_types", frozenset(refused))


def _aggregate(name: str, engine: str = "reduce", **rules: object) -> FunctionSpec:
    return FunctionSpec(name, "aggregate", engine, **rules)  # type: ignore[arg-type]


def _selector(name: str, engine: str = "reduce", **rules: object) -> FunctionSpec:
    return FunctionSpec(name, "selector", engine, **rules)  # type: ignore[arg-type]


def _transform(name: str, engine: str, **rules: object) -> FunctionSpec:
    rules.setdefault("numeric", True)
    rules.setdefault("needs_group_by_time", True)
    return FunctionSpec(name, "transform", engine, **rules)  # type: ignore[arg-type]


def _math(name: str, *params: str, **rules: object) -> FunctionSpec:
    return _transform(
        name,
        "math",
        family="math",
        needs_group_by_time=False,
        min_args=1 + len(params),
        max_args=1 + len(params),
        params=params,
        **rules,
    )


def _technical(name: str, *, hold_only: bool = False, **rules: object) -> FunctionSpec:
    return _transform(
        name,
        "technical",
        family="technical",
        min_args=2,
        max_args=3 if hold_only else 4,
        params=("period", "hold") if hold_only else ("period", "hold", "warmup"),
        result_type="float",
        look_back=True,
        stores=_NOT_V3,
        **rules,
    )


_SPECS: tuple[FunctionSpec, ...] = (
    # -- aggregates -----------------------------------------------------------
    _aggregate("count", result_type="integer"),
    # The classes call DISTINCT an aggregate; the engine compiles it as a
    # multi-row function.
    _aggregate("distinct", "distinct", multi_row=True),
    _aggregate(
        "integral",
        "integral",
        max_args=2,
        numeric=True,
        params=("unit",),
        result_type="float",
    ),
    _aggregate("mean", numeric=True, result_type="float"),
    _aggregate("median", numeric=True, result_type="float"),
    _aggregate("mode"),
    _aggregate("spread", numeric=True),
    _aggregate("stddev", numeric=True, result_type="float"),
    _aggregate("sum", numeric=True),
    # -- selectors ------------------------------------------------------------
    # TOP, BOTTOM and SAMPLE are selectors to the classes and multi-row
    # functions to the engine.
    _selector(
        "bottom",
        "top_bottom",
        multi_row=True,
        min_args=2,
        max_args=None,
        numeric=True,
        params=("tags…", "count"),
    ),
    _selector("first"),
    _selector("last"),
    _selector("max", numeric=True, refused_types=frozenset({"string"})),
    _selector("min", numeric=True, refused_types=frozenset({"string"})),
    _selector(
        "percentile", min_args=2, max_args=2, numeric=True, params=("percentile",)
    ),
    _selector(
        "sample",
        "sample",
        multi_row=True,
        min_args=2,
        max_args=2,
        params=("count",),
        stores=_NOT_V3,
    ),
    _selector(
        "top",
        "top_bottom",
        multi_row=True,
        min_args=2,
        max_args=None,
        numeric=True,
        params=("tags…", "count"),
    ),
    # -- math -----------------------------------------------------------------
    _math("abs"),
    _math("acos"),
    _math("asin"),
    _math("atan"),
    _math("atan2", "expression"),
    _math("ceil", keeps_integer=True),
    _math("cos"),
    _math("exp"),
    _math("floor", keeps_integer=True),
    _math("ln"),
    _math("log", "number"),
    _math("log2"),
    _math("log10"),
    _math("pow", "number"),
    _math("round", keeps_integer=True),
    _math("sin"),
    _math("sqrt"),
    _math("tan"),
    # -- transformations ------------------------------------------------------
    _transform("cumulative_sum", "cumulative_sum", extra_intervals=True),
    _transform(
        "derivative",
        "derivative",
        max_args=2,
        params=("unit",),
        result_type="float",
        look_back=True,
    ),
    _transform("difference", "difference", look_back=True),
    _transform(
        "elapsed",
        "elapsed",
        max_args=2,
        numeric=False,
        params=("unit",),
        result_type="integer",
        look_back=True,
    ),
    _transform(
        "moving_average",
        "moving_average",
        min_args=2,
        max_args=2,
        params=("window",),
        result_type="float",
        look_back=True,
    ),
    _transform(
        "non_negative_derivative",
        "derivative",
        iterator="derivative",
        max_args=2,
        params=("unit",),
        result_type="float",
        look_back=True,
    ),
    _transform(
        "non_negative_difference",
        "difference",
        iterator="difference",
        look_back=True,
    ),
    # -- predictors -----------------------------------------------------------
    _transform(
        "holt_winters",
        "holt_winters",
        family="predictor",
        min_args=3,
        max_args=3,
        params=("count", "season"),
        result_type="float",
        stores=_NOT_V3,
    ),
    _transform(
        "holt_winters_with_fit",
        "holt_winters",
        family="predictor",
        min_args=3,
        max_args=3,
        params=("count", "season"),
        result_type="float",
        stores=_NOT_V3,
    ),
    # -- technical analysis ---------------------------------------------------
    _technical("chande_momentum_oscillator", warmups=("none", "exponential", "simple")),
    _technical("double_exponential_moving_average", warmups=("exponential", "simple")),
    _technical("exponential_moving_average", warmups=("exponential", "simple")),
    _technical("kaufmans_adaptive_moving_average", hold_only=True),
    _technical("kaufmans_efficiency_ratio", hold_only=True),
    _technical("relative_strength_index", warmups=("exponential", "simple")),
    _technical("triple_exponential_derivative", warmups=("exponential", "simple")),
    _technical("triple_exponential_moving_average", warmups=("exponential", "simple")),
)

#: InfluxQL name -> its spec, for every function influxpy declares.
FUNCTIONS: Mapping[str, FunctionSpec] = MappingProxyType(
    {spec.name: spec for spec in _SPECS}
)


def names_where(**rules: object) -> frozenset[str]:
    """The names of the functions whose spec has every attribute given:
    ``names_where(kind='selector', multi_row=False)``."""
    return frozenset(
        spec.name
        for spec in _SPECS
        if all(getattr(spec, key) == value for key, value in rules.items())
    )
