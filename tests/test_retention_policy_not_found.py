"""A missing retention policy raises ``RetentionPolicyNotFoundError`` on both backends.

A write or a query naming a policy its database does not have, or naming
none after the database's default policy was dropped: InfluxDB 1.6.7
answers ``retention policy not found: <name>`` (HTTP 500 to a write, a
statement error to a query), and the engine raises the same class with the
database and policy named.
"""

from __future__ import annotations

import pandas as pd
import pytest

import influxpy
from _models import ServerMeasurement
from influxpy.exceptions import ProgrammingError, RetentionPolicyNotFoundError

T0 = 1_577_836_800_000_000_000


def drop_default(conn: str) -> str:
    """Write a point, drop the default policy ``autogen``; the database name."""
    backend = influxpy.connections[conn]
    database = backend.resolve_database(None)
    backend.write_lines([f"m v=1 {T0}"])
    backend.query(f'DROP RETENTION POLICY autogen ON "{database}"')
    return database


def check(error: RetentionPolicyNotFoundError, database: str, policy: str) -> None:
    assert isinstance(error, ProgrammingError)
    assert (error.database, error.policy) == (database, policy)
    assert error.reason == f"retention policy not found: {policy}"
    assert error.reason in str(error)


def test_the_class_is_exported() -> None:
    assert influxpy.RetentionPolicyNotFoundError is RetentionPolicyNotFoundError
    assert "RetentionPolicyNotFoundError" in influxpy.__all__


def test_writes_after_the_default_policy_was_dropped(conn: str) -> None:
    database = drop_default(conn)
    backend = influxpy.connections[conn]
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        backend.write_lines([f"m v=2 {T0 + 1}"])
    check(info.value, database, "autogen")
    assert info.value.written == 0
    point = ServerMeasurement(
        time=T0, cpu=1.0, memory=1, free_memory=1, name="a", region="eu"
    )
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        ServerMeasurement.series.using(conn).bulk_create([point])
    check(info.value, database, "autogen")


def test_a_write_naming_a_missing_policy(conn: str) -> None:
    backend = influxpy.connections[conn]
    database = backend.resolve_database(None)
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        backend.write_lines([f"m v=1 {T0}"], retention_policy="nope")
    check(info.value, database, "nope")


@pytest.mark.parametrize(
    "text",
    ["SELECT * FROM m", "SELECT count(v) FROM m", "SHOW SERIES", "SHOW FIELD KEYS"],
)
def test_statements_naming_no_policy_after_the_default_was_dropped(
    conn: str, text: str
) -> None:
    database = drop_default(conn)
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        influxpy.connections[conn].query(text)
    check(info.value, database, "autogen")
    assert str(info.value).startswith("Statement 0 of the query failed on the ")


def test_statements_naming_a_missing_policy(conn: str) -> None:
    backend = influxpy.connections[conn]
    database = backend.resolve_database(None)
    for text in (
        "SELECT * FROM nope.m",
        f'ALTER RETENTION POLICY nope ON "{database}" DEFAULT',
    ):
        with pytest.raises(RetentionPolicyNotFoundError) as info:
            backend.query(text)
        check(info.value, database, "nope")


def test_a_queryset_after_the_default_policy_was_dropped(conn: str) -> None:
    database = drop_default(conn)
    qs = ServerMeasurement.series.using(conn)
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        qs.count()
    check(info.value, database, "autogen")
    with pytest.raises(RetentionPolicyNotFoundError):
        list(qs)


class Elsewhere(influxpy.models.InfluxMeasurement):
    """A model writing to a policy no database has."""

    class Meta:
        measurement = "elsewhere"
        retention_policy = "nope"

    v = influxpy.fields.FloatField()


def test_model_writes_naming_a_missing_policy(conn: str) -> None:
    """The server answers 500; the engine stored the points in no policy."""
    database = influxpy.connections[conn].resolve_database(None)
    manager = Elsewhere.series.using(conn)
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        manager.bulk_create([Elsewhere(time=T0, v=1.0)])
    check(info.value, database, "nope")
    assert info.value.written == 0
    frame = pd.DataFrame({"v": [1.0]}, index=pd.to_datetime([T0], unit="ns", utc=True))
    with pytest.raises(RetentionPolicyNotFoundError):
        manager.write_dataframe(frame)
    policies = influxpy.connections[conn].query("SHOW RETENTION POLICIES")
    assert [p["name"] for r in policies for p in r.points] == ["autogen"]


@pytest.mark.parametrize("target", ["nope.copied", "{db}.nope.copied"])
def test_select_into_a_missing_policy(conn: str, target: str) -> None:
    backend = influxpy.connections[conn]
    database = backend.resolve_database(None)
    backend.write_lines([f"m v=1 {T0}"])
    text = f"SELECT v INTO {target.format(db=database)} FROM m"
    with pytest.raises(RetentionPolicyNotFoundError) as info:
        backend.query(text)
    check(info.value, database, "nope")
    [answer] = backend.statements(text)
    assert answer.error == "retention policy not found: nope"
