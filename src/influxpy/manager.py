"""The ``series`` entry point: ``Model.series`` returns a fresh QuerySet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from influxpy.models import InfluxMeasurement
    from influxpy.queryset import QuerySet

_M = TypeVar("_M", bound="InfluxMeasurement")

__all__ = ["SeriesDescriptor"]


class SeriesDescriptor:
    """Give ``Model.series`` a new QuerySet on each class access.

    Like Django's manager descriptor it is reachable from the class only, so
    ``point.series`` is an error rather than a query over every point. Type
    checkers see ``MyModel.series`` as ``QuerySet[MyModel]``.
    """

    @overload
    def __get__(self, instance: None, owner: type[_M]) -> QuerySet[_M]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> QuerySet[Any]: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> QuerySet[Any]:
        if instance is not None:
            name = owner.__name__
            msg = (
                f"'series' is reachable from the model class, not from an "
                f"instance: use {name}.series."
            )
            raise AttributeError(msg)
        meta = getattr(owner, "_meta", None)
        if meta is None or meta.abstract:
            name = owner.__name__
            msg = f"{name} is abstract: query one of its concrete subclasses."
            raise AttributeError(msg)
        from influxpy.queryset import QuerySet

        return QuerySet(owner)
