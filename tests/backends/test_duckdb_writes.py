"""What the embedded engine writes and refuses, checked against InfluxDB 1.6.7.

Each test runs on the real server and on the engine (the ``conn`` fixture)
with one expectation, except the ``test_quirk_*`` tests, which pin where
the server's answer is arbitrary and what the engine answers instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import influxpy
from influxpy import fields, models
from influxpy.constants import MAX_KEY_BYTES, MAX_STRING_FIELD_BYTES
from influxpy.exceptions import (
    BatchWriteError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    LineProtocolError,
    PartialWriteError,
)

S = 1_000_000_000
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z
#: A time in another 7-day shard group than T0.
LATER = T0 + 30 * 86_400 * S


class Untyped(models.InfluxMeasurement):
    """An untyped field: bool, str or float by the value given."""

    class Meta:
        measurement = "untyped"

    v = fields.InfluxField()
    host = fields.InfluxTag(null=True)


class Text(models.InfluxMeasurement):
    """A string field and a tag."""

    class Meta:
        measurement = "text"

    s = fields.StringField()
    host = fields.InfluxTag(null=True)


class TwoFields(models.InfluxMeasurement):
    """The same measurement with a second untyped field."""

    class Meta:
        measurement = "untyped"

    v = fields.InfluxField()
    w = fields.InfluxField()


def points(conn: str, model: Any = Untyped) -> list[tuple[int, Any]]:
    """``(time, v)`` of every stored point of *model*'s measurement."""
    return [
        (p["time"], p["v"]) for r in model.series.using(conn).epoch() for p in r.points
    ]


def is_engine(conn: str) -> bool:
    return influxpy.connections[conn].vendor == "duckdb"


def settled(read: Callable[[], list[Any]], expected: list[Any]) -> list[Any]:
    """*read*'s answer once it equals *expected*, or its last one (tried for
    up to 10 s). influxd answers a request as soon as one shard's write
    fails, while its writes to the request's other shards may still be
    running, so their points can show a moment later."""
    got = read()
    deadline = time.monotonic() + 10
    while got != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        got = read()
    return got


# -- field types ---------------------------------------------------------------------


def test_a_batch_mixing_types_into_a_stored_field_keeps_the_valid_points(
    conn: str,
) -> None:
    """The server writes the points of the stored type and refuses the others
    with a field type conflict; so does the engine, naming the lines."""
    manager = Untyped.series.using(conn)
    manager.bulk_create([Untyped(time=T0, v=1.0)])
    with pytest.raises(FieldTypeConflictError) as info:
        manager.bulk_create(
            [
                Untyped(time=T0 + 1, v=2.0),
                Untyped(time=T0 + 2, v=True),
                Untyped(time=T0 + 3, v="x"),
                Untyped(time=T0 + 4, v=5.0),
            ]
        )
    error = info.value
    assert error.dropped == 2
    assert error.written == 0
    assert "(the other points were written)" in str(error)
    assert 'input field "v" on measurement "untyped" is type boolean' in error.reason
    assert "already exists as type float" in error.reason
    rejected = {f"untyped v=true {T0 + 2}", f'untyped v="x" {T0 + 3}'}
    assert set(error.lines) <= rejected
    if is_engine(conn):
        assert error.lines == (f"untyped v=true {T0 + 2}", f'untyped v="x" {T0 + 3}')
        assert str(error) == (
            "The embedded engine rejected 2 of 4 points because of a field type "
            "conflict (the other points were written): partial write: field type "
            'conflict: input field "v" on measurement "untyped" is type boolean, '
            "already exists as type float dropped=2."
        )
    assert points(conn) == [(T0, 1.0), (T0 + 1, 2.0), (T0 + 4, 5.0)]


def test_conflicts_in_two_fields_name_the_first_refused_point(conn: str) -> None:
    """The server names one reason: the first refused point's first field
    of another type, whichever fields later points conflict in."""
    manager = TwoFields.series.using(conn)
    manager.bulk_create([TwoFields(time=T0, v=1.5, w=1.5)])
    with pytest.raises(FieldTypeConflictError) as info:
        manager.bulk_create(
            [
                TwoFields(time=T0 + 1, v=2.5, w="x"),
                TwoFields(time=T0 + 2, v=True, w=2.5),
            ]
        )
    assert info.value.reason == (
        'partial write: field type conflict: input field "w" on measurement '
        '"untyped" is type string, already exists as type float dropped=2'
    )
    assert points(conn) == [(T0, 1.5)]


def test_a_batch_of_only_conflicting_points_writes_none(conn: str) -> None:
    manager = Untyped.series.using(conn)
    manager.bulk_create([Untyped(time=T0, v=1.0)])
    with pytest.raises(FieldTypeConflictError) as info:
        manager.bulk_create([Untyped(time=T0 + 1, v="x")])
    assert info.value.dropped == 1
    assert info.value.lines == (f'untyped v="x" {T0 + 1}',)
    assert "(no point was written)" in str(info.value)
    assert points(conn) == [(T0, 1.0)]


def test_a_new_field_of_a_stored_measurement_takes_the_batch_first_type(
    conn: str,
) -> None:
    """On a stored measurement, a new field's first value in the batch sets
    its type; later points giving another are refused, the rest written."""
    Untyped.series.using(conn).bulk_create([Untyped(time=T0, v=1.0)])
    with pytest.raises(FieldTypeConflictError) as info:
        influxpy.connections[conn].write_lines(
            [f"untyped w=1.5 {T0 + 1}", f"untyped w=true {T0 + 2}", f"untyped v=3 {T0}"]
        )
    assert info.value.dropped == 1
    assert info.value.lines == (f"untyped w=true {T0 + 2}",)
    assert "is type boolean, already exists as type float" in info.value.reason
    stored = [
        (p["time"], p["v"], p["w"])
        for r in TwoFields.series.using(conn).epoch()
        for p in r.points
    ]
    assert stored == [(T0, 3.0, None), (T0 + 1, None, 1.5)]


def test_the_batch_writer_hands_on_only_the_refused_lines(conn: str) -> None:
    """``on_error`` and ``BatchWriteError`` get the refused lines, not the
    whole batch, so the points the store kept are not written twice."""
    Untyped.series.using(conn).bulk_create([Untyped(time=T0, v=1.0)])
    reported: list[list[str]] = []
    writer = Untyped.series.using(conn).batch_writer(
        batch_size=10, on_error=lambda _exc, lines: reported.append(lines)
    )
    for n in range(1, 6):
        writer.add(Untyped(time=T0 + n, v="bad" if n == 3 else float(n)))
    with pytest.raises(BatchWriteError) as info:
        writer.close()
    assert reported == [[f'untyped v="bad" {T0 + 3}']]
    assert info.value.lines == (f'untyped v="bad" {T0 + 3}',)
    assert (writer.written, writer.failed) == (4, 1)
    assert len(points(conn)) == 5


# -- a type conflict in a shard group the write creates ---------------------------


def other_points(conn: str) -> list[tuple[int, Any]]:
    """``(time, x)`` of every point of the measurement ``other``."""
    result = influxpy.connections[conn].query(
        'SELECT x FROM "other"',
        database=influxpy.connections[conn].database,
        epoch="ns",
    )
    return [(p["time"], p["x"]) for r in result for p in r.points]


def test_a_conflict_in_a_created_shard_group_refuses_the_write_there(
    conn: str,
) -> None:
    """Points of one request in a shard group it creates give a field two
    types: InfluxDB refuses every point of the request in that group (other
    measurements included), answers a bare ``field type conflict`` and
    writes the request's points in other groups."""
    lines = [
        f"untyped v=true {T0}",
        f"untyped v=1.5 {T0 + 1}",
        f"other x=1 {T0 + 2}",
        "not a line",
        f"untyped v=2.5 {LATER}",
        f"other x=2 {LATER + 1}",
    ]
    with pytest.raises(FieldTypeConflictError) as info:
        influxpy.connections[conn].write_lines(lines)
    error = info.value
    assert error.reason == "field type conflict"
    assert "field type conflict" in str(error)
    assert "no point was written" not in str(error)
    assert settled(lambda: points(conn), [(LATER, 2.5)]) == [(LATER, 2.5)]
    assert settled(lambda: other_points(conn), [(LATER + 1, 2.0)]) == [(LATER + 1, 2.0)]
    if is_engine(conn):
        assert error.lines == tuple(lines[:4])
        assert (error.dropped, error.written) == (3, 2)
        assert str(error) == (
            "The embedded engine refused 4 of 6 lines (the other 2 points were "
            "written), as InfluxDB answers: field type conflict (the points of "
            "the write in a shard group gave a field two types where the write "
            "created the group, or two fields not stored yet two types each, so "
            "InfluxDB refuses every point of the write in that group)."
        )


def test_a_shard_group_a_refused_write_created_exists_afterwards(conn: str) -> None:
    """InfluxDB keeps the group it created for a refused write: a later
    conflict in it drops only the points of the other type."""
    backend = influxpy.connections[conn]
    with pytest.raises(FieldTypeConflictError):
        backend.write_lines([f"untyped v=1.5 {T0}", f"untyped v=true {T0 + 1}"])
    with pytest.raises(FieldTypeConflictError) as info:
        backend.write_lines([f"untyped v=2.5 {T0 + 2}", f"untyped v=true {T0 + 3}"])
    assert info.value.reason.startswith("partial write: field type conflict: ")
    assert info.value.reason.endswith(" dropped=1")
    assert points(conn) == [(T0 + 2, 2.5)]


def test_a_conflict_in_a_shard_group_holding_points_drops_only_them(
    conn: str,
) -> None:
    """A group holding a point of any measurement exists: a new measurement's
    field given two types there loses only the points of the second type."""
    backend = influxpy.connections[conn]
    backend.write_lines([f"other x=1 {T0}"])
    with pytest.raises(FieldTypeConflictError) as info:
        backend.write_lines([f"untyped v=1.5 {T0 + 1}", f"untyped v=true {T0 + 2}"])
    assert info.value.reason.endswith(" dropped=1")
    assert info.value.lines == (f"untyped v=true {T0 + 2}",)
    assert points(conn) == [(T0 + 1, 1.5)]


def test_two_new_fields_given_two_types_in_an_existing_group_refuse_it(
    conn: str,
) -> None:
    """In a group that exists, two fields the request brings, each given two
    types, refuse every point of the request in that group, as a created
    group does; one such field drops only the points of its other type."""
    backend = influxpy.connections[conn]
    backend.write_lines([f"other x=1 {T0}", f"other x=2 {LATER}"])
    lines = [
        f"untyped v=1.5 {T0 + 1}",
        f"untyped v=true {T0 + 2}",
        f"untyped w=1.5 {T0 + 3}",
        f'untyped w="s" {T0 + 4}',
        f"other x=3 {T0 + 5}",
        f"other x=4 {LATER + 1}",
    ]
    with pytest.raises(FieldTypeConflictError) as info:
        backend.write_lines(lines)
    assert info.value.reason == "field type conflict"
    assert points(conn) == []
    others = [(T0, 1.0), (LATER, 2.0), (LATER + 1, 4.0)]
    assert settled(lambda: other_points(conn), others) == others
    if is_engine(conn):
        assert info.value.lines == tuple(lines[:5])


def test_a_conflict_among_new_fields_is_named_before_other_drops(conn: str) -> None:
    """The storage names the first dropped point's reason, except a conflict
    among the values of a field the request brings, named first."""
    backend = influxpy.connections[conn]
    backend.write_lines([f"untyped v=1.5 {T0}"])
    lines = [
        f"untyped v=true {T0 + 1}",
        f"untyped w=1i {T0 + 2}",
        f"untyped w=2.5 {T0 + 3}",
    ]
    with pytest.raises(FieldTypeConflictError) as info:
        backend.write_lines(lines)
    assert info.value.reason == (
        'partial write: field type conflict: input field "w" on measurement '
        '"untyped" is type float, already exists as type integer dropped=2'
    )
    assert points(conn) == [(T0, 1.5), (T0 + 2, None)]


def test_bulk_create_with_two_types_in_a_created_shard_group(conn: str) -> None:
    """``bulk_create`` of an untyped field: each batch is one request."""
    manager = Untyped.series.using(conn)
    assert manager.bulk_create([Untyped(time=LATER, v=1.0)]) == 1
    batch = [
        Untyped(time=T0, v=1.0),
        Untyped(time=T0 + 1, v="x"),
        Untyped(time=LATER + 1, v=2.0),
    ]
    with pytest.raises(FieldTypeConflictError) as info:
        manager.bulk_create(batch)
    assert info.value.reason == "field type conflict"
    assert info.value.written == 0
    stored = [(LATER, 1.0), (LATER + 1, 2.0)]
    assert settled(lambda: points(conn), stored) == stored
    if is_engine(conn):
        assert info.value.lines == (
            f"untyped v=1.0 {T0}",
            f'untyped v="x" {T0 + 1}',
        )
        assert info.value.dropped == 2


def test_write_dataframe_with_two_types_in_a_created_shard_group() -> None:
    """The engine's frame path applies the same rule. (The HTTP backend's
    encoder refuses a frame column of mixed types before sending it.)"""
    import pandas as pd

    conn = "frames-duckdb"
    influxpy.connect("duckdb://:memory:", alias=conn)

    frame = pd.DataFrame(
        {"v": [True, 1.5, 2.5]},
        index=pd.to_datetime([T0, T0 + 1, LATER], unit="ns", utc=True),
    )
    try:
        with pytest.raises(FieldTypeConflictError) as info:
            Untyped.series.using(conn).write_dataframe(frame)
        assert info.value.reason == "field type conflict"
        assert info.value.lines == (f"untyped v=true {T0}", f"untyped v=1.5 {T0 + 1}")
        assert points(conn) == [(LATER, 2.5)]
    finally:
        influxpy.connections[conn].close()


# -- values and names the line protocol cannot carry ---------------------------


@pytest.mark.parametrize(
    "point",
    [
        Text(time=T0, s="a\ud800b"),
        Text(time=T0, s="ok", host="h\udfff"),
        Untyped(time=T0, v="\ud83d"),
    ],
    ids=["string field", "tag", "untyped field"],
)
def test_a_lone_surrogate_is_refused_naming_the_value(conn: str, point: Any) -> None:
    """Not valid UTF-8: a ``LineProtocolError`` names the key and the value."""
    with pytest.raises(LineProtocolError, match="lone surrogate") as info:
        type(point).series.using(conn).bulk_create([point])
    assert info.value.key in ("s", "host", "v")
    assert "\\ud8" in str(info.value) or "\\udf" in str(info.value)
    assert points(conn, type(point) if type(point) is Untyped else Untyped) == []


def test_a_lone_surrogate_in_lines_is_refused_by_the_engine() -> None:
    backend = influxpy.connect("duckdb://:memory:", alias="surrogate-lines")
    try:
        for line in ['m s="a\ud800" 1', "m,h=\ud800 v=1 1", "m\ud800 v=1 1"]:
            with pytest.raises(LineProtocolError, match="lone surrogate"):
                backend.write_lines([line])
        with pytest.raises(LineProtocolError, match=r"field 's' .*'a\\ud800'"):
            backend.write_lines(['m s="a\ud800" 1'])
        assert backend.write_lines(['m s="é" 1']) == 1
    finally:
        backend.close()


def _key_point(total: int, field: str = "v") -> Text:
    """A point whose series key + 4 + field key take *total* bytes."""
    # "text,host=" + value, then 4 bytes, then the field key.
    value = "x" * (total - len("text,host=") - 4 - len(field))
    return Text(time=T0, s="ok", host=value)


def test_series_key_and_field_key_limit(conn: str) -> None:
    """InfluxDB refuses a point when its escaped series key, 4 bytes and a
    field key take more than 65535 bytes; both backends refuse it before
    writing, and store the largest point it accepts."""
    manager = Text.series.using(conn)
    with pytest.raises(LineProtocolError, match="65536 bytes") as info:
        manager.bulk_create([_key_point(MAX_KEY_BYTES + 1, "s")])
    assert "limit of 65535 bytes" in str(info.value)
    assert manager.bulk_create([_key_point(MAX_KEY_BYTES, "s")]) == 1
    assert manager.count() == 1


def test_series_key_limit_counts_escapes_and_utf8_bytes(conn: str) -> None:
    """An escaped comma counts two bytes, an é two: 65536 bytes refused."""
    manager = Text.series.using(conn)
    filler = "x" * (MAX_KEY_BYTES - len("text,host=") - 4 - 1 - 2)
    with pytest.raises(LineProtocolError):
        manager.bulk_create([Text(time=T0, s="ok", host=filler + ",x")])
    with pytest.raises(LineProtocolError):
        manager.bulk_create([Text(time=T0, s="ok", host=filler + "éx")])
    assert manager.bulk_create([Text(time=T0, s="ok", host=filler + "é")]) == 1
    assert manager.count() == 1


def test_lines_over_the_key_limit_are_refused_by_both() -> None:
    """Lines the server refuses with ``max key length exceeded``."""
    line = "m,t=" + "a" * (MAX_KEY_BYTES - 4 - 4 - 1 + 1) + " v=1 1"
    backend = influxpy.connect("duckdb://:memory:", alias="key-lines")
    try:
        # As influxd answers /write: 400 "unable to parse '<line>': max key
        # length exceeded: 65536 > 65535", nothing stored.
        with pytest.raises(PartialWriteError, match="max key length exceeded") as info:
            backend.write_lines([line])
        assert info.value.written == 0
        accepted = "m,t=" + "a" * (MAX_KEY_BYTES - 4 - 4 - 1) + " v=1 1"
        assert backend.write_lines([accepted]) == 1
    finally:
        backend.close()


def test_lines_over_the_key_limit_are_refused_by_the_server(influx_url: str) -> None:
    backend = influxpy.connect(influx_url, alias="key-lines-server")
    try:
        line = "m,t=" + "a" * (MAX_KEY_BYTES - 4 - 4 - 1 + 1) + " v=1 1"
        with pytest.raises(PartialWriteError, match="max key length exceeded"):
            backend.write_lines([line])
        accepted = "m,t=" + "a" * (MAX_KEY_BYTES - 4 - 4 - 1) + " v=1 1"
        assert backend.write_lines([accepted]) == 1
    finally:
        backend.close()


def test_string_values_over_the_encoder_limit_are_refused(conn: str) -> None:
    """The line-protocol encoder refuses strings over 1 MiB (newer servers
    do); the engine refuses the same values."""
    manager = Text.series.using(conn)
    with pytest.raises(LineProtocolError, match="limited to 1048576 bytes"):
        manager.bulk_create([Text(time=T0, s="x" * (MAX_STRING_FIELD_BYTES + 1))])
    assert manager.bulk_create([Text(time=T0, s="x" * MAX_STRING_FIELD_BYTES)]) == 1
    assert manager.count() == 1


def test_long_strings_in_lines_are_stored_as_the_server_stores_them(
    conn: str,
) -> None:
    """InfluxDB 1.6.7 itself stores strings over 1 MiB; so does the engine."""
    backend = influxpy.connections[conn]
    text = "y" * (2 * MAX_STRING_FIELD_BYTES)
    assert backend.write_lines([f'text s="{text}" {T0}']) == 1
    stored = [p["s"] for r in Text.series.using(conn).epoch() for p in r.points]
    assert stored == [text]


# -- databases -------------------------------------------------------------------------


def test_queries_on_a_missing_database_raise(conn: str) -> None:
    """The server answers ``database not found``; the engine raises the same
    ``DatabaseNotFoundError`` instead of an empty answer."""
    qs = Untyped.series.using(conn).database("nosuch_db")
    with pytest.raises(DatabaseNotFoundError, match="'nosuch_db' does not exist"):
        qs.count()
    with pytest.raises(DatabaseNotFoundError):
        list(qs)
    with pytest.raises(DatabaseNotFoundError):
        list(qs.iterator())


async def test_async_queries_on_a_missing_database_raise(conn: str) -> None:
    with pytest.raises(DatabaseNotFoundError):
        await Untyped.series.using(conn).database("nosuch_db").acount()


# -- quirks ----------------------------------------------------------------------------


@pytest.fixture
def both(influx_url: str) -> Iterator[tuple[str, str]]:
    """The server and the engine side by side."""
    server = influxpy.connect(influx_url, alias="writes-influxdb")
    engine = influxpy.connect("duckdb://:memory:", alias="writes-duckdb")
    try:
        yield "writes-influxdb", "writes-duckdb"
    finally:
        server.close()
        engine.close()


def test_quirk_field_types_are_per_shard_on_the_server(both: tuple[str, str]) -> None:
    """InfluxDB 1.6.7 checks a field's type per shard: a point a month later
    (another 7-day shard group) may give it another type, and a query over
    both then returns the points of one type only. The engine keeps one
    type per field and refuses the point."""
    server, engine = both
    for alias in both:
        Untyped.series.using(alias).bulk_create([Untyped(time=T0, v=1.5)])
    assert Untyped.series.using(server).bulk_create([Untyped(time=LATER, v=True)]) == 1
    assert points(server) == [(T0, 1.5)]
    later = Untyped.series.using(server).filter(time__gte=LATER)
    assert [(p["time"], p["v"]) for r in later.epoch() for p in r.points] == [
        (LATER, True)
    ]
    with pytest.raises(FieldTypeConflictError) as info:
        Untyped.series.using(engine).bulk_create([Untyped(time=LATER, v=True)])
    assert info.value.lines == (f"untyped v=true {LATER}",)
    assert points(engine) == [(T0, 1.5)]


def test_quirk_conflicts_in_two_shard_groups_name_one_group(
    both: tuple[str, str],
) -> None:
    """Points of one request dropped for type conflicts in two existing
    shard groups: the server answers the error of whichever shard's write
    ended first (its reason and its ``dropped`` alone, the other group's
    drops uncounted). The engine names the first conflict and counts every
    dropped point."""
    server, engine = both
    lines = [
        f"untyped v=2.5 {T0 + 1}",
        f"untyped v=true {T0 + 2}",
        f"untyped v=true {T0 + 3}",
        f"untyped v=3.5 {LATER + 1}",
        f"untyped v=true {LATER + 2}",
    ]
    errors = {}
    for alias in both:
        backend = influxpy.connections[alias]
        backend.write_lines([f"untyped v=1.5 {T0}", f"untyped v=1.5 {LATER}"])
        with pytest.raises(FieldTypeConflictError) as info:
            backend.write_lines(lines)
        errors[alias] = info.value
        expected = [T0, T0 + 1, LATER, LATER + 1]
        # The server answers at the first shard's error, while the other
        # shard's write may still be going on: its points come a moment later.
        deadline = time.monotonic() + 10
        while alias == server and len(points(alias)) < len(expected):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [t for t, _v in points(alias)] == expected
    assert errors[server].reason.endswith((" dropped=2", " dropped=1"))
    assert errors[engine].reason.endswith(" dropped=3")
    assert errors[engine].lines == tuple(line for line in lines if "v=true" in line)


def test_quirk_a_refused_write_leaves_its_new_fields_on_the_server(
    both: tuple[str, str],
) -> None:
    """The server creates the fields of a request's points before refusing
    them all (two new fields given two types each in a group that exists):
    ``SELECT *`` then lists them as columns of nulls. The engine stores
    nothing of the refused points, their fields neither."""
    for alias in both:
        backend = influxpy.connections[alias]
        backend.write_lines([f"untyped v=1.5 {T0}"])
        with pytest.raises(FieldTypeConflictError):
            backend.write_lines(
                [
                    f"untyped q=1i {T0 + 1}",
                    f"untyped q=2.5 {T0 + 2}",
                    f"untyped r=1i {T0 + 3}",
                    f"untyped r=true {T0 + 4}",
                ]
            )
    columns = {}
    for alias in both:
        backend = influxpy.connections[alias]
        [result] = backend.query("SELECT * FROM untyped", epoch="ns")
        columns[alias] = sorted(result.points[0])
    server, engine = both
    assert columns[server] == ["q", "r", "time", "v"]
    assert columns[engine] == ["time", "v"]


def test_dropped_counts_as_the_server_counts_beside_a_new_field_conflict(
    both: tuple[str, str],
) -> None:
    """A request whose points give a field it brings two types, after other
    drops (a field named ``time``, a conflict with a stored field): the
    server's storage checks the points a second time and answers the drops
    of that check alone in ``dropped=`` (here 2 of the 3 points it drops).
    The engine answers the same count and keeps the same points."""
    lines = [
        f"untyped time=1 {T0 + 1}",
        f"untyped v=true {T0 + 2}",
        f"untyped w=1i {T0 + 3}",
        f"untyped w=2.5 {T0 + 4}",
    ]
    reasons = {}
    for alias in both:
        backend = influxpy.connections[alias]
        backend.write_lines([f"untyped v=1.5 {T0}"])
        with pytest.raises(FieldTypeConflictError) as info:
            backend.write_lines(lines)
        reasons[alias] = info.value.reason
        assert points(alias) == [(T0, 1.5), (T0 + 3, None)]
    server, engine = both
    conflict = (
        'partial write: field type conflict: input field "w" on measurement '
        '"untyped" is type float, already exists as type integer'
    )
    assert reasons[server] == reasons[engine] == f"{conflict} dropped=2"
