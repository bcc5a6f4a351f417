"""Fields convert what users give them into what InfluxDB stores, or refuse it."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import re

import numpy as np
import pandas as pd
import pytest

from influxpy import fields, models
from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS
from influxpy.exceptions import FieldError

UTC = dt.UTC
#: 2017-12-12T09:45:00Z, the README's example time.
T0 = 1_513_071_900_000_000_000
RANGE = "1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z"
INTEGER_TAKES = "an int between -2**63 and 2**63-1"
TIME_TAKES = (
    "a datetime, an int of epoch nanoseconds, an ISO 8601 string, "
    "a pandas Timestamp or a numpy datetime64"
)


class Sample(models.InfluxMeasurement):
    """One field of every type, a required tag and a nullable tag."""

    anything = fields.InfluxField()
    ratio = fields.FloatField()
    count = fields.IntegerField()
    ok = fields.BooleanField()
    message = fields.StringField()
    host = fields.InfluxTag()
    rack = fields.InfluxTag(null=True)


def exact(text: str) -> str:
    """Return a pattern that matches *text* literally and entirely."""
    return f"^{re.escape(text)}$"


def refused(label: str, cls: str, takes: str, value: object, why: str = "") -> str:
    """The message ``Field._reject`` builds, written out for the tests."""
    article = "an" if cls[0] in "AEIOU" else "a"
    type_name = type(value).__name__
    return (
        f"{label} is {article} {cls} and takes {takes}{why}; "
        f"got {value!r} ({type_name})."
    )


def out_of_range(value: object) -> str:
    return (
        f"Sample.time cannot take {value!r}: {value!r} is outside the range "
        f"InfluxDB can store, {RANGE}."
    )


# -- InfluxField (untyped) ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (-7, -7.0),
        (2.5, 2.5),
        (True, True),
        (False, False),
        ("text", "text"),
        ("", ""),
        (np.int64(7), 7.0),
        (np.float32(1.5), 1.5),
        (np.bool_(True), True),
        (np.bool_(False), False),
        (decimal.Decimal("2.25"), 2.25),
    ],
)
def test_untyped_field_stores_numbers_as_float(value, expected) -> None:
    """An untyped field keeps bools and strings and turns every number into float."""
    converted = Sample.anything.to_python(value)

    assert converted == expected
    assert type(converted) is type(expected)


@pytest.mark.parametrize("value", [[1], b"bytes", {"a": 1}, dt.date(2017, 1, 1)])
def test_untyped_field_refuses_other_types(value) -> None:
    """Lists, bytes, dicts and dates are not field values."""
    expected = refused(
        "Sample.anything", "InfluxField", "a number, a bool or a str", value
    )

    with pytest.raises(FieldError, match=exact(expected)) as info:
        Sample.anything.to_python(value)

    assert info.value.field == "anything"


# -- FloatField ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, 1.5), (3, 3.0), (0, 0.0), (np.float64(2.5), 2.5), (np.int32(4), 4.0)],
)
def test_float_field_takes_floats_and_ints(value, expected) -> None:
    """A float field takes floats, ints and numpy numbers and gives a float."""
    converted = Sample.ratio.to_python(value)

    assert converted == expected
    assert type(converted) is float


@pytest.mark.parametrize("value", [True, False, np.bool_(True), "1.5"])
def test_float_field_refuses_bools_and_strings(value) -> None:
    """A bool is not a number for a float field, and neither is a numeric string."""
    expected = refused("Sample.ratio", "FloatField", "a float (or an int)", value)

    with pytest.raises(FieldError, match=exact(expected)):
        Sample.ratio.to_python(value)


def test_float_field_refuses_an_int_too_large_for_a_float() -> None:
    """An int beyond the float range is refused, not an OverflowError."""
    value = 2**1024
    expected = refused(
        "Sample.ratio",
        "FloatField",
        "a float (or an int)",
        value,
        " (it is too large for a float)",
    )

    with pytest.raises(FieldError, match=exact(expected)):
        Sample.ratio.to_python(value)


@pytest.mark.parametrize(
    ("attname", "cls", "takes"),
    [
        ("ratio", "FloatField", "a float (or an int)"),
        ("anything", "InfluxField", "a number, a bool or a str"),
    ],
)
@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), float("-inf"), np.float64("nan")]
)
def test_nan_and_infinity_are_refused_naming_the_field(
    attname, cls, takes, value
) -> None:
    """NaN and ±inf cannot be stored; the error names the model and the field."""
    expected = refused(
        f"Sample.{attname}",
        cls,
        takes,
        value,
        " (InfluxDB cannot store NaN or infinity)",
    )

    with pytest.raises(FieldError, match=exact(expected)) as info:
        Sample(**{attname: value}, host="a")

    assert info.value.field == attname
    assert isinstance(info.value, ValueError)


# -- IntegerField -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42, 42),
        (-(2**63), -(2**63)),
        (2**63 - 1, 2**63 - 1),
        (3.0, 3),
        (-0.0, 0),
        (np.int64(2**62 + 1), 2**62 + 1),
        (np.uint8(200), 200),
        (np.float64(5.0), 5),
        (decimal.Decimal("7"), 7),
    ],
)
def test_integer_field_takes_int64_values_and_integral_floats(value, expected) -> None:
    """Ints in int64 range, whole floats and numpy integers become a Python int."""
    converted = Sample.count.to_python(value)

    assert converted == expected
    assert type(converted) is int


@pytest.mark.parametrize(
    "value",
    [2**63, -(2**63) - 1, 1e20, 2.0**63, np.uint64(2**64 - 1)],
)
def test_integer_field_refuses_values_outside_int64(value) -> None:
    """Values that do not fit in a signed 64-bit integer are refused."""
    expected = refused("Sample.count", "IntegerField", INTEGER_TAKES, value)

    with pytest.raises(FieldError, match=exact(expected)):
        Sample.count.to_python(value)


@pytest.mark.parametrize(
    "value", [1.5, np.float32(0.25), decimal.Decimal("3.5"), float("nan")]
)
def test_integer_field_refuses_fractions(value) -> None:
    """A float with a fraction is not silently truncated."""
    expected = refused(
        "Sample.count", "IntegerField", INTEGER_TAKES, value, " (a whole number)"
    )

    with pytest.raises(FieldError, match=exact(expected)):
        Sample.count.to_python(value)


@pytest.mark.parametrize("value", ["abc", "5", True, np.bool_(False)])
def test_integer_field_refuses_strings_and_bools(value) -> None:
    """'abc', numeric strings and bools are not integers."""
    expected = refused("Sample.count", "IntegerField", INTEGER_TAKES, value)

    with pytest.raises(FieldError, match=exact(expected)):
        Sample(count=value, host="a")


def test_integer_field_error_for_abc_reads_as_a_sentence() -> None:
    """The message for 'abc' is written out in full once, as users see it."""
    message = (
        "Sample.count is an IntegerField and takes an int between -2**63 and "
        "2**63-1; got 'abc' (str)."
    )

    with pytest.raises(FieldError, match=exact(message)):
        Sample(count="abc", host="a")


# -- BooleanField and StringField ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (np.bool_(True), True)],
)
def test_boolean_field_takes_bools(value, expected) -> None:
    """Python and numpy booleans become a Python bool."""
    converted = Sample.ok.to_python(value)

    assert converted is expected


@pytest.mark.parametrize("value", [1, 0, "true", 1.0])
def test_boolean_field_refuses_truthy_values(value) -> None:
    """1, 0 and 'true' are not booleans."""
    expected = refused("Sample.ok", "BooleanField", "a bool", value)

    with pytest.raises(FieldError, match=exact(expected)):
        Sample.ok.to_python(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("hello", "hello"), ("", ""), (np.str_("np"), "np")]
)
def test_string_field_takes_strings(value, expected) -> None:
    """A string field takes str (numpy strings included) and gives a plain str."""
    converted = Sample.message.to_python(value)

    assert converted == expected
    assert type(converted) is str


@pytest.mark.parametrize("value", [1, 2.5, b"bytes", True])
def test_string_field_refuses_non_strings(value) -> None:
    """Numbers and bytes are not converted to strings behind the user's back."""
    expected = refused("Sample.message", "StringField", "a str", value)

    with pytest.raises(FieldError, match=exact(expected)):
        Sample.message.to_python(value)


# -- tags ---------------------------------------------------------------------


def test_tag_takes_strings_and_gives_a_plain_str() -> None:
    """Tags are strings; numpy strings are normalised to str."""
    point = Sample(ratio=1.0, host=np.str_("i-3a99f2b"), rack="r1")

    assert point.host == "i-3a99f2b"
    assert type(point.host) is str
    assert point.rack == "r1"


@pytest.mark.parametrize("value", [1, 2.5, True, np.int64(3)])
def test_tag_refuses_numbers(value) -> None:
    """A tag never converts a number; the message says how to do it."""
    expected = refused(
        "Sample.host", "TagField", "a str", value, " (convert numbers with str())"
    )

    with pytest.raises(FieldError, match=exact(expected)) as info:
        Sample(ratio=1.0, host=value)

    assert info.value.field == "host"


def test_required_tag_refuses_none() -> None:
    """A tag without null=True may not be None."""
    message = (
        "Sample.host may not be None; give it a value or declare it with null=True."
    )

    with pytest.raises(FieldError, match=exact(message)):
        Sample(ratio=1.0, host=None)


def test_nullable_tag_takes_none() -> None:
    """A tag declared null=True may be None, and is then simply absent."""
    point = Sample(ratio=1.0, host="a", rack=None)

    assert point.rack is None
    assert "rack" not in point.values_dict()


def test_tags_are_required_and_fields_nullable_by_default() -> None:
    """InfluxTag() is required unless null=True; value fields may be left None."""
    assert Sample.host.null is False
    assert Sample.rack.null is True
    assert Sample.ratio.null is True
    assert Sample.ratio.to_python(None) is None
    assert fields.InfluxTag is fields.TagField


# -- time ---------------------------------------------------------------------


def at(value: object) -> Sample:
    return Sample(ratio=1.0, host="a", time=value)


def test_naive_datetime_is_taken_as_utc() -> None:
    """A naive datetime means UTC, whatever the local time zone is."""
    point = at(dt.datetime(2017, 12, 12, 9, 45))

    assert point.time_ns == T0
    assert point.time == dt.datetime(2017, 12, 12, 9, 45, tzinfo=UTC)
    assert point.time.tzinfo is UTC


def test_aware_datetime_is_converted_to_utc() -> None:
    """An aware datetime is converted to UTC."""
    paris_winter = dt.timezone(dt.timedelta(hours=1))
    point = at(dt.datetime(2017, 12, 12, 10, 45, 0, 250_000, tzinfo=paris_winter))

    assert point.time_ns == T0 + 250_000_000
    assert point.time == dt.datetime(2017, 12, 12, 9, 45, 0, 250_000, tzinfo=UTC)


def test_datetime_microseconds_are_kept() -> None:
    """A datetime's microseconds are kept exactly."""
    point = at(dt.datetime(2017, 12, 12, 9, 45, 0, 123_456))

    assert point.time_ns == T0 + 123_456_000


def test_int_nanoseconds_keep_full_precision() -> None:
    """An int is epoch nanoseconds; every digit is kept in time_ns."""
    point = at(T0 + 123_456_789)

    assert point.time_ns == T0 + 123_456_789
    assert type(point.time_ns) is int
    # A datetime cannot hold nanoseconds: reading ``time`` gives microseconds.
    assert point.time == dt.datetime(2017, 12, 12, 9, 45, 0, 123_456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-12-12T09:45:00Z", T0),
        ("2017-12-12T09:45:00z", T0),
        ("2017-12-12T09:45:00.123456789Z", T0 + 123_456_789),
        ("2017-12-12T09:45:00.5Z", T0 + 500_000_000),
        ("2017-12-12T11:45:00.123456789+02:00", T0 + 123_456_789),
        ("2017-12-12T04:45:00-05:00", T0),
        ("2017-12-12T09:45:00+00:00", T0),
        ("2017-12-12 09:45:00.000000001", T0 + 1),
        ("2017-12-12T09:45:00", T0),
        ("2017-12-12", T0 - (9 * 3600 + 45 * 60) * 10**9),
    ],
)
def test_iso_8601_strings_are_parsed_to_nanoseconds(text, expected) -> None:
    """ISO 8601 with 'Z', offsets and up to 9 fractional digits; no zone is UTC."""
    assert at(text).time_ns == expected


@pytest.mark.parametrize("text", ["yesterday", "2017-12-12 09:45"])
def test_unparsable_strings_are_refused(text) -> None:
    """Text that is not ISO 8601 is refused (every form: tests/test_times.py)."""
    message = (
        f"Sample.time cannot take {text!r}: {text!r} is not an ISO 8601 time; "
        "use a form such as '2017-12-12T09:45:00Z' or "
        "'2017-12-12 09:45:00.123456789'."
    )

    with pytest.raises(FieldError, match=exact(message)) as info:
        at(text)

    assert info.value.field == "time"


@pytest.mark.parametrize(
    "value",
    [
        pd.Timestamp("2017-12-12T09:45:00.123456789"),
        pd.Timestamp("2017-12-12T09:45:00.123456789Z"),
        pd.Timestamp("2017-12-12T10:45:00.123456789", tz="Europe/Paris"),
    ],
)
def test_pandas_timestamp_keeps_nanoseconds(value) -> None:
    """A pandas Timestamp keeps its nanoseconds; a naive one is UTC."""
    assert at(value).time_ns == T0 + 123_456_789


def test_pandas_timestamp_in_seconds_unit_is_converted() -> None:
    """A Timestamp stored in a coarser unit (pandas 2) converts exactly."""
    value = pd.Timestamp("2017-12-12T09:45:00").as_unit("s")

    assert at(value).time_ns == T0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.datetime64("2017-12-12T09:45:00.123456789"), T0 + 123_456_789),
        (np.datetime64("2017-12-12T09:45:00.123456", "us"), T0 + 123_456_000),
        (np.datetime64("2017-12-12T09:45:00", "s"), T0),
        (np.datetime64("2017-12-12T09:45", "m"), T0),
        (np.datetime64("2017-12-12", "D"), T0 - (9 * 3600 + 45 * 60) * 10**9),
        (np.datetime64("2017-12", "M"), 1_512_086_400_000_000_000),
    ],
)
def test_numpy_datetime64_in_any_unit(value, expected) -> None:
    """numpy datetime64 values convert exactly whatever their unit."""
    assert at(value).time_ns == expected


def test_date_is_midnight_utc() -> None:
    """A date means midnight UTC of that day."""
    point = at(dt.date(2017, 12, 12))

    assert point.time == dt.datetime(2017, 12, 12, tzinfo=UTC)


def test_numpy_int64_is_nanoseconds() -> None:
    """A numpy integer is epoch nanoseconds, like an int."""
    assert at(np.int64(T0 + 7)).time_ns == T0 + 7


def test_the_limits_of_influxdb_time_are_accepted() -> None:
    """The first and last nanoseconds InfluxDB can store are accepted."""
    assert at(MIN_TIME_NS).time_ns == MIN_TIME_NS
    assert at(MAX_TIME_NS).time_ns == MAX_TIME_NS
    assert at("1677-09-21T00:12:43.145224194Z").time_ns == MIN_TIME_NS
    assert at("2262-04-11T23:47:16.854775806Z").time_ns == MAX_TIME_NS


@pytest.mark.parametrize(
    "value",
    [
        MIN_TIME_NS - 1,
        MAX_TIME_NS + 1,
        dt.datetime(1677, 9, 21, 0, 12, 43, 145_224),
        dt.datetime(1600, 1, 1),
        dt.datetime(2262, 4, 12, tzinfo=UTC),
        dt.date(1000, 1, 1),
        "1677-09-21T00:12:43.145224193Z",
        "2262-04-11T23:47:16.854775807Z",
        pd.Timestamp("1600-01-01"),
        np.datetime64("1600-01-01"),
        np.datetime64("3000-01-01T00:00:00", "s"),
    ],
)
def test_times_before_1677_or_after_2262_are_refused(value) -> None:
    """Times InfluxDB cannot store are refused, never wrapped around."""
    with pytest.raises(FieldError, match=exact(out_of_range(value))):
        at(value)


@pytest.mark.parametrize("value", [pd.NaT, np.datetime64("NaT")])
def test_not_a_time_is_refused(value) -> None:
    """NaT is not a time."""
    message = f"Sample.time cannot take {value!r}: NaT is not a time."

    with pytest.raises(FieldError, match=exact(message)):
        at(value)


@pytest.mark.parametrize("value", [1.5, True, [T0], dt.time(9, 45)])
def test_other_types_are_refused_as_times(value) -> None:
    """Floats, bools, lists and times of day are not times."""
    expected = refused("Sample.time", "TimeField", TIME_TAKES, value)

    with pytest.raises(FieldError, match=exact(expected)):
        at(value)


def test_time_can_be_assigned_after_creation() -> None:
    """Assigning ``time`` converts the value like the constructor does."""
    point = Sample(ratio=1.0, host="a")
    assert point.time is None
    assert point.time_ns is None

    point.time = "2017-12-12T09:45:00.000000001Z"

    assert point.time_ns == T0 + 1
    with pytest.raises(FieldError, match=exact(out_of_range(MAX_TIME_NS + 1))):
        point.time = MAX_TIME_NS + 1
    assert point.time_ns == T0 + 1


# -- db_name and default ------------------------------------------------------


class Renamed(models.InfluxMeasurement):
    """Fields stored under keys that are not Python identifiers."""

    cpu_load = fields.FloatField(db_name="cpu load")
    data_center = fields.InfluxTag(db_name="data-center")
    plain = fields.IntegerField()


def test_db_name_is_the_stored_key_and_the_attribute_stays() -> None:
    """db_name changes the stored key; the attribute keeps its Python name."""
    assert Renamed.cpu_load.name == "cpu_load"
    assert Renamed.cpu_load.db_name == "cpu load"
    assert Renamed.data_center.db_name == "data-center"
    assert Renamed.plain.db_name == "plain"
    assert Renamed._meta.by_db_name["cpu load"] is Renamed.cpu_load

    point = Renamed(cpu_load=0.5, data_center="eu", time=T0)

    assert point.cpu_load == 0.5
    assert Renamed._meta.encoder.encode(point) == (
        f"renamed,data-center=eu cpu\\ load=0.5 {T0}"
    )


_counter = itertools.count(1)


class WithDefaults(models.InfluxMeasurement):
    """Defaults given as values and as callables."""

    value = fields.FloatField(default=1)
    serial = fields.IntegerField(default=lambda: next(_counter))
    region = fields.InfluxTag(default="eu-west-1")
    note = fields.StringField()


def test_default_value_is_used_and_converted() -> None:
    """A default value fills an attribute not given, through the field's rules."""
    point = WithDefaults()

    assert point.value == 1.0
    assert type(point.value) is float
    assert point.region == "eu-west-1"
    assert point.note is None


def test_callable_default_is_called_for_each_instance() -> None:
    """A callable default is called once per new instance."""
    first = WithDefaults()
    second = WithDefaults()

    assert second.serial == first.serial + 1


def test_given_values_win_over_defaults() -> None:
    """An explicit value, None included, is kept instead of the default."""
    point = WithDefaults(value=2.5, serial=None, region="us-east-1")

    assert (point.value, point.serial, point.region) == (2.5, None, "us-east-1")


def test_has_default_and_get_default() -> None:
    """has_default() tells a declared default from none; get_default() calls it."""
    assert WithDefaults.value.has_default()
    assert not WithDefaults.note.has_default()
    assert WithDefaults.value.get_default() == 1
    assert isinstance(WithDefaults.serial.get_default(), int)


def test_a_bad_default_is_refused_like_a_bad_value() -> None:
    """A default the field cannot store fails when an instance is built."""

    class BadDefault(models.InfluxMeasurement):
        value = fields.FloatField(default="high")

    expected = refused("BadDefault.value", "FloatField", "a float (or an int)", "high")
    with pytest.raises(FieldError, match=exact(expected)):
        BadDefault()


def test_field_reads_as_itself_on_the_class_and_as_the_value_on_instances() -> None:
    """Class access gives the Field (a column); instance access gives the value."""
    assert isinstance(Sample.ratio, fields.FloatField)
    assert repr(Sample.ratio) == "<FloatField: Sample.ratio>"
    assert Sample(ratio=2.0, host="a").ratio == 2.0
    assert Sample(host="a").ratio is None
