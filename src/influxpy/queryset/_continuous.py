"""Continuous queries: an ``into()`` QuerySet the server runs on a schedule.

``qs.into(Target).continuous_query(name, ...)`` builds one; the backend's
schema editor creates and drops it. ``influxpy.schema`` and ``influxpy``
re-export ``ContinuousQuery``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from influxpy.durations import Duration, as_duration

if TYPE_CHECKING:
    from influxpy.backends.base import Backend, SchemaEditor
    from influxpy.query import Query
    from influxpy.queryset import QuerySet

__all__ = ["ContinuousQuery"]


class ContinuousQuery:
    """A continuous query: an ``into()`` QuerySet the server runs on a schedule.

    Build one from a QuerySet with ``qs.into(Target).continuous_query(name,
    resample_every=..., resample_for=...)`` or, as in the original
    influxpy, ``ContinuousQuery(queryset, name, source, resample_every,
    resample_for)``, where *source* is the database the query runs on (the
    QuerySet's by default). Building one sends nothing: ``create()``,
    ``replace()`` (drop, then create) and ``drop()`` do. ``str(cq)`` is the
    ``CREATE CONTINUOUS QUERY`` statement.

    The query needs ``into()`` and ``resolution()``; ``into()`` keeps the
    tags (``GROUP BY *``) unless ``group_by()`` names them.
    """

    def __init__(
        self,
        queryset: QuerySet[Any],
        name: str,
        source: str | None = None,
        resample_every: Duration | dt.timedelta | None = None,
        resample_for: Duration | dt.timedelta | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            msg = f"A continuous query needs a non-empty name; got {name!r}."
            raise ValueError(msg)
        query = queryset.query
        if query.into is None:
            msg = (
                f"The continuous query {name!r} writes its results somewhere: "
                "call into(Target) on the QuerySet first."
            )
            raise ValueError(msg)
        if query.group_by_time is None:
            msg = (
                f"The continuous query {name!r} needs time windows: add "
                ".resolution(...) (and a function such as Mean) to the QuerySet."
            )
            raise ValueError(msg)
        query.check()
        self.queryset = queryset
        self.name = name
        self.source = source
        self.resample_every = (
            None
            if resample_every is None
            else as_duration(resample_every, "resample_every")
        )
        self.resample_for = (
            None if resample_for is None else as_duration(resample_for, "resample_for")
        )

    def __repr__(self) -> str:
        return f"<ContinuousQuery {self.name!r}: {self}>"

    def __str__(self) -> str:
        from influxpy.compilers.influxql import InfluxQLCompiler

        text: str = self._compile(InfluxQLCompiler(), self._database_name()).text
        return text

    def iql_query(self) -> str:
        """Return the ``CREATE CONTINUOUS QUERY`` statement (the seed's name)."""
        return str(self)

    @property
    def query(self) -> Query:
        """The SELECT … INTO the server runs."""
        return self.queryset.query

    def _database_name(self, backend: Backend | None = None) -> str:
        if self.source:
            return self.source
        backend = backend or self.queryset._backend()
        return self.queryset._database(backend)

    def _compile(self, compiler: Any, database: str) -> Any:
        return compiler.create_continuous_query(
            database,
            self.name,
            self.query,
            resample_every=self.resample_every,
            resample_for=self.resample_for,
        )

    def _editor(self) -> tuple[SchemaEditor, str]:
        backend = self.queryset._backend()
        return backend.schema_editor(), self._database_name(backend)

    def create(self) -> None:
        """Create the continuous query on the server.

        Creating the same definition again changes nothing; a different
        query of that name raises ``ProgrammingError`` (use ``replace()``).
        The embedded engine stores it and its connection's scheduler runs it
        (``run_continuous_queries()`` runs it on demand).
        """
        editor, database = self._editor()
        editor.create_continuous_query(self, database)

    def drop(self) -> None:
        """Drop the continuous query (nothing happens if it does not exist)."""
        editor, database = self._editor()
        editor.drop_continuous_query(self.name, database)

    def replace(self) -> None:
        """Drop the continuous query if it exists, then create it anew."""
        self.drop()
        self.create()

    def save(self, force: bool = False) -> None:
        """Create the query; with *force*, replace one of the same name (seed)."""
        if force:
            self.replace()
        else:
            self.create()

    def exists(self) -> bool:
        """Return whether a continuous query of this name exists."""
        backend = self.queryset._backend()
        database = self._database_name(backend)
        found = backend.introspection(database).continuous_queries()
        return any(cq.name == self.name for cq in found)
