"""Type aliases and shapes shared across modules.

The layers below models (backends, results, frames, the batch writer)
read a measurement class only through the shapes here (``Measurement``,
``MeasurementOptions``, ``FieldShape``), so none of them imports
``influxpy.models``. ``InfluxMeasurement`` has every member they name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeAlias, TypeVar

if TYPE_CHECKING:
    from typing import Self

    from influxpy.durations import Duration
    from influxpy.lineprotocol import Encoder

__all__ = [
    "FieldShape",
    "FieldValue",
    "Measurement",
    "MeasurementOptions",
    "PointT",
    "TagValue",
    "TimeLike",
    "options_of",
]

#: Anything accepted where a point time is expected: aware or naive
#: datetimes, integer epoch nanoseconds, ISO 8601 strings, pandas Timestamps
#: and numpy datetime64 values.
TimeLike: TypeAlias = "dt.datetime | dt.date | int | str | Any"
#: A value stored in a field.
FieldValue: TypeAlias = "float | int | bool | str"
#: A value stored in a tag.
TagValue: TypeAlias = str


class FieldShape(Protocol):
    """What lower layers read of a model's field or tag."""

    @property
    def name(self) -> str:
        """The attribute name on the model."""

    @property
    def db_name(self) -> str:
        """The key stored in the database."""

    @property
    def kind(self) -> str:
        """``float``, ``integer``, ``boolean``, ``string`` or ``any``."""

    @property
    def null(self) -> bool:
        """Whether the value may be left out."""

    @property
    def is_tag(self) -> bool:
        """Whether this is a tag (else a field)."""

    def to_python(self, value: Any) -> Any:
        """Check and convert one value (raises ``FieldError``)."""


class MeasurementOptions(Protocol):
    """What lower layers read of a model's ``_meta`` (``models.Options``)."""

    @property
    def measurement(self) -> str:
        """The measurement's name."""

    @property
    def database(self) -> str | None:
        """The database the model names, if any."""

    @property
    def retention_policy(self) -> str | None:
        """The retention policy the model reads and writes, if any."""

    @property
    def fields(self) -> Mapping[str, FieldShape]:
        """Every field and tag but time, by attribute name."""

    @property
    def tags(self) -> tuple[FieldShape, ...]:
        """The tags, in declaration order."""

    @property
    def values(self) -> tuple[FieldShape, ...]:
        """The fields (not tags), in declaration order."""

    @property
    def time_field(self) -> FieldShape:
        """The implicit ``time`` field."""

    @property
    def field_names(self) -> tuple[str, ...]:
        """The attribute names of the fields and tags."""

    @property
    def encoder(self) -> Encoder:
        """The compiled line-protocol encoder."""

    @property
    def aggregated_measurements(self) -> Mapping[Duration, Any]:
        """Downsampled copies by window: ``{Duration: name or model}``."""


class Measurement(Protocol):
    """The shape of a measurement class, as lower layers see it.

    ``_meta`` is typed loosely here because a class attribute of a protocol
    must match exactly; read it through ``options_of()`` for its shape.
    """

    _meta: ClassVar[Any]

    @classmethod
    def from_db(cls, values: dict[str, Any]) -> Self:
        """Build an instance from stored values without validating them."""


#: A measurement class, for the layers below models (writer, results).
PointT = TypeVar("PointT", bound=Measurement)


def options_of(model: type[Measurement]) -> MeasurementOptions:
    """Return *model*'s ``_meta`` as the shape lower layers read."""
    options: MeasurementOptions = model._meta
    return options
