"""A model's compiled ``__init__`` builds the same instances as the generic one.

Each concrete model gets an ``__init__`` generated from its fields (one
keyword per field, a type test per value before the field's ``to_python``).
These tests build instances both ways from the same values, plain and
unusual, and check the values stored and the errors raised are the same.
"""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
from typing import Any

import numpy as np
import pytest

from influxpy import fields, models
from influxpy.exceptions import FieldError


class Everything(models.InfluxMeasurement):
    measurement = "everything"
    any_value = fields.InfluxField()
    ratio = fields.FloatField()
    count = fields.IntegerField()
    flag = fields.BooleanField()
    text = fields.StringField()
    host = fields.InfluxTag()
    zone = fields.InfluxTag(null=True)
    level = fields.IntegerField(default=3)
    stamp = fields.StringField(default=lambda: "made")


class Text(str):
    pass


class Whole(int):
    pass


class Real(float):
    pass


VALUES: dict[str, list[Any]] = {
    "any_value": [
        1.5,
        2,
        True,
        "up",
        None,
        Real(1.25),
        np.float64(0.5),
        np.int32(4),
        np.bool_(False),
        decimal.Decimal("2.5"),
        float("nan"),
        float("inf"),
        -0.0,
        10**400,
        [1],
    ],
    "ratio": [
        1.5,
        3,
        None,
        Real(2.5),
        np.float32(0.25),
        True,
        "1.0",
        float("-inf"),
        decimal.Decimal("1e400"),
    ],
    "count": [
        7,
        -(2**63),
        2**63 - 1,
        2**63,
        -(2**63) - 1,
        Whole(5),
        4.0,
        4.5,
        np.int64(9),
        True,
        None,
        "3",
    ],
    "flag": [True, False, np.bool_(True), 1, None, "true"],
    "text": ["", "é", Text("x"), np.str_("y"), None, 5, b"z"],
    "host": ["web", Text("db"), "", None, 3],
    "zone": ["", None, "eu", 1.5],
    "time": [
        0,
        1_700_000_000_000_000_000,
        -(2**63) + 2,
        2**63 - 2,
        2**63,
        True,
        Whole(3),
        np.int64(5),
        None,
        "2024-01-01T00:00:00Z",
        "yesterday",
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 1),
        dt.date(2024, 1, 2),
        np.datetime64("2024-01-01T00:00:00.5"),
        1.5,
    ],
}


def _build(init: Any, values: dict[str, Any]) -> tuple[str, Any]:
    """The stored values (with their types), or the error's type and text."""
    obj = Everything.__new__(Everything)
    try:
        init(obj, **values)
    except (FieldError, TypeError) as exc:
        return ("error", (type(exc), str(exc)))
    stored = {k: (type(v), v) for k, v in obj.__dict__.items()}
    return ("ok", {k: v for k, v in stored.items() if v[1] == v[1]})


def test_the_model_has_a_compiled_init_with_a_keyword_per_field() -> None:
    init = Everything.__init__
    assert init is not models.InfluxMeasurement.__init__
    params = inspect.signature(init).parameters
    assert list(params)[1:-1] == ["time", *Everything._meta.fields]
    assert all(p.kind is p.KEYWORD_ONLY for p in list(params.values())[1:-1])


@pytest.mark.parametrize("name", sorted(VALUES))
def test_each_value_is_stored_or_refused_as_the_generic_init_does(name: str) -> None:
    base = {"host": "web", "any_value": 1.0}
    for value in VALUES[name]:
        given = {**base, name: value}
        compiled = _build(Everything.__init__, given)
        generic = _build(models.InfluxMeasurement.__init__, given)
        assert compiled == generic, (name, value)


def test_plain_values_are_stored_as_given_and_defaults_filled() -> None:
    text = "abc"
    point = Everything(time=5, host="h", any_value=2.5, count=7, text=text)
    assert point.__dict__["text"] is text
    assert point.time_ns == 5
    assert point.level == 3
    assert point.stamp == "made"
    assert point.ratio is None
    assert point.any_value == 2.5
    # An int stored in a value-typed field becomes a float, as ever.
    converted = Everything(host="h", any_value=2)
    assert type(converted.any_value) is float


def test_an_unknown_keyword_is_refused_naming_the_fields() -> None:
    with pytest.raises(FieldError, match=r"unexpected keyword argument 'hots'"):
        Everything(host="h", hots="x")
    with pytest.raises(TypeError, match="positional"):
        Everything("h")  # type: ignore[call-arg]


class WithLabel(models.InfluxMeasurement):
    measurement = "labelled"
    value = fields.FloatField()
    host = fields.InfluxTag()

    def __init__(self, *, label: str = "", **values: Any) -> None:
        super().__init__(**values)
        self.label = label


class Extended(WithLabel):
    extra = fields.IntegerField()


def test_a_model_with_its_own_init_keeps_it_and_so_do_its_subclasses() -> None:
    point = WithLabel(label="a", host="h", value=1)
    assert point.label == "a"
    assert point.value == 1.0
    child = Extended(label="b", host="h", value=2, extra=3)
    assert child.label == "b"
    assert (child.value, child.extra) == (2.0, 3)
    with pytest.raises(FieldError, match="extr"):
        Extended(host="h", extr=3)


class Base(models.InfluxMeasurement):
    measurement = "base"
    value = fields.FloatField()
    host = fields.InfluxTag()


class Child(Base):
    def __init__(self, **values: Any) -> None:
        values.setdefault("extra", 1)
        super().__init__(**values)

    extra = fields.IntegerField()


def test_super_init_into_a_compiled_parent_init_takes_the_child_fields() -> None:
    point = Child(host="h", value=1.5)
    assert (point.value, point.extra) == (1.5, 1)
    assert Base(host="h", value=1).value == 1.0
    with pytest.raises(FieldError, match="extra"):
        Base(host="h", extra=1)


class Upper(fields.StringField):
    """A user field class converting values its own way."""

    def _convert(self, value: Any) -> str:
        return str(value).upper()


class Custom(models.InfluxMeasurement):
    measurement = "custom"
    name = Upper()
    value = fields.FloatField()


def test_a_field_subclass_is_always_asked_to_convert() -> None:
    assert Custom(name="abc", value=1.0).name == "ABC"


class Abstract(models.InfluxMeasurement):
    class Meta:
        abstract = True

    host = fields.InfluxTag()


class Concrete(Abstract):
    value = fields.FloatField()


def test_abstract_models_still_refuse_instances_and_their_children_build() -> None:
    with pytest.raises(TypeError, match="abstract"):
        Abstract(host="h")
    assert Concrete(host="h", value=1).value == 1.0


class Builtins(models.InfluxMeasurement):
    """Attributes named after builtins the compiled checks use."""

    measurement = "builtins"
    float = fields.FloatField()
    str = fields.StringField()
    host = fields.InfluxTag()


def test_fields_named_after_builtins_are_still_converted() -> None:
    point = Builtins(host="h", float=1, str="x")
    assert type(point.float) is float
    assert point.str == "x"
    with pytest.raises(FieldError, match=r"Builtins\.float"):
        Builtins(host="h", float="1")
