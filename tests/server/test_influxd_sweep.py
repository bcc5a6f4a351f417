"""Cases from influxd 1.6's own server tests where ``influxpy serve`` once
answered otherwise: each request is sent to both servers and the status and
the JSON documents of the body must be the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from _influxd import InfluxServer
from server._serve import Served, both_answers, seeded_pair

LINES = "n rx=10,tx=3 1000000000\nn rx=11 2000000000\n"


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "sweep", LINES) as pair:
        yield pair


def assert_same(pair: Any, q: str, **params: str) -> Any:
    """Both servers' status and documents for *q* on the seeded database."""
    influxd, served = both_answers(pair, q, **params)
    assert served == influxd
    return served


@pytest.mark.parametrize(
    "fields",
    [
        "time AS t, time AS u, rx",
        "time, time, rx",
        "time AS t, rx, time AS u",
        "rx, time AS t, time AS u",
        "time, time AS u, time AS v, rx",
        "time AS t, time AS u, time AS v, rx",
        "time AS t, time, rx",
        "time AS t, rx, time",
        "time AS t, time AS u, max(rx)",
        "rx, time, time, time",
        "time, time",
    ],
)
@pytest.mark.parametrize("extra", [{}, {"epoch": "s"}, {"chunked": "true"}])
def test_time_names_in_the_select_list(pair, fields, extra):
    # influxd removes a bare time name and steps past the field after it: a
    # second time name in a row stays as a null column.
    assert_same(pair, f"SELECT {fields} FROM n", **extra)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "q",
    [
        "SHOW SUBSCRIPTIONS",
        "KILL QUERY 9999",
        'KILL QUERY 9999 ON "host"',
        "KILL QUERY x",
        "KILL 3",
        "DROP SHARD 987654",
        "DROP SHARD",
        "SHOW SUBSCRIPTIONS; KILL QUERY 1; SHOW DATABASES",
    ],
)
def test_subscription_kill_and_shard_statements(pair, q, method):
    influxd, served, name = pair
    out = []
    for target in (influxd, served):
        response = target.request(method, "/query", params={"q": q, "db": name})
        documents = [orjson.loads(line) for line in response.text.splitlines()]
        out.append((response.status_code, documents))
    if q.endswith("SHOW DATABASES"):
        # The servers hold other databases: compare the first two answers.
        out = [(status, [{"results": d[0]["results"][:2]}]) for status, d in out]
    assert out[1] == out[0]


def test_drop_shard_drops_the_group_and_its_points(influx_server, served):
    lines = "m,h=a v=1 1000000000\nm,h=b v=2 946684800000000000\n"
    with seeded_pair(influx_server, served, "dropshard", lines) as (influxd, _s, name):
        answers = []
        for target in (influxd, served):

            def query(q: str, target: Any = target) -> Any:
                response = target.request("POST", "/query", params={"q": q, "db": name})
                return response.json()["results"][0]

            shards = query("SHOW SHARDS")["series"]
            (mine,) = [s for s in shards if s["name"] == name]
            first = min(mine["values"], key=lambda row: row[4])
            dropped = query(f"DROP SHARD {first[0]}")
            after = query("SELECT * FROM m")
            left = [
                row[4]
                for series in query("SHOW SHARDS")["series"]
                if series["name"] == name
                for row in series["values"]
            ]
            answers.append((dropped, after, len(mine["values"]), left))
        assert answers[1] == answers[0]
        assert answers[0][1]["series"][0]["values"] == [
            ["2000-01-01T00:00:00Z", "b", 2]
        ]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_show_queries_lists_itself(pair, method):
    influxd, served, name = pair
    answers = []
    for target in (influxd, served):
        response = target.request(
            method, "/query", params={"q": "SHOW QUERIES", "db": name}
        )
        assert response.status_code == 200
        (result,) = response.json()["results"]
        (series,) = result["series"]
        ((qid, text, database, duration, status),) = series["values"]
        assert isinstance(qid, int)
        assert duration.endswith("s")
        answers.append((series["columns"], text, database, status))
    assert answers[1] == answers[0]


def test_a_finished_statement_is_no_longer_listed_nor_killable(served):
    response = served.request(
        "POST", "/query", params={"q": "SHOW QUERIES; SHOW QUERIES"}
    )
    first, second = response.json()["results"]
    (before,) = first["series"][0]["values"]
    (after,) = second["series"][0]["values"]
    assert after[0] == before[0] + 1
    response = served.request("POST", "/query", params={"q": f"KILL QUERY {before[0]}"})
    (result,) = response.json()["results"]
    assert result["error"] == f"no such query id: {before[0]}"


TAGGED = (
    "".join(
        f"cpu,host=server{i % 3},region=west value={i}.5 {i * 10**9}\n"
        for i in range(1, 7)
    )
    + "mem,host=server1 value=1i 1000000000\n"
)


@pytest.fixture(scope="module")
def tagged(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "tagkey", TAGGED) as pair:
        yield pair


@pytest.mark.parametrize(
    "q",
    [
        # influxd's own rewriting of WITH KEY, written by hand.
        "SHOW TAG VALUES WITH KEY = region WHERE _tagKey = 'region'",
        "SHOW TAG VALUES WITH KEY = region WHERE _name = 'cpu' AND _tagKey = 'region'",
        "SHOW TAG VALUES WITH KEY =~ /re.*/ WHERE (time > 0) AND (_tagKey =~ /re.*/)",
        # Another condition sets no bound on the keys, under OR too.
        (
            "SHOW TAG VALUES WITH KEY IN (host, region) "
            "WHERE _tagKey = 'host' OR host = 'server1'"
        ),
        (
            "SHOW TAG VALUES WITH KEY IN (host, region) "
            "WHERE _tagKey != 'host' AND host = 'server1'"
        ),
        "SHOW TAG VALUES WITH KEY = host WHERE _tagKey = 'region'",
    ],
)
def test_tag_key_conditions_pick_the_keys(tagged, q):
    assert_same(tagged, q)
