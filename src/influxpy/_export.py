"""Points out to files: line protocol and CSV (``influxpy export``).

Exporting streams a measurement through ``QuerySet.iterator()`` (or a raw
query's chunks) and writes every point exactly: integers stay integers,
floats keep every digit, strings, tags and names are escaped. The CSV is
the dialect ``influxpy._csv_reading.read_csv`` reads back (a header row,
``key:tag`` for tags, ``key:field`` for a field whose name would read as a
special column or a role).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from influxpy._records import _ROLES, Progress, _no_progress
from influxpy._utils import format_rfc3339
from influxpy.exceptions import LineProtocolError
from influxpy.lineprotocol import encode_point

if TYPE_CHECKING:
    from influxpy.introspection import Introspection, ModelSpec
    from influxpy.results import Series

__all__ = ["CSVWriter", "export_measurements", "export_query"]


class CSVWriter:
    """Write points as the CSV dialect ``read_csv`` reads back exactly."""

    def __init__(
        self, out: IO[str], tags: Sequence[str], fields: Sequence[str]
    ) -> None:
        self.out = out
        self.tags = list(tags)
        self.fields = list(fields)
        header = ["measurement", "time"]
        header.extend(_quote_name(f"{t}:tag") for t in self.tags)
        header.extend(_quote_name(_field_header(f)) for f in self.fields)
        out.write(",".join(header) + "\n")

    def write(
        self,
        measurement: str,
        tags: dict[str, str],
        fields: dict[str, Any],
        time_ns: int,
    ) -> None:
        """Write one point as a row."""
        cells = [_quote(measurement), format_rfc3339(time_ns)]
        cells.extend(_quote(tags[t]) if tags.get(t) else "" for t in self.tags)
        cells.extend(_csv_cell(fields.get(f)) for f in self.fields)
        self.out.write(",".join(cells) + "\n")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _quote_name(text: str) -> str:
    if any(c in text for c in ',"\n\r') or text != text.strip():
        return _quote(text)
    return text


def _field_header(key: str) -> str:
    head, sep, tail = key.rpartition(":")
    if key in ("measurement", "time") or (sep and tail in _ROLES and head):
        return f"{key}:field"
    return key


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _points_of(
    spec: ModelSpec, results: Iterable[Any]
) -> Iterator[tuple[dict[str, str], dict[str, Any], int]]:
    """Split streamed results into (tags, fields by stored key, time)."""
    keys = {c.attname: c.key for c in spec.columns if not c.is_tag}
    for result in results:
        tags = {k: v for k, v in result.tags.items() if v}
        for point in result.points:
            fields = {
                keys[name]: value
                for name, value in point.items()
                if name in keys and value is not None
            }
            if fields:
                yield tags, fields, point["time"]


def export_measurements(
    intro: Introspection,
    out: IO[str],
    *,
    measurements: Sequence[str] | None = None,
    retention_policy: str | None = None,
    fmt: str = "line",
    start: int | None = None,
    end: int | None = None,
    chunk_size: int = 10_000,
    on_points: Progress = _no_progress,
    on_warning: Callable[[str], None] | None = None,
    alias: str = "default",
) -> int:
    """Stream measurements to *out*; return the number of points written.

    Each measurement is read through a model generated from the stored
    schema, with ``QuerySet.iterator()`` and times as integer nanoseconds.
    What such a model cannot hold (a field with the key of a tag) is told
    to *on_warning*.
    """
    from influxpy.introspection import model_spec

    names = list(measurements) if measurements else intro.measurements()
    specs = []
    for name in names:
        spec = model_spec(intro, name, retention_policy=retention_policy)
        if on_warning is not None:
            for comment in spec.comments:
                on_warning(f"{name!r}: {comment}")
        if spec.columns and any(not c.is_tag for c in spec.columns):
            specs.append(spec)
    writer: CSVWriter | None = None
    if fmt == "csv":
        tag_keys = sorted({c.key for s in specs for c in s.columns if c.is_tag})
        field_keys = sorted({c.key for s in specs for c in s.columns if not c.is_tag})
        writer = CSVWriter(out, tag_keys, field_keys)
    total = 0
    for spec in specs:
        model = spec.build(using=alias, database=intro.database)
        qs = model.series.group_by("*").epoch()
        if start is not None:
            qs = qs.filter(time__gte=start)
        if end is not None:
            qs = qs.filter(time__lt=end)
        done = 0
        for tags, fields, time_ns in _points_of(
            spec, qs.iterator(chunk_size=chunk_size)
        ):
            if writer is not None:
                writer.write(spec.measurement, tags, fields, time_ns)
            else:
                out.write(encode_point(spec.measurement, fields, tags, time_ns))
                out.write("\n")
            done += 1
            if done % 1_000 == 0:
                on_points(1_000)
        on_points(done % 1_000)
        total += done
    return total


def export_query(
    series: Iterable[Series],
    out: IO[str],
    *,
    fmt: str = "line",
    on_points: Progress = _no_progress,
) -> int:
    """Stream a raw query's series to *out*; return the points written.

    Tags are the series' tags (``GROUP BY *`` keeps them apart); every
    other column is a field written with the type it came back with.
    """
    writer: CSVWriter | None = None
    columns: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    total = 0
    for piece in series:
        names = piece.columns[1:]
        if fmt == "csv":
            shape = (tuple(sorted(piece.tags)), tuple(names))
            if writer is None:
                columns = shape
                writer = CSVWriter(out, shape[0], shape[1])
            elif shape != columns:
                msg = (
                    "The query's series have different columns, which one CSV "
                    "header cannot describe; export it as line protocol."
                )
                raise LineProtocolError(msg)
        tags = {k: v for k, v in piece.tags.items() if v}
        count = 0
        for row in piece.values:
            fields = {
                k: v for k, v in zip(names, row[1:], strict=False) if v is not None
            }
            if not fields:
                continue
            if writer is not None:
                writer.write(piece.name, tags, fields, row[0])
            else:
                out.write(encode_point(piece.name, fields, tags, row[0]))
                out.write("\n")
            count += 1
        total += count
        on_points(count)
    return total
