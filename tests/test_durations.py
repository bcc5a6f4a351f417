"""Durations: whole numbers of one unit, equal only in the same unit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

import influxpy
from influxpy import durations
from influxpy.durations import (
    Day,
    Days,
    Duration,
    Hour,
    Hours,
    Microsecond,
    Millisecond,
    Minute,
    Minutes,
    Nanosecond,
    Second,
    Seconds,
    Week,
    as_duration,
    duration_from_nanoseconds,
)

UNITS = [
    (Nanosecond, "ns", 1),
    (Microsecond, "u", 1_000),
    (Millisecond, "ms", 1_000_000),
    (Second, "s", 10**9),
    (Minute, "m", 60 * 10**9),
    (Hour, "h", 3_600 * 10**9),
    (Day, "d", 86_400 * 10**9),
    (Week, "w", 604_800 * 10**9),
]


@pytest.mark.parametrize(("cls", "unit", "ns"), UNITS)
def test_units(cls: type[Duration], unit: str, ns: int):
    """Each class spells its unit as InfluxQL does (§3.3) and knows its length."""
    assert str(cls(5)) == f"5{unit}"
    assert cls(5).nanoseconds == 5 * ns
    assert cls().value == 1
    assert repr(cls(5)) == f"{cls.__name__}(5)"


def test_plural_aliases():
    """The seed's plural names are the same classes."""
    assert Minutes is Minute
    assert Seconds is Second
    assert Hours is Hour
    assert Days is Day
    assert Minute(5) == Minutes(5)


def test_importable_from_the_package():
    """Durations are on the front door too (DESIGN.md §1)."""
    for name in durations.__all__:
        assert getattr(influxpy, name) is getattr(durations, name)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Minute(60), Hour(1)),
        (Second(60), Minute(1)),
        (Day(7), Week(1)),
        (Millisecond(1000), Second(1)),
    ],
)
def test_equal_length_in_other_units_is_not_equal(left: Duration, right: Duration):
    """Equality needs the same value and unit; ``nanoseconds`` compares lengths."""
    assert left != right
    assert not left == right  # noqa: SIM201 - __eq__ itself is under test
    assert left.nanoseconds == right.nanoseconds
    assert left <= right
    assert left >= right
    assert not left < right
    assert not left > right


def test_equality_and_hash():
    """Equal durations hash alike; other types are never equal."""
    assert Minute(5) == Minute(5)
    assert hash(Minute(5)) == hash(Minutes(5))
    assert len({Minute(5), Minute(5), Minute(6), Hour(5)}) == 3
    assert Minute(5) != 5
    assert Minute(5) != "5m"
    assert Minute(5) != dt.timedelta(minutes=5)


def test_ordering_by_magnitude():
    """Ordering compares lengths across units, consistently in both directions."""
    assert Minute(59) < Hour(1)
    assert Hour(1) > Minute(59)
    assert Minute(61) > Hour(1)
    assert Hour(1) <= Minute(60)
    assert Hour(1) >= Minute(60)
    assert sorted([Hour(1), Second(1), Minute(5), Day(1), Nanosecond(1)]) == [
        Nanosecond(1),
        Second(1),
        Minute(5),
        Hour(1),
        Day(1),
    ]
    assert max(Minute(90), Hour(1)) == Minute(90)


@pytest.mark.parametrize("other", [5, 5.0, "5m", None, dt.timedelta(minutes=5)])
def test_ordering_against_other_types(other: Any):
    """Durations do not order against other types."""
    with pytest.raises(TypeError):
        _ = Minute(5) < other
    with pytest.raises(TypeError):
        _ = Minute(5) >= other


@pytest.mark.parametrize(
    ("cls", "value", "shown"),
    [
        (Minute, 1.5, "1.5 (float)"),
        (Minute, 5.0, "5.0 (float)"),
        (Second, "5", "'5' (str)"),
        (Hour, True, "True (bool)"),
        (Nanosecond, None, "None (NoneType)"),
    ],
)
def test_non_int_values_are_refused(cls: type[Duration], value: Any, shown: str):
    """A duration is a whole number; fractions use a smaller unit."""
    name = cls.__name__
    msg = (
        f"{name}() takes a whole number of {name.lower()}s; got {shown}. "
        "Use a smaller unit for fractions, e.g. Second(90)."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        cls(value)


def test_negation_and_multiplication():
    """Durations negate and multiply by ints, keeping their unit."""
    assert -Minute(5) == Minute(-5)
    assert Minute(5) * 3 == Minute(15)
    assert 3 * Minute(5) == Minute(15)
    with pytest.raises(TypeError):
        _ = Minute(5) * 1.5
    with pytest.raises(TypeError):
        _ = Minute(5) * True


def test_to_timedelta():
    """Durations convert to timedelta (microsecond precision)."""
    assert Minute(90).to_timedelta() == dt.timedelta(minutes=90)
    assert Millisecond(1500).to_timedelta() == dt.timedelta(seconds=1.5)
    assert Week(2).to_timedelta() == dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("ns", "duration"),
    [
        (604_800 * 10**9, Week(1)),
        (86_400 * 10**9, Day(1)),
        (3_600 * 10**9, Hour(1)),
        (5_400 * 10**9, Minute(90)),
        (90 * 10**9, Second(90)),
        (1_500_000_000, Millisecond(1500)),
        (2_000, Microsecond(2)),
        (1_500, Nanosecond(1500)),
        (1, Nanosecond(1)),
        (-3_600 * 10**9, Hour(-1)),
        (-1, Nanosecond(-1)),
    ],
)
def test_duration_from_nanoseconds(ns: int, duration: Duration):
    """The largest unit that divides the length exactly is chosen."""
    assert duration_from_nanoseconds(ns) == duration


@pytest.mark.parametrize(
    ("value", "duration"),
    [
        (Minute(5), Minute(5)),
        (dt.timedelta(minutes=5), Minute(5)),
        (dt.timedelta(seconds=1.5), Millisecond(1500)),
        (dt.timedelta(microseconds=1), Microsecond(1)),
        (dt.timedelta(days=7), Week(1)),
        (dt.timedelta(hours=-1), Hour(-1)),
        (dt.timedelta(days=1, seconds=1), Second(86401)),
    ],
)
def test_as_duration(value: Any, duration: Duration):
    """Durations pass through; timedeltas convert exactly."""
    assert as_duration(value, "x") == duration


@pytest.mark.parametrize(
    ("value", "shown"),
    [(5, "5 (int)"), ("5m", "'5m' (str)"), (None, "None (NoneType)")],
)
def test_as_duration_refuses_other_types(value: Any, shown: str):
    """The message names what wanted the duration and what it got."""
    msg = (
        f"GROUP BY time takes a duration such as Minute(5) or a timedelta; got {shown}."
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        as_duration(value, "GROUP BY time")
