"""A mypy plugin that checks the keyword arguments of model constructors.

Enable it in the project's mypy configuration::

    [tool.mypy]
    plugins = ["influxpy.mypy_plugin"]

A model declares its fields without annotations (``cpu =
fields.FloatField()``), which ``typing.dataclass_transform`` cannot read:
it only sees annotated attributes. The plugin reads the declarations instead,
as Django's stubs do, and gives each model an ``__init__`` whose keyword
arguments are its fields, inherited ones included, plus ``time``:

- ``FloatField`` takes ``float`` (an ``int`` too), ``IntegerField`` ``int``,
  ``BooleanField`` ``bool``, ``StringField`` and tags ``str``,
  ``InfluxField`` anything; the type is the ``T`` of the field's
  ``Field[T]`` base, so a custom field declares its own;
- ``None`` is accepted unless the field refuses it: tags unless declared
  ``null=True``, other fields when declared ``null=False``;
- ``time`` takes a ``datetime``, integer epoch nanoseconds or an ISO 8601
  string (and ``numpy.datetime64`` when the program imports numpy);
- every argument may be left out, as at run time.

``Model.series.create(...)`` and ``acreate(...)`` take the same arguments.
A model that defines its own ``__init__`` keeps it.

Without the plugin, a model's constructor takes ``**values: Any``. The
plugin imports nothing from influxpy; it needs mypy only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_NAMED_OPT,
    Argument,
    AssignmentStmt,
    CallExpr,
    NameExpr,
    RefExpr,
    SymbolNode,
    TypeAlias,
    TypeInfo,
    Var,
)
from mypy.plugin import ClassDefContext, MethodSigContext, Plugin
from mypy.plugins.common import add_method_to_class, deserialize_and_fixup_type
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)

__all__ = ["InfluxpyPlugin", "plugin"]

_MODEL = "influxpy.models.InfluxMeasurement"
_FIELD = "influxpy.fields.Field"
_TAG = "influxpy.fields.TagField"
_TIME = "influxpy.fields.TimeField"
_QUERYSET = "influxpy.queryset.QuerySet"
#: The key of the fields a model declares, kept in mypy's cache per class.
_METADATA = "influxpy"


class InfluxpyPlugin(Plugin):
    """Give each model an ``__init__`` typed from its field declarations."""

    def get_base_class_hook(
        self, fullname: str
    ) -> Callable[[ClassDefContext], None] | None:
        """Inspect every class whose bases include a model."""
        symbol = self.lookup_fully_qualified(fullname)
        node = _class_of(symbol.node if symbol is not None else None)
        if node is not None and node.has_base(_MODEL):
            return _add_init
        return None

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        """``QuerySet.create()`` takes what the model's constructor takes."""
        if fullname in (f"{_QUERYSET}.create", f"{_QUERYSET}.acreate"):
            return _create_signature
        return None


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls: the plugin class for any mypy version."""
    return InfluxpyPlugin


def _add_init(ctx: ClassDefContext) -> None:
    info = ctx.cls.info
    api = ctx.api
    fields: dict[str, Type] = {}
    for base in reversed(info.mro[1:]):
        declared = base.metadata.get(_METADATA, {}).get("fields", {})
        for name, data in declared.items():
            fields[name] = deserialize_and_fixup_type(data, api)
    own: dict[str, Type] = {}
    for statement in ctx.cls.defs.body:
        declaration = _declaration(statement)
        if declaration is not None:
            name, field_info, call = declaration
            if field_info.has_base(_TIME):
                continue
            own[name] = _value_type(field_info, call)
    fields.update(own)
    info.metadata[_METADATA] = {
        "fields": {name: typ.serialize() for name, typ in own.items()}
    }
    existing = info.names.get("__init__")
    if existing is not None and not existing.plugin_generated:
        return  # the model writes its own constructor: it stands
    arguments = [_argument("time", _time_type(ctx))]
    arguments.extend(_argument(name, typ) for name, typ in fields.items())
    add_method_to_class(api, ctx.cls, "__init__", arguments, NoneType())


def _create_signature(ctx: MethodSigContext) -> FunctionLike:
    default = ctx.default_signature
    queryset = get_proper_type(ctx.type)
    if not isinstance(queryset, Instance) or not queryset.args:
        return default
    model = get_proper_type(queryset.args[0])
    if not isinstance(model, Instance) or _METADATA not in model.type.metadata:
        return default
    init = model.type.get_method("__init__")
    signature = init.type if init is not None else None
    if not isinstance(signature, CallableType):
        return default
    return default.copy_modified(
        arg_types=signature.arg_types[1:],
        arg_kinds=signature.arg_kinds[1:],
        arg_names=signature.arg_names[1:],
    )


def _declaration(statement: Any) -> tuple[str, TypeInfo, CallExpr] | None:
    """``(name, field class, call)`` for ``name = SomeField(...)``."""
    if not isinstance(statement, AssignmentStmt) or len(statement.lvalues) != 1:
        return None
    target, call = statement.lvalues[0], statement.rvalue
    if not isinstance(target, NameExpr) or not isinstance(call, CallExpr):
        return None
    callee = call.callee
    node = _class_of(callee.node if isinstance(callee, RefExpr) else None)
    if node is None or not node.has_base(_FIELD):
        return None
    return target.name, node, call


def _class_of(node: SymbolNode | None) -> TypeInfo | None:
    """The class *node* names, through an alias (``Model``, ``InfluxTag``)."""
    if isinstance(node, TypeAlias):
        target = get_proper_type(node.target)
        return target.type if isinstance(target, Instance) else None
    return node if isinstance(node, TypeInfo) else None


def _value_type(field_info: TypeInfo, call: CallExpr) -> Type:
    """The type a constructor takes for a field of class *field_info*."""
    any_type = AnyType(TypeOfAny.special_form)
    instance = Instance(field_info, [any_type] * len(field_info.defn.type_vars))
    base = next(b for b in field_info.mro if b.fullname == _FIELD)
    mapped = map_instance_to_supertype(instance, base)
    value: Type = mapped.args[0] if mapped.args else any_type
    null = not field_info.has_base(_TAG)
    for name, argument in zip(call.arg_names, call.args, strict=True):
        if name == "null" and isinstance(argument, NameExpr):
            null = argument.fullname != "builtins.False"
    return UnionType.make_union([value, NoneType()]) if null else value


def _time_type(ctx: ClassDefContext) -> Type:
    """``datetime | int | str | None``, with ``numpy.datetime64`` if imported."""
    api = ctx.api
    choices: list[Type] = [
        api.named_type("datetime.datetime"),
        api.named_type("builtins.int"),
        api.named_type("builtins.str"),
    ]
    numpy = api.lookup_fully_qualified_or_none("numpy.datetime64")
    if numpy is not None and isinstance(numpy.node, TypeInfo):
        choices.append(Instance(numpy.node, []))
    choices.append(NoneType())
    return UnionType.make_union(choices)


def _argument(name: str, typ: Type) -> Argument:
    return Argument(Var(name, typ), typ, None, ARG_NAMED_OPT)
