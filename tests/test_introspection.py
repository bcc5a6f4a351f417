"""Introspection, check_schema() and generated models, on both backends.

Each test writes the same points through line protocol to the test server
(InfluxDB 1.6.7) and to a fresh embedded engine, then asks the same
questions: the answers must be identical.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from influxpy import RetentionPolicy, fields, models
from influxpy.durations import Day
from influxpy.introspection import (
    ContinuousQueryInfo,
    attribute_name,
    class_name,
    generate_models,
    get_introspection,
)

S = 1_000_000_000
LINES = [
    'cpu,host=a,region=eu usage=1.5,count=3i,msg="hi",ok=true 1000000000',
    "cpu,host=b usage=2.5,count=4i 2000000000",
    "cpu,host=b usage=3.5 3000000000",
    "mem,host=a free=10i 1000000000",
    (
        "odd\\ one,data\\ center=x,class=y,for=z,time\\ zone=utc value=1,series=2i,"
        'save="s",1st=true 1000000000'
    ),
]


@pytest.fixture
def conn(conn: str) -> str:
    """The shared ``conn``, holding ``LINES``."""
    influxpy.get_connection(conn).write_lines(LINES)
    return conn


def test_measurements_tags_and_fields(conn: str):
    """Measurements, tag keys and values, and typed field keys, sorted."""
    intro = get_introspection(conn)
    assert intro.measurements() == ["cpu", "mem", "odd one"]
    assert intro.tag_keys("cpu") == ["host", "region"]
    assert intro.tag_values("cpu", "host") == ["a", "b"]
    assert intro.tag_values("cpu", "region") == ["eu"]
    assert intro.field_keys("cpu") == {
        "count": "integer",
        "msg": "string",
        "ok": "boolean",
        "usage": "float",
    }
    assert intro.field_keys("nope") == {}
    assert intro.tag_keys("nope") == []


def test_series_cardinality(conn: str):
    """Series are counted exactly, in all and per measurement."""
    intro = get_introspection(conn)
    assert intro.series_cardinality() == 4
    assert intro.series_cardinality("cpu") == 2
    assert intro.series_without_tag("cpu", "region") == 1
    assert intro.series_without_tag("cpu", "host") == 0


def test_retention_policies_and_continuous_queries(conn: str):
    """A fresh database has autogen, the default, and no continuous queries."""
    intro = get_introspection(conn)
    assert [(p.name, p.default) for p in intro.retention_policies()] == [
        ("autogen", True)
    ]
    assert intro.default_retention_policy() == "autogen"
    assert intro.continuous_queries() == []
    assert intro.database in intro.databases()
    assert repr(intro).startswith("<")


# -- check_schema -------------------------------------------------------------


class Cpu(models.InfluxMeasurement):
    measurement = "cpu"
    usage = fields.FloatField()
    count = fields.IntegerField()
    msg = fields.StringField()
    ok = fields.BooleanField()
    host = fields.InfluxTag()
    region = fields.InfluxTag(null=True)


class WrongCpu(models.InfluxMeasurement):
    measurement = "cpu"
    usage = fields.IntegerField()
    count = fields.InfluxField()
    host = fields.StringField()
    zone = fields.InfluxTag()
    missing = fields.FloatField()
    msg = fields.InfluxTag()


def test_check_schema_of_a_matching_model_is_empty(conn: str):
    """A model that matches the stored measurement has no differences."""
    assert Cpu.check_schema(using=conn) == []


def test_check_schema_lists_every_difference(conn: str):
    """Types, roles, missing and undeclared keys are reported as sentences."""
    assert WrongCpu.check_schema(using=conn) == [
        (
            "WrongCpu.usage is an IntegerField (an integer field), but 'usage' is "
            "stored as float."
        ),
        (
            "WrongCpu.count is an InfluxField, which writes numbers as float, but "
            "'count' is stored as integer; declare it IntegerField."
        ),
        (
            "WrongCpu.host is a field, but 'host' is stored as a tag of measurement "
            "'cpu'."
        ),
        "WrongCpu.zone: the tag 'zone' is not in measurement 'cpu'.",
        "WrongCpu.missing: the field 'missing' is not in measurement 'cpu'.",
        ("WrongCpu.msg is a tag, but 'msg' is stored as a field of measurement 'cpu'."),
        "The tag 'region' of measurement 'cpu' is not declared on WrongCpu.",
        "The field 'ok' (boolean) of measurement 'cpu' is not declared on WrongCpu.",
    ]


def test_check_schema_reports_missing_things(conn: str):
    """A missing measurement, policy or database is one sentence."""

    class Nowhere(models.InfluxMeasurement):
        v = fields.FloatField()

    class InPolicy(models.InfluxMeasurement):
        measurement = "cpu"
        usage = fields.FloatField()

        class Meta:
            retention_policies = [RetentionPolicy("week", Day(7))]
            retention_policy = "gone"

    class OtherDatabase(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            database = "introspection_missing"

    database = get_introspection(conn).database
    assert Nowhere.check_schema(using=conn) == [
        (
            f"The measurement 'nowhere' of Nowhere does not exist in {database!r} "
            "(no point has been written yet)."
        )
    ]
    assert InPolicy.check_schema(using=conn) == [
        (
            f"The retention policy 'week' that InPolicy declares does not exist on "
            f"{database!r}."
        ),
        (
            f"The retention policy 'gone' that InPolicy uses does not exist on "
            f"{database!r}."
        ),
    ]
    assert OtherDatabase.check_schema(using=conn) == [
        "The database 'introspection_missing' does not exist."
    ]


# -- inspectdb ----------------------------------------------------------------


def test_attribute_and_class_names():
    """Keys that are not identifiers, keywords or model names get clean names."""
    assert attribute_name("usage", []) == "usage"
    assert attribute_name("usage idle", []) == "usage_idle"
    assert attribute_name("class", []) == "class_field"
    assert attribute_name("series", [], "tag") == "series_tag"
    assert attribute_name("1st", []) == "field_1st"
    assert attribute_name("_private", []) == "private"
    assert attribute_name("a-b", ["a_b"]) == "a_b_2"
    assert attribute_name("---", []) == "field"
    assert attribute_name("match", []) == "match_field"
    assert class_name("cpu_load") == "CpuLoad"
    assert class_name("http.requests") == "HttpRequests"
    assert class_name("5xx") == "M5xx"
    assert class_name("cpu", ["Cpu"]) == "Cpu2"
    assert class_name("!!") == "Measurement"


def test_generated_models_import_and_query(conn: str):
    """Generated source runs, and its models read the stored points."""
    intro = get_introspection(conn)
    source = generate_models(intro, header="Generated.")
    assert source.startswith("# Generated.\nfrom influxpy import fields, models\n")
    assert "class OddOne(models.InfluxMeasurement):\n    measurement = 'odd one'" in (
        source
    )
    assert "    class_tag = fields.InfluxTag(db_name='class')\n" in source
    assert "    data_center = fields.InfluxTag(db_name='data center')\n" in source
    assert "    region = fields.InfluxTag(null=True)\n" in source
    assert "    series_field = fields.IntegerField(db_name='series')\n" in source
    assert "    field_1st = fields.BooleanField(db_name='1st')\n" in source
    namespace: dict[str, Any] = {"__name__": "generated"}
    exec(compile(source, "generated", "exec"), namespace)
    cpu = namespace["Cpu"]
    rows = cpu.series.using(conn).filter(host="b").order_by("time").instances()
    assert [(r.usage, r.count) for r in rows] == [(2.5, 4), (3.5, None)]
    odd = namespace["OddOne"].series.using(conn).instances()[0]
    assert (odd.class_tag, odd.for_tag, odd.time_zone, odd.save_field) == (
        "y",
        "z",
        "utc",
        "s",
    )
    assert namespace["Mem"].series.using(conn).first().free == 10
    assert cpu.check_schema(using=conn) == []


def test_generated_models_name_the_policy_holding_the_fields(conn: str):
    """A measurement stored outside the default policy gets Meta.retention_policy."""

    class Kept(models.InfluxMeasurement):
        v = fields.IntegerField()

        class Meta:
            retention_policy = RetentionPolicy("kept", None)

    Kept.series.using(conn).ensure_schema()
    Kept.series.using(conn).bulk_create([Kept(v=1, time=S)])
    source = generate_models(get_introspection(conn), ["kept"])
    assert source.endswith(
        "class Kept(models.InfluxMeasurement):\n"
        "    measurement = 'kept'\n\n"
        "    v = fields.IntegerField()\n\n"
        "    class Meta:\n"
        "        retention_policy = 'kept'\n"
    )
    assert ContinuousQueryInfo("a", "b", "c").name == "a"
