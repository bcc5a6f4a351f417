"""The fast line-protocol reader (``influxpy.lineprotocol.reader``).

Pure tests read bodies and compare the vectorised path with the exact
scanner, ``parse_line`` and ``encode_point``; the server tests compare the
refused lines' texts with what InfluxDB 1.6.7 answers for the same lines.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _influxd import InfluxServer
from influxpy.lineprotocol import encode_point, parse_line
from influxpy.lineprotocol.reader import MIXED, ReadResult, read_body
from influxpy.lineprotocol.scanner import LineError, scan_point, split_lines
from test_lineprotocol_server import _examples

NOW = 1_700_000_000_123_456_789
Points = dict[int, tuple[str, dict[str, str], dict[str, Any], int]]


def points_of(result: ReadResult) -> Points:
    """``{line number: (measurement, tags, fields, time)}`` of what was read."""
    out: Points = {}
    for columns in result.columns:
        tags = {k: v.to_pylist() for k, v in columns.tags.items()}
        fields = {
            k: values if kind == MIXED else values.to_pylist()
            for k, (kind, values) in columns.fields.items()
        }
        for i, number in enumerate(columns.line_numbers.tolist()):
            out[number] = (
                columns.measurement,
                {k: v[i] for k, v in tags.items() if v[i]},
                {k: v[i] for k, v in fields.items() if v[i] is not None},
                int(columns.times[i]),
            )
    return out


def expected_of(body: str, multiplier: int = 1) -> tuple[Points, list[tuple[int, str]]]:
    """The points and refusals of *body*, line by line with the exact scanner."""
    points: Points = {}
    refused: list[tuple[int, str]] = []
    for number, line in split_lines(body):
        stripped = line.lstrip(" \t\x00")
        if not stripped or stripped[0] == "#":
            continue
        try:
            point = scan_point(stripped, multiplier, NOW - NOW % multiplier)
        except LineError as error:
            refused.append((number, f"unable to parse '{stripped}': {error}"))
            continue
        measurement, tags, fields, time_ns = point
        if "time" in tags or set(fields) == {"time"}:
            continue
        fields.pop("time", None)
        points[number] = (measurement, tags, fields, time_ns)
    return points, refused


def refusals(result: ReadResult) -> list[tuple[int, str]]:
    return [(r.line_number, r.error) for r in result.rejected]


# -- pure ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("m f=1 5", ("m", {}, {"f": 1.0}, 5)),
        ("m f=1i", ("m", {}, {"f": 1}, NOW)),
        (
            r'cpu\ load,a\,b=c\=d,e=f g\ h=t,s="x \"y\" \\",n=-3i -7',
            (
                "cpu load",
                {"a,b": "c=d", "e": "f"},
                {"g h": True, "s": 'x "y" \\', "n": -3},
                -7,
            ),
        ),
        (
            "m a=T,b=False,c=f,d=1e-300",
            ("m", {}, {"a": True, "b": False, "c": False, "d": 1e-300}, NOW),
        ),
        ("cpu,z=1,a=2 v=1,v=2i 3", ("cpu", {"a": "2", "z": "1"}, {"v": 2}, 3)),
    ],
)
def test_the_reader_reads_the_parsers_lines(
    line: str, expected: tuple[Any, ...]
) -> None:
    """The lines ``parse_line`` reads, read alike (a missing time is now)."""
    result = read_body(line, now_ns=NOW)
    assert points_of(result) == {1: expected}
    if expected[3] != NOW:
        assert parse_line(line)[:3] == expected[:3]


def test_line_numbers_count_blank_lines_comments_and_quoted_newlines() -> None:
    body = 'm v=1 1\n\n# a comment\nm s="two\nlines" 2\n  m v=3 3\nm v=oops 4\nm v=5 5'
    result = read_body(body.encode())
    assert sorted(points_of(result)) == [1, 4, 6, 8]
    assert points_of(result)[4][2] == {"s": "two\nlines"}
    assert refusals(result) == [(7, "unable to parse 'm v=oops 4': invalid boolean")]


@pytest.mark.parametrize(
    ("precision", "multiplier"),
    [
        (None, 1),
        ("n", 1),
        ("u", 1_000),
        ("ms", 1_000_000),
        ("s", 10**9),
        ("m", 60 * 10**9),
        ("h", 3600 * 10**9),
        ("us", 1),  # 1.6.7 reads an unknown precision as nanoseconds
    ],
)
def test_precision_scales_times_and_truncates_now(
    precision: str | None, multiplier: int
) -> None:
    result = read_body("m v=1 2\nm v=2", precision, now_ns=NOW)
    assert [p[3] for p in points_of(result).values()] == [
        2 * multiplier,
        NOW - NOW % multiplier,
    ]


def test_a_time_beyond_the_range_after_precision_is_refused() -> None:
    result = read_body("m v=1 9223372037\nm v=1 9223372036", "s")
    assert refusals(result) == [
        (
            1,
            (
                "unable to parse 'm v=1 9223372037': time outside range "
                "-9223372036854775806 - 9223372036854775806"
            ),
        )
    ]
    assert points_of(result)[2][3] == 9223372036 * 10**9


def test_fields_of_several_types_in_one_body_are_mixed() -> None:
    result = read_body("m v=1i 1\nm v=2.5 2\nm v=t 3")
    (columns,) = result.columns
    assert columns.fields["v"] == (MIXED, [1, 2.5, True])


_ONE_OF_EACH = [("1i", 1), ("2.5", 2.5), ("t", True), ('"x"', "x"), ("3e2", 300.0)]


@pytest.mark.parametrize("first", range(len(_ONE_OF_EACH)))
@pytest.mark.parametrize("other", range(len(_ONE_OF_EACH)))
def test_a_field_reads_whatever_type_its_first_value_has(
    first: int, other: int
) -> None:
    """The reader guesses a field's type from its first value: a later value
    of another type makes it mixed, and the same type keeps it whole."""
    (text1, value1), (text2, value2) = _ONE_OF_EACH[first], _ONE_OF_EACH[other]
    body = f"m v={text1} 1\nm v={text2} 2\nm v={text1} 3\nn w=1e400 4"
    result = read_body(body)
    (columns,) = result.columns
    kind, values = columns.fields["v"]
    listed = values if kind == MIXED else values.to_pylist()
    assert listed == [value1, value2, value1]
    assert (kind == MIXED) == (type(value1) is not type(value2))
    assert refusals(result) == [(4, "unable to parse 'n w=1e400 4': invalid float")]


_TOKENS = [
    "m",
    "cpu",
    "time",
    ",",
    ",",
    "=",
    "=",
    " ",
    " ",
    "  ",
    "a",
    "b",
    "host",
    "1",
    "2",
    "-",
    ".",
    "e",
    "E",
    "i",
    "u",
    "t",
    "T",
    "true",
    "FALSE",
    "f",
    "x",
    '"',
    "\\",
    "#",
    "\t",
    "9" * 19,
    "\r",
    "\n",
    "+",
    "NaN",
]
_lines = st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join)


@st.composite
def _plausible(draw: st.DrawFn) -> str:
    """A line that is usually valid, to exercise the vectorised path."""
    name = draw(st.sampled_from(["cpu", "mem", "time"]))
    tags = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["host", "dc", "time", "a"]),
                st.sampled_from(["x", "y", "1", "a=b"]),
            ),
            max_size=3,
        )
    )
    values = st.one_of(
        st.integers(-(2**63), 2**63 - 1).map(lambda v: f"{v}i"),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(["t", "True", "FALSE", "1e400", "01", ".5", "1.", "-0"]),
        st.sampled_from(['"s"', "1x", "", "99999999999999999999i"]),
    )
    fields = draw(
        st.lists(
            st.tuples(st.sampled_from(["v", "w", "time", "n"]), values),
            min_size=1,
            max_size=3,
        )
    )
    stamp = draw(
        st.one_of(
            st.just(""),
            st.integers(-(2**63), 2**63 - 1).map(lambda t: f" {t}"),
            st.integers(0, 2 * 10**18).map(lambda t: f" {t}"),
        )
    )
    series = ",".join([name, *(f"{k}={v}" for k, v in tags)])
    return f"{series} {','.join(f'{k}={v}' for k, v in fields)}{stamp}"


_UNIFORM_VALUES = st.sampled_from(
    [
        "1",
        "2i",
        "t",
        "FALSE",
        "1e400",
        "-.5",
        "99999999999999999999i",
        "x",
        '"s"',
        '""',
        '"a b"',
        '"open',
        'x"',
        '"a,b"',
        '"é"',
    ]
)


@st.composite
def _uniform(draw: st.DrawFn) -> list[str]:
    """Lines with the same field keys (the reader's shortcut), some broken."""
    keys = draw(st.lists(st.sampled_from(["a", "b", "ab", "time"]), min_size=1))
    lines = []
    for i in range(draw(st.integers(1, 6))):
        tags = draw(st.sampled_from(["", ",h=1", ",h=2,z=3", ",time=1", ",h=1,h=2"]))
        fields = ",".join(f"{k}={draw(_UNIFORM_VALUES)}" for k in keys[:3])
        stamp = draw(st.sampled_from(["", f" {i}", " 9223372036854775807", " -5"]))
        lines.append(f"m{tags} {fields}{stamp}")
    return lines


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.one_of(_uniform(), st.lists(st.one_of(_plausible(), _lines), max_size=12)),
    precision=st.sampled_from([None, "s", "ms", "h"]),
)
def test_the_vectorised_path_reads_as_the_exact_scanner(
    lines: list[str], precision: str | None
) -> None:
    """Every body reads as InfluxDB's scanner, line by line, reads it."""
    body = "\n".join(lines)
    multiplier = {None: 1, "s": 10**9, "ms": 10**6, "h": 3600 * 10**9}[precision]
    result = read_body(body, precision, now_ns=NOW)
    points, refused = expected_of(body, multiplier)
    assert points_of(result) == points
    assert refusals(result) == refused


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(example=_examples())
def test_the_reader_reads_back_what_encode_point_writes(example: Any) -> None:
    measurement, points = example
    lines = [encode_point(measurement, p.fields, p.tags, p.time_ns) for p in points]
    result = read_body("\n".join(lines))
    expected = {}
    number = 1
    for line, p in zip(lines, points, strict=True):
        expected[number] = (
            measurement,
            {k: v for k, v in p.tags.items() if v not in (None, "")},
            {k: v for k, v in p.fields.items() if v is not None},
            p.time_ns,
        )
        number += line.count("\n") + 1  # a newline inside a string value
    assert refusals(result) == []
    # Duplicates of a point are separate rows here; the store merges them.
    assert points_of(result) == expected


# -- against the server ----------------------------------------------------------

_BAD_LINES = [
    "m",
    "m ",
    "m,",
    ",a=1 v=1",
    "m,a v=1",
    "m,a= v=1",
    "m,=1 v=1",
    "m,a=1,a=2 v=1",
    "m,b=1,a=2,b=3 v=1",
    "m v",
    "m v=",
    "m =1",
    "m v=1,",
    "m v=+1",
    "m v=1x",
    "m v=tRUE",
    "m v=1e400",
    "m v=99999999999999999999i",
    "m v=9223372036854775808i",
    "m v=1u",
    "m v=1 1.5",
    "m v=1 12a",
    "m v=1 99999999999999999999",
    "m v=1 1 x",
    'm v="abc',
    "m v=1\r",
    "m v=0x10",
    "m v=1.5i",
    "m v=NaN",
    "m v=-",
    "m v=.",
    "m v=1e",
    "m v=1.2.3",
    "m v=--1",
    "m,a=b=c v=1",
    "m\tv=1",
    "m v=1 -",
    "m v=1 1-",
    "m v=1e5i",
    "m v=1ii",
    "m v=i",
    "m v=-i",
    "m v=truex",
    "m v=fALSE",
    "m v=1,,w=2",
    "m v=1,w=",
    "m,a=1, v=1",
    "m, v=1",
    "m,a=1 ,v=1",
    "m v=1e+",
    "m v=nan",
    "m v=n",
    "m v=1N",
    "m,t=a\\ v=1",
    "m v=1 9223372036854775807",
    # A value holding '=' and a key without one (influxdb's points_test.go).
    'm f="blah"=123,r 1531703600000000000',
    'm f="a"b=1,r',
    'm a=1,f="x"=2,r=',
]


def _server_error(server: InfluxServer, database: str, body: str) -> str:
    response = httpx.post(
        f"{server.http_url}/write", params={"db": database}, content=body.encode()
    )
    assert response.status_code == 400, (body, response.status_code)
    return str(response.json()["error"])


def test_refused_lines_read_as_the_servers_errors(
    influx_server: InfluxServer, database: str
) -> None:
    """Each bad line alone: the reader's text is the server's, word for word."""
    for line in _BAD_LINES:
        expected = _server_error(influx_server, database, line)
        assert [r.error for r in read_body(line).rejected] == [expected], line


def test_a_body_of_bad_lines_joins_the_errors_in_order(
    influx_server: InfluxServer, database: str
) -> None:
    body = "\n".join(["m v=1x", "", "m,", "# note", "m v=tRUE 1"])
    expected = _server_error(influx_server, database, body)
    assert "\n".join(r.error for r in read_body(body).rejected) == expected
