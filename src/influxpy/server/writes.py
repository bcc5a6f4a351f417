"""``POST /write``: a request body into the engine, answered as InfluxDB 1.6.7.

The body (gzip or not) is split into lines; ``precision`` scales each
line's timestamp to nanoseconds and a line without one gets the request's
time, truncated to the precision, as the server stamps it. The lines go to
the backend's line-protocol path in one call. When a line cannot be read,
the lines are checked one by one: the good ones are stored and the answer
is InfluxDB's ``unable to parse '<line>': <reason>`` (``partial write: …
dropped=0`` when some were stored). A field type conflict answers the
server's ``partial write: field type conflict: … dropped=N``.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
import time
import zlib
from typing import TYPE_CHECKING

from influxpy.exceptions import (
    DatabaseNotFoundError,
    FieldError,
    FieldTypeConflictError,
    LineProtocolError,
)
from influxpy.lineprotocol import encode_point, parse_line

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["PRECISIONS", "WriteAnswer", "decode_body", "write_body"]

#: Nanoseconds per unit of each ``precision`` InfluxDB 1.6.7 knows; any
#: other value means nanoseconds, as on that server.
PRECISIONS: dict[str, int] = {
    "n": 1,
    "u": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}

_MAX_TIME = 9_223_372_036_854_775_806
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[iu]?")
_BOOLEANS = frozenset(
    ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"]
)


@dataclasses.dataclass(frozen=True)
class WriteAnswer:
    """The HTTP answer to a write: 204, or a status and InfluxDB's error text."""

    status: int = 204
    error: str | None = None


class BodyError(ValueError):
    """A request body that cannot be decompressed."""


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    """The raw line protocol of a body sent with *content_encoding*."""
    if content_encoding and content_encoding.strip().lower() == "gzip":
        try:
            return gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            text = "unexpected EOF" if isinstance(exc, EOFError) else str(exc)
            raise BodyError(text) from None
    return body


def _is_integer(text: str) -> bool:
    digits = text[1:] if text[:1] == "-" else text
    return digits.isdigit() and digits.isascii()


def prepare_lines(
    text: str, precision: str | None, now_ns: int
) -> tuple[list[str], list[str]]:
    """The lines to store (times in ns) and, beside them, the lines as sent.

    Empty lines and ``#`` comments are skipped.
    """
    scale = PRECISIONS.get(precision or "n", 1)
    now = now_ns - now_ns % scale
    stamp = f" {now}"
    ready: list[str] = []
    sent: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        sent.append(line)
        cut = line.rfind(" ")
        tail = line[cut + 1 :] if cut > 0 else ""
        if tail and _is_integer(tail) and _has_fields(line[:cut]):
            if scale != 1:
                line = f"{line[:cut]} {int(tail) * scale}"
        elif _has_fields(line):
            line += stamp
        ready.append(line)
    return ready, sent


def _has_fields(line: str) -> bool:
    """Whether the line ends with its field set (no timestamp to scale)."""
    return "=" in line[line.rfind(" ") + 1 :] or line.endswith('"')


def _split_unescaped(text: str, sep: str) -> list[str]:
    """Split on *sep* outside double quotes and not after a backslash."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
            current.append(char)
            continue
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_reason(line: str) -> str:
    """InfluxDB's reason for refusing a line it cannot parse (best effort)."""
    sections = [s for s in _split_unescaped(line, " ") if s]
    if len(sections) < 2:
        return "missing fields"
    key, fields = sections[0], sections[1]
    for tag in _split_unescaped(key, ",")[1:]:
        if "=" not in tag or tag.endswith("="):
            return "missing tag value"
    if line.replace('\\"', "").count('"') % 2:
        return "unbalanced quotes"
    if len(sections) > 3:
        return "invalid field format"
    if len(sections) == 3 and not _is_integer(sections[2]):
        return "bad timestamp"
    for field in _split_unescaped(fields, ","):
        name, equals, value = field.partition("=")
        if not equals or not name:
            return "invalid field format"
        if not value:
            return "missing field value"
        if value[0] == '"' or _NUMBER.fullmatch(value):
            continue
        if value[0] in "-.0123456789":
            return "invalid number"
        if value not in _BOOLEANS:
            return "invalid boolean"
    if len(sections) == 3:
        stamp = int(sections[2])
        if abs(stamp) > _MAX_TIME:
            return (
                f'strconv.ParseInt: parsing "{sections[2]}": value out of range'
                if abs(stamp) >= 2**63
                else "time outside range -9223372036854775806 - 9223372036854775806"
            )
    return "invalid field format"


def write_body(
    backend: Backend,
    body: bytes,
    *,
    database: str,
    retention_policy: str | None = None,
    precision: str | None = None,
) -> WriteAnswer:
    """Store a ``/write`` body in *database*; answer as InfluxDB does."""
    if database not in backend.list_databases():
        return WriteAnswer(404, f'database not found: "{database}"')
    if retention_policy:
        try:
            policies = backend.introspection(database).retention_policies()
            names = [policy.name for policy in policies]
        except DatabaseNotFoundError:
            names = []
        if retention_policy not in names:
            return WriteAnswer(500, f"retention policy not found: {retention_policy}")
    text = body.decode("utf-8", errors="replace")
    lines, sent = prepare_lines(text, precision, time.time_ns())
    if not lines:
        return WriteAnswer()
    try:
        backend.write_lines(
            lines,
            database=database,
            retention_policy=retention_policy or None,
            batch_size=len(lines),
        )
    except FieldTypeConflictError as exc:
        return WriteAnswer(400, exc.reason)
    except (LineProtocolError, FieldError, OverflowError):
        return _write_checked(backend, lines, sent, database, retention_policy)
    return WriteAnswer()


def _check(line: str, original: str) -> tuple[str | None, str | None]:
    """A line as it can be stored (or None) and InfluxDB's error for it.

    A field named ``time`` is dropped from a point with other fields and
    refuses a point without; a tag key ``time`` refuses the point (those
    two count in ``dropped``).
    """
    try:
        measurement, tags, fields, stamp = parse_line(line)
    except LineProtocolError:
        return None, f"unable to parse '{original}': {parse_reason(original)}"
    if stamp is not None and abs(stamp) > _MAX_TIME:
        return None, f"unable to parse '{original}': {parse_reason(original)}"
    where = f'on measurement "{measurement}" is invalid'
    if "time" in tags:
        return None, f'invalid tag key: input tag "time" {where}'
    if "time" in fields:
        if len(fields) == 1:
            return None, f'invalid field name: input field "time" {where}'
        del fields["time"]
        return encode_point(measurement, fields, tags, stamp), None
    return line, None


def _write_checked(
    backend: Backend,
    lines: list[str],
    sent: list[str],
    database: str,
    retention_policy: str | None,
) -> WriteAnswer:
    """Store the lines that can be; report the others as InfluxDB does."""
    good: list[str] = []
    unparsable: list[str] = []
    refused: list[str] = []
    originals: dict[str, str] = {}
    for line, original in zip(lines, sent, strict=True):
        ready, error = _check(line, original)
        if ready is not None:
            good.append(ready)
            originals[ready] = original
        elif error is not None and error.startswith("unable to parse"):
            unparsable.append(error)
        elif error is not None:
            refused.append(error)
    dropped = len(refused)
    while good:
        try:
            backend.write_lines(
                good,
                database=database,
                retention_policy=retention_policy or None,
                batch_size=len(good),
            )
        except FieldTypeConflictError as exc:
            refused.append(exc.reason.removeprefix("partial write: ").rsplit(" ", 1)[0])
            dropped += exc.dropped
        except (LineProtocolError, FieldError, OverflowError) as exc:
            # Refused by a check beyond the syntax: drop that line, retry.
            bad = getattr(exc, "value", None)
            index = good.index(bad) if bad in good else 0
            line = good.pop(index)
            reason = str(exc).rstrip(".")
            unparsable.append(
                f"unable to parse '{originals.get(line, line)}': {reason}"
            )
            continue
        break
    if not unparsable and not refused:
        return WriteAnswer()
    if refused:
        text = "\n".join(unparsable + refused[:1])
        return WriteAnswer(400, f"partial write: {text} dropped={dropped}")
    text = "\n".join(unparsable)
    if good:
        return WriteAnswer(400, f"partial write: {text} dropped=0")
    return WriteAnswer(400, text)
