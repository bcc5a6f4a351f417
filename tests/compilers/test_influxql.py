"""InfluxQL compilation: the exact text every QuerySet feature produces.

Every expected statement is written out literally and checked against the
InfluxQL rules of the reference (§3): identifiers double-quoted with ``\\``
and ``"`` escaped, strings single-quoted with ``\\``, ``'`` and newlines
escaped, regexes between slashes with ``/`` escaped, and clauses in the
order the parser demands. None of these tests needs a database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from _models import Archive, Downsampled, Odd, Reading, ServerMeasurement
from influxpy import F, Now, Q, Raw, functions
from influxpy.compilers.base import Compiled
from influxpy.compilers.influxql import InfluxQLCompiler
from influxpy.durations import Day, Hour, Minute, Second, Week
from influxpy.exceptions import CompileError, UnsupportedCompilation
from influxpy.expressions import Value
from influxpy.functions import (
    Abs,
    Acos,
    Asin,
    Atan,
    Atan2,
    Bottom,
    Ceil,
    ChandeMomentumOscillator,
    Cos,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    DoubleExponentialMovingAverage,
    Elapsed,
    Exp,
    ExponentialMovingAverage,
    First,
    Floor,
    Func,
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    KaufmansAdaptiveMovingAverage,
    KaufmansEfficiencyRatio,
    Last,
    Ln,
    Log,
    Log2,
    Log10,
    Max,
    Mean,
    Median,
    Min,
    Mode,
    MovingAverage,
    NonNegativeDerivative,
    NonNegativeDifference,
    Percentile,
    Pow,
    RelativeStrengthIndex,
    Round,
    Sample,
    Sin,
    Spread,
    Sqrt,
    StdDev,
    Sum,
    Tan,
    Top,
    TripleExponentialDerivative,
    TripleExponentialMovingAverage,
)
from influxpy.query import Delete, Fill, Source
from influxpy.queryset import QuerySet

SERVERS = ServerMeasurement.series
READINGS = Reading.series
T0 = dt.datetime(2020, 1, 1)
T1 = dt.datetime(2020, 1, 2)


def assert_compiles(qs: QuerySet[Any], influxql: str) -> None:
    """Check the InfluxQL text of *qs*, through ``str()`` and ``compile()``."""
    assert str(qs.query) == influxql
    compiled = qs.query.compile(InfluxQLCompiler)
    assert compiled.text == influxql
    assert dict(compiled.params) == {}


# -- the README -----------------------------------------------------------------


def test_readme_query():
    """The query of DESIGN.md §1 compiles to the text given there."""
    qs = (
        ServerMeasurement.series.filter(
            name="i-3a99f2b",
            time__gte=dt.datetime(2017, 12, 12, 9, 45),
            time__lt=dt.datetime(2017, 12, 12, 9, 50),
        )
        .annotate(cpu_m=Mean("cpu"))
        .resolution(Minute(5))
        .group_by("name")
    )
    assert_compiles(
        qs,
        'SELECT mean("cpu") AS "cpu_m" FROM "servers" WHERE "name" = '
        "'i-3a99f2b' AND time >= '2017-12-12T09:45:00Z' AND time < "
        "'2017-12-12T09:50:00Z' GROUP BY time(5m), \"name\"",
    )


def test_every_point():
    """A QuerySet with nothing chained selects everything."""
    assert_compiles(SERVERS.all(), 'SELECT * FROM "servers"')


def test_clause_order():
    """Clauses come in the order the InfluxQL parser requires (§3.1)."""
    qs = (
        SERVERS.filter(name="a")
        .annotate(Mean("cpu"))
        .resolution(Hour(1))
        .group_by("name")
        .fill(0)
        .order_by("-time")
        .series_limit(2)
        .series_offset(1)
        .tz("Europe/Paris")[10:20]
    )
    assert_compiles(
        qs,
        'SELECT mean("cpu") FROM "servers" WHERE "name" = \'a\' '
        'GROUP BY time(1h), "name" fill(0) ORDER BY time DESC LIMIT 10 '
        "OFFSET 10 SLIMIT 2 SOFFSET 1 tz('Europe/Paris')",
    )


# -- lookups ----------------------------------------------------------------------

# (lookup, value, filter() condition, exclude() condition) on the tag "name".
TAG_LOOKUPS = [
    ("exact", "a", "\"name\" = 'a'", "\"name\" != 'a'"),
    ("ne", "a", "\"name\" != 'a'", "\"name\" = 'a'"),
    ("in", ["a"], "\"name\" = 'a'", "\"name\" != 'a'"),
    (
        "in",
        ["a", "b"],
        "(\"name\" = 'a' OR \"name\" = 'b')",
        "(\"name\" != 'a' AND \"name\" != 'b')",
    ),
    (
        "in",
        ("a", "b"),
        "(\"name\" = 'a' OR \"name\" = 'b')",
        "(\"name\" != 'a' AND \"name\" != 'b')",
    ),
    ("regex", "^i-[0-9a-f]+$", '"name" =~ /^i-[0-9a-f]+$/', None),
    ("iregex", "web", '"name" =~ /(?i)web/', '"name" !~ /(?i)web/'),
    ("startswith", "i-3a.", '"name" =~ /^i-3a\\./', '"name" !~ /^i-3a\\./'),
    ("istartswith", "I-", '"name" =~ /(?i)^I-/', '"name" !~ /(?i)^I-/'),
    ("endswith", "(x)", '"name" =~ /\\(x\\)$/', '"name" !~ /\\(x\\)$/'),
    ("iendswith", "B2", '"name" =~ /(?i)B2$/', '"name" !~ /(?i)B2$/'),
    ("contains", "a+b", '"name" =~ /a\\+b/', '"name" !~ /a\\+b/'),
    ("icontains", "a*", '"name" =~ /(?i)a\\*/', '"name" !~ /(?i)a\\*/'),
    ("iexact", "Web-1", '"name" =~ /(?i)^Web-1$/', '"name" !~ /(?i)^Web-1$/'),
]


@pytest.mark.parametrize(("lookup", "value", "positive", "negative"), TAG_LOOKUPS)
def test_tag_lookup(lookup: str, value: Any, positive: str, negative: str | None):
    """Each tag lookup compiles to its operator, and exclude() to the opposite."""
    key = f"name__{lookup}"
    assert_compiles(
        SERVERS.filter(**{key: value}), f'SELECT * FROM "servers" WHERE {positive}'
    )
    if negative is None:
        negative = positive.replace("=~", "!~")
    excluded = f'SELECT * FROM "servers" WHERE {negative}'
    assert_compiles(SERVERS.exclude(**{key: value}), excluded)
    assert_compiles(SERVERS.filter(~Q(**{key: value})), excluded)


@pytest.mark.parametrize(
    ("value", "positive", "negative"),
    [
        (True, "\"optional_tag\" = ''", "\"optional_tag\" != ''"),
        (False, "\"optional_tag\" != ''", "\"optional_tag\" = ''"),
    ],
)
def test_tag_isnull(value: bool, positive: str, negative: str):
    """A missing tag equals the empty string in InfluxQL (§3.4)."""
    assert_compiles(
        SERVERS.filter(optional_tag__isnull=value),
        f'SELECT * FROM "servers" WHERE {positive}',
    )
    assert_compiles(
        SERVERS.exclude(optional_tag__isnull=value),
        f'SELECT * FROM "servers" WHERE {negative}',
    )
    assert_compiles(
        SERVERS.filter(~Q(optional_tag__isnull=value)),
        f'SELECT * FROM "servers" WHERE {negative}',
    )


def test_no_lookup_means_exact():
    """``name='a'`` is ``name__exact='a'``."""
    assert str(SERVERS.filter(name="a").query) == str(
        SERVERS.filter(name__exact="a").query
    )


STRING_LOOKUPS = [
    ("exact", "it's", "\"message\" = 'it\\'s'", "\"message\" != 'it\\'s'"),
    ("ne", "ok", "\"message\" != 'ok'", "\"message\" = 'ok'"),
    (
        "in",
        ["a", "b"],
        "(\"message\" = 'a' OR \"message\" = 'b')",
        "(\"message\" != 'a' AND \"message\" != 'b')",
    ),
    ("regex", "a/b", '"message" =~ /a\\/b/', '"message" !~ /a\\/b/'),
    ("iregex", "err", '"message" =~ /(?i)err/', '"message" !~ /(?i)err/'),
    ("startswith", "a/b", '"message" =~ /^a\\/b/', '"message" !~ /^a\\/b/'),
    ("istartswith", "x", '"message" =~ /(?i)^x/', '"message" !~ /(?i)^x/'),
    ("endswith", "$1", '"message" =~ /\\$1$/', '"message" !~ /\\$1$/'),
    ("iendswith", "z", '"message" =~ /(?i)z$/', '"message" !~ /(?i)z$/'),
    ("contains", "[x]", '"message" =~ /\\[x\\]/', '"message" !~ /\\[x\\]/'),
    ("icontains", "?", '"message" =~ /(?i)\\?/', '"message" !~ /(?i)\\?/'),
    ("iexact", "a.b", '"message" =~ /(?i)^a\\.b$/', '"message" !~ /(?i)^a\\.b$/'),
]


@pytest.mark.parametrize(("lookup", "value", "positive", "negative"), STRING_LOOKUPS)
def test_string_field_lookup(lookup: str, value: Any, positive: str, negative: str):
    """String fields take equality and regex lookups (§3.4)."""
    key = f"message__{lookup}"
    assert_compiles(
        READINGS.filter(**{key: value}), f'SELECT * FROM "readings" WHERE {positive}'
    )
    excluded = f'SELECT * FROM "readings" WHERE {negative}'
    assert_compiles(READINGS.exclude(**{key: value}), excluded)
    assert_compiles(READINGS.filter(~Q(**{key: value})), excluded)


NUMERIC_LOOKUPS = [
    ("value", "exact", 1.5, '"value" = 1.5', '"value" != 1.5'),
    ("value", "ne", 1.5, '"value" != 1.5', '"value" = 1.5'),
    ("value", "gt", 1.5, '"value" > 1.5', '"value" <= 1.5'),
    ("value", "gte", 1.5, '"value" >= 1.5', '"value" < 1.5'),
    ("value", "lt", 1.5, '"value" < 1.5', '"value" >= 1.5'),
    ("value", "lte", 1.5, '"value" <= 1.5', '"value" > 1.5'),
    ("value", "gt", 2, '"value" > 2.0', '"value" <= 2.0'),
    ("value", "gt", -0.25, '"value" > -0.25', '"value" <= -0.25'),
    (
        "value",
        "in",
        [1, 2.5],
        '("value" = 1.0 OR "value" = 2.5)',
        '("value" != 1.0 AND "value" != 2.5)',
    ),
    (
        "value",
        "range",
        (1, 2),
        '"value" >= 1.0 AND "value" <= 2.0',
        '"value" < 1.0 OR "value" > 2.0',
    ),
    (
        "value",
        "between",
        (1, 2),
        '"value" >= 1.0 AND "value" <= 2.0',
        '"value" < 1.0 OR "value" > 2.0',
    ),
    ("count", "exact", 3, '"count" = 3', '"count" != 3'),
    ("count", "gt", 3, '"count" > 3', '"count" <= 3'),
    ("count", "lte", -3, '"count" <= -3', '"count" > -3'),
    ("count", "gte", 3.0, '"count" >= 3', '"count" < 3'),
    (
        "count",
        "range",
        (1, 9),
        '"count" >= 1 AND "count" <= 9',
        '"count" < 1 OR "count" > 9',
    ),
    ("count", "in", [1], '"count" = 1', '"count" != 1'),
    ("anything", "lt", 2, '"anything" < 2.0', '"anything" >= 2.0'),
    ("anything", "exact", "on", "\"anything\" = 'on'", "\"anything\" != 'on'"),
    ("anything", "exact", False, '"anything" = false', '"anything" != false'),
    ("anything", "startswith", "o", '"anything" =~ /^o/', '"anything" !~ /^o/'),
    ("ok", "exact", True, '"ok" = true', '"ok" != true'),
    ("ok", "exact", False, '"ok" = false', '"ok" != false'),
    ("ok", "ne", True, '"ok" != true', '"ok" = true'),
]


@pytest.mark.parametrize(
    ("name", "lookup", "value", "positive", "negative"), NUMERIC_LOOKUPS
)
def test_value_field_lookup(
    name: str, lookup: str, value: Any, positive: str, negative: str
):
    """Numeric, untyped and boolean fields compile with their stored types."""
    key = f"{name}__{lookup}"
    assert_compiles(
        READINGS.filter(**{key: value}), f'SELECT * FROM "readings" WHERE {positive}'
    )
    excluded = f'SELECT * FROM "readings" WHERE {negative}'
    assert_compiles(READINGS.exclude(**{key: value}), excluded)
    assert_compiles(READINGS.filter(~Q(**{key: value})), excluded)


def test_untyped_field_of_the_readme():
    """The README's ``cpu = InfluxField()`` compares as a float."""
    assert_compiles(
        SERVERS.filter(cpu__gte=50), 'SELECT * FROM "servers" WHERE "cpu" >= 50.0'
    )


TIME_LOOKUPS = [
    ("exact", T0, "time = '2020-01-01T00:00:00Z'", None),
    ("gt", T0, "time > '2020-01-01T00:00:00Z'", "time <= '2020-01-01T00:00:00Z'"),
    ("gte", T0, "time >= '2020-01-01T00:00:00Z'", "time < '2020-01-01T00:00:00Z'"),
    ("lt", T0, "time < '2020-01-01T00:00:00Z'", "time >= '2020-01-01T00:00:00Z'"),
    ("lte", T0, "time <= '2020-01-01T00:00:00Z'", "time > '2020-01-01T00:00:00Z'"),
    (
        "range",
        (T0, T1),
        "time >= '2020-01-01T00:00:00Z' AND time <= '2020-01-02T00:00:00Z'",
        None,
    ),
    (
        "between",
        (T0, T1),
        "time >= '2020-01-01T00:00:00Z' AND time <= '2020-01-02T00:00:00Z'",
        None,
    ),
]


@pytest.mark.parametrize(("lookup", "value", "positive", "negative"), TIME_LOOKUPS)
def test_time_lookup(lookup: str, value: Any, positive: str, negative: str | None):
    """Time lookups compile to RFC 3339 literals; bounds negate to bounds."""
    key = f"time__{lookup}"
    assert_compiles(
        SERVERS.filter(**{key: value}), f'SELECT * FROM "servers" WHERE {positive}'
    )
    if negative is not None:
        assert_compiles(
            SERVERS.exclude(**{key: value}),
            f'SELECT * FROM "servers" WHERE {negative}',
        )


def test_time_range_with_now():
    """A range may end at ``Now()``."""
    assert_compiles(
        SERVERS.filter(time__between=(T0, Now())),
        "SELECT * FROM \"servers\" WHERE time >= '2020-01-01T00:00:00Z' "
        "AND time <= now()",
    )


def test_time_with_other_conditions():
    """Time bounds AND-ed with tag conditions stay flat."""
    qs = SERVERS.filter(time__gte=T0).filter(region="eu").exclude(name="b")
    assert_compiles(
        qs,
        "SELECT * FROM \"servers\" WHERE time >= '2020-01-01T00:00:00Z' "
        "AND \"region\" = 'eu' AND \"name\" != 'b'",
    )


# -- time values -----------------------------------------------------------------

PARIS_WINTER = dt.timezone(dt.timedelta(hours=1))

TIME_VALUES = [
    pytest.param(T0, "'2020-01-01T00:00:00Z'", id="naive-datetime-is-utc"),
    pytest.param(
        dt.datetime(2020, 1, 1, 1, tzinfo=PARIS_WINTER),
        "'2020-01-01T00:00:00Z'",
        id="aware-datetime",
    ),
    pytest.param(
        dt.datetime(2020, 1, 1, 0, 0, 0, 123456, tzinfo=dt.UTC),
        "'2020-01-01T00:00:00.123456Z'",
        id="microseconds",
    ),
    pytest.param(dt.date(2020, 1, 1), "'2020-01-01T00:00:00Z'", id="date"),
    pytest.param(0, "'1970-01-01T00:00:00Z'", id="int-epoch"),
    pytest.param(1, "'1970-01-01T00:00:00.000000001Z'", id="int-one-ns"),
    pytest.param(
        1_577_836_800_000_000_001,
        "'2020-01-01T00:00:00.000000001Z'",
        id="int-ns-fraction-kept",
    ),
    pytest.param(
        1_577_836_800_120_000_000, "'2020-01-01T00:00:00.12Z'", id="int-trailing-zeros"
    ),
    pytest.param(-1, "'1969-12-31T23:59:59.999999999Z'", id="int-before-epoch"),
    pytest.param(
        "2020-01-01T00:00:00.123456789Z",
        "'2020-01-01T00:00:00.123456789Z'",
        id="iso-nanoseconds",
    ),
    pytest.param(
        "2020-01-01T02:00:00+02:00", "'2020-01-01T00:00:00Z'", id="iso-offset"
    ),
    pytest.param(
        "2020-01-01 00:00:00.5", "'2020-01-01T00:00:00.5Z'", id="iso-space-no-zone"
    ),
    pytest.param("2020-01-01", "'2020-01-01T00:00:00Z'", id="iso-date"),
    pytest.param(
        np.datetime64("2020-01-01T00:00:00.000000001"),
        "'2020-01-01T00:00:00.000000001Z'",
        id="numpy-datetime64",
    ),
    pytest.param(
        pd.Timestamp("2020-01-01T00:00:00.000000001Z"),
        "'2020-01-01T00:00:00.000000001Z'",
        id="pandas-timestamp",
    ),
    pytest.param(Now(), "now()", id="now"),
    pytest.param(Now() - Hour(1), "now() - 1h", id="now-minus-hour"),
    pytest.param(Now() + Minute(90), "now() + 90m", id="now-plus-minutes"),
    pytest.param(
        Now() - dt.timedelta(days=1, seconds=1), "now() - 86401s", id="now-timedelta"
    ),
    pytest.param(Now() - Hour(1) - Minute(30), "now() - 90m", id="now-shifted-twice"),
    pytest.param(Now() + Hour(1) - Hour(1), "now()", id="now-shifted-back"),
    pytest.param(dt.timedelta(hours=-1), "now() - 1h", id="negative-timedelta"),
    pytest.param(dt.timedelta(days=7), "now() + 1w", id="timedelta-ahead"),
    pytest.param(-Day(2), "now() - 2d", id="negative-duration"),
]


@pytest.mark.parametrize(("value", "literal"), TIME_VALUES)
def test_time_value(value: Any, literal: str):
    """Every accepted time form becomes an exact UTC literal or ``now()``."""
    assert_compiles(
        SERVERS.filter(time__gte=value),
        f'SELECT * FROM "servers" WHERE time >= {literal}',
    )


# -- Q objects -------------------------------------------------------------------


def test_keyword_conditions_are_sorted():
    """Keyword conditions are joined with AND in name order, whatever the call."""
    expected = 'SELECT * FROM "servers" WHERE "name" = \'a\' AND "region" = \'b\''
    assert_compiles(SERVERS.filter(region="b", name="a"), expected)
    assert_compiles(SERVERS.filter(Q(region="b", name="a")), expected)


def test_q_or():
    """``|`` joins conditions with OR."""
    assert_compiles(
        SERVERS.filter(Q(name="a") | Q(name="b")),
        'SELECT * FROM "servers" WHERE "name" = \'a\' OR "name" = \'b\'',
    )


def test_q_and():
    """``&`` joins conditions with AND."""
    assert_compiles(
        SERVERS.filter(Q(name="a") & Q(cpu__gt=2)),
        'SELECT * FROM "servers" WHERE "name" = \'a\' AND "cpu" > 2.0',
    )


def test_or_inside_and_is_parenthesised():
    """An OR group under AND keeps its parentheses (AND binds tighter)."""
    assert_compiles(
        SERVERS.filter(Q(name="a") | Q(name="b"), region="eu"),
        'SELECT * FROM "servers" WHERE ("name" = \'a\' OR "name" = \'b\') '
        "AND \"region\" = 'eu'",
    )


def test_nested_groups():
    """Groups of both kinds nest with parentheses where precedence needs them."""
    qs = SERVERS.filter((Q(name="a") | Q(name="b")) & (Q(region="eu") | Q(cpu__gt=90)))
    assert_compiles(
        qs,
        'SELECT * FROM "servers" WHERE ("name" = \'a\' OR "name" = \'b\') '
        'AND ("region" = \'eu\' OR "cpu" > 90.0)',
    )
    qs = SERVERS.filter(Q(name="a") | (Q(name="b") & Q(cpu__gt=2)))
    assert_compiles(
        qs,
        'SELECT * FROM "servers" WHERE "name" = \'a\' OR '
        '("name" = \'b\' AND "cpu" > 2.0)',
    )


def test_negated_and_becomes_or():
    """``~`` applies De Morgan's laws, since InfluxQL has no NOT."""
    expected = 'SELECT * FROM "servers" WHERE "name" != \'a\' OR "region" != \'b\''
    assert_compiles(SERVERS.filter(~Q(name="a", region="b")), expected)
    assert_compiles(SERVERS.filter(~(Q(name="a") & Q(region="b"))), expected)
    assert_compiles(SERVERS.exclude(name="a", region="b"), expected)


def test_negated_or_becomes_and():
    """``~(a | b)`` is ``not a AND not b``."""
    assert_compiles(
        SERVERS.filter(~(Q(name="a") | Q(name="b"))),
        'SELECT * FROM "servers" WHERE "name" != \'a\' AND "name" != \'b\'',
    )


def test_negated_group_beside_another_condition():
    """A negated AND group keeps its parentheses next to other conditions."""
    expected = (
        'SELECT * FROM "servers" WHERE ("name" != \'a\' OR "region" != \'b\') '
        'AND "cpu" = 1.0'
    )
    assert_compiles(SERVERS.filter(~(Q(name="a") & Q(region="b")), cpu=1), expected)
    assert_compiles(SERVERS.filter(~(Q(name="a") & Q(region="b")) & Q(cpu=1)), expected)
    assert_compiles(SERVERS.exclude(name="a", region="b").filter(cpu=1), expected)


def test_successive_excludes_are_anded():
    """Each exclude() adds one more condition with AND."""
    assert_compiles(
        SERVERS.exclude(name="a").exclude(region="b"),
        'SELECT * FROM "servers" WHERE "name" != \'a\' AND "region" != \'b\'',
    )
    assert_compiles(
        SERVERS.filter(name="a").exclude(Q(region="b") | Q(region="c")),
        'SELECT * FROM "servers" WHERE "name" = \'a\' AND "region" != \'b\' '
        "AND \"region\" != 'c'",
    )


def test_double_negation():
    """``~~q`` is ``q``."""
    assert_compiles(
        SERVERS.filter(~~Q(name="a")), 'SELECT * FROM "servers" WHERE "name" = \'a\''
    )


def test_negated_range_on_a_field():
    """Excluding a range keeps both outer sides, parenthesised under AND."""
    assert_compiles(
        SERVERS.filter(name="a").exclude(cpu__range=(10, 20)),
        'SELECT * FROM "servers" WHERE "name" = \'a\' AND '
        '("cpu" < 10.0 OR "cpu" > 20.0)',
    )


def test_empty_q_adds_no_condition():
    """``Q()`` matches everything and leaves no empty WHERE behind."""
    assert_compiles(SERVERS.filter(Q()), 'SELECT * FROM "servers"')
    assert_compiles(SERVERS.filter(~Q()), 'SELECT * FROM "servers"')
    assert_compiles(
        SERVERS.filter(Q(), name="a"), 'SELECT * FROM "servers" WHERE "name" = \'a\''
    )
    assert_compiles(
        SERVERS.filter(Q() | Q(name="a")),
        'SELECT * FROM "servers" WHERE "name" = \'a\'',
    )


# -- escaping --------------------------------------------------------------------


def test_identifier_escaping_through_db_name():
    """``"`` and ``\\`` in stored keys are backslash-escaped (§3.2)."""
    assert_compiles(
        READINGS.filter(odd=1.5),
        'SELECT * FROM "readings" WHERE "odd \\"key\\" \\\\here" = 1.5',
    )
    assert_compiles(
        READINGS.filter(odd_tag="x"),
        'SELECT * FROM "readings" WHERE "data center\'s \\"zone\\"" = \'x\'',
    )


def test_measurement_escaping():
    """The measurement name is quoted like any identifier."""
    assert_compiles(Odd.series.all(), 'SELECT * FROM "cpu \\"load\\" \\\\it\'s"')


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("plain", "'plain'"),
        ("it's", "'it\\'s'"),
        ("back\\slash", "'back\\\\slash'"),
        ("two\nlines", "'two\\nlines'"),
        ('double "quotes"', "'double \"quotes\"'"),
        ("", "''"),
        ("ünïcødé ✓", "'ünïcødé ✓'"),
        ("\\'", "'\\\\\\''"),
    ],
)
def test_string_literal_escaping(value: str, literal: str):
    """Strings are single-quoted with ``\\``, ``'`` and newline escaped (§3.3)."""
    assert_compiles(
        SERVERS.filter(name=value), f'SELECT * FROM "servers" WHERE "name" = {literal}'
    )


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        ("a/b", "/a\\/b/"),
        ("a\\/b", "/a\\/b/"),
        ("a\\\\/b", "/a\\\\\\/b/"),
        ("^\\d+\\.\\d+$", "/^\\d+\\.\\d+$/"),
        ("a\nb", "/a\\nb/"),
        ("a\\\nb", "/a\\nb/"),
        ("(?i)x", "/(?i)x/"),
        ("a\\\\", "/a\\x5c/"),
        ("a\\\\b", "/a\\\\b/"),
    ],
)
def test_regex_literal_escaping(pattern: str, literal: str):
    """A user regex reaches RE2 unchanged; only ``/``, newlines and a final
    escaped backslash are rewritten for the scanner (§3.3)."""
    assert_compiles(
        SERVERS.filter(name__regex=pattern),
        f'SELECT * FROM "servers" WHERE "name" =~ {literal}',
    )


def test_regex_with_a_lone_trailing_backslash():
    """A regex ending in one backslash would swallow the closing slash."""
    qs = SERVERS.filter(name__regex="a\\")
    msg = (
        "The regex 'a\\\\' ends with a lone backslash, which is not a valid RE2 "
        "pattern."
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        str(qs.query)


@pytest.mark.parametrize(
    ("lookup", "text", "literal"),
    [
        ("startswith", "a.b*c", "/^a\\.b\\*c/"),
        ("contains", "a/b", "/a\\/b/"),
        ("contains", "back\\slash", "/back\\\\slash/"),
        ("contains", "(?i)", "/\\(\\?i\\)/"),
        ("contains", "^$|[]{}+", "/\\^\\$\\|\\[\\]\\{\\}\\+/"),
        ("endswith", "line\n", "/line\\x{0a}$/"),
        ("iexact", "tab\there", "/(?i)^tab\\x{09}here$/"),
        ("contains", "\\/", "/\\\\\\//"),
        ("contains", "dir\\", "/dir\\x5c/"),
        ("startswith", "\\\\", "/^\\\\\\x5c/"),
        ("endswith", "\\", "/\\\\$/"),
    ],
)
def test_text_lookups_escape_user_text(lookup: str, text: str, literal: str):
    """Text lookups match the user's text literally, whatever it holds."""
    assert_compiles(
        SERVERS.filter(**{f"name__{lookup}": text}),
        f'SELECT * FROM "servers" WHERE "name" =~ {literal}',
    )


# -- functions -------------------------------------------------------------------

FUNCTIONS = [
    # aggregates
    (Count("cpu"), 'count("cpu")'),
    (Count("*"), "count(*)"),
    (Count(Distinct("cpu")), 'count(distinct("cpu"))'),
    (Distinct("cpu"), 'distinct("cpu")'),
    (Integral("cpu"), 'integral("cpu")'),
    (Integral("cpu", Minute(1)), 'integral("cpu", 1m)'),
    (Mean("cpu"), 'mean("cpu")'),
    (Median("memory"), 'median("memory")'),
    (Mode("cpu"), 'mode("cpu")'),
    (Spread("cpu"), 'spread("cpu")'),
    (StdDev("cpu"), 'stddev("cpu")'),
    (Sum("free_memory"), 'sum("free_memory")'),
    # selectors
    (Bottom("cpu", 2), 'bottom("cpu", 2)'),
    (Bottom("cpu", "name", "region", 2), 'bottom("cpu", "name", "region", 2)'),
    (First("cpu"), 'first("cpu")'),
    (Last("cpu"), 'last("cpu")'),
    (Max("cpu"), 'max("cpu")'),
    (Min("cpu"), 'min("cpu")'),
    (Percentile("cpu", 95), 'percentile("cpu", 95)'),
    (Percentile("cpu", 33.3), 'percentile("cpu", 33.3)'),
    (Percentile("cpu", 100), 'percentile("cpu", 100)'),
    (Sample("cpu", 5), 'sample("cpu", 5)'),
    (Top("cpu", 3), 'top("cpu", 3)'),
    (Top("cpu", "name", 3), 'top("cpu", "name", 3)'),
    # math
    (Abs("cpu"), 'abs("cpu")'),
    (Acos("cpu"), 'acos("cpu")'),
    (Asin("cpu"), 'asin("cpu")'),
    (Atan("cpu"), 'atan("cpu")'),
    (Atan2("cpu", "memory"), 'atan2("cpu", "memory")'),
    (Ceil("cpu"), 'ceil("cpu")'),
    (Cos("cpu"), 'cos("cpu")'),
    (Exp("cpu"), 'exp("cpu")'),
    (Floor("cpu"), 'floor("cpu")'),
    (Ln("cpu"), 'ln("cpu")'),
    (Log("cpu", 10), 'log("cpu", 10)'),
    (Log2("cpu"), 'log2("cpu")'),
    (Log10("cpu"), 'log10("cpu")'),
    (Pow("cpu", 2.5), 'pow("cpu", 2.5)'),
    (Round("cpu"), 'round("cpu")'),
    (Sin("cpu"), 'sin("cpu")'),
    (Sqrt("cpu"), 'sqrt("cpu")'),
    (Tan("cpu"), 'tan("cpu")'),
    (Abs(Mean("cpu")), 'abs(mean("cpu"))'),
    (Round(F("cpu") * 2), 'round("cpu" * 2)'),
    # transformations
    (CumulativeSum("cpu"), 'cumulative_sum("cpu")'),
    (Derivative("cpu"), 'derivative("cpu")'),
    (Derivative("cpu", Second(1)), 'derivative("cpu", 1s)'),
    (Derivative("cpu", dt.timedelta(milliseconds=1500)), 'derivative("cpu", 1500ms)'),
    (NonNegativeDerivative("cpu", Minute(1)), 'non_negative_derivative("cpu", 1m)'),
    (Difference("cpu"), 'difference("cpu")'),
    (NonNegativeDifference("cpu"), 'non_negative_difference("cpu")'),
    (Elapsed("cpu"), 'elapsed("cpu")'),
    (Elapsed("cpu", Second(1)), 'elapsed("cpu", 1s)'),
    (MovingAverage("cpu", 3), 'moving_average("cpu", 3)'),
    # technical analysis
    (ExponentialMovingAverage("cpu", 5), 'exponential_moving_average("cpu", 5)'),
    (
        ExponentialMovingAverage("cpu", 5, -1, "simple"),
        "exponential_moving_average(\"cpu\", 5, -1, 'simple')",
    ),
    (
        DoubleExponentialMovingAverage("cpu", 5, 0, "exponential"),
        "double_exponential_moving_average(\"cpu\", 5, 0, 'exponential')",
    ),
    (
        TripleExponentialMovingAverage("cpu", 5, 2),
        'triple_exponential_moving_average("cpu", 5, 2)',
    ),
    (
        TripleExponentialDerivative("cpu", 5),
        'triple_exponential_derivative("cpu", 5)',
    ),
    (RelativeStrengthIndex("cpu", 14), 'relative_strength_index("cpu", 14)'),
    (
        ChandeMomentumOscillator("cpu", 10, -1, "none"),
        "chande_momentum_oscillator(\"cpu\", 10, -1, 'none')",
    ),
    (KaufmansEfficiencyRatio("cpu", 10), 'kaufmans_efficiency_ratio("cpu", 10)'),
    (
        KaufmansAdaptiveMovingAverage("cpu", 10, 2),
        'kaufmans_adaptive_moving_average("cpu", 10, 2)',
    ),
    # escape hatches
    (Func("count_hll", "cpu"), 'count_hll("cpu")'),
    (Func("sum_hll", Func("count_hll", "cpu")), 'sum_hll(count_hll("cpu"))'),
    (Raw('mean("cpu") * 2'), 'mean("cpu") * 2'),
]


@pytest.mark.parametrize(
    ("function", "text"), FUNCTIONS, ids=[text for _, text in FUNCTIONS]
)
def test_function(function: Any, text: str):
    """Each function compiles to its InfluxQL spelling and parameters (§3.9)."""
    assert_compiles(SERVERS.annotate(function), f'SELECT {text} FROM "servers"')


TRANSFORMS_OF_AGGREGATES = [
    (Derivative(Mean("cpu"), Second(1)), 'derivative(mean("cpu"), 1s)'),
    (NonNegativeDerivative(Max("cpu")), 'non_negative_derivative(max("cpu"))'),
    (Difference(Sum("cpu")), 'difference(sum("cpu"))'),
    (CumulativeSum(Count("cpu")), 'cumulative_sum(count("cpu"))'),
    (MovingAverage(Mean("cpu"), 3), 'moving_average(mean("cpu"), 3)'),
    (Elapsed(Last("cpu"), Second(1)), 'elapsed(last("cpu"), 1s)'),
    (HoltWinters(Mean("cpu"), 10, 4), 'holt_winters(mean("cpu"), 10, 4)'),
    (HoltWinters(First("cpu"), 5, 0), 'holt_winters(first("cpu"), 5, 0)'),
    (
        HoltWintersWithFit(Mean("cpu"), 10, 4),
        'holt_winters_with_fit(mean("cpu"), 10, 4)',
    ),
    (
        ExponentialMovingAverage(Mean("cpu"), 5),
        'exponential_moving_average(mean("cpu"), 5)',
    ),
]


@pytest.mark.parametrize(("function", "text"), TRANSFORMS_OF_AGGREGATES)
def test_transform_of_an_aggregate(function: Any, text: str):
    """Transformations of aggregates compile inside time windows."""
    assert_compiles(
        SERVERS.annotate(function).resolution(Minute(1)),
        f'SELECT {text} FROM "servers" GROUP BY time(1m)',
    )


def test_every_function_class_is_compiled():
    """Each function class of influxpy.functions appears in the tables above."""
    declared = {getattr(functions, name) for name in functions.__all__}
    declared -= {functions.Aggregate, functions.Selector, functions.Transform}
    covered = {type(f) for f, _ in FUNCTIONS + TRANSFORMS_OF_AGGREGATES}
    assert declared - covered == set()


def test_functions_read_stored_keys():
    """Fields and tags given to functions compile to their db_name."""
    assert_compiles(
        READINGS.annotate(Atan2("odd", "value")),
        'SELECT atan2("odd \\"key\\" \\\\here", "value") FROM "readings"',
    )
    assert_compiles(
        READINGS.annotate(Top("value", "odd_tag", 3)),
        'SELECT top("value", "data center\'s \\"zone\\"", 3) FROM "readings"',
    )
    assert_compiles(
        READINGS.annotate(m=Mean("odd")),
        'SELECT mean("odd \\"key\\" \\\\here") AS "m" FROM "readings"',
    )


# -- select list -----------------------------------------------------------------


def test_arithmetic_is_parenthesised():
    """Nested arithmetic keeps the user's grouping with parentheses."""
    assert_compiles(
        SERVERS.annotate(ratio=F("free_memory") * 100 / F("memory")),
        'SELECT ("free_memory" * 100) / "memory" AS "ratio" FROM "servers"',
    )
    assert_compiles(
        SERVERS.annotate(F("free_memory") * (100 / F("memory"))),
        'SELECT "free_memory" * (100 / "memory") FROM "servers"',
    )
    assert_compiles(
        SERVERS.annotate(x=(F("cpu") + 1) * (F("memory") - 2) % 3),
        'SELECT (("cpu" + 1) * ("memory" - 2)) % 3 AS "x" FROM "servers"',
    )


def test_arithmetic_with_the_number_first():
    """A number on the left stays on the left."""
    assert_compiles(
        SERVERS.annotate(idle=100 - F("cpu")),
        'SELECT 100 - "cpu" AS "idle" FROM "servers"',
    )
    assert_compiles(
        SERVERS.annotate(half=0.5 * F("cpu")),
        'SELECT 0.5 * "cpu" AS "half" FROM "servers"',
    )


def test_arithmetic_between_aggregates():
    """Aggregates combine with arithmetic."""
    assert_compiles(
        SERVERS.annotate(Mean("cpu") * Count("cpu")),
        'SELECT mean("cpu") * count("cpu") FROM "servers"',
    )
    assert_compiles(
        SERVERS.annotate(pct=Mean("free_memory") * 100 / Mean("memory")),
        'SELECT (mean("free_memory") * 100) / mean("memory") AS "pct" FROM "servers"',
    )


def test_only():
    """only() selects the named fields; time is always returned anyway."""
    assert_compiles(SERVERS.only("cpu", "name"), 'SELECT "cpu", "name" FROM "servers"')
    assert_compiles(SERVERS.only("time", "cpu"), 'SELECT "cpu" FROM "servers"')
    assert_compiles(
        READINGS.only("odd", "value"),
        'SELECT "odd \\"key\\" \\\\here" AS "odd", "value" FROM "readings"',
    )


def test_annotate_positional_and_aliased():
    """Positional functions keep InfluxQL's names; keywords become aliases."""
    assert_compiles(
        SERVERS.annotate(Mean("cpu"), m=Median("memory")),
        'SELECT mean("cpu"), median("memory") AS "m" FROM "servers"',
    )
    assert_compiles(
        SERVERS.annotate(Max("cpu")).annotate("memory"),
        'SELECT max("cpu"), "memory" FROM "servers"',
    )
    assert_compiles(
        SERVERS.annotate(**{'my "alias"': Mean("cpu")}),
        'SELECT mean("cpu") AS "my \\"alias\\"" FROM "servers"',
    )


def test_selector_with_raw_fields():
    """One selector may carry raw fields and tags (§3.8)."""
    assert_compiles(
        SERVERS.annotate(Max("cpu"), "memory", "name"),
        'SELECT max("cpu"), "memory", "name" FROM "servers"',
    )


# -- GROUP BY, fill, ordering and limits ----------------------------------------


@pytest.mark.parametrize(
    ("interval", "offset", "text"),
    [
        (Minute(5), None, "time(5m)"),
        (dt.timedelta(minutes=90), None, "time(90m)"),
        (dt.timedelta(seconds=1.5), None, "time(1500ms)"),
        (Week(1), None, "time(1w)"),
        (Minute(5), Minute(1), "time(5m, 1m)"),
        (Hour(1), -Minute(15), "time(1h, -15m)"),
        (Hour(1), Minute(-15), "time(1h, -15m)"),
        (Hour(1), dt.timedelta(minutes=-15), "time(1h, -15m)"),
        (Minute(5), Now(), "time(5m, now())"),
    ],
)
def test_resolution(interval: Any, offset: Any, text: str):
    """resolution() becomes ``GROUP BY time(interval[, offset])``."""
    assert_compiles(
        SERVERS.annotate(Mean("cpu")).resolution(interval, offset),
        f'SELECT mean("cpu") FROM "servers" GROUP BY {text}',
    )


def test_resolution_offset_of_shifted_now():
    """The parser takes a bare now() as offset, never now() - 1m."""
    msg = (
        "resolution()'s offset is a duration or Now() itself; InfluxDB refuses "
        "a shifted Now() such as Now() - Minute(1)."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        SERVERS.annotate(Mean("cpu")).resolution(Minute(5), Now() - Minute(1))


def test_group_by_tags():
    """Tags are grouped in the order given, without duplicates."""
    qs = SERVERS.annotate(Mean("cpu"))
    assert_compiles(
        qs.group_by("name", "region"),
        'SELECT mean("cpu") FROM "servers" GROUP BY "name", "region"',
    )
    assert_compiles(
        qs.group_by("name").group_by("region", "name"),
        'SELECT mean("cpu") FROM "servers" GROUP BY "name", "region"',
    )


def test_group_by_every_tag():
    """``'*'`` groups by every tag and absorbs the named ones."""
    qs = SERVERS.annotate(Mean("cpu"))
    assert_compiles(qs.group_by("*"), 'SELECT mean("cpu") FROM "servers" GROUP BY *')
    assert_compiles(
        qs.group_by("name", "*"), 'SELECT mean("cpu") FROM "servers" GROUP BY *'
    )


def test_group_by_stored_key():
    """Tags are grouped by their db_name, given either name."""
    expected = (
        'SELECT mean("value") FROM "readings" GROUP BY "data center\'s \\"zone\\""'
    )
    qs = READINGS.annotate(Mean("value"))
    assert_compiles(qs.group_by("odd_tag"), expected)
    assert_compiles(qs.group_by('data center\'s "zone"'), expected)


def test_group_by_time_keyword():
    """``group_by(time=...)`` is resolution() with the tags after it."""
    assert_compiles(
        SERVERS.annotate(Mean("cpu")).group_by("name", time=Hour(1)),
        'SELECT mean("cpu") FROM "servers" GROUP BY time(1h), "name"',
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        ("null", "null"),
        ("none", "none"),
        ("previous", "previous"),
        ("linear", "linear"),
        (0, "0"),
        (-1.5, "-1.5"),
        (100, "100"),
    ],
)
def test_fill(value: Any, text: str):
    """fill() follows GROUP BY (§3.5)."""
    assert_compiles(
        SERVERS.annotate(Mean("cpu")).resolution(Hour(1)).fill(value),
        f'SELECT mean("cpu") FROM "servers" GROUP BY time(1h) fill({text})',
    )


def test_fill_with_nan():
    """InfluxQL has no NaN literal, so a query filling NaN cannot compile."""
    query = SERVERS.annotate(Mean("cpu")).resolution(Hour(1)).fill(0).query
    query = dataclasses.replace(query, fill=Fill("value", float("nan")))
    msg = "InfluxQL has no literal for nan; use a finite number."
    with pytest.raises(CompileError, match=re.escape(msg)):
        str(query)


def test_order_by():
    """Only time orders; descending adds ``ORDER BY time DESC``."""
    assert_compiles(
        SERVERS.order_by("-time"), 'SELECT * FROM "servers" ORDER BY time DESC'
    )
    assert_compiles(SERVERS.order_by("time"), 'SELECT * FROM "servers"')
    assert_compiles(
        SERVERS.order_by("-time").order_by("time"), 'SELECT * FROM "servers"'
    )
    assert_compiles(SERVERS.reverse(), 'SELECT * FROM "servers" ORDER BY time DESC')
    assert_compiles(SERVERS.reverse().reverse(), 'SELECT * FROM "servers"')


@pytest.mark.parametrize(
    ("qs", "clauses"),
    [
        (SERVERS[:10], "LIMIT 10"),
        (SERVERS[5:15], "LIMIT 10 OFFSET 5"),
        (SERVERS[5:], "LIMIT 9223372036854775802 OFFSET 5"),
        (SERVERS[0:], ""),
        (SERVERS[5:15][2:4], "LIMIT 2 OFFSET 7"),
        (SERVERS[5:15][2:], "LIMIT 8 OFFSET 7"),
        (SERVERS[5:15][:100], "LIMIT 10 OFFSET 5"),
        (SERVERS[5:][:3], "LIMIT 3 OFFSET 5"),
        (SERVERS[:10][:20], "LIMIT 10"),
        (SERVERS.order_by("-time")[:1], "ORDER BY time DESC LIMIT 1"),
    ],
)
def test_slicing(qs: QuerySet[Any], clauses: str):
    """Slices become LIMIT and OFFSET; slices of slices combine."""
    expected = f'SELECT * FROM "servers" {clauses}'.rstrip()
    assert_compiles(qs, expected)


@pytest.mark.parametrize(
    "qs", [SERVERS[0:0], SERVERS[3:3], SERVERS[5:15][20:], SERVERS.series_limit(0)]
)
def test_empty_slice_finds_nothing(qs: QuerySet[Any]):
    """InfluxQL reads LIMIT 0 as no limit: an empty slice never queries."""
    assert list(qs) == []
    assert qs.count() == 0
    assert not qs.exists()


def test_limit_zero_cannot_compile():
    """A hand-built query with LIMIT 0 is refused rather than unlimited."""
    query = dataclasses.replace(SERVERS.query, limit=0)
    with pytest.raises(CompileError, match=r"InfluxQL reads LIMIT 0 as no limit"):
        str(query)


def test_series_limit_and_offset():
    """SLIMIT and SOFFSET count series (§3.6)."""
    assert_compiles(
        SERVERS.series_limit(2).series_offset(1),
        'SELECT * FROM "servers" SLIMIT 2 SOFFSET 1',
    )
    assert_compiles(SERVERS.series_offset(0), 'SELECT * FROM "servers" SOFFSET 0')


def test_tz():
    """tz() comes last, as a quoted string."""
    assert_compiles(
        SERVERS.tz("Europe/Paris"), "SELECT * FROM \"servers\" tz('Europe/Paris')"
    )


# -- sources, INTO and subqueries ------------------------------------------------


def test_retention_policy_source():
    """A model in a retention policy reads ``"rp"."m"``."""
    assert_compiles(Downsampled.series.all(), 'SELECT * FROM "one_year"."cpu_1h"')


def test_into_a_model():
    """INTO a model names its database and retention policy, and keeps tags."""
    qs = SERVERS.annotate(mean_cpu=Mean("cpu")).resolution(Hour(1))
    assert_compiles(
        qs.into(Downsampled),
        'SELECT mean("cpu") AS "mean_cpu" INTO "one_year"."cpu_1h" FROM "servers" '
        "GROUP BY time(1h), *",
    )
    assert_compiles(
        qs.into(Archive),
        'SELECT mean("cpu") AS "mean_cpu" INTO "archive".."servers_archive" '
        'FROM "servers" GROUP BY time(1h), *',
    )


def test_into_a_name():
    """INTO a measurement name; named tags replace ``GROUP BY *``."""
    qs = SERVERS.annotate(mean_cpu=Mean("cpu")).resolution(Hour(1))
    assert_compiles(
        qs.into("cpu_1h"),
        'SELECT mean("cpu") AS "mean_cpu" INTO "cpu_1h" FROM "servers" '
        "GROUP BY time(1h), *",
    )
    assert_compiles(
        qs.group_by("name").into("cpu_1h"),
        'SELECT mean("cpu") AS "mean_cpu" INTO "cpu_1h" FROM "servers" '
        'GROUP BY time(1h), "name"',
    )


def test_into_marks_the_statement_as_writing():
    """A compiled INTO query says it writes; a plain SELECT does not."""
    qs = SERVERS.annotate(Mean("cpu")).resolution(Hour(1))
    assert qs.query.compile(InfluxQLCompiler).writes is False
    assert qs.into("x").query.compile(InfluxQLCompiler).writes is True


def test_subquery():
    """subquery() wraps the query in ``FROM (…)``; outer names are its columns."""
    inner = SERVERS.annotate(m=Mean("cpu")).resolution(Minute(1)).group_by("name")
    assert_compiles(
        inner.subquery().filter(m__gt=3, name="a").annotate(Max("m")),
        'SELECT max("m") FROM (SELECT mean("cpu") AS "m" FROM "servers" '
        'GROUP BY time(1m), "name") WHERE "m" > 3.0 AND "name" = \'a\'',
    )
    ratio = SERVERS.annotate(r=F("free_memory") * 100 / F("memory"))
    assert_compiles(
        ratio.subquery().filter(r__lt=10),
        'SELECT * FROM (SELECT ("free_memory" * 100) / "memory" AS "r" '
        'FROM "servers") WHERE "r" < 10.0',
    )


def test_nested_subqueries():
    """Subqueries nest."""
    qs = (
        SERVERS.annotate(m=Mean("cpu"))
        .resolution(Minute(1))
        .subquery()
        .annotate(top=Max("m"))
        .resolution(Hour(1))
        .subquery()
        .annotate(Mean("top"))
    )
    assert_compiles(
        qs,
        'SELECT mean("top") FROM (SELECT max("m") AS "top" FROM (SELECT '
        'mean("cpu") AS "m" FROM "servers" GROUP BY time(1m)) GROUP BY time(1h))',
    )


# -- DELETE ----------------------------------------------------------------------


def _delete(qs: QuerySet[Any]) -> Delete:
    source = qs.query.source
    assert isinstance(source, Source)
    return Delete(source, qs.query.where)


def test_delete():
    """DELETE takes the measurement and the tag and time conditions."""
    statement = _delete(SERVERS.filter(name="a", time__lt=T0))
    compiled = statement.compile(InfluxQLCompiler)
    assert compiled == Compiled(
        'DELETE FROM "servers" WHERE "name" = \'a\' AND '
        "time < '2020-01-01T00:00:00Z'",
        writes=True,
    )
    assert str(statement) == compiled.text


def test_delete_everything():
    """Without conditions DELETE empties the measurement."""
    assert str(_delete(SERVERS.all())) == 'DELETE FROM "servers"'
    assert str(_delete(SERVERS.filter(Q()))) == 'DELETE FROM "servers"'


def test_delete_ignores_the_retention_policy():
    """``DELETE FROM rp.m`` is refused by 1.x servers; a delete hits every RP."""
    assert str(_delete(Downsampled.series.filter(name="a"))) == (
        'DELETE FROM "cpu_1h" WHERE "name" = \'a\''
    )


def test_delete_escaping():
    """DELETE quotes names and escapes regexes like SELECT."""
    statement = _delete(READINGS.filter(odd_tag__regex="a/b"))
    assert str(statement) == (
        'DELETE FROM "readings" WHERE "data center\'s \\"zone\\"" =~ /a\\/b/'
    )


# -- the compiler itself ---------------------------------------------------------


def test_compiled_is_its_text():
    """``str(compiled)`` is the statement; InfluxQL binds no parameters."""
    compiled = SERVERS.filter(name="a").query.compile(InfluxQLCompiler)
    assert str(compiled) == 'SELECT * FROM "servers" WHERE "name" = \'a\''
    assert dict(compiled.params) == {}
    assert compiled.writes is False


def test_unsupported_node():
    """A node without a visit method names the dialect and the node."""
    compiler = InfluxQLCompiler()
    msg = "The InfluxQL compiler cannot express object nodes."
    with pytest.raises(UnsupportedCompilation, match=re.escape(msg)) as info:
        compiler.visit(object())
    assert info.value.dialect == "InfluxQL"
    assert info.value.node == "object"


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("cpu", '"cpu"'),
        ("time", '"time"'),
        ("select", '"select"'),
        ("with space", '"with space"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("it's", '"it\'s"'),
        ("two\nlines", '"two\\nlines"'),
        ("café", '"café"'),
    ],
)
def test_quote_identifier(name: str, quoted: str):
    """Every identifier is double-quoted; ``\\``, ``"`` and newline escaped."""
    assert InfluxQLCompiler.quote_identifier(name) == quoted


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("a", "'a'"),
        ("it's", "'it\\'s'"),
        ("back\\slash", "'back\\\\slash'"),
        ("two\nlines", "'two\\nlines'"),
        ('say "hi"', "'say \"hi\"'"),
    ],
)
def test_quote_string(value: str, quoted: str):
    """Strings escape ``\\``, ``'`` and newline; ``''`` is not an escape (§3.3)."""
    assert InfluxQLCompiler.quote_string(value) == quoted


def test_literals():
    """Numbers keep every digit; booleans are lower-case."""
    compiler = InfluxQLCompiler()
    assert compiler.visit(Value(0.1)) == "0.1"
    assert compiler.visit(Value(1e-07)) == "1e-07"
    assert compiler.visit(Value(2**62)) == "4611686018427387904"
    assert compiler.visit(Value(True)) == "true"
    assert compiler.visit(Value("x")) == "'x'"
    with pytest.raises(CompileError, match=re.escape("Expected a number, got None.")):
        compiler.visit_number(None)
    msg = "InfluxQL has no literal for inf; use a finite number."
    with pytest.raises(CompileError, match=re.escape(msg)):
        compiler.visit(Value(float("inf")))


def test_management_statements():
    """CREATE and DROP DATABASE quote the name."""
    compiler = InfluxQLCompiler()
    assert compiler.create_database('my "db"') == Compiled(
        'CREATE DATABASE "my \\"db\\""', writes=True
    )
    assert compiler.drop_database("x") == Compiled('DROP DATABASE "x"', writes=True)
    assert compiler.show_databases() == Compiled("SHOW DATABASES")
