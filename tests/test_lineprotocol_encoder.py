"""Line protocol: the compiled per-model ``Encoder``, the column path of
DataFrames (``encode_columns``) and reading lines back (``parse_line``).
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _lineprotocol import INT64_MAX, INT64_MIN, TIME_RANGE, Obj, refused
from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS
from influxpy.exceptions import FieldError, LineProtocolError
from influxpy.lineprotocol import (
    Encoder,
    FieldSpec,
    TagSpec,
    encode_columns,
    encode_point,
    field_types_of,
    make_encoder,
    parse_line,
)
from influxpy.lineprotocol import encoder as encoder_module

# -- the compiled Encoder ---------------------------------------------------

CPU_TAGS = [TagSpec("host_name", "host"), TagSpec("region", "region", required=False)]
CPU_FIELDS = [
    FieldSpec("usage", "usage", "float"),
    FieldSpec("count", "count", "integer"),
    FieldSpec("ok", "ok", "boolean"),
    FieldSpec("note", "note text", "string"),
    FieldSpec("extra", "extra", "any"),
]


@pytest.fixture
def cpu_encoder() -> Encoder:
    return make_encoder("cpu load", CPU_TAGS, CPU_FIELDS)


@pytest.mark.parametrize(
    "values",
    [
        {"usage": 0.5, "count": 3, "ok": True, "note": "a", "extra": 1.25},
        {"usage": -0.0, "count": INT64_MIN, "ok": False, "note": 'q"\\', "extra": "s"},
        {"usage": None, "count": None, "ok": None, "note": "", "extra": None},
        {"usage": 5e-324, "count": None, "ok": None, "note": None, "extra": True},
    ],
)
@pytest.mark.parametrize(
    "tags",
    [
        {"host_name": "a", "region": "eu west"},
        {"host_name": "a,b=c", "region": None},
        {"host_name": "ü", "region": ""},
    ],
)
def test_encoder_matches_encode_point(cpu_encoder, values, tags):
    """The compiled encoder writes exactly what ``encode_point`` writes."""
    obj = Obj(**tags, **values, time=1_234)
    fields = {spec.key: values[spec.attname] for spec in CPU_FIELDS}
    tag_map = {spec.key: tags[spec.attname] for spec in CPU_TAGS}

    expected = encode_point("cpu load", fields, tag_map, 1_234)
    assert cpu_encoder.encode(obj) == expected
    assert cpu_encoder.encode_many([obj, obj]) == [expected, expected]


def test_encoder_reads_attributes_by_attname(cpu_encoder):
    """Values come from ``obj.__dict__`` under each spec's attribute name."""
    obj = Obj(host_name="a", usage=1.0, time=7)

    assert cpu_encoder.encode(obj) == r"cpu\ load,host=a usage=1.0 7"


def test_encoder_caches_series_keys(cpu_encoder):
    """Each distinct tag set is escaped once and then served from the cache."""
    lines = cpu_encoder.encode_many(
        [
            Obj(host_name="a b", region="x", usage=1.0, time=1),
            Obj(host_name="a b", region="x", usage=2.0, time=2),
            Obj(host_name="c", usage=3.0, time=3),
        ]
    )

    assert lines == [
        r"cpu\ load,host=a\ b,region=x usage=1.0 1",
        r"cpu\ load,host=a\ b,region=x usage=2.0 2",
        r"cpu\ load,host=c usage=3.0 3",
    ]
    assert cpu_encoder._cache == {
        ("a b", "x"): r"cpu\ load,host=a\ b,region=x",
        ("c", None): r"cpu\ load,host=c",
    }


@pytest.mark.parametrize("missing", [None, ""])
def test_encoder_requires_required_tags(cpu_encoder, missing):
    """A required tag without a value raises ``FieldError`` naming it."""
    obj = Obj(host_name=missing, usage=1.0, time=1)
    message = (
        f"Cannot write measurement 'cpu load': the tag 'host_name' is required "
        f"and was {missing!r}; give it a value or declare it "
        "InfluxTag(null=True)."
    )

    with pytest.raises(FieldError, match=f"^{re.escape(message)}$") as info:
        cpu_encoder.encode(obj)
    assert info.value.field == "host_name"


def test_encoder_requires_a_tag_missing_from_the_object(cpu_encoder):
    """An attribute absent from the object counts as a missing tag."""
    with pytest.raises(FieldError, match="the tag 'host_name' is required"):
        cpu_encoder.encode(Obj(usage=1.0, time=1))


def test_encoder_refuses_objects_without_field_values(cpu_encoder):
    """An object whose fields are all ``None`` is refused."""
    obj = Obj(host_name="a", usage=None, time=1)
    message = (
        "Cannot write the point of measurement 'cpu load': a point needs at "
        "least one field value that is not None ('usage', 'count', 'ok', "
        f"'note', 'extra') (got {obj!r})."
    )
    with refused(message):
        cpu_encoder.encode(obj)


def test_encoder_stamps_now_when_time_is_missing(cpu_encoder):
    """An object without a time gets the current time in nanoseconds."""
    before = time.time_ns()
    line = cpu_encoder.encode(Obj(host_name="a", usage=1.0))
    after = time.time_ns()

    assert before <= int(line.rsplit(" ", 1)[1]) <= after


def test_encoder_uses_coerce_for_values_off_the_fast_path():
    """Ints and numpy scalars go through ``coerce``; plain floats do not."""
    seen: list[Any] = []

    def coerce(value: Any) -> float:
        seen.append(value)
        return float(value)

    encoder = make_encoder("m", [], [FieldSpec("v", "v", "float", coerce=coerce)])

    lines = encoder.encode_many(
        [Obj(v=3, time=1), Obj(v=np.float64(2.5), time=2), Obj(v=1.5, time=3)]
    )

    assert lines == ["m v=3.0 1", "m v=2.5 2", "m v=1.5 3"]
    assert seen == [3, np.float64(2.5)]
    assert [type(value) for value in seen] == [int, np.float64]


_PLAIN_VALUES = {
    "usage": st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.0, -0.0, 1e-5, 1e-4, 9.99e15, 1e16, 10.00001, 57.123]),
    "count": st.integers(-(2**63), 2**63 - 1),
    "ok": st.booleans(),
    "note": st.text(max_size=8),
    "extra": st.floats(allow_nan=False, allow_infinity=False),
    "time": st.integers(MIN_TIME_NS, MAX_TIME_NS),
}
_ODD_VALUES = {
    "usage": st.floats() | st.integers(-5, 5) | st.none(),
    "count": st.integers(-(2**64), 2**64) | st.booleans() | st.floats(-3, 3),
    "ok": st.integers(0, 1) | st.none(),
    "note": st.integers(0, 3) | st.just("\x00"),
    "extra": st.booleans() | st.text(max_size=3),
    "time": st.integers(MIN_TIME_NS - 2, MAX_TIME_NS + 2) | st.booleans() | st.none(),
}


@st.composite
def _batch(draw: st.DrawFn) -> list[Obj]:
    """Objects of the CPU encoder, mostly plain, with odd values here and there."""
    size = draw(st.integers(0, 12) | st.integers(8, 30))
    present = draw(st.sets(st.sampled_from(list(_PLAIN_VALUES)), min_size=1))
    hosts = st.sampled_from(["a", "b c", "d"])
    regions = hosts | st.none() | st.just("")
    odd = draw(st.floats(0, 1)) < 0.3
    objs = []
    for _ in range(size):
        host = draw(regions if odd and draw(st.integers(0, 9)) == 0 else hosts)
        values: dict[str, Any] = {"host_name": host, "region": draw(regions)}
        for name in present:
            if odd and draw(st.integers(0, 9)) == 0:
                values[name] = draw(_ODD_VALUES[name])
            else:
                values[name] = draw(_PLAIN_VALUES[name])
        objs.append(Obj(**values))
    return objs


def assert_same_lines(got: Any, expected: Any, objs: list[Obj]) -> None:
    """The same lines (or error text); times stamped now may differ, the
    rest of each line must not."""
    if isinstance(expected, list) and any(
        obj.__dict__.get("time") is None for obj in objs
    ):
        expected = [line.rsplit(" ", 1)[0] for line in expected]
        got = [line.rsplit(" ", 1)[0] for line in got]
    assert got == expected


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@settings(max_examples=400, deadline=None)
@given(objs=_batch())
def test_a_batch_is_encoded_as_its_objects_are_one_by_one(
    compiled: bool, objs: list[Obj]
) -> None:
    """encode_many() gives the lines, or raises the error, of encode() in turn
    (with the compiled extension where it is built, and without)."""
    encoder = Encoder("cpu load", CPU_TAGS, CPU_FIELDS, compiled=compiled)
    try:
        expected: Any = [encoder.encode(obj) for obj in objs]
    except (FieldError, LineProtocolError) as exc:
        expected = str(exc)
    try:
        got: Any = Encoder(
            "cpu load", CPU_TAGS, CPU_FIELDS, compiled=compiled
        ).encode_many(objs)
    except (FieldError, LineProtocolError) as exc:
        got = str(exc)
    assert_same_lines(got, expected, objs)


@settings(max_examples=300, deadline=None)
@given(objs=_batch(), piece=st.integers(1, 9), batch_size=st.integers(0, 7))
def test_lines_are_the_lines_of_encode_many(
    objs: list[Obj], piece: int, batch_size: int
) -> None:
    """Encoder.lines() (bulk_create's path) gives the lines, or raises the
    error, of encode_many(), whatever the size of the pieces it encodes."""
    try:
        expected: Any = make_encoder("cpu load", CPU_TAGS, CPU_FIELDS).encode_many(objs)
    except (FieldError, LineProtocolError) as exc:
        expected = str(exc)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoder_module, "_LINES_CHUNK", piece)
        try:
            encoder = make_encoder("cpu load", CPU_TAGS, CPU_FIELDS)
            got: Any = list(encoder.lines(objs, batch_size))
        except (FieldError, LineProtocolError) as exc:
            got = str(exc)
    assert_same_lines(got, expected, objs)


def test_lines_hold_a_few_hundred_objects_at_a_time() -> None:
    """Encoder.lines() takes objects a piece at a time, so the instances a
    generator builds are let go before the next piece is built."""
    encoder = make_encoder("cpu load", CPU_TAGS, CPU_FIELDS)
    taken = 0

    def objs() -> Any:
        nonlocal taken
        for n in range(2_000):
            taken += 1
            yield Obj(host_name="a", usage=float(n), time=n)

    lines = encoder.lines(objs())
    first = next(lines)

    assert first == r"cpu\ load,host=a usage=0.0 0"
    assert taken == encoder_module._LINES_CHUNK
    assert len([first, *lines]) == 2_000


def test_lines_of_a_batch_come_before_the_next_batch_is_taken() -> None:
    """With a batch_size, a piece never reaches into the next batch: an
    error raised while the next batch is built comes after every line of
    the batch before (bulk_create sends that batch first)."""
    encoder = make_encoder("cpu load", CPU_TAGS, CPU_FIELDS)

    def objs() -> Any:
        for n in range(300):
            yield Obj(host_name="a", usage=float(n), time=n)
        raise KeyError("the caller's")

    lines = encoder.lines(objs(), 300)
    got = [next(lines) for _ in range(300)]

    assert got[-1] == r"cpu\ load,host=a usage=299.0 299"
    with pytest.raises(KeyError):
        next(lines)


def test_a_batch_of_plain_values_is_encoded_column_by_column() -> None:
    """A batch of exact floats, ints, bools and strings takes the fast path."""
    encoder = make_encoder("cpu load", CPU_TAGS, CPU_FIELDS)
    objs = [
        Obj(host_name="a", usage=u, count=2**63 - 1, ok=n % 2 == 0, note='x"', time=n)
        for n, u in enumerate([0.1, 1e-5, 1e16, 1e15, -0.0, 10.00001, 3.0, 2.5])
    ]

    lines = encoder._encode_columns(objs)

    assert lines == [encoder.encode(obj) for obj in objs]
    assert lines[1] == (
        r"cpu\ load,host=a usage=1e-05,count=9223372036854775807i,ok=false,"
        r'note\ text="x\"" 1'
    )


def test_encoder_validates_values_off_the_fast_path():
    """Values that miss the fast path are still checked by their field kind."""
    encoder = make_encoder(
        "m",
        [],
        [FieldSpec("n", "n", "integer"), FieldSpec("f", "f", "float")],
    )

    assert encoder.encode(Obj(n=np.int64(4), f=1, time=0)) == "m n=4i,f=1.0 0"
    with refused(
        "Cannot write field 'n' of measurement 'm': integers must fit in 64 bits "
        f"(got {INT64_MAX + 1})."
    ):
        encoder.encode(Obj(n=INT64_MAX + 1, time=0))
    with refused(
        "Cannot write field 'f' of measurement 'm': InfluxDB cannot store NaN or "
        "infinite values (got nan)."
    ):
        encoder.encode(Obj(f=math.nan, time=0))


@pytest.mark.parametrize(
    ("tags", "fields", "message"),
    [
        (
            [TagSpec("t", "time")],
            [FieldSpec("v", "v", "float")],
            (
                "Cannot write tag 'time' of measurement 'm': InfluxDB rejects a tag "
                "named 'time' (got 'time')."
            ),
        ),
        (
            [],
            [FieldSpec("t", "time", "float")],
            (
                "Cannot write field 'time' of measurement 'm': InfluxDB drops a "
                "field named 'time' (got 'time')."
            ),
        ),
        (
            [TagSpec("t", "t\\")],
            [FieldSpec("v", "v", "float")],
            (
                r"Cannot write tag key 't\\' of measurement 'm': it ends with a "
                r"backslash, which the line protocol cannot carry (got 't\\')."
            ),
        ),
        (
            [],
            [FieldSpec("v", "a\nb", "float")],
            (
                r"Cannot write field key 'a\nb' of measurement 'm': it contains a "
                r"line break, which the line protocol cannot carry (got 'a\nb')."
            ),
        ),
    ],
)
def test_make_encoder_refuses_keys_the_protocol_cannot_carry(tags, fields, message):
    """Bad tag and field keys are refused when the encoder is built."""
    with refused(message):
        make_encoder("m", tags, fields)


# -- columns (the DataFrame path) ------------------------------------------


def test_encode_columns_writes_one_line_per_row():
    """Rows skip ``None`` fields and ``None``/``''`` tags, like ``encode_point``."""
    lines = encode_columns(
        "cpu",
        [1, 2, 3],
        {"host": ["a", "a b", None], "region": ["x", "", "y"]},
        {
            "usage": ("float", [0.5, None, 2]),
            "count": ("integer", [1, 2, None]),
            "ok": ("boolean", [True, None, False]),
            "note": ("string", ['s"', None, None]),
        },
    )

    assert lines == [
        r'cpu,host=a,region=x usage=0.5,count=1i,ok=true,note="s\"" 1',
        r"cpu,host=a\ b count=2i 2",
        "cpu,region=y usage=2.0,ok=false 3",
    ]
    assert lines[0] == encode_point(
        "cpu",
        {"usage": 0.5, "count": 1, "ok": True, "note": 's"'},
        {"host": "a", "region": "x"},
        1,
    )


_COLUMN_KINDS = {
    "usage": ("float", _PLAIN_VALUES["usage"], _ODD_VALUES["usage"]),
    "count": ("integer", _PLAIN_VALUES["count"], _ODD_VALUES["count"]),
    "ok": ("boolean", _PLAIN_VALUES["ok"], _ODD_VALUES["ok"]),
    "note text": ("string", _PLAIN_VALUES["note"], st.none() | st.just("a\\b")),
    "ex=tra": ("any", _PLAIN_VALUES["extra"], _ODD_VALUES["extra"]),
}


@st.composite
def _columns(draw: st.DrawFn) -> tuple[list[Any], dict[str, list[Any]], dict[str, Any]]:
    """Row-aligned columns, mostly plain values, with odd ones here and there."""
    size = draw(st.integers(1, 12))
    odd = draw(st.floats(0, 1)) < 0.3
    keys = draw(st.permutations(list(_COLUMN_KINDS)))
    keys = keys[: draw(st.integers(1, len(keys)))]
    tag_keys = draw(st.permutations(["region", "host", "a b"]))
    tag_values = st.sampled_from(["a", "b c", "d,e", 'q"', "ü"])

    def value(plain: Any, strange: Any) -> Any:
        return draw(strange if odd and draw(st.integers(0, 4)) == 0 else plain)

    tags = {k: [value(tag_values, st.none() | st.just("")) for _ in range(size)]
            for k in tag_keys}  # fmt: skip
    fields = {
        k: (_COLUMN_KINDS[k][0], [value(*_COLUMN_KINDS[k][1:]) for _ in range(size)])
        for k in keys
    }
    # A frame's rows always have a time: None is not drawn.
    odd_times = st.integers(MIN_TIME_NS - 2, MAX_TIME_NS + 2) | st.booleans()
    times = [value(_PLAIN_VALUES["time"], odd_times) for _ in range(size)]
    return times, tags, fields


@settings(max_examples=400, deadline=None)
@given(columns=_columns())
def test_encode_columns_writes_what_the_object_encoder_writes(columns: Any) -> None:
    """Whole columns (the DataFrame path, joined a column at a time when every
    value is plain) give the object-by-object encoder's line for each row, or
    an error."""
    times, tags, fields = columns
    encoder = make_encoder(
        "m",
        [TagSpec(k, k, required=False) for k in tags],
        [FieldSpec(k, k, kind) for k, (kind, _v) in fields.items()],
    )
    try:
        expected: Any = [
            encoder.encode(
                Obj(
                    time=stamp,
                    **{k: v[row] for k, v in tags.items()},
                    **{k: v[row] for k, (_kind, v) in fields.items()},
                )
            )
            for row, stamp in enumerate(times)
        ]
    except (FieldError, LineProtocolError):
        expected = None
    if expected is None:
        with pytest.raises((FieldError, LineProtocolError)):
            encode_columns("m", times, tags, fields)
        return
    assert encode_columns("m", times, tags, fields) == expected


def test_encode_columns_refuses_rows_without_fields_and_bad_times():
    """Refusals name the row or the time that cannot be written."""
    with refused(
        "Cannot write the point of measurement 'cpu': a point needs at least one "
        "field value that is not None (got 'row 1')."
    ):
        encode_columns("cpu", [1, 2], {}, {"v": ("float", [1.0, None])})
    with refused(
        f"Cannot write the time of measurement 'cpu': {TIME_RANGE} "
        f"(got {MAX_TIME_NS + 1})."
    ):
        encode_columns("cpu", [1, MAX_TIME_NS + 1], {}, {"v": ("float", [1.0, 2.0])})


@pytest.mark.parametrize("key", ["time", "a\\", "a\nb", ""])
def test_encode_columns_refuses_field_keys_encode_point_refuses(key):
    """A field key ``encode_point`` refuses is refused for columns too."""
    with pytest.raises(LineProtocolError):
        encode_columns("m", [1], {}, {key: ("float", [1.0])})


# -- reading lines back -----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("m f=1 5", ("m", {}, {"f": 1.0}, 5)),
        ("m f=1i", ("m", {}, {"f": 1}, None)),
        (
            r'cpu\ load,a\,b=c\=d,e=f g\ h=t,s="x \"y\" \\",n=-3i -7',
            (
                "cpu load",
                {"a,b": "c=d", "e": "f"},
                {"g h": True, "s": 'x "y" \\', "n": -3},
                -7,
            ),
        ),
        (
            "m a=T,b=False,c=f,d=1e-300",
            ("m", {}, {"a": True, "b": False, "c": False, "d": 1e-300}, None),
        ),
    ],
)
def test_parse_line_reads_lines(line, expected):
    """``parse_line`` returns measurement, tags, typed fields and time."""
    assert parse_line(line) == expected


def test_parse_line_refuses_unreadable_lines():
    """A line that cannot be read raises ``LineProtocolError`` quoting it."""
    with refused("Cannot parse the line-protocol line 'm f=x 1'."):
        parse_line("m f=x 1")


def test_field_types_of_names_the_stored_types():
    """Each field key maps to the InfluxDB type its value is written as."""
    line = 'm a=1i,b=1.0,c=t,d="x" 1'

    assert field_types_of(line) == {
        "a": "integer",
        "b": "float",
        "c": "boolean",
        "d": "string",
    }
    assert field_types_of(line, "m") == field_types_of(line)
    assert field_types_of(line, "other") == {}
    assert field_types_of("not a line") == {}


@pytest.mark.parametrize(
    ("measurement", "tags", "fields"),
    [
        ('a"b', {}, {"v": 1.0}),
        ("m", {"k": '"x'}, {"v": 1.0}),
        ("m", {"k": 'q"'}, {"s": 'x"y'}),
        ("m", {}, {'a"b c': 1.0}),
        ("m", {"k": r"a\,b"}, {"v": 1.0}),
        ("m", {"k": r"a\ b"}, {"v": 1.0}),
    ],
)
def test_parse_line_inverts_encode_point(measurement, tags, fields):
    """Reading a line back gives what was encoded, as the server stores it."""
    line = encode_point(measurement, fields, tags, 1)

    assert parse_line(line) == (measurement, tags, fields, 1)
