"""Reading and writing the files of ``influxpy import`` and ``export``.

Database-free checks of the readers and the CSV writer, plus the batch
splitting of an import on the embedded engine.
"""

from __future__ import annotations

import io

import pytest

import influxpy
from influxpy._export import CSVWriter
from influxpy._transfer import (
    import_records,
    likely_precision,
    read_csv,
    read_line_protocol,
)
from influxpy.exceptions import LineProtocolError


def lines(text: str) -> list[bytes]:
    return text.encode("utf-8").splitlines(keepends=True)


def test_line_protocol_reader_numbers_records_and_joins_open_strings():
    """Comments and blanks are skipped; a string may span lines."""
    records = list(
        read_line_protocol(
            lines('# c\n\nm v=1 1\nm s="a\nb",v=2 2\nm,t= v=3\n  m v=4i 4\n')
        )
    )
    assert [(r.line_number, r.point, r.error) for r in records] == [
        (3, ("m", {}, {"v": 1.0}, 1), None),
        (4, ("m", {}, {"s": "a\nb", "v": 2.0}, 2), None),
        (6, None, "the tag 't' has no value"),
        (7, ("m", {}, {"v": 4}, 4), None),
    ]
    assert next(iter(read_line_protocol([b"m v=1 \xff\n"]))).error == (
        "the line is not valid UTF-8"
    )
    unclosed = list(read_line_protocol(lines('m s="x\nm v=1 1\n')))
    assert [(r.line_number, r.error) for r in unclosed] == [
        (1, "a string value is never closed")
    ]


def test_csv_reader_keeps_quoting_and_types():
    """Quoted cells are strings, ``""`` is an empty string, empty is no value."""
    text = (
        'measurement,time,host:tag,n,f,s,b,forced:integer,"a,b"\n'
        '"m",1970-01-01T00:00:01Z,"x",3,1.0,"7",true,5,""\n'
        'm,2,,,,"two\nlines",,,\n'
    )
    records = list(read_csv(lines(text)))
    assert [(r.line_number, r.point) for r in records] == [
        (
            2,
            (
                "m",
                {"host": "x"},
                {"n": 3, "f": 1.0, "s": "7", "b": True, "forced": 5, "a,b": ""},
                1_000_000_000,
            ),
        ),
        (3, ("m", {}, {"s": "two\nlines"}, 2)),
    ]


def test_csv_reader_reports_bad_rows():
    """Rows with wrong cell counts, bad values or no field are refused."""
    text = "time,v:float,t:tag\n1,x,a\n2,,a\n3\n4,1,a\n"
    records = list(read_csv(lines(text), measurement="m"))
    assert [(r.line_number, r.error) for r in records] == [
        (2, "the column 'v': could not convert string to float: 'x'"),
        (3, "the row has no field value"),
        (4, "the row has 1 cells, the header 3"),
        (5, None),
    ]
    with pytest.raises(LineProtocolError, match="no 'measurement' column"):
        list(read_csv(lines("time,v\n1,2\n")))
    unclosed = list(read_csv(lines('time,v\n1,"x\n'), measurement="m"))
    assert unclosed[0].error == "a quoted cell is never closed"


def test_csv_delimiter_is_the_one_the_header_uses_outside_quotes():
    """Delimiters inside quoted names do not count; a tie is refused."""
    text = 'measurement;"a,b,c";time\nm;1;5\n'
    [record] = read_csv(lines(text))
    assert record.point == ("m", {}, {"a,b,c": 1}, 5)
    [piped] = read_csv(lines("measurement|v\nm|1.5\n"))
    assert piped.point == ("m", {}, {"v": 1.5}, None)
    [single] = read_csv(lines("v\n2\n"), measurement="m")
    assert single.point == ("m", {}, {"v": 2}, None)
    with pytest.raises(LineProtocolError, match="1 each of commas and tabs"):
        list(read_csv(lines("measurement,v\tw\n")))
    told_lines = lines("measurement,v\tw\nm,1\t2\n")
    [told] = read_csv(told_lines, measurement="m", delimiter="\t")
    assert told.point == ("m", {}, {"measurement,v": "m,1", "w": 2}, None)


def test_precision_applies_to_integer_times_only():
    """Integers are scaled and kept as written; RFC 3339 times are exact."""
    text = "measurement,time,v\nm,2,1\nm,1970-01-01T00:00:03Z,1\n"
    records = list(read_csv(lines(text), precision="ms"))
    assert [(r.point[3] if r.point else None, r.epoch) for r in records] == [
        (2_000_000, 2),
        (3_000_000_000, None),
    ]
    [point] = read_line_protocol(lines("m v=1 7\n"), precision="us")
    assert (point.point, point.epoch) == (("m", {}, {"v": 1.0}, 7_000), 7)
    with pytest.raises(ValueError, match="precision 'h' is not one of"):
        list(read_line_protocol(lines("m v=1 7\n"), precision="h"))


def test_likely_precision_names_a_unit_only_when_it_gives_a_plausible_date():
    """Seconds, milliseconds and microseconds of 1973 to 2262; else None."""
    assert likely_precision(1_704_067_200) == "s"
    assert likely_precision(1_704_067_200_000) == "ms"
    assert likely_precision(1_704_067_200_000_000) == "us"
    assert likely_precision(1_704_067_200_000_000_000) is None
    assert [likely_precision(n) for n in (0, 1, 4, 99_999_999, -5)] == [None] * 5
    assert likely_precision(10**10) is None  # year 2286 in seconds; 1970 in ms


def test_csv_writer_output_reads_back():
    """Keys that look like the special columns are marked as fields."""
    out = io.StringIO()
    writer = CSVWriter(out, ["t"], ["measurement", "a:tag", "s", "b", "i"])
    writer.write("m", {"t": 'x"y'}, {"measurement": 1.5, "a:tag": 2, "s": ""}, 5)
    writer.write("m", {}, {"b": False, "i": -3}, 6)
    assert out.getvalue() == (
        "measurement,time,t:tag,measurement:field,a:tag:field,s,b,i\n"
        '"m",1970-01-01T00:00:00.000000005Z,"x""y",1.5,2,"",,\n'
        '"m",1970-01-01T00:00:00.000000006Z,,,,,false,-3\n'
    )
    records = list(read_csv(lines(out.getvalue())))
    assert [r.point for r in records] == [
        ("m", {"t": 'x"y'}, {"measurement": 1.5, "a:tag": 2, "s": ""}, 5),
        ("m", {}, {"b": False, "i": -3}, 6),
    ]


def test_import_splits_a_refused_batch_until_the_bad_point_is_found():
    """On the engine too, a type conflict costs only the conflicting point."""
    backend = influxpy.connect("duckdb://:memory:", alias="transfer")
    try:
        backend.write_lines(["m v=1.5 1"])
        records = read_line_protocol(
            lines("m v=2.5 2\nm v=3i 3\nother w=1 4\nm v=4.5 5\n"), precision="s"
        )
        report = import_records(backend, records, batch_size=10)
        assert report.written == 3
        assert report.read == 4
        assert [(r.line_number, r.error) for r in report.rejected] == [
            (
                2,
                (
                    'field type conflict: input field "v" on measurement "m" is '
                    "type integer, already exists as type float"
                ),
            )
        ]
        found = list(backend.execute(backend.get_compiler().compile(_all("m"))))
        assert [row[0] for row in found[0].values] == [
            1,
            2_000_000_000,
            5_000_000_000,
        ]
    finally:
        backend.close()


def _all(measurement: str) -> object:
    from influxpy.query import Query, Source

    return Query(Source(measurement))
