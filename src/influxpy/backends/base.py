"""The backend interface: what a store must do for the QuerySet.

A backend runs compiled statements (``execute``), writes points (``write``,
``write_lines``) and closes. Administration (databases, ping) is part of the
interface because every store answers it differently. Everything else, such
as pooling, retries and schema mapping, is private to each backend.

Queries, writes and closing also have async forms (``aexecute``, ``awrite``,
``awrite_lines``, ``aclose``). The defaults here run the sync method in a
worker thread (``asyncio.to_thread``), so every backend works under asyncio;
a backend with a native async client overrides them.
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
)
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from influxpy._utils import achunks, iterate_in_thread
from influxpy.exceptions import DatabaseError

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

    from influxpy.compilers.base import Compiled, Compiler
    from influxpy.connection import DatabaseURL
    from influxpy.models import InfluxMeasurement
    from influxpy.results import Series

__all__ = ["DEFAULT_BATCH_SIZE", "Backend"]

#: Points per write request when the caller does not say.
DEFAULT_BATCH_SIZE = 5_000

_T = TypeVar("_T")


class Backend(abc.ABC):
    """A connection to one store, registered under an alias.

    ``database`` is the database used when a model names none.
    """

    #: The compiler that turns a ``Query`` into this store's language.
    compiler_class: ClassVar[type[Compiler]]
    #: Short name used in messages and the support table.
    vendor: ClassVar[str] = "base"

    def __init__(self, url: DatabaseURL, alias: str) -> None:
        self.url = url
        self.alias = alias
        self.database = url.database

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

    @abc.abstractmethod
    def write(
        self,
        model: type[InfluxMeasurement],
        objs: Iterable[InfluxMeasurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write model instances in batches and return how many were written."""

    @abc.abstractmethod
    def write_lines(
        self,
        lines: Iterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write line-protocol lines in batches and return how many were written."""

    def write_frame(
        self,
        model: type[InfluxMeasurement],
        frame: Any,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write a pandas DataFrame of *model*'s points; return how many.

        The default encodes the frame's columns as line protocol in batches.
        """
        from influxpy._dataframe import frame_batches, frame_columns
        from influxpy.lineprotocol import encode_columns

        columns = frame_columns(model, frame)
        measurement = model._meta.measurement
        series_keys: dict[tuple[Any, ...], str] = {}

        def batches() -> Iterator[str]:
            for times, tags, fields in frame_batches(*columns, batch_size):
                yield from encode_columns(measurement, times, tags, fields, series_keys)

        return self.write_lines(
            batches(),
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
        model: type[InfluxMeasurement],
        objs: Iterable[InfluxMeasurement] | AsyncIterable[InfluxMeasurement],
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
        async for batch in achunks(items, batch_size):
            try:
                written += await asyncio.to_thread(
                    write,
                    batch,
                    database=database,
                    retention_policy=retention_policy,
                    batch_size=batch_size,
                )
            except DatabaseError as exc:
                # The count covers the earlier batches of this call too.
                exc.written += written
                raise
        return written

    async def aclose(self) -> None:
        """Async form of ``close()``; the default closes in a worker thread."""
        await asyncio.to_thread(self.close)

    def features(self) -> dict[str, Any]:
        """Describe optional capabilities (used by the QuerySet and docs)."""
        return {}
