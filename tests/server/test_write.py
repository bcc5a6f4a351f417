"""``influxpy serve``'s ``/ping`` and ``/write`` answer as influxd 1.6.7 does.

Each request goes to the session's influxd and to ``influxpy serve``; the
status, the headers a client reads and the JSON error bodies must match.
"""

from __future__ import annotations

import gzip
import random
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from server._serve import Served

#: Headers both servers send on every API answer.
COMMON_HEADERS = ("content-type", "x-influxdb-build", "request-id")


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[InfluxServer, Served, str]]:
    """influxd and ``influxpy serve``, each with one fresh database."""
    name = f"serve_{uuid.uuid4().hex[:8]}"
    path = tmp_path_factory.mktemp("serve-write") / "data.duckdb"
    backend = influxpy.connect(f"duckdb://{path}", alias="serve-write-setup")
    backend.create_database(name)
    backend.close()
    influx_server.create_database(name)
    served = Served(path).start()
    try:
        yield influx_server, served, name
    finally:
        served.close()
        influx_server.drop_database(name)


def both(
    pair: tuple[InfluxServer, Served, str], method: str, path: str, **kwargs: object
) -> tuple[httpx.Response, httpx.Response]:
    """The same request sent to influxd, then to ``influxpy serve``."""
    influxd, served, _name = pair
    return (
        influxd.request(method, path, **kwargs),  # type: ignore[arg-type]
        served.request(method, path, **kwargs),
    )


def assert_same(expected: httpx.Response, got: httpx.Response) -> None:
    """Same status, same body (JSON compared parsed), same API headers."""
    assert got.status_code == expected.status_code, got.text
    if expected.content:
        assert got.json() == expected.json()
    else:
        assert got.content == b""
    for header in COMMON_HEADERS:
        assert (header in got.headers) == (header in expected.headers), header
        if header != "request-id":
            assert got.headers.get(header) == expected.headers.get(header), header
    assert got.headers.get("x-influxdb-error") == expected.headers.get(
        "x-influxdb-error"
    )
    assert got.headers["x-influxdb-version"].startswith("1.6.7")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_ping_answers_204_with_the_version_headers(pair, method):
    expected, got = both(pair, method, "/ping")
    assert_same(expected, got)
    assert got.status_code == 204


def test_ping_verbose_is_still_204(pair):
    assert_same(*both(pair, "GET", "/ping", params={"verbose": "true"}))


def allowed(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers.get("allow", "").split(",") if m}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/ping"),
        ("OPTIONS", "/ping"),
        ("GET", "/write"),
        ("PUT", "/query"),
        ("DELETE", "/write"),
        ("GET", "/nothing"),
        ("OPTIONS", "/query"),
        ("OPTIONS", "/write"),
    ],
)
def test_wrong_methods_paths_and_preflights_answer_as_influxd(pair, method, path):
    expected, got = both(pair, method, path)
    assert got.status_code == expected.status_code
    assert got.text == expected.text
    assert allowed(got) == allowed(expected)
    assert got.headers.get("content-type") == expected.headers.get("content-type")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/ping"), ("OPTIONS", "/write"), ("POST", "/query"), ("GET", "/nope")],
)
def test_cors_headers_answer_an_origin(pair, method, path):
    headers = {
        "Origin": "http://grafana.example",
        "Access-Control-Request-Method": "POST",
    }
    expected, got = both(pair, method, path, headers=headers)
    assert got.status_code == expected.status_code
    for header in (
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-expose-headers",
    ):
        assert got.headers.get(header) == expected.headers.get(header), header


def write_cases(db: str) -> list[tuple[dict[str, str], str]]:
    """(parameters, body) pairs whose answers both servers must agree on."""
    return [
        ({"db": db}, "w_ok,h=a v=1 1000000000\nw_ok,h=b v=2 2000000000"),
        ({"db": db}, ""),
        ({"db": db}, "\n# a comment\n\n"),
        ({"db": "no_such_db"}, "w v=1"),
        ({}, "w v=1"),
        ({"db": db, "rp": "no_such_rp"}, "w v=1"),
        ({"db": db, "consistency": "bogus"}, "w v=1"),
        ({"db": db, "consistency": "quorum"}, "w_c v=1 1"),
        ({"db": db}, "w_bad"),
        ({"db": db}, "w_bad v="),
        ({"db": db}, "w_bad v=1 12x"),
        ({"db": db}, "w_bad v=1 1.5"),
        ({"db": db}, "w_bad,t v=1"),
        ({"db": db}, 'w_bad v="unterminated'),
        ({"db": db}, "bad\nworse"),
        ({"db": db}, "w_part v=1 1\nbad line\nw_part2 v=x"),
        ({"db": db}, "w_conf v=1 1"),
        ({"db": db}, "w_conf v=2i 2"),
        ({"db": db}, "w_conf v=3i 3\nw_conf v=4 4"),
        ({"db": db}, "w_time time=1 1"),
        ({"db": db}, "w_time,time=1 v=1 1"),
        ({"db": db}, "w_time v=1,time=2 5"),
        ({"db": db}, "w_range v=1 99999999999999999999"),
        # influxd's order: the database, the body, lines that all fail to
        # parse, the consistency level, then the policy.
        ({"db": "no_such_db", "consistency": "bogus"}, "w v=1"),
        ({"db": db, "consistency": "bogus"}, "w_bad v="),
        ({"db": db, "consistency": "bogus"}, "w_bad v=\nw_bad2 v"),
        ({"db": db, "consistency": "bogus"}, "w_c v=1 1\nw_bad v="),
        ({"db": db, "consistency": "bogus"}, ""),
        ({"db": db, "consistency": "ONE"}, "w_c v=1 1"),
        ({"db": db, "consistency": "Quorum"}, "w_c v=1 1"),
        ({"db": db, "rp": "no_such_rp"}, "w_bad v="),
        ({"db": db, "rp": "no_such_rp"}, "w v=1 1\nw_bad v="),
        ({"db": db, "rp": "no_such_rp"}, ""),
        ({"db": db, "rp": "no_such_rp", "consistency": "bogus"}, "w_bad v="),
    ]


def test_write_answers_match_influxd(pair):
    """Status codes, JSON error bodies and X-Influxdb-Error, case by case."""
    for params, body in write_cases(pair[2]):
        expected, got = both(
            pair, "POST", "/write", params=params, content=body.encode()
        )
        try:
            assert_same(expected, got)
        except AssertionError as exc:
            raise AssertionError(f"{params} {body!r}: {exc}") from None


def test_gzip_bodies_are_read(pair):
    body = gzip.compress(b"w_gzip v=1 1000000000\nw_gzip v=2 2000000000")
    headers = {"Content-Encoding": "gzip"}
    params = {"db": pair[2]}
    expected, got = both(
        pair, "POST", "/write", params=params, content=body, headers=headers
    )
    assert_same(expected, got)
    assert got.status_code == 204


def test_a_missing_database_comes_before_a_broken_gzip_body(pair):
    headers = {"Content-Encoding": "gzip"}
    expected, got = both(
        pair, "POST", "/write", params={"db": "nope"}, content=b"xx", headers=headers
    )
    assert_same(expected, got)
    assert got.status_code == 404


def test_a_broken_gzip_body_is_refused(pair):
    body = gzip.compress(b"w_gzip v=1 1000000000")[:-6]
    headers = {"Content-Encoding": "gzip"}
    expected, got = both(
        pair, "POST", "/write", params={"db": pair[2]}, content=body, headers=headers
    )
    assert got.status_code == expected.status_code == 400
    assert "error" in got.json()


def test_a_body_over_25_mb_is_refused_with_413(pair):
    body = b"w_big v=1 1\n" * (25_000_000 // 12 + 1)
    expected, got = both(pair, "POST", "/write", params={"db": pair[2]}, content=body)
    assert_same(expected, got)
    assert got.status_code == 413


def read_ns(target: InfluxServer | Served, db: str, measurement: str) -> list[Any]:
    response = target.request(
        "GET",
        "/query",
        params={"db": db, "q": f'SELECT * FROM "{measurement}"', "epoch": "ns"},
    )
    return response.json()["results"][0].get("series", [])


@pytest.mark.parametrize("precision", ["n", "u", "ms", "s", "m", "h", "ns", "us", "x"])
def test_precision_scales_the_times_written(pair, precision):
    influxd, served, db = pair
    measurement = f"wp_{precision}"
    body = f"{measurement} v=1 5\n{measurement} v=2 -3\n{measurement} v=3 0".encode()
    params = {"db": db, "precision": precision}
    assert_same(*both(pair, "POST", "/write", params=params, content=body))
    assert read_ns(served, db, measurement) == read_ns(influxd, db, measurement)


@pytest.mark.parametrize(
    ("precision", "unit"),
    [("s", 10**9), ("ms", 10**6), ("m", 60 * 10**9), ("h", 3600 * 10**9)],
)
def test_a_point_without_time_gets_the_clock_truncated_to_the_precision(
    pair, precision, unit
):
    influxd, served, db = pair
    measurement = f"wnow_{precision}"
    params = {"db": db, "precision": precision}
    assert_same(
        *both(pair, "POST", "/write", params=params, content=f"{measurement} v=1")
    )
    for target in (influxd, served):
        [series] = read_ns(target, db, measurement)
        [[stamp, _value]] = series["values"]
        assert stamp % unit == 0


def test_a_write_reads_its_parameters_from_the_url_only(pair):
    """A form-encoded body is line protocol, not parameters."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = b"w_form,db=x v=1 1"
    params = {"db": pair[2]}
    assert_same(
        *both(pair, "POST", "/write", params=params, content=body, headers=headers)
    )
    assert_same(*both(pair, "POST", "/write", content=f"db={pair[2]}", headers=headers))


def test_a_body_cut_short_by_the_client_writes_nothing(pair):
    """A client gone before its body ended: neither server stores a point."""
    influxd, served, db = pair
    lines = b"w_cut v=1 1\nw_cut v=2 2\n"
    for target in (influxd, served):
        head = (
            f"POST /write?db={db} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Length: {len(lines) + 100}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", target.port), timeout=30) as sock:
            sock.sendall(head + lines)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
    for target in (influxd, served):
        assert read_ns(target, db, "w_cut") == []


def test_points_beyond_a_retention_policy_are_answered_as_influxd(pair):
    """400 ``partial write: points beyond retention policy dropped=N``."""
    db = pair[2]
    create = f'CREATE RETENTION POLICY "short" ON "{db}" DURATION 1h REPLICATION 1'
    for answer in both(pair, "POST", "/query", params={"q": create}):
        assert answer.status_code == 200, answer.text
    recent = time.time_ns()
    for body in (
        f"w_rp v=1 {recent}\nw_rp v=2 1000000000",
        "w_rp v=1 1000000000\nw_rp v=2 2000000000",
        f"w_rp v=1 {recent}\nw_rp v=\nw_rp v=3 1000000000",
    ):
        params = {"db": db, "rp": "short"}
        expected, got = both(pair, "POST", "/write", params=params, content=body)
        assert expected.status_code == 400, expected.text
        assert_same(expected, got)


def test_a_body_partly_over_stored_points_merges_as_influxd(pair):
    """New points are stored, points at a stored tag set and time merge fields.

    The second body mixes both kinds, with a repeated point of each kind
    (later values win), so the engine inserts some rows and merges others.
    """
    influxd, served, db = pair
    first = b"w_mix,h=a v=1,n=1i 10\nw_mix,h=b v=2 10\nw_mix,h=a v=3 20"
    second = (
        b'w_mix,h=a s="x" 10\nw_mix,h=c v=4 10\nw_mix,h=a v=5 30\n'
        b"w_mix,h=a v=6 30\nw_mix,h=b n=7i 10\nw_mix,h=b v=8 10\nw_mix v=9 20"
    )
    for body in (first, second):
        params = {"db": db}
        assert_same(*both(pair, "POST", "/write", params=params, content=body))
    assert read_ns(served, db, "w_mix") == read_ns(influxd, db, "w_mix")
    assert len(read_ns(served, db, "w_mix")[0]["values"]) == 6


def test_type_conflicts_in_created_shard_groups_are_answered_as_influxd(pair):
    """400 ``field type conflict`` (no ``partial write``, no count) when a
    body's points in a shard group it creates give a field two types: every
    point of the body there is refused, those in other groups are written.
    In a group that exists, only the points of the other type are dropped."""
    influxd, served, db = pair
    week = 7 * 86_400 * 10**9
    # Weeks of 1990, far from the other tests' points.
    a, b, c, d = (631_152_000 * 10**9 + n * week for n in (1, 3, 5, 7))
    bodies = [
        f"wsg_n v=1i {a}\nwsg_n v=2.5 {a + 1}\nwsg_o z=1 {a + 2}\nwsg_x y=2 {b}",
        f"wsg_n v=3i {a + 3}\nwsg_n v=4.5 {a + 4}",
        f"wsg_p v=1i {c}\nwsg_p v=2.5 {c + 1}\nnot a line\nwsg_x y=3 {b + 1}",
        # A conflict in an existing group and one in a created group are
        # sent apart: in one body, influxd writes the two groups at once and
        # answers whichever error comes first.
        f"wsg_f v=1i {b + 2}\nwsg_f v=2.5 {b + 3}",
        f"wsg_g v=1i {d}\nwsg_g v=true {d + 1}",
    ]
    for body in bodies:
        expected, got = both(pair, "POST", "/write", params={"db": db}, content=body)
        assert expected.status_code == 400, expected.text
        try:
            assert_same(expected, got)
        except AssertionError as exc:
            raise AssertionError(f"{body!r}: {exc}") from None
    for measurement in ("wsg_n", "wsg_o", "wsg_x", "wsg_p", "wsg_f", "wsg_g"):
        assert read_ns(served, db, measurement) == read_ns(influxd, db, measurement)
    assert read_ns(served, db, "wsg_n")[0]["values"] == [[a + 3, 3]]


def test_writes_to_a_missing_policy_are_answered_as_influxd(pair):
    """500 ``retention policy not found: <name>``: a policy the request
    names, or none after the database's default policy was dropped (after
    a body none of whose lines parse, refused first)."""
    db = f"serve_rp_{uuid.uuid4().hex[:8]}"
    setup = (
        f'CREATE DATABASE "{db}"',
        f'CREATE RETENTION POLICY "keep" ON "{db}" DURATION 0s REPLICATION 1',
        f'DROP RETENTION POLICY "autogen" ON "{db}"',
    )
    try:
        for text in setup:
            for answer in both(pair, "POST", "/query", params={"q": text}):
                assert answer.status_code == 200, answer.text
        for params in ({"db": db}, {"db": db, "rp": "autogen"}, {"db": db, "rp": "x"}):
            expected, got = both(
                pair, "POST", "/write", params=params, content=b"w_rp v=1 1"
            )
            assert expected.status_code == 500, expected.text
            assert_same(expected, got)
        # A body none of whose lines parse is refused before the policy.
        for params in ({"db": db}, {"db": db, "rp": "x"}):
            expected, got = both(
                pair, "POST", "/write", params=params, content=b"w_rp v=\nw x"
            )
            assert expected.status_code == 400, expected.text
            assert_same(expected, got)
        params = {"db": db, "rp": "keep"}
        assert_same(*both(pair, "POST", "/write", params=params, content=b"w v=1 1"))
    finally:
        both(pair, "POST", "/query", params={"q": f'DROP DATABASE "{db}"'})


def test_type_conflicts_among_fields_a_body_brings_are_answered_as_influxd(pair):
    """In a shard group that exists: one field the body brings (not stored
    yet) given two types drops the points of the other type and names that
    conflict before any other drop; two such fields refuse every point of
    the body in the group (400 ``field type conflict``). What else a body
    holds (lines that do not parse, a field or tag named ``time``, points
    beyond the retention policy) does not change the answer."""
    db = pair[2]
    create = f'CREATE RETENTION POLICY "hour" ON "{db}" DURATION 1h REPLICATION 1'
    for answer in both(pair, "POST", "/query", params={"q": create}):
        assert answer.status_code == 200, answer.text
    now = time.time_ns()
    old = 1_000_000_000
    bodies = [
        ({"db": db}, "wmx_x y=1 1"),
        ({"db": db}, "wmx_a v=1 1\nwmx_a v=2i 2\nnot a line\nwmx_a v=3 3"),
        ({"db": db}, "wmx_t time=1 5\nwmx_t v=1i 6\nwmx_t v=2.5 7"),
        ({"db": db}, "wmx_u,time=x v=1 5\nwmx_u w=1i 6\nwmx_u w=2.5 7"),
        ({"db": db}, "wmx_t v=2.5 8\nwmx_t w=1i 9\nwmx_t w=true 10"),
        ({"db": db}, "wmx_v v=1i 6\nwmx_v v=2.5 7\nwmx_v v=true 8\nwmx_v v=3i 9"),
        ({"db": db}, "wmx_b v=1i 1\nwmx_b v=2.5 2\nwmx_c v=1i 3\nwmx_c v=2.5 4"),
        ({"db": db}, "wmx_x q=1i 6\nwmx_x q=2.5 7\nwmx_x r=1i 8\nwmx_x r=true 9"),
        (
            {"db": db, "rp": "hour"},
            f"wmx_r v=1 {old}\nwmx_r v=1i {now}\nwmx_r v=2.5 {now + 1}",
        ),
        (
            {"db": db, "rp": "hour"},
            f"wmx_r v=1 {old}\nwmx_r w=1i {now + 2}\nwmx_r w=2.5 {now + 3}",
        ),
    ]
    for params, body in bodies:
        expected, got = both(pair, "POST", "/write", params=params, content=body)
        try:
            assert_same(expected, got)
        except AssertionError as exc:
            raise AssertionError(f"{params} {body!r}: {exc}") from None
    influxd, served = pair[0], pair[1]
    for measurement in ("wmx_a", "wmx_t", "wmx_u", "wmx_v", "wmx_b"):
        assert read_ns(served, db, measurement) == read_ns(influxd, db, measurement)
    # The quirk test_quirk_a_refused_write_leaves_its_new_fields_on_the_server
    # pins: influxd lists the fields of the refused points (q, r) as columns.
    [on_server] = read_ns(influxd, db, "wmx_x")
    assert on_server["columns"] == ["time", "q", "r", "y"]
    assert read_ns(served, db, "wmx_x")[0]["columns"] == ["time", "y"]


#: Values of each field type in line protocol.
_VALUES = {"float": "1.5", "integer": "2i", "string": '"x"', "boolean": "true"}


def _stored_cells(pair, measurement):
    """The non-null cells of the measurement's rows on both servers (the
    columns of null the server lists for fields of refused points left
    out: a README quirk)."""
    db = pair[2]
    params = {"db": db, "q": f'SELECT * FROM "{measurement}"', "epoch": "ns"}
    cells = []
    for answer in both(pair, "POST", "/query", params=params):
        series = answer.json()["results"][0].get("series", [])
        cells.append(
            sorted(
                sorted(
                    (c, v)
                    for c, v in zip(s["columns"], row, strict=True)
                    if v is not None
                )
                for s in series
                for row in s["values"]
            )
        )
    return cells


@pytest.mark.parametrize("seed", range(4))
def test_random_requests_with_fields_of_several_types_are_answered_as_influxd(
    pair, seed
):
    """Requests of a few points giving fields several types (beside a stored
    field, in one shard group that exists, a measurement of their own each):
    the same answer (status, reason, ``dropped=`` count) and the same points
    stored, as the storage's checks decide them (``type_conflicts``)."""
    rng = random.Random(seed)
    db = pair[2]
    for n in range(12):
        measurement = f"rq{seed}_{n}"
        setup = f"{measurement} s=1.5 1"
        for answer in both(pair, "POST", "/write", params={"db": db}, content=setup):
            assert answer.status_code == 204, answer.text
        lines = []
        for i in range(rng.randint(2, 7)):
            keys = rng.sample(["f", "g", "h", "s"], rng.randint(1, 3))
            fields = ",".join(
                f"{key}={_VALUES[rng.choice(list(_VALUES))]}" for key in keys
            )
            lines.append(f"{measurement} {fields} {10 + i}")
        body = "\n".join(lines)
        expected, got = both(pair, "POST", "/write", params={"db": db}, content=body)
        try:
            assert_same(expected, got)
            server, engine = _stored_cells(pair, measurement)
            assert engine == server
        except AssertionError as exc:
            raise AssertionError(f"{body!r}: {exc}") from None
