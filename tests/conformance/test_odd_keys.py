"""Stored keys spelt like the columns the engine's SQL names for itself.

InfluxDB accepts any tag or field key; the engine must answer the same
whatever the keys are called. Each query runs on the server and on the
engine and the two answers must match.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import T0, S, at, series
from influxpy import fields, models
from influxpy.durations import Second
from influxpy.exceptions import ProgrammingError
from influxpy.functions import (
    Bottom,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Elapsed,
    First,
    Max,
    Mean,
    MovingAverage,
    NonNegativeDifference,
    Percentile,
    Sum,
    Top,
)

_NAMES = [
    "grp_1", "grp_code_0", "grp_code_1", "col_0", "col_1", "call_0", "call_1",
    "aux_0", "aux_1", "x", "w", "r", "p", "q", "t", "n", "k", "keys", "keep",
    "first_window", "present", "assigned", "grid", "filled", "influxpy_n",
    "influxpy_w", "influxpy_k", "influxpy_p", "influxpy_r", "influxpy_rn",
    "influxpy_tie", "influxpy_rank", "influxpy_seen", "lo", "hi", "bucket",
    "start", "bigs", "px", "pt", "rn", "value", "code",
]  # fmt: skip


def _odd() -> type[Any]:
    """The measured field stored as ``v``, the tags as ``tag_0`` and
    ``tag_1``, a string field as ``grp_0``, and a string field under every
    other name of ``_NAMES``, each with a value of its own."""
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": _odd.__doc__,
        "Meta": type("Meta", (), {"measurement": "odd"}),
        "val": fields.FloatField(db_name="v"),
        "host": fields.InfluxTag(db_name="tag_0", null=True),
        "dc": fields.InfluxTag(db_name="tag_1", null=True),
        "label": fields.StringField(db_name="grp_0"),
    }
    for name in _NAMES:
        attrs[f"f_{name}"] = fields.StringField(db_name=name, null=True)
    return type("Odd", (models.InfluxMeasurement,), attrs)


Odd = _odd()


class Upper(models.InfluxMeasurement):
    """The same clash with the keys in upper case."""

    class Meta:
        measurement = "upper"

    val = fields.FloatField(db_name="V")
    host = fields.InfluxTag(db_name="TAG_0", null=True)
    dc = fields.InfluxTag(db_name="TAG_1", null=True)
    label = fields.StringField(db_name="GRP_0")
    junk = fields.StringField(db_name="X", null=True)
    more = fields.StringField(db_name="CALL_0", null=True)
    aux = fields.StringField(db_name="AUX_0", null=True)
    col = fields.StringField(db_name="COL_0", null=True)
    code = fields.StringField(db_name="GRP_CODE_0", null=True)
    w = fields.StringField(db_name="W", null=True)


def _points(model: type[Any]) -> list[Any]:
    out = []
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0, 1.0, 3.0]
    for k, value in enumerate(values):
        extra: dict[str, Any] = {}
        if model is Odd:
            extra = {f"f_{name}": f"{name}-{k}" for name in _NAMES}
        else:
            extra = {n: f"{n}-{k}" for n in ("junk", "more", "aux", "code", "w", "col")}
        out.append(
            model(
                time=T0 + 10 * k * S,
                val=value,
                host="ab"[k % 2],
                dc="xy"[k // 5],
                label=f"label-{k}",
                **extra,
            )
        )
    return out


@pytest.fixture(params=[Odd, Upper], ids=["lower", "upper"])
def stored(request: pytest.FixtureRequest, both: tuple[str, str]) -> Any:
    model = request.param
    for alias in both:
        model.series.using(alias).bulk_create(_points(model))
    return model, both


def _queries(model: Any, alias: str) -> dict[str, Any]:
    qs = model.series.using(alias)
    windows = qs.filter(time__gte=at(0), time__lt=at(120)).resolution(Second(20))
    return {
        "mean_windows_fill": windows.annotate(Mean("val")).group_by("host").fill(0),
        "count_fill_previous": windows.annotate(Count("val"), Sum("val"))
        .group_by("host", "dc")
        .fill("previous"),
        "fill_linear": windows.annotate(Max("val")).group_by("dc").fill("linear"),
        "selector_aux": qs.annotate(Max("val")).only("label", "dc"),
        "selector_aux_grouped": qs.annotate(First("val")).only("label").group_by("dc"),
        "selector_windows_aux": windows.annotate(Max("val"))
        .only("label", "host")
        .fill("previous"),
        "top_tags": qs.annotate(Top("val", "host", 2)),
        "top_grouped": qs.annotate(Top("val", 2)).group_by("dc"),
        "bottom_windows": windows.annotate(Bottom("val", 1)).group_by("host"),
        "derivative": qs.annotate(Derivative("val")).group_by("host"),
        "difference_mean": windows.annotate(Difference(Mean("val"))).group_by("dc"),
        "cumulative": qs.annotate(CumulativeSum("val")).group_by("host"),
        "moving": qs.annotate(MovingAverage("val", 2)),
        "raw_grouped": qs.only("val", "label").group_by("host"),
        "raw_all": qs.group_by("dc"),
        "percentile": qs.annotate(Percentile("val", 50)).group_by("host"),
        "percentile_windows": windows.annotate(Percentile("val", 50)),
        "tz_windows": windows.annotate(Mean("val"), Max("val"))
        .group_by("host")
        .tz("Europe/Paris"),
        "tz_top": windows.annotate(Top("val", 1)).tz("Europe/Paris"),
        "elapsed": qs.annotate(Elapsed("val")).group_by("dc"),
        "non_negative": qs.annotate(NonNegativeDifference("val")),
        "raw_ordered": qs.only("val").group_by("host").order_by("-time")[1:3],
        "subquery": windows.annotate(m=Mean("val"))
        .group_by("host")
        .subquery()
        .annotate(Max("m")),
        "subquery_grouped": qs.annotate(s=Sum("val"))
        .group_by("host", "dc")
        .subquery()
        .annotate(Sum("s"))
        .group_by("dc"),
    }


def _differing(model: Any, both: tuple[str, str]) -> list[str]:
    """The queries of ``_queries`` the engine answers unlike the server (or
    the server answers with nothing, which would prove nothing)."""
    server, engine = both
    expected, actual = _queries(model, server), _queries(model, engine)
    differ = []
    for name, qs in expected.items():
        reference = series(qs)
        try:
            same = bool(reference) and series(actual[name]) == reference
        except ProgrammingError as exc:
            same = False
            print(name, exc)
        if not same:
            differ.append(name)
    return differ


def test_keys_spelt_like_the_engines_columns_answer_as_on_the_server(
    stored: Any,
) -> None:
    model, both = stored
    assert _differing(model, both) == []


def test_a_grouped_mean_over_a_field_named_grp_0(both: tuple[str, str]) -> None:
    """The literal answer, grouped by a tag while a field is keyed ``grp_0``."""

    class Clash(models.InfluxMeasurement):
        class Meta:
            measurement = "clash"

        val = fields.FloatField(db_name="grp_0")
        host = fields.InfluxTag(null=True)

    for alias in both:
        Clash.series.using(alias).bulk_create(
            [
                Clash(time=at(0), val=1.0, host="a"),
                Clash(time=at(10), val=3.0, host="a"),
                Clash(time=at(20), val=10.0, host="b"),
            ]
        )
        answer = series(
            Clash.series.using(alias).annotate(Mean("val")).group_by("host")
        )
        assert answer == [
            ({"host": "a"}, [{"time": 0, "mean": 2.0}]),
            ({"host": "b"}, [{"time": 0, "mean": 10.0}]),
        ], alias


_MEASURED = [
    "grp_0", "grp_code_0", "col_0", "col_1", "call_0", "call_1", "aux_0",
    "tag_0", "v", "x", "w", "r", "p", "q", "t", "keys", "keep", "present",
    "first_window", "influxpy_n", "influxpy_w", "influxpy_k", "influxpy_rn",
    "influxpy_tie", "influxpy_r", "influxpy_p", "influxpy_seen", "px", "pt",
    "rn", "assigned", "filled", "GRP_0", "V", "X", "AUX_0", "INFLUXPY_K",
]  # fmt: skip


def _measured_as(index: int, key: str) -> type[Any]:
    """A model whose measured field is stored under *key*."""
    attrs = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"measurement": f"measured_{index}"}),
        "val": fields.FloatField(db_name=key),
        "host": fields.InfluxTag(null=True),
        "dc": fields.InfluxTag(null=True),
        "label": fields.StringField(null=True),
    }
    return type(f"Measured{index}", (models.InfluxMeasurement,), attrs)


def test_a_measured_field_keyed_like_the_engines_columns(
    both: tuple[str, str],
) -> None:
    """Every query of ``_queries`` over a field stored under each name."""
    differ: list[tuple[str, str]] = []
    for index, key in enumerate(_MEASURED):
        model = _measured_as(index, key)
        values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0, 1.0, 3.0]
        points = [
            model(
                time=at(10 * k), val=x, host="ab"[k % 2], dc="xy"[k // 5], label=f"l{k}"
            )
            for k, x in enumerate(values)
        ]
        for alias in both:
            model.series.using(alias).bulk_create(points)
        differ += [(key, name) for name in _differing(model, both)]
    assert differ == [], repr(differ)
