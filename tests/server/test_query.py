"""``influxpy serve``'s ``/query`` answers requests as influxd 1.6.7 does:
parameters in the URL or a form body, ``epoch``, ``pretty``, ``chunked``
with ``chunk_size``, ``params``, msgpack and CSV, and the errors of a
request and of a statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import msgpack
import orjson
import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

LINES = "\n".join(
    f'q,h={"ab"[i % 2]},r={"xyz"[i % 3]} v={i * 1.5},i={i}i,s="t{i}",b={i % 2 == 0} '
    f"{1_000_000_000 * i + 123_456_789 * (i % 4)}"
    for i in range(25)
)


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "query", LINES) as pair:
        yield pair


def both(
    pair: Any, method: str, **kwargs: Any
) -> tuple[httpx.Response, httpx.Response]:
    influxd, served, _name = pair
    return (
        influxd.request(method, "/query", **kwargs),
        served.request(method, "/query", **kwargs),
    )


def same_json(pair: Any, method: str = "GET", **kwargs: Any) -> httpx.Response:
    expected, got = both(pair, method, **kwargs)
    assert got.status_code == expected.status_code, got.text
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert got.json() == expected.json()
    assert got.headers.get("x-influxdb-error") == expected.headers.get(
        "x-influxdb-error"
    )
    return got


SELECTS = [
    "SELECT * FROM q",
    "SELECT * FROM q GROUP BY *",
    "SELECT v, s FROM q WHERE h = 'a' AND time > 3s",
    "SELECT mean(v), count(i) FROM q GROUP BY time(5s), r fill(none)",
    "SELECT * FROM q; SELECT max(i) FROM q; SHOW TAG KEYS",
]


@pytest.mark.parametrize("q", SELECTS)
@pytest.mark.parametrize("epoch", [None, "ns", "u", "ms", "s", "m", "h", "x"])
def test_epoch_in_the_url(pair, q, epoch):
    params = {"db": pair[2], "q": q}
    if epoch:
        params["epoch"] = epoch
    same_json(pair, params=params)


@pytest.mark.parametrize("q", SELECTS)
def test_parameters_in_a_form_body(pair, q):
    same_json(pair, "POST", data={"db": pair[2], "q": q, "epoch": "ms"})


def test_form_values_win_over_the_url(pair):
    same_json(
        pair,
        "POST",
        params={"db": "nope", "q": "SELECT * FROM nothing"},
        data={"db": pair[2], "q": "SELECT max(v) FROM q"},
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"q": SELECTS[1]},
        {"q": SELECTS[4], "chunked": "true", "chunk_size": "4"},
        {"q": "SELECT * FROM nothing"},
        {"q": "SELEC"},
        {},
    ],
)
def test_pretty_json_is_influxds_bytes(pair, extra):
    params = {"db": pair[2], "pretty": "true", **extra}
    expected, got = both(pair, "GET", params=params)
    assert got.status_code == expected.status_code
    assert got.content == expected.content


@pytest.mark.parametrize("chunked", [{}, {"chunked": "true", "chunk_size": "2"}])
def test_pretty_in_a_form_body_is_not_read(pair, chunked):
    """influxd reads ``pretty`` from the URL only (``r.URL.Query()``), not
    from a form body as it reads the other parameters."""
    data = {"db": pair[2], "q": SELECTS[4], "pretty": "true", **chunked}
    expected, got = both(pair, "POST", data=data)
    assert got.status_code == expected.status_code == 200
    assert got.content == expected.content
    assert not got.content.startswith(b"{\n")


@pytest.mark.parametrize("size", ["1", "3", "7", "10000", "0", "x"])
@pytest.mark.parametrize("q", [SELECTS[0], SELECTS[1], SELECTS[4]])
def test_chunked_responses_are_influxds_lines(pair, q, size):
    params = {"db": pair[2], "q": q, "chunked": "true", "chunk_size": size}
    expected, got = both(pair, "GET", params=params)
    assert got.status_code == expected.status_code == 200
    parse = [orjson.loads(line) for line in got.content.splitlines()]
    assert parse == [orjson.loads(line) for line in expected.content.splitlines()]


def unpack(body: bytes) -> list[Any]:
    unpacker = msgpack.Unpacker(
        ext_hook=lambda code, data: (code, data), strict_map_key=False
    )
    unpacker.feed(body)
    return list(unpacker)


@pytest.mark.parametrize("q", SELECTS)
@pytest.mark.parametrize("chunked", ["false", "true"])
def test_msgpack_answers(pair, q, chunked):
    params = {"db": pair[2], "q": q, "chunked": chunked, "chunk_size": "4"}
    headers = {"Accept": "application/x-msgpack"}
    expected, got = both(pair, "GET", params=params, headers=headers)
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert unpack(got.content) == unpack(expected.content)


@pytest.mark.parametrize("chunked", ["false", "true"])
@pytest.mark.parametrize("accept", ["application/csv", "text/csv"])
@pytest.mark.parametrize("q", SELECTS)
def test_csv_answers(pair, q, accept, chunked):
    params = {"db": pair[2], "q": q, "chunked": chunked, "chunk_size": "4"}
    expected, got = both(pair, "GET", params=params, headers={"Accept": accept})
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert got.content == expected.content


def test_an_accept_header_naming_several_types_gets_json(pair):
    headers = {"Accept": "application/csv, application/json"}
    same_json(pair, params={"db": pair[2], "q": SELECTS[0]}, headers=headers)


def test_bound_parameters(pair):
    params = {
        "db": pair[2],
        "q": "SELECT v FROM q WHERE h = $h AND i > $n",
        "params": orjson.dumps({"h": "a", "n": 10}).decode(),
    }
    same_json(pair, params=params)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "SELEC * FROM q"},
        {"q": "SELECT * FROM q WHERE"},
        {"q": "SELECT * FROM nothing"},
        {"q": "SELECT * FROM q", "db": "nope"},
        {"q": "SHOW MEASUREMENTS", "db": "nope"},
        {"q": "SELECT foo(v) FROM q"},
        {"q": "SELECT v FROM q WHERE h = $h"},
    ],
)
def test_errors_of_requests_and_statements(pair, params):
    same_json(pair, params={"db": pair[2], **params})


def test_bad_params_json_is_refused(pair):
    params = {"db": pair[2], "q": "SELECT v FROM q", "params": "{nope"}
    expected, got = both(pair, "GET", params=params)
    assert got.status_code == expected.status_code == 400
    assert got.json()["error"].startswith("error parsing query parameters: ")


@pytest.mark.parametrize("accept", ["application/csv", "application/x-msgpack"])
def test_a_parse_error_in_other_formats(pair, accept):
    params = {"db": pair[2], "q": "SELEC"}
    expected, got = both(pair, "GET", params=params, headers={"Accept": accept})
    assert got.status_code == expected.status_code == 400
    if accept == "application/csv":
        assert got.content == expected.content
    else:
        assert unpack(got.content) == unpack(expected.content)


def test_a_repeated_parameter_counts_once(pair):
    """The first value wins, as Go's FormValue reads it."""
    url = f"/query?db={pair[2]}&db=nope&q=SELECT+max(v)+FROM+q&q=SHOW+DATABASES"
    influxd, served, _name = pair
    expected = influxd.request("GET", url)
    got = served.request("GET", url)
    assert got.json() == expected.json()


def test_statements_that_write_sent_by_get_carry_influxds_warning(pair):
    """influxd runs them and warns, naming the statement in canonical form."""
    db = pair[2]
    statements = [
        'create database "get x"',
        'DROP DATABASE "get x"',
        (
            f"CREATE RETENTION POLICY r1 ON {db} DURATION 7d REPLICATION 1 "
            "SHARD DURATION 1d"
        ),
        f'create retention policy "r 2" on "{db}" duration inf replication 1',
        f'alter retention policy "r 2" on {db} duration 3d shard duration 2h',
        f'DROP RETENTION POLICY r1 ON {db}; DROP RETENTION POLICY "r 2" ON {db}',
        'DROP MEASUREMENT "select"',
        "SELECT max(v) FROM q; CREATE DATABASE getdb; DROP DATABASE getdb",
    ]
    for q in statements:
        for chunked in ("false", "true"):
            params = {"db": db, "q": q, "chunked": chunked}
            expected, got = both(pair, "GET", params=params)
            assert got.status_code == expected.status_code == 200
            parsed = [orjson.loads(line) for line in got.content.splitlines()]
            wanted = [orjson.loads(line) for line in expected.content.splitlines()]
            assert parsed == wanted, q


def test_a_long_series_says_partial_as_influxd_does(pair):
    """Non-chunked, influxd flags a series of more than 10,000 rows."""
    influxd, served, db = pair
    lines = [f"long,h=a v={i} {i}" for i in range(10_001)]
    lines += [f"long,h=b v={i} {i}" for i in range(10_000)]
    for target in (influxd, served):
        response = target.request(
            "POST", "/write", params={"db": db}, content="\n".join(lines).encode()
        )
        assert response.status_code == 204
    for q in ("SELECT * FROM long GROUP BY h", "SELECT v FROM long WHERE h = 'b'"):
        got = same_json(pair, params={"db": db, "q": q, "epoch": "ns"})
        assert got.json()["results"][0]["series"]


@pytest.mark.parametrize(
    "q",
    [
        (
            "SELECT mean(v) FROM q WHERE time >= 0 AND time < 20s GROUP BY time(5s) "
            "tz('Europe/Paris')"
        ),
        "SELECT v FROM q tz('America/New_York')",
        "SELECT v FROM q WHERE time > 2s tz('UTC')",
        "SELECT v FROM q tz('Asia/Kolkata'); SELECT v FROM q LIMIT 2",
        "SELECT v FROM q WHERE time < 4s TZ('Australia/Lord_Howe')",
    ],
)
@pytest.mark.parametrize("extra", [{}, {"epoch": "ms"}, {"chunked": "true"}])
def test_times_of_a_tz_query_carry_the_zones_offset(pair, q, extra):
    params = {"db": pair[2], "q": q, **extra}
    expected, got = both(pair, "GET", params=params)
    assert got.status_code == expected.status_code == 200
    parsed = [orjson.loads(line) for line in got.content.splitlines()]
    assert parsed == [orjson.loads(line) for line in expected.content.splitlines()]


def test_a_request_error_is_influxds_bytes(pair):
    """Go's JSON escapes <, > and & even in an error."""
    params = {"db": pair[2], "q": "SELECT < FROM q"}
    expected, got = both(pair, "GET", params=params)
    assert got.status_code == expected.status_code == 400
    assert got.content == expected.content


@pytest.mark.parametrize("q", ["   ", "\n\t ", ";", " ; ", "\u00a0;"])
@pytest.mark.parametrize("extra", [{}, {"pretty": "true"}])
def test_blank_text_and_no_statements_are_influxds_bytes(pair, q, extra):
    """influxd trims ``q`` (blank is missing) and omits an empty results list."""
    params = {"db": pair[2], "q": q, **extra}
    expected, got = both(pair, "GET", params=params)
    assert got.status_code == expected.status_code
    assert got.content == expected.content
