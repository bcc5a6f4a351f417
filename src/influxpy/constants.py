"""Constants shared by several modules."""

from __future__ import annotations

__all__ = [
    "LOOKUP_SEP",
    "MAX_KEY_BYTES",
    "MAX_STRING_FIELD_BYTES",
    "MAX_TIME_NS",
    "MIN_TIME_NS",
    "RESERVED_KEYS",
]

#: Separates a field name from a lookup in ``filter(name__regex=...)``.
LOOKUP_SEP = "__"
#: Earliest time InfluxDB stores: 1677-09-21T00:12:43.145224194Z.
MIN_TIME_NS = -9223372036854775806
#: Latest time InfluxDB stores: 2262-04-11T23:47:16.854775806Z.
MAX_TIME_NS = 9223372036854775806
#: Largest string field value newer servers accept (1.9.4+, 2.0.9+): 1 MiB.
MAX_STRING_FIELD_BYTES = 1_048_576
#: Largest series key (measurement plus tag set) in bytes.
MAX_KEY_BYTES = 65_535
#: Keys InfluxDB treats specially; a tag or field may not be stored as them.
RESERVED_KEYS = frozenset({"time"})
