"""Points in from files: line protocol and CSV (``influxpy import``).

Reading turns files into numbered records, each a parsed point or the
reason it cannot be one. Importing writes the good points in batches
through ``Backend.write_lines``; when the store refuses part of a batch
and does not say exactly which points, the batch is split in halves and
written again (writes are idempotent) until every refused point is known,
so one bad line never costs a good one. Exporting (the same formats, read
back exactly) is ``influxpy._export``.

Integer times are in the unit the reader is given (``precision``) and
become nanoseconds as they are read; RFC 3339 times are exact already.

The CSV dialect: a header row, then one row per point, the cells separated
by commas, or by the semicolons, tabs or pipes the header line uses.
``measurement`` and ``time`` (RFC 3339 or integer epoch) are special
columns; ``key:tag`` marks a tag (``--tag`` does the same for other files);
``key:float``, ``key:integer``, ``key:string`` and ``key:boolean`` force a
field's type.
Quoted cells are strings; unquoted ones are integers, floats (with a
``.`` or an exponent), ``true``/``false``, or nothing when empty.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from influxpy._csv_reading import read_csv
from influxpy._records import (
    Point,
    Progress,
    Record,
    _decoded,
    _factor,
    _no_progress,
    likely_precision,
)
from influxpy.exceptions import LineProtocolError, PartialWriteError
from influxpy.lineprotocol import encode_point, parse_line

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = [
    "ImportReport",
    "Record",
    "import_line_protocol",
    "import_records",
    "likely_precision",
    "read_csv",
    "read_line_protocol",
]

# -- line protocol ------------------------------------------------------------


def _string_open(line: str) -> bool:
    """Whether a line ends inside a quoted string field value.

    InfluxDB accepts a raw newline inside a string value, so such a point
    spans two physical lines (reference §1.3).
    """
    index, size = 0, len(line)
    while index < size and line[index] != " ":
        index += 2 if line[index] == "\\" else 1
    index += 1
    quoted = False
    previous = ""
    while index < size:
        char = line[index]
        if char == "\\":
            previous = ""
            index += 2
            continue
        if quoted:
            if char == '"':
                quoted = False
        elif char == '"' and previous == "=":
            quoted = True
        elif char == " ":
            return False
        previous = char
        index += 1
    return quoted


def _check_point(point: Point) -> None:
    _measurement, tags, _fields, _stamp = point
    for key, value in tags.items():
        if not value:
            msg = f"the tag {key!r} has no value"
            raise LineProtocolError(msg, key=key)


def read_line_protocol(
    lines: Iterable[bytes],
    *,
    precision: str = "ns",
    on_bytes: Progress = _no_progress,
) -> Iterator[Record]:
    """Parse line protocol; blank lines and ``#`` comments are skipped.

    Times are read in *precision* (``ns``, ``us``, ``ms`` or ``s``).
    """
    factor = _factor(precision)
    pending: list[str] = []
    start = 0
    for number, text, raw in _decoded(lines, on_bytes):
        if text is None:
            yield Record(number, raw, error="the line is not valid UTF-8")
            continue
        if pending:
            pending.append(text)
            joined = "\n".join(pending)
            if _string_open(joined):
                continue
            pending = []
            yield _parse_record(start, joined, factor)
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _string_open(text):
            pending, start = [text], number
            continue
        yield _parse_record(number, text.lstrip(), factor)
    if pending:
        joined = "\n".join(pending)
        yield Record(start, joined, error="a string value is never closed")


def _parse_record(number: int, text: str, factor: int) -> Record:
    try:
        name, tags, fields, stamp = parse_line(text)
        _check_point((name, tags, fields, stamp))
    except LineProtocolError as exc:
        reason = str(exc) if exc.key else "it is not valid line protocol"
        return Record(number, text, error=reason)
    time_ns = None if stamp is None else stamp * factor
    return Record(number, text, point=(name, tags, fields, time_ns), epoch=stamp)


# -- import -------------------------------------------------------------------


@dataclasses.dataclass
class ImportReport:
    """What an import did: points written, and the records refused."""

    written: int = 0
    rejected: list[Record] = dataclasses.field(default_factory=list)

    @property
    def read(self) -> int:
        """Records read (written or refused)."""
        return self.written + len(self.rejected)


@dataclasses.dataclass
class _Entry:
    record: Record
    line: str


def _encode(record: Record) -> str:
    assert record.point is not None
    name, tags, fields, time_ns = record.point
    return encode_point(name, fields, tags, time_ns)


def import_records(
    backend: Backend,
    records: Iterable[Record],
    *,
    database: str | None = None,
    retention_policy: str | None = None,
    batch_size: int = 5_000,
    on_written: Progress = _no_progress,
) -> ImportReport:
    """Write the good records in batches; collect the refused ones.

    Every point is encoded again by influxpy (so what is sent was checked);
    its time is in nanoseconds already (the readers apply the input's
    precision). A store error
    other than refused points (an unknown database, a lost connection)
    stops the import and propagates, with ``written`` on the report so far.
    """
    report = ImportReport()
    batch: list[_Entry] = []
    # A batch never gives one field two types: the store then decides each
    # point against what is stored, as it would for points sent one by one.
    kinds: dict[tuple[str, str], type] = {}
    for record in records:
        if record.point is None:
            report.rejected.append(record)
            continue
        try:
            line = _encode(record)
        except (LineProtocolError, ValueError) as exc:
            record.error = str(exc)
            report.rejected.append(record)
            continue
        name, _tags, fields, _stamp = record.point
        point_kinds = {(name, key): type(value) for key, value in fields.items()}
        if any(kinds.get(key, kind) is not kind for key, kind in point_kinds.items()):
            _write(backend, batch, database, retention_policy, report, on_written)
            batch, kinds = [], {}
        batch.append(_Entry(record, line))
        kinds.update(point_kinds)
        if len(batch) >= batch_size:
            _write(backend, batch, database, retention_policy, report, on_written)
            batch, kinds = [], {}
    if batch:
        _write(backend, batch, database, retention_policy, report, on_written)
    report.rejected.sort(key=lambda r: r.line_number)
    return report


#: ``--precision`` units as the ``precision`` of a ``/write`` body.
_BODY_PRECISIONS = {"ns": "n", "u": "u", "us": "u", "ms": "ms", "s": "s"}


def import_line_protocol(
    backend: Any,
    lines: Iterable[bytes],
    *,
    database: str | None = None,
    retention_policy: str | None = None,
    precision: str = "ns",
    batch_size: int = 5_000,
    on_bytes: Progress = _no_progress,
    on_first: Callable[[Record], None] | None = None,
) -> ImportReport:
    """Import line protocol through ``backend.write_line_protocol`` (the engine).

    The input goes in bodies of about *batch_size* lines, each read and
    stored whole by the engine's fast reader, as InfluxDB stores a
    ``/write`` request: a point is refused with the server's own reason
    (``missing fields``, a field type conflict, ...) and its line number.
    A body never ends inside a quoted string value. Lines ending ``\r\n``
    lose the ``\r``. *on_first* gets the first point's record (for its
    time as written).
    """
    from influxpy.lineprotocol.scanner import ends_in_string

    _factor(precision)
    unit = _BODY_PRECISIONS[precision]
    report = ImportReport()
    pending: list[bytes] = []
    first_line = 1

    def write(chunk: list[bytes], start: int) -> None:
        body = b"".join(chunk)
        if on_first is not None and report.read == 0:
            _first_record(body, start, precision, on_first)
        outcome = backend.write_line_protocol(
            body,
            database=database,
            retention_policy=retention_policy,
            precision=unit,
            raise_on_refusal=False,
        )
        report.written += outcome.written
        report.rejected.extend(
            Record(start + r.line_number - 1, r.line, error=r.reason)
            for r in outcome.rejected
        )

    for raw in lines:
        on_bytes(len(raw))
        if raw.endswith(b"\r\n"):
            raw = raw[:-2] + b"\n"
        elif not raw.endswith(b"\n"):
            raw += b"\n"
        pending.append(raw)
        if len(pending) >= batch_size and not (
            b'"' in raw and ends_in_string(b"".join(pending).decode("utf-8", "replace"))
        ):
            write(pending, first_line)
            first_line += len(pending)
            pending = []
    if pending:
        write(pending, first_line)
    report.rejected.sort(key=lambda r: r.line_number)
    return report


def _first_record(
    body: bytes, start: int, precision: str, on_first: Callable[[Record], None]
) -> None:
    text = body.decode("utf-8", "replace")
    for number, line in enumerate(text.split("\n"), start):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            record = _parse_record(number, stripped, _factor(precision))
            if record.epoch is not None:
                on_first(record)
            return


def _reason(exc: PartialWriteError) -> str:
    text = exc.reason or str(exc)
    text = re.sub(r"^partial write: ", "", text)
    return re.sub(r" dropped=\d+$", "", text)


def _write(
    backend: Backend,
    batch: list[_Entry],
    database: str | None,
    retention_policy: str | None,
    report: ImportReport,
    on_written: Progress,
) -> None:
    try:
        backend.write_lines(
            [e.line for e in batch],
            database=database,
            retention_policy=retention_policy,
            batch_size=len(batch),
        )
    except PartialWriteError as exc:
        refused = _identified(exc, batch)
        if refused is not None:
            for entry in refused:
                entry.record.error = _reason(exc)
                report.rejected.append(entry.record)
            kept = len(batch) - len(refused)
            report.written += kept
            on_written(kept)
            return
        if len(batch) == 1:
            batch[0].record.error = _reason(exc)
            report.rejected.append(batch[0].record)
            return
        # Which points were refused is not known: write the halves again
        # (writing a stored point again changes nothing).
        middle = len(batch) // 2
        for half in (batch[:middle], batch[middle:]):
            _write(backend, half, database, retention_policy, report, on_written)
        return
    report.written += len(batch)
    on_written(len(batch))


def _identified(exc: PartialWriteError, batch: list[_Entry]) -> list[_Entry] | None:
    """The refused entries, when the store named all of them (else None)."""
    if not exc.reason.startswith("partial write") or not exc.lines:
        return None
    named = set(exc.lines)
    refused = [e for e in batch if e.line in named]
    if len(refused) < len(named) or (exc.dropped and len(refused) != exc.dropped):
        return None
    return refused
