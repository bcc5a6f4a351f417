"""ISO 8601 time strings: exactly the documented forms, to the nanosecond.

One parser reads them on every Python (``datetime.fromisoformat`` takes
more forms from 3.11 on): a date, or a date, ``T`` or a space, a time with
seconds, up to nine fractional digits, and ``Z``, ``±HH:MM`` or no zone
(UTC). These are the time literals InfluxDB reads, plus ``T`` without a
zone, which a naive ``datetime`` would give as well.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from influxpy._utils import parse_iso_time, to_ns
from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS

S = 1_000_000_000
T0 = 1_513_071_900 * S  # 2017-12-12T09:45:00Z
DAY0 = 1_513_036_800 * S  # 2017-12-12T00:00:00Z
FORMS = "use a form such as '2017-12-12T09:45:00Z' or '2017-12-12 09:45:00.123456789'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-12-12", DAY0),
        ("2017-12-12T09:45:00Z", T0),
        ("2017-12-12T09:45:00z", T0),
        ("2017-12-12t09:45:00Z", T0),
        ("2017-12-12T09:45:00", T0),
        ("2017-12-12 09:45:00", T0),
        ("2017-12-12 09:45:00Z", T0),
        ("2017-12-12T09:45:00.1Z", T0 + 100_000_000),
        ("2017-12-12T09:45:00.000001Z", T0 + 1_000),
        ("2017-12-12T09:45:00.0000001Z", T0 + 100),
        ("2017-12-12T09:45:00.000000001Z", T0 + 1),
        ("2017-12-12T09:45:00.123456789Z", T0 + 123_456_789),
        ("2017-12-12T09:45:00.999999999", T0 + 999_999_999),
        ("2017-12-12 09:45:00.000000001", T0 + 1),
        ("2017-12-12T11:45:00+02:00", T0),
        ("2017-12-12T04:45:00-05:00", T0),
        ("2017-12-12T15:30:00+05:45", T0),
        ("2017-12-12T09:45:00+00:00", T0),
        ("2017-12-12T09:45:00-00:00", T0),
        ("2017-12-13T09:44:00+23:59", T0),
        ("2017-12-11T09:46:00-23:59", T0),
        ("2017-12-12T10:45:00.000000001+01:00", T0 + 1),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999999999Z", -1),
        ("1970-01-01T01:00:00+01:00", 0),
        ("2020-02-29", 1_582_934_400 * S),
        ("2000-02-29T00:00:00Z", 951_782_400 * S),
        ("1677-09-21T00:12:43.145224194Z", MIN_TIME_NS),
        ("2262-04-11T23:47:16.854775806Z", MAX_TIME_NS),
    ],
)
def test_each_documented_form_gives_exact_nanoseconds(text: str, expected: int) -> None:
    """Dates, times with up to 9 digits and every zone form, exactly."""
    assert parse_iso_time(text) == expected
    assert to_ns(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "now()",
        " 2017-12-12",
        "2017-12-12 ",
        "2017-12-12T09:45:00Z\n",
        "2017-12-12T09:45",  # minutes without seconds, as InfluxDB refuses
        "2017-12-12 09:45",
        "2017-12-12T09",
        "2017-12-12T",
        "2017-12-12Z",
        "2017-12",
        "2017",
        "20171212",
        "20171212T094500Z",
        "2017-W50-2",
        "2017-346",
        "17-12-12",
        "+2017-12-12",
        "2017-1-2",
        "2017-12-12T9:45:00Z",
        "2017-12-12T09:45:00.Z",
        "2017-12-12T09:45:00,5Z",
        "2017-12-12T09:45:00 Z",
        "2017-12-12T09:45:00+0200",
        "2017-12-12T09:45:00+02",
        "2017-12-12T09:45:00+02:00:00",
        "2017-12-12T09:45:00+2:00",
        "2017-12-12T09:45:00UTC",
        "2017-12-12T09:45:00Z+01:00",
        "2017-12-12T09:45:00.5e3Z",
        "\uff12\uff10\uff11\uff17-12-12",  # fullwidth digits
        "2017-12-12T09:45:00.\u0661\u0662Z",  # Arabic-Indic digits
        "2017-12-12T09:45:00\u2212\u0030\u0032:00",  # a minus sign, not '-'
    ],
)
def test_other_text_is_refused_naming_it(text: str) -> None:
    """Anything outside the documented forms is refused, whatever Python takes."""
    message = f"{text!r} is not an ISO 8601 time; {FORMS}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_iso_time(text)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        to_ns(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2017-13-01T00:00:00Z", "month 13 is not 01 to 12"),
        ("2017-00-10", "month 00 is not 01 to 12"),
        ("2017-12-00", "day 00 is not in 2017-12"),
        ("2017-12-32", "day 32 is not in 2017-12"),
        ("2017-04-31", "day 31 is not in 2017-04"),
        ("2017-02-29", "day 29 is not in 2017-02"),
        ("1900-02-29", "day 29 is not in 1900-02"),
        ("2017-12-12T24:00:00Z", "24:00:00 is not a time of day"),
        ("2017-12-12T09:60:00Z", "09:60:00 is not a time of day"),
        ("2016-12-31T23:59:60Z", "23:59:60 is not a time of day"),
        (
            "2017-12-12T09:45:00.1234567891Z",
            "10 fractional digits; nanoseconds take 9 at most",
        ),
        ("2017-12-12T09:45:00+24:00", "the offset +24:00 is not -23:59 to +23:59"),
        ("2017-12-12T09:45:00-02:60", "the offset -02:60 is not -23:59 to +23:59"),
    ],
)
def test_impossible_dates_and_times_say_what_is_wrong(text: str, problem: str) -> None:
    """A well-formed string naming no real time says which part is wrong."""
    message = f"{text!r} is not a valid ISO 8601 time: {problem}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        to_ns(text)


@pytest.mark.parametrize(
    "text",
    [
        "1677-09-21T00:12:43.145224193Z",
        "2262-04-11T23:47:16.854775807Z",
        "0000-01-01",
        "9999-12-31T23:59:59.999999999Z",
        "2262-04-12T00:00:00+00:01",
    ],
)
def test_times_outside_influxdb_range_are_refused(text: str) -> None:
    """Parsed exactly, then held to the range InfluxDB stores."""
    message = (
        f"{text!r} is outside the range InfluxDB can store, "
        "1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        to_ns(text)


_ZONES = st.one_of(
    st.just(""),
    st.sampled_from(["Z", "z"]),
    st.builds(
        lambda sign, minutes: f"{sign}{minutes // 60:02d}:{minutes % 60:02d}",
        st.sampled_from("+-"),
        st.integers(0, 23 * 60 + 59),
    ),
)


@given(
    moment=st.datetimes(dt.datetime(1678, 1, 1), dt.datetime(2262, 1, 1)),
    digits=st.text("0123456789", max_size=9),
    separator=st.sampled_from("Tt "),
    zone=_ZONES,
)
def test_any_written_time_is_read_as_datetime_arithmetic_says(
    moment: dt.datetime, digits: str, separator: str, zone: str
) -> None:
    """Every date, fraction and offset agrees with the datetime arithmetic."""
    text = moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    text += f".{digits}" if digits else ""
    text += zone
    offset = dt.timedelta()
    if zone[:1] in ("+", "-"):
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        offset = dt.timedelta(hours=hours, minutes=minutes)
        offset = -offset if zone[0] == "-" else offset
    aware = moment.replace(microsecond=0, tzinfo=dt.timezone(offset))
    seconds = (aware - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(
        seconds=1
    )
    expected = seconds * S + int(digits.ljust(9, "0") or 0)
    assert parse_iso_time(text) == expected


def test_a_date_alone_is_midnight_utc() -> None:
    """``YYYY-MM-DD`` is the start of that day in UTC, as InfluxDB reads it."""
    assert parse_iso_time("2017-12-12") == parse_iso_time("2017-12-12T00:00:00Z")
