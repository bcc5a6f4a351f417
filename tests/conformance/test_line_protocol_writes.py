"""Line-protocol bodies on both backends: partial writes as InfluxDB 1.6.7 answers.

Each test writes the same lines with ``write_lines`` once to the server and
once to the engine (the ``conn`` fixture) and expects the same error, the
same server text in ``reason``, the same refused lines and the same points
stored (reference §1.8).
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, rows
from influxpy.exceptions import (
    DatabaseNotFoundError,
    FieldTypeConflictError,
    PartialWriteError,
)

M = "conformance"


def write_lines(conn: str, *lines: str) -> int:
    return influxpy.get_connection(conn).write_lines(list(lines))


def stored(conn: str) -> list[dict[str, object]]:
    return rows(Reading.series.using(conn).only("v", "n", "s", "ok"))


def test_unparsable_lines_leave_the_others_stored(conn: str) -> None:
    """§1.8: the good lines are written; the bad ones are named, dropped=0."""
    with pytest.raises(PartialWriteError) as info:
        write_lines(
            conn,
            f"{M} v=1 {at(0)}",
            f"{M} v= {at(1)}",
            f"{M} v=2,n=3i {at(2)}",
            f"{M},host v=4 {at(3)}",
        )
    error = info.value
    assert type(error) is PartialWriteError
    assert error.reason == (
        f"partial write: unable to parse '{M} v= {at(1)}': missing field value\n"
        f"unable to parse '{M},host v=4 {at(3)}': missing tag value dropped=0"
    )
    assert error.lines == (f"{M} v= {at(1)}", f"{M},host v=4 {at(3)}")
    assert error.dropped == 0
    assert stored(conn) == [
        {"time": at(0), "v": 1.0, "n": None, "s": None, "ok": None},
        {"time": at(2), "v": 2.0, "n": 3, "s": None, "ok": None},
    ]


def test_a_body_of_unparsable_lines_writes_nothing(conn: str) -> None:
    """§1.8: every line unparsable: the reasons joined, no "partial write"."""
    with pytest.raises(PartialWriteError) as info:
        write_lines(conn, f"{M} v=1x {at(0)}", f"{M} v=tRUE {at(1)}")
    assert info.value.reason == (
        f"unable to parse '{M} v=1x {at(0)}': invalid number\n"
        f"unable to parse '{M} v=tRUE {at(1)}': invalid boolean"
    )
    assert info.value.written == 0
    assert stored(conn) == []


def test_a_tag_named_time_drops_its_point(conn: str) -> None:
    """§1.6: a tag key ``time`` is dropped and counted; the rest is stored."""
    with pytest.raises(PartialWriteError) as info:
        write_lines(conn, f"{M},time=x v=1 {at(0)}", f"{M} v=2 {at(1)}")
    assert info.value.reason == (
        f'partial write: invalid tag key: input tag "time" on measurement "{M}" '
        "is invalid dropped=1"
    )
    assert info.value.dropped == 1
    assert [p["v"] for p in stored(conn)] == [2.0]


def test_a_field_named_time_is_dropped_or_drops_its_point(conn: str) -> None:
    """§1.6: beside other fields it is ignored; alone, the point is dropped."""
    with pytest.raises(PartialWriteError) as info:
        write_lines(conn, f"{M} time=1,v=1 {at(0)}", f"{M} time=2 {at(1)}")
    assert info.value.reason == (
        f'partial write: invalid field name: input field "time" on measurement '
        f'"{M}" is invalid dropped=1'
    )
    assert [p["v"] for p in stored(conn)] == [1.0]


def test_a_type_conflict_hides_the_parse_errors(conn: str) -> None:
    """§1.8: the storage's partial write is the answer, parse errors unsaid."""
    write_lines(conn, f"{M} n=1i {at(0)}")
    with pytest.raises(FieldTypeConflictError) as info:
        write_lines(conn, f"{M} n=2 {at(1)}", "bad", f"{M} n=3i {at(2)}")
    assert info.value.reason == (
        f'partial write: field type conflict: input field "n" on measurement "{M}" '
        "is type float, already exists as type integer dropped=1"
    )
    assert info.value.dropped == 1
    assert [p["n"] for p in stored(conn)] == [1, 3]


def test_duplicate_fields_in_a_line_keep_the_last(conn: str) -> None:
    """§1.1: ``f=7,f=8`` stores 8."""
    write_lines(conn, f"{M} v=7,v=8,n=1i,n=2i {at(0)}")
    assert stored(conn) == [{"time": at(0), "v": 8.0, "n": 2, "s": None, "ok": None}]


def test_values_of_every_form_read_as_the_server_reads_them(conn: str) -> None:
    """§1.3: float forms, booleans in every accepted spelling, strings."""
    forms = ["1", "-0", "01", ".5", "-.5", "1.", "1e-3", "1.5E3"]
    booleans = ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False"]
    lines = [f"{M} v={text} {at(k)}" for k, text in enumerate(forms)]
    lines += [f"{M} ok={text} {at(10 + k)}" for k, text in enumerate(booleans)]
    lines.append(f'{M} s="a \\"b\\" \\\\ c\\d, e=f" {at(30)}')
    write_lines(conn, *lines)
    points = stored(conn)
    assert [p["v"] for p in points[: len(forms)]] == [
        1.0,
        -0.0,
        1.0,
        0.5,
        -0.5,
        1.0,
        0.001,
        1500.0,
    ]
    assert [p["ok"] for p in points[len(forms) : -1]] == [True] * 5 + [False] * 4
    assert points[-1]["s"] == 'a "b" \\ c\\d, e=f'


def test_a_missing_database_is_not_created(conn: str) -> None:
    """§1.8: 404 ``database not found``; nothing is created."""
    backend = influxpy.get_connection(conn)
    with pytest.raises(DatabaseNotFoundError):
        backend.write_lines([f"{M} v=1 {at(0)}"], database="lp_no_such_db")
    assert "lp_no_such_db" not in backend.list_databases()


def test_the_storage_names_one_reason_for_the_points_it_drops(conn: str) -> None:
    """The first dropped point's reason, but a tag named time always wins."""
    write_lines(conn, f"{M} n=1i {at(0)}")
    bodies = [
        ([f"{M} n=2.5 {at(1)}", f"{M},time=x n=5i {at(2)}"], "invalid tag key"),
        ([f"{M} time=1 {at(3)}", f"{M} n=2.5 {at(4)}"], "invalid field name"),
        ([f"{M} n=2.5 {at(5)}", f"{M} time=1 {at(6)}"], "field type conflict"),
    ]
    for lines, reason in bodies:
        with pytest.raises(PartialWriteError) as info:
            write_lines(conn, *lines)
        assert info.value.reason.startswith(f"partial write: {reason}: ")
        assert info.value.reason.endswith(" dropped=2")
        conflict = reason == "field type conflict"
        assert isinstance(info.value, FieldTypeConflictError) is conflict
    assert [p["n"] for p in stored(conn)] == [1]


def test_write_lines_takes_a_string_as_a_body_of_lines(conn: str) -> None:
    """A string given to ``write_lines()`` is its lines, not its characters
    (each of which would be refused as a line without fields)."""
    backend = influxpy.get_connection(conn)
    assert (
        backend.write_lines("lines_body v=1 1000000000\nlines_body v=2 2000000000") == 2
    )
    (result,) = list(backend.statements("SELECT v FROM lines_body"))
    assert [list(row) for row in result.series[0].values] == [
        [1_000_000_000, 1.0],
        [2_000_000_000, 2.0],
    ]
