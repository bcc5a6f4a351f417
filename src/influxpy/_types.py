"""Type aliases shared across modules."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    from influxpy.models import InfluxMeasurement

__all__ = ["FieldValue", "ModelT", "TagValue", "TimeLike"]

#: Anything accepted where a point time is expected: aware or naive
#: datetimes, integer epoch nanoseconds, ISO 8601 strings, pandas Timestamps
#: and numpy datetime64 values.
TimeLike: TypeAlias = "dt.datetime | dt.date | int | str | Any"
#: A value stored in a field.
FieldValue: TypeAlias = "float | int | bool | str"
#: A value stored in a tag.
TagValue: TypeAlias = str
ModelT = TypeVar("ModelT", bound="InfluxMeasurement")
