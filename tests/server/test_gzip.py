"""``influxpy serve`` compresses answers with gzip where influxd 1.6.7 does.

A request whose ``Accept-Encoding`` contains ``gzip`` gets a 200 answer as
gzip (``Content-Encoding: gzip``), chunked ones included; every other
answer goes out as it is. Each request goes to both servers; the raw
bytes are read, so the compression itself is checked, not only what a
client decodes.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

LINES = "\n".join(
    f'gz,h=h{i % 3} v={i},s="t{i}" {i * 1_000_000_000}' for i in range(40)
)


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "gzip", LINES) as pair:
        yield pair


def raw(
    port: int, method: str, path: str, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent (not decoded)."""
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0) as client,
        client.stream(method, path, **kwargs) as response,
    ):
        return response, b"".join(response.iter_raw())


def both(pair: Any, method: str, path: str, **kwargs: Any) -> list[tuple[Any, bytes]]:
    influxd, served, _db = pair
    return [raw(target.port, method, path, **kwargs) for target in (influxd, served)]


def decoded(response: httpx.Response, body: bytes) -> bytes:
    if response.headers.get("content-encoding") == "gzip":
        assert body.startswith(b"\x1f\x8b")
        return gzip.decompress(body)
    return body


def own_databases(body: bytes, accept: str, db: str) -> Any:
    """*body* (``SELECT …; SHOW DATABASES``) with only *db* left in the
    database listing."""
    if accept == "application/csv":
        listed = b"databases,,"
        assert listed + db.encode() in body.splitlines()
        return [
            line
            for line in body.splitlines()
            if not line.startswith(listed) or line == listed + db.encode()
        ]
    pieces = [orjson.loads(line) for line in body.splitlines() if line.strip()]
    for piece in pieces:
        for result in piece.get("results", []):
            for series in result.get("series", []):
                if series.get("name") == "databases":
                    assert [db] in series["values"]
                    series["values"] = [[db]]
    return pieces


@pytest.mark.parametrize(
    "encoding", ["gzip", "gzip, deflate", "deflate, gzip;q=0", "deflate", "GZIP", ""]
)
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("accept", ["application/json", "application/csv"])
def test_query_answers_are_compressed_as_influxd_compresses_them(
    pair, encoding, chunked, accept
):
    db = pair[2]
    params = {"db": db, "q": "SELECT * FROM gz GROUP BY h; SHOW DATABASES"}
    if chunked:
        params.update(chunked="true", chunk_size="7")
    headers = {"Accept-Encoding": encoding, "Accept": accept}
    (expected, expected_body), (got, got_body) = both(
        pair, "GET", "/query", params=params, headers=headers
    )
    assert got.status_code == expected.status_code == 200
    assert got.headers.get("content-encoding") == expected.headers.get(
        "content-encoding"
    )
    assert (got.headers.get("content-encoding") == "gzip") == ("gzip" in encoding)
    assert got.headers["content-type"] == expected.headers["content-type"]
    want, have = decoded(expected, expected_body), decoded(got, got_body)
    # The session's influxd lists every database other tests made: compare
    # the answers with only this test's database listed.
    assert own_databases(have, accept, db) == own_databases(want, accept, db)


@pytest.mark.parametrize(
    ("method", "path", "params", "content"),
    [
        ("GET", "/query", {"q": "SELEC"}, None),
        ("GET", "/query", {}, None),
        ("GET", "/ping", {}, None),
        ("POST", "/write", {"db": "nope_gz"}, b"m v=1"),
        ("POST", "/write", {"db": "{db}"}, b"gz_w v=1 1"),
        ("GET", "/nope", {}, None),
        ("OPTIONS", "/query", {}, None),
    ],
)
def test_other_answers_go_out_uncompressed(pair, method, path, params, content):
    db = pair[2]
    params = {k: v.format(db=db) for k, v in params.items()}
    headers = {"Accept-Encoding": "gzip", "Origin": "http://example.test"}
    (expected, expected_body), (got, got_body) = both(
        pair, method, path, params=params, headers=headers, content=content
    )
    assert got.status_code == expected.status_code
    assert "content-encoding" not in expected.headers
    assert "content-encoding" not in got.headers
    assert got_body == expected_body or got.status_code == 400
