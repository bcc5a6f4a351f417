"""QuerySet: the lazy, chainable, immutable query API (``Model.series``).

Each chaining method returns a new QuerySet around a ``Query`` changed with
``dataclasses.replace``; nothing touches a backend until the QuerySet is
iterated or a method that runs a query is called. Results are cached on the
QuerySet, as in Django; the cache is never copied into a new QuerySet.

The QuerySet reaches compilers and backends only through the backend bound
to its alias.

Every method that runs queries has an async form named as in Django's async
ORM (``acount()``, ``aget()``, ``async for``…). Each such method is written
once, as steps: a generator that yields the statements it needs and
receives their series. The sync method answers the steps with the backend's
``execute()``, the async one with ``aexecute()``.

``QuerySet`` is one class made of parts by job: ``_base`` (its state, new
QuerySets from changed states, and running statements), ``_chaining``
(methods that return a new QuerySet), ``_reads`` (iteration and the methods
that run a query), ``_writes`` (points in), ``_frames`` (DataFrames out) and
``_schema`` (drops, ``ensure_schema()``, continuous queries, downsampling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from influxpy.exceptions import CompileError
from influxpy.models import ModelT
from influxpy.queryset._base import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from influxpy.queryset._base import ItemT, RowT
from influxpy.queryset._explain import ExplainMixin
from influxpy.queryset._frames import FramesMixin
from influxpy.queryset._reads import ReadsMixin
from influxpy.queryset._schema import SchemaMixin
from influxpy.queryset._writes import WritesMixin

__all__ = ["QuerySet"]


class QuerySet(
    ReadsMixin[ModelT, ItemT, RowT],
    WritesMixin[ModelT],
    FramesMixin[ModelT],
    SchemaMixin[ModelT],
    ExplainMixin[ModelT],
):
    """A lazy query over one measurement (``Model.series``).

    Iterating yields one ``InfluxResult`` per series; ``points()`` and
    ``instances()`` switch to flat dicts or model instances.

    ``QuerySet[M]`` is ``QuerySet[M, InfluxResult, M]``: the model, what
    iteration yields and what ``first()``/``get()`` return.
    """

    if not TYPE_CHECKING:

        def __class_getitem__(cls, params: Any) -> Any:
            # The type checker gives the last two parameters defaults; give
            # them at run time too, so ``QuerySet[Model]`` works in annotations
            # that are evaluated.
            if not isinstance(params, tuple):
                params = (params,)
            if len(params) == 1:
                from influxpy.results import InfluxResult

                params = (*params, InfluxResult)
            if len(params) == 2:
                params = (*params, params[0])
            return super().__class_getitem__(params)

    def __repr__(self) -> str:
        try:
            text = str(self.query)
        except CompileError as exc:
            text = f"(cannot compile: {exc})"
        return f"<QuerySet {self.model.__name__} {self._state.shape}: {text}>"
