"""Windows shifted by an offset need a lower time bound, on every backend.

Without one, InfluxDB 1.6.7 fills empty windows from the year 1677 on,
misaligned: ``GROUP BY time(1h, 15m)`` made influxd grow by hundreds of MB
a second without answering (the shapes were found on a private server; the
only one run here is ``time(52w, 1d)``, a few hundred windows). influxpy
refuses such a query before sending anything, the same way on the server
and on the engine; the shapes InfluxDB answers are still sent.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from _influxd import InfluxServer
from influxpy import Now, fields, models
from influxpy.aggregates import Count, Max, Mean
from influxpy.connection import get_connection
from influxpy.durations import Day, Hour, Minute, Week
from influxpy.exceptions import CompileError
from influxpy.functions import Derivative

S = 1_000_000_000
M = 60 * S
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z


class Sample(models.InfluxMeasurement):
    class Meta:
        measurement = "offsets"

    v = fields.FloatField()
    host = fields.InfluxTag(null=True)


def refusal(shift: str, interval: str = "Hour(1)") -> str:
    return (
        f"resolution({interval}, {shift}) needs a lower time bound: without one, "
        "InfluxDB fills empty windows back to the year 1677 and can run out of "
        "memory, so influxpy refuses the query on every backend. Add one with "
        "filter(time__gte=...), or use fill('none')."
    )


@pytest.fixture
def sample(conn: str) -> str:
    Sample.series.using(conn).bulk_create(
        [
            Sample(time=T0 + 10 * M, v=1.0, host="a"),
            Sample(time=T0 + 40 * M, v=3.0, host="a"),
            Sample(time=T0 + 10 * M, v=100.0, host="b"),
        ]
    )
    return conn


@pytest.fixture
def nothing_sent(conn: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The statements *conn*'s backend is asked to run from now on."""
    backend = get_connection(conn)
    sent: list[Any] = []

    def execute(compiled: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(compiled)
        raise AssertionError(compiled)

    monkeypatch.setattr(backend, "execute", execute)
    monkeypatch.setattr(backend, "aexecute", execute)
    return sent


def hourly(conn: str) -> Any:
    return Sample.series.using(conn).annotate(m=Mean("v"))


REFUSED = [
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(15)), "Minute(15)", id="offset"
    ),
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(-45)), "Minute(-45)", id="negative"
    ),
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(75)), "Minute(75)", id="past-a-window"
    ),
    pytest.param(lambda qs: qs.resolution(Hour(1), Now()), "Now()", id="now"),
    pytest.param(
        lambda qs: qs.filter(time__lt=T0 + 2 * 3600 * S).resolution(
            Hour(1), Minute(15)
        ),
        "Minute(15)",
        id="upper-bound-only",
    ),
    pytest.param(
        lambda qs: qs.exclude(time__gte=T0).resolution(Hour(1), Minute(15)),
        "Minute(15)",
        id="negated-lower-bound-is-an-upper-bound",
    ),
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(15)).fill(0), "Minute(15)", id="fill-0"
    ),
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(15)).fill("previous"),
        "Minute(15)",
        id="fill-previous",
    ),
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(15)).group_by("host"),
        "Minute(15)",
        id="grouped",
    ),
    pytest.param(
        lambda qs: qs.resolution(Hour(1), Minute(15)).tz("Europe/Paris"),
        "Minute(15)",
        id="tz",
    ),
    pytest.param(
        lambda qs: qs.filter(host="a").resolution(Hour(1), Minute(15)),
        "Minute(15)",
        id="tag-filter",
    ),
]


@pytest.mark.parametrize(("shape", "shift"), REFUSED)
def test_an_offset_without_a_lower_bound_is_refused_before_sending(
    conn: str, nothing_sent: list[Any], shape: Any, shift: str
) -> None:
    """On the server and on the engine alike, nothing reaches the backend."""
    qs = shape(hourly(conn))
    with pytest.raises(CompileError, match=f"^{re.escape(refusal(shift))}$"):
        list(qs)
    with pytest.raises(CompileError, match=f"^{re.escape(refusal(shift))}$"):
        qs.to_dataframe()
    assert nothing_sent == []


def test_other_functions_and_outer_windows_are_refused_too(
    conn: str, nothing_sent: list[Any]
) -> None:
    """Selectors, transformations and windows over a subquery run the same fill."""
    base = Sample.series.using(conn)
    shapes = [
        base.annotate(Max("v")).resolution(Hour(1), Minute(15)),
        base.annotate(c=Count("v")).resolution(Hour(1), Minute(15)),
        base.annotate(d=Derivative(Mean("v"))).resolution(Hour(1), Minute(15)),
        base.filter(time__gte=T0)
        .annotate(m=Mean("v"))
        .resolution(Hour(1))
        .subquery()
        .annotate(Max("m"))
        .resolution(Day(1), Hour(1)),
    ]
    for qs in shapes:
        with pytest.raises(CompileError, match="needs a lower time bound"):
            list(qs)
    assert nothing_sent == []


async def test_async_queries_are_refused_before_sending(
    conn: str, nothing_sent: list[Any]
) -> None:
    qs = hourly(conn).resolution(Hour(1), Minute(15))
    with pytest.raises(CompileError, match=re.escape(refusal("Minute(15)"))):
        await qs.alist()
    with pytest.raises(CompileError, match=re.escape(refusal("Minute(15)"))):
        [row async for row in qs.aiterator()]
    assert nothing_sent == []


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that records whether anything connects to it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def test_no_connection_is_even_opened(listener: socket.socket) -> None:
    """Over HTTP, the refusal comes before the first byte, or even a connect."""
    port = listener.getsockname()[1]
    influxpy.connect(f"influxdb://127.0.0.1:{port}/db?retries=0", alias="unbounded")
    try:
        qs = Sample.series.using("unbounded").annotate(m=Mean("v"))
        with pytest.raises(CompileError, match=re.escape(refusal("Minute(15)"))):
            list(qs.resolution(Hour(1), Minute(15)))
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        get_connection("unbounded").close()


def test_a_query_that_is_only_compiled_is_not_refused(conn: str) -> None:
    """Its text is still there: continuous queries add their own time range."""
    qs = hourly(conn).resolution(Hour(1), Minute(15))
    assert str(qs.query) == (
        'SELECT mean("v") AS "m" FROM "offsets" GROUP BY time(1h, 15m)'
    )


def points(qs: Any) -> list[tuple[int, Any]]:
    result = list(qs.epoch())
    assert len(result) == 1, result
    return [(p["time"], p["m"]) for p in result[0].points]


#: Two windows: 23:15 holds the 00:10 points, 00:15 the 00:40 one.
SHIFTED = [(T0 - 45 * M, 1.0), (T0 + 15 * M, 3.0)]


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        pytest.param(
            lambda qs: qs.filter(time__gte=T0, time__lt=T0 + 3600 * S),
            SHIFTED,
            id="gte",
        ),
        pytest.param(
            lambda qs: qs.filter(time__gt=T0 - 1, time__lt=T0 + 3600 * S),
            SHIFTED,
            id="gt",
        ),
        pytest.param(
            lambda qs: qs.exclude(time__lt=T0).filter(time__lt=T0 + 3600 * S),
            SHIFTED,
            id="negated-upper-bound-is-a-lower-bound",
        ),
        pytest.param(
            lambda qs: qs.filter(time__range=(T0, T0 + 3600 * S - 1)),
            SHIFTED,
            id="range",
        ),
        pytest.param(
            lambda qs: qs.filter(time=T0 + 40 * M), [(T0 + 15 * M, 3.0)], id="exact"
        ),
        pytest.param(lambda qs: qs.fill("none"), SHIFTED, id="fill-none"),
    ],
)
def test_shapes_with_a_lower_bound_or_nothing_to_fill_are_sent(
    sample: str, shape: Any, expected: list[tuple[int, Any]]
) -> None:
    """The server answers these at once; the engine gives the same rows."""
    qs = shape(
        Sample.series.using(sample)
        .filter(host="a")
        .annotate(m=Mean("v"))
        .resolution(Hour(1), Minute(15))
    )
    assert points(qs) == expected


def test_an_offset_of_whole_windows_is_no_offset(sample: str) -> None:
    """InfluxDB takes the offset modulo the window: ``time(1h, 2h)`` is ``1h``."""
    qs = (
        Sample.series.using(sample)
        .filter(host="a", time__lt=T0 + 3600 * S)
        .annotate(m=Mean("v"))
        .resolution(Hour(1), Hour(2))
    )
    assert points(qs) == [(T0, 2.0)]


def test_a_lower_bound_relative_to_now_counts(sample: str) -> None:
    """``time__gte=Now() - ...`` bounds the windows like a fixed time."""
    qs = (
        Sample.series.using(sample)
        .filter(host="a", time__gte=Now() - Week(1))
        .annotate(m=Mean("v"))
        .resolution(Hour(1), Minute(15))
    )
    assert list(qs) == []  # the sample is from 2020


def test_an_offset_inside_a_subquery_takes_the_outer_range(sample: str) -> None:
    """Only the outer query's windows are filled; the server answers this at once."""
    inner = (
        Sample.series.using(sample)
        .filter(host="a")
        .annotate(m=Mean("v"))
        .resolution(Hour(1), Minute(15))
    )
    outer = inner.subquery().annotate(m=Max("m"))
    assert [p["m"] for p in outer.points()] == [3.0]


def test_quirk_offset_windows_without_a_lower_bound_start_in_1677(
    influx_server: InfluxServer, influx_url: str, database: str
) -> None:
    """Raw InfluxQL on the server, with windows large enough to be cheap: the
    filled windows start in 1678, off the grid of the real one. influxpy
    refuses the same QuerySet on both backends."""
    server = influxpy.connect(influx_url, alias="offsets-server")
    engine = influxpy.connect("duckdb://:memory:", alias="offsets-engine")
    try:
        for alias in ("offsets-server", "offsets-engine"):
            Sample.series.using(alias).create(time=T0 + 10 * M, v=1.0)
            qs = (
                Sample.series.using(alias)
                .annotate(m=Mean("v"))
                .resolution(Week(52), Day(1))
            )
            with pytest.raises(
                CompileError, match=re.escape(refusal("Day(1)", "Week(52)"))
            ):
                list(qs)
        body = influx_server.query(
            'SELECT mean("v") FROM "offsets" GROUP BY time(52w, 1d)', database
        )
        values = body["results"][0]["series"][0]["values"]
        times = [row[0] for row in values]
        assert values[0] == ["2019-11-01T00:00:00Z", 1.0]
        assert times[1].startswith("1678-")
        assert not times[1].endswith("T00:00:00Z")
        assert len(times) > 300
    finally:
        server.close()
        engine.close()
