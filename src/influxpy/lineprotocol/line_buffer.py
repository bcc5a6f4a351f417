"""A batch writer's buffer: each point's line written as it comes, batches
cut from the front as request bodies.

``line_buffer()`` makes the compiled ``LineBuffer`` (``_linebuffer.c``)
where the extension is built, else ``PyLineBuffer``, its pure Python
counterpart: the same lines and errors. ``add(point)`` takes a point in and
makes the call that is then due (``attention()``: the buffer's first line,
or a full batch; ``pause()``: every ``pause_every`` lines; ``refused(point)``
instead when the point is not of the model or the buffer is not ``open``),
``push(point)`` returns which is due, for a caller that awaits it, and
``batch(buffer, count)`` cuts the first *count* lines as a body with its
lines. The compiled buffer writes each line straight into the body: no
string per line, no join when the batch is sent.
"""

from __future__ import annotations

import array
from collections.abc import Callable
from typing import Any, Protocol

from influxpy.lineprotocol._compiled import LineBuffer
from influxpy.lineprotocol.body_lines import BodyLines
from influxpy.lineprotocol.encoder import Encoder

__all__ = [
    "ATTENTION",
    "PAUSE",
    "PUSHED",
    "REFUSED",
    "Buffer",
    "PyLineBuffer",
    "batch",
    "line_buffer",
]

#: What ``push()`` returns: nothing is due, ...
PUSHED = 0
#: ... the first line since the buffer was empty, or a full batch, ...
ATTENTION = 1
#: ... a pause (every ``pause_every`` lines), ...
PAUSE = 2
#: ... or the point was not taken.
REFUSED = 3


class Buffer(Protocol):
    """What both buffers do (see the module documentation)."""

    open: bool

    def add(self, point: Any, /) -> None: ...

    def push(self, point: Any, /) -> int: ...

    def cut(self, count: int, /) -> tuple[bytes, int, bytes | None]: ...

    def __len__(self) -> int: ...


class PyLineBuffer:
    """The buffer in Python, for installs without the compiled extension.

    Lines are kept as strings and joined when a batch is cut. A point whose
    line goes in after the buffer closed is taken out again and refused,
    unless the batch holding it was cut meanwhile (then it is written).
    """

    def __init__(
        self,
        encode: Callable[[Any], str],
        model: type,
        batch_size: int,
        attention: Callable[[], object],
        refused: Callable[[Any], object],
        pause: Callable[[], object],
        pause_every: int,
    ) -> None:
        self.open = True
        self._encode = encode
        self._model = model
        self._batch_size = batch_size
        self._attention = attention
        self._refused = refused
        self._pause = pause
        self._pause_every = pause_every
        self._lines: list[str] = []
        #: Whether the next line is the first since the buffer was empty.
        self._fresh = True

    def __len__(self) -> int:
        return len(self._lines)

    def add(self, point: Any) -> None:
        """Take *point*'s line in, then make the call that is due."""
        due = self.push(point)
        if due == ATTENTION:
            self._attention()
        elif due == PAUSE:
            self._pause()
        elif due == REFUSED:
            self._refused(point)

    def push(self, point: Any) -> int:
        """Take *point*'s line in and return which call is due."""
        if point.__class__ is not self._model or not self.open:
            return REFUSED
        line = self._encode(point)
        lines = self._lines
        lines.append(line)
        if self._closed():  # meanwhile: another thread runs between any two steps
            try:
                lines.remove(line)
            except ValueError:  # cut with the rest when the buffer closed
                return PUSHED
            return REFUSED
        count = len(lines)
        if self._fresh or count >= self._batch_size:
            self._fresh = False
            return ATTENTION
        return PUSHED if count % self._pause_every else PAUSE

    def _closed(self) -> bool:
        return not self.open

    def cut(self, count: int) -> tuple[bytes, int, bytes | None]:
        """Take the first *count* lines out: their body, their number, and
        each line's start (native int64s) when a line holds a newline."""
        # Fresh first: a line another thread appends after the cut then
        # calls attention().
        self._fresh = True
        lines = self._lines
        taken = lines[:count]
        del lines[:count]
        if lines:
            self._fresh = False
        body = "\n".join(taken).encode("utf-8", "surrogatepass")
        if not any("\n" in line for line in taken):
            return body, len(taken), None
        offsets: list[int] = []
        start = 0
        for line in taken:
            offsets.append(start)
            start += len(line.encode("utf-8", "surrogatepass")) + 1
        return body, len(taken), array.array("q", offsets).tobytes()


def batch(buffer: Buffer, count: int) -> BodyLines:
    """The first *count* lines of *buffer*, cut out, as a body and its lines."""
    body, size, starts = buffer.cut(count)
    offsets = None if starts is None else memoryview(starts).cast("q").tolist()
    return BodyLines(body, size, offsets)


def line_buffer(
    encoder: Encoder,
    model: type,
    batch_size: int,
    *,
    attention: Callable[[], object],
    refused: Callable[[Any], object],
    pause: Callable[[], object],
    pause_every: int,
) -> Buffer:
    """A buffer of *model*'s lines written by *encoder*: compiled where the
    extension is in use, else in Python."""
    rows = encoder.row_encoder
    if LineBuffer is not None and rows is not None:
        made: Buffer = LineBuffer(
            rows, model, batch_size, attention, refused, pause, pause_every
        )
        return made
    return PyLineBuffer(
        encoder.encode, model, batch_size, attention, refused, pause, pause_every
    )
