"""What every backend shares about closing: the batch writers still open
on a connection (``OpenWriters``), written out before it closes, and
``ClosedConnection``, which stands in for a closed store's handle.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any, NoReturn, Protocol

from influxpy.exceptions import BatchWriteError

__all__ = ["ClosedConnection", "OpenWriter", "OpenWriters"]


class OpenWriter(Protocol):
    """What a backend asks of a batch writer open on it (``influxpy.writer``)."""

    def check_closable(self) -> None:
        """Raise ``InterfaceError`` if the writer cannot be closed from here."""

    def close_for_backend(self) -> None:
        """Write out the writer's points; raise ``BatchWriteError`` on loss."""

    async def aclose_for_backend(self) -> None:
        """Async form of ``close_for_backend()``."""


class Closed(Protocol):
    """A closed store (``Backend``): it raises the error for its use."""

    def raise_closed(self) -> NoReturn:
        """Raise the error for using the store after ``close()``."""


class ClosedConnection:
    """Stands in for the handle of a closed store: every use raises.

    ``close()`` is harmless, so closing twice is too.
    """

    def __init__(self, backend: Closed) -> None:
        self._backend = backend

    def close(self) -> None:
        """Do nothing: the store is closed already."""

    def __getattr__(self, name: str) -> Any:
        self._backend.raise_closed()


class OpenWriters:
    """The batch writers open on one connection (held weakly)."""

    def __init__(self) -> None:
        self._writers: weakref.WeakSet[OpenWriter] = weakref.WeakSet()

    def add(self, writer: OpenWriter) -> None:
        """Remember *writer* until it closes or is collected."""
        self._writers.add(writer)

    def discard(self, writer: OpenWriter) -> None:
        """Forget *writer*: it is closed."""
        self._writers.discard(writer)

    def __iter__(self) -> Iterator[OpenWriter]:
        return iter(list(self._writers))

    def close_all(self) -> BatchWriteError | None:
        """Write out every writer (``Backend.close_writers()``); return the
        first ``BatchWriteError``, raise ``InterfaceError`` before anything
        when one cannot be closed from here."""
        writers = list(self._writers)
        for writer in writers:
            writer.check_closable()
        failures: list[BatchWriteError] = []
        for writer in writers:
            try:
                writer.close_for_backend()
            except BatchWriteError as failure:
                failures.append(failure)
        return failures[0] if failures else None

    async def aclose_all(self) -> None:
        """Async form of ``close_all()``; raises the first ``BatchWriteError``."""
        failures: list[BatchWriteError] = []
        for writer in list(self._writers):
            try:
                await writer.aclose_for_backend()
            except BatchWriteError as failure:
                failures.append(failure)
        if failures:
            raise failures[0]
