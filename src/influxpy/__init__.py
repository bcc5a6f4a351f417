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
query API (sync and async); ``writer`` writes points in batches from the
background; ``connection`` opens stores by URL; ``schema`` creates
retention policies and continuous queries; ``introspection`` reads what a
live database holds; ``exceptions`` is the error tree.
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
from influxpy.durations import *
from influxpy.exceptions import *
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
from influxpy.functions import *
from influxpy.models import InfluxMeasurement, Model
from influxpy.queryset import QuerySet
from influxpy.results import InfluxResult, StatementResult
from influxpy.schema import ContinuousQuery, RetentionPolicy
from influxpy.writer import AsyncBatchWriter, BatchWriter

__version__ = "0.1.0"

__all__ = [
    "Abs",
    "Acos",
    "Aggregate",
    "Asin",
    "AsyncBatchWriter",
    "Atan",
    "Atan2",
    "AuthenticationError",
    "BatchWriteError",
    "BatchWriter",
    "BooleanField",
    "Bottom",
    "Ceil",
    "ChandeMomentumOscillator",
    "CompileError",
    "ContinuousQuery",
    "Cos",
    "Count",
    "CumulativeSum",
    "DatabaseError",
    "DatabaseNotFoundError",
    "DatabaseURL",
    "Day",
    "Days",
    "Derivative",
    "Difference",
    "Distinct",
    "DoesNotExist",
    "DoubleExponentialMovingAverage",
    "Duration",
    "Elapsed",
    "Exp",
    "ExponentialMovingAverage",
    "F",
    "FieldError",
    "FieldTypeConflictError",
    "First",
    "FloatField",
    "Floor",
    "Func",
    "HoltWinters",
    "HoltWintersWithFit",
    "Hour",
    "Hours",
    "ImproperlyConfigured",
    "InfluxField",
    "InfluxMeasurement",
    "InfluxQLParseError",
    "InfluxResult",
    "InfluxTag",
    "InfluxpyError",
    "IntegerField",
    "Integral",
    "InterfaceError",
    "KaufmansAdaptiveMovingAverage",
    "KaufmansEfficiencyRatio",
    "Last",
    "LineProtocolError",
    "Ln",
    "Log",
    "Log2",
    "Log10",
    "Max",
    "Mean",
    "Median",
    "Microsecond",
    "Microseconds",
    "Millisecond",
    "Milliseconds",
    "Min",
    "Minute",
    "Minutes",
    "Mode",
    "Model",
    "MovingAverage",
    "MultipleObjectsReturned",
    "Nanosecond",
    "Nanoseconds",
    "NonNegativeDerivative",
    "NonNegativeDifference",
    "NotSupportedError",
    "Now",
    "OperationalError",
    "PartialWriteError",
    "Percentile",
    "Pow",
    "ProgrammingError",
    "Q",
    "QuerySet",
    "Raw",
    "RelativeStrengthIndex",
    "RetentionPolicy",
    "RetentionPolicyNotFoundError",
    "Round",
    "Sample",
    "Second",
    "Seconds",
    "Selector",
    "Sin",
    "Spread",
    "Sqrt",
    "StatementResult",
    "StdDev",
    "StringField",
    "Sum",
    "TagField",
    "Tan",
    "TimeField",
    "Top",
    "Transform",
    "TripleExponentialDerivative",
    "TripleExponentialMovingAverage",
    "UnsupportedCompilation",
    "Value",
    "Week",
    "Weeks",
    "__version__",
    "connect",
    "connections",
    "duration_from_nanoseconds",
    "fields",
    "functions",
    "get_connection",
    "models",
    "register_backend",
]
