"""What a time is compared with in a condition, read as influxd reads it.

``time_value`` reads a time string (in the ``tz()`` zone when it has no
zone of its own), a number of nanoseconds, a duration, ``now()``, or one
of them shifted by a duration or an integer, with influxd's errors for
anything else. ``check_time_operator`` refuses ``time`` on one side of an
operator influxd does not compare it by; ``constant_term`` is the time
``now()`` arithmetic reduces to, as influxd writes it in its error.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo
from typing import Any

from influxpy._utils import format_rfc3339, parse_iso_time
from influxpy.exceptions import CompileError
from influxpy.expressions import Now, TimeValue
from influxpy.influxql.go_syntax import go_type
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx

__all__ = [
    "TIME_OPERATORS",
    "check_time_operator",
    "constant_term",
    "is_time",
    "time_value",
]


def is_time(node: Any) -> bool:
    """Whether *node* is the name ``time`` (without a cast)."""
    return isinstance(node, Ref) and node.name == "time" and node.cast is None


#: The operators influxd compares time with.
TIME_OPERATORS = frozenset({">", ">=", "<", "<=", "="})


def check_time_operator(node: Bin, timezone: str | None) -> None:
    """influxd's errors for time on one side of another operator: what
    it is compared with must be a time first (``time - 'x'``: ``time and
    *influxql.StringLiteral are not compatible``), then the operator is
    refused (``time - 1``: ``invalid time comparison operator: -``)."""
    if node.op in TIME_OPERATORS or node.op in ("AND", "OR"):
        return
    if is_time(node.lhs):
        other = node.rhs
    elif is_time(node.rhs):
        other = node.lhs
    else:
        return
    if isinstance(other, Rx):
        msg = "invalid operation: time and *influxql.RegexLiteral are not compatible"
        raise CompileError(msg)
    time_value(other, timezone)
    msg = f"invalid time comparison operator: {node.op}"
    raise CompileError(msg)


def constant_term(node: Bin, timezone: str | None) -> str | None:
    """The time influxd reduces arithmetic of ``now()`` and durations to,
    as it writes it (``'2026-01-02T03:04:05.6Z'``); None when Reduce
    cannot fold the term."""
    try:
        value = time_value(node, timezone)
    except CompileError:
        return None
    ns = time.time_ns() + value.offset_ns if isinstance(value, Now) else value.ns
    return f"'{format_rfc3339(ns)}'"


def time_value(node: Any, timezone: str | None) -> TimeValue | Now:
    """A point in time: ``TimeValue`` (epoch ns) or ``Now`` shifted.

    As influxd reads what a time is compared with (its condition already
    ``reduced``): a time string, a number of nanoseconds, a duration (as
    its nanoseconds) or ``now()``, or a time shifted by ``+`` or ``-`` a
    duration or an integer (a duration first: ``1h + '2020-01-01'``); a
    plain integer shifted by a duration reads as a time. Anything else
    fails with influxd's text (``time and *influxql.BinaryExpr are not
    compatible``).
    """
    node = _bare(node)
    if isinstance(node, Lit):
        if node.kind == "string" and _DATE.match(node.value):
            return TimeValue(_parse_time(node.value, timezone))
        if node.kind == "integer":
            return TimeValue(node.value)
        if node.kind == "duration":
            return TimeValue(node.value.nanoseconds)
        if node.kind == "number":
            return TimeValue(int(node.value))
    if isinstance(node, Call) and node.name == "now" and not node.args:
        return Now()
    if isinstance(node, Bin) and node.op in ("+", "-"):
        shifted = _shifted(node, timezone)
        if shifted is not None:
            return shifted
    msg = f"invalid operation: time and {go_type(node)} are not compatible"
    raise CompileError(msg)


#: A string influxd reads as a time (its ``isDateString``/``isDateTimeString``).
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bare(node: Any) -> Any:
    while isinstance(node, Paren):
        node = node.expr
    return node


def _shifted(node: Bin, timezone: str | None) -> TimeValue | Now | None:
    """``time ± shift`` as ``Reduce`` computes it, or None where it leaves
    the expression as written."""
    base, shift = _bare(node.lhs), _bare(node.rhs)
    if _is_duration(base) and node.op == "+" and _is_time_like(shift):
        base, shift = shift, base
    if _is_duration(base) or not isinstance(shift, Lit):
        return None
    if shift.kind == "duration":
        delta = shift.value.nanoseconds
    elif shift.kind == "integer" and not (
        isinstance(base, Lit) and base.kind == "integer"
    ):
        delta = shift.value
    else:
        return None
    if isinstance(base, Lit) and base.kind not in ("string", "integer"):
        return None
    try:
        start = time_value(base, timezone)
    except CompileError:
        # A string that is no time (influxd leaves ``'x' + 1h`` as written).
        return None
    if node.op == "-":
        delta = -delta
    if isinstance(start, Now):
        return Now(start.offset_ns + delta)
    return TimeValue(start.ns + delta)


def _is_time_like(node: Any) -> bool:
    """Whether *node* can be a time a duration is added to: a string,
    ``now()`` or arithmetic (not a number: ``1h + 5`` stays as written)."""
    return not (isinstance(node, Lit) and node.kind != "string")


def _is_duration(node: Any) -> bool:
    return isinstance(node, Lit) and node.kind == "duration"


def _parse_time(text: str, timezone: str | None) -> int:
    """Epoch ns of a time string, as InfluxDB reads it in WHERE."""
    zoned = text.endswith("Z") or (len(text) > 10 and text[-6] in "+-")
    if "T" in text and not zoned:
        msg = f"invalid timestamp string {text!r}: a 'T' time needs a zone (Z)."
        raise CompileError(msg)
    try:
        ns = parse_iso_time(text)
    except ValueError:
        msg = f"invalid timestamp string {text!r}: use RFC 3339 times."
        raise CompileError(msg) from None
    if zoned or timezone is None:
        return ns
    zone = zoneinfo.ZoneInfo(timezone)
    wall = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1_000)
    offset = wall.replace(tzinfo=zone).utcoffset() or dt.timedelta()
    return ns - int(offset.total_seconds()) * 1_000_000_000
