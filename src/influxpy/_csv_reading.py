"""CSV files read as records (``influxpy import``; the dialect is described
in ``influxpy._transfer``).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from influxpy._records import (
    _FLOAT,
    _INTEGER,
    _ROLES,
    DELIMITERS,
    Progress,
    Record,
    _decoded,
    _factor,
    _no_progress,
)
from influxpy._utils import to_ns
from influxpy.exceptions import LineProtocolError

__all__ = ["read_csv"]


# -- CSV ----------------------------------------------------------------------


def _sniff_delimiter(header: str) -> str:
    """The delimiter a header line uses most, outside quotes (else a comma).

    Raises ``LineProtocolError`` when two delimiters are used equally often.
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    most = max(counts.values())
    if most == 0:
        return ","
    tied = [d for d, n in counts.items() if n == most]
    if len(tied) > 1:
        names = " and ".join(DELIMITERS[d] for d in tied)
        msg = (
            f"The CSV header has {most} each of {names}, so which one separates "
            "the columns is unclear; name it with --delimiter."
        )
        raise LineProtocolError(msg)
    return tied[0]


def _csv_rows(
    lines: Iterable[tuple[int, str | None, str]],
    delimiter: str = ",",
) -> Iterator[tuple[int, list[tuple[str, bool]] | str, str]]:
    """Yield ``(first line, cells or error, text)``; cells are ``(text, quoted)``.

    RFC 4180, keeping what the ``csv`` module forgets: whether a cell was
    quoted, so ``""`` (an empty string) differs from nothing at all.
    """
    cells: list[tuple[str, bool]] = []
    cell: list[str] = []
    quoted = in_quotes = False
    start = 0
    texts: list[str] = []
    for number, text, raw in lines:
        if text is None:
            if not in_quotes:
                yield number, "the line is not valid UTF-8", raw
                continue
            text = raw
        if not in_quotes:
            start = number
            texts = []
            if '"' not in text:
                if text.strip():
                    plain = [(c, False) for c in text.split(delimiter)]
                    yield number, plain, text
                continue
        texts.append(text)
        index, size = 0, len(text)
        while index < size:
            char = text[index]
            if in_quotes:
                if char == '"':
                    if index + 1 < size and text[index + 1] == '"':
                        cell.append('"')
                        index += 1
                    else:
                        in_quotes = False
                else:
                    cell.append(char)
            elif char == '"' and not cell:
                in_quotes = quoted = True
            elif char == delimiter:
                cells.append(("".join(cell), quoted))
                cell, quoted = [], False
            else:
                cell.append(char)
            index += 1
        if in_quotes:
            cell.append("\n")
            continue
        cells.append(("".join(cell), quoted))
        yield start, cells, "\n".join(texts)
        cells, cell, quoted = [], [], False
    if in_quotes:
        yield start, "a quoted cell is never closed", "\n".join(texts)


@dataclasses.dataclass(frozen=True)
class _Column:
    name: str
    role: str  # measurement, time, tag, or a field role


def _columns(header: list[tuple[str, bool]], tags: Sequence[str]) -> list[_Column]:
    out = []
    for text, quoted in header:
        name, role = text, "field"
        if not quoted or ":" in text:
            head, sep, tail = text.rpartition(":")
            if sep and tail in _ROLES and head:
                name, role = head, tail
            elif text in ("measurement", "time"):
                role = text
        if role == "field" and name in tags:
            role = "tag"
        out.append(_Column(name, role))
    return out


def _cell_value(text: str, quoted: bool, role: str) -> Any:
    """The value of one field cell (None for an empty unquoted cell)."""
    if not quoted and text == "":
        return None
    if role == "string":
        return text
    if role == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "t", "1"):
            return True
        if lowered in ("false", "f", "0"):
            return False
        msg = f"{text!r} is not a boolean"
        raise ValueError(msg)
    if role == "integer":
        return int(text.strip().removesuffix("i"))
    if role == "float":
        value = float(text)
        if not math.isfinite(value):
            msg = f"{text!r} is not a finite number"
            raise ValueError(msg)
        return value
    if quoted:
        return text
    stripped = text.strip()
    if _INTEGER.match(stripped):
        return int(stripped)
    if _FLOAT.match(stripped):
        return float(stripped)
    if stripped in ("true", "false"):
        return stripped == "true"
    return text


def read_csv(
    lines: Iterable[bytes],
    *,
    measurement: str | None = None,
    tags: Sequence[str] = (),
    precision: str = "ns",
    delimiter: str | None = None,
    on_bytes: Progress = _no_progress,
) -> Iterator[Record]:
    """Parse CSV with a header row (see the module docstring).

    Integer times are read in *precision*. Without a *delimiter*, the one
    the header line uses is found (see ``DELIMITERS``).
    """
    factor = _factor(precision)
    decoded = _decoded(lines, on_bytes)
    head: list[tuple[int, str | None, str]] = []
    for item in decoded:
        head.append(item)
        if item[1] is None or item[1].strip():
            break
    if delimiter is None:
        first = head[-1][1] if head else None
        delimiter = _sniff_delimiter(first) if first else ","
    rows = _csv_rows(itertools.chain(head, decoded), delimiter)
    columns: list[_Column] | None = None
    for number, cells, text in rows:
        if isinstance(cells, str):
            yield Record(number, text, error=cells)
            continue
        if columns is None:
            columns = _columns(cells, tags)
            roles = [c.role for c in columns]
            if "measurement" not in roles and not measurement:
                msg = (
                    "The CSV header has no 'measurement' column; name the "
                    "measurement with --measurement."
                )
                raise LineProtocolError(msg)
            continue
        yield _csv_record(number, text, columns, cells, measurement, factor)


def _csv_record(
    number: int,
    text: str,
    columns: list[_Column],
    cells: list[tuple[str, bool]],
    measurement: str | None,
    factor: int,
) -> Record:
    if len(cells) != len(columns):
        got, wanted = len(cells), len(columns)
        reason = f"the row has {got} cells, the header {wanted}"
        return Record(number, text, error=reason)
    name = measurement
    stamp: int | None = None
    epoch: int | None = None
    tag_values: dict[str, str] = {}
    fields: dict[str, Any] = {}
    try:
        for column, (cell, quoted) in zip(columns, cells, strict=True):
            if column.role == "measurement":
                name = cell or measurement
            elif column.role == "time":
                if cell.strip():
                    stamp, epoch = _csv_time(cell.strip(), factor)
            elif column.role == "tag":
                if cell:
                    tag_values[column.name] = cell
            else:
                value = _cell_value(cell, quoted, column.role)
                if value is not None:
                    fields[column.name] = value
    except ValueError as exc:
        return Record(number, text, error=f"the column {column.name!r}: {exc}")
    if not name:
        return Record(number, text, error="the row names no measurement")
    if not fields:
        return Record(number, text, error="the row has no field value")
    point = (name, tag_values, fields, stamp)
    return Record(number, text, point=point, epoch=epoch)


def _csv_time(text: str, factor: int) -> tuple[int, int | None]:
    """Nanoseconds, and the integer as written (None for RFC 3339)."""
    if _INTEGER.match(text):
        epoch = int(text)
        return epoch * factor, epoch
    try:
        return to_ns(text), None
    except (TypeError, ValueError) as exc:
        msg = f"{text!r} is not a time ({exc})"
        raise ValueError(msg) from None
