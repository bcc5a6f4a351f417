"""Regular expressions in InfluxQL text: refused at parse time as influxd refuses them.

influxd 1.6.7 compiles each ``/…/`` with Go's ``regexp`` while parsing and
answers ``error parsing regexp: <what>: `<text>` ``; the parser gives the
same message at the same position, and takes every pattern Go takes.
"""

from __future__ import annotations

import pytest

from _influxd import InfluxServer
from influxpy.exceptions import InfluxQLParseError
from influxpy.influxql import parse
from influxpy.influxql.regex import go_search, regex_error

BAD_PATTERNS = [
    "a(",
    "a)",
    "a[",
    "[a",
    "*a",
    "a|*",
    "a**",
    "a++",
    "x{2}{3}",
    "a{2}*",
    "a{2,1}",
    "x{1001}",
    "(?<n>a)",
    "(?=a)",
    "(?P=n)",
    "(?#c)",
    "(?i",
    "(?z)a",
    "\\1",
    "\\8",
    "\\C",
    "[\\C]",
    "\\Z",
    "\\e",
    "\\G",
    "\\cA",
    "\\x{110000}",
    "\\p{Foo}",
    "[[:foo:]]",
    "[z-a]",
]

GOOD_PATTERNS = [
    "^a.b$",
    "(?P<n>a)",
    "(?i)A",
    "(?U)a+",
    "\\z",
    "\\A\\b\\B",
    "\\pN",
    "\\Q(\\C\\E",
    "a{,3}",
    "(|a)",
    "[\\d-z]",
    "a{1000}",
    "\\x{10FFFF}",
]


def server_error(server: InfluxServer, text: str) -> str:
    response = server.request("POST", "/query", data={"q": text})
    assert response.status_code == 400, response.text
    message: str = response.json()["error"]
    return message


@pytest.mark.parametrize("pattern", BAD_PATTERNS)
def test_a_bad_pattern_reads_as_influxds_error(
    influx_server: InfluxServer, pattern: str
) -> None:
    text = f"SELECT f FROM m WHERE t =~ /{pattern}/"
    with pytest.raises(InfluxQLParseError) as caught:
        parse(text)
    assert str(caught.value) == server_error(influx_server, text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT /a(/ FROM m",
        "SELECT f FROM /a(/",
        "SELECT f FROM m GROUP BY /a(/",
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /a(/",
        "SELECT f FROM m WHERE t !~ /x{2}{3}/ AND x",
        "SELECT f FROM m WHERE t =~ /a/ OR\n u =~ /(?=a)/",
    ],
)
def test_every_place_of_a_regex_is_checked(
    influx_server: InfluxServer, text: str
) -> None:
    with pytest.raises(InfluxQLParseError) as caught:
        parse(text)
    assert str(caught.value) == server_error(influx_server, text)


@pytest.mark.parametrize("pattern", GOOD_PATTERNS)
def test_a_pattern_go_compiles_is_taken(
    influx_server: InfluxServer, pattern: str
) -> None:
    text = f"SELECT f FROM m WHERE t =~ /{pattern}/"
    response = influx_server.request("POST", "/query", data={"q": text, "db": "x"})
    assert "error parsing" not in response.text
    assert regex_error(pattern) is None
    parse(text)


# -- matching in Python, as RE2 matches --------------------------------------------

SEARCH_PATTERNS = [
    "^cpu$",
    "a$",
    "^a.b$",
    "\\d+",
    "\\D",
    "\\w+\\z",
    "\\s",
    "[[:alpha:]]+$",
    "[[:digit:][:upper:]]",
    "[^[:lower:]]",
    "\\Q.*\\E",
    "\\x{e9}",
    "(?U)a+",
    "(?i)CPU",
    "(?i:C)pu",
    "\\bcpu\\b",
    "\\pL",
    "[\\d-]",
    "[]a]",
    "[a[]",
    "(?s)a.b",
    "(?m)^b$",
]
SEARCH_TEXTS = [
    "cpu",
    "CPU",
    "a\n",
    "ab",
    "a.b",
    "a\nb",
    "é1",
    "٣",
    ".*x",
    "x_y z",
    "]",
    "[",
]


def _re2(pattern: str, text: str) -> bool:
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute("SELECT regexp_matches(?, ?)", [text, pattern]).fetchall()
    return bool(rows[0][0])


@pytest.mark.parametrize("pattern", SEARCH_PATTERNS)
def test_go_search_answers_as_re2(pattern: str) -> None:
    """Python's re, after translation (or RE2 itself where it cannot say
    the same), finds what RE2 finds: Go's $ is the end of the text only,
    its \\d, \\w and \\s are ASCII, POSIX classes, \\Q…\\E, \\x{…}, \\z."""
    assert regex_error(pattern) is None
    for text in SEARCH_TEXTS:
        assert go_search(pattern, text) == _re2(pattern, text), (pattern, text)
