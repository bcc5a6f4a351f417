"""What both batch writers share: accepting points, cutting batches, the
decision after each attempt, and writing out at interpreter exit.

``influxpy.writer`` builds ``BatchWriter`` (a background thread) and
``AsyncBatchWriter`` (a background task) on ``_Writer``, which only leaves
them waiting and sending; see that module for what the writers guarantee.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import random
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypedDict

from influxpy._types import PointT, options_of
from influxpy.exceptions import (
    AuthenticationError,
    BatchWriteError,
    FieldTypeConflictError,
    InterfaceError,
    OperationalError,
    PartialWriteError,
)
from influxpy.lineprotocol.line_buffer import batch as cut_batch
from influxpy.lineprotocol.line_buffer import line_buffer

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["YIELD_EVERY", "ErrorCallback", "WriterOptions"]

logger = logging.getLogger("influxpy")

#: Called with the error and the lines of each batch a writer gives up on.
ErrorCallback = Callable[[BaseException, list[str]], None]

#: Seconds of the first writer-level backoff, doubled at each retry.
_BACKOFF_FIRST = 0.25
#: The longest writer-level backoff, in seconds.
_BACKOFF_MAX = 4.0
#: Points ``add()`` takes between two turns it gives the thread or task
#: that sends (a power of two). A turn costs a system call or a loop
#: iteration (about 20 µs of CPU on a busy machine, far more in wall time),
#: so it is given every 512 points (under a millisecond of encoding).
YIELD_EVERY = 512


class WriterOptions(TypedDict, total=False):
    """The options of ``batch_writer()`` and ``abatch_writer()``."""

    batch_size: int
    flush_interval: float | None
    max_pending: int
    retry_timeout: float
    on_error: ErrorCallback | None


def _number(name: str, value: Any, minimum: float, *, whole: bool) -> None:
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        what = "a whole number" if whole else "a number of seconds"
        type_name = type(value).__name__
        msg = (
            f"A batch writer's {name} must be {what} of at least {minimum:g}; "
            f"got {value!r} ({type_name})."
        )
        raise ValueError(msg)


def _may_pass(error: BaseException) -> bool:
    """Whether sending the same batch again may succeed."""
    return isinstance(error, (InterfaceError, OperationalError)) and not isinstance(
        error, AuthenticationError
    )


def _rejected(error: BaseException, batch: Sequence[str]) -> tuple[list[str], int]:
    """The lines of *batch* that were not written, and how many there were.

    When the store says which points it refused, those; otherwise the whole
    batch (writing a point again is harmless).
    """
    if not isinstance(error, PartialWriteError):
        return list(batch), len(batch)
    if isinstance(error, FieldTypeConflictError):
        count = error.dropped or len(error.lines)
    else:
        count = len(error.lines) + error.dropped
    count = min(count or len(batch), len(batch))
    lines = list(error.lines) if len(error.lines) >= count else list(batch)
    return lines, count


class _Writer(Generic[PointT]):
    """What both writers share: accepting points, batching, bookkeeping, and
    the decision after each attempt. Subclasses only wait and send.
    """

    def __init__(
        self,
        model: type[PointT],
        backend: Backend,
        *,
        database: str,
        retention_policy: str | None = None,
        batch_size: int = 5_000,
        flush_interval: float | None = 1.0,
        max_pending: int = 4,
        retry_timeout: float = 180.0,
        on_error: ErrorCallback | None = None,
    ) -> None:
        _number("batch_size", batch_size, 1, whole=True)
        if flush_interval is not None:
            _number("flush_interval", flush_interval, 0.001, whole=False)
        _number("max_pending", max_pending, 1, whole=True)
        _number("retry_timeout", retry_timeout, 0, whole=False)
        self.model = model
        self.backend = backend
        self.database = database
        self.retention_policy = retention_policy
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_pending = max_pending
        self.retry_timeout = retry_timeout
        self.on_error = on_error
        #: Points written, counting those of batches given up on in part.
        self.written = 0
        #: Points sent again after a failure that may pass (once a retry).
        self.retried = 0
        #: Points given up on: passed to ``on_error`` and raised.
        self.failed = 0
        # One buffer for the writer's life: add() writes lines into it without
        # a lock, and batches are cut from its front under the lock (see
        # _cut()). It refuses points while the writer is closed or holds
        # failures to raise (see _gate()).
        self._buffer = line_buffer(
            options_of(model).encoder,
            model,
            batch_size,
            attention=self._attention,
            refused=self._refused,
            pause=_give_turn,
            pause_every=YIELD_EVERY,
        )
        self._buffer_since = 0.0
        #: Whether the buffer's first point still has to start flush_interval.
        self._idle = True
        self._queue: deque[Sequence[str]] = deque()
        self._current: Sequence[str] | None = None
        self._attempt = 0
        self._failing_since: float | None = None
        self._failures: list[tuple[BaseException, list[str], int]] = []
        self._unreported: list[tuple[BaseException, list[str]]] = []
        self._closed = False
        backend.track_writer(self)
        self._start()
        _OPEN.add(self)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.model.__name__}: {self.written} written, "
            f"{self.pending} pending, {self.failed} failed>"
        )

    @property
    def pending(self) -> int:
        """Points accepted and not yet written or given up on."""
        with self._guard():
            current = len(self._current) if self._current is not None else 0
            return len(self._buffer) + sum(map(len, self._queue)) + current

    # -- hooks of the subclasses -----------------------------------------------

    def _start(self) -> None:
        raise NotImplementedError

    def _guard(self) -> contextlib.AbstractContextManager[Any]:
        """What protects the state while it changes (the thread lock)."""
        return contextlib.nullcontext()

    def _notify(self) -> None:
        raise NotImplementedError

    def _close_at_exit(self) -> None:
        raise NotImplementedError

    def _attention(self) -> None:
        """The buffer's first line came, or it holds a whole batch."""
        raise NotImplementedError

    def check_closable(self) -> None:
        """Raise ``InterfaceError`` if the backend's ``close()`` cannot write
        this writer out now.
        """

    def close_for_backend(self) -> None:
        """Write out every accepted point because the backend closes.

        Called by the backend's ``close()``; raises ``BatchWriteError`` for
        points given up on, as ``close()`` does.
        """
        raise NotImplementedError

    async def aclose_for_backend(self) -> None:
        """Async form of ``close_for_backend()``, for the backend's ``aclose()``."""
        raise NotImplementedError

    def _forget(self) -> None:
        """Stop tracking this writer: it is closed."""
        _OPEN.discard(self)
        self.backend._writers.discard(self)

    # -- shared steps ----------------------------------------------------------

    def _gate(self) -> None:
        """Let the buffer take points only while the writer is open and
        holds no failures to raise (add() then raises them)."""
        self._buffer.open = not (self._closed or self._failures)

    def _refused(self, point: object) -> None:
        """The buffer did not take *point*: raise why, or take it now (the
        writer opened again meanwhile)."""
        self._refuse(point)
        self._buffer.add(point)

    def _refuse(self, point: object) -> None:
        """Raise why ``add()`` cannot take *point*: the writer is closed, an
        earlier batch was given up on, or *point* is not a model instance.
        Returns when none holds (the buffer's gate was stale: it is set again).
        """
        self._gate()
        if self._closed:
            msg = f"The batch writer for {self.model.__name__} is closed."
            raise ValueError(msg)
        if self._failures:
            with self._guard():
                self._raise_failures()
        if type(point) is not self.model:
            name = self.model.__name__
            type_name = type(point).__name__
            msg = (
                f"The batch writer for {name} takes {name} instances; got "
                f"{point!r} ({type_name})."
            )
            raise TypeError(msg)

    def _started(self) -> None:
        """Note the time the buffer's first point came, for flush_interval."""
        if self._idle and self._buffer:
            self._idle = False
            self._buffer_since = time.monotonic()
            if self.flush_interval is not None:
                self._notify()  # the background side starts the interval

    def _cut(self, count: int) -> Sequence[str]:
        """Take the buffer's first *count* lines, as one body.

        Other threads may add meanwhile (``add()`` takes no lock), which is
        safe because lines only go in whole at the end and are only cut
        under the lock. ``_idle`` is set first, so the thread adding a line
        after the cut sees it and starts the interval.
        """
        self._idle = True
        buffer = self._buffer
        batch = cut_batch(buffer, count)
        if buffer:
            self._idle = False
            self._buffer_since = time.monotonic()
        return batch

    def _seal(self) -> None:
        """Move the buffer, if it holds points, to the queue of batches."""
        if self._buffer:
            self._queue.append(self._cut(len(self._buffer)))

    def _take(self) -> Sequence[str] | None:
        """The batch to send: the one begun before, a queued one, or the
        buffer once it is due.
        """
        if self._current is not None:
            return self._current
        if self._queue:
            batch = self._queue.popleft()
            self._notify()  # room in the queue for a waiting add()
        elif self._buffer and (self._closed or self._idle_timeout() == 0.0):
            batch = self._cut(len(self._buffer))
        else:
            return None
        self._current = batch
        return batch

    def _idle_timeout(self) -> float | None:
        """Seconds until the buffer is due, or None to wait for a change."""
        if self.flush_interval is None or not self._buffer or self._idle:
            return None
        due = self._buffer_since + self.flush_interval
        return max(0.0, due - time.monotonic())

    def _finished(self) -> bool:
        """Whether a closed writer has nothing left to send."""
        return self._closed and not self._queue and not self._buffer

    def _settle(
        self, batch: Sequence[str], error: BaseException | None
    ) -> float | None:
        """Account for one attempt to write *batch*.

        Return the seconds to wait before sending it again, or None once it
        is done with: written, or given up on (and recorded for reporting).
        """
        now = time.monotonic()
        if error is not None and _may_pass(error):
            if self._failing_since is None:
                self._failing_since = now
            left = self._failing_since + self.retry_timeout - now
            if left > 0:
                # The last attempt comes when retry_timeout runs out.
                ceiling = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2**self._attempt)
                wait = min(left, random.uniform(ceiling / 2, ceiling))
                self._attempt += 1
                self.retried += len(batch)
                logger.warning(
                    "The batch writer for %s sends %d points again in %.2fs: %s",
                    self.model.__name__,
                    len(batch),
                    wait,
                    error,
                )
                return wait
        if error is None:
            self.written += len(batch)
        else:
            lines, count = _rejected(error, batch)
            self.written += len(batch) - count
            self.failed += count
            self._failures.append((error, lines, count))
            self._unreported.append((error, lines))
            self._gate()
        self._current = None
        self._attempt = 0
        self._failing_since = None
        return None

    def _after(self, batch: Sequence[str], error: BaseException | None) -> float | None:
        """Settle an attempt, wake whoever waits, and report a failure."""
        with self._guard():
            wait = self._settle(batch, error)
            self._notify()
        while self._unreported:
            failed, lines = self._unreported.pop(0)
            if self.on_error is None:
                continue
            try:
                self.on_error(failed, lines)
            except Exception:
                logger.exception(
                    "The on_error callback of the batch writer for %s failed.",
                    self.model.__name__,
                )
        return wait

    def _write(self, batch: Sequence[str]) -> BaseException | None:
        try:
            self.backend.write_lines(
                batch,
                database=self.database,
                retention_policy=self.retention_policy,
                batch_size=len(batch),
            )
        except Exception as exc:
            return exc
        return None

    def _send(self, batch: Sequence[str]) -> None:
        """Write *batch* from this thread, again and again while that may pass."""
        wait: float | None = 0.0
        while wait is not None:
            time.sleep(wait)
            wait = self._after(batch, self._write(batch))

    def _raise_failures(self) -> None:
        failures, self._failures = self._failures, []
        if not failures:
            return
        self._gate()
        lines = [line for _error, batch, _count in failures for line in batch]
        failed = sum(count for _error, _batch, count in failures)
        first = failures[0][0]
        points = "1 point" if failed == 1 else f"{failed} points"
        batches = "1 batch" if len(failures) == 1 else f"{len(failures)} batches"
        handed = ", and were passed to on_error" if self.on_error else ""
        msg = (
            f"The batch writer for {self.model.__name__} could not write {points} "
            f"({batches}); they are in this error's lines{handed}. The first "
            f"error: {first}"
        )
        errors = [error for error, _batch, _count in failures]
        raise BatchWriteError(
            msg, lines=lines, failed=failed, errors=errors, written=self.written
        ) from first

    @contextlib.contextmanager
    def _leaving(self, exc: BaseException | None) -> Iterator[None]:
        """Raise a failure on leaving a with block, unless *exc* is leaving it.

        Then the failure cannot be raised too; its points went to
        ``on_error`` and it is logged.
        """
        try:
            yield
        except BatchWriteError as failure:
            if exc is None:
                raise
            logger.error("%s", failure)


def _give_turn() -> None:
    """Let the thread that sends take the GIL if it waits for it (to send
    or to read an answer): a caller of add() that never blocks would make it
    wait a whole switch interval (5 ms) each time."""
    time.sleep(0)


#: Writers not closed yet, written out at interpreter exit.
_OPEN: weakref.WeakSet[_Writer[Any]] = weakref.WeakSet()


def _close_all_at_exit() -> None:
    """Write out every writer still open when the interpreter exits."""
    for writer in list(_OPEN):
        _close_at_exit(writer)


def _close_at_exit(writer: _Writer[Any]) -> None:
    try:
        writer._close_at_exit()
    except Exception:
        logger.exception("The %r could not write its points at exit.", writer)


atexit.register(_close_all_at_exit)
