"""Subscriptions: ``CREATE SUBSCRIPTION``, ``DROP SUBSCRIPTION`` and ``SHOW
SUBSCRIPTIONS`` answered alike by influxd 1.6.7 and the engine, step by
step (the errors' texts too), and going with their database and policy."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import influxpy
from influxpy.exceptions import InfluxQLParseError


def _answer(alias: str, text: str) -> tuple[str | None, list[Any]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.name, list(s.columns), [list(row) for row in s.values])
        for s in result.series
    ]


def _mine(answer: tuple[str | None, list[Any]], db: str) -> Any:
    """Only the series of *db* (the server is shared by the whole session)."""
    error, series = answer
    return error, [s for s in series if s[0] == db]


def test_subscriptions_are_kept_listed_and_dropped_as_influxd(
    both: tuple[str, str],
) -> None:
    db = f"subs_{uuid.uuid4().hex[:8]}"
    steps = [
        f"CREATE DATABASE {db}",
        f"CREATE RETENTION POLICY rp0 ON {db} DURATION 1h REPLICATION 1",
        f"CREATE SUBSCRIPTION s1 ON {db}.rp0 DESTINATIONS ALL 'udp://127.0.0.1:9'",
        f"CREATE SUBSCRIPTION s1 ON {db}.rp0 DESTINATIONS ALL 'udp://127.0.0.1:9'",
        (
            f'CREATE SUBSCRIPTION "s 2" ON "{db}"."autogen" DESTINATIONS ANY '
            "'http://127.0.0.1:9', 'https://[::1]:9'"
        ),
        f"CREATE SUBSCRIPTION s3 ON {db}.rp0 DESTINATIONS ANY 'tcp://127.0.0.1:9'",
        f"CREATE SUBSCRIPTION s3 ON {db}.rp0 DESTINATIONS ANY 'http://127.0.0.1'",
        f"CREATE SUBSCRIPTION s3 ON {db}.nope DESTINATIONS ANY 'http://h:1'",
        "CREATE SUBSCRIPTION s3 ON no_such_db.autogen DESTINATIONS ANY 'http://h:1'",
        f"CREATE SUBSCRIPTION s4 ON {db}.autogen DESTINATIONS ALL 'udp://h:1'",
        "SHOW SUBSCRIPTIONS",
        f"DROP SUBSCRIPTION nope ON {db}.rp0",
        f"DROP SUBSCRIPTION s1 ON {db}.nope",
        f"DROP SUBSCRIPTION s4 ON {db}.autogen",
        "SHOW SUBSCRIPTIONS",
        f"DROP RETENTION POLICY rp0 ON {db}",
        "SHOW SUBSCRIPTIONS",
        f"CREATE RETENTION POLICY rp0 ON {db} DURATION 1h REPLICATION 1",
        "SHOW SUBSCRIPTIONS",
        f"DROP DATABASE {db}",
        f"CREATE DATABASE {db}",
        "SHOW SUBSCRIPTIONS",
        f"DROP DATABASE {db}",
    ]
    server, engine = both
    listed = []
    for text in steps:
        expected = _mine(_answer(server, text), db)
        got = _mine(_answer(engine, text), db)
        assert got == expected, text
        if text == "SHOW SUBSCRIPTIONS":
            listed.append(got[1])
    # The steps did what they say: two kept, one dropped, then none.
    assert [len(s[0][2]) if s else 0 for s in listed] == [3, 2, 1, 1, 0]


@pytest.mark.parametrize(
    "text",
    [
        "CREATE SUBSCRIPTION s ON db .rp DESTINATIONS ALL 'udp://h:1'",
        "CREATE SUBSCRIPTION s ON db DESTINATIONS ALL 'udp://h:1'",
        "CREATE SUBSCRIPTION s db.rp DESTINATIONS ALL 'udp://h:1'",
        "CREATE SUBSCRIPTION s ON db.rp ALL 'udp://h:1'",
        "CREATE SUBSCRIPTION s ON db.rp DESTINATIONS SOME 'udp://h:1'",
        "CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ALL udp",
        "CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ALL 'udp://h:1',",
        "DROP SUBSCRIPTION s ON db",
        "DROP SUBSCRIPTION ON db.rp",
    ],
)
def test_subscription_statements_that_do_not_parse(
    both: tuple[str, str], text: str
) -> None:
    messages = []
    for alias in both:
        with pytest.raises(InfluxQLParseError) as caught:
            _answer(alias, text)
        messages.append(str(caught.value))
    assert messages[1] == messages[0]
