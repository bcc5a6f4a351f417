"""InfluxDB line protocol: pure functions and classes, no I/O.

The package's parts, each importable from here:

- ``escaping``: escaping and validation of names, tag values and field
  values, and ``encode_point`` for one point given as mappings;
- ``encoder``: the compiled encoder of a model (``make_encoder``);
- ``columns``: ``encode_columns`` for row-aligned columns, and the fast
  formatting of a whole column the encoder's batches share;
- ``line_buffer``: a batch writer's buffer of lines, cut into bodies;
- ``parsing``: ``parse_line``, the per-line parser of what the encoder writes;
- ``scanner``: the exact port of InfluxDB 1.6.7's line scanner (its errors);
- ``reader``: ``read_body``, the fast reader of a whole request body into
  columns per measurement, with the lines InfluxDB would reject.

``compiled()`` says whether the compiled part of the encoder (a C
extension the build makes where a C compiler is found) is in use.
"""

from __future__ import annotations

from influxpy.lineprotocol._compiled import COMPILED
from influxpy.lineprotocol.encoder import (
    Encoder,
    FieldSpec,
    TagSpec,
    encode_columns,
    make_encoder,
)
from influxpy.lineprotocol.escaping import (
    FieldKind,
    check_tag_set,
    check_tag_value,
    encode_point,
    escape_field_key,
    escape_measurement,
    escape_tag,
    format_field_value,
    format_string,
)
from influxpy.lineprotocol.parsing import field_types_of, parse_line
from influxpy.lineprotocol.reader import Columns, ReadResult, Rejected, read_body


def compiled() -> bool:
    """Whether the compiled line-protocol encoder is in use: built where a
    C compiler was found, and not turned off by ``INFLUXPY_PURE_PYTHON=1``
    when influxpy was imported. Without it the pure Python encoder writes
    the same lines, more slowly."""
    return COMPILED


__all__ = [
    "Columns",
    "Encoder",
    "FieldKind",
    "FieldSpec",
    "ReadResult",
    "Rejected",
    "TagSpec",
    "check_tag_set",
    "check_tag_value",
    "compiled",
    "encode_columns",
    "encode_point",
    "escape_field_key",
    "escape_measurement",
    "escape_tag",
    "field_types_of",
    "format_field_value",
    "format_string",
    "make_encoder",
    "parse_line",
    "read_body",
]
