"""HTTP behaviours of ``influxpy serve`` that clients rely on, each compared
with influxd 1.6.7: ``/status``, the request id echoed back,
``/debug/vars`` and ``/debug/requests``."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

LINES = "cpu,h=a v=1 1000000000\ncpu,h=b v=2 2000000000\nmem x=1 1\n"
#: Headers whose values differ by nature (time, build, version, framing).
VARYING = {
    "date",
    "x-influxdb-version",
    "x-influxdb-build",
    "request-id",
    "x-request-id",
    "content-length",
    "transfer-encoding",
}


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "routes", LINES) as pair:
        yield pair


def both(pair: Any, method: str, path: str, **kwargs: Any) -> list[Any]:
    influxd, served, _name = pair
    return [target.request(method, path, **kwargs) for target in (influxd, served)]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_status_answers_no_content(pair, method):
    expected, got = both(pair, method, "/status")
    assert got.status_code == expected.status_code == 204
    stable = [
        {k: v for k, v in r.headers.items() if k not in VARYING}
        for r in (expected, got)
    ]
    assert stable[1] == stable[0]


@pytest.mark.parametrize("header", ["X-Request-Id", "Request-Id"])
@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/ping", {}),
        ("GET", "/status", {}),
        ("GET", "/query", {"q": "SHOW DATABASES"}),
        ("GET", "/query", {"q": "SELEC"}),
    ],
)
def test_the_clients_request_id_is_echoed(pair, header, method, path, params):
    given = f"trace-{uuid.uuid4().hex[:6]}"
    for response in both(pair, method, path, params=params, headers={header: given}):
        assert response.headers["x-request-id"] == given
        assert response.headers["request-id"] == given


def test_without_a_request_id_a_new_one_is_made(pair):
    for response in both(pair, "GET", "/ping"):
        made = uuid.UUID(response.headers["x-request-id"])
        assert made.version == 1
        assert response.headers["request-id"] == str(made)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_debug_vars(pair, method):
    expected, got = both(pair, method, "/debug/vars")
    assert got.status_code == expected.status_code == 200
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert got.text.startswith('{\n"system": {')
    assert got.text.endswith("}\n}\n")
    theirs, ours = orjson.loads(expected.text), orjson.loads(got.text)
    assert ours["system"].keys() == theirs["system"].keys()
    assert isinstance(ours["cmdline"], list)
    key = f"database:{pair[2]}"
    assert ours[key] == theirs[key]
    assert ours["runtime"]["values"].keys() <= theirs["runtime"]["values"].keys()
    for name, entry in ours.items():
        if name not in ("system", "cmdline"):
            assert entry.keys() == {"name", "tags", "values"}
            assert entry["name"] in {
                e.get("name") for e in theirs.values() if isinstance(e, dict)
            }


@pytest.mark.parametrize(
    "seconds", ["x", "+", "-1", "21601", "25200", "99999999999", "9" * 20]
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_debug_requests_with_no_requests_or_a_bad_interval(pair, seconds, method):
    expected, got = both(pair, method, "/debug/requests", params={"seconds": seconds})
    assert (got.status_code, got.text) == (expected.status_code, expected.text)
    stable = [
        {k: v for k, v in r.headers.items() if k not in VARYING}
        for r in (expected, got)
    ]
    assert stable[1] == stable[0]


def test_debug_requests_counts_each_clients_queries_and_writes(pair):
    """Requests to /query and /write in the interval, by client address:
    the failed ones too, not /ping, OPTIONS or the Prometheus endpoints."""
    influxd, served, name = pair
    answers: dict[str, httpx.Response] = {}

    def track(target: Any) -> None:
        answers[target.http_url] = httpx.get(
            f"{target.http_url}/debug/requests/sub", params={"seconds": "6"}, timeout=60
        )

    threads = [threading.Thread(target=track, args=(t,)) for t in (influxd, served)]
    for thread in threads:
        thread.start()
    # The interval starts when each server has the request: give both time.
    time.sleep(2)
    for target in (influxd, served):
        target.request("POST", "/write", params={"db": name}, content=b"cpu,h=c v=3 3")
        target.request("POST", "/write", params={"db": "nope"}, content=b"cpu v=1 1")
        target.request("GET", "/query", params={"db": name, "q": "SHOW DATABASES"})
        target.request("POST", "/query", params={"q": "SELEC"})
        target.request("GET", "/query")
        target.request("OPTIONS", "/query")
        target.request("GET", "/ping")
        target.request("POST", "/api/v1/prom/write", params={"db": name})
    for thread in threads:
        thread.join()
    expected, got = answers[influxd.http_url], answers[served.http_url]
    assert expected.text == '{\n"127.0.0.1": {"writes":2,"queries":3}\n}\n'
    assert (got.status_code, got.text) == (expected.status_code, expected.text)
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert got.headers["connection"] == "close"
