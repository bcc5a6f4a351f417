"""influxpy: time series for humans and robots.

A Django-style ORM for InfluxDB. Declare a measurement as a class, write
points with ``save()`` or ``bulk_create()``, and query with lazy QuerySets
that compile to safely escaped InfluxQL, on an InfluxDB server or on the
embedded engine::

    from influxpy import models, fields
    from influxpy.aggregates import Mean
    from influxpy.durations import Minute

    class ServerMeasurement(models.InfluxMeasurement):
        measurement = 'servers'
        cpu = fields.InfluxField()
        name = fields.InfluxTag()

    qs = (ServerMeasurement.series.filter(name='a')
          .annotate(cpu_m=Mean('cpu')).resolution(Minute(5)))

The package map: ``models`` and ``fields`` declare measurements;
``expressions``, ``lookups`` and ``functions`` build conditions and
selections; ``query`` holds the dialect-free query; ``compilers`` turn it
into InfluxQL or SQL; ``backends`` talk to a store; ``queryset`` is the
query API; ``connection`` opens stores by URL; ``exceptions`` is the error
tree.
"""

from __future__ import annotations

from influxpy import fields, functions, models
from influxpy.connection import (
    DatabaseURL,
    connect,
    connections,
    get_connection,
    register_backend,
)
from influxpy.durations import *  # noqa: F403
from influxpy.durations import __all__ as _durations_all
from influxpy.exceptions import *  # noqa: F403
from influxpy.exceptions import __all__ as _exceptions_all
from influxpy.expressions import F, Now, Q, Raw, Value
from influxpy.fields import (
    BooleanField,
    FloatField,
    InfluxField,
    InfluxTag,
    IntegerField,
    StringField,
    TagField,
    TimeField,
)
from influxpy.functions import *  # noqa: F403
from influxpy.functions import __all__ as _functions_all
from influxpy.models import InfluxMeasurement, Model
from influxpy.queryset import QuerySet
from influxpy.results import InfluxResult

__version__ = "0.1.0"

__all__ = sorted(
    {
        "BooleanField",
        "DatabaseURL",
        "F",
        "FloatField",
        "InfluxField",
        "InfluxMeasurement",
        "InfluxResult",
        "InfluxTag",
        "IntegerField",
        "Model",
        "Now",
        "Q",
        "QuerySet",
        "Raw",
        "StringField",
        "TagField",
        "TimeField",
        "Value",
        "__version__",
        "connect",
        "connections",
        "fields",
        "functions",
        "get_connection",
        "models",
        "register_backend",
        *_durations_all,
        *_exceptions_all,
        *_functions_all,
    }
)
