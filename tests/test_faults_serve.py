"""Faults a client causes ``influxpy serve``: broken gzip bodies, and
clients that leave in the middle of a chunked answer.

Broken bodies are sent to the session's influxd 1.6.7 and to ``influxpy
serve`` alike: the status and the error text must match. A client gone in
the middle of a chunked answer must stop its query (influxd kills it), not
leave the server rendering the rest for nobody.
"""

from __future__ import annotations

import gzip
import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from server._serve import Served

GOOD = gzip.compress(b"fz v=1 1\nfz v=2 2\n" * 50, mtime=0)
HEADER = GOOD[:10]


def _flipped(at: int, mask: int) -> bytes:
    body = bytearray(GOOD)
    body[at] ^= mask
    return bytes(body)


#: Broken gzip bodies; influxd answers each with Go's reader's text.
BROKEN = {
    "empty": b"",
    "cut in the header": GOOD[:5],
    "header only": HEADER,
    "no trailer": GOOD[:-8],
    "cut in the trailer": GOOD[:-6],
    "not gzip, short": b"fz v=1 1",
    "not gzip": b"fz v=1 1\nfz v=2 2\n",
    "another method": b"\x1f\x8b\x07" + GOOD[3:],
    "name never ended": b"\x1f\x8b\x08\x08" + GOOD[4:10] + b"abc",
    "reserved block type": HEADER + b"\x07\x00\x00",
    "stored block lengths": HEADER + b"\x01\x05\x00\x00\x00abcde",
    "distance too far back": _flipped(20, 0x55),
    "wrong checksum": _flipped(11, 0x55),
    "wrong size": GOOD[:-4] + b"\x00\x00\x00\x00",
    "short garbage after": GOOD + b"abc",
    "garbage after": GOOD + b"0123456789abc",
}


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[InfluxServer, Served, str]]:
    """influxd and ``influxpy serve``, each with one fresh database."""
    name = f"faults_{uuid.uuid4().hex[:8]}"
    path = tmp_path_factory.mktemp("serve-faults") / "data.duckdb"
    backend = influxpy.connect(f"duckdb://{path}", alias="serve-faults-setup")
    backend.create_database(name)
    backend.close()
    influx_server.create_database(name)
    served = Served(path).start()
    try:
        yield influx_server, served, name
    finally:
        served.close()
        influx_server.drop_database(name)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_gzip_body_is_answered_as_influxd(pair, case):
    influxd, served, db = pair
    answers = [
        target.request(
            "POST",
            "/write",
            params={"db": db},
            content=BROKEN[case],
            headers={"Content-Encoding": "gzip"},
        )
        for target in (influxd, served)
    ]
    expected, got = answers
    assert got.status_code == expected.status_code == 400
    assert got.json() == expected.json()
    assert got.headers["x-influxdb-error"] == expected.headers["x-influxdb-error"]


def test_broken_bodies_store_nothing_and_good_ones_go_on(pair):
    influxd, served, db = pair
    for target in (influxd, served):
        for body in BROKEN.values():
            target.request(
                "POST",
                "/write",
                params={"db": db},
                content=body,
                headers={"Content-Encoding": "gzip"},
            )
        response = target.request(
            "POST",
            "/write",
            params={"db": db},
            content=GOOD + gzip.compress(b"fz v=3 3"),
            headers={"Content-Encoding": "gzip"},
        )
        assert response.status_code == 204, response.text
    answers = [
        target.request(
            "GET",
            "/query",
            params={"db": db, "q": "SELECT * FROM fz", "epoch": "ns"},
        ).json()
        for target in (influxd, served)
    ]
    assert answers[1] == answers[0]
    [series] = answers[1]["results"][0]["series"]
    assert series["values"] == [[1, 1], [2, 2], [3, 3]]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``influxpy serve`` on a file with 200,000 points in 50 series."""
    path = tmp_path_factory.mktemp("serve-leaving") / "data.duckdb"
    backend = influxpy.connect(f"duckdb://{path}?database=d", alias="serve-big")
    lines = (f"m,h=h{i % 50} v={i} {i}" for i in range(200_000))
    backend.write_lines(lines, database="d", batch_size=50_000)
    backend.close()
    served = Served(path).start()
    try:
        yield served
    finally:
        served.close()


def _running(served: Served) -> list[str]:
    answer = served.request("GET", "/query", params={"q": "SHOW QUERIES"}).json()
    [series] = answer["results"][0]["series"]
    return [row[1] for row in series["values"] if row[1] != "SHOW QUERIES"]


def test_a_client_leaving_a_chunked_answer_stops_its_query(big):
    """Ten clients read the first bytes of a chunked answer of 4,000,000
    one-row chunks and hang up: their queries end (the server renders
    the rest for nobody otherwise, many minutes of CPU), and the server
    goes on answering every point."""
    # Twenty statements: 4,000,000 chunks for each client.
    query = ";".join(["SELECT%20*%20FROM%20m%20GROUP%20BY%20h"] * 20)
    request = (
        f"GET /query?db=d&chunked=true&chunk_size=1&q={query} HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n\r\n"
    ).encode()
    for _ in range(10):
        with socket.create_connection(("127.0.0.1", big.port), timeout=60) as sock:
            sock.sendall(request)
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    running = _running(big)
    for _ in range(300):  # bounded: about 30 s at most
        if not running:
            break
        time.sleep(0.1)
        running = _running(big)
    assert running == []
    answer = big.request(
        "GET", "/query", params={"db": "d", "q": "SELECT count(v) FROM m"}
    )
    assert answer.json()["results"][0]["series"][0]["values"][0][1] == 200_000


def test_a_chunked_answer_read_whole_is_unchanged(big):
    with httpx.Client(timeout=120) as client:
        response = client.get(
            f"{big.http_url}/query",
            params={
                "db": "d",
                "q": "SELECT v FROM m",
                "chunked": "true",
                "chunk_size": "50000",
            },
        )
    assert response.status_code == 200
    documents = response.text.splitlines()
    assert len(documents) == 4
    assert _running(big) == []


def _raw_write(port: int, db: str, body: bytes, encoding: str = "") -> bytes:
    """POST /write over a plain socket; the whole answer, bytes as sent
    (influxd sends some header values no HTTP client accepts)."""
    head = (
        f"POST /write?db={db} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"{encoding}Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head + body)
        for _ in range(10_000):  # bounded: the answer is small
            data = sock.recv(65_536)
            if not data:
                break
            answer += data
    return answer


def _error_of(answer: bytes) -> tuple[bytes, bytes]:
    """The status line and the ``X-Influxdb-Error`` value of *answer*."""
    head = answer.partition(b"\r\n\r\n")[0].split(b"\r\n")
    [error] = [
        line.partition(b": ")[2]
        for line in head
        if line.lower().startswith(b"x-influxdb-error:")
    ]
    return head[0], error


#: Bodies whose error names lines influxd sends as they are.
ODD_LINES = {
    "utf-8 line": "温度 bad".encode(),
    "many lines": "\n".join(f"bad line number {i}" for i in range(100)).encode(),
    "many utf-8 lines": "\n".join(f"températures {i}" for i in range(100)).encode(),
    "tab": b"tab\there bad",
    "gzip bytes, not named gzip": gzip.compress(b"fz v=1 1\n", mtime=0),
}


@pytest.mark.parametrize("case", sorted(ODD_LINES))
def test_an_error_naming_any_text_is_answered_with_influxds_header(pair, case):
    """The error header holds the first 1,024 bytes of the UTF-8 text, as
    influxd's; a body sent as ``Content-Encoding: GZIP`` is not
    decompressed (influxd compares ``gzip`` exactly)."""
    influxd, served, db = pair
    encoding = "Content-Encoding: GZIP\r\n" if case.startswith("gzip") else ""
    answers = [
        _raw_write(target.port, db, ODD_LINES[case], encoding)
        for target in (influxd, served)
    ]
    expected, got = (_error_of(answer) for answer in answers)
    assert got[0] == expected[0] == b"HTTP/1.1 400 Bad Request"
    if case.startswith("gzip"):
        # influxd sends the bytes of the gzip header raw (an invalid
        # header); here control bytes are spaces and bytes that are not
        # UTF-8 are U+FFFD, as the engine reads the line.
        assert expected[1].startswith(b"unable to parse '\x1f\x8b")
        assert got[1].startswith(b"unable to parse ' ")
        assert got[1].endswith(expected[1][-len(b"': missing fields") :])
    else:
        assert got[1] == expected[1]
    assert served.request("GET", "/ping").status_code == 204


def test_an_error_with_control_characters_is_answered(pair):
    """influxd sends a control character of a refused line raw in its
    header (no client reads that); here it is a space, and the JSON error
    is influxd's."""
    influxd, served, db = pair
    body = b"x\x01y bad"
    expected = _raw_write(influxd.port, db, body).partition(b"\r\n\r\n")[2]
    response = served.request("POST", "/write", params={"db": db}, content=body)
    assert response.status_code == 400
    assert response.json() == httpx.Response(200, content=expected).json()
    assert response.headers["x-influxdb-error"] == (
        "unable to parse 'x y bad': invalid field format"
    )
