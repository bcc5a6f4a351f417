"""Which error a statement gets when several apply, as influxd picks it: cases
of InfluxDB 1.6.7's parser tests sent to influxd and ``influxpy serve``.

influxd parses first (a RESAMPLE FOR shorter than the windows, a duration
past int64), then finds the databases a statement names, then what lives
in them (a continuous query's target policy before its own database; a
policy before the minimum duration an ALTER asks for).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from _influxd import InfluxServer
from server._serve import Served, both_answers, seeded_pair

LINES = "cpu,host=a value=1.5 1000000000\ncpu,host=b value=2.5 2000000000\n"


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "order", LINES) as pair:
        yield pair


def assert_same(pair: Any, q: str) -> Any:
    influxd, served = both_answers(pair, q.replace("$db", pair[2]), "POST")
    assert served == influxd
    return served


@pytest.mark.parametrize(
    "q",
    [
        # The target's policy (in the request's database) before the
        # continuous query's own database.
        (
            'CREATE CONTINUOUS QUERY q ON testdb BEGIN SELECT count(v) INTO "1h.p"."c" '
            "FROM m GROUP BY time(5m) END"
        ),
        'CREATE CONTINUOUS QUERY q ON testdb BEGIN SELECT v INTO "p"."v" FROM m END',
        (
            "CREATE CONTINUOUS QUERY q ON testdb BEGIN SELECT mean(v) "
            'INTO "p".:measurement FROM /^[a-z]+.*/ GROUP BY time(1m) END'
        ),
        (
            "CREATE CONTINUOUS QUERY q ON testdb BEGIN SELECT mean(v) INTO nodb..c "
            "FROM m GROUP BY time(1m) END"
        ),
        (
            "CREATE CONTINUOUS QUERY q ON testdb BEGIN SELECT mean(v) INTO c "
            "FROM $db.nope.m GROUP BY time(1m) END"
        ),
        (
            "CREATE CONTINUOUS QUERY q ON testdb BEGIN SELECT mean(v) INTO c "
            "FROM m GROUP BY time(1m) END"
        ),
        # The database, then the policy, then the duration.
        "ALTER RETENTION POLICY p ON testdb DURATION 1m REPLICATION 4 DEFAULT",
        "ALTER RETENTION POLICY nope ON $db DURATION 30m",
        "ALTER RETENTION POLICY autogen ON $db DURATION 30m",
    ],
)
def test_errors_in_influxds_order(pair: Any, q: str) -> None:
    _status, (document,) = assert_same(pair, q)
    assert "error" in document["results"][0]


@pytest.mark.parametrize(
    "q",
    [
        (
            "CREATE CONTINUOUS QUERY cq ON db RESAMPLE FOR 5s BEGIN SELECT mean(v) "
            "INTO c FROM m GROUP BY time(10s) END"
        ),
        (
            "CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 10s FOR 5s BEGIN "
            "SELECT mean(v) INTO c FROM m GROUP BY time(5s) END"
        ),
        "ALTER RETENTION POLICY p ON testdb DURATION 15251w",
        (
            "CREATE RETENTION POLICY p ON $db DURATION 1h REPLICATION 1 "
            "SHARD DURATION 15251w"
        ),
        "SELECT mean(value) FROM cpu WHERE time > now() - 15251w GROUP BY time(1m)",
    ],
)
def test_parse_errors(pair: Any, q: str) -> None:
    status, _documents = assert_same(pair, q)
    assert status == 400


def test_a_duration_past_int64_wraps_as_influxds(pair: Any) -> None:
    _status, (document,) = assert_same(
        pair, "SELECT mean(value) FROM cpu GROUP BY time(40000w)"
    )
    assert document["results"][0]["series"][0]["values"][0][1] == 2.0


@pytest.mark.parametrize(
    "q",
    [
        # A condition influxd refuses: after the databases are found (its
        # own or a subquery's), before a missing policy, first of the
        # statement's compile errors.
        "SELECT value FROM nodb..cpu WHERE max(value) > 1",
        "SELECT value FROM nodb..cpu WHERE time > 'bad'",
        "SELECT value FROM (SELECT value FROM nodb..cpu WHERE max(value) > 1)",
        "SELECT value FROM $db.nope.cpu WHERE max(value) > 1",
        "SELECT value FROM cpu WHERE max(value) > 1",
        "SELECT max(value), value FROM cpu WHERE time > 'bad'",
        "SELECT value FROM (SELECT value FROM cpu WHERE max(value) > 1)",
        "SELECT max(value), value FROM (SELECT value FROM cpu WHERE time > 'x')",
        "SELECT value FROM cpu WHERE max(value) > 1; SELECT value FROM cpu",
        # The database INTO names, missing, with rows to write or none.
        "SELECT mean(value) INTO nodb..m FROM cpu",
        "SELECT mean(value) INTO nodb..m FROM cpu WHERE time < 0",
    ],
)
def test_a_conditions_error_comes_after_the_databases(pair, q):
    assert_same(pair, q)


@pytest.mark.parametrize(
    "condition",
    [
        # Time on one side of an operator it is not compared by.
        "time != 5",
        "time - 1",
        "5 - time",
        "time & 1",
        "time =~ /x/",
        "time - 'x'",
        "time != 'x'",
        # A name, literal or call standing alone.
        "now()",
        "(now())",
        "max(value)",
        "1h",
        "1.5",
        '"my host"',
        # Arithmetic of literals Reduce cannot fold: kept by every point
        # of a stored measurement, by no row of a subquery.
        "now() - 'a'",
        "1 - 'a' AND value > 1.5",
        "now() * 2 OR value > 1.5",
    ],
)
@pytest.mark.parametrize("source", ["cpu", "(SELECT value FROM cpu)"])
def test_conditions_influxd_reads_oddly(pair, condition, source):
    assert_same(pair, f"SELECT value FROM {source} WHERE {condition}")


@pytest.mark.parametrize("source", ["cpu", "(SELECT value FROM cpu)"])
def test_a_condition_reduced_to_a_time_is_refused_naming_it(pair, source):
    """``now() - 1h`` reduces to the time it names, which is no condition."""
    influxd, served = both_answers(pair, f"SELECT value FROM {source} WHERE now() - 1h")
    for answer in (influxd, served):
        error = answer[1][0]["results"][0]["error"]
        assert re.fullmatch(
            r"invalid condition expression: '\d{4}-\d\d-\d\dT[\d:.]+Z'", error
        )
