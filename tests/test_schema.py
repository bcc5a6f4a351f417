"""Databases, retention policies, continuous queries and dropping data.

Statements are compared as text first; the behaviour tests then run each
statement on the test server (InfluxDB 1.6.7) and check its effect (a policy
that really is the default, a continuous query that really downsamples)
and, where the embedded engine has the feature, on the engine as well.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy import ContinuousQuery, RetentionPolicy, fields, models
from influxpy.aggregates import Max, Mean
from influxpy.compilers.influxql import InfluxQLCompiler
from influxpy.durations import Day, Hour, Minute, Second, Week
from influxpy.exceptions import (
    CompileError,
    DatabaseNotFoundError,
    FieldError,
    ImproperlyConfigured,
    ProgrammingError,
)
from influxpy.expressions import Now
from influxpy.introspection import get_introspection
from influxpy.query import Source
from influxpy.schema import (
    default_shard_duration,
    get_schema_editor,
    parse_go_duration,
)

S = 1_000_000_000
HOUR = 3600 * S
INF = None


def recent_hour() -> int:
    """The start of the hour two hours ago: inside every policy's duration."""
    return (time.time_ns() // HOUR - 2) * HOUR


def exact(text: str) -> str:
    return f"^{re.escape(text)}$"


class Weather(models.InfluxMeasurement):
    """Raw readings kept two weeks, with hourly and daily copies."""

    temperature = fields.FloatField()
    station = fields.InfluxTag()

    class Meta:
        retention_policy = RetentionPolicy("two_weeks", Week(2))
        aggregated_measurements = {
            Minute(5): "weather_5m",
            Hour(1): "weather_1h",
        }


class WeatherHourly(models.InfluxMeasurement):
    """The hourly copy, kept forever."""

    measurement = "weather_1h"
    temperature = fields.FloatField()
    station = fields.InfluxTag()

    class Meta:
        retention_policies = [RetentionPolicy("forever", INF)]
        retention_policy = "forever"


@pytest.fixture
def server(influx_url: str) -> Iterator[str]:
    """An alias connected to a fresh database on the server."""
    alias = "schema-server"
    backend = influxpy.connect(influx_url, alias=alias)
    try:
        yield alias
    finally:
        backend.close()


def policies(alias: str) -> list[RetentionPolicy]:
    return get_introspection(alias).retention_policies()


# -- statements ---------------------------------------------------------------


def test_retention_policy_statements_quote_every_name():
    """CREATE, ALTER, DROP and SHOW RETENTION POLICY quote names and durations."""
    compiler = InfluxQLCompiler()
    policy = RetentionPolicy('a "b"', Day(7), replication=2, shard_duration=Hour(2))
    assert compiler.create_retention_policy("my db", policy).text == (
        'CREATE RETENTION POLICY "a \\"b\\"" ON "my db" DURATION 7d REPLICATION 2 '
        "SHARD DURATION 2h"
    )
    forever = RetentionPolicy("inf", None, default=True)
    assert compiler.alter_retention_policy("db", forever).text == (
        'ALTER RETENTION POLICY "inf" ON "db" DURATION INF REPLICATION 1 DEFAULT'
    )
    assert compiler.drop_retention_policy("db", "rp").text == (
        'DROP RETENTION POLICY "rp" ON "db"'
    )
    assert compiler.show_retention_policies("db").text == (
        'SHOW RETENTION POLICIES ON "db"'
    )
    assert compiler.create_retention_policy("db", policy).writes
    assert not compiler.show_retention_policies("db").writes


def test_show_statements_quote_every_name():
    """The SHOW statements name the database and quote measurements and keys."""
    compiler = InfluxQLCompiler()
    assert compiler.show_measurements("d").text == 'SHOW MEASUREMENTS ON "d"'
    assert compiler.show_tag_keys("d", 'm"').text == 'SHOW TAG KEYS ON "d" FROM "m\\""'
    assert compiler.show_tag_keys("d").text == 'SHOW TAG KEYS ON "d"'
    assert compiler.show_tag_values("d", "m", "k'").text == (
        'SHOW TAG VALUES ON "d" FROM "m" WITH KEY = "k\'"'
    )
    assert compiler.show_field_keys("d", "m", "rp").text == (
        'SHOW FIELD KEYS ON "d" FROM "rp"."m"'
    )
    assert compiler.show_series("d", "m", without_tag="host").text == (
        'SHOW SERIES ON "d" FROM "m" WHERE "host" = \'\''
    )
    assert compiler.show_continuous_queries().text == "SHOW CONTINUOUS QUERIES"


def test_drop_statements():
    """DROP MEASUREMENT and DROP SERIES quote names; DROP SERIES keeps its WHERE."""
    compiler = InfluxQLCompiler()
    assert compiler.drop_measurement("a b").text == 'DROP MEASUREMENT "a b"'
    where = Weather.series.filter(station="x").query.where
    assert compiler.drop_series(Source("weather"), where).text == (
        'DROP SERIES FROM "weather" WHERE "station" = \'x\''
    )
    assert compiler.drop_series(Source("weather")).text == 'DROP SERIES FROM "weather"'


def test_continuous_query_statement_keeps_tags_and_resamples():
    """The CQ wraps the INTO query, with RESAMPLE EVERY … FOR … and GROUP BY *."""
    qs = (
        Weather.series.annotate(temperature=Mean("temperature"))
        .resolution(Hour(1))
        .into(WeatherHourly)
    )
    cq = qs.continuous_query(
        "weather 1h", resample_every=Minute(10), resample_for=Hour(2), database="db"
    )
    assert str(cq) == (
        'CREATE CONTINUOUS QUERY "weather 1h" ON "db" RESAMPLE EVERY 10m FOR 2h '
        'BEGIN SELECT mean("temperature") AS "temperature" INTO "forever"."weather_1h" '
        'FROM "two_weeks"."weather" GROUP BY time(1h), * END'
    )
    declared = (
        Weather.series.annotate(t=Max("temperature"))
        .group_by("station")
        .resolution(Minute(5))
        .into("weather_5m")
        .continuous_query("w5", resample_for=dt.timedelta(hours=1), database="db")
    )
    assert str(declared) == (
        'CREATE CONTINUOUS QUERY "w5" ON "db" RESAMPLE FOR 1h BEGIN SELECT '
        'max("temperature") AS "t" INTO "weather_5m" FROM "two_weeks"."weather" '
        'GROUP BY time(5m), "station" END'
    )
    plain = qs.continuous_query("plain", database="db")
    assert "RESAMPLE" not in str(plain)


def test_seed_continuous_query_signature():
    """ContinuousQuery(queryset, name, source, resample_every, resample_for) works."""
    qs = (
        Weather.series.annotate(temperature=Mean("temperature"))
        .resolution(Minute(5))
        .into("weather_5m")
    )
    cq = ContinuousQuery(qs, "w5", "metrics", Minute(1), Hour(1))
    assert cq.iql_query() == str(cq)
    assert cq.iql_query().startswith(
        'CREATE CONTINUOUS QUERY "w5" ON "metrics" RESAMPLE EVERY 1m FOR 1h BEGIN '
    )
    assert repr(cq).startswith("<ContinuousQuery 'w5': CREATE CONTINUOUS QUERY")


def test_continuous_query_needs_into_and_a_resolution():
    """A CQ without INTO or GROUP BY time is refused before anything is sent."""
    aggregate = Weather.series.annotate(Mean("temperature"))
    with pytest.raises(ValueError, match="call into\\(Target\\) on the QuerySet"):
        aggregate.resolution(Hour(1)).continuous_query("x")
    with pytest.raises(ValueError, match="needs time windows"):
        aggregate.into("x").continuous_query("x")
    with pytest.raises(ValueError, match="non-empty name"):
        aggregate.resolution(Hour(1)).into("x").continuous_query("")
    with pytest.raises(CompileError, match="needs into\\(target\\) and resolution"):
        InfluxQLCompiler().create_continuous_query("db", "x", aggregate.query)


# -- retention policies as values ---------------------------------------------


def test_retention_policy_validates_its_options():
    """Durations under an hour, bad replication and bad names are refused."""
    with pytest.raises(ValueError, match="must be Hour\\(1\\) or longer"):
        RetentionPolicy("short", Minute(30))
    with pytest.raises(ValueError, match="replication must be a whole number"):
        RetentionPolicy("r", Day(1), replication=0)
    with pytest.raises(ValueError, match="non-empty name"):
        RetentionPolicy("", Day(1))
    with pytest.raises(TypeError, match="takes a duration"):
        RetentionPolicy("r", 5)  # type: ignore[arg-type]
    assert RetentionPolicy("r", "INF").duration is None  # type: ignore[arg-type]
    assert RetentionPolicy("r", dt.timedelta(days=2)).duration == Day(2)


def test_default_shard_durations_follow_the_server():
    """Under 2 days 1h, under 180 days 1d, else 7d (as 1.6.7 picks them)."""
    assert default_shard_duration(Hour(47)) == Hour(1)
    assert default_shard_duration(Day(2)) == Day(1)
    assert default_shard_duration(Day(179)) == Day(1)
    assert default_shard_duration(Day(180)) == Week(1)
    assert default_shard_duration(None) == Week(1)
    assert (
        RetentionPolicy("r", Day(2), shard_duration=Hour(1)).differences(
            RetentionPolicy("r", Hour(48), shard_duration=Minute(60))
        )
        == []
    )


def test_go_durations_parse_exactly():
    """Durations as the server prints them become exact nanoseconds."""
    assert parse_go_duration("4800h0m0s") == 4800 * 3600 * S
    assert parse_go_duration("1h30m0s") == 5400 * S
    assert parse_go_duration("0s") == 0
    assert parse_go_duration("1.5s") == 1_500_000_000
    assert parse_go_duration("250ms") == 250_000_000
    with pytest.raises(ValueError, match="is not a duration"):
        parse_go_duration("1x")


def test_meta_retention_policies_are_checked_at_class_creation():
    """Two defaults, two declarations of one name and bad values are refused."""
    with pytest.raises(ImproperlyConfigured, match="several default retention"):

        class TwoDefaults(models.InfluxMeasurement):
            v = fields.FloatField()

            class Meta:
                retention_policies = [
                    RetentionPolicy("a", Day(1), default=True),
                    RetentionPolicy("b", Day(1), default=True),
                ]

    with pytest.raises(ImproperlyConfigured, match="twice with different options"):

        class Twice(models.InfluxMeasurement):
            v = fields.FloatField()

            class Meta:
                retention_policies = [RetentionPolicy("a", Day(1))]
                retention_policy = RetentionPolicy("a", Day(2))

    with pytest.raises(ImproperlyConfigured, match="takes a list of RetentionPolicy"):

        class NotPolicies(models.InfluxMeasurement):
            v = fields.FloatField()

            class Meta:
                retention_policies = ["a"]

    with pytest.raises(ImproperlyConfigured, match="keyed by durations"):

        class BadWindows(models.InfluxMeasurement):
            v = fields.FloatField()

            class Meta:
                aggregated_measurements = {"5m": "x"}


def test_a_declared_default_policy_is_the_models_policy():
    """Without Meta.retention_policy, the declared default policy is named."""

    class Raw(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            retention_policies = [
                RetentionPolicy("raw", Day(7), default=True),
                RetentionPolicy("forever", None),
            ]

    assert Raw._meta.retention_policy == "raw"
    assert str(Raw.series.query) == 'SELECT * FROM "raw"."raw"'
    assert [p.name for p in Raw._meta.retention_policies] == ["raw", "forever"]

    class Child(Raw):
        class Meta:
            measurement = "child"

    assert Child._meta.retention_policy == "raw"
    assert Child._meta.retention_policies == Raw._meta.retention_policies


# -- downsampled measurements -------------------------------------------------


def downsampled(resolution: Any, offset: Any = None) -> str:
    qs = Weather.series.annotate(t=Mean("temperature"))
    qs = qs.resolution(resolution, offset) if resolution else qs
    return str(qs.use_downsampled().query)


def test_use_downsampled_picks_the_coarsest_window_that_divides():
    """The coarsest copy whose window divides the resolution exactly is read."""
    assert downsampled(Hour(1)) == (
        'SELECT mean("temperature") AS "t" FROM "weather_1h" GROUP BY time(1h)'
    )
    assert 'FROM "weather_1h"' in downsampled(Minute(60))  # compared by length
    assert 'FROM "weather_1h"' in downsampled(Day(1))
    assert 'FROM "weather_5m"' in downsampled(Minute(10))
    assert 'FROM "weather_5m"' in downsampled(Minute(5))
    assert 'FROM "two_weeks"."weather"' in downsampled(Minute(7))
    assert 'FROM "two_weeks"."weather"' in downsampled(Minute(1))
    assert 'FROM "weather_5m"' in downsampled(Hour(1), Minute(5))
    assert 'FROM "two_weeks"."weather"' in downsampled(Hour(1), Minute(2))
    assert 'FROM "two_weeks"."weather"' in downsampled(Hour(1), Now())
    assert (
        downsampled(None)
        == 'SELECT mean("temperature") AS "t" FROM "two_weeks"."weather"'
    )


def test_use_downsampled_reads_a_models_policy():
    """A model as target reads its own measurement and retention policy."""

    class Source5m(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            aggregated_measurements = {Hour(1): WeatherHourly}

    qs = Source5m.series.annotate(v=Mean("v")).resolution(Hour(3)).use_downsampled()
    assert str(qs.query) == (
        'SELECT mean("v") AS "v" FROM "forever"."weather_1h" GROUP BY time(3h)'
    )
    # The raw query is untouched.
    assert "source5m" in str(
        Source5m.series.annotate(v=Mean("v")).resolution(Hour(3)).query
    )


def test_use_downsampled_reads_the_downsampled_points(conn: str):
    """The chosen copy is queried on both backends."""
    t0 = recent_hour()
    Weather.series.using(conn).ensure_schema()
    WeatherHourly.series.using(conn).ensure_schema()
    WeatherHourly.series.using(conn).bulk_create(
        [WeatherHourly(temperature=10.0, station="x", time=t0)]
    )
    Weather.series.using(conn).bulk_create(
        [Weather(temperature=99.0, station="x", time=t0)]
    )
    qs = (
        Weather.series.using(conn)
        .filter(time__gte=t0, time__lt=t0 + 3600 * S)
        .annotate(temperature=Mean("temperature"))
        .resolution(Hour(1))
    )
    # weather_1h in the default policy is empty; the model target is not.

    class Hourly(models.InfluxMeasurement):
        measurement = "weather"
        temperature = fields.FloatField()
        station = fields.InfluxTag()

        class Meta:
            retention_policy = "two_weeks"
            aggregated_measurements = {Hour(1): WeatherHourly}

    assert qs.points()[0]["temperature"] == 99.0
    downsampled_qs = (
        Hourly.series.using(conn)
        .filter(time__gte=t0, time__lt=t0 + 3600 * S)
        .annotate(temperature=Mean("temperature"))
        .resolution(Hour(1))
        .use_downsampled()
    )
    assert downsampled_qs.points()[0]["temperature"] == 10.0


# -- ensure_schema, on both backends ------------------------------------------------


def test_ensure_schema_creates_what_models_declare_once(conn: str):
    """The database and policies are created, then nothing changes."""
    done = Weather.series.using(conn).ensure_schema()
    assert done[-1] == "Created retention policy 'two_weeks' on " + (
        repr(get_introspection(conn).database) + "."
    )
    assert Weather.series.using(conn).ensure_schema() == []
    found = {p.name: p for p in policies(conn)}
    assert found["two_weeks"] == RetentionPolicy(
        "two_weeks", Week(2), shard_duration=Day(1)
    )
    assert found["autogen"] == RetentionPolicy(
        "autogen", None, shard_duration=Week(1), default=True
    )
    assert Weather.check_schema(using=conn) == [
        (
            "The measurement 'weather' of Weather does not exist in "
            f"{get_introspection(conn).database!r} (no point has been written yet)."
        )
    ]


def test_ensure_schema_alters_a_changed_policy(conn: str):
    """A policy whose declaration changed is altered, and reported."""

    class Before(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            retention_policy = RetentionPolicy("kept", Day(3))

    class After(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            retention_policy = RetentionPolicy("kept", Day(7), default=True)

    Before.series.using(conn).ensure_schema()
    done = After.series.using(conn).ensure_schema()
    database = get_introspection(conn).database
    assert done == [
        (
            f"Altered retention policy 'kept' on {database!r}: duration is 3d, "
            "declared 7d; it is not the default policy, declared default."
        )
    ]
    kept = {p.name: p for p in policies(conn)}["kept"]
    assert kept.duration is not None
    assert kept.duration.nanoseconds == Day(7).nanoseconds
    assert kept.default
    assert After.series.using(conn).ensure_schema() == []


def test_ensure_schema_refuses_conflicting_declarations(conn: str):
    """Two models declaring one policy differently are refused before any change."""

    class One(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            retention_policy = RetentionPolicy("shared", Day(3))

    class Two(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            retention_policy = RetentionPolicy("shared", Day(4))

    from influxpy.schema import ensure_schema

    with pytest.raises(ImproperlyConfigured, match="declare the retention policy"):
        ensure_schema([One, Two], using=conn)
    assert [p.name for p in policies(conn)] == ["autogen"]


def test_ensure_schema_creates_a_missing_database(conn: str):
    """A model naming another database gets it created."""

    class Elsewhere(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            database = "schema_elsewhere"

    editor = get_schema_editor(conn)
    try:
        assert Elsewhere.series.using(conn).ensure_schema() == [
            "Created database 'schema_elsewhere'."
        ]
        assert "schema_elsewhere" in editor.list_databases()
    finally:
        editor.drop_database("schema_elsewhere")


def test_schema_editor_creates_alters_and_drops_policies(conn: str):
    """Each statement's effect shows in the listed policies."""
    editor = get_schema_editor(conn)
    database = get_introspection(conn).database
    editor.create_retention_policy(RetentionPolicy("a", Day(1)), database)
    editor.create_retention_policy(RetentionPolicy("a", Day(1)), database)  # same
    with pytest.raises(ProgrammingError, match="already exists"):
        editor.create_retention_policy(RetentionPolicy("a", Day(2)), database)
    editor.alter_retention_policy(
        RetentionPolicy("a", Day(2), replication=1, shard_duration=Hour(2)), database
    )
    listed = {p.name: p for p in policies(conn)}
    assert listed["a"].duration == Day(2)
    assert listed["a"].shard_duration == Hour(2)
    editor.drop_retention_policy("a", database)
    editor.drop_retention_policy("a", database)  # idempotent
    assert [p.name for p in policies(conn)] == ["autogen"]
    with pytest.raises(DatabaseNotFoundError):
        get_introspection(conn, "schema_missing").retention_policies()


def test_meta_retention_policy_is_used_for_writes_and_reads(conn: str):
    """Points go to the model's policy, and its queries read them there."""
    Weather.series.using(conn).ensure_schema()
    Weather.series.using(conn).bulk_create(
        [Weather(temperature=1.5, station="x", time=recent_hour())]
    )

    class SameInAutogen(models.InfluxMeasurement):
        measurement = "weather"
        temperature = fields.FloatField()
        station = fields.InfluxTag()

    assert Weather.series.using(conn).count() == 1
    assert SameInAutogen.series.using(conn).count() == 0
    intro = get_introspection(conn)
    assert intro.field_keys("weather", "two_weeks") == {"temperature": "float"}
    assert intro.field_keys("weather") == {}


def test_a_default_policy_really_is_the_default(server: str):
    """After ensure_schema, points written naming no policy land in it."""

    class Raw(models.InfluxMeasurement):
        v = fields.FloatField()

        class Meta:
            retention_policy = RetentionPolicy("raw", Day(7), default=True)

    Raw.series.using(server).ensure_schema()
    backend = influxpy.get_connection(server)
    backend.write_lines([f"raw v=2.5 {time.time_ns()}"])
    intro = get_introspection(server)
    assert intro.default_retention_policy() == "raw"
    assert Raw.series.using(server).count() == 1

    class InAutogen(models.InfluxMeasurement):
        measurement = "raw"
        v = fields.FloatField()

        class Meta:
            retention_policy = "autogen"

    assert InAutogen.series.using(server).count() == 0


def test_embedded_engine_refuses_to_alter_a_missing_policy():
    """ALTER of a policy the database does not have is refused."""
    backend = influxpy.connect("duckdb://:memory:", alias="schema-embedded")
    try:
        editor = get_schema_editor(backend)
        with pytest.raises(ProgrammingError, match="does not exist"):
            editor.alter_retention_policy(RetentionPolicy("nope", Day(1)), "influxpy")
    finally:
        backend.close()


# -- continuous queries -------------------------------------------------------


def test_continuous_queries_are_created_listed_replaced_and_dropped(server: str):
    """create(), exists(), replace() and drop() change what the server lists."""
    WeatherHourly.series.using(server).ensure_schema()
    qs = (
        Weather.series.using(server)
        .annotate(temperature=Mean("temperature"))
        .resolution(Hour(1))
        .into(WeatherHourly)
    )
    Weather.series.using(server).ensure_schema()
    cq = qs.continuous_query("weather_1h", resample_every=Minute(10))
    assert not cq.exists()
    cq.create()
    cq.create()  # the same definition again changes nothing
    assert cq.exists()
    listed = get_introspection(server).continuous_queries()
    database = listed[0].database
    assert [(c.name, c.query) for c in listed] == [
        (
            "weather_1h",
            (
                f"CREATE CONTINUOUS QUERY weather_1h ON {database} RESAMPLE EVERY 10m "
                f"BEGIN SELECT mean(temperature) AS temperature INTO "
                f"{database}.forever.weather_1h FROM {database}.two_weeks.weather "
                "GROUP BY time(1h), * END"
            ),
        )
    ]
    other = qs.continuous_query("weather_1h", resample_every=Minute(20))
    with pytest.raises(ProgrammingError, match="continuous query already exists"):
        other.create()
    other.replace()
    assert "EVERY 20m" in get_introspection(server).continuous_queries()[0].query
    other.save(force=True)
    other.drop()
    other.drop()  # idempotent
    assert get_introspection(server).continuous_queries() == []
    assert not cq.exists()


def test_a_continuous_query_really_downsamples(server: str):
    """With RESAMPLE FOR, the server fills the target from recent points, per tag."""
    now = time.time_ns()
    window = 10 * S
    # Two full windows in the past, both inside RESAMPLE FOR 5m, even on a slow machine.
    start = (now - 40 * S) // window * window
    Weather.series.using(server).ensure_schema()
    Weather.series.using(server).bulk_create(
        [
            Weather(temperature=1.0, station="a", time=start),
            Weather(temperature=3.0, station="a", time=start + 2 * S),
            Weather(temperature=10.0, station="b", time=start + 4 * S),
            Weather(temperature=20.0, station="a", time=start + window),
        ]
    )

    class Target(models.InfluxMeasurement):
        measurement = "weather_10s"
        temperature = fields.FloatField()
        station = fields.InfluxTag()

    cq = (
        Weather.series.using(server)
        .annotate(temperature=Mean("temperature"))
        .resolution(Second(10))
        .into(Target)
        .continuous_query("w10", resample_every=Second(1), resample_for=Minute(5))
    )
    cq.create()
    expected = {
        ("a", start, 2.0),
        ("a", start + window, 20.0),
        ("b", start, 10.0),
    }
    deadline = time.monotonic() + 30
    found: set[tuple[str, int, float]] = set()
    while time.monotonic() < deadline:
        found = {
            (p.station, p.time_ns, p.temperature)
            for p in Target.series.using(server)
            .filter(time__lt=start + 2 * window)
            .instances()
        }
        if expected <= found:
            break
        time.sleep(0.5)
    cq.drop()
    assert expected <= found


def test_continuous_queries_are_stored_listed_and_dropped_on_the_embedded_engine():
    """create() stores the query, exists() finds it, replace() and drop() work."""
    backend = influxpy.connect("duckdb://:memory:", alias="schema-embedded-cq")
    try:
        qs = (
            Weather.series.using("schema-embedded-cq")
            .annotate(temperature=Mean("temperature"))
            .resolution(Hour(1))
            .into("weather_1h")
        )
        cq = qs.continuous_query("w")
        assert not cq.exists()
        cq.create()
        cq.create()  # the same definition again changes nothing
        assert cq.exists()
        [listed] = get_introspection(backend).continuous_queries()
        # The text influxd stores: identifiers quoted only where needed.
        assert listed.query.startswith("CREATE CONTINUOUS QUERY w ON influxpy BEGIN")
        other = qs.continuous_query("w", resample_every=Minute(20))
        with pytest.raises(ProgrammingError, match="continuous query already exists"):
            other.create()
        other.replace()
        assert "EVERY 20m" in get_introspection(backend).continuous_queries()[0].query
        other.drop()
        other.drop()  # idempotent
        assert not cq.exists()
    finally:
        backend.close()


# -- dropping data ------------------------------------------------------------


def seed(conn: str) -> None:
    class Plain(models.InfluxMeasurement):
        measurement = "plain"
        v = fields.FloatField()
        host = fields.InfluxTag(null=True)

    Plain.series.using(conn).bulk_create(
        [
            Plain(v=1.0, host="a", time=1 * S),
            Plain(v=2.0, host="b", time=2 * S),
            Plain(v=3.0, time=3 * S),
        ]
    )


class Plain(models.InfluxMeasurement):
    measurement = "plain"
    v = fields.FloatField()
    host = fields.InfluxTag(null=True)


def test_drop_removes_the_measurement(conn: str):
    """Model.series.drop() is DROP MEASUREMENT, and is idempotent."""
    seed(conn)
    Weather.series.using(conn).ensure_schema()
    Weather.series.using(conn).bulk_create([Weather(temperature=1.0, station="x")])
    intro = get_introspection(conn)
    assert intro.measurements() == ["plain", "weather"]
    Weather.series.using(conn).drop()  # in its own policy too
    Weather.series.using(conn).drop()
    assert intro.measurements() == ["plain"]
    assert Plain.series.using(conn).count() == 3


def test_drop_series_removes_the_matching_series(conn: str):
    """drop_series() removes whole series by tag, and every series without filters."""
    seed(conn)
    intro = get_introspection(conn)
    assert intro.series_cardinality("plain") == 3
    Plain.series.using(conn).filter(host="a").drop_series()
    assert intro.series_cardinality("plain") == 2
    assert sorted(p.v for p in Plain.series.using(conn).instances()) == [2.0, 3.0]
    Plain.series.using(conn).filter(host__isnull=True).drop_series()
    assert [p.v for p in Plain.series.using(conn).instances()] == [2.0]
    Plain.series.using(conn).drop_series()
    assert intro.series_cardinality() == 0
    assert intro.measurements() == []


def test_drop_and_drop_series_refuse_what_influxdb_cannot_do():
    """Filters on fields or time, annotations and slices are refused with reasons."""
    with pytest.raises(TypeError, match="drop\\(\\) removes the whole measurement"):
        Plain.series.filter(host="a").drop()
    with pytest.raises(FieldError, match=r"cannot test time\. Use delete\(\)"):
        Plain.series.filter(time__gte=0).drop_series()
    with pytest.raises(FieldError, match="cannot test the field 'v'"):
        Plain.series.filter(v=1).drop_series()
    with pytest.raises(TypeError, match="drop_series\\(\\) drops the series"):
        Plain.series.annotate(Mean("v")).drop_series()
    with pytest.raises(TypeError, match="drop_series\\(\\) drops the series"):
        Plain.series.all()[:1].drop_series()
    Plain.series.none().drop()  # finds nothing: no connection is needed
    Plain.series.none().drop_series()
