"""The exact line-protocol scanner of InfluxDB 1.6.7, one line at a time.

A port of ``models/points.go`` (``scanLine``, ``scanKey``, ``scanFields``,
``scanNumber``, ``scanBoolean``, ``scanTime``): the same acceptance rules,
the same error texts (``missing fields``, ``invalid number``, ``bad
timestamp``, ...) and the same unescaping (reference §1.2). The fast reader
(``influxpy.lineprotocol.reader``) sends here every line its vectorised
path does not take, so both give the same points and the same errors.
Pure: no I/O.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

from influxpy.constants import MAX_KEY_BYTES, MAX_TIME_NS, MIN_TIME_NS

__all__ = [
    "PRECISIONS",
    "LineError",
    "Point",
    "ends_in_string",
    "precision_multiplier",
    "scan_point",
    "split_lines",
]

#: ``precision`` values of ``/write`` and their multipliers to nanoseconds;
#: InfluxDB 1.6.7 reads any other value (``ns``, ``us``, ...) as nanoseconds.
PRECISIONS = {
    "n": 1,
    "u": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_TIME_RANGE = f"time outside range {MIN_TIME_NS} - {MAX_TIME_NS}"
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_TRUE = frozenset({"t", "T", "true", "True", "TRUE"})
_FALSE = frozenset({"f", "F", "false", "False", "FALSE"})
_NUMERIC = frozenset("0123456789.")

#: ``(measurement, tags, fields, time_ns)`` of one parsed line.
Point = tuple[str, dict[str, str], dict[str, Any], int]


class LineError(ValueError):
    """A line InfluxDB cannot parse; the message is the server's reason."""


def precision_multiplier(precision: str | None) -> int:
    """Nanoseconds per unit of *precision*, as InfluxDB 1.6.7 reads it."""
    return PRECISIONS.get(precision or "n", 1)


def split_lines(body: str) -> Iterator[tuple[int, str]]:
    """The lines of *body* as InfluxDB splits them, with their line numbers.

    A newline inside a quoted string value, or after a backslash, does not
    end a line (``scanLine``). Numbers count physical lines from 1. Blank
    lines and comments are left in (``scan_point`` skips nothing).
    """
    if '"' not in body and "\\" not in body:
        yield from enumerate(body.split("\n"), 1)
        return
    segments = body.split("\n")
    index = 0
    number = 1
    count = len(segments)
    while index < count:
        segment = segments[index]
        if '"' not in segment and "\\" not in segment:
            yield number, segment
            index += 1
            number += 1
            continue
        # Scan from this segment's start across the next ones as scanLine
        # does, until an unquoted, unescaped newline.
        rest = "\n".join(segments[index:])
        end = _scan_line(rest)
        line = rest[:end]
        taken = line.count("\n") + 1
        # Like the server, drop the newline that ends the body, if any.
        yield number, line[:-1] if line.endswith("\n") else line
        index += taken
        number += taken


def ends_in_string(body: str) -> bool:
    """Whether *body*'s last line ends inside a quoted string value.

    Such a line goes on in the text that follows (``split_lines``).
    """
    last = ""
    for _number, line in split_lines(body):
        last = line
    return _scan_line(last + "\n", quoted_end=True) < 0


def _scan_line(buf: str, *, quoted_end: bool = False) -> int:
    i = 0
    size = len(buf)
    quoted = False
    fields = False
    equals = commas = 0
    while i < size:
        char = buf[i]
        if char == "\\" and i + 2 < size:
            i += 2
            continue
        if char == " ":
            fields = True
        if fields:
            if not quoted and char == "=":
                i += 1
                equals += 1
                continue
            if not quoted and char == ",":
                i += 1
                commas += 1
                continue
            if char == '"' and equals > commas:
                i += 1
                quoted = not quoted
                continue
        if char == "\n" and not quoted:
            break
        i += 1
    return -1 if quoted_end and quoted else i


def _unescape(text: str, escaped: str) -> str:
    if "\\" not in text:
        return text
    out = []
    i = 0
    size = len(text)
    while i < size:
        char = text[i]
        if char == "\\" and i + 1 < size and text[i + 1] in escaped:
            out.append(text[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _scan_tags(buf: str, i: int) -> tuple[int, list[tuple[str, str]]]:
    size = len(buf)
    tags: list[tuple[str, str]] = []
    while True:
        # The key.
        start = i
        if i >= size or buf[i] in " ,=":
            raise LineError("missing tag key")
        while True:
            i += 1
            if i >= size or (buf[i] in " ," and buf[i - 1] != "\\"):
                raise LineError("missing tag value")
            if buf[i] == "=" and buf[i - 1] != "\\":
                break
        key = buf[start:i]
        i += 1
        # The value.
        start = i
        if i >= size or buf[i] in ", ":
            raise LineError("missing tag value")
        while True:
            i += 1
            if i >= size:
                raise LineError("missing fields")
            char = buf[i]
            if char == "=" and buf[i - 1] != "\\":
                raise LineError("invalid tag format")
            if char == "," and buf[i - 1] != "\\":
                tags.append((key, buf[start:i]))
                i += 1
                break
            if char == " " and buf[i - 1] != "\\":
                tags.append((key, buf[start:i]))
                return i, tags


def _scan_key(buf: str) -> tuple[int, str, list[tuple[str, str]]]:
    size = len(buf)
    i = 0
    if i >= size or buf[i] == ",":
        raise LineError("missing measurement")
    while True:
        i += 1
        if i >= size:
            raise LineError("missing fields")
        if buf[i - 1] == "\\":
            continue
        if buf[i] == ",":
            end, tags = _scan_tags(buf, i + 1)
            break
        if buf[i] == " ":
            end, tags = i, []
            break
    measurement = buf[:i]
    keys = sorted(key for key, _value in tags)
    if any(a == b for a, b in itertools.pairwise(keys)):
        raise LineError("duplicate tags")
    return end, measurement, tags


def _scan_number(buf: str, i: int) -> int:
    size = len(buf)
    start = i
    is_int = decimal = scientific = False
    if i < size and buf[i] == "-":
        i += 1
        if i == size:
            raise LineError("invalid number")
    while i < size:
        char = buf[i]
        if char in ", ":
            break
        if char == "i" and i > start and not is_int:
            is_int = True
            i += 1
            continue
        if char == ".":
            if decimal:
                raise LineError("invalid number")
            decimal = True
        if i > start and char in "eE":
            scientific = True
            i += 1
            continue
        if char in "+-" and buf[i - 1] in "eE":
            i += 1
            continue
        if i + 2 < size and char in "Nn":
            raise LineError("invalid number")
        if char not in _NUMERIC:
            raise LineError("invalid number")
        i += 1
    if is_int and (decimal or scientific):
        raise LineError("invalid number")
    digits = i - start - is_int - decimal - (buf[start] == "-")
    if digits == 0:
        raise LineError("invalid number")
    text = buf[start:i]
    if is_int:
        if buf[i - 1] != "i":
            raise LineError("invalid number")
        number = text[:-1]
        if len(number) >= 19 and not _INT64_MIN <= int(number) <= _INT64_MAX:
            why = (
                f"unable to parse integer {number}: strconv.ParseInt: parsing "
                f'"{number}": value out of range'
            )
            raise LineError(why)
    elif scientific or len(text) >= 25:
        try:
            value = float(text)
        except ValueError:
            raise LineError("invalid float") from None
        if math.isinf(value):
            raise LineError("invalid float")
    return i


def _scan_boolean(buf: str, i: int) -> int:
    start = i
    size = len(buf)
    if i < size and buf[i] not in "tfTF":
        raise LineError("invalid boolean")
    i += 1
    while i < size and buf[i] not in ", ":
        i += 1
    if buf[start:i] not in _TRUE and buf[start:i] not in _FALSE:
        raise LineError("invalid boolean")
    return i


def _scan_fields(buf: str, i: int) -> tuple[int, str]:
    size = len(buf)
    while i < size and buf[i] in " \t\x00":
        i += 1
    start = i
    quoted = False
    equals = commas = 0
    while i < size:
        char = buf[i]
        if char == "\\" and i + 1 < size:
            i += 2
            continue
        if char == '"' and equals > commas:
            quoted = not quoted
            i += 1
            continue
        if char == "=" and not quoted:
            equals += 1
            if buf[i - 1] in " ," and buf[i - 2] != "\\":
                raise LineError("missing field key")
            if i + 1 >= size or buf[i + 1] in ", ":
                raise LineError("missing field value")
            following = buf[i + 1]
            if following in _NUMERIC or following in "-Nn":
                i = _scan_number(buf, i + 1)
                continue
            if following != '"':
                i = _scan_boolean(buf, i + 1)
                continue
        if char == "," and not quoted:
            commas += 1
        if char == " " and not quoted:
            break
        i += 1
    if quoted:
        raise LineError("unbalanced quotes")
    if equals == 0 or commas != equals - 1:
        raise LineError("invalid field format")
    return i, buf[start:i]


def _field_value(raw: str) -> Any:
    if raw[0] == '"':
        return _unescape(raw[1:-1], '"\\')
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    if raw[-1] == "i":
        return int(raw[:-1])
    return float(raw)


def _split_fields(text: str) -> list[tuple[str, str]]:
    """``key=value`` pairs of a field section ``_scan_fields`` accepted."""
    pairs = []
    i = 0
    size = len(text)
    while i < size:
        start = i
        while i < size and not (text[i] == "=" and (i == 0 or text[i - 1] != "\\")):
            i += 1
        key = text[start:i]
        i += 1
        start = i
        quoted = False
        while i < size:
            char = text[i]
            if char == "\\" and i + 1 < size and text[i + 1] in '"\\':
                i += 2
                continue
            if char == '"':
                quoted = not quoted
            elif char == "," and not quoted:
                break
            i += 1
        pairs.append((key, text[start:i]))
        i += 1
    return pairs


def _byte_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def scan_point(line: str, multiplier: int, now_ns: int) -> Point:
    """Parse one line (leading blanks already skipped) as InfluxDB does.

    Times are multiplied by *multiplier*; a line without one gets *now_ns*.
    Raises ``LineError`` with the server's reason.
    """
    end, raw_measurement, raw_tags = _scan_key(line)
    key_size = _byte_size(line[:end])
    if key_size > MAX_KEY_BYTES:
        msg = f"max key length exceeded: {key_size} > {MAX_KEY_BYTES}"
        raise LineError(msg)
    i, section = _scan_fields(line, end)
    pairs = _split_fields(section)
    if not pairs:
        raise LineError("missing fields")
    for raw_key, raw_value in pairs:
        if not raw_value:
            # A key with no value, after a value holding '=' (f="a"=1,r).
            msg = f"invalid value: field-key={raw_key}"
            raise LineError(msg)
        size = key_size + 4 + _byte_size(raw_key)
        if size > MAX_KEY_BYTES:
            msg = f"max key length exceeded: {size} > {MAX_KEY_BYTES}"
            raise LineError(msg)
    size = len(line)
    while i < size and line[i] in " \t\x00":
        i += 1
    start = i
    while i < size and line[i] not in "\n ":
        if not (i == start and line[i] == "-") and not "0" <= line[i] <= "9":
            raise LineError("bad timestamp")
        i += 1
    stamp = line[start:i]
    if not stamp:
        time_ns = now_ns
    else:
        try:
            value = int(stamp)
        except ValueError:
            why = f'strconv.ParseInt: parsing "{stamp}": invalid syntax'
            raise LineError(why) from None
        if not _INT64_MIN <= value <= _INT64_MAX:
            why = f'strconv.ParseInt: parsing "{stamp}": value out of range'
            raise LineError(why)
        time_ns = value * multiplier
        if not MIN_TIME_NS <= time_ns <= MAX_TIME_NS:
            raise LineError(_TIME_RANGE)
        if line[i:].strip(" "):
            raise LineError("point is invalid")
    measurement = _unescape(raw_measurement, ', ="')
    tags = {_unescape(k, ",= "): _unescape(v, ",= ") for k, v in raw_tags}
    fields = {_unescape(k, ',= "'): _field_value(v) for k, v in pairs}
    return measurement, tags, fields, time_ns
