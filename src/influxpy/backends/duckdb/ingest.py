"""Storing one batch on the embedded engine: field types, tag codes, merge.

``refuse_conflicts`` drops the points the field-type checks of the write
refused (``write_checks``), as InfluxDB 1.6.7 drops them, and describes
them for the ``FieldTypeConflictError`` raised after the others are
stored. ``drop_groups`` takes a write's points in some shard groups out of
a batch: those InfluxDB refuses whole. ``merge``
stores a batch, merging a point with the same tag set and time into the
stored one. ``tag_codes`` gives each tag value its integer code from the
shared dictionary. Each runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from influxpy.backends.duckdb.batches import MIXED, pyarrow, untyped
from influxpy.backends.duckdb.catalog import ident
from influxpy.compilers.duckdb.catalog import (
    GO_ZERO_NS,
    TAG_CODES,
    ColumnInfo,
    code_column,
)
from influxpy.exceptions import FieldTypeConflictError

if TYPE_CHECKING:
    from influxpy.backends.duckdb.batches import Batch
    from influxpy.backends.duckdb.catalog_change import CatalogChange
    from influxpy.backends.duckdb.write_checks import Decision

__all__ = [
    "Rejection",
    "conflict_error",
    "created_group_error",
    "drop_groups",
    "group_starts",
    "merge",
    "refuse_conflicts",
    "tag_codes",
]

#: InfluxDB's answer to a write whose points in a shard group it creates
#: give a field two types (HTTP 400, every point of the write there refused).
CREATED_GROUP_CONFLICT = "field type conflict"
#: Why, in the errors' messages.
CREATED_GROUP_WHY = (
    "the points of the write in a shard group gave a field two types where the "
    "write created the group, or two fields not stored yet two types each, so "
    "InfluxDB refuses every point of the write in that group"
)
#: Tag values whose codes a connection remembers before it starts afresh.
TAG_CODE_CACHE = 1_000_000


@dataclass
class Rejection:
    """Points of one batch refused for a field type conflict."""

    total: int
    lines: list[str]
    reasons: list[str]
    #: The reason for a field the batch brings and gives two types, which
    #: InfluxDB names before any other drop (None when there is none).
    fresh: str | None = None
    #: The reason of each refused point, as ``lines``: its first field of
    #: another type.
    line_reasons: list[str] = field(default_factory=list)
    #: The count InfluxDB answers (``dropped=``) when its storage checked
    #: the write twice (see ``type_conflicts``); None: every refused point.
    reported: int | None = None

    @property
    def first(self) -> str:
        """The reason InfluxDB names for these drops: a conflict among the
        values of a field the batch brings, else the first point's."""
        if self.fresh is not None:
            return self.fresh
        return self.line_reasons[0] if self.line_reasons else self.reasons[0]


def refuse_conflicts(batch: Batch, decision: Decision | None) -> Rejection | None:
    """Drop the points *decision* refuses for a field type conflict
    (``write_checks.check_write``); describe them.

    The fields then take their types after the write: the stored ones, or
    those the write gives them.
    """
    if decision is None:
        return None
    batch.materialize()
    refused = [row for row, kept in enumerate(decision.keep) if not kept]
    if not refused:
        _resolve_kinds(batch)
        return None
    lines = batch.row_lines(refused)
    line_reasons = [decision.reasons[row] for row in refused]
    total = batch.count
    batch.drop_rows(decision.keep)
    _resolve_kinds(batch)
    return Rejection(total, lines, line_reasons, decision.fresh, line_reasons)


def _resolve_kinds(batch: Batch) -> None:
    """Give each field column of *batch* its one type (the points kept have
    one per field); a field only refused points had is not written at all."""
    fields = {}
    for key, (kind, values) in batch.fields.items():
        if any(v is not None for v in values):
            fields[key] = untyped(values) if kind == MIXED else (kind, values)
    batch.fields = fields


def group_starts(times: Any, shard_ns: int) -> Any:
    """The start of the shard group of each time (a numpy int64 array).

    As ``shard_group_bounds`` computes it, without leaving int64.
    """
    import numpy as np

    t = np.asarray(times, dtype=np.int64)
    shift = GO_ZERO_NS % shard_ns
    return t - ((t % shard_ns) + shift) % shard_ns


def drop_groups(batch: Batch, starts: set[int], shard_ns: int) -> list[str]:
    """Take the points in the groups starting at *starts* out of *batch*.

    Return them as line-protocol lines, as they were given. A field only
    the refused points had is not written; one whose kept values all have
    one type takes it.
    """
    if not batch.count:
        return []
    at = group_starts(batch.times, shard_ns).tolist()
    keep = [start not in starts for start in at]
    if all(keep):
        return []
    lines = batch.row_lines([i for i, k in enumerate(keep) if not k])
    batch.drop_rows(keep)
    fields = {}
    for key, (kind, values) in batch.fields.items():
        if any(v is not None for v in values):
            fields[key] = untyped(values) if kind == MIXED else (kind, values)
    batch.fields = fields
    return lines


def conflict_error(rejection: Rejection, written: int = 0) -> FieldTypeConflictError:
    """The error for a batch whose refused points are *rejection*'s.

    *written* counts the points earlier batches of the same call stored.
    """
    dropped = len(rejection.lines)
    answered = dropped if rejection.reported is None else rejection.reported
    reason = f"partial write: {rejection.first} dropped={answered}"
    kept = (
        "the other points were written"
        if dropped < rejection.total
        else "no point was written"
    )
    done = f" {written} points of earlier batches were written." if written else ""
    msg = (
        f"The embedded engine rejected {dropped} of {rejection.total} points "
        f"because of a field type conflict ({kept}): {reason}.{done}"
    )
    return FieldTypeConflictError(
        msg, lines=rejection.lines, dropped=dropped, reason=reason, written=written
    )


def tag_codes(
    con: Any, cache: dict[str, int], change: CatalogChange, tags: dict[str, Any]
) -> dict[str, Any]:
    """The code of each value of the Arrow *tags* columns, as Arrow columns.

    Values seen for the first time get the next codes, recorded in
    *change* (the caller adds them to *cache* once committed).
    """
    if not tags:
        return {}
    pa = pyarrow()
    import pyarrow.compute as pc

    encoded = {
        key: pc.dictionary_encode(
            values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        )
        for key, values in tags.items()
    }
    seen = pc.unique(pa.concat_arrays([e.dictionary for e in encoded.values()]))
    given = change.codes
    if not all(v in cache or v in given for v in seen.to_pylist()):
        con.register("influxpy_values", pa.table({"value": seen}))
        try:
            con.execute(
                f"INSERT INTO {TAG_CODES} SELECT (SELECT max(code) FROM "
                f"{TAG_CODES}) + row_number() OVER (ORDER BY n.value), n.value "
                f"FROM influxpy_values AS n "
                f"ANTI JOIN {TAG_CODES} AS c ON n.value = c.value"
            )
            known = con.execute(
                f"SELECT c.value, c.code FROM {TAG_CODES} AS c "
                f"SEMI JOIN influxpy_values AS n ON c.value = n.value"
            ).fetchall()
        finally:
            con.unregister("influxpy_values")
        given.update(known)
    out = {}
    for key, values in encoded.items():
        codes = pa.array(
            [
                given[v] if v in given else cache[v]
                for v in values.dictionary.to_pylist()
            ],
            pa.int32(),
        )
        out[key] = pc.take(codes, values.indices)
    return out


def _arrow_column(pa: Any, values: Any, kind: Any) -> Any:
    """A batch column as an Arrow array of *kind*."""
    if isinstance(values, list):
        return pa.array(values, kind)
    if isinstance(values, pa.Array):
        return values if values.type == kind else values.cast(kind)
    return pa.array(values, kind)


def merge(
    con: Any,
    target: str,
    batch: Batch,
    columns: Mapping[str, ColumnInfo],
    codes: Any,
    *,
    empty: bool = False,
) -> None:
    """Store *batch* into the table *target*; same tags and time merge fields.

    *codes* turns the Arrow columns of coded tags into their codes. *empty*:
    the table holds no point yet (made by this transaction), so nothing is
    merged with stored points.
    """
    pa = pyarrow()
    arrays: dict[str, Any] = {"time": pa.array(batch.times, pa.int64())}
    arrow_types = {
        "float": pa.float64(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "string": pa.string(),
    }
    for key, values in batch.tags.items():
        arrays[key] = _arrow_column(pa, values, pa.string())
    # A field whose key is also a tag is stored in a column of its own.
    stored = {c.key: k for k, c in columns.items() if c.role == "field"}
    for key, (kind, values) in batch.fields.items():
        arrays[stored[key]] = _arrow_column(pa, values, arrow_types[kind])
    tag_keys = [k for k, c in columns.items() if c.role == "tag"]
    field_keys = [k for k, c in columns.items() if c.role == "field"]
    coded = [k for k in tag_keys if columns[k].coded]
    for key, values in codes({k: arrays[k] for k in coded if k in batch.tags}).items():
        arrays[code_column(key)] = values
    table = pa.table(arrays)
    _merge_table(con, target, batch, table, tag_keys, field_keys, coded, empty)


def _merge_table(
    con: Any,
    target: str,
    batch: Batch,
    table: Any,
    tag_keys: list[str],
    field_keys: list[str],
    coded: list[str],
    empty: bool,
) -> None:
    """Store the Arrow *table* of *batch* (see ``merge``).

    The statements read it as ``influxpy_batch``: DuckDB finds a name no
    table has among the local variables of the function running the
    statement (a replacement scan), which costs none of the catalog
    changes of registering and unregistering a view (about 2 ms a batch).
    """
    influxpy_batch = table  # noqa: F841 (read by the statements below)
    present = set(table.column_names)
    key_cols = ["time", *tag_keys]
    # The tags' codes go along with the tags (0 for an absent tag).
    carried = [code_column(k) for k in coded]
    select_tags = ", ".join(
        [
            *(
                f"{ident(k)}" if k in batch.tags else f"'' AS {ident(k)}"
                for k in tag_keys
            ),
            *(ident(c) if c in present else f"0 AS {ident(c)}" for c in carried),
        ]
    )
    select_fields = ", ".join(
        f"{ident(k)}" if k in present else f"NULL AS {ident(k)}" for k in field_keys
    )
    normalized = ", ".join(p for p in ("time", select_tags, select_fields) if p)
    group = ", ".join(ident(k) for k in ["time", *batch.tags])
    distinct = (
        (batch.count,)
        if batch.distinct
        else con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {group} FROM influxpy_batch)"
        ).fetchone()
    )
    expected = distinct[0] if distinct else batch.count
    if expected != batch.count:
        # Duplicate points inside the batch: later values win per field.
        merged = ", ".join(
            f"arg_max({ident(k)}, influxpy_row) FILTER "
            f"(WHERE {ident(k)} IS NOT NULL) AS {ident(k)}"
            for k in field_keys
        )
        group = ", ".join(ident(k) for k in [*key_cols, *carried])
        source = (
            f"(SELECT {group}, {merged} FROM (SELECT {normalized}, "
            f"row_number() OVER () AS influxpy_row FROM influxpy_batch) "
            f"GROUP BY {group})"
        )
    else:
        source = f"(SELECT {normalized} FROM influxpy_batch)"
    if isinstance(batch.times, list):
        low, high = min(batch.times), max(batch.times)
    else:
        low, high = int(batch.times.min()), int(batch.times.max())
    # Stored in time order: DuckDB adds a small table's values up in the
    # order they are stored, and influxd adds a series' points in time
    # order, so a sum rounds alike (``compilers.duckdb.folds``). A batch
    # already in order (the usual case) is not sorted again.
    in_order = _in_time_order(batch.times) and expected == batch.count
    order = "" if in_order else " ORDER BY b.time"
    join = " AND ".join(f"t.{ident(k)} = b.{ident(k)}" for k in key_cols)
    all_cols = ", ".join(ident(k) for k in (*key_cols, *carried, *field_keys))
    if not empty:
        # Appending (no stored point in the batch's time range): nothing to
        # merge, and no join, whose output DuckDB does not keep in order.
        (stored,) = con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {target} "
            f"WHERE time BETWEEN {low} AND {high} LIMIT 1)"
        ).fetchall()
        empty = not stored[0]
    if empty:
        con.execute(
            f"INSERT INTO {target} ({all_cols}) SELECT {all_cols} FROM {source} b"
            f"{order}"
        )
        return
    # One statement stores the points no stored point shares tags and time
    # with; any others are merged below. Its anti-join loses the batch's
    # order once the table is large (DuckDB then builds on the batch), so
    # the points are ordered again.
    inserted = con.execute(
        f"INSERT INTO {target} ({all_cols}) SELECT {all_cols} FROM {source} b "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.time BETWEEN "
        f"{low} AND {high} AND {join}) ORDER BY b.time"
    ).fetchone()
    if inserted and inserted[0] == expected:
        return
    # The points just inserted meet themselves below and keep their values.
    coalesced = ", ".join(
        f"coalesce(b.{ident(k)}, t.{ident(k)}) AS {ident(k)}" for k in field_keys
    )
    b_keys = ", ".join(f"b.{ident(k)}" for k in [*key_cols, *carried])
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE influxpy_merged AS "
        f"SELECT {b_keys}, {coalesced} FROM {source} b LEFT JOIN "
        f"(SELECT * FROM {target} WHERE time BETWEEN {low} AND {high}) t "
        f"ON {join}"
    )
    con.execute(f"DELETE FROM {target} t USING influxpy_merged b WHERE {join}")
    con.execute(
        f"INSERT INTO {target} ({all_cols}) SELECT {all_cols} FROM influxpy_merged "
        "ORDER BY time"
    )
    con.execute("DROP TABLE influxpy_merged")


def _in_time_order(times: Any) -> bool:
    """Whether *times* (a list or a NumPy array) never go back."""
    if isinstance(times, list):
        return sorted(times) == times  # in C: linear for times in order
    return bool((times[1:] >= times[:-1]).all())


def created_group_error(
    lines: list[str], rejection: Rejection | None, total: int, written: int = 0
) -> FieldTypeConflictError:
    """The error for a batch whose points *lines* were refused whole in
    their shard groups (``write_checks``), and whose points *rejection*
    describes were dropped for a type conflict in other groups.

    *total* counts the batch's points; *written* the points earlier batches
    of the same call stored.
    """
    refused = [*lines, *(rejection.lines if rejection is not None else ())]
    kept = (
        "the other points were written"
        if len(refused) < total
        else "no point was written"
    )
    done = f" {written} points of earlier batches were written." if written else ""
    msg = (
        f"The embedded engine rejected {len(refused)} of {total} points because "
        f"of a field type conflict ({kept}), as InfluxDB answers: "
        f"{CREATED_GROUP_CONFLICT} ({CREATED_GROUP_WHY}).{done}"
    )
    return FieldTypeConflictError(
        msg,
        lines=refused,
        dropped=len(refused),
        reason=CREATED_GROUP_CONFLICT,
        written=written,
    )
