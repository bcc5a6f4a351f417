"""The time range each level of a subquery reads.

influxd hands a subquery the options of the query reading it
(``newIteratorOptionsSubstatement``): the time ranges intersect, and a
level without windows of its own takes those of the level above, so the
statement's range and windows reach every level, however deep. Each call
that reads the window before (DERIVATIVE, DIFFERENCE, MOVING_AVERAGE,
ELAPSED) moves the start of what it reads back one window (``select.go``),
and every iterator is clipped to the range the statement maps its shards
for (``LocalShardMapping``: its own range moved back by its extra
intervals, ``compile.go``). ``SubqueryRangesMixin`` computes the limits a
level imposes on the subquery it reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.compilers.duckdb.context import (
    _Bounds,
    _CompilerBase,
    innermost_transform,
    intersect,
)
from influxpy.query import GroupByTime, Query, SelectItem

__all__ = ["SubqueryRangesMixin"]


class SubqueryRangesMixin(_CompilerBase):
    """The time range a query imposes on the subquery it reads."""

    def _inner_limits(
        self,
        outer: Query,
        inner: Query,
        inherited: _Bounds | None,
        outer_gbt: GroupByTime | None,
    ) -> _Bounds:
        """The range *inner* reads under *outer*: *outer*'s own range inside
        the one *inherited* from the query reading it (or, for the
        statement's own query, the start of the mapped range), ending
        ``now()`` under windows, moved back as far as *outer*'s calls and
        a raw transformation in *inner* read before it (*outer_gbt*: the
        windows *outer* reads with, its own or taken from above)."""
        limits = self._bounds(outer.where)
        if inherited is None:
            self._mapped = self._mapped_range(outer)
        else:
            limits = intersect(limits, inherited)
        if outer_gbt is not None and limits.upper is None:
            limits.upper = self.now_ns
        back = self._levels_back(outer, outer_gbt)
        steps = self._raw_look_back(inner.select)
        if outer_gbt is not None and steps:
            # Under outer windows an inner DIFFERENCE or DERIVATIVE of raw
            # points moves its start back one more window (each level of
            # ``difference(difference(v))`` one), as far as the shards the
            # outer statement maps reach (its extra intervals). The inner
            # WHERE's own time range is only where it starts: it moves back
            # too.
            self._read_back(outer, inner, limits, outer_gbt, steps)
            back = 0
        if back and outer_gbt is not None:
            # The outer transformations read windows before the range, and
            # so does the subquery they read, within the mapped range.
            reach = back * self._interval_of(outer_gbt)[0]
            mapped = self._mapped
            if outer.descending:
                limits.upper = (limits.upper or 0) + reach
                if mapped.upper is not None:
                    limits.upper = min(limits.upper, mapped.upper)
            elif limits.lower is not None:
                limits.lower -= reach
                if mapped.lower is not None:
                    limits.lower = max(limits.lower, mapped.lower)
        # The statement's GROUP BY tags reach every level under it.
        if inherited is not None:
            limits.dimensions = inherited.dimensions
        elif "*" not in outer.group_by:
            limits.dimensions = tuple(sorted(set(outer.group_by)))
        return limits

    def _raw_transforms(self, items: Sequence[SelectItem]) -> bool:
        """Whether every call of *items* transforms raw points
        (``difference(v)``): they keep reading points under outer windows."""
        transforms = self._TRANSFORMS | self._TECHNICAL
        # ``difference(difference(v))`` transforms raw points too.
        calls = [
            innermost_transform(c, transforms)
            for item in items
            for c in self._calls_of(item.expression)
        ]
        return bool(calls) and all(
            c.name.lower() in transforms
            and c.source is not None
            and not self._has_call(c.source)
            for c in calls
        )

    def _read_back(
        self,
        outer: Query,
        inner: Query,
        limits: _Bounds,
        windows: GroupByTime,
        steps: int = 1,
    ) -> None:
        """Move *limits* to where an inner raw DIFFERENCE, DERIVATIVE,
        MOVING_AVERAGE or ELAPSED under the windows of *outer* starts
        reading (``select.go``): the outer transformations move the outer
        start back a window each, the subquery starts at the later of that
        and its own start, and the inner call moves it back one window more
        for each of its *steps* (levels of such calls in its chain);
        but no further than the range the statement maps
        (``_mapped_range``). The limits then replace the inner query's own
        start and end (``_Bounds.read_back``)."""
        interval = self._interval_of(windows)[0]
        levels = self._levels_back(outer, windows)
        mapped = self._mapped
        moved = _Bounds(limits.lower, limits.upper)
        if outer.descending and moved.upper is not None:
            moved.upper += levels * interval
        elif not outer.descending and moved.lower is not None:
            moved.lower -= levels * interval
        both = intersect(self._bounds(inner.where), moved)
        if outer.descending and both.upper is not None:
            high = both.upper + steps * interval
            if mapped.upper is not None:
                high = min(high, mapped.upper)
            both.upper = high
        elif not outer.descending and both.lower is not None:
            low = both.lower - steps * interval
            if mapped.lower is not None:
                low = max(low, mapped.lower)
            both.lower = low
        limits.lower, limits.upper = both.lower, both.upper
        limits.read_back = True

    def _levels_back(self, outer: Query, windows: GroupByTime | None) -> int:
        """How many windows before its start *outer*'s calls read under
        *windows* (its own or those it takes from the query above): one per
        DERIVATIVE, DIFFERENCE, MOVING_AVERAGE or ELAPSED of a chain over
        an aggregate (``select.go`` moves the start back for each), the
        largest of its calls. The range the statement maps bounds them
        (``_mapped_range``). Such a call of raw rows has moved *outer*'s
        own start already (``_read_back``)."""
        if windows is None:
            return 0
        return max(
            (self._query_look_back(outer, f, grid=True) for f in outer.functions),
            default=0,
        )

    def _mapped_range(self, top: Query) -> _Bounds:
        """The time range of the shards statement *top* maps, which every
        iterator under it is clipped to (``LocalShardMapping``): its own
        range (ending ``now()`` with windows), moved back by its extra
        intervals (``compile.go``; CUMULATIVE_SUM counts, a plain aggregate
        or a raw SELECT has none), forward when descending. A subquery of a
        subquery cannot read before it, whatever its own transformations
        would reach."""
        mapped = self._bounds(top.where)
        if top.group_by_time is None:
            return mapped
        if mapped.upper is None:
            mapped.upper = self.now_ns
        reach = self._interval_of(top.group_by_time)[0] * self._extra_intervals(top)
        if top.descending:
            mapped.upper += reach
        elif mapped.lower is not None:
            mapped.lower -= reach
        return mapped

    def _raw_look_back(self, items: Sequence[SelectItem]) -> int:
        """How many levels of a call that reads the point before
        (``difference(v)``, not ``cumulative_sum(v)``) the chains of *items*
        hold where they transform raw points: ``difference(difference(v))``
        two, ``cumulative_sum(difference(v))`` one; the most of any."""
        if not self._raw_transforms(items):
            return 0
        return max(
            self._chain_look_back(call)[0]
            for item in items
            for call in self._calls_of(item.expression)
        )
