"""Bound parameters: ``$name`` means what influxd 1.6.7 makes of it.

Each statement with parameters must parse to the same representation as
the literal statement it stands for, and the server must answer both
alike (so the literal is what the server read too). Parameters the server
cannot bind are refused with its message.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from _influxd import InfluxServer
from influxpy.exceptions import InfluxQLParseError
from influxpy.influxql import parse

BOUND: list[tuple[str, dict[str, Any], str]] = [
    ("SELECT v FROM m WHERE host = $h", {"h": "a"}, "SELECT v FROM m WHERE host = 'a'"),
    ("SELECT v FROM m WHERE v > $x", {"x": 1.5}, "SELECT v FROM m WHERE v > 1.5"),
    ("SELECT v FROM m WHERE v > $x", {"x": 1}, "SELECT v FROM m WHERE v > 1"),
    ("SELECT v FROM m WHERE b = $x", {"x": True}, "SELECT v FROM m WHERE b = true"),
    (
        "SELECT v FROM m WHERE v > $x",
        {"x": {"integer": 1}},
        "SELECT v FROM m WHERE v > 1",
    ),
    (
        "SELECT v FROM m WHERE v > $x",
        {"x": {"float": 1.5}},
        "SELECT v FROM m WHERE v > 1.5",
    ),
    (
        "SELECT v FROM m WHERE host = $x",
        {"x": {"string": "b"}},
        "SELECT v FROM m WHERE host = 'b'",
    ),
    ("SELECT $f FROM m", {"f": {"identifier": "v"}}, "SELECT v FROM m"),
    ("SELECT v FROM $m", {"m": {"ident": "m"}}, "SELECT v FROM m"),
    (
        "SELECT v FROM m WHERE host =~ $r",
        {"r": {"regex": "^a"}},
        "SELECT v FROM m WHERE host =~ /^a/",
    ),
    (
        "SELECT v FROM m WHERE time > now() - $d",
        {"d": {"duration": "100000d"}},
        "SELECT v FROM m WHERE time > now() - 100000d",
    ),
    (
        "SELECT v FROM m WHERE time > now() - $d",
        {"d": {"duration": 3_600_000_000_000}},
        "SELECT v FROM m WHERE time > now() - 1h",
    ),
    ("SELECT v FROM m LIMIT $n", {"n": 1}, "SELECT v FROM m LIMIT 1"),
    (
        'SELECT v FROM m WHERE v > $"x y"',
        {"x y": 1},
        "SELECT v FROM m WHERE v > 1",
    ),
    (
        "SELECT v FROM m WHERE host = $h OR host = $h",
        {"h": "b", "unused": None},
        "SELECT v FROM m WHERE host = 'b' OR host = 'b'",
    ),
]


@pytest.fixture(scope="module")
def database(influx_server: InfluxServer) -> Iterator[str]:
    name = f"params_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(name)
    influx_server.write(
        'm,host=a v=1,b=true,s="x" 1000000000\nm,host=b v=2,b=false,s="y" 2000000000',
        name,
    )
    try:
        yield name
    finally:
        influx_server.drop_database(name)


def answer(
    server: InfluxServer, database: str, text: str, params: dict[str, Any]
) -> Any:
    data = {"q": text, "db": database}
    if params:
        data["params"] = json.dumps(params)
    response = server.request("POST", "/query", data=data)
    return response.status_code, response.json()


@pytest.mark.parametrize(("text", "params", "literal"), BOUND)
def test_parameter_binds_as_the_server_binds(
    influx_server: InfluxServer,
    database: str,
    text: str,
    params: dict[str, Any],
    literal: str,
) -> None:
    assert parse(text, params) == parse(literal)
    bound = answer(influx_server, database, text, params)
    assert bound[0] == 200
    assert "error" not in bound[1]["results"][0]
    assert bound == answer(influx_server, database, literal, {})


REFUSED: list[tuple[str, dict[str, Any]]] = [
    ("SELECT v FROM m WHERE v > $x", {}),
    ("SELECT v FROM m WHERE v > $x", {"y": 1}),
    ("SELECT v FROM m WHERE v > $x", {"x": None}),
    ("SELECT v FROM m WHERE v > $x", {"x": [1]}),
    ("SELECT v FROM m WHERE v > $x", {"x": {"unsigned": 1}}),
    ("SELECT v FROM m LIMIT $n", {}),
    ("SELECT v FROM m LIMIT $n", {"n": "1"}),
]


@pytest.mark.parametrize(("text", "params"), REFUSED)
def test_parameter_refused_as_the_server_refuses(
    influx_server: InfluxServer, database: str, text: str, params: dict[str, Any]
) -> None:
    status, body = answer(influx_server, database, text, params)
    assert status == 400
    with pytest.raises(InfluxQLParseError) as caught:
        parse(text, params)
    assert str(caught.value) == body["error"]


def test_plain_string_is_never_an_identifier() -> None:
    # The server reads SELECT $f with {"f": "v"} as SELECT 'v'.
    assert parse("SELECT $f FROM m", {"f": "v"}) == parse("SELECT 'v' FROM m")
