"""A raw SELECT on the embedded engine, run in slices of its output order.

A raw query's rows come out ordered by series (group tag values), then by
time. Sorting all of them at once takes memory in proportion to the rows,
so a long ``iterator()`` or export would hold the whole result inside
DuckDB before its first chunk. Instead the backend cuts the output order
into consecutive slices of a bounded number of rows and runs the same
statement once per slice, restricted to it; each slice is sorted alone and
the slices, read one after another, give exactly the rows of the whole
statement in the same order.

A slice is either a run of whole series (a range of group tag values), or,
for one series larger than a slice, a range of its times. Times are never
split inside one instant, so rows at the same time keep their tie order.
With LIMIT/OFFSET, which count per series, a series is never split.

This module writes the SQL of the plan (per-series counts, a histogram of
one series' times, and the statement restricted to a slice); the backend
runs it (``influxpy.backends.duckdb.stream``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from influxpy.compilers.duckdb.aliases import TIE, _own, group_column
from influxpy.compilers.duckdb.catalog import go_shard_start

__all__ = ["REFERENCE_WIDTH", "Finish", "Slice", "StreamPlan", "row_width"]

#: Histogram buckets per slice a large series is expected to fill.
_BUCKETS_PER_SLICE = 16
#: At most this many histogram buckets for one series.
_MAX_BUCKETS = 65_536
#: The width (``row_width()``) of a row of two tags, a time and three
#: numbers, for which a slice holds ``rows`` rows exactly.
REFERENCE_WIDTH = 6


def row_width(groups: int, tie: bool, kinds: Sequence[str | None]) -> int:
    """How much one row weighs in DuckDB's sort, in units of a stored column.

    Group tags (short strings DuckDB packs into integers), the time and
    numbers count one; a computed string (a tag's value as a column, the
    tie-breaking series key, a string field) counts three.
    """
    strings = sum(kind == "string" for kind in kinds)
    return groups + 1 + len(kinds) + 2 * strings + (3 if tie else 0)


@dataclasses.dataclass(frozen=True)
class Finish:
    """The outer part of a SELECT: outputs, series filter, QUALIFY, ORDER BY."""

    outputs: str
    where: str
    qualify: str
    terms: str

    def sql(self, body: str) -> str:
        """The whole statement over the rows of *body*."""
        return (
            f"SELECT {self.outputs} FROM ({body}) AS r{self.where}{self.qualify} "
            f"ORDER BY {self.terms}"
        )


@dataclasses.dataclass(frozen=True)
class Slice:
    """A stretch of the output order.

    ``first`` and ``last`` are the group tag values of its first and last
    series in output order; with ``low``/``high`` (inclusive times) it is
    that range of times of one series (``first == last``).
    """

    first: tuple[str, ...]
    last: tuple[str, ...]
    low: int | None = None
    high: int | None = None


@dataclasses.dataclass(frozen=True)
class StreamPlan:
    """What the backend needs to run one raw SELECT slice by slice."""

    finish: Finish
    #: The rows before ordering: group columns, ``time``, ``TIE``, output
    #: columns (``aliases``).
    body: str
    #: The table the rows come from (its row count bounds theirs).
    table: str
    #: How many group columns (``group_column()``) the rows have.
    groups: int
    descending: bool
    #: LIMIT/OFFSET count per series, so a series is never split in time.
    whole_series: bool
    #: ``row_width()`` of its rows.
    width: int = REFERENCE_WIDTH
    #: For a heap whose keys are times alone: rows of the group columns,
    #: ``time`` and the series' tags (the same rows as *body*), the SQL of
    #: the series key over those tags, and the tags' SQL.
    series: tuple[str, str, tuple[str, ...]] | None = None
    #: For a heap whose rows stop at the LIMIT's bound (``HeapOrder.cut``):
    #: the rows of *body* without the bound, which its own statements (each
    #: series' first and last points, the shard groups replayed, the
    #: LIMIT's last time) read.
    heap_body: str | None = None

    def slice_rows(self, rows: int) -> int:
        """Rows per slice, for slices of *rows* rows of the reference width."""
        return max(1, rows * REFERENCE_WIDTH // self.width)

    @property
    def _heap_body(self) -> str:
        return self.body if self.heap_body is None else self.heap_body

    @property
    def _g(self) -> list[str]:
        return [group_column(i) for i in range(self.groups)]

    def count_sql(self) -> str:
        """The number of rows stored in the table (a bound on the result's)."""
        return f"SELECT count(*) FROM {self.table}"

    def slices_sql(
        self, rows: int, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """The slices of about *rows* rows, in output order.

        Each row of the answer is ``(n, low, high, single, first g…, last
        g…)``: the rows of a run of series, their time range, and whether it
        is one series larger than half a slice (which may be cut in time).
        Series smaller than that are packed by where they start in the
        running count of rows, so a slice holds at most about 1.5 slices
        of rows and the answer has about one row per slice.
        """
        g = self._g
        direction = "DESC" if self.descending else "ASC"
        counts = (
            f"SELECT {', '.join([*g, ''])}count(*) AS n, min(time) AS lo, "
            f"max(time) AS hi FROM ({self.body}) AS r{self.finish.where}"
        )
        if not g:
            text = f"SELECT n, lo, hi, n * 2 > {rows} FROM ({counts}) WHERE n > 0"
            return text, _bind(text, {}, params)
        counts += f" GROUP BY {', '.join(g)}"
        order = ", ".join(f"{c} {direction}" for c in g)
        running = f"OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING)"
        big = f"n * 2 > {rows}"
        numbered = (
            f"SELECT *, sum(n) {running} - n AS start, "
            f"count(*) FILTER (WHERE {big}) {running} AS bigs, "
            f"row_number() {running} AS k FROM ({counts})"
        )
        # A large series is a slice of its own; the others are grouped by
        # the large series before them and by where they start.
        slice_id = (
            f"CASE WHEN {big} THEN k ELSE 0 END, bigs, "
            f"CASE WHEN {big} THEN 0 ELSE start // {rows} END"
        )
        firsts = ", ".join(f"arg_min({c}, k)" for c in g)
        lasts = ", ".join(f"arg_max({c}, k)" for c in g)
        text = (
            f"SELECT sum(n), min(lo), max(hi), bool_or({big}), {firsts}, {lasts} "
            f"FROM ({numbered}) GROUP BY {slice_id} ORDER BY min(k)"
        )
        return text, _bind(text, {}, params)

    def firsts_sql(
        self,
        shard_ns: int,
        listed: bool,
        params: Mapping[str, Any],
        until: int | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Each series' first and last time in output order within each
        shard group of *shard_ns* ns (``go_shard_start``): rows ``(g…,
        shard group start, series key, first, last, TIE)``. *listed*:
        ``TIE`` is a list of text values ending with the series key, and
        the row's is that of the series' first point (None otherwise: the
        times alone are the heap's keys). With *until*, only the shard
        groups read before it (that start before it; descending, that end
        after it): a time DuckDB compares inside the table's scan."""
        g = self._g
        start = go_shard_start("time", shard_ns)
        first, last = ("max", "min") if self.descending else ("min", "max")
        series = f"{TIE}[-1]" if listed else TIE
        tie = f"arg_{first}({TIE}, time)" if listed else "NULL"
        keys = ", ".join([*g, "shard", "series_key"])
        body = self._heap_body
        grouped = self.series is not None and not listed and not self.finish.where
        if grouped:
            assert self.series is not None
            body, key, tags = self.series
        if until is not None:
            op = ">=" if self.descending else "<"
            body = f"SELECT * FROM ({body}) AS b WHERE time {op} {int(until)}"
        if grouped:
            # Each series' tags grouped first, its key built once per
            # group (44-72 ms for 2,000,000 rows keyed row by row, about
            # 30 ms so); then by key, as the rows' TIE groups them. The
            # rows hold tags: the names given here are the engine's own.
            shard, t0, t1, named = (_own(f"influxpy_f{n}") for n in range(4))
            by_tags = ", ".join([*g, shard, *tags])
            per_tags = (
                f"SELECT {by_tags}, {first}(time) AS {t0}, {last}(time) AS {t1} "
                f"FROM (SELECT *, {start} AS {shard} FROM ({body}) AS r) "
                f"GROUP BY {by_tags}"
            )
            by_key = ", ".join([*g, shard, named])
            text = (
                f"SELECT {by_key}, {first}({t0}), {last}({t1}), NULL FROM "
                f"(SELECT *, {key} AS {named} FROM ({per_tags})) GROUP BY {by_key}"
            )
            return text, _bind(text, {}, params)
        text = (
            f"SELECT {keys}, {first}(time), {last}(time), {tie} FROM "
            f"(SELECT *, {start} AS shard, {series} AS series_key "
            f"FROM ({body}) AS r{self.finish.where}) GROUP BY {keys}"
        )
        return text, _bind(text, {}, params)

    def replayed_sql(
        self, shard_ns: int, params: Mapping[str, Any], until: int | None = None
    ) -> tuple[str, dict[str, Any]]:
        """The shard groups of each group (rows ``(g…, shard group
        start)``) whose heap must be replayed, for a ``TIE`` listing text
        values before the series key: those holding two rows at one time
        whose texts do not order them (equal texts, or a missing one, which
        ends influxd's comparison). Elsewhere the rows' order by time and
        texts is the heap's. *until* as for ``firsts_sql``."""
        g = self._g
        start = go_shard_start("time", shard_ns)
        body = self._heap_body
        if until is not None:
            op = ">=" if self.descending else "<"
            body = f"SELECT * FROM ({body}) AS b WHERE time {op} {int(until)}"
        texts = f"array_pop_back({TIE})"
        keys = ", ".join([*g, "shard"])
        missing = f"len(list_filter({texts}, lambda t: t IS NULL)) > 0"
        text = (
            f"SELECT DISTINCT {keys} FROM (SELECT *, {start} AS shard "
            f"FROM ({body}) AS r{self.finish.where}) GROUP BY {keys}, time "
            f"HAVING count(*) > 1 AND (count(DISTINCT {texts}) < count(*) "
            f"OR bool_or({missing}))"
        )
        return text, _bind(text, {}, params)

    def nth_time_sql(
        self, n: int, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """The latest of each group's *n*-th time in output order (its last
        time when it has fewer rows): one row, null without rows. The first
        *n* rows of every group lie at or before it in output order."""
        g = self._g
        pick, overall = ("max", "min") if self.descending else ("min", "max")
        nth = f"list_last({pick}(time, {int(n)}))"
        grouped = f" GROUP BY {', '.join(g)}" if g else ""
        text = (
            f"SELECT {overall}(t) FROM (SELECT {nth} AS t FROM "
            f"({self._heap_body}) AS r{self.finish.where}{grouped})"
        )
        return text, _bind(text, {}, params)

    def histogram_sql(
        self,
        key: Sequence[str],
        low: int,
        width: int,
        params: Mapping[str, Any],
        high: int | None = None,
        *,
        within: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """Rows of the series *key* per bucket of *width* ns from *low*
        (its first time; *high*, its last, when known), with the first and
        last time in each: rows ``(bucket, count, first, last)``; *within*:
        only its rows from *low* to *high*."""
        # A series' times less its first fit a BIGINT unless it spans more
        # than 292 years (times near both ends of the range): HUGEINT
        # arithmetic then, six times slower over 2,000,000 rows.
        fits = high is not None and int(high) - int(low) < 2**63
        time = "time" if fits else "CAST(time AS HUGEINT)"
        bucket = f"({time} - {int(low)}) // {int(width)}"
        where = self._equal()
        if within and high is not None:
            where += f" AND time BETWEEN {int(low)} AND {int(high)}"
        text = (
            f"SELECT CAST({bucket} AS BIGINT) AS bucket, count(*), min(time), "
            "max(time) FROM "
            f"(SELECT * FROM ({self.body}) AS b WHERE {where}) AS r"
            f"{self.finish.where} GROUP BY bucket ORDER BY bucket"
        )
        return text, _bind(text, self._key_params(key), params)

    @staticmethod
    def buckets(n: int, rows: int) -> int:
        """How many histogram buckets to cut a series of *n* rows by."""
        wanted = -(-n // rows) * _BUCKETS_PER_SLICE
        return max(_BUCKETS_PER_SLICE, min(_MAX_BUCKETS, wanted))

    def slice_sql(
        self, part: Slice, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """The statement restricted to *part*, and its parameters."""
        values: dict[str, Any] = {}
        if part.first == part.last:
            conditions = [self._equal()]
            values.update(self._key_params(part.first))
        else:
            low, high = part.first, part.last
            if self.descending:
                low, high = high, low
            values.update((f"s_lo{i}", v) for i, v in enumerate(low))
            values.update((f"s_hi{i}", v) for i, v in enumerate(high))
            conditions = self._between(low, high)
        if part.low is not None:
            conditions.append(f"time >= {int(part.low)}")
        if part.high is not None:
            conditions.append(f"time <= {int(part.high)}")
        body = f"SELECT * FROM ({self.body}) AS b WHERE {' AND '.join(conditions)}"
        text = self.finish.sql(body)
        return text, _bind(text, values, params)

    def _equal(self) -> str:
        equal = [f"{group_column(i)} = $s_e{i}" for i in range(self.groups)]
        return " AND ".join(equal) or "TRUE"

    @staticmethod
    def _key_params(key: Sequence[str]) -> dict[str, Any]:
        return {f"s_e{i}": value for i, value in enumerate(key)}

    def _between(self, low: tuple[str, ...], high: tuple[str, ...]) -> list[str]:
        """``low <= (grp_0, grp_1…) <= high`` (``$s_lo…``, ``$s_hi…``): equal
        leading columns and the first that differs as plain comparisons DuckDB checks
        while it scans, the columns after it only where it is at a bound."""
        conditions = []
        for i, (a, b) in enumerate(zip(low, high, strict=True)):
            column = group_column(i)
            if a != b:
                conditions.append(f"{column} BETWEEN $s_lo{i} AND $s_hi{i}")
                if i + 1 < self.groups:
                    above = _lexical(i + 1, self.groups, "lo", ">")
                    below = _lexical(i + 1, self.groups, "hi", "<")
                    conditions.append(f"({column} != $s_lo{i} OR {above})")
                    conditions.append(f"({column} != $s_hi{i} OR {below})")
                break
            conditions.append(f"{column} = $s_lo{i}")
        return conditions


def _lexical(first: int, count: int, bound: str, op: str) -> str:
    """``(grp_<first>…) <op>= ($s_<bound><first>…)`` compared column by column."""
    column, value = group_column(first), f"$s_{bound}{first}"
    if first + 1 == count:
        return f"{column} {op}= {value}"
    rest = _lexical(first + 1, count, bound, op)
    return f"({column} {op} {value} OR ({column} = {value} AND {rest}))"


def _bind(
    text: str, values: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameters *text* names, from *values* and the statement's *params*."""
    used = set(re.findall(r"\$(p\d+|s_[a-z]+\d+)\b", text))
    return {k: v for k, v in {**params, **values}.items() if k in used}
