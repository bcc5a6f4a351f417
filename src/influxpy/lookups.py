"""Lookups: ``name='a'``, ``cpu__gte=50``, ``time__lt=t``, one class each.

Each lookup has a ``lookup_name``, a left side (a ``Col``) and a prepared
right side; it holds no operator text (compilers map ``lookup_name`` to
their operator). Lookups are registered on field classes, so a field
refuses lookups InfluxDB cannot evaluate for it. Text lookups
(``startswith``, ``contains``, …) prepare an RE2 pattern with the user's
text escaped, which both InfluxDB and DuckDB understand.

``~`` is applied by negating each lookup (``negated``), since InfluxQL has
no NOT.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy._utils import to_ns
from influxpy.durations import Duration, as_duration
from influxpy.exceptions import FieldError
from influxpy.expressions import (
    Col,
    Expression,
    Now,
    TimeValue,
)
from influxpy.fields import (
    BooleanField,
    Field,
    FloatField,
    InfluxField,
    IntegerField,
    StringField,
    TagField,
    TimeField,
)

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "Between",
    "Contains",
    "EndsWith",
    "Exact",
    "ExpressionLookup",
    "GreaterThan",
    "GreaterThanOrEqual",
    "IContains",
    "IEndsWith",
    "IExact",
    "IRegex",
    "IStartsWith",
    "In",
    "IsNull",
    "LessThan",
    "LessThanOrEqual",
    "Lookup",
    "Matches",
    "NotEqual",
    "Range",
    "Regex",
    "StartsWith",
    "regex_escape",
]

_REGEX_SPECIALS = frozenset("\\.+*?()|[]{}^$")


def regex_escape(text: str) -> str:
    """Escape *text* so an RE2 pattern matches it literally."""
    out = []
    for char in text:
        if char in _REGEX_SPECIALS:
            out.append("\\" + char)
        elif char < " " or char == "\x7f":
            out.append(f"\\x{{{ord(char):02x}}}")
        else:
            out.append(char)
    return "".join(out)


@dataclasses.dataclass(frozen=True, eq=True)
class Lookup:
    """A condition ``lhs <lookup_name> rhs``, possibly negated."""

    lhs: Col
    rhs: Any
    negated: bool = False
    lookup_name: ClassVar[str] = ""
    visit_name: ClassVar[str] = "lookup"
    #: Whether ``None`` is a meaningful right side.
    accepts_none: ClassVar[bool] = False

    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Check *value* and turn it into the stored form (``field.to_db``)."""
        return field.to_db(value)

    @classmethod
    def build(cls, field: Field[Any], col: Col, value: Any) -> Lookup:
        """Return the lookup for ``field <lookup_name> value``."""
        if value is None and not cls.accepts_none:
            msg = (
                f"{field.label}__{cls.lookup_name} cannot compare with None; use "
                f"{field.name}__isnull=True to find points without a value."
            )
            if isinstance(field, TimeField):
                msg = (
                    f"{field.label}__{cls.lookup_name} cannot compare with None: "
                    "every point has a time."
                )
            elif not field.is_tag:
                msg = (
                    f"{field.label}__{cls.lookup_name} cannot compare with None: "
                    "InfluxDB cannot filter on a missing field value."
                )
            raise FieldError(msg, field=field.name)
        return cls(col, cls.prepare(field, value))

    def negate(self) -> Self:
        """Return the opposite condition."""
        return dataclasses.replace(self, negated=not self.negated)


@dataclasses.dataclass(frozen=True, eq=True)
class ExpressionLookup:
    """A comparison whose left side is an expression rather than a column:
    ``f + 1 > 4``, ``f * 2 >= g``, ``1 = 1``, as InfluxQL text may write.

    ``lookup_name`` is the comparison (``exact``, ``ne``, ``gt``, ``gte``,
    ``lt``, ``lte``); the right side is a literal or an expression. Unlike
    a ``Lookup`` it has no column, so it is never a time bound or a tag
    condition: it is evaluated on each point, as influxd evaluates it
    (numbers compared after arithmetic, a missing value or a tag, string or
    boolean in arithmetic matching nothing).
    """

    lhs: Expression
    lookup_name: str
    rhs: Any
    negated: bool = False
    visit_name: ClassVar[str] = "expression_lookup"

    #: The comparisons an expression lookup takes.
    names: ClassVar[frozenset[str]] = frozenset(
        ("exact", "ne", "gt", "gte", "lt", "lte")
    )

    def __post_init__(self) -> None:
        if self.lookup_name not in self.names:
            allowed = ", ".join(sorted(self.names))
            msg = (
                f"An expression lookup compares with one of {allowed}; got "
                f"{self.lookup_name!r}."
            )
            raise ValueError(msg)

    def negate(self) -> ExpressionLookup:
        """Return the opposite condition."""
        return dataclasses.replace(self, negated=not self.negated)


class Exact(Lookup):
    """``=`` (``!=`` when negated)."""

    lookup_name = "exact"


class NotEqual(Lookup):
    """``!=`` (``=`` when negated)."""

    lookup_name = "ne"


class GreaterThan(Lookup):
    """``>``."""

    lookup_name = "gt"


class GreaterThanOrEqual(Lookup):
    """``>=``."""

    lookup_name = "gte"


class LessThan(Lookup):
    """``<``."""

    lookup_name = "lt"


class LessThanOrEqual(Lookup):
    """``<=``."""

    lookup_name = "lte"


class In(Lookup):
    """Equal to one of several values: ``= a OR = b`` (AND of ``!=`` negated)."""

    lookup_name = "in"

    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Prepare every value; a str is refused (it would be split)."""
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            type_name = type(value).__name__
            msg = (
                f"{field.label}__in takes a list of values; got {value!r} "
                f"({type_name})."
            )
            raise FieldError(msg, field=field.name)
        return tuple(field.to_db(v) for v in value)


class Range(Lookup):
    """``>= low AND <= high`` (both ends included, as in Django)."""

    lookup_name = "range"

    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Prepare a (low, high) pair."""
        pair: tuple[Any, ...] = (value,)
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            pair = tuple(value)
        if len(pair) != 2:
            msg = (
                f"{field.label}__{cls.lookup_name} takes a pair (low, high); got "
                f"{value!r}."
            )
            raise FieldError(msg, field=field.name)
        return (field.to_db(pair[0]), field.to_db(pair[1]))


class Between(Range):
    """The seed's spelling of ``range``: both ends included."""

    lookup_name = "between"


class Matches(Lookup):
    """Base of regex-based lookups: ``rhs`` is an RE2 pattern.

    The pattern is ``prefix`` + the user's text (regex-escaped unless the
    lookup takes a pattern) + ``suffix``.
    """

    lookup_name = ""
    prefix: ClassVar[str] = ""
    suffix: ClassVar[str] = ""
    escape: ClassVar[bool] = True

    @classmethod
    def pattern(cls, text: str) -> str:
        """Return the RE2 pattern for the user's *text*."""
        body = regex_escape(text) if cls.escape else text
        return cls.prefix + body + cls.suffix

    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Check the value is a str and build the pattern."""
        if not isinstance(value, str):
            type_name = type(value).__name__
            msg = (
                f"{field.label}__{cls.lookup_name} takes a str; got {value!r} "
                f"({type_name})."
            )
            raise FieldError(msg, field=field.name)
        return cls.pattern(value)


class Regex(Matches):
    """``=~ /pattern/`` with the user's RE2 pattern, unanchored."""

    lookup_name = "regex"
    escape = False


class IRegex(Matches):
    """Case-insensitive ``regex``: ``(?i)`` + the pattern."""

    lookup_name = "iregex"
    prefix = "(?i)"
    escape = False


class StartsWith(Matches):
    """Starts with the text (regex ``^text``)."""

    lookup_name = "startswith"
    prefix = "^"


class IStartsWith(Matches):
    """Case-insensitive ``startswith``."""

    lookup_name = "istartswith"
    prefix = "(?i)^"


class EndsWith(Matches):
    """Ends with the text (regex ``text$``)."""

    lookup_name = "endswith"
    suffix = "$"


class IEndsWith(Matches):
    """Case-insensitive ``endswith``."""

    lookup_name = "iendswith"
    prefix = "(?i)"
    suffix = "$"


class Contains(Matches):
    """Contains the text (unanchored regex of the escaped text)."""

    lookup_name = "contains"


class IContains(Matches):
    """Case-insensitive ``contains``."""

    lookup_name = "icontains"
    prefix = "(?i)"


class IExact(Matches):
    """Equal ignoring case (regex ``(?i)^text$``)."""

    lookup_name = "iexact"
    prefix = "(?i)^"
    suffix = "$"


class IsNull(Lookup):
    """The tag is absent (``= ''``) or, with ``False``, present (``!= ''``)."""

    lookup_name = "isnull"
    accepts_none = False

    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Take True or False."""
        if not isinstance(value, bool):
            type_name = type(value).__name__
            msg = (
                f"{field.label}__isnull takes True or False; got {value!r} "
                f"({type_name})."
            )
            raise FieldError(msg, field=field.name)
        return value


class _TimeLookupMixin:
    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Turn a time, a ``Now()`` expression or a relative offset into a node."""
        if isinstance(value, (Now, TimeValue)):
            return value
        if isinstance(value, (dt.timedelta, Duration)):
            return Now(as_duration(value, "a time lookup").nanoseconds)
        try:
            return TimeValue(to_ns(value))
        except (TypeError, ValueError) as exc:
            msg = (
                f"{field.label}__{getattr(cls, 'lookup_name', '')} cannot use "
                f"{value!r}: {exc}. Relative times are written Now() - Hour(1)."
            )
            raise FieldError(msg, field=field.name) from None


class TimeExact(_TimeLookupMixin, Exact):
    """``time = t``."""


class TimeGreaterThan(_TimeLookupMixin, GreaterThan):
    """``time > t``."""


class TimeGreaterThanOrEqual(_TimeLookupMixin, GreaterThanOrEqual):
    """``time >= t``."""


class TimeLessThan(_TimeLookupMixin, LessThan):
    """``time < t``."""


class TimeLessThanOrEqual(_TimeLookupMixin, LessThanOrEqual):
    """``time <= t``."""


class TimeRange(Range):
    """``time >= low AND time <= high``."""

    @classmethod
    def prepare(cls, field: Field[Any], value: Any) -> Any:
        """Prepare both ends as times."""
        pair: tuple[Any, ...] = (value,)
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            pair = tuple(value)
        if len(pair) != 2:
            msg = (
                f"{field.label}__{cls.lookup_name} takes a pair (start, end); got "
                f"{value!r}."
            )
            raise FieldError(msg, field=field.name)
        return (
            TimeGreaterThanOrEqual.prepare(field, pair[0]),
            TimeLessThanOrEqual.prepare(field, pair[1]),
        )


class TimeBetween(TimeRange):
    """The seed's ``time__between=(start, end)``, both ends included."""

    lookup_name = "between"


_TEXT_LOOKUPS: tuple[type[Lookup], ...] = (
    Exact,
    NotEqual,
    In,
    Regex,
    IRegex,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    Contains,
    IContains,
    IExact,
)
_NUMERIC_LOOKUPS: tuple[type[Lookup], ...] = (
    Exact,
    NotEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    In,
    Range,
    Between,
)
for _lookup in (*_TEXT_LOOKUPS, IsNull):
    TagField.register_lookup(_lookup)
for _lookup in _TEXT_LOOKUPS:
    StringField.register_lookup(_lookup)
for _lookup in _NUMERIC_LOOKUPS:
    FloatField.register_lookup(_lookup)
    IntegerField.register_lookup(_lookup)
for _lookup in (*_NUMERIC_LOOKUPS, *_TEXT_LOOKUPS):
    InfluxField.register_lookup(_lookup)
for _lookup in (Exact, NotEqual):
    BooleanField.register_lookup(_lookup)
for _lookup in (
    TimeExact,
    TimeGreaterThan,
    TimeGreaterThanOrEqual,
    TimeLessThan,
    TimeLessThanOrEqual,
    TimeRange,
    TimeBetween,
):
    TimeField.register_lookup(_lookup)
