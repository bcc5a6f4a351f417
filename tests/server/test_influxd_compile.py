"""influxd's compile stage, answered alike: the cases of InfluxDB 1.6.7's own
``query/compile_test.go`` (and of its parser's tests) sent to influxd and to
``influxpy serve``, status and documents compared.

influxd compiles a SELECT after it has found the databases it names and
before it reads a point, so a statement it refuses is refused whether or
not its measurement exists (``myseries`` below exists on neither server),
and a subquery inherits the outer GROUP BY time interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _influxd import InfluxServer
from server._serve import Served, both_answers, seeded_pair

LINES = "".join(
    f"cpu,host=server{i % 3},region=west value={i}.5,other={i} {i * 10**9}\n"
    for i in range(1, 20)
)


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "compile", LINES) as pair:
        yield pair


def assert_same(pair: Any, q: str, **params: str) -> Any:
    influxd, served = both_answers(pair, q, **params)
    assert served == influxd
    return served


# influxd refuses each of these while compiling, measurement or not.
COMPILE_FAILURES = [
    "SELECT time FROM cpu",
    "SELECT value, mean(value) FROM cpu",
    "SELECT value, max(value), min(value) FROM cpu",
    "SELECT top(value, 10), max(value) FROM cpu",
    "SELECT count() FROM cpu",
    "SELECT count(value, host) FROM cpu",
    "SELECT pow(value, 3, 3) FROM cpu",
    "SELECT atan2(value, 3, 3) FROM cpu",
    "SELECT sin(1.3) FROM cpu",
    "SELECT nofunc(1.3) FROM cpu",
    "SELECT sin(value, 3) FROM cpu",
    "SELECT cos(2.3, value, 3) FROM cpu",
    "SELECT atan() FROM cpu",
    "SELECT sqrt(42, 3, 4) FROM cpu",
    "SELECT max(*), host FROM cpu",
    "SELECT max(/val/), * FROM cpu",
    "SELECT value FROM cpu GROUP BY now()",
    "SELECT value FROM cpu GROUP BY time(5m), time(1m)",
    "SELECT value FROM cpu GROUP BY time(5m, unexpected())",
    "SELECT value FROM cpu GROUP BY time(5m, now(1m))",
    "SELECT value FROM cpu GROUP BY 'unexpected'",
    (
        "SELECT max(value) FROM cpu WHERE time >= now() - 1m "
        "GROUP BY time(10s, '2000-01-01T00:00:05Z')"
    ),
    "SELECT count(max(value)) FROM myseries",
    "SELECT count(distinct('value')) FROM myseries",
    "SELECT distinct('value') FROM myseries",
    "SELECT min(max(value)) FROM myseries",
    "SELECT min(distinct(value)) FROM myseries",
    "SELECT percentile(max(field1), 75) FROM myseries",
    "SELECT count(value) FROM foo group by time",
    "SELECT count(value) FROM foo group by 'time'",
    (
        "SELECT count(value) FROM foo where time > now() and time < now() "
        "group by time(1s), time(2s)"
    ),
    "SELECT derivative(value) FROM myseries group by time(1h)",
    "SELECT non_negative_difference(value) FROM myseries group by time(1h)",
    "SELECT elapsed(value) FROM myseries group by time(1h)",
    "SELECT moving_average(value, 2) FROM myseries group by time(1h)",
    "SELECT cumulative_sum(value) FROM myseries group by time(1h)",
    "SELECT min(mean) FROM (SELECT mean(value) FROM myseries GROUP BY time)",
    "SELECT holt_winters(value, 10, 2) FROM myseries",
    "SELECT top(value, 10) FROM myseries LIMIT 5",
    "SELECT sample(value, 0) FROM myseries",
    "SELECT value + (5.0 & 3) FROM myseries",
    "SELECT mean(value) FROM myseries GROUP BY time(1m), time(2m) fill(none)",
    "SELECT value FROM myseries GROUP BY time(1m) fill(none)",
    "SELECT max(x) FROM (SELECT value, mean(value) FROM myseries)",
]


@pytest.mark.parametrize("q", COMPILE_FAILURES)
def test_compile_errors(pair: Any, q: str) -> None:
    assert "error" in assert_same(pair, q)[1][0]["results"][0]


@pytest.mark.parametrize(
    "q",
    [
        "SELECT value - sqrt(4) FROM cpu",
        "SELECT abs(value) - sqrt(4.0) * 2 FROM cpu",
        "SELECT pow(2, 3) * value FROM cpu",
        "SELECT value + abs(-3) FROM cpu",
        (
            "SELECT max(derivative) FROM (SELECT derivative(mean(value)) FROM cpu) "
            "WHERE time >= 0 AND time < 20s GROUP BY time(5s)"
        ),
        (
            "SELECT sum(derivative) FROM (SELECT derivative(mean(value)) FROM cpu "
            "GROUP BY host) WHERE time >= now() - 1d GROUP BY time(1h)"
        ),
        (
            "SELECT max(m) FROM (SELECT difference(mean(value)) AS m FROM cpu "
            "GROUP BY host) WHERE time >= 0 AND time < 20s GROUP BY time(5s), host"
        ),
        (
            "SELECT max(derivative) FROM (SELECT derivative(mean(value)) FROM cpu) "
            "WHERE time >= 0 AND time < 20s"
        ),
    ],
)
def test_literals_reduced_and_intervals_inherited(pair: Any, q: str) -> None:
    assert_same(pair, q)


@pytest.mark.parametrize(
    "q",
    [
        # Exact values: a math function whose first argument is a literal
        # reads its second on each point.
        "SELECT atan2(0.5, value) FROM cpu WHERE value < 2",
        "SELECT pow(2, other) FROM cpu WHERE other < 4",
        "SELECT pow(2, other) FROM cpu GROUP BY host",
    ],
)
def test_math_of_a_literal_and_a_field(pair: Any, q: str) -> None:
    served = assert_same(pair, q)
    assert served[1][0]["results"][0]["series"]


@pytest.mark.parametrize(
    "q",
    [
        # The databases come first, then the compile stage.
        "SELECT value, mean(value) FROM nodb..cpu",
        "SELECT value FROM (SELECT value, mean(value) FROM nodb..cpu)",
        # A missing retention policy comes after it.
        "SELECT count(max(value)) FROM nope.cpu",
        # A system measurement comes before anything, and ends the request.
        "SELECT * FROM _series",
        "SELECT * FROM cpu, _tags",
        "SELECT * FROM _fieldKeys; SELECT value FROM cpu",
        "SELECT * FROM nodb.._measurements",
    ],
)
def test_what_comes_first(pair: Any, q: str) -> None:
    name = pair[2]
    q = q.replace("nope.cpu", f'"{name}".nope.cpu')
    assert_same(pair, q)


@pytest.mark.parametrize(
    "q",
    [
        'SELECT value FROM cpu WHERE value > $"multi-word value"',
        "SELECT 1000000000000000000000000000000000000 FROM myseries",
        "SHOW DIAGNOSTICS FOR",
    ],
)
def test_parse_errors(pair: Any, q: str) -> None:
    influxd, served = both_answers(pair, q)
    assert served == influxd
    assert served[0] == 400


def test_show_diagnostics_for_one_module(pair: Any) -> None:
    influxd, served = both_answers(pair, "SHOW DIAGNOSTICS FOR 'build'")
    for status, (document,) in (influxd, served):
        assert status == 200
        (series,) = document["results"][0]["series"]
        assert series["name"] == "build"
        assert series["columns"] == ["Branch", "Build Time", "Commit", "Version"]
    missing = assert_same(pair, "SHOW DIAGNOSTICS FOR 'nope'")
    assert missing[1] == [{"results": [{"statement_id": 0}]}]


@pytest.mark.parametrize(
    "q",
    [
        "SELECT value::unsigned FROM cpu",
        "SELECT top(value::unsigned, 2) FROM cpu",
        "SELECT max(v) FROM (SELECT value::unsigned AS v FROM cpu)",
    ],
)
def test_a_value_read_as_unsigned_is_refused_not_misread(pair: Any, q: str) -> None:
    # influxd truncates 18.5 to 18; the engine stores no unsigned integers
    # and says so rather than answer 18.5.
    _influxd, served, name = pair
    response = served.request("GET", "/query", params={"q": q, "db": name})
    error = response.json()["results"][0]["error"]
    assert "cannot read 'value' as unsigned" in error
    assert "value::integer" in error


def _cpu_has_fma() -> bool:
    try:
        with open("/proc/cpuinfo") as info:
            return " fma " in info.read()
    except OSError:
        return False


@pytest.mark.parametrize(
    "q",
    [
        "SELECT sin(value), cos(value), tan(value), atan(value) FROM cpu",
        "SELECT asin(value / 20), acos(value / 20), atan2(value, 0.1) FROM cpu",
        "SELECT atan2(0.2, value), atan2(value, other) FROM cpu",
        "SELECT ln(value), log2(value), log10(value), log(value, 3) FROM cpu",
        "SELECT pow(value, 3), pow(2, other), sin(value) - sin(1.3) FROM cpu",
        "SELECT mean(v) FROM (SELECT sin(value) AS v FROM cpu)",
        "SELECT value FROM cpu WHERE log10(value) > 0.9",
        pytest.param(
            "SELECT exp(value), pow(value, 3.14), pow(2.5, value) FROM cpu",
            marks=pytest.mark.skipif(
                not _cpu_has_fma(),
                reason="influxd's exp takes another path on a CPU without FMA",
            ),
        ),
    ],
)
def test_math_functions_give_influxds_bits(pair: Any, q: str) -> None:
    # Go's math library, not C's: answers equal to the last bit.
    served = assert_same(pair, q)
    assert served[1][0]["results"][0]["series"]
