"""The request bodies of a DataFrame written over HTTP, joined in C.

``frame_bodies()`` gives ``HTTPWrites.write_frame()`` one body per batch,
made from the frame's pyarrow columns by ``lineprotocol.bodies``: the
bytes of ``frame_line_batches()``'s lines joined, without a Python string
per value or line, by the compiled extension where it is built and the
columns are float and integer ones, else by pyarrow's kernels.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from influxpy._types import options_of

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = ["frame_bodies", "frame_lane_bodies"]


def frame_bodies(
    model: type[Measurement], frame: Any, batch_size: int
) -> Iterator[tuple[bytes, Sequence[str]]] | None:
    """The request bodies of a DataFrame of *model*'s points, *batch_size*
    rows each, with their lines; None when a tag column is not of strings
    or a value is refused (``frame_line_batches()`` then encodes it, and
    refuses the value in its batch, once the batches before are written).

    The columns are checked as by ``frame_line_batches()`` before the first
    body; a batch with a value or a row the columns cannot take is encoded
    by ``encode_columns()``, which gives its lines or raises its error.
    """
    from influxpy._dataframe import frame_batches

    arrays = _arrays(model, frame)
    if arrays is None:
        return None
    times, tags, fields = arrays
    return _frame_batch_bodies(
        options_of(model).measurement,
        frame_batches(times, tags, fields, batch_size),
        fields,
    )


def _arrays(model: type[Measurement], frame: Any) -> Any:
    """The frame's times, tags and fields as arrays (``frame_arrays()``),
    or None when a column needs ``frame_line_batches()`` (a value refused,
    a tag column not of strings)."""
    from influxpy._dataframe import frame_arrays

    try:
        times, tags, fields = frame_arrays(model, frame)
    except Exception:  # raised batch by batch, after the batches before it
        return None
    if any(isinstance(values, list) for values in tags.values()):
        return None
    return times, tags, fields


def frame_lane_bodies(
    model: type[Measurement], frame: Any, batch_size: int, count: int
) -> Iterator[tuple[int, tuple[bytes, Sequence[str]]]] | None:
    """``frame_bodies()`` for *count* lanes: each body with the lane it goes
    to. Every row of one series goes to one lane (``hash(series key) %
    count``, as ``lanes._route()`` routes lines), in order, and each lane's
    bodies hold *batch_size* rows (its last fewer); the lanes' bodies come
    in turn. None where ``frame_bodies()`` gives None, or when a tag set is
    refused (``frame_line_batches()`` then raises it in its batch).
    """
    from influxpy.lineprotocol.bodies import series_index

    arrays = _arrays(model, frame)
    if arrays is None:
        return None
    times, tags, fields = arrays
    measurement = options_of(model).measurement
    try:
        found, index = series_index(measurement, tags, list(fields), {}, len(times))
    except Exception:  # frame_line_batches() raises it in its batch
        return None
    return _lane_bodies(
        measurement, times, tags, fields, batch_size, _lanes_of(found, index, count)
    )


def _lanes_of(found: list[str], index: Any, count: int) -> list[Any]:
    """The positions of the rows of each of *count* lanes, in order."""
    import numpy as np

    lane_of_key = np.array([hash(key) % count for key in found], dtype=np.int64)
    rows = lane_of_key[index]
    return [np.flatnonzero(rows == lane) for lane in range(count)]


def _lane_bodies(
    measurement: str,
    times: Any,
    tags: dict[str, Any],
    fields: dict[str, tuple[str, Any]],
    batch_size: int,
    lanes: list[Any],
) -> Iterator[tuple[int, tuple[bytes, Sequence[str]]]]:
    """The bodies of ``frame_lane_bodies()``, made as they are taken."""
    import pyarrow as pa

    def taken(values: Any, rows: Any) -> Any:
        if isinstance(values, list):
            return [values[row] for row in rows.tolist()]
        return values.take(pa.array(rows))

    chunks = [
        [rows[start : start + batch_size] for start in range(0, len(rows), batch_size)]
        for rows in lanes
    ]
    # The lanes' batches in turn: the first of each lane, then the second...
    order = [
        (lane, lane_chunks[turn])
        for turn in range(max(map(len, chunks), default=0))
        for lane, lane_chunks in enumerate(chunks)
        if turn < len(lane_chunks)
    ]
    batches = (
        (
            times[rows],
            {k: taken(v, rows) for k, v in tags.items()},
            {k: (kind, taken(v, rows)) for k, (kind, v) in fields.items()},
        )
        for _lane, rows in order
    )
    bodies = _frame_batch_bodies(measurement, batches, fields)
    for (lane, _rows), made in zip(order, bodies, strict=True):
        yield lane, made


def _frame_batch_bodies(
    measurement: str,
    batches: Iterable[tuple[Any, dict[str, Any], dict[str, tuple[str, Any]]]],
    fields: dict[str, tuple[str, Any]],
) -> Iterator[tuple[bytes, Sequence[str]]]:
    """The bodies of *batches* of a frame's columns (``frame_batches()``),
    made as they are taken; *fields* are the frame's field columns."""
    import pyarrow as pa

    from influxpy.lineprotocol import encode_columns, escape_field_key
    from influxpy.lineprotocol.bodies import (
        BodyLines,
        columns_body,
        compiled_body,
        series_index,
    )

    # encode_columns() checks the field keys first, as for any batch.
    encode_columns(
        measurement, [], {}, {k: (kind, []) for k, (kind, _v) in fields.items()}
    )
    keys = [escape_field_key(key) for key in fields]
    cache: dict[tuple[Any, ...], str] = {}
    lines_cache: dict[tuple[Any, ...], str] = {}
    for stamps, tag_columns, field_columns in batches:
        count = len(stamps)
        body: bytes | None = None
        try:
            found, index = series_index(
                measurement, tag_columns, list(fields), cache, count
            )
            columns = [
                (key, kind, values)
                for key, (kind, values) in zip(
                    keys, field_columns.values(), strict=True
                )
            ]
            body = compiled_body(found, index, columns, stamps)
            if body is None:
                series = pa.array(found, pa.string()).take(pa.array(index))
                body = columns_body(series, columns, pa.array(stamps, pa.int64()))
        except Exception:  # encode_columns() raises it
            body = None
        if body is not None:
            yield body, BodyLines(body, count)
            continue
        lines = encode_columns(
            measurement,
            stamps.tolist(),
            {k: v.to_pylist() for k, v in tag_columns.items()},
            {
                k: (kind, v if isinstance(v, list) else v.to_pylist())
                for k, (kind, v) in field_columns.items()
            },
            lines_cache,
        )
        yield "\n".join(lines).encode("utf-8", "surrogatepass"), lines
