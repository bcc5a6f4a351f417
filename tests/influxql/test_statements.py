"""Text only InfluxQL can say: each statement and the representation it reads as.

Each statement is parsed and compared with the representation written out
by hand; where the representation is a ``Query`` or a ``Delete``, its
InfluxQL (``str()``) is compared with the text expected back, and that
text parses to the same representation again.
"""

from __future__ import annotations

from typing import Any

import pytest

from _influxd import InfluxServer
from influxpy.durations import Day, Hour, Minute, Second, Week
from influxpy.expressions import (
    Col,
    ColumnPattern,
    CombinedExpression,
    Now,
    Star,
    TimeValue,
    Value,
    WhereNode,
)
from influxpy.functions import (
    Atan2,
    Count,
    Derivative,
    Distinct,
    ExponentialMovingAverage,
    HoltWinters,
    Max,
    Mean,
    Percentile,
    Top,
)
from influxpy.influxql import parse, parse_statement
from influxpy.lookups import (
    Exact,
    ExpressionLookup,
    GreaterThan,
    In,
    NotEqual,
    Regex,
    TimeGreaterThan,
    TimeGreaterThanOrEqual,
    TimeLessThan,
)
from influxpy.query import Delete, Fill, GroupByTime, Query, SelectItem, Source
from influxpy.retention import RetentionPolicy
from influxpy.statements import (
    AlterRetentionPolicy,
    CreateContinuousQuery,
    CreateDatabase,
    CreateRetentionPolicy,
    DropContinuousQuery,
    DropDatabase,
    DropMeasurement,
    DropRetentionPolicy,
    DropSeries,
    Explain,
    KeyMatch,
    ShowContinuousQueries,
    ShowDatabases,
    ShowFieldKeys,
    ShowMeasurements,
    ShowRetentionPolicies,
    ShowSeries,
    ShowTagKeys,
    ShowTagValues,
)

H = 3_600_000_000_000
T2020 = 1_577_836_800_000_000_000
TIME = Col("time", "time")


def u(key: str) -> Col:
    """A name the text does not say is a field or a tag."""
    return Col(key, "unknown")


def where(*children: Any, connector: str = "AND") -> WhereNode:
    return WhereNode(connector, children)


M = Source("m")
plus_one = CombinedExpression(u("v"), "+", Value(1))

SELECTS: list[tuple[str, Query, str]] = [
    (
        "select * from m",
        Query(M),
        'SELECT * FROM "m"',
    ),
    (
        (
            'SELECT mean("v") AS m, MAX(v) FROM "db"."rp"."cpu" '
            "WHERE time > now() - 1h GROUP BY time(5m, 1m), host fill(none) "
            "ORDER BY time DESC LIMIT 3 OFFSET 2 SLIMIT 1 SOFFSET 1 tz('Europe/Paris')"
        ),
        Query(
            Source("cpu", "db", "rp"),
            (SelectItem(Mean(u("v")), "m"), SelectItem(Max(u("v")))),
            where(TimeGreaterThan(TIME, Now(-H))),
            GroupByTime(Minute(5), Minute(1)),
            ("host",),
            Fill("none"),
            descending=True,
            limit=3,
            offset=2,
            series_limit=1,
            series_offset=1,
            timezone="Europe/Paris",
        ),
        (
            'SELECT mean("v") AS "m", max("v") FROM "db"."rp"."cpu" WHERE time > '
            'now() - 1h GROUP BY time(5m, 1m), "host" fill(none) ORDER BY time DESC '
            "LIMIT 3 OFFSET 2 SLIMIT 1 SOFFSET 1 tz('Europe/Paris')"
        ),
    ),
    (
        # Several sources, a regex source, db..m; * beside columns and casts.
        "SELECT *, v::float, host::tag, *::field, /^f/ FROM a, db..b, rp./^c/",
        Query(
            Source("a"),
            (
                SelectItem(Star()),
                SelectItem(Col("v", "field", "float", cast="float")),
                SelectItem(Col("host", "tag", cast="tag")),
                SelectItem(Star("field")),
                SelectItem(ColumnPattern("^f")),
            ),
            extra_sources=(Source("b", "db"), Source("^c", None, "rp", regex=True)),
        ),
        (
            'SELECT *, "v"::float, "host"::tag, *::field, /^f/ FROM "a", "db".."b", '
            '"rp"./^c/'
        ),
    ),
    (
        # Regex escaping: \/ is a slash; other escapes pass to RE2.
        r"SELECT v FROM m WHERE host =~ /a\/b\d/ AND s !~ /x/ GROUP BY /^t/, *",
        Query(
            M,
            (SelectItem(u("v")),),
            where(Regex(u("host"), r"a/b\d"), Regex(u("s"), "x", negated=True)),
            group_by=("*",),
            group_by_patterns=("^t",),
        ),
        r'SELECT "v" FROM "m" WHERE "host" =~ /a\/b\d/ AND "s" !~ /x/ GROUP BY *, /^t/',
    ),
    (
        # Precedence: AND binds tighter than OR; a literal on the left flips.
        "SELECT v FROM m WHERE host = 'a' OR host <> 'b' AND 2 < v",
        Query(
            M,
            (SelectItem(u("v")),),
            where(
                Exact(u("host"), "a"),
                where(
                    NotEqual(u("host"), "b"),
                    GreaterThan(u("v"), 2),
                ),
                connector="OR",
            ),
        ),
        'SELECT "v" FROM "m" WHERE "host" = \'a\' OR ("host" != \'b\' AND "v" > 2)',
    ),
    (
        # A comparison whose left side is arithmetic or a literal is an
        # ExpressionLookup; a literal on the left still flips. ``'a' = 1``
        # stays (``1 = 1`` folds to true, as influxd's Reduce folds it).
        "SELECT v FROM m WHERE 2 < v + 1 AND v * 2 >= w AND 'a' = 1 OR (v) % 2 != 0.5",
        Query(
            M,
            (SelectItem(u("v")),),
            where(
                where(
                    ExpressionLookup(plus_one, "gt", 2),
                    ExpressionLookup(
                        CombinedExpression(u("v"), "*", Value(2)), "gte", u("w")
                    ),
                    ExpressionLookup(Value("a"), "exact", 1),
                ),
                ExpressionLookup(CombinedExpression(u("v"), "%", Value(2)), "ne", 0.5),
                connector="OR",
            ),
        ),
        (
            'SELECT "v" FROM "m" WHERE ("v" + 1 > 2 AND "v" * 2 >= "w" AND \'a\' = 1) '
            'OR "v" % 2 != 0.5'
        ),
    ),
    (
        # Time: RFC 3339, a date, integer ns, a duration since the epoch,
        # arithmetic on a time string.
        (
            "SELECT v FROM m WHERE time >= '2020-01-01' "
            "AND time < '2020-01-01T02:00:00+01:00' "
            "AND time > 1577836800000000000 AND time > 1577836800s "
            "AND time < '2020-01-01T00:00:00Z' + 2h"
        ),
        Query(
            M,
            (SelectItem(u("v")),),
            where(
                TimeGreaterThanOrEqual(TIME, TimeValue(T2020)),
                TimeLessThan(TIME, TimeValue(T2020 + H)),
                TimeGreaterThan(TIME, TimeValue(T2020)),
                TimeGreaterThan(TIME, TimeValue(T2020)),
                TimeLessThan(TIME, TimeValue(T2020 + 2 * H)),
            ),
        ),
        (
            'SELECT "v" FROM "m" WHERE time >= \'2020-01-01T00:00:00Z\' AND time < '
            "'2020-01-01T01:00:00Z' AND time > '2020-01-01T00:00:00Z' AND time > "
            "'2020-01-01T00:00:00Z' AND time < '2020-01-01T02:00:00Z'"
        ),
    ),
    (
        # A time without a zone is read in the tz() zone.
        "SELECT v FROM m WHERE time >= '2020-01-01 00:00:00' tz('Europe/Paris')",
        Query(
            M,
            (SelectItem(u("v")),),
            where(TimeGreaterThanOrEqual(TIME, TimeValue(T2020 - H))),
            timezone="Europe/Paris",
        ),
        (
            'SELECT "v" FROM "m" WHERE time >= \'2019-12-31T23:00:00Z\' '
            "tz('Europe/Paris')"
        ),
    ),
    (
        # Functions, nested, with parameters of every kind, case-insensitive.
        (
            "SELECT HOLT_WINTERS(mean(v), 10, 4), percentile(v, 95.5), "
            "derivative(mean(v), 1s), exponential_moving_average(v, 3, -1, 'simple'), "
            "atan2(v, w), top(v, host, 3), count(DISTINCT v), count(/^f/) "
            "FROM m GROUP BY time(1d, now())"
        ),
        Query(
            M,
            (
                SelectItem(HoltWinters(Mean(u("v")), 10, 4)),
                SelectItem(Percentile(u("v"), 95.5)),
                SelectItem(Derivative(Mean(u("v")), Second(1))),
                SelectItem(ExponentialMovingAverage(u("v"), 3, -1, "simple")),
                SelectItem(Atan2(u("v"), u("w"))),
                SelectItem(_top := Top(u("v"), "host", 3)),
                SelectItem(Count(Distinct(u("v")))),
                SelectItem(Count(ColumnPattern("^f"))),
            ),
            group_by_time=GroupByTime(Day(1), Now()),
        ),
        (
            'SELECT holt_winters(mean("v"), 10, 4), percentile("v", 95.5), '
            'derivative(mean("v"), 1s), exponential_moving_average("v", 3, -1, '
            '\'simple\'), atan2("v", "w"), top("v", "host", 3), count(distinct("v")), '
            'count(/^f/) FROM "m" GROUP BY time(1d, now())'
        ),
    ),
    (
        # Arithmetic, unary minus, fill with a number.
        "SELECT -mean(v) * 2 / (count(v) % 3) FROM m GROUP BY time(1h) fill(-1.5)",
        Query(
            M,
            (
                SelectItem(
                    CombinedExpression(
                        CombinedExpression(
                            CombinedExpression(Value(-1), "*", Mean(u("v"))),
                            "*",
                            Value(2),
                        ),
                        "/",
                        CombinedExpression(Count(u("v")), "%", Value(3)),
                    )
                ),
            ),
            group_by_time=GroupByTime(Hour(1)),
            fill=Fill("value", -1.5),
        ),
        (
            'SELECT ((-1 * mean("v")) * 2) / (count("v") % 3) FROM "m" '
            "GROUP BY time(1h) fill(-1.5)"
        ),
    ),
    (
        # INTO with :MEASUREMENT, a subquery, a membership test read as IN.
        (
            "SELECT max(w) INTO db.rp.:MEASUREMENT FROM (SELECT v + 1 AS w FROM m "
            "WHERE (host = 'a' OR host = 'b')) GROUP BY *"
        ),
        Query(
            Query(
                M,
                (SelectItem(CombinedExpression(u("v"), "+", Value(1)), "w"),),
                where(In(u("host"), ("a", "b"))),
            ),
            (SelectItem(Max(u("w"))),),
            group_by=("*",),
            into=Source("", "db", "rp"),
        ),
        (
            'SELECT max("w") INTO "db"."rp".:MEASUREMENT FROM (SELECT "v" + 1 AS "w" '
            'FROM "m" WHERE ("host" = \'a\' OR "host" = \'b\')) GROUP BY *'
        ),
    ),
]
_top.params = (Col("host", "tag"), 3)


@pytest.mark.parametrize(("text", "expected", "compiled"), SELECTS)
def test_select(text: str, expected: Query, compiled: str) -> None:
    parsed = parse_statement(text)
    assert parsed == expected
    assert str(parsed) == compiled
    assert parse_statement(compiled) == expected


STATEMENTS: list[tuple[str, Any]] = [
    ("SHOW DATABASES", ShowDatabases()),
    (
        (
            "SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /^c/ WHERE host = 'a' "
            "LIMIT 5 OFFSET 1"
        ),
        ShowMeasurements(
            "db", KeyMatch("=~", ("^c",)), where(Exact(u("host"), "a")), 5, 1
        ),
    ),
    (
        "SHOW MEASUREMENTS WITH MEASUREMENT = cpu",
        ShowMeasurements(measurement=KeyMatch("=", ("cpu",))),
    ),
    (
        "SHOW TAG KEYS ON db FROM m, /^x/ WHERE host = 'a' LIMIT 1 SLIMIT 2",
        ShowTagKeys(
            "db",
            (M, Source("^x", regex=True)),
            where(Exact(u("host"), "a")),
            limit=1,
            series_limit=2,
        ),
    ),
    (
        "SHOW TAG VALUES FROM m WITH KEY = host",
        ShowTagValues(KeyMatch("=", ("host",)), sources=(M,)),
    ),
    (
        "SHOW TAG VALUES WITH KEY != host",
        ShowTagValues(KeyMatch("!=", ("host",))),
    ),
    (
        "SHOW TAG VALUES ON db WITH KEY IN (host, region) WHERE host =~ /a/ LIMIT 3",
        ShowTagValues(
            KeyMatch("IN", ("host", "region")),
            "db",
            where=where(Regex(u("host"), "a")),
            limit=3,
        ),
    ),
    (
        "SHOW TAG VALUES WITH KEY !~ /^h/",
        ShowTagValues(KeyMatch("!~", ("^h",))),
    ),
    (
        "SHOW FIELD KEYS ON db FROM rp.m LIMIT 2 OFFSET 1",
        ShowFieldKeys("db", (Source("m", None, "rp"),), 2, 1),
    ),
    (
        "SHOW SERIES ON db FROM m WHERE host = 'a' LIMIT 10",
        ShowSeries("db", (M,), where(Exact(u("host"), "a")), 10),
    ),
    ("SHOW RETENTION POLICIES ON db", ShowRetentionPolicies("db")),
    ("SHOW RETENTION POLICIES", ShowRetentionPolicies()),
    ("SHOW CONTINUOUS QUERIES", ShowContinuousQueries()),
    ("CREATE DATABASE d", CreateDatabase("d")),
    (
        "CREATE DATABASE d WITH DURATION 2d REPLICATION 1 SHARD DURATION 1h NAME r",
        CreateDatabase("d", RetentionPolicy("r", Day(2), 1, Hour(1), default=True)),
    ),
    (
        "CREATE DATABASE d WITH DURATION INF",
        CreateDatabase("d", RetentionPolicy("autogen", None, default=True)),
    ),
    ("DROP DATABASE d", DropDatabase("d")),
    (
        (
            "CREATE RETENTION POLICY r ON d DURATION 1w REPLICATION 1 "
            "SHARD DURATION 1d DEFAULT"
        ),
        CreateRetentionPolicy(
            RetentionPolicy("r", Week(1), 1, Day(1), default=True), "d"
        ),
    ),
    (
        "ALTER RETENTION POLICY r ON d DURATION INF REPLICATION 2 DEFAULT",
        AlterRetentionPolicy("r", "d", "INF", 2, None, default=True),
    ),
    (
        "ALTER RETENTION POLICY r ON d SHARD DURATION 2h",
        AlterRetentionPolicy("r", "d", shard_duration=Hour(2)),
    ),
    ("DROP RETENTION POLICY r ON d", DropRetentionPolicy("r", "d")),
    (
        (
            "CREATE CONTINUOUS QUERY c ON d RESAMPLE EVERY 1m FOR 1h BEGIN "
            "SELECT mean(v) INTO x FROM m GROUP BY time(1m) END"
        ),
        CreateContinuousQuery(
            "c",
            "d",
            Query(
                M,
                (SelectItem(Mean(u("v"))),),
                group_by_time=GroupByTime(Minute(1)),
                into=Source("x"),
            ),
            Minute(1),
            Hour(1),
        ),
    ),
    ("DROP CONTINUOUS QUERY c ON d", DropContinuousQuery("c", "d")),
    ("DROP MEASUREMENT m", DropMeasurement("m")),
    (
        "DROP SERIES FROM m WHERE host = 'a'",
        DropSeries((M,), where(Exact(u("host"), "a"))),
    ),
    ("DROP SERIES WHERE host = 'a'", DropSeries((), where(Exact(u("host"), "a")))),
    (
        "DELETE FROM m WHERE time < '2020-01-01T00:00:00Z'",
        Delete(M, where(TimeLessThan(TIME, TimeValue(T2020)))),
    ),
    (
        "DELETE WHERE host = 'a'",
        Delete(Source(".*", regex=True), where(Exact(u("host"), "a"))),
    ),
    (
        "EXPLAIN ANALYZE SELECT v FROM m",
        Explain(Query(M, (SelectItem(u("v")),)), analyze=True),
    ),
]


@pytest.mark.parametrize(("text", "expected"), STATEMENTS)
def test_statement(text: str, expected: Any) -> None:
    assert parse_statement(text) == expected


def test_several_statements() -> None:
    parsed = parse("SHOW DATABASES; DROP DATABASE d;; SELECT * FROM m;")
    assert parsed == [ShowDatabases(), DropDatabase("d"), Query(M)]


@pytest.mark.parametrize(
    ("text", "compiled"),
    [
        ("DELETE FROM m WHERE host = 'a'", 'DELETE FROM "m" WHERE "host" = \'a\''),
        ("DELETE FROM /^m/", "DELETE FROM /^m/"),
        (
            "DELETE WHERE time < 0",
            "DELETE FROM /.*/ WHERE time < '1970-01-01T00:00:00Z'",
        ),
    ],
)
def test_delete_compiles(text: str, compiled: str) -> None:
    assert str(parse_statement(text)) == compiled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT foo(v) FROM m", "undefined function foo()"),
        ("SELECT top(v, 0) FROM m", "limit (0) in top function must be at least 1"),
        ("SELECT v FROM m GROUP BY v + 1", "only time and tag dimensions allowed"),
        ("SELECT count(max(v)) FROM m", "expected field argument in count()"),
        ("SELECT sin(1.3) FROM m", "field must contain at least one variable"),
        (
            "SELECT m FROM (SELECT derivative(v) FROM m) GROUP BY time(1m)",
            "GROUP BY requires at least one aggregate function",
        ),
    ],
)
def test_compile_stage_refusals(text: str, message: str) -> None:
    """A statement influxd refuses while compiling it parses; its refusal
    is its answer, given once the databases it names are found (influxd
    finds them first)."""
    (statement,) = parse(text)
    assert getattr(statement, "refusal", None) == message


def test_a_refused_subquery_refuses_the_statement() -> None:
    (statement,) = parse("SELECT a FROM (SELECT v, mean(v) AS a FROM m)")
    assert statement.refusal == (
        "mixing aggregate and non-aggregate queries is not supported"
    )


def test_a_subquery_inherits_the_outer_interval() -> None:
    text = (
        "SELECT max(d) FROM (SELECT derivative(mean(v)) AS d FROM m) GROUP BY time(1m)"
    )
    (statement,) = parse(text)
    assert getattr(statement, "refusal", None) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "SELECT v FROM m WHERE time > 'yesterday'",
            "StringLiteral are not compatible",
        ),
        ("SELECT v FROM m WHERE time > '2020-13-01'", "invalid timestamp string"),
        ("SELECT v FROM m WHERE time > 1h + 5", "BinaryExpr are not compatible"),
        ("SELECT v FROM m WHERE time > '2020-01-01T00:00:00'", "needs a zone"),
    ],
)
def test_condition_refusals(text: str, message: str) -> None:
    """A condition influxd refuses is the statement's refusal, answered
    once its databases are found, as influxd compiles it after that."""
    (statement,) = parse(text)
    assert message in (getattr(statement, "refusal", None) or "")


@pytest.mark.parametrize(("text", "compiled"), [(t, c) for t, _, c in SELECTS])
def test_server_parses_both_texts(
    influx_server: InfluxServer, text: str, compiled: str
) -> None:
    """influxd 1.6.7 reads the hand-written text and its compiled form.

    No database is named, so nothing runs; a syntax error would be
    answered with ``error parsing query``.
    """
    for statement in (text, compiled):
        response = influx_server.request("POST", "/query", data={"q": statement})
        assert "error parsing query" not in response.text, statement


#: Every function of ``influxpy.function_specs``, in the forms InfluxQL takes.
FUNCTION_TEXTS = [
    "SELECT count(*), COUNT(DISTINCT(v)) FROM m",
    (
        "SELECT count(v), distinct(v), integral(v, 1s), mean(v), median(v), mode(v), "
        "spread(v), stddev(v), sum(v) FROM m"
    ),
    "SELECT bottom(v, host, region, 2) FROM m",
    "SELECT top(v, 2), host FROM m",
    "SELECT first(v), last(v), max(v), min(v), percentile(v, 5) FROM m",
    "SELECT sample(v, 2) FROM m",
    (
        "SELECT abs(v), acos(v), asin(v), atan(v), atan2(v, 2), ceil(v), cos(v), "
        "exp(v), floor(v), ln(v), log(v, 10), log2(v), log10(v), pow(v, 2), round(v), "
        "sin(v), sqrt(v), tan(v) FROM m"
    ),
    (
        "SELECT cumulative_sum(mean(v)), derivative(v), difference(max(v)), "
        "elapsed(v, 1ms), moving_average(mean(v), 2), non_negative_derivative(max(v), "
        "1m), non_negative_difference(v) FROM m GROUP BY time(1m)"
    ),
    (
        "SELECT holt_winters(mean(v), 3, 1), holt_winters_with_fit(first(v), 3, 1) "
        "FROM m GROUP BY time(1m)"
    ),
    (
        "SELECT chande_momentum_oscillator(v, 2), double_exponential_moving_average(v, "
        "2), kaufmans_adaptive_moving_average(v, 2), kaufmans_efficiency_ratio(v, 2, "
        "1), relative_strength_index(v, 2), triple_exponential_derivative(v, 2), "
        "triple_exponential_moving_average(v, 2, 1, 'exponential') FROM m"
    ),
    "SELECT median(v) * 2 + 1 AS x, mean(v) / count(v) FROM m",
]


def test_function_texts_cover_the_table() -> None:
    from influxpy.function_specs import FUNCTIONS

    text = " ".join(FUNCTION_TEXTS).lower()
    assert [name for name in FUNCTIONS if f"{name}(" not in text] == []


@pytest.mark.parametrize("text", FUNCTION_TEXTS)
def test_functions(influx_server: InfluxServer, text: str) -> None:
    parsed = parse_statement(text)
    assert isinstance(parsed, Query)
    compiled = str(parsed)
    assert parse_statement(compiled) == parsed
    response = influx_server.request("POST", "/query", data={"q": compiled})
    assert "error parsing query" not in response.text, compiled


#: Lexical corners: comments, number forms, escapes, keywords as quoted
#: names, combined and micro durations, ``<>``, case.
LEXICAL = [
    (
        "SELECT v -- a comment\nFROM m WHERE v > .5 AND v < 5. AND v <> 3",
        'SELECT "v" FROM "m" WHERE "v" > 0.5 AND "v" < 5.0 AND "v" != 3',
    ),
    (
        'SELECT "from", "a\\"b", "x\\\\y" FROM "my db".."m\\n"',
        'SELECT "from", "a\\"b", "x\\\\y" FROM "my db".."m\\n"',
    ),
    (
        "SELECT v FROM m WHERE time > now() - 1h30m AND time < now() + 10µ",
        'SELECT "v" FROM "m" WHERE time > now() - 90m AND time < now() + 10u',
    ),
    (
        "SELECT v FROM m WHERE s = 'it\\'s' AND t = 'a\\\\b' AND b = TRUE",
        (
            'SELECT "v" FROM "m" WHERE "s" = \'it\\\'s\' AND "t" = \'a\\\\b\' AND '
            '"b" = true'
        ),
    ),
    (
        "select MAX(v) from m where T = 'x' group by Time(1d) FILL(previous)",
        ('SELECT max("v") FROM "m" WHERE "T" = \'x\' GROUP BY time(1d) fill(previous)'),
    ),
]


@pytest.mark.parametrize(("text", "compiled"), LEXICAL)
def test_lexical_corners(influx_server: InfluxServer, text: str, compiled: str) -> None:
    parsed = parse_statement(text)
    assert str(parsed) == compiled
    assert parse_statement(compiled) == parsed
    for statement in (text, compiled):
        response = influx_server.request("POST", "/query", data={"q": statement})
        assert "error parsing query" not in response.text, statement
