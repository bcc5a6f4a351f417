"""Line-protocol bodies on the embedded engine: batches and the server's answers.

``batch_of`` turns the columns ``influxpy.lineprotocol.reader`` read into a
``Batch`` for the Arrow ingest. ``WriteTally`` follows one body through its
batches and, at the end, raises what InfluxDB 1.6.7's ``/write`` answers
(reference §1.8): a ``PartialWriteError`` carrying the server's text as
``reason`` when lines do not parse (``unable to parse '<line>': <why>``,
prefixed ``partial write: ... dropped=0`` when other points were stored),
or, when the storage drops points (a tag or the only field named ``time``,
a field type conflict), ``partial write: <first reason> dropped=<n>`` (a
``FieldTypeConflictError`` for a conflict). Nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from influxpy.backends.duckdb.batches import Batch
from influxpy.exceptions import FieldTypeConflictError, PartialWriteError
from influxpy.lineprotocol.reader import Rejected

if TYPE_CHECKING:
    from influxpy.backends.duckdb.ingest import Rejection
    from influxpy.lineprotocol.reader import Columns, ReadResult

__all__ = ["WriteOutcome", "WriteTally", "batch_of"]


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


def batch_of(columns: Columns) -> Batch:
    """A ``Batch`` of one measurement's columns, for the Arrow ingest."""
    batch = Batch(columns.measurement, columns.count)
    batch.times = columns.times
    batch.tags = dict(columns.tags)
    batch.fields = dict(columns.fields)
    batch.lines = columns.lines
    batch.distinct = columns.distinct
    return batch


@dataclass
class WriteTally:
    """The points one body stored and refused, and the answer they make."""

    read: ReadResult
    written: int = 0
    conflicts: list[str] = field(default_factory=list)
    refused: list[Rejected] = field(default_factory=list)

    def add(self, columns: Columns, stored: int, rejection: Rejection | None) -> None:
        """Count a batch's stored points and its refused ones."""
        self.written += stored
        if rejection is not None:
            self.conflicts.extend(rejection.lines)
            numbers = dict(
                zip(
                    columns.lines.to_pylist(),
                    columns.line_numbers.tolist(),
                    strict=True,
                )
            )
            reason = rejection.reasons[0]
            self.refused.extend(
                Rejected(numbers.get(line, 0), line, reason, reason)
                for line in rejection.lines
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
                [*read.rejected, *read.dropped, *self.refused],
                key=lambda r: r.line_number,
            )
            return WriteOutcome(
                self.written, self.lines, read.precision, tuple(rejected), error
            )

    def _outcome(self) -> WriteOutcome:
        read = self.read
        dropped = len(read.dropped) + len(self.conflicts)
        refused = [r.line for r in read.rejected]
        parsed = "\n".join(r.error for r in read.rejected)
        if dropped:
            first = _storage_reason([*read.dropped, *self.refused])
            reason = f"partial write: {first} dropped={dropped}"
            lines = [*refused, *(r.line for r in read.dropped), *self.conflicts]
            cls = FieldTypeConflictError if first.startswith("field type") else None
            raise self._error(reason, lines, dropped, cls)
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
    ) -> PartialWriteError:
        kept = (
            f"the other {self.written} points were written"
            if self.written
            else "no point was written"
        )
        msg = (
            f"The embedded engine refused {len(lines)} of {self.lines} lines "
            f"({kept}), as InfluxDB answers: {reason}."
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
