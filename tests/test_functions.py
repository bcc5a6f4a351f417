"""Functions: declarations, argument checks and the queries they may join.

Each function class is checked for its InfluxQL name and kind; wrong
arguments, wrong field types and the combinations InfluxDB refuses or
answers wrongly raise errors asserted word for word.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from _models import Reading, ServerMeasurement
from influxpy import F, Raw, aggregates, functions
from influxpy.durations import Hour, Minute, Second
from influxpy.exceptions import CompileError, FieldError
from influxpy.functions import (
    Abs,
    Aggregate,
    Atan2,
    Bottom,
    ChandeMomentumOscillator,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    Elapsed,
    ExponentialMovingAverage,
    First,
    Func,
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    KaufmansEfficiencyRatio,
    Last,
    Log,
    Max,
    Mean,
    Median,
    Min,
    MovingAverage,
    NonNegativeDerivative,
    Percentile,
    Pow,
    Sample,
    Selector,
    Sum,
    Top,
    Transform,
    TripleExponentialDerivative,
)

SERVERS = ServerMeasurement.series
READINGS = Reading.series

FUNCTION_CLASSES = [
    getattr(functions, name)
    for name in functions.__all__
    if name not in ("Aggregate", "Func", "Selector", "Transform")
]


# -- declarations ----------------------------------------------------------------


@pytest.mark.parametrize("cls", FUNCTION_CLASSES, ids=lambda cls: cls.__name__)
def test_declaration(cls: type[Func]):
    """Each class names its InfluxQL function after itself and has a kind."""
    spelled = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    assert cls.function == {"std_dev": "stddev"}.get(spelled, spelled)
    family = {"aggregate": Aggregate, "selector": Selector, "transform": Transform}
    assert issubclass(cls, family[cls.kind])


@pytest.mark.parametrize(
    ("cls", "kind"),
    [
        (Count, "aggregate"),
        (Distinct, "aggregate"),
        (Integral, "aggregate"),
        (Mean, "aggregate"),
        (Median, "aggregate"),
        (Sum, "aggregate"),
        (Bottom, "selector"),
        (First, "selector"),
        (Last, "selector"),
        (Max, "selector"),
        (Percentile, "selector"),
        (Sample, "selector"),
        (Top, "selector"),
        (Abs, "transform"),
        (Derivative, "transform"),
        (HoltWinters, "transform"),
        (MovingAverage, "transform"),
    ],
)
def test_kinds(cls: type[Func], kind: str):
    """Aggregates, selectors and transformations follow the reference (§3.9)."""
    assert cls.kind == kind


def test_seed_import_path():
    """``influxpy.aggregates`` re-exports the function classes (the seed's path)."""
    assert aggregates.Mean is Mean
    assert sorted(aggregates.__all__) == sorted(functions.__all__)


@pytest.mark.parametrize(
    ("function", "alias"),
    [
        (Mean("cpu"), "mean"),
        (Percentile("cpu", 95), "percentile"),
        (NonNegativeDerivative("cpu"), "non_negative_derivative"),
        (Func("count_hll", "cpu"), "count_hll"),
        (Func("MEAN", "cpu"), "mean"),
        (Mean("cpu") * Count("cpu"), "mean_count"),
        (F("cpu") * 2, "cpu"),
        (2 * F("cpu"), "cpu"),
        (Raw("x"), None),
    ],
)
def test_default_alias(function: Any, alias: str | None):
    """Default names follow InfluxQL's column names (§3.8)."""
    assert function.default_alias() == alias


def test_equality_and_hash():
    """Functions compare by class, argument and parameters."""
    assert Mean("cpu") == Mean("cpu")
    assert Mean("cpu") == Mean(F("cpu"))
    assert hash(Mean("cpu")) == hash(Mean(F("cpu")))
    assert Mean("cpu") != Median("cpu")
    assert Mean("cpu") != Mean("memory")
    assert Percentile("cpu", 90) != Percentile("cpu", 95)
    assert Func("mean", "cpu") != Mean("cpu")
    assert len({Mean("cpu"), Mean("cpu"), Max("cpu")}) == 2


def test_repr():
    """repr() shows the call."""
    assert repr(Mean("cpu")) == "Mean(F(name='cpu'))"
    assert repr(Top("cpu", "name", 3)) == "Top(F(name='cpu'), 'name', 3)"
    assert repr(Func("count_hll", "cpu")) == "Func('count_hll', F(name='cpu'))"


def test_resolving_does_not_change_the_function():
    """A function stays unresolved after a QuerySet uses it."""
    mean = Mean("cpu")
    SERVERS.annotate(mean)
    assert mean.source == F("cpu")


# -- argument checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "msg"),
    [
        (
            lambda: Percentile("cpu"),
            "'Percentile' takes exactly 2 arguments (1 given).",
        ),
        (lambda: Mean(), "'Mean' takes exactly 1 argument (0 given)."),
        (lambda: Mean("cpu", "memory"), "'Mean' takes exactly 1 argument (2 given)."),
        (
            lambda: Derivative("cpu", Second(1), 3),
            "'Derivative' takes from 1 to 2 arguments (3 given).",
        ),
        (lambda: Top("cpu"), "'Top' takes at least 2 arguments (1 given)."),
        (
            lambda: HoltWinters(Mean("cpu"), 3),
            "'HoltWinters' takes exactly 3 arguments (2 given).",
        ),
        (
            lambda: KaufmansEfficiencyRatio("cpu", 5, 1, "simple"),
            "'KaufmansEfficiencyRatio' takes from 2 to 3 arguments (4 given).",
        ),
        (
            lambda: ExponentialMovingAverage("cpu"),
            "'ExponentialMovingAverage' takes from 2 to 4 arguments (1 given).",
        ),
    ],
)
def test_arity(make: Any, msg: str):
    """The number of arguments is checked when the function is built."""
    with pytest.raises(TypeError, match=re.escape(msg) + "$"):
        make()


@pytest.mark.parametrize("p", [True, "50", None, float("nan"), float("-inf")])
def test_percentile_takes_a_number(p: Any):
    """P is a finite number."""
    msg = f"Percentile's P must be a finite number (a percent); got {p!r}."
    with pytest.raises(ValueError, match=re.escape(msg)):
        Percentile("cpu", p)


@pytest.mark.parametrize("p", [0, -5, 0.5, 100.5, 101, 1000])
def test_percentile_outside_0_to_100_is_sent(p: float):
    """InfluxDB answers any P (no value where the rank misses the points)."""
    assert Percentile("cpu", p).params == (p,)


@pytest.mark.parametrize("argument", [3, 2.5, None, b"cpu"])
def test_argument_that_is_not_a_field(argument: Any):
    """The first argument is a field name, F(), arithmetic or a function."""
    type_name = type(argument).__name__
    msg = (
        "A function reads a field name, F(), arithmetic or another function; "
        f"got {argument!r} ({type_name})."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        Mean(argument)


@pytest.mark.parametrize("args", [(), (3,), (None, "cpu")])
def test_func_needs_a_name(args: tuple[Any, ...]):
    """The generic Func takes the function name first."""
    msg = "Func() takes the function name first: Func('mean', 'cpu')."
    with pytest.raises(TypeError, match=re.escape(msg)):
        Func(*args)


@pytest.mark.parametrize(
    ("make", "error", "msg"),
    [
        (
            lambda: Integral("cpu", 5),
            TypeError,
            (
                "Integral's unit takes a duration such as Minute(5) or a timedelta; "
                "got 5 (int)."
            ),
        ),
        (
            lambda: Derivative("cpu", "1s"),
            TypeError,
            (
                "Derivative's unit takes a duration such as Minute(5) or a timedelta; "
                "got '1s' (str)."
            ),
        ),
        (
            lambda: Integral("cpu", Second(0)),
            ValueError,
            "Integral's unit must be a positive duration; got Second(0).",
        ),
        (
            lambda: Derivative("cpu", -Second(1)),
            ValueError,
            "Derivative's unit must be a positive duration; got Second(-1).",
        ),
        (
            lambda: Elapsed("cpu", dt.timedelta(0)),
            ValueError,
            "Elapsed's unit must be a positive duration; got Week(0).",
        ),
    ],
)
def test_bad_unit(make: Any, error: type[Exception], msg: str):
    """Units are positive durations (the server refuses anything else)."""
    with pytest.raises(error, match=re.escape(msg)):
        make()


@pytest.mark.parametrize(
    ("make", "msg"),
    [
        (
            lambda: Top("cpu", 0),
            "Top's count must be an int of at least 1; got 0 (int).",
        ),
        (
            lambda: Bottom("cpu", 2.5),
            "Bottom's count must be an int of at least 1; got 2.5 (float).",
        ),
        (lambda: Top("cpu", 3, 3), "Top() takes tag names before the count; got 3."),
        (
            lambda: Sample("cpu", 0),
            "Sample's count must be an int of at least 1; got 0 (int).",
        ),
        (
            lambda: MovingAverage("cpu", 1),
            "MovingAverage's window must be an int of at least 2; got 1 (int).",
        ),
        (
            lambda: MovingAverage("cpu", True),
            "MovingAverage's window must be an int of at least 2; got True (bool).",
        ),
        (
            lambda: HoltWinters(Mean("cpu"), 0, 1),
            (
                "HoltWinters's number of predicted points must be an int of at least "
                "1; got 0 (int)."
            ),
        ),
        (
            lambda: HoltWintersWithFit(Mean("cpu"), 5, -1),
            "HoltWintersWithFit's season must be an int of at least 0; got -1 (int).",
        ),
        (
            lambda: ExponentialMovingAverage("cpu", 0),
            (
                "ExponentialMovingAverage's period must be an int of at least 1; "
                "got 0 (int)."
            ),
        ),
        (
            lambda: TripleExponentialDerivative("cpu", 5, -2),
            (
                "TripleExponentialDerivative's hold period must be an int of at least "
                "-1; got -2 (int)."
            ),
        ),
        (
            lambda: Log("cpu", [2]),
            (
                "Log's second argument must be a number, a field name or an "
                "expression; got [2]."
            ),
        ),
        (
            lambda: Pow("cpu", True),
            (
                "Pow's second argument must be a number, a field name or an "
                "expression; got True."
            ),
        ),
    ],
)
def test_bad_parameter(make: Any, msg: str):
    """Counts, windows and numbers are checked with the value shown."""
    with pytest.raises(TypeError, match=re.escape(msg) + "$"):
        make()


@pytest.mark.parametrize(
    "source", [F("cpu"), "cpu", Derivative("cpu")], ids=["F", "name", "transform"]
)
@pytest.mark.parametrize("cls", [HoltWinters, HoltWintersWithFit])
def test_holt_winters_needs_an_aggregate(cls: type[Func], source: Any):
    """HOLT_WINTERS predicts from an aggregate or a selector (§3.9), or a
    transformation of one."""
    name = cls.__name__
    msg = (
        f"{name}() predicts from an aggregate or a transformation of one: "
        f"{name}(Mean('cpu'), 10, 4); got "
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        cls(source, 10, 4)


@pytest.mark.parametrize(
    ("make", "msg"),
    [
        (
            lambda: ExponentialMovingAverage("cpu", 5, -1, "none"),
            (
                "ExponentialMovingAverage's warmup is 'exponential' or 'simple'; "
                "got 'none'."
            ),
        ),
        (
            lambda: ChandeMomentumOscillator("cpu", 5, -1, "fast"),
            (
                "ChandeMomentumOscillator's warmup is 'none', 'exponential' or "
                "'simple'; got 'fast'."
            ),
        ),
    ],
)
def test_bad_warmup(make: Any, msg: str):
    """Only CHANDE_MOMENTUM_OSCILLATOR accepts the 'none' warmup."""
    with pytest.raises(ValueError, match=re.escape(msg)):
        make()


def test_atan2_reads_two_fields():
    """ATAN2's second argument is a field or an expression too."""
    msg = (
        "A function reads a field name, F(), arithmetic or another function; "
        "got 3 (int)."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        Atan2("cpu", 3)


# -- field types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "key", "dtype"),
    [
        (Mean("message"), "message", "string"),
        (Mean("ok"), "ok", "boolean"),
        (Sum("ok"), "ok", "boolean"),
        (Max("message"), "message", "string"),
        (Percentile("message", 50), "message", "string"),
        (Derivative("ok"), "ok", "boolean"),
        (Abs("message"), "message", "string"),
        (CumulativeSum("message"), "message", "string"),
        (Integral("ok"), "ok", "boolean"),
    ],
)
def test_numeric_function_on_a_non_numeric_field(function: Func, key: str, dtype: str):
    """MEAN of strings or SUM of booleans fails on the server; refuse it here."""
    name = type(function).__name__
    msg = f"{name}() needs a numeric field, but {key!r} holds {dtype} values."
    with pytest.raises(FieldError, match=re.escape(msg)) as info:
        READINGS.annotate(function)
    assert info.value.field == key


@pytest.mark.parametrize(
    "function",
    [
        Count("message"),
        First("ok"),
        Last("message"),
        Distinct("message"),
        Mean("anything"),
        Max("ok"),
        Min("ok"),
    ],
    ids=repr,
)
def test_functions_that_take_any_field(function: Func):
    """COUNT, FIRST, LAST and DISTINCT read any type, MAX and MIN booleans
    too; untyped fields pass."""
    READINGS.annotate(function)


@pytest.mark.parametrize(
    ("function", "key"),
    [
        (Count("name"), "name"),
        (Mean("name"), "name"),
        (Distinct("region"), "region"),
        (First("optional_tag"), "optional_tag"),
        (Derivative("name"), "name"),
    ],
)
def test_function_on_a_tag(function: Func, key: str):
    """Functions over tags return nothing in InfluxDB (§3.8)."""
    name = type(function).__name__
    msg = (
        f"{name}() cannot read the tag {key!r}: InfluxDB applies functions to "
        "fields only (list tag values with SHOW TAG VALUES)."
    )
    with pytest.raises(FieldError, match=re.escape(msg)) as info:
        SERVERS.annotate(function)
    assert info.value.field == key


def test_function_on_a_stored_key_names_it():
    """Errors show the stored key and keep the attribute name in ``.field``."""
    msg = "Mean() cannot read the tag 'data center\\'s \"zone\"': InfluxDB applies"
    with pytest.raises(FieldError, match=re.escape(msg)) as info:
        READINGS.annotate(Mean("odd_tag"))
    assert info.value.field == "odd_tag"


def test_function_on_an_unknown_field():
    """Function arguments are resolved against the model."""
    msg = (
        "ServerMeasurement has no field 'cpus'; choices are: cpu, free_memory, "
        "memory, name, optional_tag, region, time. Did you mean 'cpu'?"
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.annotate(Mean("cpus"))


def test_top_with_an_unknown_tag():
    """Tag arguments of TOP and BOTTOM are resolved too."""
    msg = "ServerMeasurement has no field 'nam'"
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.annotate(Top("cpu", "nam", 3))


# -- combinations in one query ---------------------------------------------------

RESOLUTION_WITHOUT_AGGREGATE = (
    "resolution() groups rows into time windows, so the query needs a function to "
    "reduce each window: add annotate(Mean('field')) or similar."
)
FILL_WITHOUT_RESOLUTION = (
    "fill() fills empty time windows, so the query needs .resolution(...) as well."
)


@pytest.mark.parametrize(
    "qs",
    [
        pytest.param(SERVERS.resolution(Minute(5)), id="select-all"),
        pytest.param(SERVERS.only("cpu").resolution(Minute(5)), id="only"),
        pytest.param(
            SERVERS.annotate(x=F("cpu") * 2).group_by(time=Hour(1)), id="arithmetic"
        ),
    ],
)
def test_resolution_without_an_aggregate(qs: Any):
    """GROUP BY time needs a function (§3.5)."""
    with pytest.raises(CompileError, match=re.escape(RESOLUTION_WITHOUT_AGGREGATE)):
        str(qs.query)


@pytest.mark.parametrize(
    ("qs", "names"),
    [
        (SERVERS.annotate(Mean("cpu"), "memory"), "'memory'"),
        (SERVERS.only("cpu", "name").annotate(Sum("memory")), "'cpu', 'name'"),
        (SERVERS.annotate(Count("cpu"), x=F("memory") * 2), "'x'"),
    ],
)
def test_aggregate_mixed_with_raw_fields(qs: Any, names: str):
    """InfluxDB refuses aggregates beside raw fields (§3.8)."""
    msg = (
        f"InfluxDB cannot mix aggregates with raw fields ({names}) in one query; "
        "aggregate them too, or use a selector such as Max()."
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        str(qs.query)


@pytest.mark.parametrize(
    ("function", "name"),
    [
        (Derivative(Mean("cpu"), Second(1)), "Derivative"),
        (Difference(Max("cpu")), "Difference"),
        (MovingAverage(Mean("cpu"), 3), "MovingAverage"),
        (CumulativeSum(Sum("cpu")), "CumulativeSum"),
        (HoltWinters(Mean("cpu"), 10, 4), "HoltWinters"),
        (ExponentialMovingAverage(Mean("cpu"), 5), "ExponentialMovingAverage"),
    ],
)
def test_transform_of_an_aggregate_without_resolution(function: Func, name: str):
    """Transformations of aggregates need GROUP BY time (§3.9, "T")."""
    msg = (
        f"{name}() of an aggregate needs time windows: add .resolution(...) to "
        "the query."
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        str(SERVERS.annotate(function).query)


def test_math_of_an_aggregate_needs_no_resolution():
    """Math functions apply to aggregates without GROUP BY time (§3.9)."""
    assert str(SERVERS.annotate(Abs(Mean("cpu"))).query) == (
        'SELECT abs(mean("cpu")) FROM "servers"'
    )


def test_fill_without_resolution():
    """fill() only applies to time windows."""
    qs = SERVERS.annotate(Mean("cpu")).fill(0)
    with pytest.raises(CompileError, match=re.escape(FILL_WITHOUT_RESOLUTION)):
        str(qs.query)


def test_checks_reach_into_subqueries():
    """The inner query of a subquery is checked as well."""
    qs = SERVERS.annotate(m=Mean("cpu")).fill(0).subquery().annotate(Max("m"))
    with pytest.raises(CompileError, match=re.escape(FILL_WITHOUT_RESOLUTION)):
        str(qs.query)
