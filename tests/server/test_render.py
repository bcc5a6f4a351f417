"""The renderer writes influxd 1.6.7's ``/query`` bodies from ``Series``.

Points are written to the real influxd; its answer in msgpack with
``epoch=ns`` (typed values, exact times) is turned into ``Series`` by
hand, rendered by ``influxpy.server.render``, and compared with influxd's
own answer to the same query in each format: JSON byte for byte (Go's
float and string formatting), CSV byte for byte, msgpack decoded.
"""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from _influxd import InfluxServer
from influxpy.results import Series
from influxpy.server.render import (
    CSVWriter,
    Result,
    chunk_results,
    go_float,
    json_document,
    msgpack_document,
    pretty,
)

LINES = r"""
m,h=a,r=x\ y v=1.5,i=2i,s="x y",b=t 1000000000
m,h=a v=3,i=9223372036854775807i,s="<&> \"q\" é" 1500000000
m,h=b,r=p\,q v=1e-7,s=" lead",b=f 2000000000
m,h=b v=1e21,i=-9223372036854775807i 2000000001
m,h=c v=-0.0,s="a,b" -1500000000
m,h=c v=123456789012345678.0 -1
m,h=c v=0.1,s="" 3
m,h=d v=1e300 4000000000
m,h=d v=5e-324,s="line\\break" 4000000000000
m,h=d v=0.000001,i=0i 4000000001000
m,h=d v=1e16 5000000000000
m,h=d v=123.456e5 5000000000001
""".strip()

QUERIES = [
    "SELECT * FROM m GROUP BY *",
    "SELECT * FROM m",
    "SELECT v, s FROM m WHERE h = 'd' GROUP BY h",
    "SHOW TAG KEYS FROM m",
    "SHOW FIELD KEYS",
    "SELECT * FROM m GROUP BY h; SHOW MEASUREMENTS; SELECT * FROM nothing",
    "SHOW RETENTION POLICIES",
]
EPOCHS = [None, "ns", "u", "µ", "ms", "s", "m", "h", "n", "bogus"]


def ext(code: int, data: bytes) -> Any:
    assert code == 5
    seconds = int.from_bytes(data[:8], "big", signed=True)
    return seconds * 1_000_000_000 + int.from_bytes(data[8:], "big")


@pytest.fixture(scope="module")
def loaded(influx_server: InfluxServer) -> Any:
    name = "render_test_db"
    influx_server.create_database(name)
    influx_server.write(LINES, name)
    try:
        yield influx_server, name
    finally:
        influx_server.drop_database(name)


def ask(loaded: Any, q: str, accept: str | None = None, **params: str) -> bytes:
    server, db = loaded
    headers = {"Accept": accept} if accept else {}
    response = server.request(
        "GET", "/query", params={"q": q, "db": db, **params}, headers=headers
    )
    return response.content


def results_of(loaded: Any, q: str) -> list[Result]:
    """influxd's answer as ``Result`` objects (typed values, ns times)."""
    body = ask(loaded, q, "application/x-msgpack")
    decoded = msgpack.unpackb(body, ext_hook=ext, strict_map_key=False)
    out = []
    for result in decoded["results"]:
        series = [
            Series(
                s.get("name", ""), s.get("tags", {}), s["columns"], s.get("values", [])
            )
            for s in result.get("series", [])
        ]
        out.append(Result(result["statement_id"], series, error=result.get("error")))
    return out


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("epoch", EPOCHS)
def test_json_is_influxds_bytes(loaded, q, epoch):
    params = {"epoch": epoch} if epoch else {}
    expected = ask(loaded, q, **params)
    results = results_of(loaded, q)
    # influxd sorts tags by key in JSON; msgpack maps may come in any order.
    for result in results:
        for series in result.series:
            series.tags = dict(sorted(series.tags.items()))
    assert json_document(results, epoch) + b"\n" == expected


@pytest.mark.parametrize("q", QUERIES[:3])
def test_pretty_json_is_influxds_bytes(loaded, q):
    expected = ask(loaded, q, pretty="true")
    results = results_of(loaded, q)
    for result in results:
        for series in result.series:
            series.tags = dict(sorted(series.tags.items()))
    assert pretty(json_document(results)) + b"\n" == expected


# Not SHOW RETENTION POLICIES: influxd 1.6.7's CSV writer skips Go ``int``
# values (replicaN), leaving the header's text in their cells.
@pytest.mark.parametrize("q", QUERIES[:-1])
@pytest.mark.parametrize("epoch", [None, "ms", "s"])
def test_csv_is_influxds_bytes(loaded, q, epoch):
    params = {"epoch": epoch} if epoch else {}
    expected = ask(loaded, q, "application/csv", **params)
    got = CSVWriter(epoch).write(results_of(loaded, q)).encode()
    assert got == expected


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("epoch", [None, "ms"])
def test_msgpack_decodes_as_influxds(loaded, q, epoch):
    params = {"epoch": epoch} if epoch else {}
    expected = ask(loaded, q, "application/x-msgpack", **params)
    got = msgpack_document(results_of(loaded, q), epoch)

    def decode(body: bytes) -> Any:
        return msgpack.unpackb(body, ext_hook=lambda c, d: (c, d), strict_map_key=False)

    assert decode(got) == decode(expected)


def pieces(series: list[Series], size: int) -> list[Series]:
    """Series cut into pieces of *size* rows, as a backend streams them."""
    out = []
    for item in series:
        rows = item.values
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            more = start + size < len(rows)
            out.append(Series(item.name, item.tags, item.columns, part, more))
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 100])
@pytest.mark.parametrize("q", [QUERIES[0], QUERIES[5]])
def test_chunked_json_is_influxds_bytes(loaded, q, size):
    expected = ask(loaded, q, chunked="true", chunk_size=str(size))
    chunks = []
    for result in results_of(loaded, q):
        for series in result.series:
            series.tags = dict(sorted(series.tags.items()))
        split = pieces(result.series, size)
        for chunk, _last in chunk_results(result.statement_id, split):
            chunks.append(json_document([chunk]) + b"\n")
    assert b"".join(chunks) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (-0.0, "-0"),
        (0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e-6, "0.000001"),
        (1e300, "1e+300"),
        (5e-324, "5e-324"),
        (0.1, "0.1"),
        (123456789012345678.0, "123456789012345680"),
        (-2.5e-10, "-2.5e-10"),
    ],
)
def test_floats_print_as_go_does(value, text):
    assert go_float(value) == text
