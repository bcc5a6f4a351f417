"""InfluxQL's bitwise ``&``, ``|`` and ``^`` as influxd evaluates them.

influxd's evaluator (influxql's ``ValuerEval``) works on two values:

- two integers give their bitwise AND, OR or XOR;
- a boolean on the left gives a boolean: with a boolean on the right, the
  logical AND, OR or XOR; with any other value on the right, ``false``;
- a missing value beside a boolean reads as ``false`` (``b | x`` is ``b``,
  ``x & b`` is ``false``); two missing values stay missing;
- anything else (a float, a string, an integer beside a non-integer) is
  missing.

The select list refuses most mixed types before the query runs
(``backends/duckdb/argument_types.py``); a WHERE condition is not typed, so
these rules are all it gets, with one difference: there a missing operand
makes the answer missing, a boolean's too (``c | x`` is missing, not
``c``). A comparison of a missing answer of arithmetic with a boolean reads
it as ``false`` (``WHERE x & c = false`` and ``WHERE f + 1 != true`` match
where ``f`` is missing); a number compared with a boolean matches nothing.

Over a subquery, influxd evaluates the WHERE on each row with the same
evaluator as the select list (*rows*): a missing value beside a boolean
reads as ``false`` there too, in a comparison (``t = false`` and ``t ^
true`` match where ``t`` is missing) as in ``&``, ``|`` and ``^``; two
missing values stay missing. A name the subquery lacks is not a missing
value: beside it a boolean gives ``false``, anything else no value.
Booleans are compared by ``=`` and ``!=`` only (``t > false`` matches
nothing), over a subquery or not.
"""

from __future__ import annotations

__all__ = ["bitwise", "boolean_comparison", "row_comparison"]

#: Each operator's SQL on two integers and on two booleans.
_INTEGER = {"&": "({a} & {b})", "|": "({a} | {b})", "^": "xor({a}, {b})"}
_BOOLEAN = {"&": "({a} AND {b})", "|": "({a} OR {b})", "^": "({a} <> {b})"}

_NULL_BOOLEAN = "CAST(NULL AS BOOLEAN)"


def bitwise(
    left: tuple[str, str | None],
    op: str,
    right: tuple[str, str | None],
    *,
    condition: bool = False,
    rows: bool = False,
) -> tuple[str, str | None]:
    """SQL and kind of ``left op right`` for a bitwise *op*.

    A kind is ``integer``, ``float``, ``boolean``, ``string``, ``tag`` or
    ``None`` (a name the source does not hold: always null). The answer's
    kind is ``None`` where it is always null. *condition*: evaluated in a
    WHERE clause, where a missing operand is not read as ``false``, unless
    *rows* (the WHERE of a query over a subquery).
    """
    (a, ka), (b, kb) = left, right
    if ka == kb == "integer":
        return _INTEGER[op].format(a=a, b=b), "integer"
    if condition and rows:
        return _over_rows(left, op, right)
    missing = (ka is None or kb is None) if condition else ka is kb is None
    if missing:
        return "NULL", None
    if condition and ka == "boolean":
        value = _BOOLEAN[op].format(a=a, b=b) if kb == "boolean" else "FALSE"
        either = f"{a} IS NULL OR {b} IS NULL"
        return f"(CASE WHEN {either} THEN NULL ELSE {value} END)", "boolean"
    if ka in ("boolean", None) and kb in ("boolean", None):
        a = a if ka == "boolean" else _NULL_BOOLEAN
        b = b if kb == "boolean" else _NULL_BOOLEAN
        value = _BOOLEAN[op].format(
            a=f"coalesce({a}, FALSE)", b=f"coalesce({b}, FALSE)"
        )
        both = f"{a} IS NULL AND {b} IS NULL"
        return f"(CASE WHEN {both} THEN NULL ELSE {value} END)", "boolean"
    if ka == "boolean":
        # A boolean beside a value of another type: false, unless that
        # value is missing (then it reads as false).
        alone = _BOOLEAN[op].format(a=a, b="FALSE")
        return (
            f"(CASE WHEN {a} IS NULL THEN NULL WHEN {b} IS NULL THEN {alone} "
            "ELSE FALSE END)"
        ), "boolean"
    return "NULL", None


def _over_rows(
    left: tuple[str, str | None], op: str, right: tuple[str, str | None]
) -> tuple[str, str | None]:
    """``left op right`` in the WHERE of a query over a subquery: as in a
    select list, but a name the subquery lacks is no missing value, and a
    missing value on the left beside a boolean reads as ``false``."""
    (a, ka), (b, kb) = left, right
    if ka is None:
        return "NULL", None
    if kb is None:
        if ka != "boolean":
            return "NULL", None
        return f"(CASE WHEN {a} IS NULL THEN NULL ELSE FALSE END)", "boolean"
    if ka != "boolean" and kb == "boolean":
        value = _BOOLEAN[op].format(a="FALSE", b=b)
        return f"(CASE WHEN {a} IS NULL AND {b} IS NOT NULL THEN {value} END)", (
            "boolean"
        )
    return bitwise(left, op, right)


def row_comparison(
    left: tuple[str, str | None], op: str, right: tuple[str, str | None]
) -> str | None:
    """A comparison in the WHERE of a query over a subquery where a side
    is a boolean, as influxd's evaluator compares a row's values: a missing
    value beside a boolean reads as ``false`` (both missing match nothing),
    a value of another type matches nothing, and only ``=`` and ``!=``
    compare. ``None`` when neither side is a boolean.
    """
    (a, ka), (b, kb) = left, right
    if "boolean" not in (ka, kb):
        return None
    if op not in ("=", "!="):
        return "FALSE"

    def read(x: str, kind: str | None) -> str:
        if kind == "boolean":
            return f"coalesce({x}, FALSE)"
        if kind is None:
            return "FALSE"
        return f"(CASE WHEN {x} IS NULL THEN FALSE END)"

    either = f"({a} IS NOT NULL OR {b} IS NOT NULL)"
    return f"({either} AND coalesce(({read(a, ka)} {op} {read(b, kb)}), FALSE))"


def boolean_comparison(
    left: tuple[str, str | None],
    op: str,
    right: tuple[str, str | None],
    arithmetic: tuple[bool, bool],
) -> str | None:
    """A WHERE comparison (``=`` or ``!=``) between a boolean and the answer
    of arithmetic, as influxd compares them: a missing answer reads as
    ``false``, a number matches nothing. *arithmetic* says which side is
    arithmetic; ``None`` when the rule does not apply.
    """
    sides = [left, right]
    for index, other in ((0, 1), (1, 0)):
        (x, kx), (_, ko) = sides[index], sides[other]
        if not arithmetic[index] or ko != "boolean" or op not in ("=", "!="):
            continue
        if kx == "boolean":
            read = f"coalesce({x}, FALSE)"
        elif kx is None:
            read = "FALSE"
        else:
            read = f"(CASE WHEN {x} IS NULL THEN FALSE END)"
        sides[index] = (read, "boolean")
        (a, _), (b, _) = sides
        return f"coalesce(({a} {op} {b}), FALSE)"
    return None
