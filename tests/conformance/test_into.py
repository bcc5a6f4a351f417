"""``into()`` and retention policies on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, column, rows, series, write
from influxpy import fields, models
from influxpy.durations import Second
from influxpy.exceptions import DatabaseNotFoundError, ProgrammingError
from influxpy.functions import Count, Mean
from influxpy.introspection import get_introspection
from influxpy.schema import RetentionPolicy, get_schema_editor


class ReadingCopy(models.InfluxMeasurement):
    """Where INTO writes."""

    class Meta:
        measurement = "conformance_copy"

    v = fields.FloatField()
    host = fields.InfluxTag(null=True)


def test_into_copies_points_and_keeps_tags(conn: str) -> None:
    """into(Model).execute() writes per tag set and returns the count written."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a"),
        Reading(time=at(0), v=2.0, host="b"),
        Reading(time=at(1), v=3.0, host="a"),
    )
    qs = Reading.series.using(conn).only("v").into(ReadingCopy)
    assert str(qs.query) == (
        'SELECT "v" INTO "conformance_copy" FROM "conformance" GROUP BY *'
    )
    assert qs.execute() == 3
    copied = ReadingCopy.series.using(conn).group_by("host")
    assert series(copied) == [
        ({"host": "a"}, [{"time": at(0), "v": 1.0}, {"time": at(1), "v": 3.0}]),
        ({"host": "b"}, [{"time": at(0), "v": 2.0}]),
    ]


class Summary(models.InfluxMeasurement):
    """A mean and a count per window."""

    class Meta:
        measurement = "conformance_summary"

    m = fields.FloatField()
    k = fields.IntegerField()
    host = fields.InfluxTag(null=True)


class Elsewhere(models.InfluxMeasurement):
    """A measurement in a database that does not exist."""

    class Meta:
        measurement = "conformance_copy"
        database = "influxpy_nowhere"

    v = fields.FloatField()


class InRaw(models.InfluxMeasurement):
    """A measurement in the retention policy ``raw``."""

    class Meta:
        measurement = "conformance"
        retention_policy = "raw"

    v = fields.FloatField()
    host = fields.InfluxTag(null=True)


class InAutogen(models.InfluxMeasurement):
    """A measurement in the retention policy ``autogen``."""

    class Meta:
        measurement = "conformance"
        retention_policy = "autogen"

    n = fields.IntegerField()


def database_of(alias: str) -> str:
    return influxpy.get_connection(alias).resolve_database(None)


def test_into_writes_the_rows_with_a_value(conn: str) -> None:
    """Rows whose columns are all null are not written, even a COUNT's empty
    window (its default fill of 0 does not apply to INTO); null columns are
    left out of a point."""
    write(
        conn,
        Reading(time=at(10), v=1.0, host="a"),
        Reading(time=at(20), n=5, host="a"),
        Reading(time=at(30), v=3.0, host="b"),
        Reading(time=at(30), v=7.0),
    )
    windows = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(60))
        .annotate(m=Mean("v"), k=Count("n"))
        .resolution(Second(10))
    )
    assert windows.into(Summary).execute() == 4
    assert series(Summary.series.using(conn).group_by("host")) == [
        ({"host": ""}, [{"time": at(30), "k": None, "m": 7.0}]),
        (
            {"host": "a"},
            [
                {"time": at(10), "k": None, "m": 1.0},
                {"time": at(20), "k": 1, "m": None},
            ],
        ),
        ({"host": "b"}, [{"time": at(30), "k": None, "m": 3.0}]),
    ]
    counts = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(60))
        .annotate(c=Count("v"))
        .resolution(Second(20))
    )
    assert counts.into("counts").execute() == 3
    assert counts.fill(0).into("counts_filled").execute() == 9


def test_into_without_group_by_star_turns_tags_into_fields(conn: str) -> None:
    """group_by() naming some tags keeps those; the others become fields,
    and points that differ only by them overwrite each other."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a", dc="x"),
        Reading(time=at(0), v=2.0, host="a", dc="y"),
        Reading(time=at(1), v=3.0, host="b", dc="x"),
    )
    written = (
        Reading.series.using(conn).only("v", "dc").group_by("host").into(ReadingCopy)
    ).execute()
    assert written == 3
    copied = ReadingCopy.series.using(conn).group_by("host")
    assert [(t["host"], [p["v"] for p in pts]) for t, pts in series(copied)] == [
        ("a", [2.0]),
        ("b", [3.0]),
    ]


def test_into_without_keeping_tags_writes_the_query_as_it_stands(conn: str) -> None:
    """keep_tags=False adds no GROUP BY *: a mean over every series is one
    point, as the InfluxQL would write it."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a"),
        Reading(time=at(1), v=2.0, host="b"),
        Reading(time=at(2), v=6.0, host="a"),
    )
    qs = (
        Reading.series.using(conn)
        .annotate(v=Mean("v"))
        .into(ReadingCopy, keep_tags=False)
    )
    assert str(qs.query) == (
        'SELECT mean("v") AS "v" INTO "conformance_copy" FROM "conformance"'
    )
    assert qs.execute() == 1
    assert rows(ReadingCopy.series.using(conn)) == [{"time": 0, "v": 3.0}]
    per_series = Reading.series.using(conn).annotate(v=Mean("v")).into("per_host")
    assert per_series.execute() == 2


def test_into_a_missing_database_is_an_error(conn: str) -> None:
    """INTO another database needs it to exist, even with nothing to write;
    a missing retention policy is an error only with rows to write."""
    qs = Reading.series.using(conn).only("v")
    with pytest.raises(DatabaseNotFoundError):
        qs.into(Elsewhere).execute()
    assert qs.into(InRaw).execute() == 0


def test_into_another_retention_policy(conn: str) -> None:
    """INTO "rp"."m" writes there, once the policy exists."""
    write(conn, Reading(time=at(0), v=1.0, host="a"))
    qs = Reading.series.using(conn).only("v").into(InRaw)
    assert str(qs.query).startswith('SELECT "v" INTO "raw"."conformance" FROM')
    with pytest.raises(ProgrammingError, match="retention policy not found"):
        qs.execute()
    get_schema_editor(conn).create_retention_policy(
        RetentionPolicy("raw", None), database_of(conn)
    )
    assert qs.execute() == 1
    assert series(InRaw.series.using(conn).group_by("host")) == [
        ({"host": "a"}, [{"time": at(0), "v": 1.0}])
    ]


def test_points_and_queries_naming_no_policy_use_the_default(conn: str) -> None:
    """Once another policy is the default, writes and reads naming none use it."""
    write(conn, Reading(time=at(0), n=1))
    get_schema_editor(conn).create_retention_policy(
        RetentionPolicy("raw", None, default=True), database_of(conn)
    )
    assert rows(Reading.series.using(conn)) == []
    write(conn, Reading(time=at(1), v=2.0, host="a"))
    assert column(Reading.series.using(conn).only("v"), "v") == [2.0]
    assert column(InRaw.series.using(conn).only("v"), "v") == [2.0]
    assert column(InAutogen.series.using(conn).only("n"), "n") == [1]
    assert get_introspection(conn).field_keys("conformance") == {"v": "float"}


def _text(conn: str, text: str) -> list[tuple[str, dict[str, str], list[Any]]]:
    backend = influxpy.get_connection(conn)
    results = backend.query(text, database=database_of(conn), epoch="ns")
    return [(r.name, r.tags, r.points) for r in results]


@pytest.mark.parametrize("call", ["top", "bottom"])
def test_into_writes_the_tags_top_and_bottom_name_as_tags(conn: str, call: str) -> None:
    """The tags named in TOP or BOTTOM become tags of the points written,
    not fields (a field named there gives no column at all)."""
    write(
        conn,
        Reading(time=at(1), v=2.0, n=1, host="a"),
        Reading(time=at(2), v=3.0, n=2, host="b"),
        Reading(time=at(3), v=4.0, n=3, host="c", dc="x"),
    )
    written = _text(
        conn, f"SELECT {call}(v, host, dc, n, 2) INTO picked FROM conformance"
    )
    assert written == [("result", {}, [{"time": 0, "written": 2}])]
    first, second = (at(2), 3.0), (at(3), 4.0)
    if call == "bottom":
        first, second = (at(1), 2.0), (at(2), 3.0)
    host_of = {at(1): "a", at(2): "b", at(3): "c"}
    assert _text(conn, "SELECT * FROM picked GROUP BY *") == [
        (
            "picked",
            # dc is a tag key of the points written only when one has it.
            {"dc": "x" if t == at(3) else "", "host": host_of[t]}
            if call == "top"
            else {"host": host_of[t]},
            [{"time": t, call: v}],
        )
        for t, v in (first, second)
    ]
    assert _text(conn, "SHOW FIELD KEYS FROM picked") == [
        ("picked", {}, [{"fieldKey": call, "fieldType": "float"}])
    ]


def test_into_of_top_per_group_keeps_both_kinds_of_tags(conn: str) -> None:
    """GROUP BY tags and the tags TOP names are all tags of what INTO writes;
    a plain tag column (no TOP) stays a field."""
    write(
        conn,
        Reading(time=at(1), v=2.0, host="a"),
        Reading(time=at(2), v=3.0, host="b"),
        Reading(time=at(3), v=4.0, host="c", dc="x"),
    )
    assert _text(conn, "SELECT top(v, host, 2) INTO t FROM conformance GROUP BY dc")
    assert _text(conn, "SHOW TAG KEYS FROM t") == [
        ("t", {}, [{"tagKey": "dc"}, {"tagKey": "host"}])
    ]
    assert _text(conn, "SELECT host, v INTO r FROM conformance")
    assert _text(conn, "SHOW TAG KEYS FROM r") == []
    assert _text(conn, "SHOW FIELD KEYS FROM r") == [
        (
            "r",
            {},
            [
                {"fieldKey": "host", "fieldType": "string"},
                {"fieldKey": "v", "fieldType": "float"},
            ],
        )
    ]
