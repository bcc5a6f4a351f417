"""Models are checked when the class is created and saved to the real server."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import msgpack
import pytest

import influxpy
from _influxd import InfluxServer
from _models import ServerMeasurement
from influxpy import fields, models
from influxpy.exceptions import (
    DoesNotExist,
    FieldError,
    ImproperlyConfigured,
    LineProtocolError,
    MultipleObjectsReturned,
)

UTC = dt.UTC
T0 = 1_513_071_900_000_000_000
META_OPTIONS = (
    "abstract, aggregated_measurements, database, measurement, retention_policies, "
    "retention_policy, using"
)


def exact(text: str) -> str:
    """Return a pattern that matches *text* literally and entirely."""
    return f"^{re.escape(text)}$"


@pytest.fixture
def connected(influx_url: str) -> Iterator[str]:
    """Connect the default alias to the test's database; yield the database."""
    influxpy.connect(influx_url)
    try:
        yield influx_url.rsplit("/", 1)[1]
    finally:
        influxpy.connections.close_all()


def seed_point(**changes: object) -> ServerMeasurement:
    """The README's example point, with *changes*."""
    values: dict[str, object] = {
        "cpu": 34,
        "memory": 8192,
        "free_memory": 6542,
        "name": "i-3a99f2b",
        "region": "us-east-1",
        "time": dt.datetime(2017, 12, 12, 9, 45),
    }
    values.update(changes)
    return ServerMeasurement(**values)


def msgpack_query(server: InfluxServer, q: str, db: str) -> dict:
    """Run *q* asking for msgpack, the one format that keeps ints apart."""
    response = server.request(
        "POST",
        "/query",
        data={"q": q, "db": db, "epoch": "ns"},
        headers={"Accept": "application/x-msgpack"},
    )
    assert response.status_code == 200, response.text
    return msgpack.unpackb(response.content, raw=False)


# -- validation at class creation ---------------------------------------------


def test_two_fields_stored_under_one_key_are_refused() -> None:
    """Two attributes with the same stored key clash at class creation."""
    message = (
        "Clash.other and Clash.value are both stored as 'value'; give one of "
        "them another db_name."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):

        class Clash(models.InfluxMeasurement):
            value = fields.FloatField()
            other = fields.FloatField(db_name="value")


def test_a_tag_and_a_field_stored_under_one_key_are_refused() -> None:
    """A tag and a field may not share a stored key either: the error says
    how to declare a key that is a tag in some series and a field in others."""
    message = (
        "Clash.host_field and Clash.host are both stored as 'host'. A key that "
        "is a tag in some series and a field in others is declared once, as the "
        "field (Clash.host_field); read the tag with F('host', cast='tag'), "
        "filter it with host_field__tag=..., group by it with "
        "group_by(F('host', cast='tag'))."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):

        class Clash(models.InfluxMeasurement):
            host = fields.InfluxTag()
            host_field = fields.StringField(db_name="host")


@pytest.mark.parametrize("attname", ["save", "series", "values_dict", "time_ns"])
def test_attributes_the_model_uses_cannot_be_fields(attname) -> None:
    """A field may not hide a model method or attribute such as save or series."""
    message = (
        f"Reserved.{attname} clashes with a name the model itself uses; rename "
        f"the attribute and keep the stored key with db_name={attname!r}."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        type(
            "Reserved",
            (models.InfluxMeasurement,),
            {attname: fields.FloatField(), "__module__": __name__},
        )


def test_a_reserved_name_can_be_stored_with_db_name() -> None:
    """The way out the message suggests works: another attribute, same key."""

    class Saved(models.InfluxMeasurement):
        save_count = fields.IntegerField(db_name="save")
        series_name = fields.InfluxTag(db_name="series")

    assert Saved.save_count.db_name == "save"
    assert Saved.series_name.db_name == "series"


@pytest.mark.parametrize(
    ("attrs", "attname"),
    [
        (
            {"value": fields.FloatField(), "when": fields.InfluxTag(db_name="time")},
            "when",
        ),
        ({"value": fields.FloatField(db_name="time")}, "value"),
        ({"time": fields.FloatField()}, "time"),
    ],
    ids=["tag-db-name", "field-db-name", "field-attribute"],
)
def test_time_is_reserved_as_a_tag_or_field_key(attrs, attname) -> None:
    """Nothing but the point's time may be stored as 'time'."""
    message = (
        f"Timed.{attname} would be stored as 'time', which InfluxDB reserves "
        "for the point's time; choose another db_name."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        type("Timed", (models.InfluxMeasurement,), {**attrs, "__module__": __name__})


def test_a_time_field_must_be_named_time() -> None:
    """A TimeField under another attribute name is refused."""
    message = (
        "Timed.when is a TimeField; the time of a point is always the attribute 'time'."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):

        class Timed(models.InfluxMeasurement):
            value = fields.FloatField()
            when = fields.TimeField()


@pytest.mark.parametrize(
    "attrs", [{"host": fields.InfluxTag()}, {}], ids=["only-tags", "empty"]
)
def test_a_measurement_without_a_value_field_is_refused(attrs) -> None:
    """A concrete measurement needs at least one value field."""
    message = (
        "Tagged has no value field; a measurement needs at least one field such "
        "as fields.InfluxField() besides its tags."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        type("Tagged", (models.InfluxMeasurement,), {**attrs, "__module__": __name__})


def test_an_unknown_meta_option_is_refused_with_the_valid_ones() -> None:
    """A misspelt Meta option lists the valid options and suggests one."""
    message = (
        "Typo.Meta has an unknown option 'measurment'; valid options are: "
        f"{META_OPTIONS}. Did you mean 'measurement'?"
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):

        class Typo(models.InfluxMeasurement):
            value = fields.FloatField()

            class Meta:
                measurment = "typo"


def test_an_unknown_meta_option_without_a_close_match() -> None:
    """Without a close match the message just lists the valid options."""
    message = (
        f"Odd.Meta has an unknown option 'ordering'; valid options are: {META_OPTIONS}."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):

        class Odd(models.InfluxMeasurement):
            value = fields.FloatField()

            class Meta:
                ordering = ("time",)


def test_measurement_must_be_a_non_empty_string() -> None:
    """The measurement name is checked at class creation."""
    message = "Numbered.measurement must be a non-empty str, got 5."

    with pytest.raises(ImproperlyConfigured, match=exact(message)):

        class Numbered(models.InfluxMeasurement):
            measurement = 5
            value = fields.FloatField()


@pytest.mark.parametrize(
    ("class_name", "measurement"),
    [
        ("ServerMeasurement", "server_measurement"),
        ("Cpu", "cpu"),
        ("HTTPServerStats", "http_server_stats"),
        ("CPULoad5m", "cpu_load5m"),
        ("diskio", "diskio"),
    ],
)
def test_measurement_defaults_to_the_snake_case_class_name(
    class_name, measurement
) -> None:
    """Without a measurement name the class name in snake_case is used."""
    model = type(
        class_name,
        (models.InfluxMeasurement,),
        {"value": fields.FloatField(), "__module__": __name__},
    )

    assert model.measurement == measurement
    assert model._meta.measurement == measurement


def test_measurement_from_the_class_body_or_meta() -> None:
    """The seed's class attribute and Meta.measurement both name the measurement."""

    class FromBody(models.InfluxMeasurement):
        measurement = "servers"
        value = fields.FloatField()

    class FromMeta(models.InfluxMeasurement):
        value = fields.FloatField()

        class Meta:
            measurement = "disks"

    assert (FromBody.measurement, FromBody._meta.measurement) == ("servers",) * 2
    assert (FromMeta.measurement, FromMeta._meta.measurement) == ("disks",) * 2


def test_meta_options_are_kept_on_meta() -> None:
    """database, retention_policy and using end up on ``_meta``."""

    class Configured(models.InfluxMeasurement):
        value = fields.FloatField()

        class Meta:
            database = "metrics"
            retention_policy = "one_year"
            using = "archive"

    meta = Configured._meta
    assert (meta.database, meta.retention_policy, meta.using) == (
        "metrics",
        "one_year",
        "archive",
    )
    assert repr(meta) == "<Options for Configured>"


def test_defaults_of_meta_options() -> None:
    """A model without Meta uses the default alias and the connection's database."""
    meta = ServerMeasurement._meta

    assert (meta.database, meta.retention_policy, meta.using) == (None, None, "default")
    assert meta.abstract is False
    assert meta.field_names == (
        "time",
        "cpu",
        "memory",
        "free_memory",
        "name",
        "region",
        "optional_tag",
    )
    assert [f.name for f in meta.tags] == ["name", "region", "optional_tag"]
    assert [f.name for f in meta.values] == ["cpu", "memory", "free_memory"]


# -- inheritance --------------------------------------------------------------


class Host(models.InfluxMeasurement):
    """An abstract base: shared tags and Meta, no measurement of its own."""

    host = fields.InfluxTag()
    region = fields.InfluxTag(null=True)

    class Meta:
        abstract = True
        database = "metrics"
        using = "monitoring"


class DiskUsage(Host):
    """A concrete measurement inheriting the tags and Meta of ``Host``."""

    used = fields.IntegerField()


class NetStats(Host):
    """A second concrete child of ``Host``."""

    received = fields.IntegerField()

    class Meta:
        measurement = "net"


def test_a_child_inherits_fields_and_meta_from_an_abstract_base() -> None:
    """Fields come parent first; Meta's database and using are inherited."""
    meta = DiskUsage._meta

    assert list(meta.fields) == ["host", "region", "used"]
    assert (meta.database, meta.using) == ("metrics", "monitoring")
    assert DiskUsage.measurement == "disk_usage"
    assert NetStats.measurement == "net"
    assert meta.abstract is False


def test_inherited_fields_belong_to_the_child() -> None:
    """Each child owns copies of the inherited fields, bound to itself."""
    assert DiskUsage.host is not Host.host
    assert DiskUsage.host is not NetStats.host
    assert DiskUsage.host.model is DiskUsage
    assert repr(DiskUsage.host) == "<TagField: DiskUsage.host>"


def test_an_abstract_model_cannot_be_instantiated_or_queried() -> None:
    """An abstract base is neither a point nor a query."""
    with pytest.raises(
        TypeError, match=exact("Host is abstract and cannot be instantiated.")
    ):
        Host(host="a")
    with pytest.raises(
        AttributeError,
        match=exact("Host is abstract: query one of its concrete subclasses."),
    ):
        Host.series  # noqa: B018


def test_an_abstract_model_needs_no_value_field() -> None:
    """The value-field rule applies to concrete models only."""
    assert Host._meta.abstract is True
    assert list(Host._meta.fields) == ["host", "region"]


def test_each_model_has_its_own_exception_classes() -> None:
    """DoesNotExist and MultipleObjectsReturned are subclassed per model."""
    assert DiskUsage.DoesNotExist is not NetStats.DoesNotExist
    assert issubclass(DiskUsage.DoesNotExist, Host.DoesNotExist)
    assert issubclass(DiskUsage.DoesNotExist, DoesNotExist)
    assert issubclass(ServerMeasurement.DoesNotExist, influxpy.DoesNotExist)
    assert not issubclass(ServerMeasurement.DoesNotExist, DiskUsage.DoesNotExist)
    assert issubclass(DiskUsage.MultipleObjectsReturned, Host.MultipleObjectsReturned)
    assert issubclass(
        ServerMeasurement.MultipleObjectsReturned, MultipleObjectsReturned
    )
    assert ServerMeasurement.DoesNotExist.__qualname__ == (
        "ServerMeasurement.DoesNotExist"
    )
    assert DiskUsage.MultipleObjectsReturned.__qualname__ == (
        "DiskUsage.MultipleObjectsReturned"
    )


def test_model_alias_is_the_base_class() -> None:
    """``models.Model`` is Django's name for ``InfluxMeasurement``."""
    assert models.Model is models.InfluxMeasurement
    assert influxpy.Model is models.InfluxMeasurement


# -- instances ----------------------------------------------------------------


def test_an_unknown_keyword_lists_the_fields_and_suggests_one() -> None:
    """A misspelt keyword names the fields and the closest one."""
    message = (
        "ServerMeasurement() got an unexpected keyword argument 'nmae'; fields "
        "are: cpu, free_memory, memory, name, optional_tag, region, time. "
        "Did you mean 'name'?"
    )

    with pytest.raises(FieldError, match=exact(message)) as info:
        ServerMeasurement(cpu=1, nmae="i-1")

    assert info.value.field == "nmae"


def test_an_unknown_keyword_without_a_close_match() -> None:
    """Without a close match the message lists the fields only."""
    message = (
        "ServerMeasurement() got an unexpected keyword argument 'zzz'; fields "
        "are: cpu, free_memory, memory, name, optional_tag, region, time."
    )

    with pytest.raises(FieldError, match=exact(message)):
        ServerMeasurement(cpu=1, zzz=2)


def test_repr_shows_time_and_the_values_set() -> None:
    """repr shows the time in RFC 3339, to the nanosecond, and every value set."""
    point = seed_point()

    assert repr(point) == (
        "ServerMeasurement(time='2017-12-12T09:45:00Z', cpu=34.0, "
        "memory=8192, free_memory=6542, name='i-3a99f2b', region='us-east-1')"
    )
    assert repr(ServerMeasurement(cpu=1)) == "ServerMeasurement(cpu=1.0)"
    exact = ServerMeasurement(cpu=1, time=1_513_071_900_000_000_001)
    assert repr(exact) == (
        "ServerMeasurement(time='2017-12-12T09:45:00.000000001Z', cpu=1.0)"
    )


def test_a_failed_save_leaves_no_stamped_time(influx_server) -> None:
    """save() stamps the time only when the point is stored."""
    influxpy.connect(
        f"influxdb://{influx_server.host}:{influx_server.port}/no_such_database"
    )
    point = ServerMeasurement(cpu=1, name="a", region="b")
    with pytest.raises(influxpy.DatabaseNotFoundError):
        point.save()
    assert point.time_ns is None
    influxpy.connections.close_all()


def test_equal_points_compare_equal() -> None:
    """Points are equal when model, time and every value are equal."""
    point = seed_point()
    same = seed_point(cpu=34.0, time="2017-12-12T09:45:00Z")

    assert point == same
    assert hash(point) == hash(same)
    assert point != seed_point(cpu=35)
    assert point != seed_point(time=T0 + 1)
    assert point != seed_point(optional_tag="x")
    assert point.__eq__("not a point") is NotImplemented
    assert point != DiskUsage(host="i-3a99f2b", used=1, time=T0)


def test_values_dict_skips_none_and_can_give_nanoseconds() -> None:
    """values_dict() gives time first, skips None, and gives ns on request."""
    point = seed_point(time=T0 + 5)

    assert point.values_dict(ns=True) == {
        "time": T0 + 5,
        "cpu": 34.0,
        "memory": 8192,
        "free_memory": 6542,
        "name": "i-3a99f2b",
        "region": "us-east-1",
    }
    assert point.values_dict()["time"] == dt.datetime(2017, 12, 12, 9, 45, tzinfo=UTC)


def test_series_is_not_reachable_from_an_instance() -> None:
    """``point.series`` is an error that points at ``Model.series``."""
    message = (
        "'series' is reachable from the model class, not from an instance: use "
        "ServerMeasurement.series."
    )
    point = seed_point()

    with pytest.raises(AttributeError, match=exact(message)):
        point.series  # noqa: B018
    assert not hasattr(point, "series")
    assert isinstance(ServerMeasurement.series, influxpy.QuerySet)


# -- saving to the real server ------------------------------------------------


def test_the_readme_example_saves_with_its_types(
    influx_server: InfluxServer, connected: str
) -> None:
    """The README's point is stored with cpu as float and memory as integer."""
    seed_point().save()

    body = msgpack_query(influx_server, "SELECT * FROM servers", connected)
    series = body["results"][0]["series"]
    assert series == [
        {
            "name": "servers",
            "columns": ["time", "cpu", "free_memory", "memory", "name", "region"],
            "values": [[T0, 34.0, 6542, 8192, "i-3a99f2b", "us-east-1"]],
        }
    ]
    row = series[0]["values"][0]
    assert [type(v) for v in row[1:4]] == [float, int, int]

    keys = influx_server.query("SHOW FIELD KEYS FROM servers", connected)
    assert keys["results"][0]["series"][0]["values"] == [
        ["cpu", "float"],
        ["free_memory", "integer"],
        ["memory", "integer"],
    ]
    tags = influx_server.query("SHOW TAG KEYS FROM servers", connected)
    assert tags["results"][0]["series"][0]["values"] == [["name"], ["region"]]


def test_an_untyped_field_stays_float_for_integers(
    influx_server: InfluxServer, connected: str
) -> None:
    """cpu=34 then cpu=35.5 are both floats: the type never flips."""
    seed_point(cpu=34).save()
    seed_point(cpu=35.5, time=T0 + 1).save()

    body = influx_server.query("SELECT cpu FROM servers", connected, epoch="ns")
    assert body["results"][0]["series"][0]["values"] == [[T0, 34], [T0 + 1, 35.5]]
    keys = influx_server.query("SHOW FIELD KEYS FROM servers", connected)
    assert ["cpu", "float"] in keys["results"][0]["series"][0]["values"]


def test_a_nullable_tag_left_none_is_absent(
    influx_server: InfluxServer, connected: str
) -> None:
    """optional_tag left None is not written; set, it is a tag."""
    seed_point().save()
    seed_point(optional_tag="canary", time=T0 + 1).save()

    body = influx_server.query(
        "SELECT cpu FROM servers GROUP BY optional_tag", connected, epoch="ns"
    )
    series = body["results"][0]["series"]
    assert [(s["tags"], s["values"]) for s in series] == [
        ({"optional_tag": ""}, [[T0, 34]]),
        ({"optional_tag": "canary"}, [[T0 + 1, 34]]),
    ]


def test_db_names_are_the_keys_on_the_server(
    influx_server: InfluxServer, connected: str
) -> None:
    """Fields and tags are stored under their db_name."""

    class Renamed(models.InfluxMeasurement):
        cpu_load = fields.FloatField(db_name="cpu load")
        data_center = fields.InfluxTag(db_name="data-center")

    Renamed(cpu_load=0.5, data_center="eu", time=T0).save()

    body = influx_server.query(
        'SELECT "cpu load" FROM renamed GROUP BY "data-center"', connected, epoch="ns"
    )
    assert body["results"][0]["series"] == [
        {
            "name": "renamed",
            "tags": {"data-center": "eu"},
            "columns": ["time", "cpu load"],
            "values": [[T0, 0.5]],
        }
    ]


def test_an_omitted_time_is_stamped_at_save_in_nanoseconds(
    influx_server: InfluxServer, connected: str
) -> None:
    """save() stamps the client's time in ns, keeps it and writes exactly it."""
    points = [seed_point(time=None, name=f"i-{n}") for n in range(5)]
    assert all(p.time_ns is None for p in points)

    before = time.time_ns()
    for point in points:
        point.save()
    after = time.time_ns()

    stamps = [p.time_ns for p in points]
    assert all(isinstance(s, int) and before <= s <= after for s in stamps)
    assert stamps == sorted(stamps)
    # Whole microseconds five times in a row would mean the ns were lost.
    assert any(s % 1000 for s in stamps)
    body = influx_server.query(
        'SELECT cpu FROM servers GROUP BY "name"', connected, epoch="ns"
    )
    stored = {
        s["tags"]["name"]: s["values"][0][0] for s in body["results"][0]["series"]
    }
    assert stored == {f"i-{n}": stamps[n] for n in range(5)}
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    assert points[0].time == epoch + dt.timedelta(microseconds=stamps[0] // 1000)


def test_a_given_time_is_not_changed_by_save(
    influx_server: InfluxServer, connected: str
) -> None:
    """save() keeps a time given by the user, to the nanosecond."""
    point = seed_point(time=T0 + 123_456_789)

    point.save()

    assert point.time_ns == T0 + 123_456_789
    body = influx_server.query("SELECT cpu FROM servers", connected, epoch="ns")
    assert body["results"][0]["series"][0]["values"] == [[T0 + 123_456_789, 34]]


def test_create_saves_and_returns_the_point(
    influx_server: InfluxServer, connected: str
) -> None:
    """Model.series.create(...) builds, stamps and saves one point."""
    point = ServerMeasurement.series.create(
        cpu=1, memory=2, free_memory=1, name="a", region="b"
    )

    assert isinstance(point, ServerMeasurement)
    assert point.time_ns is not None
    body = influx_server.query("SELECT memory FROM servers", connected, epoch="ns")
    assert body["results"][0]["series"][0]["values"] == [[point.time_ns, 2]]


def test_a_point_without_field_values_is_refused_at_save(
    influx_server: InfluxServer, connected: str
) -> None:
    """Tags alone are not a point: save() refuses and writes nothing."""
    point = ServerMeasurement(name="i-3a99f2b", region="us-east-1", time=T0)

    with pytest.raises(LineProtocolError) as info:
        point.save()

    assert str(info.value) == (
        "Cannot write the point of measurement 'servers': a point needs at least "
        "one field value that is not None ('cpu', 'memory', 'free_memory') "
        f"(got {point!r})."
    )
    assert isinstance(info.value, ValueError)
    body = influx_server.query("SHOW MEASUREMENTS", connected)
    assert "series" not in body["results"][0]


@pytest.mark.parametrize("value", [None, ""], ids=["omitted", "empty"])
def test_a_missing_required_tag_is_refused_at_save(
    influx_server: InfluxServer, connected: str, value
) -> None:
    """A required tag left out (or empty) is refused before anything is sent."""
    values = {"cpu": 1, "region": "us-east-1", "time": T0}
    if value is not None:
        values["name"] = value
    point = ServerMeasurement(**values)
    message = (
        f"Cannot write measurement 'servers': the tag 'name' is required and "
        f"was {value!r}; give it a value or declare it InfluxTag(null=True)."
    )

    with pytest.raises(FieldError, match=exact(message)) as info:
        point.save()

    assert info.value.field == "name"
    body = influx_server.query("SHOW MEASUREMENTS", connected)
    assert "series" not in body["results"][0]


def test_get_raises_the_models_own_does_not_exist(connected: str) -> None:
    """get() that finds nothing raises Model.DoesNotExist."""
    seed_point().save()

    with pytest.raises(
        ServerMeasurement.DoesNotExist,
        match=exact("ServerMeasurement matching the query does not exist."),
    ):
        ServerMeasurement.series.get(name="nobody")


def test_a_key_the_line_protocol_cannot_carry_fails_at_class_creation() -> None:
    """A db_name InfluxDB would misread is refused when the model is declared."""
    message = (
        "Broken cannot be stored: Cannot write field key 'a\\\\ b' of measurement "
        "'broken': InfluxDB misreads a backslash right before a delimiter in a key "
        "(got 'a\\\\ b')."
    )
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):

        class Broken(models.InfluxMeasurement):
            value = fields.FloatField(db_name="a\\ b")
