"""The backend interface: what a store must do for the QuerySet.

A backend is a subclass of ``Backend`` registered under an alias. A third
store implements this small set and nothing else is asked of it:

Required (abstract here):

- ``execute(compiled, *, database=None, chunk_size=None)``: run one
  compiled statement and yield its ``results.Series`` in order.
- ``write(model, objs, ...)`` and ``write_lines(lines, ...)``: write points
  in batches and return how many were written.
- ``close()``: release connections and files (call ``close_writers()``
  first); a closed backend raises ``InterfaceError`` on every use.
- ``ping()``: check the store answers and return its version.
- ``create_database(name)``, ``drop_database(name)``, ``list_databases()``.

Class attributes:

- ``compiler_class`` (required): the compiler turning a ``Query`` into the
  store's language; ``get_compiler()`` returns one.
- ``vendor``: a short name for messages and the support table.
- ``schema_editor_class`` (optional): the ``SchemaEditor`` subclass behind
  ``schema_editor()`` (retention policies, continuous queries, dropping
  measurements and series). Left ``None``, schema changes raise
  ``NotSupportedError``.
- ``introspection_class`` (optional): the ``Introspection`` subclass behind
  ``introspection(database)``. Left ``None``, introspection raises
  ``NotSupportedError``.

Optional, with defaults here: ``aexecute``, ``awrite``, ``awrite_lines``,
``astatements`` and ``aclose`` run the sync method in a worker thread
(``asyncio.to_thread``), so every backend works under asyncio; a backend
with a native async client overrides them. ``write_frame`` encodes a
pandas DataFrame as line protocol for ``write_lines``; ``features()``
describes optional capabilities. Everything else, such as pooling, retries
and schema mapping, is private to each backend. Backends read a model only
through the shapes in ``influxpy._types``.

``close_writers()`` writes out the batch writers still open on a
connection before it closes (``OpenWriters``, in ``backends.open_writers``,
which also holds ``ClosedConnection``, the stand-in for a closed store's
handle). Re-exported from their own modules: the count
of points a failing bulk write stored (``note_written()`` and friends, in
``backends.written``) and the base ``SchemaEditor`` and ``Introspection``
classes a store's own classes extend (``backends.schema_base``).
"""

from __future__ import annotations

import abc
import asyncio
import functools
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, TypeVar

from influxpy._logging import log_backend_methods
from influxpy._utils import achunks, iterate_in_thread
from influxpy.backends.open_writers import ClosedConnection, OpenWriter, OpenWriters
from influxpy.backends.schema_base import (
    ContinuousQueryDefinition,
    ContinuousQueryInfo,
    Introspection,
    SchemaEditor,
)
from influxpy.backends.written import (
    DEFAULT_BATCH_SIZE,
    counting_written,
    frame_lines,
    note_written,
    written_of,
)
from influxpy.exceptions import (
    BatchWriteError,
    InterfaceError,
    NotSupportedError,
)

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

    from influxpy._types import Measurement
    from influxpy.compilers.base import Compiled, Compiler
    from influxpy.exceptions import ProgrammingError
    from influxpy.results import InfluxResult, Series, StatementResult
    from influxpy.urls import DatabaseURL

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Backend",
    "ClosedConnection",
    "ContinuousQueryDefinition",
    "ContinuousQueryInfo",
    "Introspection",
    "SchemaEditor",
    "counting_written",
    "frame_lines",
    "note_written",
    "written_of",
]

_T = TypeVar("_T")


class Backend(abc.ABC):
    """A connection to one store, registered under an alias.

    ``database`` is the database used when a model names none.
    """

    #: The compiler that turns a ``Query`` into this store's language.
    compiler_class: ClassVar[type[Compiler]]
    #: Short name used in messages and the support table.
    vendor: ClassVar[str] = "base"
    #: The class that changes this store's schema (``schema_editor()``);
    #: ``None`` when the store has none.
    schema_editor_class: ClassVar[type[SchemaEditor] | None] = None
    #: The class that answers questions about one database
    #: (``introspection()``); ``None`` when the store cannot be introspected.
    introspection_class: ClassVar[type[Introspection] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every store logs its statements and writes (influxpy._logging).
        log_backend_methods(cls)

    def __init__(self, url: DatabaseURL, alias: str) -> None:
        self.url = url
        self.alias = alias
        self.database = url.database
        #: Whether ``close()`` was called; a closed backend refuses every use.
        self.closed = False
        self._writers = OpenWriters()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.alias!r}: {self.url}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def raise_closed(self) -> NoReturn:
        """Raise the error for using this backend after ``close()``."""
        alias = "" if self.alias == "default" else f", alias={self.alias!r}"
        msg = (
            f"The connection {self.alias!r} to {self.url} is closed; open a new "
            f"one with influxpy.connect(url{alias}) to use it again."
        )
        raise InterfaceError(msg)

    def check_open(self) -> None:
        """Raise ``InterfaceError`` if this backend was closed."""
        if self.closed:
            self.raise_closed()

    def track_writer(self, writer: OpenWriter) -> None:
        """Remember *writer*, so ``close()`` writes out its points first."""
        self.check_open()
        self._writers.add(writer)

    def close_writers(self) -> BatchWriteError | None:
        """Write out the batch writers still open on this connection.

        Backends call this first thing in ``close()``, and raise what it
        returns once closed: the ``BatchWriteError`` of the points a writer
        gave up on, after the others were written out. An async writer
        whose task still runs in an event loop cannot be waited for here:
        then ``InterfaceError`` is raised before anything is done, and the
        connection stays open (``aclose()`` the writer, or the backend, from
        that loop).
        """
        return self._writers.close_all()

    async def aclose_writers(self) -> None:
        """Async form of ``close_writers()``, for ``aclose()``; raises the
        ``BatchWriteError`` of the first writer that gave up on points.
        """
        await self._writers.aclose_all()

    def resolve_database(self, database: str | None) -> str:
        """Return *database*, or this connection's, or raise a clear error."""
        from influxpy.exceptions import ImproperlyConfigured

        name = database or self.database
        if not name:
            msg = (
                f"No database is chosen for the connection {self.alias!r}: put "
                "it in the URL path (influxdb://host:8086/mydb) or set "
                "Meta.database on the model."
            )
            raise ImproperlyConfigured(msg)
        return name

    def get_compiler(self, database: str | None = None) -> Compiler:
        """Return a compiler for queries on *database*."""
        return self.compiler_class()

    def schema_editor(self) -> SchemaEditor:
        """Return this store's schema editor (``schema_editor_class``)."""
        if self.schema_editor_class is None:
            msg = f"The {self.vendor} backend has no schema editor."
            raise NotSupportedError(msg)
        return self.schema_editor_class(self)

    def introspection(self, database: str | None = None) -> Introspection:
        """Return the introspection of *database* (this connection's by default)."""
        name = self.resolve_database(database)
        if self.introspection_class is None:
            msg = f"The {self.vendor} backend cannot be introspected."
            raise NotSupportedError(msg)
        return self.introspection_class(self, name)

    @abc.abstractmethod
    def execute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[Series]:
        """Run one statement and yield its result series in order.

        With *chunk_size*, rows are streamed in chunks of that many rows and
        one logical series may arrive as several ``Series`` pieces.
        """

    def statements(
        self,
        text: str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        params: Mapping[str, Any] | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[StatementResult]:
        """Run InfluxQL *text* (one or more statements separated by ``;``).

        Yields one ``StatementResult`` per statement, in order, as InfluxDB
        answers ``/query``: a failed statement carries the server's error
        text. *params* binds ``$name`` placeholders. Text that does not parse
        raises ``InfluxQLParseError`` with InfluxDB's message.
        """
        msg = f"The {self.vendor} backend does not run InfluxQL text."
        raise NotSupportedError(msg)

    def query(
        self,
        text: str,
        *,
        database: str | None = None,
        params: Mapping[str, Any] | None = None,
        epoch: str | None = None,
    ) -> list[InfluxResult]:
        """Run InfluxQL *text* and return every statement's series, in order.

        The convenience over ``statements()``: one ``InfluxResult`` per
        series, times as aware UTC datetimes (integer nanoseconds with
        ``epoch='ns'``). The first failed statement raises
        ``ProgrammingError`` with the store's text (``DatabaseNotFoundError``
        for ``database not found``); text that does not parse raises
        ``InfluxQLParseError``.
        """
        from influxpy.results import Converter

        converter = Converter(epoch=epoch)
        found: list[InfluxResult] = []
        results = self.statements(text, database=database, params=params)
        try:
            for result in results:
                if result.error is not None:
                    raise self.statement_failure(result, database=database)
                found.extend(map(converter.result, result.series))
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()
        return found

    async def astatements(
        self,
        text: str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        params: Mapping[str, Any] | None = None,
        chunk_size: int | None = None,
    ) -> AsyncGenerator[StatementResult, None]:
        """Async form of ``statements()``: each ``StatementResult`` with its
        series read whole (the pieces of *chunk_size* chunks merged). The
        default runs ``statements()`` in a worker thread and reads each
        statement's answer there."""
        from influxpy.results import StatementResult, merge_pieces

        def whole() -> Iterator[StatementResult]:
            results = self.statements(
                text,
                database=database,
                retention_policy=retention_policy,
                params=params,
                chunk_size=chunk_size,
            )
            for result in results:
                series = list(merge_pieces(result.series))
                yield StatementResult(result.statement_id, series, result.error)

        async for result in iterate_in_thread(whole()):
            yield result

    async def aquery(
        self,
        text: str,
        *,
        database: str | None = None,
        params: Mapping[str, Any] | None = None,
        epoch: str | None = None,
    ) -> list[InfluxResult]:
        """Async form of ``query()``, on ``astatements()``."""
        from influxpy.results import Converter

        converter = Converter(epoch=epoch)
        found: list[InfluxResult] = []
        results = self.astatements(text, database=database, params=params)
        try:
            async for result in results:
                if result.error is not None:
                    raise self.statement_failure(result, database=database)
                found.extend(map(converter.result, result.series))
        finally:
            await results.aclose()
        return found

    def statement_failure(
        self, result: StatementResult, *, database: str | None = None
    ) -> ProgrammingError:
        """The error to raise for a failed statement of ``statements()``:
        ``DatabaseNotFoundError`` for ``database not found``,
        ``RetentionPolicyNotFoundError`` for ``retention policy not found``
        (its ``database`` the one the statements ran on), otherwise
        ``ProgrammingError``, with the store's text."""
        from influxpy.exceptions import (
            DatabaseNotFoundError,
            ProgrammingError,
            RetentionPolicyNotFoundError,
        )

        text = (result.error or "").rstrip(".")
        msg = (
            f"Statement {result.statement_id} of the query failed on the "
            f"{self.vendor} backend: {text}."
        )
        if text.startswith("database not found"):
            return DatabaseNotFoundError(msg)
        if text.startswith(RetentionPolicyNotFoundError.server_text("")):
            found = RetentionPolicyNotFoundError.from_server_text(
                text, msg, database=database or self.database or None
            )
            if found is not None:
                return found
        return ProgrammingError(msg)

    def explain(
        self, compiled: Compiled, *, database: str | None = None, analyze: bool = False
    ) -> str:
        """Return the store's plan of *compiled* as text.

        With *analyze*, the statement is run and the plan reports what the
        run did (``EXPLAIN ANALYZE``); nothing is written.
        """
        msg = f"The {self.vendor} backend cannot explain its queries."
        raise NotSupportedError(msg)

    async def aexplain(
        self, compiled: Compiled, *, database: str | None = None, analyze: bool = False
    ) -> str:
        """Async form of ``explain()``; the default runs it in a worker thread."""
        return await asyncio.to_thread(
            self.explain, compiled, database=database, analyze=analyze
        )

    @abc.abstractmethod
    def write(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write model instances in batches and return how many were written."""

    @abc.abstractmethod
    def write_lines(
        self,
        lines: Iterable[str] | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write line-protocol lines in batches and return how many were written.

        *lines* is an iterable of lines, or one string holding them (a body
        of lines separated by newlines).
        """

    def write_frame(
        self,
        model: type[Measurement],
        frame: Any,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write a pandas DataFrame of *model*'s points; return how many.

        The default encodes the frame's columns as line protocol in batches.
        """
        return self.write_lines(
            frame_lines(model, frame, batch_size),
            database=database,
            retention_policy=retention_policy,
            batch_size=batch_size,
        )

    @abc.abstractmethod
    def ping(self) -> str:
        """Check the store answers and return its version."""

    @abc.abstractmethod
    def create_database(self, name: str | None = None) -> None:
        """Create a database (this connection's when *name* is None)."""

    @abc.abstractmethod
    def drop_database(self, name: str | None = None) -> None:
        """Drop a database and all its data (this connection's by default)."""

    @abc.abstractmethod
    def list_databases(self) -> list[str]:
        """Return the names of the databases."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections and files; the backend is unusable afterwards."""

    # -- async forms ---------------------------------------------------------

    async def aexecute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> AsyncGenerator[Series, None]:
        """Async form of ``execute()``.

        The default runs ``execute()`` in a worker thread and fetches each
        series there, so the event loop never waits on the store.
        """
        series = await asyncio.to_thread(
            self.execute, compiled, database=database, chunk_size=chunk_size
        )
        async for piece in iterate_in_thread(series):
            yield piece

    async def awrite(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement] | AsyncIterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Async form of ``write()``; *objs* may also be an async iterable.

        The default gathers each batch on the event loop and writes it with
        ``write()`` in a worker thread.
        """
        write = functools.partial(self.write, model)
        return await self._write_in_threads(
            write, objs, database, retention_policy, batch_size
        )

    async def awrite_lines(
        self,
        lines: Iterable[str] | AsyncIterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Async form of ``write_lines()``; *lines* may be an async iterable."""
        return await self._write_in_threads(
            self.write_lines, lines, database, retention_policy, batch_size
        )

    async def _write_in_threads(
        self,
        write: Callable[..., int],
        items: Iterable[_T] | AsyncIterable[_T],
        database: str | None,
        retention_policy: str | None,
        batch_size: int,
    ) -> int:
        written = 0
        try:
            async for batch in achunks(items, batch_size):
                try:
                    written += await asyncio.to_thread(
                        write,
                        batch,
                        database=database,
                        retention_policy=retention_policy,
                        batch_size=batch_size,
                    )
                except BaseException as error:
                    # What this batch's write stored before failing counts too.
                    written += written_of(error)
                    raise
        except BaseException as error:
            note_written(error, written)
            raise
        return written

    async def aclose(self) -> None:
        """Async form of ``close()``; the default closes in a worker thread.

        Open batch writers are written out first, async ones on this loop.
        """
        try:
            await self.aclose_writers()
        finally:
            await asyncio.to_thread(self.close)

    def run_continuous_queries(
        self, now: int | None = None, *, database: str | None = None
    ) -> list[Any]:
        """Run the continuous queries due at *now* (epoch ns) and return the runs.

        The embedded engine runs its continuous queries itself (see
        ``backends.duckdb.continuous``); an InfluxDB server runs its own, so
        this base raises ``NotSupportedError``.
        """
        msg = (
            f"The {self.vendor} backend does not run continuous queries from the "
            "client: the server's own continuous query service ([continuous_queries] "
            "in influxd's configuration) runs them on the server's clock."
        )
        raise NotSupportedError(msg)

    def enforce_retention(self, now: int | None = None) -> list[Any]:
        """Drop the shard groups expired at *now* (epoch ns) and return them.

        The embedded engine enforces retention itself (see
        ``backends.duckdb.retention_service``); an InfluxDB server runs its
        own retention service, so this base raises ``NotSupportedError``.
        """
        msg = (
            f"The {self.vendor} backend does not enforce retention from the client: "
            "the server's own retention service ([retention] check-interval in "
            "influxd's configuration) drops expired shard groups."
        )
        raise NotSupportedError(msg)

    def features(self) -> dict[str, Any]:
        """Describe optional capabilities (used by the QuerySet and docs)."""
        return {}
