"""The QuerySet methods that write points: instances, batches, frames."""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from influxpy._utils import amap
from influxpy.models import ModelT
from influxpy.queryset._base import QuerySetBase
from influxpy.writer import AsyncBatchWriter, BatchWriter

if TYPE_CHECKING:
    from typing import Unpack

    from influxpy.backends.base import Backend
    from influxpy.writer import WriterOptions

__all__ = ["WritesMixin"]


class WritesMixin(QuerySetBase[ModelT]):
    """``create()``, ``bulk_create()``, batch writers and ``write_dataframe()``."""

    def create(self, **values: Any) -> ModelT:
        """Build an instance from *values*, save it and return it."""
        obj = self.model(**values)
        self.bulk_create([obj], stamp=True)
        return obj

    async def acreate(self, **values: Any) -> ModelT:
        """Async form of ``create()``."""
        obj = self.model(**values)
        await self.abulk_create([obj], stamp=True)
        return obj

    def bulk_create(
        self,
        objs: Iterable[ModelT],
        batch_size: int = 5_000,
        *,
        stamp: bool = False,
        concurrency: int = 1,
    ) -> int:
        """Write many instances in batches; return how many were written.

        *objs* may be any iterable, a generator included: it is consumed
        batch by batch, so memory stays constant. Points without a time are
        stamped with the current time in nanoseconds (kept on the instance
        when *stamp* is true, as ``save()`` does). *concurrency* above 1
        keeps that many requests in flight to InfluxDB, each series' points
        in order (the embedded engine writes one batch at a time anyway).
        """
        check = self._bulk_check(batch_size, stamp=stamp)
        backend = self._backend()
        options = self._write_options(backend, batch_size)
        options.update(_concurrency_option(backend, concurrency))
        return backend.write(self.model, self._checked(objs, check, stamp), **options)

    async def abulk_create(
        self,
        objs: Iterable[ModelT] | AsyncIterable[ModelT],
        batch_size: int = 5_000,
        *,
        stamp: bool = False,
    ) -> int:
        """Async form of ``bulk_create()``; *objs* may be an async iterable."""
        check = self._bulk_check(batch_size, stamp=stamp)
        backend = self._backend()
        checked = (
            amap(check, objs)
            if isinstance(objs, AsyncIterable)
            else self._checked(objs, check, stamp)
        )
        return await backend.awrite(
            self.model, checked, **self._write_options(backend, batch_size)
        )

    def _checked(
        self, objs: Iterable[Any], check: Callable[[Any], ModelT], stamp: bool
    ) -> Iterable[ModelT]:
        """*objs*, each checked by *check* on its way; a list or tuple is
        checked whole, before anything is written, and passed on as it is
        (cheaper than a call per object).
        """
        if stamp or not isinstance(objs, list | tuple):
            return map(check, objs)
        if set(map(type, objs)) - {self.model}:
            for obj in objs:
                check(obj)  # raises for the first one of another class
        return objs

    def _bulk_check(self, batch_size: int, *, stamp: bool) -> Callable[[Any], ModelT]:
        """Check *batch_size*; return the check each object passes on its way."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            msg = f"batch_size must be a positive int, got {batch_size!r}."
            raise TypeError(msg)
        if batch_size < 1:
            msg = f"batch_size must be a positive int, got {batch_size!r}."
            raise ValueError(msg)
        model = self.model

        def check(obj: Any) -> ModelT:
            if type(obj) is not model:
                type_name = type(obj).__name__
                msg = (
                    f"{model.__name__}.series.bulk_create() takes "
                    f"{model.__name__} instances; got {obj!r} ({type_name})."
                )
                raise TypeError(msg)
            if stamp and obj.__dict__.get("time") is None:
                obj.__dict__["time"] = time.time_ns()
            return obj

        return check

    def _write_options(self, backend: Backend, batch_size: int) -> dict[str, Any]:
        return {
            "database": self._database(backend),
            "retention_policy": self.model._meta.retention_policy,
            "batch_size": batch_size,
        }

    def batch_writer(self, **options: Unpack[WriterOptions]) -> BatchWriter[ModelT]:
        """Return a writer that takes points one at a time and writes them in
        batches from a background thread, losing none.

        Options: ``batch_size`` (5,000), ``flush_interval`` (1.0 seconds),
        ``max_pending`` full batches before ``add()`` waits (4),
        ``retry_timeout`` (180 seconds) and ``on_error(exc, lines)``; see
        ``influxpy.writer``. Use it as a context manager.
        """
        backend = self._backend()
        return BatchWriter(
            self.model,
            backend,
            database=self._database(backend),
            retention_policy=self.model._meta.retention_policy,
            **options,
        )

    def abatch_writer(
        self, **options: Unpack[WriterOptions]
    ) -> AsyncBatchWriter[ModelT]:
        """Async form of ``batch_writer()``: ``async with`` it, ``await add()``."""
        backend = self._backend()
        return AsyncBatchWriter(
            self.model,
            backend,
            database=self._database(backend),
            retention_policy=self.model._meta.retention_policy,
            **options,
        )

    def write_dataframe(
        self, frame: Any, batch_size: int = 5_000, *, concurrency: int = 1
    ) -> int:
        """Write the rows of a DataFrame as points; return how many.

        *frame* is a pandas DataFrame, a ``pyarrow.Table`` or a
        ``polars.DataFrame`` (the last two are read through pandas). Columns
        are the model's attribute names; the time is the index or a ``time``
        column. NaN and None mean "no value" for that row. *concurrency* as
        in ``bulk_create()``.
        """
        backend = self._backend()
        return backend.write_frame(
            self.model,
            frame,
            database=self._database(backend),
            retention_policy=self.model._meta.retention_policy,
            batch_size=batch_size,
            **_concurrency_option(backend, concurrency),
        )


def _concurrency_option(backend: Backend, concurrency: int) -> dict[str, int]:
    """Check *concurrency*; the keyword to pass when the backend writes in
    parallel (an HTTP backend) and more than one request is asked for."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        msg = f"concurrency must be a positive int, got {concurrency!r}."
        raise TypeError(msg)
    if concurrency < 1:
        msg = f"concurrency must be a positive int, got {concurrency!r}."
        raise ValueError(msg)
    if concurrency == 1 or not getattr(backend, "parallel_writes", False):
        return {}
    return {"concurrency": concurrency}
