"""The per-line line-protocol parser: one line at a time, exact and slow.

``parse_line`` is the inverse of ``encode_point`` for the lines it writes;
the reader of whole request bodies is ``influxpy.lineprotocol.reader``.
"""

from __future__ import annotations

import math
from typing import Any

from influxpy.exceptions import LineProtocolError

__all__ = ["field_types_of", "parse_line"]


def _read(line: str, start: int, stops: str, escapable: str) -> tuple[str, int]:
    """Read up to the first unescaped character of *stops*; unescape *escapable*.

    A backslash before any other character is kept, as InfluxDB keeps it.
    """
    out: list[str] = []
    index = start
    size = len(line)
    while index < size:
        char = line[index]
        if char == "\\" and index + 1 < size and line[index + 1] in escapable:
            out.append(line[index + 1])
            index += 2
            continue
        if char in stops:
            break
        out.append(char)
        index += 1
    return "".join(out), index


def _read_string(line: str, start: int) -> tuple[str, int]:
    """Read a quoted string value starting at its opening quote."""
    out: list[str] = []
    index = start + 1
    size = len(line)
    while index < size:
        char = line[index]
        if char == "\\" and index + 1 < size and line[index + 1] in '"\\':
            out.append(line[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(out), index + 1
        out.append(char)
        index += 1
    msg = "unterminated string"
    raise ValueError(msg)


def _parse_value(raw: str) -> Any:
    if raw.endswith("i"):
        return int(raw[:-1])
    if raw in ("t", "T", "true", "True", "TRUE"):
        return True
    if raw in ("f", "F", "false", "False", "FALSE"):
        return False
    if not raw or raw[0] == "+":
        msg = f"invalid number {raw!r}"
        raise ValueError(msg)
    value = float(raw)
    if not math.isfinite(value):
        msg = f"invalid number {raw!r}"
        raise ValueError(msg)
    return value


def _expect(line: str, index: int, char: str) -> int:
    if index >= len(line) or line[index] != char:
        msg = f"expected {char!r} at {index}"
        raise ValueError(msg)
    return index + 1


def parse_line(
    line: str,
) -> tuple[str, dict[str, str], dict[str, Any], int | None]:
    """Parse one line into ``(measurement, tags, fields, time_ns)``.

    The inverse of ``encode_point`` for the lines it writes, with the
    server's unescaping rules (reference §1.2): measurements unescape comma
    and space, keys and tag values comma, equals sign and space (field keys
    also double quote), string values backslash and double quote. Values
    come back as ``int`` (``i`` suffix), ``float``, ``bool`` or ``str``.
    Raises ``LineProtocolError`` for a line it cannot read.
    """
    try:
        measurement, index = _read(line, 0, ", ", ", ")
        if not measurement:
            msg = "missing measurement"
            raise ValueError(msg)
        tags: dict[str, str] = {}
        while index < len(line) and line[index] == ",":
            key, index = _read(line, index + 1, "=", ",= ")
            index = _expect(line, index, "=")
            value, index = _read(line, index, ", ", ",= ")
            tags[key] = value
        index = _expect(line, index, " ")
        while index < len(line) and line[index] == " ":
            index += 1
        fields: dict[str, Any] = {}
        while True:
            key, index = _read(line, index, "=", ',= "')
            index = _expect(line, index, "=")
            if index < len(line) and line[index] == '"':
                fields[key], index = _read_string(line, index)
            else:
                raw, index = _read(line, index, ", ", "")
                fields[key] = _parse_value(raw)
            if index < len(line) and line[index] == ",":
                index += 1
                continue
            break
        stamp = line[index:].strip()
        return measurement, tags, fields, int(stamp) if stamp else None
    except (ValueError, IndexError):
        msg = f"Cannot parse the line-protocol line {line[:200]!r}."
        raise LineProtocolError(msg, value=line) from None


_KIND_OF = {bool: "boolean", int: "integer", float: "float", str: "string"}


def field_types_of(line: str, measurement: str | None = None) -> dict[str, str]:
    """Return ``{field key: InfluxDB type}`` of a line, or ``{}`` if unreadable.

    With *measurement*, lines of other measurements give ``{}``.
    """
    try:
        name, _tags, fields, _time = parse_line(line)
    except LineProtocolError:
        return {}
    if measurement is not None and name != measurement:
        return {}
    return {key: _KIND_OF[type(value)] for key, value in fields.items()}
