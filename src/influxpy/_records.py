"""What reading points from files shares: numbered records, time units,
the CSV column roles, and reading bytes as numbered lines of text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["DELIMITERS", "PRECISIONS", "Progress", "Record", "likely_precision"]

#: Multipliers from a file's time unit to nanoseconds.
PRECISIONS = {"ns": 1, "u": 1_000, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
#: The CSV delimiters recognised on a header line, with their names.
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
#: Nanosecond times below this (1973-03-03) are implausible for real data.
_PLAUSIBLE_NS = 10**17
_ROLES = ("tag", "field", "float", "integer", "string", "boolean")
_INTEGER = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")

Point = tuple[str, dict[str, str], dict[str, Any], "int | None"]
Progress = Callable[[int], None]


@dataclasses.dataclass
class Record:
    """One input record: where it starts, its text, its point or its error.

    The point's time is in nanoseconds; ``epoch`` is the integer time as the
    input wrote it, before the precision was applied (None for an RFC 3339
    time or none).
    """

    line_number: int
    text: str
    point: Point | None = None
    error: str | None = None
    epoch: int | None = None


def likely_precision(epoch: int) -> str | None:
    """The unit that makes an integer time a plausible date, if not ``ns``.

    As nanoseconds, a time before 1973 is implausible for real data; when
    it gives a date from 1973 to 2262 read as seconds, milliseconds or
    microseconds, that unit is returned (else None).
    """
    if not 0 <= epoch < _PLAUSIBLE_NS:
        return None
    for unit in ("s", "ms", "us"):
        if _PLAUSIBLE_NS <= epoch * PRECISIONS[unit] < 2**63:
            return unit
    return None


def _factor(precision: str) -> int:
    try:
        return PRECISIONS[precision]
    except KeyError:
        units = ", ".join(PRECISIONS)
        msg = f"The precision {precision!r} is not one of {units}."
        raise ValueError(msg) from None


def _no_progress(_advance: int) -> None:
    return None


def _decoded(
    lines: Iterable[bytes], on_bytes: Progress
) -> Iterator[tuple[int, str | None, str]]:
    """Yield ``(line number, text or None, raw text)``; None is bad UTF-8."""
    for number, raw in enumerate(lines, start=1):
        on_bytes(len(raw))
        data = raw.rstrip(b"\n").rstrip(b"\r")
        try:
            yield number, data.decode("utf-8"), ""
        except UnicodeDecodeError:
            yield number, None, data.decode("utf-8", "replace")
