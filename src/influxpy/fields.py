"""Field types of a measurement: value fields, tags and the time column.

A field is a descriptor. Read on the class (``Server.cpu``) it returns the
``Field`` itself, which expressions use as a column; read on an instance it
returns the stored value. ``to_python`` validates and normalises a value
given by the user and raises ``FieldError`` naming the model, the field,
what it takes and what it received.

Fields know nothing about queries or InfluxQL: lookups register themselves
on field classes from ``influxpy.lookups``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, overload

from influxpy._utils import ns_to_datetime, to_ns
from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS
from influxpy.exceptions import FieldError
from influxpy.lineprotocol import FieldKind

if TYPE_CHECKING:
    from typing import Self

    from influxpy._types import Measurement

__all__ = [
    "BooleanField",
    "Field",
    "FloatField",
    "InfluxField",
    "InfluxTag",
    "IntegerField",
    "StringField",
    "TagField",
    "TimeField",
]

T = TypeVar("T")


class _NamedLookup(Protocol):
    """A lookup class as fields file it (``influxpy.lookups`` defines them)."""

    lookup_name: ClassVar[str]


_LookupT = TypeVar("_LookupT", bound=type[_NamedLookup])
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_NOT_PROVIDED: Any = object()


class Field(Generic[T]):
    """Base class of every column of a measurement.

    Args:
        db_name: the key stored in InfluxDB, when it differs from the
            attribute name (for keys that are not Python identifiers).
        default: a value, or a callable returning one, used when the
            attribute is not given.
        null: whether the attribute may be left ``None``. A value field left
            ``None`` is not written; a tag with ``null=True`` left ``None`` or
            ``''`` is not written.
    """

    visit_name: ClassVar[str] = "field"
    kind: ClassVar[FieldKind] = "any"
    #: ``True`` for tags, which are indexed strings.
    is_tag: ClassVar[bool] = False
    #: Words used in errors: "takes a float".
    expected: ClassVar[str] = "a value"
    #: A Python expression true when the value ``{v}`` is already what
    #: ``to_python`` would return (the model's compiled ``__init__`` then
    #: stores it as is, and calls ``to_python`` for any other value). Only a
    #: class that sets it in its own body uses it: a subclass overriding
    #: ``to_python`` or ``_convert`` is always called.
    fast_path: ClassVar[str | None] = None
    class_lookups: ClassVar[dict[str, type[Any]]] = {}

    name: str
    model: type[Measurement]

    def __init__(
        self,
        *,
        db_name: str | None = None,
        default: Any = _NOT_PROVIDED,
        null: bool = True,
    ) -> None:
        self._db_name = db_name
        self.default = default
        self.null = null
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.model = owner

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type) -> T | None: ...

    def __get__(self, instance: object | None, owner: type) -> Self | T | None:
        if instance is None:
            return self
        # Only reached when the instance has no value of its own.
        return None

    def __repr__(self) -> str:
        cls = type(self).__name__
        owner = getattr(self, "model", None)
        where = f"{owner.__name__}.{self.name}" if owner is not None else self.name
        return f"<{cls}: {where}>"

    @property
    def db_name(self) -> str:
        """The key this field is stored under in InfluxDB."""
        return self._db_name or self.name

    @property
    def label(self) -> str:
        """``Model.attribute``, as used in error messages."""
        owner = getattr(self, "model", None)
        return f"{owner.__name__}.{self.name}" if owner is not None else self.name

    def has_default(self) -> bool:
        """Return whether a default value was declared."""
        return self.default is not _NOT_PROVIDED

    def get_default(self) -> Any:
        """Return the default value, calling it if it is callable."""
        default = self.default
        return default() if callable(default) else default

    def _reject(self, value: Any, why: str = "") -> FieldError:
        type_name = type(value).__name__
        cls = type(self).__name__
        article = "an" if cls[0] in "AEIOU" else "a"
        msg = (
            f"{self.label} is {article} {cls} and takes {self.expected}"
            f"{why}; got {value!r} ({type_name})."
        )
        return FieldError(msg, field=self.name)

    def to_python(self, value: Any) -> T | None:
        """Validate *value* and return it in this field's Python type."""
        if value is None:
            if not self.null:
                msg = (
                    f"{self.label} may not be None; give it a value or declare "
                    f"it with null=True."
                )
                raise FieldError(msg, field=self.name)
            return None
        return self._convert(value)

    def _convert(self, value: Any) -> T:
        raise NotImplementedError

    def to_db(self, value: Any) -> Any:
        """Prepare a value for a query: the same rules as for writing."""
        return self.to_python(value)

    @classmethod
    def register_lookup(cls, lookup: _LookupT) -> _LookupT:
        """Register *lookup*, a ``lookups.Lookup`` class, on this field class.

        Usable as a decorator; the lookup is filed under its ``lookup_name``.
        """
        if "class_lookups" not in cls.__dict__:
            cls.class_lookups = {}
        cls.class_lookups[lookup.lookup_name] = lookup
        return lookup

    @classmethod
    def get_lookups(cls) -> dict[str, type[Any]]:
        """Return every lookup class registered on this class and its bases."""
        merged: dict[str, type[Any]] = {}
        for klass in reversed(cls.__mro__):
            merged.update(klass.__dict__.get("class_lookups", {}))
        return merged


def _check_finite(field: Field[Any], value: float, original: Any) -> float:
    if not math.isfinite(value):
        raise field._reject(original, " (InfluxDB cannot store NaN or infinity)")
    return value


def _to_float(field: Field[Any], value: Any) -> float:
    try:
        number = float(value)
    except OverflowError:
        raise field._reject(value, " (it is too large for a float)") from None
    return _check_finite(field, number, value)


def _is_bool(value: Any) -> bool:
    # numpy 2 names its boolean scalar type ``bool``, numpy 1 ``bool_``.
    cls = type(value)
    return cls is bool or (
        cls.__name__ in ("bool", "bool_") and cls.__module__ == "numpy"
    )


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)):
        return True
    # numpy and Decimal scalars, without importing either.
    return hasattr(value, "__float__") and not isinstance(value, (str, bytes))


class InfluxField(Field[Any]):
    """A value field whose type follows the value.

    bool is stored as a boolean, str as a string and every number as a float,
    so the stored type never flips between integer and float.
    """

    kind: ClassVar[FieldKind] = "any"
    expected = "a number, a bool or a str"
    fast_path = (
        "{v}.__class__ is float and {v} - {v} == 0.0 "
        "or {v}.__class__ is str or {v}.__class__ is bool"
    )

    def _convert(self, value: Any) -> Any:
        if _is_bool(value):
            return bool(value)
        if isinstance(value, str):
            return str(value)
        if _is_number(value):
            return _to_float(self, value)
        raise self._reject(value)


class FloatField(Field[float]):
    """A float field (``FLOAT`` in InfluxDB); ints are stored as floats."""

    kind: ClassVar[FieldKind] = "float"
    expected = "a float (or an int)"
    fast_path = "{v}.__class__ is float and {v} - {v} == 0.0"

    def _convert(self, value: Any) -> float:
        if _is_bool(value) or not _is_number(value):
            raise self._reject(value)
        return _to_float(self, value)


class IntegerField(Field[int]):
    """A 64-bit integer field, written with the ``i`` suffix."""

    kind: ClassVar[FieldKind] = "integer"
    expected = "an int between -2**63 and 2**63-1"
    fast_path = f"{{v}}.__class__ is int and {_INT64_MIN} <= {{v}} <= {_INT64_MAX}"

    def _convert(self, value: Any) -> int:
        if _is_bool(value):
            raise self._reject(value)
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) or _is_number(value):
            as_float = float(value)
            if not as_float.is_integer():
                raise self._reject(value, " (a whole number)")
            number = int(value)
        else:
            raise self._reject(value)
        if not _INT64_MIN <= number <= _INT64_MAX:
            raise self._reject(value)
        return int(number)


class BooleanField(Field[bool]):
    """A boolean field."""

    kind: ClassVar[FieldKind] = "boolean"
    expected = "a bool"
    fast_path = "{v}.__class__ is bool"

    def _convert(self, value: Any) -> bool:
        if _is_bool(value):
            return bool(value)
        raise self._reject(value)


class StringField(Field[str]):
    """A string field (not indexed; use ``InfluxTag`` to filter cheaply)."""

    kind: ClassVar[FieldKind] = "string"
    expected = "a str"
    fast_path = "{v}.__class__ is str"

    def _convert(self, value: Any) -> str:
        if isinstance(value, str):
            return str(value)
        raise self._reject(value)


class TagField(Field[str]):
    """A tag: an indexed string that identifies a series.

    Tags are required unless declared ``null=True``; a nullable tag left
    ``None`` or ``''`` is not written, and ``tag__isnull=True`` finds it.
    """

    kind: ClassVar[FieldKind] = "string"
    is_tag: ClassVar[bool] = True
    expected = "a str"
    fast_path = "{v}.__class__ is str"

    def __init__(
        self,
        *,
        db_name: str | None = None,
        default: Any = _NOT_PROVIDED,
        null: bool = False,
    ) -> None:
        super().__init__(db_name=db_name, default=default, null=null)

    def _convert(self, value: Any) -> str:
        if isinstance(value, str):
            return str(value)
        raise self._reject(value, " (convert numbers with str())")


#: The seed's name for a tag.
InfluxTag = TagField


class TimeField(Field[dt.datetime]):
    """The time of a point, kept as integer nanoseconds since the epoch (UTC).

    Accepts aware datetimes (converted to UTC), naive datetimes (taken as
    UTC), integer epoch nanoseconds, ISO 8601 strings, pandas Timestamps and
    numpy datetime64 values. Reading it gives an aware UTC datetime; the
    model's ``time_ns`` gives the exact integer.
    """

    kind: ClassVar[FieldKind] = "integer"
    expected = (
        "a datetime, an int of epoch nanoseconds, an ISO 8601 string, "
        "a pandas Timestamp or a numpy datetime64"
    )
    fast_path = f"{{v}}.__class__ is int and {MIN_TIME_NS} <= {{v}} <= {MAX_TIME_NS}"

    def __init__(self) -> None:
        super().__init__(null=True)

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type) -> dt.datetime | None: ...

    def __get__(
        self, instance: object | None, owner: type
    ) -> Self | dt.datetime | None:
        if instance is None:
            return self
        ns = instance.__dict__.get(self.name)
        return None if ns is None else ns_to_datetime(ns)

    def __set__(self, instance: object, value: Any) -> None:
        instance.__dict__[self.name] = self.to_python(value)

    def to_python(self, value: Any) -> Any:
        """Return epoch nanoseconds for any accepted time form."""
        if value is None:
            return None
        try:
            return to_ns(value)
        except TypeError:
            raise self._reject(value) from None
        except ValueError as exc:
            msg = f"{self.label} cannot take {value!r}: {exc}."
            raise FieldError(msg, field=self.name) from None

    def _convert(self, value: Any) -> Any:
        return self.to_python(value)
