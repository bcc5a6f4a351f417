"""Lookups: what each field accepts, and the errors for everything else.

Every refusal is asserted word for word. Comparisons InfluxDB would answer
with no rows and no error (``<`` on tags, OR on time) are refused with
``CompileError``; misuse of a lookup raises ``FieldError``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _models import Reading, ServerMeasurement
from influxpy import F, Now, Q
from influxpy.aggregates import Mean
from influxpy.durations import Hour
from influxpy.exceptions import CompileError, FieldError
from influxpy.fields import (
    BooleanField,
    FloatField,
    InfluxField,
    IntegerField,
    StringField,
    TagField,
    TimeField,
)
from influxpy.lookups import regex_escape

SERVERS = ServerMeasurement.series
READINGS = Reading.series
T0 = dt.datetime(2020, 1, 1)
T1 = dt.datetime(2020, 1, 2)

TIME_OR = (
    "InfluxDB does not combine a time condition with OR: it takes every time "
    "comparison out of the condition and keeps only the points inside all of them "
    "(time >= t OR name = 'a' keeps the points from t named 'a'), so influxpy "
    "refuses it; run one query per time range, or use AND (a negated time range "
    "becomes an OR)."
)
TIME_NOT_EQUAL = (
    "InfluxDB cannot compare time with != (it rejects the query); use two queries "
    "or a range that leaves the time out."
)


# -- which lookups each field has ------------------------------------------------

TEXT = [
    "contains",
    "endswith",
    "exact",
    "icontains",
    "iendswith",
    "iexact",
    "in",
    "iregex",
    "istartswith",
    "ne",
    "regex",
    "startswith",
]
NUMERIC = ["between", "exact", "gt", "gte", "in", "lt", "lte", "ne", "range"]


@pytest.mark.parametrize(
    ("field_class", "names"),
    [
        (TagField, sorted([*TEXT, "isnull"])),
        (StringField, TEXT),
        (FloatField, NUMERIC),
        (IntegerField, NUMERIC),
        (InfluxField, sorted({*TEXT, *NUMERIC})),
        (BooleanField, ["exact", "ne"]),
        (TimeField, ["between", "exact", "gt", "gte", "lt", "lte", "range"]),
    ],
)
def test_registered_lookups(field_class: type[Any], names: list[str]):
    """Each field class offers the lookups InfluxDB can evaluate for it."""
    assert sorted(field_class.get_lookups()) == names


# -- unknown names ---------------------------------------------------------------


def test_unknown_field():
    """An unknown field lists the model's fields and suggests a close one."""
    msg = (
        "ServerMeasurement has no field 'nmae'; choices are: cpu, free_memory, "
        "memory, name, optional_tag, region, time. Did you mean 'name'?"
    )
    with pytest.raises(FieldError, match=re.escape(msg)) as info:
        SERVERS.filter(nmae="a")
    assert info.value.field == "nmae"


def test_unknown_field_without_a_close_match():
    """No suggestion is made when nothing is close."""
    msg = (
        "ServerMeasurement has no field 'zzz'; choices are: cpu, free_memory, "
        "memory, name, optional_tag, region, time."
    )
    with pytest.raises(FieldError, match=re.escape(msg) + "$"):
        SERVERS.filter(zzz__gt=1)


def test_unknown_field_in_q():
    """Fields inside Q objects are checked when the filter is applied."""
    msg = "ServerMeasurement has no field 'regon'"
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(Q(name="a") | Q(regon="b"))


@pytest.mark.parametrize(
    ("key", "msg"),
    [
        (
            "name__exat",
            (
                "ServerMeasurement.name has no lookup 'exat'; a TagField supports: "
                "contains, endswith, exact, icontains, iendswith, iexact, in, iregex, "
                "isnull, istartswith, ne, regex, startswith. Did you mean 'exact'?"
            ),
        ),
        (
            "memory__regex",
            (
                "ServerMeasurement.memory has no lookup 'regex'; an IntegerField "
                "supports: between, exact, gt, gte, in, lt, lte, ne, range. "
                "Did you mean 'range'?"
            ),
        ),
        (
            "memory__isnull",
            (
                "ServerMeasurement.memory has no lookup 'isnull'; an IntegerField "
                "supports: between, exact, gt, gte, in, lt, lte, ne, range."
            ),
        ),
        (
            "cpu__isnull",
            (
                "ServerMeasurement.cpu has no lookup 'isnull'; an InfluxField "
                "supports: between, contains, endswith, exact, gt, gte, icontains, "
                "iendswith, iexact, in, iregex, istartswith, lt, lte, ne, range, "
                "regex, startswith."
            ),
        ),
        (
            "time__ne",
            (
                "ServerMeasurement.time has no lookup 'ne'; a TimeField supports: "
                "between, exact, gt, gte, lt, lte, range."
            ),
        ),
        (
            "time__in",
            (
                "ServerMeasurement.time has no lookup 'in'; a TimeField supports: "
                "between, exact, gt, gte, lt, lte, range."
            ),
        ),
    ],
)
def test_unknown_lookup(key: str, msg: str):
    """An unknown lookup lists the field class's lookups, with a suggestion."""
    with pytest.raises(FieldError, match=re.escape(msg) + "$"):
        SERVERS.filter(**{key: 1})


@pytest.mark.parametrize(
    ("key", "msg"),
    [
        (
            "ok__gt",
            "Reading.ok has no lookup 'gt'; a BooleanField supports: exact, ne.",
        ),
        (
            "ok__in",
            "Reading.ok has no lookup 'in'; a BooleanField supports: exact, ne.",
        ),
        (
            "message__isnull",
            (
                "Reading.message has no lookup 'isnull'; a StringField supports: "
                "contains, endswith, exact, icontains, iendswith, iexact, in, iregex, "
                "istartswith, ne, regex, startswith."
            ),
        ),
        (
            "value__contains",
            (
                "Reading.value has no lookup 'contains'; a FloatField supports: "
                "between, exact, gt, gte, in, lt, lte, ne, range."
            ),
        ),
    ],
)
def test_unknown_lookup_on_typed_fields(key: str, msg: str):
    """Typed fields refuse the lookups InfluxDB cannot evaluate for them."""
    with pytest.raises(FieldError, match=re.escape(msg) + "$"):
        READINGS.filter(**{key: True})


# -- comparisons InfluxDB answers silently with nothing --------------------------


@pytest.mark.parametrize("lookup", ["gt", "gte", "lt", "lte"])
def test_ordering_on_a_tag(lookup: str):
    """``<`` and ``>`` on tags match nothing in InfluxDB, so they are refused."""
    msg = (
        f"name__{lookup}: InfluxDB answers <, <=, > and >= on tags with no rows and "
        "no error, so influxpy refuses them; use exact values, __in, __regex or "
        "__startswith instead."
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        SERVERS.filter(**{f"name__{lookup}": "m"})


@pytest.mark.parametrize("lookup", ["gt", "lte", "range", "between"])
def test_ordering_on_a_string_field(lookup: str):
    """String fields answer ``<`` and ``>`` with nothing, like tags."""
    value = ("a", "m") if lookup in ("range", "between") else "m"
    msg = (
        f"message__{lookup}: InfluxDB answers <, <=, > and >= on string fields with "
        "no rows and no error, so influxpy refuses them; use exact values, __in, "
        "__regex or __startswith instead."
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        READINGS.filter(**{f"message__{lookup}": value})


@pytest.mark.parametrize(("lookup", "value"), [("lt", "m"), ("range", ("a", "m"))])
def test_ordering_with_text_on_an_untyped_field(lookup: str, value: Any):
    """An untyped field compared with text is a string comparison too."""
    msg = (
        f"anything__{lookup}: InfluxDB answers <, <=, > and >= on strings with no "
        "rows and no error"
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        READINGS.filter(**{f"anything__{lookup}": value})


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(Q(time__gt=T0) | Q(name="a"), id="time-or-tag"),
        pytest.param(Q(time__gt=T1) | Q(time__lt=T0), id="two-time-ranges"),
        pytest.param(Q(name="a") | Q(time__lt=Now() - Hour(1)), id="tag-or-now"),
        pytest.param(~Q(time__gte=T0, time__lt=T1), id="negated-bounds"),
        pytest.param(
            Q(cpu__gt=1) & (Q(name="a") | Q(time__gt=T0)), id="nested-or-with-time"
        ),
    ],
)
def test_or_involving_time(condition: Q):
    """Any OR touching time returns nothing on InfluxDB 1.x (§3.4)."""
    qs = SERVERS.filter(condition)
    with pytest.raises(CompileError, match=re.escape(TIME_OR)):
        str(qs.query)


@pytest.mark.parametrize(
    "qs",
    [
        pytest.param(SERVERS.exclude(time__range=(T0, T1)), id="exclude-range"),
        pytest.param(SERVERS.exclude(time__between=(T0, T1)), id="exclude-between"),
        pytest.param(SERVERS.filter(~Q(time__range=(T0, T1))), id="not-range"),
    ],
)
def test_negated_time_range(qs: Any):
    """A negated time range is an OR of two bounds, which InfluxDB ignores."""
    with pytest.raises(CompileError, match=re.escape(TIME_OR)):
        str(qs.query)


@pytest.mark.parametrize(
    "qs",
    [
        pytest.param(SERVERS.exclude(time=T0), id="exclude"),
        pytest.param(SERVERS.filter(~Q(time=T0)), id="not-q"),
        pytest.param(SERVERS.filter(name="a").exclude(time=Now()), id="now"),
    ],
)
def test_time_not_equal(qs: Any):
    """``time != x`` is rejected by InfluxDB."""
    with pytest.raises(CompileError, match=re.escape(TIME_NOT_EQUAL)):
        str(qs.query)


def test_empty_in():
    """An empty __in list can match nothing, which InfluxQL cannot say."""
    qs = SERVERS.filter(name__in=[])
    msg = (
        "name__in got an empty list, which matches nothing; use QuerySet.none() "
        "for an empty result."
    )
    with pytest.raises(CompileError, match=re.escape(msg)):
        str(qs.query)


# -- values a lookup cannot take -------------------------------------------------


@pytest.mark.parametrize(
    ("key", "msg"),
    [
        (
            "name",
            (
                "ServerMeasurement.name__exact cannot compare with None; use "
                "name__isnull=True to find points without a value."
            ),
        ),
        (
            "optional_tag__ne",
            (
                "ServerMeasurement.optional_tag__ne cannot compare with None; use "
                "optional_tag__isnull=True to find points without a value."
            ),
        ),
        (
            "optional_tag__isnull",
            (
                "ServerMeasurement.optional_tag__isnull cannot compare with None; use "
                "optional_tag__isnull=True to find points without a value."
            ),
        ),
        (
            "cpu",
            (
                "ServerMeasurement.cpu__exact cannot compare with None: InfluxDB "
                "cannot filter on a missing field value."
            ),
        ),
        (
            "memory__gt",
            (
                "ServerMeasurement.memory__gt cannot compare with None: InfluxDB "
                "cannot filter on a missing field value."
            ),
        ),
        (
            "time__lt",
            (
                "ServerMeasurement.time__lt cannot compare with None: every point "
                "has a time."
            ),
        ),
    ],
)
def test_none_with_a_lookup(key: str, msg: str):
    """None is refused, pointing tags to __isnull."""
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(**{key: None})


@pytest.mark.parametrize(
    ("value", "shown"), [("ab", "'ab' (str)"), (b"ab", "b'ab' (bytes)"), (3, "3 (int)")]
)
def test_in_with_a_non_list(value: Any, shown: str):
    """__in takes a list; a str would be split into letters."""
    msg = f"ServerMeasurement.name__in takes a list of values; got {shown}."
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(name__in=value)


@pytest.mark.parametrize(
    ("value", "shown"), [(1, "1 (int)"), ("yes", "'yes' (str)"), (0, "0 (int)")]
)
def test_isnull_with_a_non_bool(value: Any, shown: str):
    """__isnull takes True or False only."""
    msg = f"ServerMeasurement.optional_tag__isnull takes True or False; got {shown}."
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(optional_tag__isnull=value)


@pytest.mark.parametrize("lookup", ["regex", "startswith", "icontains", "iexact"])
def test_text_lookup_with_a_non_str(lookup: str):
    """Regex-based lookups take a str."""
    msg = f"ServerMeasurement.cpu__{lookup} takes a str; got 5 (int)."
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(**{f"cpu__{lookup}": 5})


@pytest.mark.parametrize(
    ("value", "shown"), [((1, 2, 3), "(1, 2, 3)"), (5, "5"), ([1], "[1]")]
)
def test_range_needs_a_pair(value: Any, shown: str):
    """__range takes (low, high)."""
    msg = f"ServerMeasurement.cpu__range takes a pair (low, high); got {shown}."
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(cpu__range=value)


def test_time_range_needs_a_pair():
    """time__range takes (start, end)."""
    msg = "ServerMeasurement.time__between takes a pair (start, end); got "
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(time__between=(T0,))


def test_compare_with_another_field():
    """A field compares with other fields of the point (``WHERE a < b``)."""
    qs = SERVERS.filter(free_memory__lt=F("memory") / 2)
    assert str(qs.query) == (
        'SELECT * FROM "servers" WHERE "free_memory" < "memory" / 2'
    )
    with pytest.raises(FieldError, match="compute it in a subquery"):
        SERVERS.filter(free_memory__lt=Mean("memory"))
    # A tag compares with another tag (or a string field), as text.
    qs = SERVERS.filter(name=F("region"))
    assert str(qs.query) == 'SELECT * FROM "servers" WHERE "name" = "region"'
    with pytest.raises(FieldError, match="compares text only with text"):
        SERVERS.filter(name=F("memory"))


@pytest.mark.parametrize(
    ("qs", "key", "value", "msg"),
    [
        (
            SERVERS,
            "name",
            3,
            (
                "ServerMeasurement.name is a TagField and takes a str (convert "
                "numbers with str()); got 3 (int)."
            ),
        ),
        (
            SERVERS,
            "memory__gt",
            2.5,
            (
                "ServerMeasurement.memory is an IntegerField and takes an int "
                "between -2**63 and 2**63-1 (a whole number); got 2.5 (float)."
            ),
        ),
        (
            SERVERS,
            "cpu",
            float("nan"),
            (
                "ServerMeasurement.cpu is an InfluxField and takes a number, a bool "
                "or a str (InfluxDB cannot store NaN or infinity); got nan (float)."
            ),
        ),
        (
            READINGS,
            "value__gt",
            "2",
            (
                "Reading.value is a FloatField and takes a float (or an int); "
                "got '2' (str)."
            ),
        ),
        (
            READINGS,
            "ok",
            1,
            "Reading.ok is a BooleanField and takes a bool; got 1 (int).",
        ),
        (
            READINGS,
            "message__in",
            ["a", 2],
            "Reading.message is a StringField and takes a str; got 2 (int).",
        ),
    ],
)
def test_value_the_field_cannot_hold(qs: Any, key: str, value: Any, msg: str):
    """Values go through the field's own checks, naming type and value."""
    with pytest.raises(FieldError, match=re.escape(msg) + "$"):
        qs.filter(**{key: value})


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (
            "yesterday",
            (
                "'yesterday' is not an ISO 8601 time; use a form such as "
                "'2017-12-12T09:45:00Z' or '2017-12-12 09:45:00.123456789'"
            ),
        ),
        (
            1.5,
            (
                "expected a datetime, an int of epoch nanoseconds, an ISO 8601 string, "
                "a pandas Timestamp or a numpy datetime64, got 1.5 (float)"
            ),
        ),
        (
            True,
            (
                "expected a datetime, an int of epoch nanoseconds, an ISO 8601 string, "
                "a pandas Timestamp or a numpy datetime64, got True (bool)"
            ),
        ),
    ],
)
def test_time_value_that_is_not_a_time(value: Any, reason: str):
    """Time lookups name the value and show the relative form."""
    msg = (
        f"ServerMeasurement.time__gt cannot use {value!r}: {reason}. Relative times "
        "are written Now() - Hour(1)."
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(time__gt=value)


def test_time_out_of_range():
    """Times outside InfluxDB's range are refused."""
    msg = (
        "ServerMeasurement.time__gt cannot use 9223372036854775807: "
        "9223372036854775807 is outside the range InfluxDB can store"
    )
    with pytest.raises(FieldError, match=re.escape(msg)):
        SERVERS.filter(time__gt=2**63 - 1)


# -- regex_escape ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", ""),
        ("plain text", "plain text"),
        (".", "\\."),
        ("\\", "\\\\"),
        ("+*?", "\\+\\*\\?"),
        ("()|", "\\(\\)\\|"),
        ("[]{}", "\\[\\]\\{\\}"),
        ("^$", "\\^\\$"),
        ("a-b_c,d:e#f", "a-b_c,d:e#f"),
        ("/", "/"),
        ("é ✓", "é ✓"),
        ("\n", "\\x{0a}"),
        ("\t", "\\x{09}"),
        ("\r", "\\x{0d}"),
        ("\x00", "\\x{00}"),
        ("\x1f", "\\x{1f}"),
        ("\x7f", "\\x{7f}"),
        ("i-3a99f2b.eu", "i-3a99f2b\\.eu"),
    ],
)
def test_regex_escape(text: str, pattern: str):
    """Every RE2 metacharacter and every control character is escaped."""
    assert regex_escape(text) == pattern


def _as_python_regex(pattern: str) -> str:
    """Turn RE2's ``\\x{hh}`` into Python's ``\\xhh`` (the only difference here)."""
    return re.sub(r"\\x\{([0-9a-f]{2})\}", r"\\x\1", pattern)


@given(st.text())
def test_regex_escape_matches_the_text_literally(text: str):
    """The escaped pattern matches exactly the text it was made from."""
    pattern = _as_python_regex(regex_escape(text))
    assert re.fullmatch(pattern, text, flags=re.DOTALL) is not None
    assert "\n" not in pattern
