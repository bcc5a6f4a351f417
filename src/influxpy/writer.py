"""Batch writers: take points one at a time, write them in batches, lose none.

``Model.series.batch_writer()`` returns a ``BatchWriter``, whose background
thread writes the batches; ``Model.series.abatch_writer()`` returns an
``AsyncBatchWriter``, whose background task does. Both writers:

- encode each point in ``add()``, so a point the line protocol cannot carry
  is refused there and then. An accepted point is a line of text that later
  changes to the instance do not affect; a point without a time gets the
  current time in its line, so sending it again writes the very same point;
- send a batch when it is full, when its oldest point has waited
  ``flush_interval`` seconds, on ``flush()``, on ``close()`` (the end of a
  ``with`` block) and at interpreter exit;
- write the batches in order, one at a time. A batch that fails for a
  reason that may pass (the store cannot be reached, answers 5xx or 429, or
  times out) is sent again after a backoff with jitter, for up to
  ``retry_timeout`` seconds, on top of the backend's own retries. Writing a
  point twice is harmless: InfluxDB keeps one point per series and time;
- make ``add()`` wait while ``max_pending`` full batches wait, so memory
  stays bounded when the store is slower than the producer;
- never drop a point silently: each batch given up on goes to
  ``on_error(exc, lines)``, and ``BatchWriteError`` is raised by the next
  ``add()``, ``flush()`` or ``close()``, or logged at interpreter exit.

The writers know nothing of HTTP or DuckDB: they send line protocol through
the backend's ``write_lines()`` and ``awrite_lines()``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import random
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
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

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

    from influxpy.backends.base import Backend

__all__ = ["AsyncBatchWriter", "BatchWriter", "ErrorCallback", "WriterOptions"]

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
_YIELD_EVERY = 512


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


def _rejected(error: BaseException, batch: list[str]) -> tuple[list[str], int]:
    """The lines of *batch* that were not written, and how many there were.

    When the store says which points it refused, those; otherwise the whole
    batch (writing a point again is harmless).
    """
    if not isinstance(error, PartialWriteError):
        return batch, len(batch)
    if isinstance(error, FieldTypeConflictError):
        count = error.dropped or len(error.lines)
    else:
        count = len(error.lines) + error.dropped
    count = min(count or len(batch), len(batch))
    lines = list(error.lines) if len(error.lines) >= count else batch
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
        self._encode = options_of(model).encoder.encode
        # One list for the writer's life: add() appends to it without a lock,
        # and batches are cut from its front under the lock (see _cut()).
        self._buffer: list[str] = []
        self._buffer_since = 0.0
        #: Whether the buffer's first point still has to start flush_interval.
        self._idle = True
        self._queue: deque[list[str]] = deque()
        self._current: list[str] | None = None
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

    def _refuse(self, point: object) -> None:
        """Raise why ``add()`` cannot take *point*: the writer is closed, an
        earlier batch was given up on, or *point* is not a model instance.
        """
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

    def _cut(self, count: int) -> list[str]:
        """Take the buffer's first *count* lines.

        Other threads may append meanwhile (``add()`` takes no lock), which
        is safe because lines are only appended at the end and only cut
        under the lock. ``_idle`` is set first, so the thread appending a
        line after the cut sees it and starts the interval.
        """
        self._idle = True
        buffer = self._buffer
        batch = buffer[:count]
        del buffer[:count]
        if buffer:
            self._idle = False
            self._buffer_since = time.monotonic()
        return batch

    def _seal(self) -> None:
        """Move the buffer, if it holds points, to the queue of batches."""
        if self._buffer:
            self._queue.append(self._cut(len(self._buffer)))

    def _take(self) -> list[str] | None:
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

    def _settle(self, batch: list[str], error: BaseException | None) -> float | None:
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
        self._current = None
        self._attempt = 0
        self._failing_since = None
        return None

    def _after(self, batch: list[str], error: BaseException | None) -> float | None:
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

    def _write(self, batch: list[str]) -> BaseException | None:
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

    def _send(self, batch: list[str]) -> None:
        """Write *batch* from this thread, again and again while that may pass."""
        wait: float | None = 0.0
        while wait is not None:
            time.sleep(wait)
            wait = self._after(batch, self._write(batch))

    def _raise_failures(self) -> None:
        failures, self._failures = self._failures, []
        if not failures:
            return
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


class BatchWriter(_Writer[PointT]):
    """Write points in batches from a background thread.

    Get one from ``Model.series.batch_writer()``, use it as a context
    manager and ``add()`` points; see the module documentation for what
    it guarantees. ``written``, ``retried``, ``failed`` and ``pending``
    count points. ``add()`` may be called from several threads.
    """

    def _start(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._thread = threading.Thread(
            target=self._work, name="influxpy-batch-writer", daemon=True
        )
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._leaving(exc):
            self.close()

    def add(self, point: PointT) -> None:
        """Accept *point* for writing, waiting while ``max_pending`` batches wait.

        Raises ``BatchWriteError`` for points given up on since the last
        call (before taking *point*), and ``FieldError`` or
        ``LineProtocolError`` when *point* cannot be written at all.
        """
        if point.__class__ is not self.model or self._failures or self._closed:
            self._refuse(point)
        line = self._encode(point)
        buffer = self._buffer
        buffer.append(line)
        count = len(buffer)
        # No lock for the common case: the lock is taken when the interval
        # has to start, a batch is full, or the writer closed meanwhile.
        if self._idle or self._closed or count >= self.batch_size:
            self._appended(line)
        elif not count & (_YIELD_EVERY - 1):
            # Let the writer thread take the GIL if it waits for it (to send
            # or to read an answer); a caller that never blocks would make it
            # wait a whole switch interval (5 ms) each time.
            time.sleep(0)

    def _appended(self, line: str) -> None:
        """The rare steps after an append, under the lock."""
        with self._lock:
            buffer = self._buffer
            if self._closed:
                # close() may have sealed the buffer before *line* came:
                # then nobody would send it, so it is taken back and refused.
                self._changed.notify_all()
                if line in buffer:
                    buffer.remove(line)
                    self._refuse(line)
                return
            self._started()
            if len(buffer) >= self.batch_size:
                while len(self._queue) >= self.max_pending:
                    self._changed.wait()
                if len(buffer) >= self.batch_size:
                    self._queue.append(self._cut(self.batch_size))
                self._changed.notify_all()

    def flush(self) -> None:
        """Send every accepted point and wait until each is written or given up on.

        Raises ``BatchWriteError`` for the points given up on.
        """
        with self._lock:
            self._seal()
            self._changed.notify_all()
            while self._queue or self._current is not None:
                self._changed.wait()
            self._raise_failures()

    def close(self) -> None:
        """Write every accepted point, stop the thread, and raise for failures.

        Closing twice is harmless.
        """
        with self._lock:
            self._closed = True
            self._seal()
            self._changed.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._forget()
        with self._lock:
            self._raise_failures()

    def _guard(self) -> contextlib.AbstractContextManager[Any]:
        return self._lock

    def _notify(self) -> None:
        self._changed.notify_all()

    def _close_at_exit(self) -> None:
        self.close()

    def close_for_backend(self) -> None:
        """Write out every accepted point because the backend closes."""
        self.close()

    async def aclose_for_backend(self) -> None:
        """Write out every accepted point because the backend closes (async)."""
        await asyncio.to_thread(self.close)

    def _work(self) -> None:
        while True:
            with self._lock:
                while (batch := self._take()) is None:
                    if self._finished():
                        return
                    self._changed.wait(self._idle_timeout())
            self._send(batch)


class AsyncBatchWriter(_Writer[PointT]):
    """Write points in batches from a background task (asyncio).

    Get one from ``Model.series.abatch_writer()``, use it with ``async
    with`` and ``await add()`` points; see the module documentation for
    what it guarantees. Use it from one event loop. If the loop ends
    without ``aclose()``, the task writes what is left as the loop shuts
    down (``asyncio.run()`` cancels it), and what is still left at
    interpreter exit is written with the sync API.
    """

    def _start(self) -> None:
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._running()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._leaving(exc):
            await self.aclose()

    async def add(self, point: PointT) -> None:
        """Accept *point* for writing, waiting while ``max_pending`` batches wait.

        Raises ``BatchWriteError`` for points given up on since the last
        call (before taking *point*), and ``FieldError`` or
        ``LineProtocolError`` when *point* cannot be written at all.
        """
        task = self._task
        if task is None or task.done():
            self._running()
        if point.__class__ is not self.model or self._failures or self._closed:
            self._refuse(point)
        buffer = self._buffer
        buffer.append(self._encode(point))
        if self._idle:
            self._started()
        size = len(buffer)
        if size >= self.batch_size:
            while len(self._queue) >= self.max_pending:
                await self._wait()
            if len(buffer) >= self.batch_size:
                self._queue.append(self._cut(self.batch_size))
            self._notify()
            await asyncio.sleep(0)
        elif not size & (_YIELD_EVERY - 1):
            # add() rarely has to wait, so it gives the loop a turn now and
            # then: the task sending the batch in flight goes on meanwhile.
            await asyncio.sleep(0)

    async def flush(self) -> None:
        """Send every accepted point and wait until each is written or given up on.

        Raises ``BatchWriteError`` for the points given up on.
        """
        self._running()
        self._seal()
        self._notify()
        while self._queue or self._current is not None:
            await self._wait()
        self._raise_failures()

    async def aclose(self) -> None:
        """Write every accepted point, stop the task, and raise for failures.

        Closing twice is harmless.
        """
        self._closed = True
        self._seal()
        if self._queue or self._current is not None:
            self._running()
        if self._task is not None and not self._task.done():
            self._notify()
            await asyncio.shield(self._task)
        self._forget()
        self._raise_failures()

    def check_closable(self) -> None:
        """Its task cannot be waited for from sync code while its event loop
        runs: then ``InterfaceError`` says to ``aclose()`` instead.
        """
        task = self._task
        if task is not None and not task.done() and not task.get_loop().is_closed():
            msg = (
                f"The connection {self.backend.alias!r} cannot close while the "
                f"async batch writer for {self.model.__name__} still runs "
                f"({self.pending} points pending): await writer.aclose(), or "
                "await backend.aclose(), in its event loop first."
            )
            raise InterfaceError(msg)

    def close_for_backend(self) -> None:
        """Write out every accepted point because the backend closes."""
        self.check_closable()
        self._close_at_exit()

    async def aclose_for_backend(self) -> None:
        """Write out every accepted point because the backend closes (async)."""
        await self.aclose()

    def _running(self) -> None:
        """Start the background task in the running loop, unless it runs."""
        if self._task is None or self._task.done():
            self._changed = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self._work(), name="influxpy-batch-writer"
            )
            _TASKS.add(self._task)
            self._task.add_done_callback(_TASKS.discard)

    def _notify(self) -> None:
        self._changed.set()

    async def _wait(self, timeout: float | None = None) -> None:
        self._changed.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def _asend(self, batch: list[str]) -> None:
        wait: float | None = 0.0
        while wait is not None:
            await asyncio.sleep(wait)
            try:
                await self.backend.awrite_lines(
                    batch,
                    database=self.database,
                    retention_policy=self.retention_policy,
                    batch_size=len(batch),
                )
            except Exception as exc:
                wait = self._after(batch, exc)
            else:
                wait = self._after(batch, None)

    async def _work(self) -> None:
        try:
            while True:
                while (batch := self._take()) is None:
                    if self._finished():
                        return
                    await self._wait(self._idle_timeout())
                await self._asend(batch)
        except asyncio.CancelledError:
            # The loop is ending (asyncio.run() cancels the tasks left):
            # write what was accepted first. A batch cut off mid-request is
            # sent again, which is harmless.
            self._seal()
            while (batch := self._take()) is not None:
                await self._asend(batch)
            raise

    def _close_at_exit(self) -> None:
        # The event loop is gone: write what is left with the sync API.
        self._changed = asyncio.Event()
        self._closed = True
        self._seal()
        while (batch := self._take()) is not None:
            self._send(batch)
        self._forget()
        self._raise_failures()


#: Writers not closed yet, written out at interpreter exit.
_OPEN: weakref.WeakSet[_Writer[Any]] = weakref.WeakSet()
#: Running tasks of async writers (the event loop keeps only weak ones).
_TASKS: set[asyncio.Task[None]] = set()


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
