"""Models shared by the tests.

``ServerMeasurement`` is the README's example, unchanged. ``Reading`` has
one field of every type, a value field and a tag whose stored keys need
escaping, and a nullable tag. ``Downsampled`` lives in a retention policy,
``Archive`` in another database, and ``Odd`` has a measurement name that
needs escaping.
"""

from __future__ import annotations

from influxpy import fields, models


class ServerMeasurement(models.InfluxMeasurement):
    """The README's example measurement."""

    measurement = "servers"
    cpu = fields.InfluxField()
    memory = fields.IntegerField()
    free_memory = fields.IntegerField()
    name = fields.InfluxTag()
    region = fields.InfluxTag()
    optional_tag = fields.InfluxTag(null=True)


class Reading(models.InfluxMeasurement):
    """A field of every type, and keys that must be escaped."""

    class Meta:
        measurement = "readings"

    value = fields.FloatField()
    count = fields.IntegerField()
    ok = fields.BooleanField()
    message = fields.StringField()
    anything = fields.InfluxField()
    odd = fields.FloatField(db_name='odd "key" \\here')
    host = fields.InfluxTag()
    odd_tag = fields.InfluxTag(db_name='data center\'s "zone"')
    rack = fields.InfluxTag(null=True)


class Downsampled(models.InfluxMeasurement):
    """A measurement stored in the retention policy ``one_year``."""

    class Meta:
        measurement = "cpu_1h"
        retention_policy = "one_year"

    mean_cpu = fields.FloatField()
    name = fields.InfluxTag()


class Archive(models.InfluxMeasurement):
    """A measurement stored in the database ``archive``."""

    class Meta:
        measurement = "servers_archive"
        database = "archive"

    mean_cpu = fields.FloatField()
    name = fields.InfluxTag()


class Odd(models.InfluxMeasurement):
    """A measurement whose name holds a space, quotes and a backslash."""

    measurement = 'cpu "load" \\it\'s'
    value = fields.FloatField()
