"""Durations: ``Minute(5)``, ``Hour(1)``, …, for GROUP BY time and offsets.

A duration is a whole number of one unit. Two durations are equal only
when both the value and the unit are equal (``Minute(60) != Hour(1)``), so
a downsampled measurement declared for ``Hour(1)`` is not picked for
``Minute(60)`` by accident; ``nanoseconds`` compares magnitudes, and
ordering (``<``) is by magnitude.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

__all__ = [
    "Day",
    "Days",
    "Duration",
    "Hour",
    "Hours",
    "Microsecond",
    "Microseconds",
    "Millisecond",
    "Milliseconds",
    "Minute",
    "Minutes",
    "Nanosecond",
    "Nanoseconds",
    "Second",
    "Seconds",
    "Week",
    "Weeks",
    "duration_from_nanoseconds",
]


class Duration:
    """A whole number of one time unit (see the concrete subclasses)."""

    visit_name: ClassVar[str] = "duration"
    #: InfluxQL's spelling of the unit: ns, u, ms, s, m, h, d, w.
    unit: ClassVar[str] = ""
    #: Nanoseconds in one unit.
    unit_ns: ClassVar[int] = 0

    __slots__ = ("value",)

    def __init__(self, value: int = 1) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            cls = type(self).__name__
            type_name = type(value).__name__
            msg = (
                f"{cls}() takes a whole number of {cls.lower()}s; got {value!r} "
                f"({type_name}). Use a smaller unit for fractions, e.g. Second(90)."
            )
            raise TypeError(msg)
        self.value = value

    @property
    def nanoseconds(self) -> int:
        """The length of this duration in nanoseconds."""
        return self.value * self.unit_ns

    def to_timedelta(self) -> dt.timedelta:
        """Return this duration as a ``timedelta`` (microsecond precision)."""
        return dt.timedelta(microseconds=self.nanoseconds / 1000)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value})"

    def __str__(self) -> str:
        return f"{self.value}{self.unit}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.unit == other.unit and self.value == other.value

    # Ordering is by magnitude while equality also needs the same unit, so
    # the four comparisons are spelled out: total_ordering would derive
    # ``<=`` from ``==`` and make ``Minute(60) <= Hour(1)`` false.
    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.nanoseconds < other.nanoseconds

    def __le__(self, other: Any) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.nanoseconds <= other.nanoseconds

    def __gt__(self, other: Any) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.nanoseconds > other.nanoseconds

    def __ge__(self, other: Any) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.nanoseconds >= other.nanoseconds

    def __hash__(self) -> int:
        return hash((self.unit, self.value))

    def __neg__(self) -> Duration:
        return type(self)(-self.value)

    def __mul__(self, factor: int) -> Duration:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return type(self)(self.value * factor)

    __rmul__ = __mul__


class Nanosecond(Duration):
    """Nanoseconds (``ns``)."""

    unit = "ns"
    unit_ns = 1


class Microsecond(Duration):
    """Microseconds (``u``)."""

    unit = "u"
    unit_ns = 1_000


class Millisecond(Duration):
    """Milliseconds (``ms``)."""

    unit = "ms"
    unit_ns = 1_000_000


class Second(Duration):
    """Seconds (``s``)."""

    unit = "s"
    unit_ns = 1_000_000_000


class Minute(Duration):
    """Minutes (``m``)."""

    unit = "m"
    unit_ns = 60 * 1_000_000_000


class Hour(Duration):
    """Hours (``h``)."""

    unit = "h"
    unit_ns = 3_600 * 1_000_000_000


class Day(Duration):
    """Days of 24 hours (``d``)."""

    unit = "d"
    unit_ns = 86_400 * 1_000_000_000


class Week(Duration):
    """Weeks of 7 days (``w``); InfluxDB aligns them to Thursdays (epoch)."""

    unit = "w"
    unit_ns = 7 * 86_400 * 1_000_000_000


# The seed's plural spellings.
Nanoseconds = Nanosecond
Microseconds = Microsecond
Milliseconds = Millisecond
Seconds = Second
Minutes = Minute
Hours = Hour
Days = Day
Weeks = Week

_LARGEST_FIRST: tuple[type[Duration], ...] = (
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
)


def duration_from_nanoseconds(ns: int) -> Duration:
    """Return the duration in the largest unit that divides *ns* exactly."""
    for cls in _LARGEST_FIRST:
        if ns % cls.unit_ns == 0:
            return cls(ns // cls.unit_ns)
    raise AssertionError  # pragma: no cover - Nanosecond divides everything


def as_duration(value: Any, what: str) -> Duration:
    """Accept a ``Duration`` or a ``timedelta`` for *what*; refuse the rest."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, dt.timedelta):
        ns = (value.days * 86_400 + value.seconds) * 1_000_000_000
        return duration_from_nanoseconds(ns + value.microseconds * 1_000)
    type_name = type(value).__name__
    msg = (
        f"{what} takes a duration such as Minute(5) or a timedelta; got "
        f"{value!r} ({type_name})."
    )
    raise TypeError(msg)
