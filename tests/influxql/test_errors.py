"""Syntax errors read exactly as influxd 1.6.7's.

Every statement below is sent to the real server and to the parser; both
must refuse it with the same message (``error parsing query: found X,
expected Y at line L, char C`` and the other texts of influxd's parser),
positions included. Statements the parser reads but the representation
cannot hold are refused with ``UnsupportedCompilation`` naming them.
"""

from __future__ import annotations

import pytest

from _influxd import InfluxServer
from influxpy.exceptions import InfluxQLParseError, UnsupportedCompilation
from influxpy.influxql import parse, parse_statement

BAD = [
    # statement keywords
    "SELEC * FROM m",
    "SHOW",
    "SHOW FOO",
    "SHOW TAG",
    "SHOW RETENTION",
    "CREATE",
    "DROP",
    "EXPLAIN SHOW DATABASES",
    # the select list
    "SELECT",
    "SELECT v, FROM m",
    "SELECT and FROM m",
    "SELECT v AS FROM m",
    "SELECT v = 1 FROM m",
    "SELECT v::foo FROM m",
    "SELECT *::foo FROM m",
    "SELECT DISTINCT FROM m",
    "SELECT mean(v FROM m",
    "SELECT (v FROM m",
    "SELECT mean (v) FROM m",
    "SELECT 1.5e3 FROM m",
    "SELECT 'abc FROM m",
    'SELECT "a\\qb" FROM m',
    # sources
    "SELECT * FROM",
    "SELECT * m",
    "SELECT v FROM 'm'",
    "SELECT v FROM a.b.c.d",
    "SELECT v FROM /a",
    # WHERE
    "SELECT * FROM m WHERE",
    "SELECT * FROM m WHERE x = ",
    "SELECT v FROM m WHERE\n x = ",
    "SELECT v FROM m WHERE x =~ 'a'",
    "SELECT v FROM m WHERE x =~ /a",
    "SELECT v FROM m WHERE NOT x = 1",
    "SELECT v FROM m WHERE v ! 1",
    "SELECT v FROM m WHERE v = 1 AND",
    "SELECT v FROM m WHERE time > now() - 2x",
    "SELECT v FROM m WHERE $x = 1",
    # GROUP BY, fill, ORDER BY, limits, tz
    # a gap after a regex dimension ends the list, read there for its comma
    "SELECT count(v) FROM m GROUP BY /r/ , host",
    "SELECT count(v) FROM m GROUP BY /r/\t,host",
    "SELECT count(v) FROM m GROUP BY host , /r/ , time(10s)",
    "SELECT count(v) FROM m GROUP BY /r/ /* c */, host",
    "SELECT count(v) FROM m GROUP BY /r/ ,",
    "SELECT * FROM m GROUP time(1m)",
    "SELECT v FROM m GROUP BY",
    "SELECT v FROM m GROUP BY time(1m) fill(foo)",
    "SELECT v FROM m GROUP BY time(1m) fill",
    "SELECT * FROM m ORDER time",
    "SELECT * FROM m ORDER BY 5",
    "SELECT * FROM m ORDER BY v",
    "SELECT * FROM m LIMIT x",
    "SELECT v FROM m LIMIT -1",
    "SELECT * FROM m LIMIT 1 SLIMIT x",
    "SELECT * FROM m SLIMIT 1 LIMIT 1",
    "SELECT v FROM m tz('Nope/Zone')",
    "SELECT v FROM m tz(5)",
    "SELECT v FROM m INTO x",
    # several statements
    "SELECT v FROM m; SELECT",
    "SELECT v FROM m SELECT v FROM m",
    # SHOW
    "SHOW TAG VALUES FROM m",
    "SHOW TAG VALUES WITH KEY",
    "SHOW TAG VALUES WITH KEY > x",
    "SHOW TAG VALUES WITH KEY IN a",
    "SHOW MEASUREMENTS WITH MEASUREMENT > x",
    "SHOW RETENTION POLICIES ON",
    # databases, retention policies, continuous queries
    "CREATE DATABASE",
    "CREATE DATABASE d WITH",
    "CREATE DATABASE d WITH DURATION x",
    "CREATE RETENTION POLICY r ON d",
    "CREATE RETENTION POLICY r ON d DURATION 1h",
    "CREATE RETENTION POLICY r ON d DURATION 1h REPLICATION 0",
    "CREATE RETENTION POLICY r ON d DURATION 1h REPLICATION 1 SHARD DURATION INF",
    "ALTER RETENTION POLICY r ON d",
    "ALTER RETENTION POLICY r ON d DEFAULT DEFAULT",
    "CREATE CONTINUOUS QUERY c ON d BEGIN SELECT mean(v) FROM m GROUP BY time(1m) END",
    "CREATE CONTINUOUS QUERY c ON d BEGIN SELECT mean(v) INTO x FROM m END",
    (
        "CREATE CONTINUOUS QUERY c ON d RESAMPLE BEGIN SELECT mean(v) INTO x FROM m "
        "GROUP BY time(1m) END"
    ),
    (
        "CREATE CONTINUOUS QUERY c ON d BEGIN SELECT mean(v) INTO x FROM m "
        "GROUP BY time(1m)"
    ),
    # more of the same, after influxd's scanner
    "SELECT max(v) FROM m GROUP BY time(1d) fill(Previous)",
    "SELECT v FROM m GROUP BY time(1M)",
    "SHOW TAG KEYS WITH KEY = a",
    "SHOW FIELD KEYS WHERE a = 'b'",
    "SELECT * FROM m GROUP BY time(1m) fill(1) fill(2)",
    'SELECT v FROM m WHERE host = $"x',
    "SELECT v FROM m WHERE host = 'a",
    "SELECT v FROM m WHERE host = 'a\\qb'",
    "SELECT v INTO db.rp.: FROM m",
    "SELECT v INTO db.rp.:MEAS FROM m",
    "SELECT top(v,) FROM m",
    "SELECT v FROM m ORDER BY time DESC, host",
    "SELECT v FROM m tz('UTC') LIMIT 1",
    "SELECT v FROM m -- comment\n WHERE",
    "SELECT v FROM m WHERE v > -'a'",
    "SELECT café FROM m",
    "SELECT v FROM m WHERE time > 1.5h",
    "SELECT v FROM m WHERE time > 1y",
    "SELECT v FROM m SOFFSET 1 OFFSET 1",
    "SELECT v::field::tag FROM m",
    "SELECT v FROM (SHOW DATABASES)",
    "SELECT v FROM (SELECT v FROM m",
    "SELECT\tv\nFROM\n\nm\nWHERE x =",
    "DROP CONTINUOUS QUERY c",
    "ALTER RETENTION POLICY ON d DEFAULT",
    "SHOW TAG VALUES WITH KEY =~ x",
    "EXPLAIN ANALYZE",
    # the end of the text: influxd trims it first, then counts the end by
    # what it read last (a word, a comment, a look for a regex)
    "SELECT ",
    "SELECT   ",
    "SELECT * FROM m WHERE\n  ",
    "   SELECT   ",
    "\n\n SELEC * FROM m",
    "SELECT v FROM m WHERE x =   ",
    "SELECT v FROM m WHERE x = 'a' AND   ",
    "SELECT v FROM m WHERE x = -- c",
    "SELECT v FROM m WHERE -- c\n  ",
    "SELECT v FROM m WHERE /* c */  ",
    "SELECT v FROM m WHERE x = 1 AND /* c */",
    "SELECT v FROM m WHERE x =~ ",
    "SELECT count(",
    "SELECT count(v,",
    "SELECT v FROM m GROUP BY time(1m),",
    "SELECT v FROM m; SELECT   ",
    # where a regex may start, /* opens a regex, not a comment
    "SELECT * FROM m WHERE x =~ /* c */ /a/",
    "SELECT v FROM m WHERE x =~/* c */ /a/ AND y = 1",
    "SELECT /* c */ v FROM m",
    "SELECT v FROM /* c */ m",
    "SELECT count(/* c */ v) FROM m",
    "SELECT v FROM m GROUP BY /* c */ h",
    "SHOW TAG VALUES WITH KEY =~ /* c */ /a/",
    "SELECT * FROM m WHERE x =~ -- c\n /a/",
    "SELECT -- c\n /a/ FROM m",
    # a dot at the very end: influxd peeks past it, one char further
    "SELECT v FROM d.",
    "SELECT v FROM d.autogen.",
    'SELECT v FROM "d".',
    "SELECT v FROM (SELECT v FROM d.",
    "SELECT d.",
    "SELECT v INTO d.",
    "SHOW TAG KEYS FROM d.",
    "SELECT v FROM d. ",
    "SELECT v FROM d..",
    # :MEASUREMENT only after a dot
    "SELECT v INTO cp_:MEASUREMENT FROM m",
    'SELECT v INTO "cp_":MEASUREMENT FROM m',
    # deleting
    "DROP SERIES",
    "DROP SERIES FROM db.rp.m",
    "DROP MEASUREMENT",
    "DELETE",
    "DELETE FROM db.rp.m",
]


def server_error(server: InfluxServer, text: str) -> str:
    """influxd's message for *text*, which it must refuse as a whole."""
    response = server.request("POST", "/query", data={"q": text})
    assert response.status_code == 400, response.text
    message: str = response.json()["error"]
    return message


def test_enough_statements() -> None:
    assert len(BAD) >= 30


@pytest.mark.parametrize("text", BAD)
def test_parse_error_reads_as_influxd(influx_server: InfluxServer, text: str) -> None:
    expected = server_error(influx_server, text)
    assert expected.startswith("error parsing query: ")
    with pytest.raises(InfluxQLParseError) as caught:
        parse(text)
    assert str(caught.value) == expected


def test_syntax_errors_come_first(influx_server: InfluxServer) -> None:
    # influxd parses the whole text before it runs anything.
    text = "SHOW USERS; SELEC"
    with pytest.raises(InfluxQLParseError) as caught:
        parse(text)
    assert str(caught.value) == server_error(influx_server, text)


def test_parse_statement_takes_one(influx_server: InfluxServer) -> None:
    text = "SHOW DATABASES SHOW DATABASES"
    with pytest.raises(InfluxQLParseError) as caught:
        parse_statement(text)
    assert str(caught.value) == server_error(influx_server, text)
    assert len(parse("SHOW DATABASES; SHOW DATABASES;")) == 2
    assert parse("") == []


UNSUPPORTED = [
    ("SHOW SERIES CARDINALITY GROUP BY k", "GROUP BY in SHOW SERIES CARDINALITY"),
    ("DELETE FROM a, b", "DELETE from several sources"),
    ("SELECT v FROM m WHERE v + 1 =~ /a/", "A regex match on CombinedExpression"),
    ("SELECT v FROM m WHERE abs(v) =~ /a/", "A regex match on Abs"),
    ("SHOW SERIES WHERE v + 1 = now()", "A comparison of now() with an expression"),
    ("SELECT v FROM m WHERE time + 1s > 2s", "A condition on time inside arithmetic"),
]


@pytest.mark.parametrize(("text", "construct"), UNSUPPORTED)
def test_unsupported_statements_are_named(text: str, construct: str) -> None:
    with pytest.raises(UnsupportedCompilation) as caught:
        parse(text)
    assert construct in str(caught.value)
