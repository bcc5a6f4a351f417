"""Introspection: what a live database holds, and models generated from it.

``get_introspection(using, database)`` returns an ``Introspection`` for one
database of one connection: measurements, tag keys and values, field keys
with their types, series cardinality, retention policies and continuous
queries. Each backend names its class (``introspection_class``, in
``influxpy.backends``): on InfluxDB every question is a SHOW statement
built by the InfluxQL compiler; on the embedded engine it is answered from
the engine's catalog. ``check_schema(model)`` compares a model with what is stored, and
``generate_models()`` writes model classes for an existing database (the
``influxpy inspect`` command, Django's ``inspectdb``).

This module builds no statement text itself and never imports httpx or
duckdb.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from influxpy.backends.base import ContinuousQueryInfo, Introspection
from influxpy.backends.duckdb_schema import (
    EmbeddedIntrospection as EmbeddedIntrospection,
)
from influxpy.backends.influxql_schema import (
    InfluxQLIntrospection as InfluxQLIntrospection,
)

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.models import InfluxMeasurement

__all__ = [
    "ColumnSpec",
    "ContinuousQueryInfo",
    "Introspection",
    "ModelSpec",
    "check_schema",
    "generate_models",
    "get_introspection",
]

#: Field classes by the type InfluxDB reports.
FIELD_CLASSES = {
    "float": "FloatField",
    "integer": "IntegerField",
    "boolean": "BooleanField",
    "string": "StringField",
}


def get_introspection(
    using: str | Backend = "default", database: str | None = None
) -> Introspection:
    """Return the introspection of *database* on a connection.

    *using* is an alias or a backend; *database* defaults to the
    connection's.
    """
    from influxpy.connection import get_connection

    backend = get_connection(using) if isinstance(using, str) else using
    return backend.introspection(database)


# -- comparing a model with the database --------------------------------------

_KIND_ARTICLES = {"integer": "an integer", "any": "an untyped"}


def check_schema(
    model: type[InfluxMeasurement], *, using: str | None = None
) -> list[str]:
    """Return the differences between *model* and the live database.

    Each difference is one sentence: a missing database, measurement,
    retention policy, tag or field, a field stored with another type than
    the model writes, a key stored as a tag where the model has a field (or
    the reverse), a policy whose options differ, and keys stored but not
    declared. An empty list means the model matches.
    """
    qs = model.series.all() if using is None else model.series.using(using)
    backend = qs._backend()
    database = qs._database(backend)
    meta = model._meta
    name = model.__name__
    measurement = meta.measurement
    intro = backend.introspection(database)
    if database not in intro.databases():
        return [f"The database {database!r} does not exist."]
    problems: list[str] = []
    stored_policies = {p.name: p for p in intro.retention_policies()}
    for policy in meta.retention_policies:
        current = stored_policies.get(policy.name)
        if current is None:
            problems.append(
                f"The retention policy {policy.name!r} that {name} declares does "
                f"not exist on {database!r}."
            )
        else:
            changes = policy.differences(current)
            if changes:
                what = "; ".join(changes)
                problems.append(
                    f"The retention policy {policy.name!r} differs from {name}'s "
                    f"declaration: {what}."
                )
    rp = meta.retention_policy
    if rp is not None and rp not in stored_policies:
        if not any(p.name == rp for p in meta.retention_policies):
            problems.append(
                f"The retention policy {rp!r} that {name} uses does not exist on "
                f"{database!r}."
            )
        return problems
    if measurement not in intro.measurements():
        problems.append(
            f"The measurement {measurement!r} of {name} does not exist in "
            f"{database!r} (no point has been written yet)."
        )
        return problems
    tags = set(intro.tag_keys(measurement))
    fields = intro.field_keys(measurement, rp)
    where = f"measurement {measurement!r}"
    if rp is not None:
        where += f" (retention policy {rp!r})"
    for field in meta.fields.values():
        key = field.db_name
        label = f"{name}.{field.name}"
        if field.is_tag:
            if key in tags:
                continue
            if key in fields:
                problems.append(
                    f"{label} is a tag, but {key!r} is stored as a field of {where}."
                )
            else:
                problems.append(f"{label}: the tag {key!r} is not in {where}.")
            continue
        stored = fields.get(key)
        if stored is None:
            if key in tags:
                problems.append(
                    f"{label} is a field, but {key!r} is stored as a tag of {where}."
                )
            else:
                problems.append(f"{label}: the field {key!r} is not in {where}.")
            continue
        problem = _type_problem(label, type(field).__name__, field.kind, key, stored)
        if problem:
            problems.append(problem)
    declared = {f.db_name for f in meta.fields.values()}
    problems.extend(
        f"The tag {key!r} of {where} is not declared on {name}."
        for key in sorted(tags - declared)
    )
    for key, kind in sorted(fields.items()):
        if key not in declared:
            problems.append(
                f"The field {key!r} ({kind}) of {where} is not declared on {name}."
            )
    return problems


def _type_problem(
    label: str, class_name: str, kind: str, key: str, stored: str
) -> str | None:
    kinds = stored.split("|")
    if kind == "any":
        if "integer" in kinds:
            return (
                f"{label} is an InfluxField, which writes numbers as float, but "
                f"{key!r} is stored as integer; declare it IntegerField."
            )
        return None
    if kinds == [kind]:
        return None
    article = _KIND_ARTICLES.get(kind, f"a {kind}")
    shown = " and ".join(kinds)
    an = "an" if class_name[0] in "AEIOU" else "a"
    return (
        f"{label} is {an} {class_name} ({article} field), but {key!r} is stored "
        f"as {shown}."
    )


# -- inspectdb ----------------------------------------------------------------


@dataclasses.dataclass
class ColumnSpec:
    """One attribute of a generated model: a tag or a typed field."""

    attname: str
    key: str
    kind: str
    is_tag: bool = False
    null: bool = False
    comment: str = ""

    def render(self) -> str:
        """The attribute's line of Python source."""
        args = []
        if self.attname != self.key:
            args.append(f"db_name={self.key!r}")
        if self.is_tag:
            if self.null:
                args.append("null=True")
            line = f"{self.attname} = fields.InfluxTag({', '.join(args)})"
        else:
            cls = FIELD_CLASSES.get(self.kind, "InfluxField")
            line = f"{self.attname} = fields.{cls}({', '.join(args)})"
        if self.comment:
            line += f"  # {self.comment}"
        return line

    def build(self) -> Any:
        """The field object itself."""
        from influxpy import fields

        db_name = self.key if self.attname != self.key else None
        if self.is_tag:
            return fields.TagField(db_name=db_name, null=self.null)
        cls = getattr(fields, FIELD_CLASSES.get(self.kind, "InfluxField"))
        return cls(db_name=db_name)


@dataclasses.dataclass
class ModelSpec:
    """A model to generate for one stored measurement."""

    class_name: str
    measurement: str
    columns: list[ColumnSpec]
    retention_policy: str | None = None
    comments: list[str] = dataclasses.field(default_factory=list)

    def render(self) -> str:
        """The class as Python source."""
        lines = [f"class {self.class_name}(models.InfluxMeasurement):"]
        lines.extend(f"    # {c}" for c in self.comments)
        lines.append(f"    measurement = {self.measurement!r}")
        lines.append("")
        lines.extend(f"    {column.render()}" for column in self.columns)
        if self.retention_policy is not None:
            lines.extend(
                [
                    "",
                    "    class Meta:",
                    f"        retention_policy = {self.retention_policy!r}",
                ]
            )
        return "\n".join(lines) + "\n"

    def build(self, **meta: Any) -> type[InfluxMeasurement]:
        """Create the model class; *meta* adds ``Meta`` options (``using``…)."""
        from influxpy.models import InfluxMeasurement

        options = dict(meta)
        if self.retention_policy is not None:
            options.setdefault("retention_policy", self.retention_policy)
        attrs: dict[str, Any] = {
            "__module__": __name__,
            "__qualname__": self.class_name,
            "measurement": self.measurement,
            "Meta": type("Meta", (), options),
        }
        for column in self.columns:
            attrs[column.attname] = column.build()
        model: type[InfluxMeasurement] = type(
            self.class_name, (InfluxMeasurement,), attrs
        )
        return model


def _reserved_names() -> frozenset[str]:
    from influxpy.models import InfluxMeasurement

    names = {a for a in dir(InfluxMeasurement) if not a.startswith("__")}
    return frozenset(names | {"Meta", "time", "measurement", "fields", "models"})


def attribute_name(key: str, taken: Iterable[str], suffix: str = "field") -> str:
    """Return a Python attribute name for the stored *key*.

    The key itself when it is a valid identifier, not a keyword and not a
    name the model uses; otherwise a cleaned-up name (``usage idle`` ->
    ``usage_idle``, ``class`` -> ``class_field``), numbered if taken.
    """
    reserved = _reserved_names()
    name = key
    if not name.isidentifier() or name.startswith("_"):
        name = re.sub(r"\W+", "_", name).strip("_").lower() or suffix
        if name[0].isdigit():
            name = f"{suffix}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in reserved:
        name = f"{name}_{suffix}"
    taken = set(taken)
    base, number = name, 2
    while name in taken or name in reserved:
        name = f"{base}_{number}"
        number += 1
    return name


def class_name(measurement: str, taken: Iterable[str] = ()) -> str:
    """Return a CapWords class name for *measurement* (``cpu_load`` -> ``CpuLoad``)."""
    words = [w for w in re.split(r"[\W_]+", measurement) if w]
    name = "".join(w[0].upper() + w[1:] for w in words) or "Measurement"
    if name[0].isdigit():
        name = f"M{name}"
    if keyword.iskeyword(name) or name in ("InfluxMeasurement", "Meta"):
        name = f"{name}Measurement"
    taken = set(taken)
    base, number = name, 2
    while name in taken:
        name = f"{base}{number}"
        number += 1
    return name


def model_spec(
    intro: Introspection,
    measurement: str,
    *,
    retention_policy: str | None = None,
    taken_classes: Iterable[str] = (),
) -> ModelSpec:
    """Describe the model for *measurement* from what is stored.

    Without *retention_policy*, the default policy's field types are read;
    when it holds no fields of the measurement, the first policy that does
    is used and named in ``Meta``.
    """
    rp = retention_policy
    fields = intro.field_keys(measurement, rp)
    if not fields and rp is None:
        for policy in intro.retention_policies():
            fields = intro.field_keys(measurement, policy.name)
            if fields:
                rp = policy.name
                break
    spec = ModelSpec(
        class_name(measurement, taken_classes), measurement, [], retention_policy=rp
    )
    taken: list[str] = []
    tags = intro.tag_keys(measurement)
    for key in tags:
        attname = attribute_name(key, taken, "tag")
        taken.append(attname)
        null = intro.series_without_tag(measurement, key) > 0
        spec.columns.append(ColumnSpec(attname, key, "string", is_tag=True, null=null))
    for key, kind in fields.items():
        if key in tags:
            spec.comments.append(
                f"The field {key!r} ({kind}) has the key of a tag; a model cannot "
                "hold both, so it is left out."
            )
            continue
        attname = attribute_name(key, taken, "field")
        taken.append(attname)
        comment = ""
        if "|" in kind:
            kinds = kind.replace("|", " and ")
            comment = f"stored as {kinds} in different shards"
            kind = "any"
        spec.columns.append(ColumnSpec(attname, key, kind, comment=comment))
    if not any(not c.is_tag for c in spec.columns):
        spec.comments.append(
            "No field was found; a model needs one, so this class fails until "
            "a field is added."
        )
    return spec


def generate_models(
    intro: Introspection,
    measurements: Sequence[str] | None = None,
    *,
    retention_policy: str | None = None,
    header: str = "",
) -> str:
    """Return Python source declaring one model per measurement.

    *measurements* defaults to every measurement of the database.
    """
    names = list(measurements) if measurements else intro.measurements()
    lines: list[str] = []
    if header:
        lines.extend(f"# {line}" if line else "#" for line in header.splitlines())
    lines.append("from influxpy import fields, models")
    taken: list[str] = []
    for measurement in names:
        spec = model_spec(
            intro,
            measurement,
            retention_policy=retention_policy,
            taken_classes=taken,
        )
        taken.append(spec.class_name)
        lines.extend(["", "", spec.render().rstrip("\n")])
    return "\n".join(lines) + "\n"
