"""Line-protocol bodies on the embedded engine: batches and the server's answers.

``batch_of`` turns the columns ``influxpy.lineprotocol.reader`` read into a
``Batch`` for the Arrow ingest. ``WriteTally`` follows one body through its
batches and, at the end, raises what InfluxDB 1.6.7's ``/write`` answers
(reference §1.8): a ``PartialWriteError`` carrying the server's text as
``reason`` when lines do not parse (``unable to parse '<line>': <why>``,
prefixed ``partial write: ... dropped=0`` when other points were stored),
or, when the storage drops points (a tag or the only field named ``time``,
a field type conflict), ``partial write: <first reason> dropped=<n>`` (a
``FieldTypeConflictError`` for a conflict). ``beyond_retention`` sets aside
the points older than the retention policy keeps, which influxd drops with
``partial write: points beyond retention policy dropped=<n>``. Nothing here
touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from influxpy.backends.duckdb.batches import Batch, check_names
from influxpy.backends.duckdb.ingest import CREATED_GROUP_CONFLICT, CREATED_GROUP_WHY
from influxpy.backends.duckdb.write_checks import Dropped
from influxpy.exceptions import (
    FieldTypeConflictError,
    LineProtocolError,
    PartialWriteError,
)
from influxpy.lineprotocol.reader import Rejected

if TYPE_CHECKING:
    from influxpy.backends.duckdb.ingest import Rejection
    from influxpy.lineprotocol.reader import Columns, ReadResult

__all__ = [
    "WriteOutcome",
    "WriteTally",
    "batch_of",
    "beyond_retention",
    "utf8_body",
]

#: influxd's reason for the points older than the policy keeps.
BEYOND_RETENTION = "points beyond retention policy"


def utf8_body(body: bytes | str) -> bytes | str:
    """Return *body*, refusing text that cannot be UTF-8 (a lone surrogate).

    No client can send such text to a server, so the write is refused
    whole with ``LineProtocolError`` naming the line, and the field, tag or
    name that holds it when the line can be read.
    """
    if isinstance(body, bytes) or body.isascii():
        return body
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as error:
        start = body.rfind("\n", 0, error.start) + 1
        end = body.find("\n", error.start)
        line = body[start : None if end < 0 else end]
        number = body.count("\n", 0, start) + 1
        from influxpy.lineprotocol import parse_line

        try:
            measurement, tags, fields, _ = parse_line(line)
        except LineProtocolError:
            pass
        else:
            check_names(measurement, tags, fields)
        why = "it contains a lone surrogate, which is not valid UTF-8"
        msg = f"Cannot write line {number}: {why} (got {line!r})."
        raise LineProtocolError(msg) from None
    return body


@dataclass(frozen=True)
class WriteOutcome:
    """What a body written whole did.

    ``written`` points were stored, ``lines`` read (points and refused
    lines; blank lines and comments aside), in ``precision``. With
    ``raise_on_refusal=False``, ``rejected`` lists every refused line with
    its line number and reason, and ``error`` is the error that would have
    been raised (None when every point was stored).
    """

    written: int
    lines: int
    precision: str
    rejected: tuple[Rejected, ...] = ()
    error: PartialWriteError | None = None


def dropped_points(dropped: list[Rejected], precision: str | None) -> list[Dropped]:
    """The points the reader dropped (a field or tag named ``time``), for
    the field-type checks, which meet them among the others."""
    import time

    from influxpy.lineprotocol.scanner import (
        LineError,
        precision_multiplier,
        scan_point,
    )

    multiplier = precision_multiplier(precision)
    now = time.time_ns()
    found = []
    for rejected in dropped:
        try:
            _name, _tags, _fields, stamp = scan_point(rejected.line, multiplier, now)
        except LineError:
            continue
        found.append(Dropped(rejected.line_number, stamp))
    return found


def batch_of(columns: Columns) -> Batch:
    """A ``Batch`` of one measurement's columns, for the Arrow ingest."""
    batch = Batch(columns.measurement, columns.count)
    batch.times = columns.times
    batch.tags = dict(columns.tags)
    batch.fields = dict(columns.fields)
    batch.lines = columns.lines
    batch.numbers = columns.line_numbers.tolist()
    batch.distinct = columns.distinct
    return batch


def beyond_retention(
    read: list[Columns], now: int, duration: int, shard_duration: int
) -> tuple[list[Columns], list[Rejected]]:
    """Split the points of a body into those stored and those influxd drops.

    With a policy of *duration* nanoseconds (0: infinite), InfluxDB 1.6.7
    drops a point older than ``now - duration``, unless the shard group
    made for a newer point of the same body covers it (its groups start at
    multiples of *shard_duration* counted from Go's zero time). Return the
    columns to store and the dropped points, in line order.
    """
    from influxpy.backends.duckdb.retention_service import shard_group_bounds

    if duration <= 0:
        return read, []
    oldest = now - duration
    cutoff = oldest
    if shard_duration > 0:
        start, end = shard_group_bounds(oldest, shard_duration)
        if any(((c.times >= oldest) & (c.times < end)).any() for c in read):
            cutoff = start
    kept: list[Columns] = []
    dropped: list[Rejected] = []
    for columns in read:
        old = columns.times < cutoff
        if not old.any():
            kept.append(columns)
            continue
        dropped.extend(
            Rejected(number, line, BEYOND_RETENTION, BEYOND_RETENTION)
            for number, line in zip(
                columns.line_numbers[old].tolist(),
                _filter(columns.lines, old),
                strict=True,
            )
        )
        if not old.all():
            kept.append(_keep(columns, ~old))
    dropped.sort(key=lambda r: r.line_number)
    return kept, dropped


def _filter(values: Any, mask: Any) -> Any:
    """The values of an Arrow array, numpy array or list where *mask* is set."""
    if isinstance(values, list):
        return [v for v, keep in zip(values, mask.tolist(), strict=True) if keep]
    if hasattr(values, "to_pylist"):
        import pyarrow as pa

        return values.filter(pa.array(mask)).to_pylist()
    return values[mask]


def _keep(columns: Columns, mask: Any) -> Columns:
    """*columns* reduced to the points where *mask* is set."""
    import pyarrow as pa

    keep = pa.array(mask)

    def arrow(values: Any) -> Any:
        if isinstance(values, list):
            return _filter(values, mask)
        if hasattr(values, "filter"):
            return values.filter(keep)
        return values[mask]

    return replace(
        columns,
        count=int(mask.sum()),
        times=columns.times[mask],
        tags={k: arrow(v) for k, v in columns.tags.items()},
        fields={k: (kind, arrow(v)) for k, (kind, v) in columns.fields.items()},
        line_numbers=columns.line_numbers[mask],
        lines=columns.lines.filter(keep),
    )


@dataclass
class WriteTally:
    """The points one body stored and refused, and the answer they make."""

    read: ReadResult
    written: int = 0
    conflicts: list[str] = field(default_factory=list)
    refused: list[Rejected] = field(default_factory=list)
    #: Points older than the retention policy keeps (see ``beyond_retention``).
    beyond: list[Rejected] = field(default_factory=list)
    #: Points refused whole in shard groups (see ``EngineWrites._check_types``).
    created: list[Rejected] = field(default_factory=list)
    #: The conflicts of fields the body brings (``Rejection.fresh``).
    fresh: list[str] = field(default_factory=list)
    #: Whether the storage checked the points twice (``WriteChecks``):
    #: influxd then answers the count of that check's drops alone.
    retried: bool = False
    reported: int = 0

    def add(self, columns: Columns, stored: int, rejection: Rejection | None) -> None:
        """Count a batch's stored points and its refused ones."""
        self.written += stored
        if rejection is not None:
            if rejection.fresh is not None:
                self.fresh.append(rejection.fresh)
            self.conflicts.extend(rejection.lines)
            numbers = dict(
                zip(
                    columns.lines.to_pylist(),
                    columns.line_numbers.tolist(),
                    strict=True,
                )
            )
            reasons = rejection.line_reasons or [rejection.first] * len(rejection.lines)
            self.refused.extend(
                Rejected(numbers.get(line, 0), line, reason, reason)
                for line, reason in zip(rejection.lines, reasons, strict=True)
            )

    def note_checks(self, retried: bool, reported: int) -> None:
        """Note the field-type checks' second pass and its count."""
        self.retried = retried
        self.reported = reported

    def refuse_group(self, columns: Columns, lines: list[str]) -> None:
        """Count the points of *columns* refused whole in a created group."""
        if not lines:
            return
        numbers = dict(
            zip(columns.lines.to_pylist(), columns.line_numbers.tolist(), strict=True)
        )
        self.created.extend(
            Rejected(
                numbers.get(line, 0),
                line,
                CREATED_GROUP_CONFLICT,
                CREATED_GROUP_CONFLICT,
            )
            for line in lines
        )

    @property
    def lines(self) -> int:
        """The lines read: points, refused and dropped."""
        read = self.read
        return read.points + len(read.rejected) + len(read.dropped)

    def outcome(self, *, raise_on_refusal: bool = True) -> WriteOutcome:
        """The outcome, or raise the error InfluxDB answers for this body."""
        try:
            return self._outcome()
        except PartialWriteError as error:
            if raise_on_refusal:
                raise
            read = self.read
            rejected = sorted(
                [*read.rejected, *read.dropped, *self.refused, *self.beyond],
                key=lambda r: r.line_number,
            )
            return WriteOutcome(
                self.written, self.lines, read.precision, tuple(rejected), error
            )

    def _outcome(self) -> WriteOutcome:
        read = self.read
        if self.created:
            # influxd answers the shard group's error alone, whatever else
            # the body had (lines that do not parse, other drops).
            every = [*read.rejected, *read.dropped, *self.refused, *self.created]
            every.sort(key=lambda r: r.line_number)
            stored = [*every, *self.beyond]
            raise self._error(
                CREATED_GROUP_CONFLICT,
                [r.line for r in every] + [r.line for r in self.beyond],
                len(stored) - len(read.rejected),
                FieldTypeConflictError,
                why=CREATED_GROUP_WHY,
            )
        dropped = len(read.dropped) + len(self.conflicts)
        if self.retried:
            dropped = self.reported
        refused = [r.line for r in read.rejected]
        parsed = "\n".join(r.error for r in read.rejected)
        if self.conflicts or read.dropped:
            # influxd names a conflict among the fields the body brings
            # before any other drop.
            first = (
                self.fresh[0]
                if self.fresh
                else _storage_reason([*read.dropped, *self.refused])
            )
            reason = f"partial write: {first} dropped={dropped}"
            lines = [*refused, *(r.line for r in read.dropped), *self.conflicts]
            cls = FieldTypeConflictError if first.startswith("field type") else None
            raise self._error(reason, lines, dropped, cls)
        if self.beyond:
            # influxd names these drops before any unparsable line.
            reason = f"partial write: {BEYOND_RETENTION} dropped={len(self.beyond)}"
            lines = [*refused, *(r.line for r in self.beyond)]
            raise self._error(reason, lines, len(self.beyond), None)
        if read.rejected:
            if read.points or self.written:
                reason = f"partial write: {parsed} dropped=0"
            else:
                reason = parsed
            raise self._error(reason, refused, 0, None)
        return WriteOutcome(self.written, self.lines, read.precision)

    def _error(
        self,
        reason: str,
        lines: list[str],
        dropped: int,
        cls: type[PartialWriteError] | None,
        *,
        why: str = "",
    ) -> PartialWriteError:
        kept = (
            f"the other {self.written} points were written"
            if self.written
            else "no point was written"
        )
        msg = (
            f"The embedded engine refused {len(lines)} of {self.lines} lines "
            f"({kept}), as InfluxDB answers: {reason}" + (f" ({why})." if why else ".")
        )
        return (cls or PartialWriteError)(
            msg, lines=lines, dropped=dropped, reason=reason, written=self.written
        )


def _storage_reason(drops: list[Rejected]) -> str:
    """The reason InfluxDB 1.6.7 gives for the points its storage dropped.

    It checks the points in order, keeping the first reason, except that a
    tag named ``time`` always takes over (as observed on 1.6.7).
    """
    reason = ""
    for drop in sorted(drops, key=lambda r: r.line_number):
        if drop.reason.startswith("invalid tag key") or not reason:
            reason = drop.reason
    return reason
