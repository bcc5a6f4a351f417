"""Line protocol encoding: escaping, value formatting and refusals of points.

These pure tests pin the exact text ``influxpy.lineprotocol`` emits. The
compiled encoder and the column path are tested in
``test_lineprotocol_encoder.py``; what the real server stores of that text,
in ``test_lineprotocol_server.py``.
"""

from __future__ import annotations

import math
import struct
import sys
import time

import numpy as np
import pytest

from _lineprotocol import INT64_MAX, INT64_MIN, TIME_RANGE, refused
from influxpy.constants import MAX_STRING_FIELD_BYTES, MAX_TIME_NS, MIN_TIME_NS
from influxpy.exceptions import LineProtocolError
from influxpy.lineprotocol import (
    encode_point,
    escape_field_key,
    escape_measurement,
    escape_tag,
    format_field_value,
    format_string,
)

# -- escaping (reference §1.2) ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cpu", "cpu"),
        ("cpu load", r"cpu\ load"),
        ("cpu,load", r"cpu\,load"),
        ("a, b", r"a\,\ b"),
        (" lead", r"\ lead"),
        ("a=b", "a=b"),
        ('a"b', 'a"b'),
        (r"a\b", r"a\b"),
        (r"a\\b", r"a\\b"),
        ("a#", "a#"),
        ("a\tb", "a\tb"),
        ("çpu 😀", "çpu\\ 😀"),
    ],
)
def test_escape_measurement_escapes_only_comma_and_space(name, expected):
    """Measurements escape comma and space; ``=``, ``"`` and backslash stay."""
    assert escape_measurement(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("host", "host"),
        ("a b", r"a\ b"),
        ("a,b", r"a\,b"),
        ("a=b", r"a\=b"),
        ("a b,c=d", r"a\ b\,c\=d"),
        ('"x"', '"x"'),
        (r"a\b", r"a\b"),
        (r"a\"b", r"a\"b"),
        ("#", "#"),
        ("ünï 😀", "ünï\\ 😀"),
    ],
)
def test_escape_tag_escapes_comma_equals_and_space(text, expected):
    """Tag keys and values escape comma, ``=`` and space; the rest stays."""
    assert escape_tag(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("value", "value"),
        ("a b", r"a\ b"),
        ("a,b", r"a\,b"),
        ("a=b", r"a\=b"),
        (r"a\b", r"a\b"),
        (r"a\\,b", r"a\\\,b"),
        ("from", "from"),
        ("time2", "time2"),
    ],
)
def test_escape_field_key_escapes_comma_equals_and_space(text, expected):
    """Field keys escape comma, ``=`` and space; a backslash is kept."""
    assert escape_field_key(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", '""'),
        ("abc", '"abc"'),
        ('say "hi"', r'"say \"hi\""'),
        (r"a\b", r'"a\\b"'),
        ("\\", r'"\\"'),
        ('\\"', r'"\\\""'),
        (r"\n", r'"\\n"'),
        ("a\nb", '"a\nb"'),
        ("a,b=c d", '"a,b=c d"'),
    ],
)
def test_format_string_escapes_backslash_then_double_quote(value, expected):
    """String values escape backslash first, then the double quote."""
    assert format_string(value) == expected


# -- values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1.0"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"),
        (1e-300, "1e-300"),
        (1e300, "1e+300"),
        (-0.0, "-0.0"),
        (float(2**53 + 1), "9007199254740992.0"),
        (5e-324, "5e-324"),
        (sys.float_info.max, "1.7976931348623157e+308"),
        (123456789012345680.0, "1.2345678901234568e+17"),
    ],
)
def test_floats_use_the_shortest_round_trip_form(value, expected):
    """Floats are written with ``repr`` and parse back to the same bits."""
    text = format_field_value(value)

    assert text == expected
    assert struct.pack("<d", float(text)) == struct.pack("<d", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0i"),
        (-1, "-1i"),
        (42, "42i"),
        (INT64_MAX, "9223372036854775807i"),
        (INT64_MIN, "-9223372036854775808i"),
    ],
)
def test_integers_carry_the_i_suffix(value, expected):
    """Integer fields are written in full with the ``i`` suffix."""
    assert format_field_value(value, "integer") == expected


@pytest.mark.parametrize("value", [INT64_MAX + 1, INT64_MIN - 1, 10**30])
def test_integers_outside_int64_are_refused(value):
    """An integer that does not fit in 64 bits is refused, not wrapped."""
    message = (
        f"Cannot write field 'n' of measurement 'm': integers must fit in 64 "
        f"bits (got {value})."
    )
    with refused(message):
        format_field_value(value, "integer", measurement="m", key="n")
    with refused(message):
        encode_point("m", {"n": value}, None, 0)


@pytest.mark.parametrize(("value", "expected"), [(True, "true"), (False, "false")])
def test_booleans_are_written_as_words(value, expected):
    """Booleans become ``true`` and ``false`` for boolean and untyped fields."""
    assert format_field_value(value) == expected
    assert format_field_value(value, "boolean") == expected


def test_numpy_booleans_are_booleans():
    """A numpy ``bool_`` is written like a Python bool."""
    assert format_field_value(np.bool_(True), "boolean") == "true"
    assert format_field_value(np.bool_(False)) == "false"


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (3, "float", "3.0"),
        (3, "any", "3.0"),
        (np.float64(2.5), "float", "2.5"),
        (np.int64(7), "integer", "7i"),
        ("x", "any", '"x"'),
        ("x", "string", '"x"'),
    ],
)
def test_values_are_written_by_field_kind(value, kind, expected):
    """The field kind, not the Python type, decides the written type."""
    assert format_field_value(value, kind) == expected


@pytest.mark.parametrize(
    ("value", "kind", "why"),
    [
        ("x", "float", "a str cannot be written to a float field"),
        ("x", "boolean", "a str cannot be written to a boolean field"),
        (1.5, "integer", "an integer field takes a whole number"),
        (None, "float", "a float field takes a number"),
        (True, "string", "a bool cannot be written to a string field"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(value, kind, why):
    """A value that does not suit the field kind is refused with its name."""
    message = f"Cannot write field 'v' of measurement 'm': {why} (got {value!r})."
    with refused(message):
        format_field_value(value, kind, measurement="m", key="v")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_are_refused(value):
    """NaN and the infinities cannot be stored, so they are refused."""
    message = (
        "Cannot write field 'v' of measurement 'cpu': InfluxDB cannot store NaN "
        f"or infinite values (got {value!r})."
    )
    with refused(message):
        encode_point("cpu", {"v": value}, None, 0)
    with refused(message):
        format_field_value(value, "float", measurement="cpu", key="v")


def test_string_values_over_the_size_limit_are_refused():
    """A string longer than ``MAX_STRING_FIELD_BYTES`` in UTF-8 is refused."""
    longest = "x" * MAX_STRING_FIELD_BYTES
    assert encode_point("m", {"s": longest}, None, 0).endswith(f'"{longest}" 0')

    too_long = "é" * (MAX_STRING_FIELD_BYTES // 2 + 1)
    message = (
        "Cannot write field 's' of measurement 'm': string values are limited to "
        f"{MAX_STRING_FIELD_BYTES} bytes (got '<{len(too_long)} chars>')."
    )
    with refused(message):
        encode_point("m", {"s": too_long}, None, 0)


# -- whole points -----------------------------------------------------------


def test_encode_point_writes_sorted_tags_fields_and_time():
    """A point is measurement, sorted tags, fields in order, then the time."""
    line = encode_point(
        "cpu load",
        {"usage": 0.5, "count": 3, "ok": True, "note": 'say "hi"'},
        {"region": "eu west", "host": "a,b"},
        1_500_000_000_000_000_000,
    )

    assert line == (
        r"cpu\ load,host=a\,b,region=eu\ west "
        r'usage=0.5,count=3i,ok=true,note="say \"hi\"" 1500000000000000000'
    )


def test_none_fields_are_skipped():
    """Fields whose value is ``None`` are left out of the line."""
    assert encode_point("m", {"a": None, "b": 1.0, "c": None}, None, 5) == "m b=1.0 5"


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_tags_are_omitted(empty):
    """A tag whose value is ``None`` or ``''`` is omitted, not written empty."""
    line = encode_point("m", {"v": 1}, {"a": "x", "b": empty, "time": empty}, 5)

    assert line == "m,a=x v=1i 5"


@pytest.mark.parametrize("time_ns", [0, -1, 1, MIN_TIME_NS, MAX_TIME_NS])
def test_times_are_written_as_integer_nanoseconds(time_ns):
    """The time is written as integer nanoseconds, negative ones included."""
    assert encode_point("m", {"v": 1}, None, time_ns) == f"m v=1i {time_ns}"


def test_a_missing_time_is_stamped_with_now():
    """Without a time, the current time in nanoseconds is written."""
    before = time.time_ns()
    line = encode_point("m", {"v": 1})
    after = time.time_ns()

    assert before <= int(line.rsplit(" ", 1)[1]) <= after


@pytest.mark.parametrize("time_ns", [MIN_TIME_NS - 1, MAX_TIME_NS + 1, 1.5, True])
def test_times_outside_the_storable_range_are_refused(time_ns):
    """Times outside 1677-2262, or not integers, are refused."""
    message = (
        f"Cannot write the time of measurement 'cpu': {TIME_RANGE} (got {time_ns!r})."
    )
    with refused(message):
        encode_point("cpu", {"v": 1}, None, time_ns)


@pytest.mark.parametrize("fields", [{}, {"v": None}, {"v": None, "w": None}])
def test_points_without_field_values_are_refused(fields):
    """A point needs at least one field value that is not ``None``."""
    message = (
        "Cannot write the point of measurement 'cpu': a point needs at least one "
        f"field value that is not None (got {fields!r})."
    )
    with refused(message):
        encode_point("cpu", fields, None, 0)


@pytest.mark.parametrize(
    ("measurement", "fields", "tags", "message"),
    [
        pytest.param(
            "cpu\\",
            {"v": 1},
            None,
            r"Cannot write the name of measurement 'cpu\\': it ends with a "
            r"backslash, which the line protocol cannot carry (got 'cpu\\').",
            id="measurement-trailing-backslash",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"host\\": "a"},
            r"Cannot write tag key 'host\\' of measurement 'cpu': it ends with a "
            r"backslash, which the line protocol cannot carry (got 'host\\').",
            id="tag-key-trailing-backslash",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"host": "a\\"},
            r"Cannot write tag 'host' of measurement 'cpu': it ends with a "
            r"backslash, which the line protocol cannot carry (got 'a\\').",
            id="tag-value-trailing-backslash",
        ),
        pytest.param(
            "cpu",
            {"v\\": 1},
            None,
            r"Cannot write field key 'v\\' of measurement 'cpu': it ends with a "
            r"backslash, which the line protocol cannot carry (got 'v\\').",
            id="field-key-trailing-backslash",
        ),
        pytest.param(
            "a\nb",
            {"v": 1},
            None,
            r"Cannot write the name of measurement 'a\nb': it contains a line "
            r"break, which the line protocol cannot carry (got 'a\nb').",
            id="measurement-newline",
        ),
        pytest.param(
            "a\rb",
            {"v": 1},
            None,
            r"Cannot write the name of measurement 'a\rb': it contains a line "
            r"break, which the line protocol cannot carry (got 'a\rb').",
            id="measurement-carriage-return",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"ho\nst": "a"},
            r"Cannot write tag key 'ho\nst' of measurement 'cpu': it contains a "
            r"line break, which the line protocol cannot carry (got 'ho\nst').",
            id="tag-key-newline",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"host": "a\r\nb"},
            r"Cannot write tag 'host' of measurement 'cpu': it contains a line "
            r"break, which the line protocol cannot carry (got 'a\r\nb').",
            id="tag-value-crlf",
        ),
        pytest.param(
            "cpu",
            {"a\nb": 1},
            None,
            r"Cannot write field key 'a\nb' of measurement 'cpu': it contains a "
            r"line break, which the line protocol cannot carry (got 'a\nb').",
            id="field-key-newline",
        ),
        pytest.param(
            "a\x00b",
            {"v": 1},
            None,
            r"Cannot write the name of measurement 'a\x00b': it contains a NUL "
            r"character, which InfluxDB cannot store or quote (got 'a\x00b').",
            id="measurement-nul",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"\x00host": "a"},
            r"Cannot write tag key '\x00host' of measurement 'cpu': it contains a "
            r"NUL character, which InfluxDB cannot store or quote (got '\x00host').",
            id="tag-key-nul",
        ),
        pytest.param(
            "cpu",
            {"v\x00": 1},
            None,
            r"Cannot write field key 'v\x00' of measurement 'cpu': it contains a "
            r"NUL character, which InfluxDB cannot store or quote (got 'v\x00').",
            id="field-key-nul",
        ),
        pytest.param(
            "",
            {"v": 1},
            None,
            "Cannot write the name of measurement '': it is empty (got '').",
            id="empty-measurement",
        ),
        pytest.param(
            "#cpu",
            {"v": 1},
            None,
            "Cannot write the name of measurement '#cpu': a line starting with '#' "
            "is a comment, so it would be dropped (got '#cpu').",
            id="comment-measurement",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"time": "a"},
            "Cannot write tag 'time' of measurement 'cpu': InfluxDB rejects a tag "
            "named 'time' (got 'a').",
            id="tag-named-time",
        ),
        pytest.param(
            "cpu",
            {"v": 1.0, "time": 1},
            None,
            "Cannot write field 'time' of measurement 'cpu': InfluxDB drops a field "
            "named 'time' (got 1).",
            id="field-named-time",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"": "a"},
            "Cannot write tag key '' of measurement 'cpu': it is empty (got '').",
            id="empty-tag-key",
        ),
        pytest.param(
            "cpu",
            {"": 1},
            None,
            "Cannot write field key '' of measurement 'cpu': it is empty (got '').",
            id="empty-field-key",
        ),
        pytest.param(
            "cpu",
            {"v": 1},
            {"host": 5},
            "Cannot write tag 'host' of measurement 'cpu': it must be a str, not "
            "int (got 5).",
            id="non-str-tag-value",
        ),
        pytest.param(
            7,
            {"v": 1},
            None,
            "Cannot write the name of measurement '?': it must be a str, not int "
            "(got 7).",
            id="non-str-measurement",
        ),
    ],
)
def test_points_the_line_protocol_cannot_carry_are_refused(
    measurement, fields, tags, message
):
    """Refusals name the measurement, the key and the value received."""
    with refused(message) as info:
        encode_point(measurement, fields, tags, 0)

    error = info.value
    assert repr(error.value) in str(error)
    if error.key is not None:
        assert repr(error.key) in str(error)


def test_refusals_carry_measurement_key_and_value():
    """``LineProtocolError`` exposes what was refused as attributes."""
    with pytest.raises(LineProtocolError) as info:
        encode_point("cpu", {"v": 1}, {"host": "a\\"}, 0)

    assert (info.value.measurement, info.value.key, info.value.value) == (
        "cpu",
        "host",
        "a\\",
    )
    assert isinstance(info.value, ValueError)


def test_series_keys_over_the_size_limit_are_refused():
    """Measurement plus tags may not exceed 65535 bytes."""
    value = "x" * 65_535
    message = (
        "Cannot write the series key of measurement 'm': measurement and tags "
        f"together exceed 65535 bytes (got {('m,k=' + value)[:80] + '...'!r})."
    )
    with refused(message):
        encode_point("m", {"v": 1}, {"k": value}, 0)
