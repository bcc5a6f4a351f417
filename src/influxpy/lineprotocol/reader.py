"""The fast line-protocol reader: a whole request body into columns.

``read_body`` reads the body of a ``/write`` request (bytes or text) the
way InfluxDB 1.6.7 does and returns, per measurement, row-aligned columns
(times in nanoseconds, tag columns, typed field columns) ready for an Arrow
ingest, the lines the server would refuse with its own reasons and line
numbers, and the points its storage would drop (a tag or sole field named
``time``).

The technique, chosen by measurement: lines are split and matched against
one regular expression in Arrow's compute kernels (RE2, vectorised over the
whole body), which takes the common lines (no backslash, no double quote,
no tab; numbers, integers, booleans and quoted strings without spaces,
commas or equals signs; a timestamp or none). Tag sets are
read once per distinct series key with the same kernels, and field values
are cast a whole column at a time (when every line has the same field keys
in one order, each key's values are every k-th piece of the split). Every
other line goes through ``influxpy.lineprotocol.scanner``, the exact port
of the server's scanner, so both paths accept, refuse and read the same
lines. Pure: no I/O; needs pyarrow and numpy.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Any

from influxpy.constants import MAX_KEY_BYTES, RESERVED_KEYS
from influxpy.lineprotocol.scanner import (
    LineError,
    Point,
    precision_multiplier,
    scan_point,
    split_lines,
)

__all__ = ["MIXED", "Columns", "ReadResult", "Rejected", "read_body"]

#: The kind of a field whose values in one body have several types.
MIXED = "mixed"
_KINDS = {bool: "boolean", int: "integer", float: "float", str: "string"}
_NAME = r'[^ ,=\\"\t\r\n]+'
_VALUE = (
    r"(?:-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|-?[0-9]{1,18}i|t|T|true|True|TRUE|f|F|false|False|FALSE"
    r'|"[^ ,=\\"\t\r\n]*")'
)
# The lines the vectorised path takes; any other goes to the scanner.
_FAST_LINE = (
    r'^[^ ,=\\"#\t\r\n][^ ,=\\"\t\r\n]*'
    rf"(?:,{_NAME}={_NAME})*"
    rf" {_NAME}={_VALUE}(?:,{_NAME}={_VALUE})*"
    r"(?: -?(?:[0-9]{1,18}|[1-8][0-9]{18}))?$"
)


@dataclass
class Rejected:
    """A line the server refuses, with its 1-based line number and reason.

    ``error`` reads as the server's: ``unable to parse '<line>': <reason>``
    for a line that does not parse, or the storage's reason for a point it
    drops (``invalid tag key: input tag "time" ...``).
    """

    line_number: int
    line: str
    reason: str
    error: str = ""

    def __post_init__(self) -> None:
        if not self.error:
            self.error = f"unable to parse '{self.line}': {self.reason}"


@dataclass
class Columns:
    """The points of one measurement, row-aligned, in the body's order.

    ``times`` is a numpy int64 array of nanoseconds; ``tags`` maps a tag key
    to an Arrow string array (``""`` where a point lacks the tag); ``fields``
    maps a field key to ``(kind, values)``: an Arrow array with nulls for
    "no value", or a list when the kind is ``MIXED``. ``line_numbers`` and
    ``lines`` (an Arrow string array) say where each point came from.
    """

    measurement: str
    count: int
    times: Any
    tags: dict[str, Any]
    fields: dict[str, tuple[str, Any]]
    line_numbers: Any
    lines: Any
    #: True when no two points share tags and time (None: not known).
    distinct: bool | None = None


@dataclass
class ReadResult:
    """What ``read_body`` read: columns, refused lines, dropped points."""

    columns: list[Columns] = field(default_factory=list)
    #: Lines that do not parse (``unable to parse``), in body order.
    rejected: list[Rejected] = field(default_factory=list)
    #: Points parsed but dropped as the server's storage drops them.
    dropped: list[Rejected] = field(default_factory=list)
    precision: str = "n"

    @property
    def points(self) -> int:
        """The points to store."""
        return sum(c.count for c in self.columns)


def _modules() -> tuple[Any, Any, Any]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    return np, pa, pc


def _storage_drop(point: Point) -> str | None:
    """The reason the server's storage drops *point*, or None."""
    measurement, tags, fields, _time_ns = point
    if "time" in tags:
        return (
            f'invalid tag key: input tag "time" on measurement "{measurement}" '
            "is invalid"
        )
    if "time" in fields:
        if len(fields) == 1:
            return (
                f'invalid field name: input field "time" on measurement '
                f'"{measurement}" is invalid'
            )
        del fields["time"]
    return None


def read_body(
    body: bytes | str,
    precision: str | None = None,
    *,
    now_ns: int | None = None,
) -> ReadResult:
    """Read a whole line-protocol body as InfluxDB 1.6.7's ``/write`` does.

    *precision* is ``n`` (default), ``u``, ``ms``, ``s``, ``m`` or ``h``;
    any other value means nanoseconds, as on 1.6.7. Points without a time
    get *now_ns* (default: the clock), truncated to the precision. Bytes
    that are not UTF-8 are read with replacement characters.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    multiplier = precision_multiplier(precision)
    now = _time.time_ns() if now_ns is None else now_ns
    now -= now % multiplier
    result = ReadResult(precision=precision or "n")
    if not text.strip(" \t\n\x00"):
        return result
    np, pa, pc = _modules()
    exact = "\\" in text
    if not exact:
        lines = _split(np, pa, pc, body if isinstance(body, bytes) else text)
        numbers = np.arange(1, len(lines) + 1, dtype=np.int64)
        fast = pc.match_substring_regex(lines, _FAST_LINE)
        # Splitting at every newline is exact unless a line the expression
        # refused has a double quote (a string value may go on past it).
        exact = (
            '"' in text
            and pc.any(pc.and_(pc.invert(fast), pc.match_substring(lines, '"'))).as_py()
        )
    if exact:
        numbered = list(split_lines(text))
        numbers = np.fromiter((n for n, _l in numbered), np.int64, len(numbered))
        lines = pa.array([line for _n, line in numbered], pa.string())
        fast = pc.match_substring_regex(lines, _FAST_LINE)
    fast = fast.to_numpy(zero_copy_only=False)
    slow_rows = np.flatnonzero(~fast)
    fast_rows = np.flatnonzero(fast)
    # Every line is fast in the usual body: no copy of them then.
    fast_lines = lines if not len(slow_rows) else lines.take(pa.array(fast_rows))
    sections = pc.split_pattern(fast_lines, " ")
    parts = _FastPart(np, pa, pc, sections, multiplier, now)
    if parts.bad.any():
        slow_rows = np.sort(np.concatenate([slow_rows, fast_rows[parts.bad]]))
    slow = _scan_rows(result, lines, numbers, slow_rows, multiplier, now)
    for measurement in dict.fromkeys([*parts.measurements, *slow]):
        columns = parts.columns(measurement, numbers[fast_rows], fast_lines)
        extra = slow.get(measurement)
        if extra:
            columns = _combined(np, pa, measurement, columns, extra)
        if columns is not None and columns.count:
            result.columns.append(columns)
    return result


def _split(np: Any, pa: Any, pc: Any, body: bytes | str) -> Any:
    """The lines of a body without quotes or backslashes, as an Arrow array."""
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    if not data.isascii():
        data = data.decode("utf-8", "replace").encode("utf-8")
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    offsets = np.empty(len(ends) + 2, np.int64)
    offsets[0] = 0
    offsets[1:-1] = ends + 1
    offsets[-1] = len(data) + 1
    # Each line keeps its newline (one is added to the last), then loses it.
    lines = pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data + b"\n")
    )
    return pc.utf8_rtrim(lines, "\n").cast(pa.string())


def _scan_rows(
    result: ReadResult,
    lines: Any,
    numbers: Any,
    rows: Any,
    multiplier: int,
    now: int,
) -> dict[str, list[tuple[int, str, Point]]]:
    """Parse the lines at *rows* one by one; record the refused ones."""
    points: dict[str, list[tuple[int, str, Point]]] = {}
    if not len(rows):
        return points
    texts = lines.take(rows).to_pylist()
    for number, line in zip(numbers[rows].tolist(), texts, strict=True):
        stripped = line.lstrip(" \t\x00")
        if not stripped or stripped[0] == "#":
            continue
        try:
            point = scan_point(stripped, multiplier, now)
        except LineError as error:
            result.rejected.append(Rejected(number, stripped, str(error)))
            continue
        reason = _storage_drop(point)
        if reason is not None:
            result.dropped.append(Rejected(number, stripped, reason, reason))
            continue
        points.setdefault(point[0], []).append((number, stripped, point))
    return points


class _FastPart:
    """The lines the regular expression took, as columns."""

    def __init__(
        self, np: Any, pa: Any, pc: Any, sections: Any, multiplier: int, now: int
    ) -> None:
        self.np, self.pa, self.pc = np, pa, pc
        count = len(sections)
        self.count = count
        self.bad = np.zeros(count, dtype=bool)
        self.measurements: list[str] = []
        if not count:
            return
        keys = pc.dictionary_encode(pc.list_element(sections, 0))
        self.series = keys.indices.to_numpy(zero_copy_only=False)
        self._read_series(keys.dictionary)
        self._read_times(sections, multiplier, now)
        self._read_fields(pc.list_element(sections, 1))
        self.row_measurement = self.series_measurement[self.series]
        self.bad |= self.series_bad[self.series]

    def _read_series(self, keys: Any) -> None:
        """Measurements and tag columns of the distinct series keys *keys*."""
        np, pa, pc = self.np, self.pa, self.pc
        count = len(keys)
        parts = pc.split_pattern(keys, ",")
        names = pc.dictionary_encode(pc.list_element(parts, 0))
        self.measurements = names.dictionary.to_pylist()
        self.series_measurement = names.indices.to_numpy(zero_copy_only=False)
        self.key_bytes = pc.binary_length(keys).to_numpy(zero_copy_only=False)
        tags = pc.list_slice(parts, 1)
        owners = pc.list_parent_indices(tags).to_numpy(zero_copy_only=False)
        pairs = pc.split_pattern(pc.list_flatten(tags), "=", max_splits=1)
        tag_keys = pc.dictionary_encode(pc.list_element(pairs, 0))
        values = pc.list_element(pairs, 1)
        ids = tag_keys.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        key_names = tag_keys.dictionary.to_pylist()
        bad = np.zeros(count, dtype=bool)
        if len(ids):
            # A key twice in a series ("duplicate tags"), or "time": the
            # scanner and the storage rules decide those lines.
            combined = owners.astype(np.int64) * len(key_names) + ids
            unique, seen = np.unique(combined, return_counts=True)
            bad[unique[seen > 1] // len(key_names)] = True
            if "time" in key_names:
                bad[owners[ids == key_names.index("time")]] = True
        self.series_bad = bad
        #: ``tag key -> (each series' value or "", whether it has the tag)``.
        self.series_tags: dict[str, tuple[Any, Any]] = {}
        for index, key in enumerate(key_names):
            mask = ids == index
            at = np.full(count, -1, dtype=np.int64)
            at[owners[mask]] = np.flatnonzero(mask)
            present = at >= 0
            column = values.take(pa.array(at, mask=~present)).fill_null("")
            self.series_tags[key] = (column, present)

    def _read_times(self, sections: Any, multiplier: int, now: int) -> None:
        np, pa, pc = self.np, self.pa, self.pc
        given = pc.equal(pc.list_value_length(sections), 3)
        given = given.to_numpy(zero_copy_only=False)
        stamps = pc.list_flatten(pc.list_slice(sections, 2))
        values = np.zeros(self.count, dtype=np.int64)
        values[given] = pc.cast(stamps, pa.int64()).to_numpy(zero_copy_only=False)
        if multiplier != 1:
            limit = 9223372036854775806 // multiplier
            self.bad |= np.abs(values) > limit
            values = np.where(self.bad, 0, values) * multiplier
        self.times = np.where(given, values, now)

    def _read_fields(self, sections: Any) -> None:
        np, pa, pc = self.np, self.pa, self.pc
        lists = pc.split_pattern(sections, ",")
        self.fields: dict[str, tuple[str, Any, Any]] = {}
        if self._read_uniform_fields(lists):
            return
        parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        pairs = pc.split_pattern(pc.list_flatten(lists), "=", max_splits=1)
        keys = pc.dictionary_encode(pc.list_element(pairs, 0))
        values = pc.list_element(pairs, 1)
        key_ids = keys.indices.to_numpy(zero_copy_only=False)
        names = keys.dictionary.to_pylist()
        longest = pc.max(pc.binary_length(keys.dictionary)).as_py() or 0
        self.series_bad |= self.key_bytes + 4 + longest > MAX_KEY_BYTES
        # One take puts each key's values together, in row order.
        order = np.argsort(key_ids, kind="stable")
        counts = np.bincount(key_ids, minlength=len(names)).tolist()
        values = values.take(pa.array(order))
        parents = parents[order]
        start = 0
        for name, count in zip(names, counts, strict=True):
            rows = parents[start : start + count]
            raw = values.slice(start, count)
            start += count
            if name in RESERVED_KEYS:
                self.bad[rows] = True
                continue
            kind, column = self._typed(raw, rows)
            self.fields[name] = (kind, rows, column)

    def _read_uniform_fields(self, lists: Any) -> bool:
        """Read the fields when every line has the same keys in one order.

        The usual body: each key's values are every k-th piece, cut after
        the key; no split on ``=``, no sort. False when the lines differ.
        """
        np, pa, pc = self.np, self.pa, self.pc
        sizes = pc.list_value_length(lists)
        low, high = pc.min_max(sizes).values()
        count = self.count
        if low != high or not low.as_py():
            return False
        width = low.as_py()
        flat = pc.list_flatten(lists)
        names = [piece.split("=", 1)[0] for piece in flat.slice(0, width).to_pylist()]
        if len(set(names)) != width or RESERVED_KEYS & set(names):
            return False
        pieces = []
        for position, name in enumerate(names):
            piece = flat.take(pa.array(np.arange(position, width * count, width)))
            if not pc.all(pc.starts_with(piece, name + "=")).as_py():
                return False
            pieces.append(piece)
        longest = max(len(name.encode("utf-8")) for name in names)
        self.series_bad |= self.key_bytes + 4 + longest > MAX_KEY_BYTES
        rows = np.arange(count)
        for name, piece in zip(names, pieces, strict=True):
            values = pc.utf8_slice_codeunits(piece, len(name) + 1)
            kind, column = self._typed(values, rows)
            self.fields[name] = (kind, rows, column)
        return True

    def _typed(self, values: Any, rows: Any) -> tuple[str, Any]:
        """The kind and values of one field's raw texts (a list if mixed)."""
        np, pa, pc = self.np, self.pa, self.pc
        # The usual field has one type: the first value's, checked by one
        # kernel (a float column is one that casts whole).
        first = values[0].as_py() if len(values) else ""
        if first.endswith("i"):
            if pc.all(pc.ends_with(values, "i")).as_py():
                return "integer", self._cast("integer", values, rows)
        elif first.startswith('"'):
            if pc.all(pc.starts_with(values, '"')).as_py():
                return "string", self._cast("string", values, rows)
        elif first.isalpha():
            if pc.all(pc.ascii_is_alpha(values)).as_py():
                return "boolean", self._cast("boolean", values, rows)
        else:
            try:
                cast = pc.cast(values, pa.float64())
            except pa.ArrowInvalid:
                pass  # another type among the values
            else:
                return "float", self._finite(cast, rows)
        # The expression checked each value: an integer ends with "i", a
        # boolean is all letters, a string is quoted, a float is the rest.
        masks = {
            "integer": pc.ends_with(values, "i"),
            "boolean": pc.ascii_is_alpha(values),
            "string": pc.starts_with(values, '"'),
        }
        counts = {kind: pc.sum(mask).as_py() or 0 for kind, mask in masks.items()}
        total = len(values)
        for kind, count in counts.items():
            if count == total:
                return kind, self._cast(kind, values, rows)
        if not any(counts.values()):
            return "float", self._cast("float", values, rows)
        masks["float"] = pc.invert(
            pc.or_(pc.or_(masks["integer"], masks["boolean"]), masks["string"])
        )
        out: list[Any] = [None] * total
        for kind, mask in masks.items():
            where = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
            if not len(where):
                continue
            cast = self._cast(kind, values.filter(mask), rows[where])
            for at, value in zip(where.tolist(), cast.to_pylist(), strict=True):
                out[at] = value
        return MIXED, out

    def _cast(self, kind: str, values: Any, rows: Any) -> Any:
        _np, pa, pc = self.np, self.pa, self.pc
        if kind == "integer":
            return pc.cast(pc.utf8_slice_codeunits(values, 0, -1), pa.int64())
        if kind == "boolean":
            return pc.or_(pc.starts_with(values, "t"), pc.starts_with(values, "T"))
        if kind == "string":
            return pc.utf8_slice_codeunits(values, 1, -1)
        return self._finite(pc.cast(values, pa.float64()), rows)

    def _finite(self, cast: Any, rows: Any) -> Any:
        """*cast*, the floats of *rows*, marking the infinite ones bad."""
        infinite = self.pc.is_inf(cast).to_numpy(zero_copy_only=False)
        if infinite.any():
            self.bad[rows[infinite]] = True  # the scanner says "invalid float"
        return cast

    def columns(self, measurement: str, numbers: Any, lines: Any) -> Columns | None:
        """The columns of *measurement*'s good rows, or None without any."""
        if measurement not in self.measurements:
            return None
        np, pa = self.np, self.pa
        wanted = self.measurements.index(measurement)
        keep = (self.row_measurement == wanted) & ~self.bad
        everything = bool(keep.all())
        rows = np.flatnonzero(keep)
        taken = None if everything else pa.array(rows)
        series = self.series[rows]
        used = np.unique(series)
        taken_series = pa.array(series)
        tags = {}
        for key in sorted(self.series_tags):
            column, present = self.series_tags[key]
            if present[used].any():
                tags[key] = column.take(taken_series)
        fields = {}
        for name, (kind, where, column) in self.fields.items():
            values = self._scatter(kind, where, column)
            if taken is not None:
                values = (
                    [values[i] for i in rows.tolist()]
                    if kind == MIXED
                    else values.take(taken)
                )
            if kind == MIXED:
                if any(v is not None for v in values):
                    fields[name] = (kind, values)
            elif values.null_count < len(values):
                fields[name] = (kind, values)
        times = self.times[rows]
        order = np.lexsort((times, series))
        ordered_series, ordered_times = series[order], times[order]
        same = (ordered_series[1:] == ordered_series[:-1]) & (
            ordered_times[1:] == ordered_times[:-1]
        )
        return Columns(
            measurement,
            len(rows),
            times,
            tags,
            fields,
            numbers[rows],
            lines if taken is None else lines.take(taken),
            distinct=not same.any(),
        )

    def _scatter(self, kind: str, where: Any, column: Any) -> Any:
        """One field's values at their rows, None elsewhere (last one wins)."""
        np, pa = self.np, self.pa
        count = self.count
        if len(where) == count and (where == np.arange(count)).all():
            return column
        # Keep the last value of a key repeated in one line.
        order = np.arange(len(where))
        _unique, last = np.unique(where[::-1], return_index=True)
        picked = order[::-1][last]
        where = where[picked]
        if kind == MIXED:
            out: list[Any] = [None] * count
            for row, at in zip(where.tolist(), picked.tolist(), strict=True):
                out[row] = column[at]
            return out
        index = np.full(count, -1, dtype=np.int64)
        index[where] = picked
        taken = pa.array(index, mask=index < 0)
        return column.take(taken)


def _combined(
    np: Any,
    pa: Any,
    measurement: str,
    fast: Columns | None,
    slow: list[tuple[int, str, Point]],
) -> Columns:
    """Columns of a measurement's fast rows and scanned points, in body order."""
    rows: list[tuple[int, str, dict[str, str], dict[str, Any], int]] = []
    if fast is not None:
        numbers = fast.line_numbers.tolist()
        lines = fast.lines.to_pylist()
        tags = {k: v.to_pylist() for k, v in fast.tags.items()}
        fields = {
            k: v if kind == MIXED else v.to_pylist()
            for k, (kind, v) in fast.fields.items()
        }
        times = fast.times.tolist()
        for i, number in enumerate(numbers):
            row_tags = {k: v[i] for k, v in tags.items() if v[i]}
            row_fields = {k: v[i] for k, v in fields.items() if v[i] is not None}
            rows.append((number, lines[i], row_tags, row_fields, times[i]))
    for number, line, (_m, point_tags, point_fields, time_ns) in slow:
        rows.append((number, line, point_tags, point_fields, time_ns))
    rows.sort(key=lambda row: row[0])
    tag_keys = sorted({k for row in rows for k in row[2]})
    field_keys = list(dict.fromkeys(k for row in rows for k in row[3]))
    out_fields: dict[str, tuple[str, Any]] = {}
    for key in field_keys:
        values = [row[3].get(key) for row in rows]
        kinds = {_KINDS[type(v)] for v in values if v is not None}
        kind = kinds.pop() if len(kinds) == 1 else MIXED
        out_fields[key] = (kind, values if kind == MIXED else _arrow(pa, kind, values))
    return Columns(
        measurement,
        len(rows),
        np.array([row[4] for row in rows], dtype=np.int64),
        {
            k: pa.array([row[2].get(k, "") for row in rows], pa.string())
            for k in tag_keys
        },
        out_fields,
        np.array([row[0] for row in rows], dtype=np.int64),
        pa.array([row[1] for row in rows], pa.string()),
    )


def _arrow(pa: Any, kind: str, values: list[Any]) -> Any:
    types = {
        "float": pa.float64(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "string": pa.string(),
    }
    return pa.array(values, types[kind])
