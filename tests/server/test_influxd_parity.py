"""``influxpy serve`` answers as influxd 1.6.7 where the engine's own
answer differs: a request without ``db``, a refused function in any
statement, the answers after a failed statement (chunked or not), type
errors of functions over strings and booleans, and the warning for
statements that write sent by GET."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

LINES = (
    'm,h=a v=1,s="x",b=true,i=2i 1000000000\nm,h=b v=2,s="y",b=false,i=3i 2000000000\n'
)


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "parity", LINES) as pair:
        yield pair


def answers(pair: Any, method: str, params: dict[str, str]) -> tuple[Any, Any]:
    """Both servers' answers: status and the parsed documents of the body."""
    influxd, served, _name = pair
    out = []
    for target in (influxd, served):
        response = target.request(method, "/query", params=params)
        documents = [orjson.loads(line) for line in response.text.splitlines()]
        out.append((response.status_code, documents))
    return out[0], out[1]


def assert_same(pair: Any, q: str, method: str = "GET", **params: str) -> Any:
    expected, got = answers(pair, method, {"q": q, **params})
    assert got == expected
    return got


# -- a request without db ---------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "SELECT * FROM m",
        "SHOW MEASUREMENTS",
        "SHOW TAG KEYS",
        "SHOW TAG VALUES WITH KEY = h",
        "SHOW FIELD KEYS",
        "SHOW SERIES",
        "SHOW RETENTION POLICIES",
    ],
)
def test_without_db_the_database_name_is_required(pair, q):
    got = assert_same(pair, q)
    assert got[1][0]["results"][0]["error"] == "database name required"


@pytest.mark.parametrize(
    "q", ["DROP MEASUREMENT m9", "DROP SERIES FROM m9", "DELETE FROM m9"]
)
def test_without_db_deleting_finds_no_database(pair, q):
    got = assert_same(pair, q, "POST")
    assert got[1][0]["results"][0]["error"] == "database not found: "


def test_a_qualified_source_needs_no_db(pair):
    assert_same(pair, f'SELECT * FROM "{pair[2]}".."m"')


def test_the_engine_default_database_is_not_listed(pair):
    _influxd, served, name = pair
    for target in pair[:2]:
        response = target.request("GET", "/query", params={"q": "SHOW DATABASES"})
        names = [row[0] for row in response.json()["results"][0]["series"][0]["values"]]
        assert name in names
        assert "influxpy" not in names
    response = served.request("GET", "/query", params={"q": "SHOW CONTINUOUS QUERIES"})
    listed = [s["name"] for s in response.json()["results"][0]["series"]]
    assert "influxpy" not in listed


# -- a refused function, and the statements after a failure -------------------


@pytest.mark.parametrize("chunked", [None, "true"])
@pytest.mark.parametrize(
    "q",
    [
        "SELECT foo(v) FROM m",
        "SELECT v FROM m; SELECT foo(v) FROM m",
        "SELECT v FROM m; SELECT foo(v) FROM m; SELECT v FROM m",
        "SELECT v FROM m; SELECT v FROM nope..m; SELECT v FROM m",
        "SELECT v FROM m; SELECT v FROM nope..m",
        "SELECT v FROM nope..m; SELECT foo(v) FROM m; SHOW DATABASES",
        "SELECT v FROM m; SELECT foo(v) FROM m; SELECT bar(v) FROM m",
        "SELECT v FROM nope..m; SELECT v FROM m; SHOW DATABASES; SELECT v FROM m",
    ],
)
def test_failed_statements_answer_as_influxd(pair, q, chunked):
    params = {"db": pair[2]}
    if chunked:
        params["chunked"] = chunked
    assert_same(pair, q, **params)


# -- functions over string and boolean fields ---------------------------------

REFUSED = [
    "mean",
    "median",
    "spread",
    "stddev",
    "sum",
    "integral",
    "percentile:50",
    "top:1",
    "bottom:1",
    "cumulative_sum",
    "derivative",
    "non_negative_derivative",
    "difference",
    "non_negative_difference",
    "moving_average:2",
    "exponential_moving_average:2",
    "kaufmans_efficiency_ratio:2",
    "relative_strength_index:2",
]


@pytest.mark.parametrize("field", ["s", "b"])
@pytest.mark.parametrize("call", REFUSED)
def test_numeric_functions_refuse_strings_and_booleans(pair, call, field):
    name, _, extra = call.partition(":")
    argument = f"{field}, {extra}" if extra else field
    got = assert_same(pair, f"SELECT {name}({argument}) FROM m", db=pair[2])
    assert got[1][0]["results"][0]["error"].startswith("unsupported ")


@pytest.mark.parametrize(
    "q",
    [
        "SELECT max(s) FROM m",
        "SELECT min(s) FROM m GROUP BY time(1s)",
        "SELECT max(b), min(b), mode(s), first(s), last(b), count(s) FROM m",
        "SELECT distinct(s) FROM m",
        "SELECT abs(s), sqrt(b) FROM m",
        "SELECT mean(s::float) FROM m",
        "SELECT mean(s) FROM m WHERE time > 100s",
        "SELECT mean(s) + 1 FROM m",
        "SELECT sum(v), mean(s) FROM m",
        "SELECT mean(s) FROM /m/",
        "SELECT max(x) FROM (SELECT s AS x FROM m)",
        "SELECT holt_winters(mean(s), 1, 1) FROM m WHERE time < 10s GROUP BY time(1s)",
        (
            "SELECT derivative(mean(s), 1s) FROM m "
            "WHERE time > 0s AND time < 10s GROUP BY time(1s)"
        ),
        "SELECT v FROM m; SELECT mean(b) FROM m; SELECT v FROM m",
    ],
)
def test_type_errors_read_as_influxd(pair, q):
    assert_same(pair, q, db=pair[2])


# -- the warning for statements that write sent by GET ------------------------


def test_select_into_drop_series_and_continuous_queries_carry_the_warning(pair):
    """influxd writes them qualified with the database and its default
    retention policy, as a continuous query is listed."""
    db = pair[2]
    tag = uuid.uuid4().hex[:6]
    statements = [
        f"SELECT mean(v) INTO into_{tag} FROM m GROUP BY time(1s), h fill(none)",
        (
            f'SELECT v,h INTO "{db}"."autogen".into2_{tag} FROM m '
            "WHERE h = 'a' AND v > 0.5"
        ),
        f"SELECT * INTO {db}..into3_{tag} FROM m GROUP BY *",
        f"DROP SERIES FROM into_{tag} WHERE h = 'a'",
        f"DROP SERIES FROM into2_{tag}, /^into3_{tag}/",
        (
            f"CREATE CONTINUOUS QUERY cq1_{tag} ON {db} BEGIN SELECT mean(v) "
            f"INTO cq_{tag} FROM m GROUP BY time(1m) END"
        ),
    ]
    try:
        for q in statements:
            for chunked in ("false", "true"):
                got = assert_same(pair, q, db=db, chunked=chunked)
                assert "deprecated use of" in str(got), q
        # Without db, the continuous query's own database qualifies it.
        q = (
            f"CREATE CONTINUOUS QUERY cq2_{tag} ON {db} RESAMPLE EVERY 2m FOR 1h "
            f"BEGIN SELECT max(v) AS mx INTO {db}.autogen.cq_{tag} FROM m "
            "WHERE h = 'a' GROUP BY time(1m), * fill(0) END"
        )
        got = assert_same(pair, q)
        assert "deprecated use of" in str(got)
        listed = answers(pair, "GET", {"q": "SHOW CONTINUOUS QUERIES"})
        assert listed[0][1][0]["results"][0]["series"][-1] == next(
            s for s in listed[1][1][0]["results"][0]["series"] if s["name"] == db
        )
    finally:
        for target in pair[:2]:
            for name in (f"cq1_{tag}", f"cq2_{tag}"):
                q = f"DROP CONTINUOUS QUERY {name} ON {db}"
                target.request("POST", "/query", params={"q": q})


def test_user_statements_by_get_carry_the_warning(pair):
    """influxd runs the user statements sent by GET and warns, the password
    redacted; the engine's answers are the same."""
    _influxd, _served, db = pair
    user = f"u{uuid.uuid4().hex[:8]}"
    texts = [
        f"CREATE USER {user} WITH PASSWORD 'a'",
        f'GRANT WRITE ON "{db}" TO {user}',
        f"SET PASSWORD FOR {user} = 'b'",
        f'REVOKE WRITE ON "{db}" FROM {user}',
        f"GRANT ALL TO {user}",
        f"REVOKE ALL FROM {user}",
        f"DROP USER {user}",
    ]
    try:
        for q in texts:
            got = assert_same(pair, q)
            assert "deprecated use of" in str(got), q
            assert "'b'" not in str(got)
            assert "'a'" not in str(got)
    finally:
        for target in pair[:2]:
            target.request("POST", "/query", params={"q": f"DROP USER {user}"})


def test_subscription_statements_by_get_carry_the_warning(pair):
    """influxd keeps a subscription made by GET and warns with its
    statement as influxql writes it; the engine's answers are the same."""
    _influxd, _served, db = pair
    texts = [
        (
            f'CREATE SUBSCRIPTION "a b" ON "{db}".autogen DESTINATIONS ALL '
            "'udp://127.0.0.1:9', 'http://h:2/x'"
        ),
        (
            f'CREATE SUBSCRIPTION s ON "{db}".autogen DESTINATIONS ANY '
            r"'http://h:2/a\'b'"
        ),
        "SHOW SUBSCRIPTIONS",
        f'DROP SUBSCRIPTION "a b" ON "{db}".autogen',
        f'DROP SUBSCRIPTION s ON "{db}".autogen',
    ]
    for q in texts:
        got = assert_same(pair, q)
        if q.startswith(("CREATE", "DROP")):
            assert "deprecated use of" in str(got), q
