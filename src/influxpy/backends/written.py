"""What every backend shares about writing: the default batch size, the
DataFrame encoding of ``write_frame()``, and the count of points a failing
bulk write stored.

``note_written()`` puts that count on any error leaving a bulk write
(influxpy's errors get ``written``; others a PEP 678 note), ``written_of()``
reads it back, and ``counting_written()`` notes it on whatever leaves a
block. ``backends.base`` re-exports these names.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

from influxpy._types import options_of
from influxpy.exceptions import InfluxpyError

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "counting_written",
    "frame_line_batches",
    "frame_lines",
    "lines_of",
    "note_written",
    "written_of",
]

#: Points per write request when the caller does not say.
DEFAULT_BATCH_SIZE = 5_000

#: How the note ``note_written()`` adds begins (so a later count replaces it).
_NOTE_PREFIX = "influxpy: "
#: Marks an error whose ``written`` attribute ``note_written()`` set.
_NOTED = "_influxpy_written"


def frame_lines(model: type[Measurement], frame: Any, batch_size: int) -> Iterator[str]:
    """The line protocol of a DataFrame of *model*'s points, encoded a batch
    of *batch_size* rows at a time (each series key encoded once)."""
    return chain.from_iterable(frame_line_batches(model, frame, batch_size))


def frame_line_batches(
    model: type[Measurement], frame: Any, batch_size: int
) -> Iterator[list[str]]:
    """``frame_lines()`` as one list of lines per batch of *batch_size* rows,
    encoded as each is taken: a writer posts the lists as they come, with no
    step per line."""
    from influxpy._dataframe import frame_batches, frame_columns
    from influxpy.lineprotocol import encode_columns

    columns = frame_columns(model, frame)
    measurement = options_of(model).measurement
    series_keys: dict[tuple[Any, ...], str] = {}
    for times, tags, fields in frame_batches(*columns, batch_size):
        yield encode_columns(measurement, times, tags, fields, series_keys)


def written_of(error: BaseException) -> int:
    """The points a bulk write stored before *error*, as noted on it (or 0)."""
    if isinstance(error, InfluxpyError):
        return error.written
    if _NOTED in getattr(error, "__dict__", {}):
        return int(error.written)  # type: ignore[attr-defined]
    return 0


def note_written(error: BaseException, written: int) -> None:
    """Record on *error*, which leaves a bulk write, how many points it stored.

    influxpy's own errors get ``written``. Any other error (one raised by
    the caller's iterable or a model's constructor, say) keeps its type and
    gets a PEP 678 note with the count, replacing the note of an inner
    write; it also gets ``written`` unless it already has an attribute of
    that name.
    """
    if isinstance(error, InfluxpyError):
        error.written = written
        return
    if not hasattr(error, "written") or _NOTED in getattr(error, "__dict__", {}):
        with contextlib.suppress(AttributeError, TypeError):
            error.written = written  # type: ignore[attr-defined]
            error.__dict__[_NOTED] = True
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, list):
        notes[:] = [n for n in notes if not str(n).startswith(_NOTE_PREFIX)]
    points = {0: "no point was", 1: "1 point was"}.get(
        written, f"{written} points were"
    )
    where = (
        " (its attribute written)" if _NOTED in getattr(error, "__dict__", {}) else ""
    )
    error.add_note(
        f"{_NOTE_PREFIX}{points} stored by this write before it failed{where}."
    )


def lines_of(lines: Iterable[str] | str) -> Iterable[str]:
    """The lines given to ``write_lines()``: a string is a body of lines
    (iterated, it would be one character a line, each refused)."""
    if isinstance(lines, str):
        return lines.splitlines()
    return lines


@contextlib.contextmanager
def counting_written(count: Callable[[], int]) -> Iterator[None]:
    """Note ``count()``, the points stored so far, on any error leaving the block."""
    try:
        yield
    except BaseException as error:
        note_written(error, count())
        raise
