"""Filter keywords resolved into lookups: ``build_lookup(resolver,
'name__gte', value)`` finds the column, the field and its lookup class (a
tag or field read as the other with ``name__tag``/``name__field``), and
compares an annotation, or another column, where the value is an
expression. Refuses what InfluxDB would answer other than it reads.
"""

from __future__ import annotations

from typing import Any

from influxpy._utils import suggest
from influxpy.constants import LOOKUP_SEP
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
    Field,
    FloatField,
    InfluxField,
    StringField,
    TagField,
)
from influxpy.function_specs import FUNCTIONS
from influxpy.lookups import (
    ExpressionLookup,
    GreaterThanOrEqual,
    LessThanOrEqual,
    Lookup,
    Range,
    TimeGreaterThanOrEqual,
    TimeLessThanOrEqual,
)

__all__ = ["build_lookup"]

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
            if _row_math(node):
                _check_row_math(key, name, node)
                continue
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


def _row_math(node: Any) -> bool:
    """Whether *node* calls row-wise math (``Abs``, ``Pow``…), which InfluxDB
    evaluates on each point in WHERE."""
    spec = (
        FUNCTIONS.get(getattr(node, "name", "")) if getattr(node, "kind", "") else None
    )
    return spec is not None and spec.family == "math"


def _check_row_math(key: str, name: str, call: Any) -> None:
    """Refuse a math call InfluxDB evaluates to nothing in WHERE, so that no
    point would match: ``Log`` (its WHERE takes one argument and answers
    nothing for it), and a call whose first argument is not a stored field
    (arithmetic, another call, or a subquery's column)."""
    source = call.source
    if call.name == "log":
        reason = "log() in WHERE matches no point on InfluxDB"
    elif isinstance(source, Col) and source.role == "field":
        return
    else:
        reason = (
            f"InfluxDB evaluates {call.name}() in WHERE only over a stored field "
            "(not arithmetic, another call or a subquery's column) and matches no "
            "point otherwise"
        )
    msg = (
        f"{key}: {reason}; compute the annotation {name!r} in a subquery and "
        "filter the subquery's column."
    )
    raise FieldError(msg, field=name)


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
