"""Query and write logging: the loggers ``influxpy.query`` and ``influxpy.write``.

At DEBUG, ``influxpy.query`` gets one record per statement a backend runs
and ``influxpy.write`` one per write call, as Django's
``django.db.backends`` does. Backends do not log themselves: the
``Backend`` base class wraps the entry points of every subclass with
``log_backend_methods()``, so a new store logs without a line of its own.

A query record carries these attributes besides its message:

- ``statement``: the text run, as the store receives it (InfluxQL on a
  server, the compiled SQL on the embedded engine; InfluxQL text given to
  ``statements()`` on both), with passwords replaced by ``***``;
- ``duration``: float seconds of wall time from the call until the result
  is exhausted, fails, or is closed by the caller (a caller that stops
  early, as ``first()`` does, ends it);
- ``rows``: the rows received (``None`` when the statement failed before
  answering);
- ``alias``: the connection's alias; ``database``: the database named by
  the call (``None`` for the connection's own);
- ``error``: ``None``, or the error the statement ended with.

A write record carries ``points`` (stored), ``bytes`` (line protocol sent,
``None`` on the embedded engine, which stores columns), ``batches``
(requests or transactions), ``duration``, ``alias``, ``database`` and
``error``.

With DEBUG off a wrapped call costs one ``isEnabledFor()`` check. Calls a
logged call makes on the same backend (``write_frame()`` through
``write_lines()``, the default ``aexecute()`` through ``execute()``) are
not logged again: a context variable marks the logged call while its own
code runs.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

__all__ = [
    "QUERY_LOGGER",
    "WRITE_LOGGER",
    "log_backend_methods",
    "note_batch",
    "redact",
    "split_statements",
]

#: One DEBUG record per statement run.
QUERY_LOGGER = logging.getLogger("influxpy.query")
#: One DEBUG record per write call.
WRITE_LOGGER = logging.getLogger("influxpy.write")

_DEBUG = logging.DEBUG
#: Set while a logged statement's own code runs: nested statements are its own.
_RUNNING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "influxpy_statement_running", default=False
)
#: The counts of the logged write in progress.
_WRITING: contextvars.ContextVar[_WriteLog | None] = contextvars.ContextVar(
    "influxpy_write_running", default=None
)
#: influxd's answer to each statement after a failed one: not run, not logged.
_NOT_EXECUTED = "not executed"
#: Marks a method this module wrapped.
_WRAPPED = "__influxpy_logged__"

#: A password literal: after PASSWORD (and SET PASSWORD FOR "user" =).
_PASSWORD = re.compile(
    r"""(\bPASSWORD\b(?:[^'"]|"(?:[^"\\]|\\.)*")*?)'(?:[^'\\]|\\.)*'""",
    re.IGNORECASE,
)


#: Credentials in a URL literal (a subscription's destinations).
_URL_CREDENTIALS = re.compile(r"""('[A-Za-z][A-Za-z0-9+.-]*://)[^'/@]*@""")


def redact(statement: str) -> str:
    """*statement* with its credentials hidden: the password of ``CREATE
    USER``/``SET PASSWORD``, and those in the URLs of ``CREATE
    SUBSCRIPTION``."""
    statement = _PASSWORD.sub(r"\1'***'", statement)
    return _URL_CREDENTIALS.sub(r"\1***@", statement)


def split_statements(text: str) -> list[str]:
    """The statements of InfluxQL *text*, split at ``;`` outside quotes."""
    pieces: list[str] = []
    start = 0
    quote = ""
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            if char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == ";":
            pieces.append(text[start:index].strip())
            start = index + 1
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _rows(series: Any) -> int:
    values = getattr(series, "values", None)
    return len(values) if isinstance(values, list) else 0


@dataclasses.dataclass
class _StatementLog:
    """One statement being logged: emitted once, when it ends."""

    statement: str
    alias: str
    database: str | None
    started: float = dataclasses.field(default_factory=time.perf_counter)
    rows: int | None = 0
    error: str | None = None
    done: bool = False
    #: Whether the caller read the answer to its end.
    complete: bool = False

    def fail(self, error: BaseException) -> None:
        if isinstance(error, GeneratorExit):
            return
        self.error = f"{type(error).__name__}: {error}"
        if not self.rows:
            self.rows = None

    def emit(self) -> None:
        if self.done:
            return
        self.done = True
        duration = time.perf_counter() - self.started
        text = redact(self.statement)
        QUERY_LOGGER.debug(
            "(%.3fs) %s; alias=%s rows=%s",
            duration,
            text,
            self.alias,
            self.rows,
            extra={
                "statement": text,
                "duration": duration,
                "rows": self.rows,
                "alias": self.alias,
                "database": self.database,
                "error": self.error,
            },
        )


@dataclasses.dataclass
class _WriteLog:
    """The counts of one write call, which the backend's batches add to."""

    alias: str
    database: str | None
    started: float = dataclasses.field(default_factory=time.perf_counter)
    batches: int = 0
    bytes: int | None = None

    def emit(self, points: int, error: BaseException | None) -> None:
        if error is not None:
            # What the backend noted on the error (``note_written()``).
            written = getattr(error, "written", 0)
            points = written if isinstance(written, int) else 0
        duration = time.perf_counter() - self.started
        WRITE_LOGGER.debug(
            "(%.3fs) wrote %d points in %d batches (%s bytes); alias=%s",
            duration,
            points,
            self.batches,
            self.bytes,
            self.alias,
            extra={
                "points": points,
                "bytes": self.bytes,
                "batches": self.batches,
                "duration": duration,
                "alias": self.alias,
                "database": self.database,
                "error": None if error is None else f"{type(error).__name__}: {error}",
            },
        )


def note_batch(size: int | None = None) -> None:
    """Count one batch of the write being logged (*size*: bytes sent, if known).

    Backends call this for each request or transaction of a write; it does
    nothing when no write is logged.
    """
    log = _WRITING.get()
    if log is None:
        return
    log.batches += 1
    if size is not None:
        log.bytes = (log.bytes or 0) + size


# -- statements -----------------------------------------------------------------


def _step(advance: Callable[[], Any]) -> Any:
    """Run *advance* marked as a logged statement's own code."""
    token = _RUNNING.set(True)
    try:
        return advance()
    finally:
        _RUNNING.reset(token)


def _follow(pieces: Iterator[Any], log: _StatementLog) -> Iterator[Any]:
    """Yield *pieces*, counting rows; log when they end or are closed."""
    try:
        while True:
            try:
                piece = _step(functools.partial(next, pieces))
            except StopIteration:
                log.complete = True
                return
            log.rows = (log.rows or 0) + _rows(piece)
            yield piece
    except BaseException as error:
        log.fail(error)
        raise
    finally:
        close = getattr(pieces, "close", None)
        try:
            if close is not None:
                _step(close)
        finally:
            log.emit()


async def _afollow(pieces: Any, log: _StatementLog) -> AsyncIterator[Any]:
    """Async form of ``_follow()``."""
    try:
        while True:
            token = _RUNNING.set(True)
            try:
                piece = await pieces.__anext__()
            except StopAsyncIteration:
                log.complete = True
                return
            finally:
                _RUNNING.reset(token)
            log.rows = (log.rows or 0) + _rows(piece)
            yield piece
    except BaseException as error:
        log.fail(error)
        raise
    finally:
        try:
            aclose = getattr(pieces, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            log.emit()


def _statement_text(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    compiled = args[0] if args else kwargs.get("compiled", kwargs.get("text", ""))
    return str(getattr(compiled, "text", compiled))


def _logged_execute(func: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """Wrap ``execute()`` or ``aexecute()``: one record per call."""

    @functools.wraps(func)
    def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not QUERY_LOGGER.isEnabledFor(_DEBUG) or _RUNNING.get():
            return func(self, *args, **kwargs)
        log = _StatementLog(
            _statement_text(args, kwargs), self.alias, kwargs.get("database")
        )
        try:
            pieces = _step(functools.partial(func, self, *args, **kwargs))
        except BaseException as error:
            log.rows = None
            log.fail(error)
            log.emit()
            raise
        if is_async:
            return _afollow(pieces, log)
        return _follow(iter(pieces), log)

    return execute


def _logged_statements(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``statements()``: one record per statement of the text."""

    @functools.wraps(func)
    def statements(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not QUERY_LOGGER.isEnabledFor(_DEBUG) or _RUNNING.get():
            return func(self, *args, **kwargs)
        text = _statement_text(args, kwargs)
        return _each_statement(
            func, self, args, kwargs, text, split_statements(text) or [text]
        )

    return statements


def _each_statement(
    func: Callable[..., Any],
    backend: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    text: str,
    texts: list[str],
) -> Iterator[Any]:
    alias, database = backend.alias, kwargs.get("database")
    log = _StatementLog(texts[0], alias, database)
    logs = [log]
    try:
        results = iter(_step(functools.partial(func, backend, *args, **kwargs)))
        index = 0
        while True:
            try:
                result = _step(functools.partial(next, results))
            except StopIteration:
                return
            if index:
                log = _StatementLog(
                    texts[index] if index < len(texts) else text, alias, database
                )
                logs.append(log)
            index += 1
            series = result.series
            if result.error is not None:
                log.rows, log.error = None, result.error
                # influxd's answer for a statement after a failed one.
                log.done = result.error == _NOT_EXECUTED
                log.emit()
            elif isinstance(series, list | tuple):
                log.rows = sum(map(_rows, series))
                log.emit()
            else:
                result = dataclasses.replace(result, series=_follow(iter(series), log))
            yield result
            # The caller asked for the next statement: this one has ended,
            # and its rows are unknown unless the caller read them all.
            if not log.complete:
                log.rows = None
            log.emit()
    except BaseException as error:
        if not log.done:
            log.fail(error)
        raise
    finally:
        for each in logs:
            if not each.complete and not each.done:
                each.rows = None
            each.emit()


def _logged_explain(func: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """Wrap ``explain()`` or ``aexplain()``: one record, rows ``None``."""

    @functools.wraps(func)
    def explain(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not QUERY_LOGGER.isEnabledFor(_DEBUG) or _RUNNING.get():
            return func(self, *args, **kwargs)
        keyword = "EXPLAIN ANALYZE " if kwargs.get("analyze") else "EXPLAIN "
        text = keyword + _statement_text(args, kwargs)
        log = _StatementLog(text, self.alias, _database_of(kwargs), rows=None)
        if is_async:
            return _aexplain(func, self, args, kwargs, log)
        try:
            return _step(functools.partial(func, self, *args, **kwargs))
        except BaseException as error:
            log.fail(error)
            raise
        finally:
            log.emit()

    return explain


async def _aexplain(
    func: Callable[..., Any],
    backend: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    log: _StatementLog,
) -> Any:
    token = _RUNNING.set(True)
    try:
        return await func(backend, *args, **kwargs)
    except BaseException as error:
        log.fail(error)
        raise
    finally:
        _RUNNING.reset(token)
        log.emit()


# -- writes ---------------------------------------------------------------------


def _database_of(kwargs: dict[str, Any]) -> str | None:
    database = kwargs.get("database")
    return database if isinstance(database, str) else None


def _logged_write(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``write()``, ``write_lines()`` or ``write_frame()``."""

    @functools.wraps(func)
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not WRITE_LOGGER.isEnabledFor(_DEBUG) or _WRITING.get() is not None:
            return func(self, *args, **kwargs)
        log = _WriteLog(self.alias, _database_of(kwargs))
        token = _WRITING.set(log)
        try:
            points = func(self, *args, **kwargs)
        except BaseException as error:
            log.emit(0, error)
            raise
        finally:
            _WRITING.reset(token)
        log.emit(points, None)
        return points

    return write


def _logged_awrite(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``awrite()`` or ``awrite_lines()``."""

    @functools.wraps(func)
    def awrite(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not WRITE_LOGGER.isEnabledFor(_DEBUG) or _WRITING.get() is not None:
            return func(self, *args, **kwargs)
        return _awrite(func, self, args, kwargs)

    return awrite


async def _awrite(
    func: Callable[..., Any],
    backend: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    log = _WriteLog(backend.alias, _database_of(kwargs))
    token = _WRITING.set(log)
    try:
        points = await func(backend, *args, **kwargs)
    except BaseException as error:
        log.emit(0, error)
        raise
    finally:
        _WRITING.reset(token)
    log.emit(points, None)
    return points


_WRAPPERS: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "execute": functools.partial(_logged_execute, is_async=False),
    "aexecute": functools.partial(_logged_execute, is_async=True),
    "statements": _logged_statements,
    "explain": functools.partial(_logged_explain, is_async=False),
    "aexplain": functools.partial(_logged_explain, is_async=True),
    "write": _logged_write,
    "write_lines": _logged_write,
    "write_frame": _logged_write,
    "awrite": _logged_awrite,
    "awrite_lines": _logged_awrite,
}


def log_backend_methods(cls: type) -> None:
    """Wrap the statement and write entry points *cls* has, once each."""
    for name, wrap in _WRAPPERS.items():
        method = getattr(cls, name, None)
        if (
            method is None
            or getattr(method, _WRAPPED, False)
            or getattr(method, "__isabstractmethod__", False)
        ):
            continue
        wrapped = wrap(method)
        setattr(wrapped, _WRAPPED, True)
        setattr(cls, name, wrapped)
