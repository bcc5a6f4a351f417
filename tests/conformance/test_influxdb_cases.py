"""Statements from the scenarios of InfluxDB's own server tests, written
for our data, answered alike by influxd 1.6.7 and the engine (``conn``).

Each test writes a few points, sends InfluxQL text and expects the
server's answer: the columns, the rows (times in nanoseconds) or the
statement's error text.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

import influxpy
from conformance._common import IntTyped, Reading, at, write, write_both
from influxpy.exceptions import ProgrammingError

#: Four points of one series: v and n per time, a host tag.
POINTS = [(0, 1.5, 10), (10, 4.0, 40), (20, 2.5, 25), (30, 8.0, 5)]


@pytest.fixture
def four(conn: str) -> str:
    write(
        conn,
        *(
            Reading(time=at(t), v=v, n=n, host="a" if t < 20 else "b")
            for t, v, n in POINTS
        ),
    )
    return conn


def answer(conn: str, text: str) -> Any:
    """The one statement's result of *text* on *conn*."""
    (result,) = list(influxpy.get_connection(conn).statements(text))
    return result


def table(conn: str, text: str) -> tuple[list[str], list[list[Any]]]:
    """The columns and rows of the one series *text* answers."""
    result = answer(conn, text)
    assert result.error is None, result.error
    (one,) = list(result.series)
    return one.columns, [list(row) for row in one.values]


# -- time in the select list --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SELECT time, v FROM conformance",
        "SELECT v, time FROM conformance",
        'SELECT "time", v, time FROM conformance',
        "SELECT time::field, v FROM conformance",
    ],
)
def test_time_selected_is_the_time_column(four: str, text: str) -> None:
    """influxd drops ``time`` from the select list: time is always first."""
    columns, values = table(four, text)
    assert columns == ["time", "v"]
    assert values == [[at(t), v] for t, v, _n in POINTS]


def test_time_selected_beside_a_selector_per_window(four: str) -> None:
    text = (
        f"SELECT time, n, max(v) FROM conformance WHERE time >= {at(0)} "
        f"AND time < {at(40)} GROUP BY time(20s)"
    )
    columns, values = table(four, text)
    assert columns == ["time", "n", "max"]
    assert values == [[at(0), 40, 4.0], [at(20), 5, 8.0]]


def test_time_alias_names_the_time_column(four: str) -> None:
    columns, values = table(four, "SELECT v, time AS stamp FROM conformance")
    assert columns == ["stamp", "v"]
    assert values == [[at(t), v] for t, v, _n in POINTS]
    columns, values = table(four, "SELECT time AS stamp, max(v) FROM conformance")
    assert (columns, values) == (["stamp", "max"], [[at(30), 8.0]])


def test_time_alone_is_refused(four: str) -> None:
    result = answer(four, "SELECT time FROM conformance")
    assert result.error == "at least 1 non-time field must be queried"


# -- select lists influxd refuses -------------------------------------------

#: Our four points' range in 20 s windows.
WINDOWED = f"time >= {at(0)} AND time < {at(40)} GROUP BY time(20s)"
MIXING = "mixing aggregate and non-aggregate queries is not supported"
DISTINCT = (
    "aggregate function distinct() cannot be combined with other functions or fields"
)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SELECT n, count(v) FROM conformance", MIXING),
        ("SELECT mean(v), n FROM conformance", MIXING),
        ("SELECT v * 2, sum(n) FROM conformance", MIXING),
        ("SELECT derivative(v), n FROM conformance", MIXING),
        (
            "SELECT count(v), n FROM conformance WHERE time >= 0 GROUP BY time(20s)",
            MIXING,
        ),
        ("SELECT distinct(v), n FROM conformance", DISTINCT),
        ("SELECT distinct(v), max(n) FROM conformance", DISTINCT),
        (
            "SELECT top(v, 2), count(n) FROM conformance",
            "selector function top() cannot be combined with other functions",
        ),
        (
            "SELECT n, max(v), min(v) FROM conformance",
            "mixing multiple selector functions with tags or fields is not supported",
        ),
        (
            "SELECT derivative(max(v)) FROM conformance",
            "derivative aggregate requires a GROUP BY interval",
        ),
        (
            "SELECT derivative(distinct(v)) FROM conformance",
            "derivative aggregate requires a GROUP BY interval",
        ),
        (
            "SELECT moving_average(mean(v), 2) FROM conformance",
            "moving_average aggregate requires a GROUP BY interval",
        ),
        (
            (
                "SELECT derivative(max(x)) FROM (SELECT max(v) AS x FROM "
                f"conformance WHERE {WINDOWED}) WHERE time >= {at(0)} "
                f"AND time < {at(40)}"
            ),
            "derivative aggregate requires a GROUP BY interval",
        ),
        (
            "SELECT holt_winters(v, 2, 1) FROM conformance",
            "must use aggregate function with holt_winters",
        ),
        (
            f"SELECT holt_winters(v, 2, 1) FROM conformance WHERE {WINDOWED}",
            "must use aggregate function with holt_winters",
        ),
        (
            "SELECT holt_winters(max(v), 2, 1) FROM conformance",
            "holt_winters aggregate requires a GROUP BY interval",
        ),
        (
            f"SELECT abs(v), n FROM conformance WHERE {WINDOWED}",
            "GROUP BY requires at least one aggregate function",
        ),
        (
            "SELECT v FROM conformance fill(none)",
            "fill(none) must be used with a function",
        ),
        (
            f"SELECT v FROM conformance WHERE {WINDOWED} fill(linear)",
            "fill(linear) must be used with a function",
        ),
        # Over a subquery too; a subquery's windows fill with none unless
        # it says otherwise.
        (
            f"SELECT v FROM (SELECT v FROM conformance) WHERE {WINDOWED}",
            "GROUP BY requires at least one aggregate function",
        ),
        (
            (
                f"SELECT * FROM (SELECT max(v) FROM conformance WHERE {WINDOWED}) "
                f"WHERE {WINDOWED}"
            ),
            "GROUP BY requires at least one aggregate function",
        ),
        (
            f"SELECT v FROM (SELECT v FROM conformance WHERE {WINDOWED})",
            "fill(none) must be used with a function",
        ),
        (
            f"SELECT v FROM (SELECT v FROM conformance WHERE {WINDOWED} fill(1))",
            "GROUP BY requires at least one aggregate function",
        ),
    ],
)
def test_select_list_refused_with_the_server_text(
    four: str, text: str, error: str
) -> None:
    assert answer(four, text).error == error


@pytest.mark.parametrize(
    "text",
    [
        "SELECT n, max(v) FROM conformance",
        "SELECT count(distinct(v)) FROM conformance",
        "SELECT *, last(v) FROM conformance",
        "SELECT abs(max(v)), n FROM conformance",
        "SELECT max(v) FROM conformance fill(none)",
        "SELECT v FROM conformance fill(0)",
        "SELECT derivative(v) FROM conformance fill(previous)",
        f"SELECT derivative(distinct(v)) FROM conformance WHERE {WINDOWED}",
    ],
)
def test_select_list_answered(four: str, text: str) -> None:
    """Fields beside one selector (a math function of it too), a distinct
    counted or differentiated per window, and fill() without windows (which
    influxd ignores) are answered."""
    result = answer(four, text)
    assert result.error is None, result.error
    assert list(result.series)


# -- SHOW … CARDINALITY ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "SHOW TAG KEY CARDINALITY WHERE time > 0",
            "SHOW TAG KEY EXACT CARDINALITY doesn't support time in WHERE clause",
        ),
        (
            (
                "SHOW TAG KEY EXACT CARDINALITY FROM conformance WHERE host = 'a' "
                "AND time > now() - 1h"
            ),
            "SHOW TAG KEY EXACT CARDINALITY doesn't support time in WHERE clause",
        ),
        (
            "SHOW FIELD KEY CARDINALITY WHERE time > 0",
            "SHOW FIELD KEY CARDINALITY doesn't support time in WHERE clause",
        ),
        (
            "SHOW FIELD KEY EXACT CARDINALITY FROM conformance WHERE time > 0",
            "SHOW FIELD KEY CARDINALITY doesn't support time in WHERE clause",
        ),
    ],
)
def test_key_cardinality_refuses_time(four: str, text: str, error: str) -> None:
    assert answer(four, text).error == error


def test_key_cardinality_without_time(four: str) -> None:
    columns, values = table(four, "SHOW TAG KEY CARDINALITY WHERE host = 'b'")
    assert (columns, values) == (["count"], [[1]])


# -- databases and retention policies ------------------------------------------


@pytest.mark.parametrize("name", ['".."', '"a/b"', '"a\\\\b"', '"tab\tx"'])
def test_invalid_names_refused(conn: str, name: str) -> None:
    backend = influxpy.get_connection(conn)
    other = f"db_{uuid.uuid4().hex[:8]}"
    texts = [
        f"CREATE DATABASE {name}",
        f"CREATE DATABASE {other} WITH NAME {name}",
        (
            f'CREATE RETENTION POLICY {name} ON "{backend.database}" DURATION 1h '
            "REPLICATION 1"
        ),
    ]
    try:
        for text in texts:
            assert answer(conn, text).error == "invalid name", text
        (listed,) = list(answer(conn, "SHOW DATABASES").series)
        assert [other] not in listed.values
        assert answer(conn, 'CREATE DATABASE ""').error == "invalid name"
    finally:
        list(backend.statements(f"DROP DATABASE {other}"))


def test_creating_an_existing_retention_policy(conn: str) -> None:
    """The same policy again is no change; made the default, or with other
    values, it is refused."""
    backend = influxpy.get_connection(conn)
    rp = f"rp_{uuid.uuid4().hex[:8]}"
    create = f'CREATE RETENTION POLICY {rp} ON "{backend.database}" DURATION 1h'
    try:
        assert answer(conn, f"{create} REPLICATION 1").error is None
        assert answer(conn, f"{create} REPLICATION 1").error is None
        conflict = answer(conn, f"{create} REPLICATION 1 DEFAULT").error
        assert conflict == "retention policy conflicts with an existing policy"
        exists = answer(conn, f"{create} REPLICATION 2").error
        assert exists == "retention policy already exists"
        (policies,) = list(answer(conn, "SHOW RETENTION POLICIES").series)
        assert [row[4] for row in policies.values if row[0] == rp] == [False]
    finally:
        list(backend.statements(f'DROP RETENTION POLICY {rp} ON "{backend.database}"'))


# -- users ----------------------------------------------------------------------


def test_user_statements(conn: str) -> None:
    """Users and privileges kept as influxd keeps them (authentication off)."""
    backend = influxpy.get_connection(conn)
    db = backend.database
    user = f"u{uuid.uuid4().hex[:8]}"

    def ours(text: str) -> list[list[Any]]:
        (one,) = list(answer(conn, text).series)
        return [list(row) for row in one.values if row[0] in (user, db)]

    try:
        assert answer(conn, f"CREATE USER {user} WITH PASSWORD 'a'").error is None
        # The same again is no change; another password or admin flag is.
        assert answer(conn, f"CREATE USER {user} WITH PASSWORD 'a'").error is None
        refused = answer(conn, f"CREATE USER {user} WITH PASSWORD 'b'")
        assert refused.error == "user already exists"
        assert ours("SHOW USERS") == [[user, False]]
        assert answer(conn, f"GRANT ALL PRIVILEGES TO {user}").error is None
        assert ours("SHOW USERS") == [[user, True]]
        assert answer(conn, f'GRANT READ ON "{db}" TO {user}').error is None
        assert ours(f"SHOW GRANTS FOR {user}") == [[db, "READ"]]
        missing = answer(conn, f"GRANT WRITE ON no_such_db_x TO {user}")
        assert missing.error == "database not found: no_such_db_x"
        assert answer(conn, f'REVOKE READ ON "{db}" FROM {user}').error is None
        assert ours(f"SHOW GRANTS FOR {user}") == [[db, "NO PRIVILEGES"]]
        assert answer(conn, f"REVOKE ALL PRIVILEGES FROM {user}").error is None
        assert ours("SHOW USERS") == [[user, False]]
        assert answer(conn, f"SET PASSWORD FOR {user} = 'c'").error is None
        assert answer(conn, f"DROP USER {user}").error is None
    finally:
        list(backend.statements(f"DROP USER {user}"))
    for text in (
        f"DROP USER {user}",
        f"SHOW GRANTS FOR {user}",
        f"GRANT ALL TO {user}",
    ):
        assert answer(conn, text).error == "user not found"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("CREATE USER 0xBAD WITH PASSWORD 'p'", "found 0xBAD, expected identifier"),
        ("CREATE USER WITH PASSWORD 'p'", "found WITH, expected identifier"),
        ("CREATE USER someone", "found EOF, expected WITH at line 1, char 21"),
        ("GRANT READ TO someone", "found TO, expected ON at line 1, char 12"),
        ("REVOKE ALL someone", "found someone, expected ON, FROM at line 1, char 12"),
        ("GRANT x ON db TO y", "found x, expected READ, WRITE, ALL [PRIVILEGES]"),
    ],
)
def test_user_statement_syntax_errors(conn: str, text: str, error: str) -> None:
    with pytest.raises(ProgrammingError, match=re.escape(error)):
        list(influxpy.get_connection(conn).statements(text))


# -- quirks -------------------------------------------------------------------


def counts(alias: str, text: str) -> list[tuple[str, list[list[Any]]]]:
    """Each series' name and rows of *text*'s answer on *alias*."""
    result = answer(alias, text)
    assert result.error is None, result.error
    return [(s.name, [list(v) for v in s.values]) for s in result.series]


@pytest.mark.parametrize(
    "condition",
    ["dc !~ /x/", "dc = ''", "dc =~ /^$/", "dc != 'x' OR host = 'a'"],
)
def test_tag_values_cardinality_skips_series_without_the_key(
    both: tuple[str, str], condition: str
) -> None:
    """influxd's count of tag values (InfluxDB's own ShowTagKeyCardinality
    case) never matches a condition on a key against a series without it,
    where ``SHOW TAG VALUES`` reads the missing tag as ``''``."""
    server, engine = both
    write_both(
        both,
        Reading(time=at(0), v=1.0, host="a", dc="x"),
        Reading(time=at(10), v=2.0, host="b"),
        Reading(time=at(20), v=3.0, host="c", dc="y"),
    )
    listed = f"SHOW TAG VALUES WITH KEY = host WHERE {condition}"
    assert counts(server, listed) == counts(engine, listed)
    for exact in ("", " EXACT"):
        counted = (
            f"SHOW TAG VALUES{exact} CARDINALITY WITH KEY = host WHERE {condition}"
        )
        assert counts(engine, counted) == counts(server, counted)
    expected = {
        "dc !~ /x/": [("conformance", [[1]])],
        "dc = ''": [],
        "dc =~ /^$/": [],
        "dc != 'x' OR host = 'a'": [("conformance", [[2]])],
    }[condition]
    assert (
        counts(engine, f"SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE {condition}")
        == expected
    )


def test_quirk_integer_mean_past_the_int64_range(both: tuple[str, str]) -> None:
    """influxd sums integers in int64 for a mean, and the sum wraps around
    (two points of 2**63 - 1 average to -1); the engine gives the mean."""
    server, engine = both
    big = 2**63 - 1
    for alias in both:
        IntTyped.series.using(alias).bulk_create(
            [IntTyped(time=at(0), x=big), IntTyped(time=at(10), x=big)]
        )
    text = "SELECT mean(x) FROM typed"
    assert counts(server, text) == [("typed", [[0, -1]])]
    assert counts(engine, text) == [("typed", [[0, float(big)]])]
