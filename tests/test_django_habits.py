"""Django's QuerySet habits with a time-series meaning, on both backends.

``values()``, ``values_list()``, ``latest()`` and ``earliest()`` run on the
real server and on the engine (the ``conn`` fixture); the spellings influxpy
does not have (``Model.objects``, ``qs.update()``, ``annotate('name')``)
fail with an error that names the one to use.
"""

from __future__ import annotations

import re

import pytest

from influxpy import F, fields, models
from influxpy.exceptions import FieldError
from influxpy.functions import Max, Sum

S = 1_000_000_000
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z


class Sample(models.InfluxMeasurement):
    """Two fields that a point may lack, and a tag."""

    class Meta:
        measurement = "habits"

    v = fields.FloatField()
    n = fields.IntegerField()
    host = fields.InfluxTag()


def at(seconds: int) -> int:
    return T0 + seconds * S


@pytest.fixture
def store(conn: str) -> str:
    """Four points: the third has no ``v``, the second no ``n``."""
    Sample.series.using(conn).bulk_create(
        [
            Sample(time=at(0), v=1.0, n=1, host="a"),
            Sample(time=at(10), v=2.0, host="b"),
            Sample(time=at(20), n=3, host="a"),
            Sample(time=at(30), v=4.0, n=4, host="b"),
        ]
    )
    return conn


def exact(text: str) -> str:
    return f"^{re.escape(text)}$"


# -- values() and values_list() ------------------------------------------------


def test_values_gives_a_dict_per_point_with_the_names_asked(store: str) -> None:
    qs = Sample.series.using(store).epoch()
    assert list(qs.values("time", "v")) == [
        {"time": at(0), "v": 1.0},
        {"time": at(10), "v": 2.0},
        {"time": at(20), "v": None},
        {"time": at(30), "v": 4.0},
    ]
    # Time only when asked; tags like fields.
    assert list(qs.filter(host="a").values("host", "n")) == [
        {"host": "a", "n": 1},
        {"host": "a", "n": 3},
    ]
    assert list(qs.values()) == list(qs.points())
    assert qs.values("v").first() == {"v": 1.0}
    assert qs.values("v").last() == {"v": 4.0}
    assert qs.values("time", "n").get(host="b", n=4) == {"time": at(30), "n": 4}


def test_values_list_gives_tuples_in_the_order_of_the_names(store: str) -> None:
    qs = Sample.series.using(store).epoch()
    assert list(qs.values_list("v", "time")) == [
        (1.0, at(0)),
        (2.0, at(10)),
        (None, at(20)),
        (4.0, at(30)),
    ]
    assert list(qs.values_list("v", flat=True)) == [1.0, 2.0, None, 4.0]
    assert qs.values_list("n", flat=True).last() == 4
    assert list(qs.values_list()) == [tuple(p.values()) for p in qs.points()]


def test_values_of_a_grouped_aggregate_name_its_tags_and_outputs(store: str) -> None:
    qs = Sample.series.using(store).group_by("host").annotate(total=Sum("v"))
    assert list(qs.values("host", "total")) == [
        {"host": "a", "total": 1.0},
        {"host": "b", "total": 6.0},
    ]
    assert list(qs.values_list("total", flat=True)) == [1.0, 6.0]


def test_values_naming_a_column_the_query_lacks_is_an_error(store: str) -> None:
    qs = Sample.series.using(store)
    with pytest.raises(
        FieldError,
        match=exact(
            "values() names 'vv', which this query does not return; it returns: "
            "host, n, time, v. Did you mean 'v'?"
        ),
    ):
        list(qs.values("time", "vv"))
    with pytest.raises(FieldError, match="values_list\\(\\) names 'v', which"):
        list(qs.annotate(top=Max("n")).values_list("v"))


def test_values_list_flat_takes_one_name() -> None:
    with pytest.raises(
        TypeError,
        match=exact(
            "values_list(flat=True) takes exactly one name, got 2; drop "
            "flat=True to get tuples."
        ),
    ):
        Sample.series.values_list("v", "n", flat=True)
    with pytest.raises(ValueError, match="takes each name once"):
        Sample.series.values("v", "v")


# -- latest() and earliest() ----------------------------------------------------


def test_latest_and_earliest_go_by_time(store: str) -> None:
    qs = Sample.series.using(store)
    latest = qs.latest()
    assert (latest.time_ns, latest.v, latest.n, latest.host) == (at(30), 4.0, 4, "b")
    earliest = qs.earliest()
    assert (earliest.time_ns, earliest.v, earliest.host) == (at(0), 1.0, "a")
    assert qs.filter(host="a").latest().time_ns == at(20)
    # Django's spellings of the order: 'time', and '-time' for the other end.
    assert qs.latest("time").time_ns == at(30)
    assert qs.latest("-time").time_ns == at(0)
    assert qs.earliest("-time").time_ns == at(30)


def test_latest_with_field_names_finds_a_point_with_a_value(store: str) -> None:
    qs = Sample.series.using(store).filter(host="a")
    # The latest point of host a (t=20) has no v: latest('v') skips it.
    got = qs.latest("v")
    assert (got.time_ns, got.v, got.n, got.host) == (at(0), 1.0, None, "a")
    assert qs.earliest("n").time_ns == at(0)
    assert Sample.series.using(store).filter(host="b").earliest("n").time_ns == at(30)
    assert Sample.series.using(store).values("v").latest() == {"v": 4.0}


def test_latest_of_nothing_raises_does_not_exist(store: str) -> None:
    qs = Sample.series.using(store).filter(host="zz")
    assert qs.last() is None
    with pytest.raises(
        Sample.DoesNotExist,
        match=exact(
            "Sample matching the query has no points, so latest() has nothing "
            "to return (last() returns None instead)."
        ),
    ):
        qs.latest()
    with pytest.raises(Sample.DoesNotExist, match="so earliest\\(\\) has nothing"):
        qs.earliest("v")


async def test_async_latest_and_earliest(store: str) -> None:
    qs = Sample.series.using(store)
    assert (await qs.alatest()).time_ns == at(30)
    assert (await qs.aearliest("n")).time_ns == at(0)
    with pytest.raises(Sample.DoesNotExist):
        await qs.filter(host="zz").aearliest()


def test_latest_refuses_tags_and_other_orders() -> None:
    with pytest.raises(
        FieldError,
        match=exact(
            "latest() takes value fields, whose values a point may lack; 'host' "
            "is a tag, so filter on it instead: filter(host=...).latest()."
        ),
    ):
        Sample.series.latest("host")
    with pytest.raises(FieldError, match="InfluxDB orders points by time only"):
        Sample.series.earliest("-v")
    with pytest.raises(TypeError, match="already selects with annotate"):
        Sample.series.annotate(top=Max("v")).latest("v")


# -- annotate() -------------------------------------------------------------------


def test_annotate_with_a_lone_name_says_what_to_use() -> None:
    with pytest.raises(
        TypeError,
        match=exact(
            "annotate() takes functions and expressions such as Mean('cpu') or "
            "F('cpu') * 2, not the bare string 'host'; a name only adds a column "
            "beside one (Max('cpu'), 'host'). To pick fields use only('host') "
            "or values('host')."
        ),
    ):
        Sample.series.annotate("host")
    with pytest.raises(TypeError, match="not the bare string 'v'"):
        Sample.series.annotate(x="v")


def test_annotate_keeps_names_beside_a_selector(store: str) -> None:
    qs = Sample.series.using(store).epoch()
    assert qs.annotate(Max("v"), "host").first() == {
        "time": at(30),
        "max": 4.0,
        "host": "b",
    }


def test_single_rows_of_an_annotated_query_keep_the_new_columns(store: str) -> None:
    qs = Sample.series.using(store).epoch().filter(host="b")
    assert qs.annotate(double=F("v") * 2).first() == {"time": at(10), "double": 4.0}
    assert qs.annotate(double=F("v") * 2).get(n=4) == {"time": at(30), "double": 8.0}
    # instances() and values() keep their shape.
    point = qs.instances().annotate(double=F("v") * 2).first()
    assert isinstance(point, Sample)
    assert point.time_ns == at(10)
    assert qs.values("double").annotate(double=F("v") * 2).last() == {"double": 8.0}


# -- spellings influxpy does not have ----------------------------------------------


def test_django_manager_names_point_at_series() -> None:
    with pytest.raises(
        AttributeError,
        match=exact(
            "Sample has no 'objects' manager; influxpy's manager is Sample.series "
            "(for example Sample.series.filter(...))."
        ),
    ):
        _ = Sample.objects  # type: ignore[attr-defined]
    with pytest.raises(
        AttributeError,
        match=exact(
            "Sample has no attribute 'filter'; queries start from the manager: "
            "Sample.series.filter(...)."
        ),
    ):
        _ = Sample.filter  # type: ignore[attr-defined]
    assert not hasattr(Sample, "objects")
    with pytest.raises(AttributeError, match=r"has no attribute 'nothing'$"):
        _ = Sample.nothing  # type: ignore[attr-defined]


def test_update_says_how_points_are_changed() -> None:
    with pytest.raises(
        TypeError,
        match=exact(
            "InfluxDB has no UPDATE, so a QuerySet has no update(); write the "
            "point again with the same time and tags (Sample(time=..., ...)"
            ".save() or Sample.series.bulk_create([...])) and its fields are "
            "merged into the stored point."
        ),
    ):
        Sample.series.filter(host="a").update(v=2.0)


async def test_aupdate_says_so_too() -> None:
    with pytest.raises(TypeError, match="InfluxDB has no UPDATE"):
        await Sample.series.aupdate(v=2.0)


def test_writing_again_at_the_same_time_merges(store: str) -> None:
    """What the update() error advises does what it says, on both backends."""
    qs = Sample.series.using(store)
    qs.bulk_create([Sample(time=at(20), v=9.0, host="a")])
    got = qs.filter(host="a").latest()
    assert (got.time_ns, got.v, got.n) == (at(20), 9.0, 3)
