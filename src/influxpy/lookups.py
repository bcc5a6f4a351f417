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

from influxpy._utils import suggest, to_ns
from influxpy.constants import LOOKUP_SEP
from influxpy.durations import Duration, as_duration
from influxpy.exceptions import CompileError, FieldError
from influxpy.expressions import (
    ROLE_CASTS,
    Col,
    CombinedExpression,
    Expression,
    Now,
    Resolver,
    TimeValue,
    Value,
    WhereNode,
    cast_column,
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
    "build_lookup",
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

_ORDERING = frozenset({"gt", "gte", "lt", "lte", "range", "between"})


def build_lookup(
    resolver: Resolver, key: str, value: Any
) -> Lookup | ExpressionLookup | WhereNode:
    """Turn ``'name__lookup', value`` into a lookup node for *resolver*.

    Raises ``FieldError`` naming the valid fields or lookups, with a close
    match, and ``CompileError`` for a comparison InfluxDB would silently
    answer with nothing.
    """
    name, _, lookup_name = key.partition(LOOKUP_SEP)
    annotated = resolver.annotation(name)
    if annotated is not None:
        return _compare_annotation(resolver, key, annotated, value)
    cast, _, rest = lookup_name.partition(LOOKUP_SEP)
    if cast not in ROLE_CASTS:
        cast, rest = "", lookup_name
    lookup_name = rest or "exact"
    col = resolver.column(name)
    field = resolver.field(name)
    if cast:
        # ``name__tag`` / ``name__field``: the key read as a tag or a field
        # (``"name"::tag``), for a key that is both in different series.
        col = cast_column(col, cast)
        if field is None or field.is_tag != (cast == "tag"):
            field = _field_for_alias(col)
            field.name = name
    if field is None:
        field = _field_for_alias(col)
    lookups: dict[str, type[Lookup]] = type(field).get_lookups()
    compared = lookups.get(lookup_name)
    if (
        compared is not None
        and isinstance(value, Expression)
        and not isinstance(value, (Now, TimeValue))
    ):
        return _compare_columns(resolver, key, col, compared, value)
    if lookup_name in _ORDERING and (
        field.is_tag
        or isinstance(field, StringField)
        or (isinstance(field, InfluxField) and _holds_text(value))
    ):
        what = (
            "tags"
            if field.is_tag
            else "string fields"
            if isinstance(field, StringField)
            else "strings"
        )
        msg = (
            f"{key}: InfluxDB answers <, <=, > and >= on {what} with no rows and no "
            "error, so influxpy refuses them; use exact values, __in, __regex or "
            "__startswith instead."
        )
        raise CompileError(msg)
    lookup_cls = lookups.get(lookup_name)
    if lookup_cls is None:
        names = ", ".join(sorted(lookups))
        hint = suggest(lookup_name, lookups)
        kind = type(field).__name__
        article = "an" if kind[0] in "AEIOU" else "a"
        msg = (
            f"{field.label} has no lookup {lookup_name!r}; {article} {kind} "
            f"supports: {names}.{hint}"
        )
        raise FieldError(msg, field=name)
    lookup = lookup_cls.build(field, col, value)
    if isinstance(lookup, Range):
        low, high = lookup.rhs
        ge = TimeGreaterThanOrEqual if col.role == "time" else GreaterThanOrEqual
        le = TimeLessThanOrEqual if col.role == "time" else LessThanOrEqual
        return WhereNode("AND", (ge(col, low), le(col, high)))
    return lookup


#: The lookups that compare a field with another field's value.
_COLUMN_COMPARISONS = frozenset({"exact", "ne", "gt", "gte", "lt", "lte"})


def _compare_annotation(
    resolver: Resolver, key: str, expression: Expression, value: Any
) -> ExpressionLookup:
    """``annotate(odd=F('n') % 2).filter(odd=1)``: the annotation's
    arithmetic compared in WHERE, as InfluxQL's ``"n" % 2 = 1``."""
    name, _, lookup_name = key.partition(LOOKUP_SEP)
    lookup_name = lookup_name or "exact"
    if lookup_name not in ExpressionLookup.names:
        allowed = ", ".join(sorted(ExpressionLookup.names))
        msg = f"{key}: the annotation {name!r} is compared through {allowed} only."
        raise FieldError(msg, field=name)
    rhs = value.resolve(resolver) if isinstance(value, Expression) else value
    if isinstance(rhs, Expression) and not isinstance(rhs, (Col, Value)):
        if not isinstance(rhs, CombinedExpression):
            msg = f"{key}: an annotation is compared with a value, F() or arithmetic."
            raise FieldError(msg, field=name)
    elif not isinstance(rhs, (Col, Value, bool, int, float, str)):
        type_name = type(rhs).__name__
        msg = (
            f"{key}: an annotation is compared with a number, a string, a "
            f"boolean or an F() expression, not {type_name}."
        )
        raise FieldError(msg, field=name)
    for side in (expression, rhs):
        for node in side.walk() if isinstance(side, Expression) else ():
            if getattr(node, "kind", "") or not isinstance(
                node, (Col, Value, CombinedExpression)
            ):
                msg = (
                    f"{key}: the annotation {name!r} holds a function; InfluxDB "
                    "filters points before functions, so compute it in a "
                    "subquery and filter the subquery's column."
                )
                raise FieldError(msg, field=name)
            if isinstance(node, Col) and node.role == "time":
                msg = f"{key}: time cannot be part of a compared annotation."
                raise FieldError(msg, field=name)
    return ExpressionLookup(expression, lookup_name, rhs)


def _compare_tag(
    resolver: Resolver,
    key: str,
    col: Col,
    lookup_cls: type[Lookup],
    value: Expression,
) -> Lookup:
    """``host=F('dc')``: a tag compared with another tag or a string field
    of the same point, as InfluxQL's ``"host" = "dc"`` (a missing tag is
    ``''``)."""
    name = key.partition(LOOKUP_SEP)[0]
    rhs = value.resolve(resolver)
    if lookup_cls.lookup_name not in ("exact", "ne") or not isinstance(rhs, Col):
        msg = (
            f"{key}: a tag is compared with F() of another tag or a string "
            "field through exact and ne only."
        )
        raise FieldError(msg, field=name)
    if rhs.role == "time" or (rhs.role == "field" and rhs.dtype != "string"):
        msg = (
            f"{key}: a tag holds text and InfluxDB compares text only with "
            f"text; {rhs.key!r} is not a tag or a string field."
        )
        raise FieldError(msg, field=name)
    return lookup_cls(col, rhs, False)


def _compare_columns(
    resolver: Resolver,
    key: str,
    col: Col,
    lookup_cls: type[Lookup],
    value: Expression,
) -> Lookup:
    """``load__gt=F('core') * 2``: a field compared with other fields of the
    same point, as InfluxQL's ``"load" > "core" * 2``."""
    name = key.partition(LOOKUP_SEP)[0]
    if col.role == "tag":
        return _compare_tag(resolver, key, col, lookup_cls, value)
    if col.role != "field" and col.role != "alias":
        msg = (
            f"{key}: only a field or a tag is compared with F() expressions; "
            f"{name!r} is a {col.role}. Compare it with a literal value instead."
        )
        raise FieldError(msg, field=name)
    if lookup_cls.lookup_name not in _COLUMN_COMPARISONS:
        allowed = ", ".join(sorted(_COLUMN_COMPARISONS))
        msg = (
            f"{key}: a field is compared with an F() expression through {allowed} only."
        )
        raise FieldError(msg, field=name)
    if col.dtype in ("string", "boolean") and lookup_cls.lookup_name not in (
        "exact",
        "ne",
    ):
        msg = (
            f"{key}: InfluxDB answers <, <=, > and >= on {col.dtype} fields with no "
            "rows and no error, so influxpy refuses them; compare with = or !=."
        )
        raise CompileError(msg)
    rhs = value.resolve(resolver)
    for node in rhs.walk():
        if getattr(node, "kind", ""):
            msg = (
                f"{key}: InfluxDB cannot filter on a function of the points "
                "(WHERE applies before functions); compute it in a subquery and "
                "filter its alias."
            )
            raise FieldError(msg, field=name)
        if isinstance(node, Col) and node.role == "time":
            msg = f"{key}: time cannot be part of an F() comparison; filter time alone."
            raise FieldError(msg, field=name)
    return lookup_cls(col, rhs, False)


def _holds_text(value: Any) -> bool:
    """Whether *value*, or one end of a range, is a str."""
    if isinstance(value, (tuple, list)):
        return any(isinstance(v, str) for v in value)
    return isinstance(value, str)


def _field_for_alias(col: Col) -> Field[Any]:
    """A stand-in field for a subquery's output column."""
    field: Field[Any]
    if col.role == "tag":
        field = TagField()
    elif col.dtype in ("float", "integer"):
        field = FloatField()
    else:
        field = InfluxField()
    field.name = col.key
    return field
