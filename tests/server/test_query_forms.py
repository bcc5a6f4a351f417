"""How ``/query`` reads a request, compared with influxd 1.6.7: statements
uploaded as a multipart file (``curl -F q=@queries.txt``), multipart form
values, ``async=true``, and the JSON of ``params`` as Go decodes it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

LINES = "\n".join(
    f"f,h={'ab'[i % 2]} v={i * 1.5},i={i}i {1_000_000_000 * i}" for i in range(12)
)
SELECT = "SELECT v, i FROM f WHERE i > 2 LIMIT 4"


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "forms", LINES) as pair:
        yield pair


def both(pair: Any, method: str, url: str = "/query", **kwargs: Any) -> list[Any]:
    influxd, served, _name = pair
    return [target.request(method, url, **kwargs) for target in (influxd, served)]


def same(pair: Any, method: str, url: str = "/query", **kwargs: Any) -> Any:
    expected, got = both(pair, method, url, **kwargs)
    assert (got.status_code, got.text) == (expected.status_code, expected.text)
    assert got.headers.get("x-influxdb-error") == expected.headers.get(
        "x-influxdb-error"
    )
    return got


@pytest.mark.parametrize(
    "text",
    [
        SELECT,
        f"{SELECT};SELECT count(v) FROM f GROUP BY h",
        f"\n  {SELECT}\n",
        "SHOW MEASUREMENTS",
        "",
        "SELEC nothing",
    ],
)
def test_statements_uploaded_as_the_file_q(pair, text):
    got = same(
        pair, "POST", params={"db": pair[2]}, files={"q": ("q.txt", text.encode())}
    )
    assert got.status_code == (400 if "SELEC " in text else 200)


def test_multipart_values_come_after_the_urls(pair):
    """Each part without a file name is a value; the URL's win over them."""
    files = {"q": (None, SELECT.encode()), "db": (None, b"nope"), "epoch": (None, b"s")}
    got = same(pair, "POST", f"/query?db={pair[2]}", files=files)
    assert got.json()["results"][0]["series"][0]["values"][0][0] == 3


def test_a_q_value_wins_over_an_uploaded_q(pair):
    files = {"q": ("q.txt", b"SHOW DATABASES")}
    same(pair, "POST", f"/query?db={pair[2]}&q=SHOW+MEASUREMENTS", files=files)


def test_an_upload_by_another_name_is_not_the_text(pair):
    files = {"query": ("q.txt", SELECT.encode())}
    got = same(pair, "POST", params={"db": pair[2]}, files=files)
    assert got.status_code == 400


def test_a_multipart_get_is_read_too(pair):
    same(pair, "GET", params={"db": pair[2]}, files={"q": ("q.txt", SELECT.encode())})


def test_an_async_query_is_answered_at_once_and_runs(pair):
    """``async=true``: 204 with no body; the statements run all the same."""
    name = pair[2]
    into = f'SELECT v INTO "{name}"."autogen"."copied" FROM f GROUP BY *'
    for response in both(pair, "POST", params={"db": name, "q": into, "async": "true"}):
        assert response.status_code == 204
        assert response.content == b""
    count = {"db": name, "q": "SELECT count(v) FROM copied"}
    for target in pair[:2]:
        deadline = time.monotonic() + 30
        while True:
            answer = target.request("GET", "/query", params=count).json()
            if "series" in answer["results"][0]:
                break
            assert time.monotonic() < deadline, answer
            time.sleep(0.05)
        assert answer["results"][0]["series"][0]["values"][0][1] == 12


@pytest.mark.parametrize(
    "params", [{"q": "SELEC"}, {"q": ""}, {"q": SELECT, "params": "{"}]
)
def test_an_async_query_that_cannot_be_parsed_is_refused(pair, params):
    same(pair, "GET", params={"db": pair[2], "async": "true", **params})


def test_an_async_query_that_fails_still_answers_no_content(pair):
    params = {"db": "nope", "q": SELECT, "async": "true"}
    got = same(pair, "GET", params=params)
    assert got.status_code == 204


QUERY = "SELECT v FROM f WHERE i > $v LIMIT 1"


@pytest.mark.parametrize(
    "text",
    [
        '{"v": 3}',
        '{"v": 3.0}',
        '{"v": -2}',
        '{"v": 1.5e1}',
        '{"v": 1e1}',
        '{"v": 99999999999999999999}',
        '{"v": 1.5e999}',
        '{"v": 3} and then anything',
        '{"v": 3}{"v": 4}',
        '{"v": 1, "v": 9}',
        '{"v": null}',
        "null",
        "[1]",
        '"text"',
        "7",
        "true",
        "",
        "   ",
        '{"v": "a"',
        "{v: 1}",
        '{"v" 1}',
        '{"v": 1,}',
        '{"v": 1 2}',
        '{"v": tru}',
        '{"v": nul}',
        '{"v": fals}',
        '{"v": 01}',
        '{"v": -}',
        '{"v": 1.}',
        '{"v": 1e}',
        '{"v": 1e+}',
        '{"v": "\\x"}',
        '{"v": "\\u12"}',
        '{"v": "\\ud83d\\ude00"}',
        '{"v": "a\tb"}',
        '{"v": [1 2]}',
        '{"v": é}',
        '{"v": \'}',
        '{"v": "}',
        '{"v": {"integer": 3}}',
        '{"v": {"identifier": "i"}}',
        "\t\n{}",
    ],
)
def test_params_json_is_read_as_go_reads_it(pair, text):
    same(pair, "GET", params={"db": pair[2], "q": QUERY, "params": text})


def test_a_urlencoded_get_body_is_not_read(pair):
    """Go parses a form body only for POST, PUT and PATCH."""
    influxd, served, name = pair
    for target in (influxd, served):
        response = httpx.request(
            "GET",
            f"{target.http_url}/query",
            content=f"q=SHOW+DATABASES&db={name}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 400, response.text
