"""Measurements as Python classes: the metaclass, ``Options`` and the model.

``ModelBase`` collects the fields of a class body (and of its bases), checks
them at class creation, builds ``_meta`` and attaches the ``series``
manager and the per-model ``DoesNotExist``/``MultipleObjectsReturned``.
Instances hold their values in ``__dict__``; the time is kept as integer
nanoseconds.

Models know nothing about InfluxQL, HTTP or DuckDB: saving goes through the
QuerySet returned by ``series``.
"""

from __future__ import annotations

import contextlib
import copy
import keyword
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from influxpy import exceptions
from influxpy._utils import format_rfc3339, snake_case, suggest
from influxpy.constants import RESERVED_KEYS
from influxpy.exceptions import FieldError, ImproperlyConfigured, LineProtocolError
from influxpy.fields import Field, TimeField
from influxpy.lineprotocol import Encoder, FieldSpec, TagSpec, make_encoder
from influxpy.manager import SeriesDescriptor
from influxpy.retention import declared_downsampling, declared_policies

if TYPE_CHECKING:
    from typing import Self

    from influxpy._types import Measurement, MeasurementOptions
    from influxpy.durations import Duration
    from influxpy.retention import RetentionPolicy

__all__ = ["InfluxMeasurement", "Model", "ModelBase", "Options"]

#: Options a model's ``class Meta`` may set.
META_OPTIONS = (
    "abstract",
    "aggregated_measurements",
    "database",
    "measurement",
    "retention_policies",
    "retention_policy",
    "using",
)


class Options:
    """Everything known about a model: ``Model._meta``."""

    def __init__(
        self,
        model: type[InfluxMeasurement],
        measurement: str,
        fields: dict[str, Field[Any]],
        time_field: TimeField,
        meta: dict[str, Any],
    ) -> None:
        self.model = model
        self.measurement = measurement
        #: Every field but time, by attribute name, in declaration order.
        self.fields = fields
        self.time_field = time_field
        self.abstract: bool = meta.get("abstract", False)
        self.database: str | None = meta.get("database")
        #: The policy the model reads and writes, and the ones it declares
        #: (``ensure_schema()`` creates them).
        self.retention_policy: str | None
        self.retention_policies: tuple[RetentionPolicy, ...]
        self.retention_policy, self.retention_policies = declared_policies(
            model.__name__,
            meta.get("retention_policy"),
            meta.get("retention_policies", ()),
        )
        self.using: str = meta.get("using", "default")
        #: Downsampled copies by window: ``{Duration: name or model}``.
        self.aggregated_measurements: dict[Duration, Any] = declared_downsampling(
            model.__name__, meta.get("aggregated_measurements", {}), ModelBase
        )
        self.tags = tuple(f for f in fields.values() if f.is_tag)
        self.values = tuple(f for f in fields.values() if not f.is_tag)
        self.by_db_name = {f.db_name: f for f in fields.values()}

    def __repr__(self) -> str:
        return f"<Options for {self.model.__name__}>"

    @property
    def field_names(self) -> tuple[str, ...]:
        """Attribute names of every field, time first."""
        return ("time", *self.fields)

    def get_field(self, name: str) -> Field[Any]:
        """Return the field named *name* (``time`` included).

        Raises ``FieldError`` listing the valid names when there is none.
        """
        if name == "time":
            return self.time_field
        try:
            return self.fields[name]
        except KeyError:
            pass
        model = self.model.__name__
        names = ", ".join(sorted(self.field_names))
        hint = suggest(name, self.field_names)
        if name == "*":
            hint = (
                " '*' (every field and tag) is a function's argument "
                "(Count('*')); as columns beside others write Raw('*'), or "
                "leave annotate() out to select every field."
            )
        msg = f"{model} has no field {name!r}; choices are: {names}.{hint}"
        raise FieldError(msg, field=name) from None

    @cached_property
    def encoder(self) -> Encoder:
        """The compiled line-protocol encoder for this model."""
        tags = [TagSpec(f.name, f.db_name, not f.null) for f in self.tags]
        values = [
            FieldSpec(f.name, f.db_name, f.kind, f.to_python) for f in self.values
        ]
        return make_encoder(self.measurement, tags, values, "time")


def _meta_options(model_name: str, meta: type | None) -> dict[str, Any]:
    if meta is None:
        return {}
    given = {k: v for k, v in vars(meta).items() if not k.startswith("_")}
    for key in given:
        if key not in META_OPTIONS:
            names = ", ".join(META_OPTIONS)
            hint = suggest(key, META_OPTIONS)
            msg = (
                f"{model_name}.Meta has an unknown option {key!r}; valid options "
                f"are: {names}.{hint}"
            )
            raise ImproperlyConfigured(msg)
    return given


class ModelBase(type):
    """Metaclass of measurements: collects and checks fields, builds ``_meta``."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        attrs: dict[str, Any],
        **kwargs: Any,
    ) -> ModelBase:
        parents = [b for b in bases if isinstance(b, ModelBase)]
        if not parents:
            return super().__new__(mcs, name, bases, attrs, **kwargs)
        meta = _meta_options(name, attrs.pop("Meta", None))
        abstract = bool(meta.get("abstract", False))

        # Inherited fields first, copied so each model owns its own.
        fields: dict[str, Field[Any]] = {}
        time_field: TimeField | None = None
        for parent in reversed(parents):
            parent_meta = getattr(parent, "_meta", None)
            if parent_meta is None:
                continue
            for attname, field in parent_meta.fields.items():
                if attname not in attrs:
                    fields[attname] = copy.copy(field)
                    attrs[attname] = fields[attname]
            time_field = copy.copy(parent_meta.time_field)
        for attname, value in list(attrs.items()):
            if isinstance(value, TimeField):
                if attname != "time":
                    msg = (
                        f"{name}.{attname} is a TimeField; the time of a point "
                        "is always the attribute 'time'."
                    )
                    raise ImproperlyConfigured(msg)
                time_field = value
                value.name = "time"
            elif isinstance(value, Field) and fields.get(attname) is not value:
                value.name = attname
                fields.pop(attname, None)
                fields[attname] = value
        if time_field is None:
            time_field = TimeField()
        time_field.name = "time"
        attrs["time"] = time_field

        _check_fields(name, fields, abstract)
        measurement = attrs.get("measurement", meta.get("measurement"))
        parent_metas = [m for m in map(_meta_of, parents) if m is not None]
        if measurement is None or isinstance(measurement, property):
            inherited = [m.measurement for m in parent_metas if not m.abstract]
            measurement = inherited[0] if inherited else snake_case(name)
        if not isinstance(measurement, str) or not measurement:
            msg = f"{name}.measurement must be a non-empty str, got {measurement!r}."
            raise ImproperlyConfigured(msg)
        attrs["measurement"] = measurement

        cls: type[InfluxMeasurement] = super().__new__(  # type: ignore[assignment]
            mcs, name, bases, attrs, **kwargs
        )
        inherited_meta = {
            k: getattr(m, k)
            for m in parent_metas
            for k in ("database", "retention_policy", "retention_policies", "using")
            if getattr(m, k) not in (None, "default")
        }
        cls._meta = Options(
            cls, measurement, fields, time_field, {**inherited_meta, **meta}
        )
        cls.DoesNotExist = type(
            "DoesNotExist",
            tuple(p.DoesNotExist for p in parents if hasattr(p, "DoesNotExist")),
            {"__module__": cls.__module__, "__qualname__": f"{name}.DoesNotExist"},
        )
        cls.MultipleObjectsReturned = type(
            "MultipleObjectsReturned",
            tuple(
                p.MultipleObjectsReturned
                for p in parents
                if hasattr(p, "MultipleObjectsReturned")
            ),
            {
                "__module__": cls.__module__,
                "__qualname__": f"{name}.MultipleObjectsReturned",
            },
        )
        if not abstract and _inherits_default_init(cls):
            cls.__init__ = _compile_init(cls)  # type: ignore[method-assign]
        if not abstract:
            # Compile the encoder now, so a bad key fails at class creation.
            try:
                _ = cls._meta.encoder
            except LineProtocolError as exc:
                msg = f"{name} cannot be stored: {exc}"
                raise ImproperlyConfigured(msg) from None
        return cls

    if not TYPE_CHECKING:
        # Hidden from type checkers, which would otherwise accept any name.

        def __getattr__(cls, name: str) -> Any:
            if name == "series":
                # The manager refused (an abstract model): its error stands.
                return type.__getattribute__(cls, name)
            raise AttributeError(_missing_attribute(cls, name), name=name, obj=cls)


def _missing_attribute(cls: type, name: str) -> str:
    """The message for ``Model.<name>`` when the model has no such attribute:
    Django's spellings (``objects``, ``filter``...) point at ``series``."""
    model = cls.__name__
    if name == "objects":
        return (
            f"{model} has no 'objects' manager; influxpy's manager is "
            f"{model}.series (for example {model}.series.filter(...))."
        )
    if not name.startswith("_"):
        from influxpy.queryset import QuerySet

        if callable(getattr(QuerySet, name, None)):
            return (
                f"{model} has no attribute {name!r}; queries start from the "
                f"manager: {model}.series.{name}(...)."
            )
    return f"type object {model!r} has no attribute {name!r}"


_MISSING: Any = object()
#: Builtins named by ``Field.fast_path`` expressions.
_FAST_PATH_NAMES = frozenset({"bool", "float", "int", "str"})


def _inherits_default_init(cls: type) -> bool:
    """Whether *cls* builds instances with influxpy's ``__init__`` (a model
    that defines its own, or inherits one a user wrote, keeps it)."""
    init = next(vars(k)["__init__"] for k in cls.__mro__ if "__init__" in vars(k))
    return init is InfluxMeasurement.__init__ or hasattr(init, "_influxpy_compiled")


def _compile_init(cls: type[InfluxMeasurement]) -> Callable[..., None]:
    """Generate ``cls.__init__`` with one keyword argument per field.

    Each value whose type is already the field's (``Field.fast_path``) is
    stored as given; any other goes through the field's ``to_python``, which
    converts it or raises the same ``FieldError`` as ever. Unknown keywords,
    an instance of a subclass with an ``__init__`` of its own (through
    ``super().__init__``) and attribute names that cannot be parameters take
    the generic ``InfluxMeasurement.__init__``.
    """
    meta = cls._meta
    generic = InfluxMeasurement.__init__
    every: dict[str, Field[Any]] = {"time": meta.time_field, **meta.fields}
    names = list(every)
    if not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        return generic
    if _FAST_PATH_NAMES.intersection(names):
        # A parameter would hide a builtin the fast paths test against.
        return generic
    namespace: dict[str, Any] = {"_M": _MISSING, "_cls": cls, "_generic": generic}
    params = ", ".join(f"{name}=_M" for name in names)
    given = ", ".join(f"({name!r}, {name})" for name in names)
    body = [
        "if _self.__class__ is not _cls or _extra:",
        f"    _values = {{_k: _v for _k, _v in ({given},) if _v is not _M}}",
        "    _values.update(_extra)",
        "    return _generic(_self, **_values)",
        "_d = _self.__dict__",
    ]
    for index, (name, field) in enumerate(every.items()):
        convert = f"_c{index}"
        namespace[convert] = field.to_python
        fast = type(field).__dict__.get("fast_path")
        body.append(f"if {name} is not _M:")
        if fast is None:
            body.append(f"    _d[{name!r}] = {convert}({name})")
        else:
            body.append(f"    if {fast.format(v=name)}:")
            body.append(f"        _d[{name!r}] = {name}")
            body.append("    else:")
            body.append(f"        _d[{name!r}] = {convert}({name})")
        if field.has_default():
            namespace[f"_f{index}"] = field
            body.append("else:")
            body.append(f"    _d[{name!r}] = {convert}(_f{index}.get_default())")
    source = "\n".join(
        [
            f"def __init__(_self, /, *, {params}, **_extra):",
            *(f"    {line}" for line in body),
        ]
    )
    filename = f"<influxpy __init__ of {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), namespace)
    init: Any = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = generic.__doc__
    init._influxpy_compiled = True
    return cast("Callable[..., None]", init)


def _meta_of(cls: type) -> Options | None:
    meta: Options | None = getattr(cls, "_meta", None)
    return meta


def _check_fields(name: str, fields: dict[str, Field[Any]], abstract: bool) -> None:
    reserved = {a for a in dir(InfluxMeasurement) if not a.startswith("__")}
    seen: dict[str, str] = {}
    for attname, field in fields.items():
        if attname in reserved or attname.startswith("_"):
            msg = (
                f"{name}.{attname} clashes with a name the model itself uses; "
                f"rename the attribute and keep the stored key with "
                f"db_name={attname!r}."
            )
            raise ImproperlyConfigured(msg)
        key = field.db_name
        if key in RESERVED_KEYS:
            msg = (
                f"{name}.{attname} would be stored as {key!r}, which InfluxDB "
                "reserves for the point's time; choose another db_name."
            )
            raise ImproperlyConfigured(msg)
        if key in seen:
            other = fields[seen[key]]
            if field.is_tag != other.is_tag:
                # A key that is a tag in some series and a field in others.
                kept = other if field.is_tag else field
                msg = (
                    f"{name}.{attname} and {name}.{seen[key]} are both stored as "
                    f"{key!r}. A key that is a tag in some series and a field in "
                    f"others is declared once, as the field ({name}.{kept.name}); "
                    f"read the tag with F({key!r}, cast='tag'), filter it with "
                    f"{kept.name}__tag=..., group by it with "
                    f"group_by(F({key!r}, cast='tag'))."
                )
            else:
                msg = (
                    f"{name}.{attname} and {name}.{seen[key]} are both stored as "
                    f"{key!r}; give one of them another db_name."
                )
            raise ImproperlyConfigured(msg)
        seen[key] = attname
    if not abstract and not any(not f.is_tag for f in fields.values()):
        msg = (
            f"{name} has no value field; a measurement needs at least one "
            "field such as fields.InfluxField() besides its tags."
        )
        raise ImproperlyConfigured(msg)


class InfluxMeasurement(metaclass=ModelBase):
    """Base class of measurements, as Django's ``Model`` is of tables.

    Subclass it and declare fields and tags as class attributes::

        class ServerMeasurement(InfluxMeasurement):
            measurement = 'servers'
            cpu = fields.InfluxField()
            name = fields.InfluxTag()

    Every model has an implicit ``time`` attribute and a ``series`` manager.
    """

    _meta: ClassVar[Options]
    measurement: ClassVar[str]
    time: ClassVar[TimeField]
    series: ClassVar[SeriesDescriptor] = SeriesDescriptor()
    DoesNotExist: ClassVar[type[exceptions.DoesNotExist]] = exceptions.DoesNotExist
    MultipleObjectsReturned: ClassVar[type[exceptions.MultipleObjectsReturned]] = (
        exceptions.MultipleObjectsReturned
    )

    def __init__(self, **values: Any) -> None:
        meta = self._meta
        if meta.abstract:
            msg = f"{type(self).__name__} is abstract and cannot be instantiated."
            raise TypeError(msg)
        fields = meta.fields
        store = self.__dict__
        for attname, value in values.items():
            field = fields.get(attname)
            if field is None:
                if attname == "time":
                    store["time"] = meta.time_field.to_python(value)
                    continue
                model = type(self).__name__
                names = ", ".join(sorted(meta.field_names))
                hint = suggest(attname, meta.field_names)
                msg = (
                    f"{model}() got an unexpected keyword argument {attname!r}; "
                    f"fields are: {names}.{hint}"
                )
                raise FieldError(msg, field=attname)
            store[attname] = field.to_python(value)
        for attname, field in fields.items():
            if attname not in store and field.has_default():
                store[attname] = field.to_python(field.get_default())

    @classmethod
    def from_db(cls, values: dict[str, Any]) -> Self:
        """Build an instance from stored values without validating them."""
        obj = cls.__new__(cls)
        obj.__dict__.update(values)
        return obj

    def __repr__(self) -> str:
        store = self.__dict__
        parts = []
        ns = self.time_ns
        if ns is not None:
            # RFC 3339 with every nanosecond digit, as InfluxDB writes times.
            parts.append(f"time={format_rfc3339(ns)!r}")
        parts.extend(
            f"{attname}={store[attname]!r}"
            for attname in self._meta.fields
            if store.get(attname) is not None
        )
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.values_dict(ns=True) == other.values_dict(ns=True)

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.values_dict(ns=True).items())))

    @property
    def time_ns(self) -> int | None:
        """The point's time as integer nanoseconds since the epoch (UTC)."""
        ns: int | None = self.__dict__.get("time")
        return ns

    def values_dict(self, *, ns: bool = False) -> dict[str, Any]:
        """Return ``{'time': …, field: value, …}``, skipping values left None.

        ``ns=True`` gives the time as integer nanoseconds.
        """
        store = self.__dict__
        out: dict[str, Any] = {"time": self.time_ns if ns else self.time}
        for attname in self._meta.fields:
            value = store.get(attname)
            if value is not None:
                out[attname] = value
        return out

    def save(self, *, using: str | None = None) -> None:
        """Write this point (fields left None are not written).

        A point without a time is stamped with the current time in
        nanoseconds, which is then kept on the instance.
        """
        qs = type(self).series.all()
        if using is not None:
            qs = qs.using(using)
        with self._stamping():
            qs.bulk_create([self], stamp=True)

    async def asave(self, *, using: str | None = None) -> None:
        """Async form of ``save()``."""
        qs = type(self).series.all()
        if using is not None:
            qs = qs.using(using)
        with self._stamping():
            await qs.abulk_create([self], stamp=True)

    @contextlib.contextmanager
    def _stamping(self) -> Iterator[None]:
        unstamped = self.__dict__.get("time") is None
        try:
            yield
        except BaseException:
            if unstamped:
                # Nothing was saved, so the instance keeps no time either.
                self.__dict__.pop("time", None)
            raise

    @classmethod
    def check_schema(cls, *, using: str | None = None) -> list[str]:
        """Return how the live database differs from this model.

        One readable sentence per difference (a missing tag or field, a
        field stored with another type, a missing retention policy…); an
        empty list when they match. See ``influxpy.introspection``.
        """
        from influxpy.introspection import check_schema

        return check_schema(cls, using=using)


#: Django's name for the base class.
Model = InfluxMeasurement

#: A model class, for the QuerySet and the layers above it (the layers below
#: models use ``influxpy._types.PointT``).
ModelT = TypeVar("ModelT", bound=InfluxMeasurement)


if TYPE_CHECKING:

    def _conforms(
        options: Options, model: type[InfluxMeasurement]
    ) -> tuple[MeasurementOptions, type[Measurement]]:
        """Let the type checker prove models have the shapes in ``_types``."""
        return options, model
