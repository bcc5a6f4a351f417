"""The QuerySet methods that change or read the schema.

Dropping a measurement or series, creating what the model declares,
continuous queries, and reading downsampled measurements.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from influxpy.durations import Duration
from influxpy.exceptions import FieldError
from influxpy.models import ModelT
from influxpy.query import Source
from influxpy.queryset._base import QuerySetBase

if TYPE_CHECKING:
    from typing import Self

    from influxpy.queryset import QuerySet
    from influxpy.queryset._continuous import ContinuousQuery

__all__ = ["SchemaMixin"]


class SchemaMixin(QuerySetBase[ModelT]):
    """Drops, ``ensure_schema()``, continuous queries and downsampling."""

    def drop(self) -> None:
        """Drop the whole measurement, in every retention policy.

        ``DROP MEASUREMENT``: every point and every series goes. Call it on
        ``Model.series`` itself; ``delete()`` and ``drop_series()`` remove
        only the points or series a filter matches.
        """
        state = self._state
        query = state.query
        if (
            query.where is not None
            or query.select
            or query.group_by
            or query.group_by_time
            or query.into
            or state.sliced
            or not isinstance(query.source, Source)
        ):
            msg = (
                "drop() removes the whole measurement, so it takes no filters: "
                "call it on Model.series, or use delete() or drop_series() to "
                "remove what a filter matches."
            )
            raise TypeError(msg)
        if state.empty:
            return
        backend = self._backend()
        backend.schema_editor().drop_measurement(
            query.source.measurement, self._database(backend)
        )

    def drop_series(self) -> None:
        """Drop the series whose tags match the filters (``DROP SERIES``).

        Filters may test tags only; without any, every series of the
        measurement goes. Series are dropped in every retention policy. Use
        ``delete()`` to remove a time range.
        """
        state = self._state
        query = state.query
        if (
            query.select
            or query.group_by
            or query.group_by_time
            or query.into
            or state.sliced
            or not isinstance(query.source, Source)
        ):
            msg = (
                "drop_series() drops the series a filter matches; call it on a "
                "QuerySet without annotate(), group_by(), resolution(), into() "
                "or slicing."
            )
            raise TypeError(msg)
        if query.where is not None:
            for lookup in query.where.walk():
                if lookup.lhs.role != "tag":
                    name = lookup.lhs.attname or lookup.lhs.key
                    what = (
                        "time" if lookup.lhs.role == "time" else f"the field {name!r}"
                    )
                    msg = (
                        f"drop_series() can filter on tags only; InfluxDB's DROP "
                        f"SERIES cannot test {what}. Use delete() for time ranges."
                    )
                    raise FieldError(msg, field=name)
        if state.empty:
            return
        backend = self._backend()
        backend.schema_editor().drop_series(
            query.source, query.where, self._database(backend)
        )

    def ensure_schema(self) -> list[str]:
        """Create the model's database and declared retention policies.

        Missing ones are created and changed policies altered; running it
        again changes nothing. Returns one sentence per change made.
        """
        from influxpy.schema import ensure_schema

        return ensure_schema(
            [self.model], using=self._state.alias, database=self._state.database
        )

    def continuous_query(
        self,
        name: str,
        *,
        resample_every: Duration | dt.timedelta | None = None,
        resample_for: Duration | dt.timedelta | None = None,
        database: str | None = None,
    ) -> ContinuousQuery:
        """Return a continuous query that runs this ``into()`` QuerySet.

        Nothing is sent: call ``create()``, ``replace()`` or ``drop()`` on
        the result. The QuerySet needs ``into()`` and ``resolution()``.
        """
        from influxpy.queryset._continuous import ContinuousQuery

        # Only a QuerySet has this method: ``self`` is one.
        queryset = cast("QuerySet[Any]", self)
        return ContinuousQuery(queryset, name, database, resample_every, resample_for)

    def use_downsampled(self) -> Self:
        """Return a new QuerySet that reads a downsampled measurement if one fits.

        ``Meta.aggregated_measurements`` maps windows to downsampled
        measurements. The coarsest one whose window divides the requested
        ``resolution()`` (and its offset) exactly is read; otherwise, or
        without a resolution, the raw measurement is.
        """
        return self._chain(downsampled=True)
