"""QuerySet behaviour that needs no database: chaining, laziness, slicing.

Every chaining method is checked the way PyPika checks its builders: it
returns a new QuerySet and leaves the original's statement untouched.
Queries that would run go to a small in-memory backend that records what
it is asked, so laziness and the result cache can be observed.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from _models import Downsampled, ServerMeasurement
from influxpy import F, Q
from influxpy.backends.base import Backend
from influxpy.compilers.base import Compiled
from influxpy.compilers.influxql import InfluxQLCompiler
from influxpy.connection import DatabaseURL, connections
from influxpy.durations import Hour, Minute
from influxpy.exceptions import CompileError, FieldError
from influxpy.functions import Max, Mean
from influxpy.queryset import QuerySet
from influxpy.results import InfluxResult, Series

SERVERS = ServerMeasurement.series
RAW = SERVERS.filter(name="a")
AGGREGATE = RAW.annotate(m=Mean("cpu")).resolution(Minute(5))
RAW_TEXT = 'SELECT * FROM "servers" WHERE "name" = \'a\''
AGGREGATE_TEXT = (
    'SELECT mean("cpu") AS "m" FROM "servers" WHERE "name" = \'a\' GROUP BY time(5m)'
)


class RecordingBackend(Backend):
    """A backend that answers every query with one series and remembers it."""

    compiler_class = InfluxQLCompiler
    vendor = "recording"

    def __init__(self, url: DatabaseURL, alias: str) -> None:
        super().__init__(url, alias)
        self.statements: list[str] = []

    def execute(self, compiled: Compiled, **options: Any) -> Iterator[Series]:
        self.statements.append(compiled.text)
        yield Series("servers", {}, ["time", "cpu"], [[0, 1.0]])

    def write(self, model: Any, objs: Iterable[Any], **options: Any) -> int:
        raise AssertionError("no test here writes")

    def write_lines(self, lines: Iterable[str], **options: Any) -> int:
        raise AssertionError("no test here writes")

    def ping(self) -> str:
        return "test"

    def create_database(self, name: str | None = None) -> None:
        raise AssertionError("no test here creates databases")

    def drop_database(self, name: str | None = None) -> None:
        raise AssertionError("no test here drops databases")

    def list_databases(self) -> list[str]:
        return ["test"]

    def close(self) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, RecordingBackend]]:
    """A recording backend registered under a fresh alias."""
    alias = f"recording-{uuid.uuid4().hex[:8]}"
    backend = RecordingBackend(DatabaseURL.parse("recording://localhost/test"), alias)
    connections.register(alias, backend)
    try:
        yield alias, backend
    finally:
        connections._backends.pop(alias, None)


# -- immutability ----------------------------------------------------------------

Chain = Callable[[QuerySet[Any]], QuerySet[Any]]

# (method, base QuerySet, call, text of the new QuerySet)
CHAINING: list[tuple[str, QuerySet[Any], Chain, str]] = [
    ("all", RAW, lambda qs: qs.all(), RAW_TEXT),
    ("none", RAW, lambda qs: qs.none(), RAW_TEXT),
    ("using", RAW, lambda qs: qs.using("other"), RAW_TEXT),
    ("database", RAW, lambda qs: qs.database("other"), RAW_TEXT),
    (
        "filter",
        RAW,
        lambda qs: qs.filter(region="eu"),
        RAW_TEXT + " AND \"region\" = 'eu'",
    ),
    (
        "exclude",
        RAW,
        lambda qs: qs.exclude(region="eu"),
        RAW_TEXT + " AND \"region\" != 'eu'",
    ),
    (
        "annotate",
        RAW,
        lambda qs: qs.annotate(Max("cpu")),
        'SELECT max("cpu") FROM "servers" WHERE "name" = \'a\'',
    ),
    (
        "only",
        RAW,
        lambda qs: qs.only("cpu"),
        'SELECT "cpu" FROM "servers" WHERE "name" = \'a\'',
    ),
    (
        "resolution",
        AGGREGATE,
        lambda qs: qs.resolution(Hour(1)),
        AGGREGATE_TEXT.replace("time(5m)", "time(1h)"),
    ),
    (
        "group_by",
        AGGREGATE,
        lambda qs: qs.group_by("region"),
        AGGREGATE_TEXT + ', "region"',
    ),
    ("fill", AGGREGATE, lambda qs: qs.fill(0), AGGREGATE_TEXT + " fill(0)"),
    (
        "order_by",
        RAW,
        lambda qs: qs.order_by("-time"),
        RAW_TEXT + " ORDER BY time DESC",
    ),
    ("reverse", RAW, lambda qs: qs.reverse(), RAW_TEXT + " ORDER BY time DESC"),
    ("series_limit", RAW, lambda qs: qs.series_limit(2), RAW_TEXT + " SLIMIT 2"),
    (
        "series_offset",
        RAW,
        lambda qs: qs.series_offset(2),
        RAW_TEXT + " SLIMIT 9223372036854775805 SOFFSET 2",
    ),
    ("tz", RAW, lambda qs: qs.tz("UTC"), RAW_TEXT + " tz('UTC')"),
    (
        "into",
        AGGREGATE,
        lambda qs: qs.into(Downsampled),
        AGGREGATE_TEXT.replace("FROM", 'INTO "one_year"."cpu_1h" FROM') + ", *",
    ),
    (
        "subquery",
        AGGREGATE,
        lambda qs: qs.subquery(),
        f"SELECT * FROM ({AGGREGATE_TEXT})",
    ),
    (
        "use_downsampled",
        AGGREGATE,
        lambda qs: qs.use_downsampled(),
        AGGREGATE_TEXT,  # ServerMeasurement declares no downsampled copies
    ),
    ("points", RAW, lambda qs: qs.points(), RAW_TEXT),
    ("instances", RAW, lambda qs: qs.instances(), RAW_TEXT),
    ("values", RAW, lambda qs: qs.values("time", "cpu"), RAW_TEXT),
    ("values_list", RAW, lambda qs: qs.values_list("cpu", flat=True), RAW_TEXT),
    ("epoch", RAW, lambda qs: qs.epoch(), RAW_TEXT),
    ("slice", RAW, lambda qs: qs[2:5], RAW_TEXT + " LIMIT 3 OFFSET 2"),
]


@pytest.mark.parametrize(
    ("method", "base", "chain", "text"), CHAINING, ids=[c[0] for c in CHAINING]
)
def test_chaining_returns_a_new_queryset(
    method: str, base: QuerySet[Any], chain: Chain, text: str
):
    """The method returns a new QuerySet and leaves the original unchanged."""
    before_query = base.query
    before_text = str(base.query)
    before_repr = repr(base)

    result = chain(base)

    assert isinstance(result, QuerySet)
    assert result is not base
    assert result.model is base.model
    assert str(result.query) == text
    assert base.query is before_query
    assert str(base.query) == before_text
    assert repr(base) == before_repr


def test_every_chaining_method_is_checked():
    """Each public method documented as returning a new QuerySet is above."""
    documented = {
        name
        for name, member in inspect.getmembers(QuerySet, inspect.isfunction)
        if not name.startswith("_")
        and (member.__doc__ or "").startswith("Return a new QuerySet")
    }
    checked = {c[0] for c in CHAINING}
    assert documented - checked == set()


def test_chained_querysets_are_independent():
    """Two QuerySets chained from one base do not see each other's changes."""
    left = RAW.filter(region="eu")
    right = RAW.filter(region="us")
    assert str(left.query) == RAW_TEXT + " AND \"region\" = 'eu'"
    assert str(right.query) == RAW_TEXT + " AND \"region\" = 'us'"
    assert str(RAW.query) == RAW_TEXT


def test_manager_gives_a_fresh_queryset():
    """Each access to ``Model.series`` builds a new QuerySet."""
    assert ServerMeasurement.series is not ServerMeasurement.series


# -- laziness and the result cache -----------------------------------------------


def test_chaining_runs_no_query(recorder: tuple[str, RecordingBackend]):
    """Building a QuerySet, its repr and its text touch no backend."""
    alias, backend = recorder
    qs = (
        SERVERS.using(alias)
        .filter(name="a")
        .annotate(Mean("cpu"))
        .resolution(Hour(1))
        .fill(0)[:10]
    )
    repr(qs)
    str(qs.query)
    assert backend.statements == []


def test_iteration_runs_the_query_once(recorder: tuple[str, RecordingBackend]):
    """Results are cached: iterating twice, len() and bool() run one query."""
    alias, backend = recorder
    qs = SERVERS.using(alias).filter(name="a")
    first = list(qs)
    assert list(qs) == first
    assert len(qs) == 1
    assert bool(qs)
    assert first == [
        InfluxResult(
            name="servers",
            points=[{"time": dt.datetime(1970, 1, 1, tzinfo=dt.UTC), "cpu": 1.0}],
        )
    ]
    assert backend.statements == [RAW_TEXT]


@pytest.mark.parametrize(
    "chain",
    [
        lambda qs: qs.all(),
        lambda qs: qs.filter(region="eu"),
        lambda qs: qs.points(),
        lambda qs: qs.order_by("-time"),
    ],
)
def test_result_cache_is_not_copied(
    recorder: tuple[str, RecordingBackend], chain: Chain
):
    """A QuerySet chained from an evaluated one queries again."""
    alias, backend = recorder
    qs = SERVERS.using(alias).filter(name="a")
    list(qs)
    list(chain(qs))
    assert len(backend.statements) == 2


def test_none_never_queries(recorder: tuple[str, RecordingBackend]):
    """none() finds nothing without asking the backend."""
    alias, backend = recorder
    qs = SERVERS.using(alias).none()
    assert list(qs) == []
    assert len(qs) == 0
    assert not qs
    assert backend.statements == []


def test_repr_does_not_connect(monkeypatch: pytest.MonkeyPatch):
    """repr() shows the statement without configuring or opening a connection."""
    for variable in ("INFLUX_DATABASE_URL", "INFLUXDB_URL"):
        monkeypatch.delenv(variable, raising=False)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("repr() opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    had_default = "default" in connections

    qs = SERVERS.filter(name="a").annotate(Mean("cpu")).resolution(Hour(1))

    assert repr(qs) == (
        '<QuerySet ServerMeasurement series: SELECT mean("cpu") FROM "servers" '
        "WHERE \"name\" = 'a' GROUP BY time(1h)>"
    )
    assert repr(qs.points()) == repr(qs).replace(" series: ", " points: ")
    assert ("default" in connections) == had_default


def test_repr_of_a_query_that_cannot_compile():
    """repr() explains why a QuerySet cannot compile instead of raising."""
    qs = SERVERS.annotate(Mean("cpu")).fill(0)
    assert repr(qs) == (
        "<QuerySet ServerMeasurement series: (cannot compile: fill() fills empty "
        "time windows, so the query needs .resolution(...) as well.)>"
    )


# -- slicing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(-1, id="negative-index"),
        pytest.param(slice(-1, None), id="negative-start"),
        pytest.param(slice(None, -1), id="negative-stop"),
        pytest.param(slice(-5, -1), id="negative-both"),
    ],
)
def test_negative_indexing(key: Any):
    """Negative indices are refused before any query runs (as in Django)."""
    with pytest.raises(
        ValueError, match=re.escape("Negative indexing is not supported.")
    ):
        SERVERS[key]


@pytest.mark.parametrize("key", [slice(None, None, 2), slice(0, 10, 1)])
def test_slice_with_step(key: slice):
    """A step cannot become LIMIT/OFFSET."""
    msg = "QuerySet slicing does not support steps."
    with pytest.raises(ValueError, match=re.escape(msg)):
        SERVERS[key]


@pytest.mark.parametrize(
    ("key", "type_name"), [("a", "str"), (1.5, "float"), (True, "bool")]
)
def test_index_of_the_wrong_type(key: Any, type_name: str):
    """Only ints and slices index a QuerySet."""
    msg = f"QuerySet indices must be integers or slices, not {type_name}."
    with pytest.raises(TypeError, match=re.escape(msg)):
        SERVERS[key]


@pytest.mark.parametrize(
    "chain",
    [
        pytest.param(lambda qs: qs.filter(name="a"), id="filter"),
        pytest.param(lambda qs: qs.exclude(name="a"), id="exclude"),
        pytest.param(lambda qs: qs.filter(Q(name="a")), id="filter-q"),
        pytest.param(lambda qs: qs.annotate(Max("cpu")), id="annotate"),
        pytest.param(lambda qs: qs.only("cpu"), id="only"),
        pytest.param(lambda qs: qs.resolution(Hour(1)), id="resolution"),
        pytest.param(lambda qs: qs.group_by("name"), id="group_by"),
        pytest.param(lambda qs: qs.fill(0), id="fill"),
        pytest.param(lambda qs: qs.series_limit(1), id="series_limit"),
        pytest.param(lambda qs: qs.series_offset(1), id="series_offset"),
        pytest.param(lambda qs: qs.tz("UTC"), id="tz"),
        pytest.param(lambda qs: qs.into("copy"), id="into"),
        pytest.param(lambda qs: qs.order_by("-time"), id="order_by"),
        pytest.param(lambda qs: qs.reverse(), id="reverse"),
    ],
)
def test_cannot_change_a_sliced_queryset(chain: Chain):
    """Filtering or grouping after slicing would change what the slice means."""
    msg = (
        "Cannot change a QuerySet once a slice has been taken: LIMIT and OFFSET "
        "apply last, so filter, order and annotate first."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        chain(SERVERS[:5])


def test_subquery_of_a_slice_can_be_filtered():
    """A sliced query becomes a subquery that can be filtered again."""
    qs = SERVERS.only("cpu")[:5].subquery().filter(cpu__gt=1)
    assert str(qs.query) == (
        'SELECT * FROM (SELECT "cpu" FROM "servers" LIMIT 5) WHERE "cpu" > 1.0'
    )


# -- argument errors of the chaining methods -------------------------------------


def test_group_by_a_field():
    """InfluxDB groups by tags only."""
    msg = (
        "group_by() takes tags of ServerMeasurement (name, optional_tag, region) "
        "or '*'; InfluxDB cannot group by 'cpu'."
    )
    with pytest.raises(FieldError, match=re.escape(msg)) as info:
        SERVERS.group_by("cpu")
    assert info.value.field == "cpu"


def test_group_by_a_misspelt_tag():
    """An unknown name gets a suggestion."""
    msg = (
        "group_by() takes tags of ServerMeasurement (name, optional_tag, region) "
        "or '*'; InfluxDB cannot group by 'regoin'. Did you mean 'region'?"
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.group_by("regoin")


@pytest.mark.parametrize("name", ["cpu", "-cpu", "name", "time desc"])
def test_order_by_other_than_time(name: str):
    """InfluxQL orders by time only (§3.1)."""
    msg = (
        f"order_by() takes 'time' or '-time'; InfluxDB orders by time only, "
        f"got {name!r}."
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.order_by(name)


@pytest.mark.parametrize(
    "value",
    ["zero", "NULL", True, [0], dt.timedelta(0), float("nan"), float("inf")],
)
def test_bad_fill_value(value: Any):
    """fill() takes the InfluxQL options or a finite number."""
    msg = (
        "fill() takes None, 'null', 'none', 'previous', 'linear' or a finite "
        f"number; got {value!r}."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        AGGREGATE.fill(value)


@pytest.mark.parametrize("name", ["Nope/Zone", "Europe/Paris'", "", "../etc"])
def test_bad_tz_name(name: str):
    """tz() checks the zone before the server does."""
    msg = (
        "tz() takes an IANA time zone name such as 'Europe/Paris'; "
        f"{name!r} is not one."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        SERVERS.tz(name)


@pytest.mark.parametrize(
    ("interval", "msg", "error"),
    [
        (
            Minute(0),
            "resolution() takes a positive duration; got Minute(0).",
            ValueError,
        ),
        (
            Minute(-5),
            "resolution() takes a positive duration; got Minute(-5).",
            ValueError,
        ),
        (
            5,
            (
                "resolution() takes a duration such as Minute(5) or a timedelta; "
                "got 5 (int)."
            ),
            TypeError,
        ),
        (
            "5m",
            (
                "resolution() takes a duration such as Minute(5) or a timedelta; "
                "got '5m' (str)."
            ),
            TypeError,
        ),
    ],
)
def test_bad_resolution(interval: Any, msg: str, error: type[Exception]):
    """resolution() takes a positive duration."""
    with pytest.raises(error, match=re.escape(msg)):
        SERVERS.resolution(interval)


def test_bad_resolution_offset():
    """The offset is a duration or Now()."""
    msg = (
        "resolution()'s offset takes a duration such as Minute(5) or a timedelta; "
        "got 60 (int)."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        SERVERS.resolution(Minute(5), 60)


@pytest.mark.parametrize("method", ["series_limit", "series_offset"])
@pytest.mark.parametrize("value", [-1, 1.5, True, "2"])
def test_bad_series_count(method: str, value: Any):
    """SLIMIT and SOFFSET take whole numbers of at least 0."""
    msg = f"{method}() takes a whole number of at least 0; got {value!r}."
    with pytest.raises(ValueError, match=re.escape(msg)):
        getattr(SERVERS, method)(value)


def test_filter_with_a_positional_non_q():
    """Positional filter() arguments must be Q objects."""
    msg = "filter() takes Q objects and keyword lookups, not dict."
    with pytest.raises(TypeError, match=re.escape(msg)):
        SERVERS.filter({"name": "a"})  # type: ignore[arg-type]


def test_annotate_with_a_non_expression():
    """annotate() takes functions and expressions."""
    msg = (
        "annotate() takes functions and expressions such as Mean('cpu') or "
        "F('a') * 2; got 3 (int)."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        SERVERS.annotate(x=3)  # type: ignore[arg-type]


def test_annotate_an_unknown_field_in_arithmetic():
    """Names inside arithmetic are checked when annotate() is called."""
    msg = (
        "ServerMeasurement has no field 'memroy'; choices are: cpu, free_memory, "
        "memory, name, optional_tag, region, time. Did you mean 'memory'?"
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.annotate(ratio=F("free_memory") / F("memroy"))


def test_subquery_unknown_column():
    """Outside a subquery only its output columns and tags are known."""
    qs = SERVERS.annotate(m=Mean("cpu")).subquery()
    msg = (
        "The subquery has no column 'mm'; columns are: m, name, optional_tag, "
        "region, time. Did you mean 'm'?"
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        qs.filter(mm=3)


def test_epoch_unit():
    """epoch() gives nanoseconds only."""
    msg = "epoch() gives integer nanoseconds; unit must be 'ns', got 'ms'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        SERVERS.epoch("ms")


def test_compile_errors_surface_when_compiling():
    """A query InfluxDB would answer wrongly raises CompileError on str()."""
    qs = SERVERS.filter(Q(time__gt=dt.datetime(2020, 1, 1)) | Q(name="a"))
    with pytest.raises(CompileError):
        str(qs.query)
