"""Round trip: a QuerySet's InfluxQL, parsed, compiles back to the same text.

The QuerySets come from the differential test's generator
(``tests/test_differential.py``): every query shape the engine is checked
against InfluxDB with. ``str(query)`` is parsed with
``influxpy.influxql.parse_statement`` and compiled again with the InfluxQL
compiler; the text must not change. ``INFLUXPY_PARSE_EXAMPLES`` sets the
number of examples (200 by default).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_differential as differential
from influxpy.exceptions import InfluxpyError
from influxpy.influxql import parse_statement
from influxpy.query import Query

EXAMPLES = int(os.environ.get("INFLUXPY_PARSE_EXAMPLES", "200"))
KINDS = [
    differential.raw_queries,
    differential.aggregate_queries,
    differential.transform_queries,
    differential.special_queries,
    differential.subquery_queries,
]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_queryset_text_round_trips(data: st.DataObject) -> None:
    dataset = data.draw(differential.datasets())
    spec = data.draw(st.sampled_from(KINDS).flatmap(lambda kind: kind(dataset)))
    queryset = spec.build(differential.make_model().series)
    try:
        text = str(queryset.query)
    except InfluxpyError:
        # A QuerySet InfluxQL cannot express; the differential test covers it.
        return
    parsed = parse_statement(text)
    assert isinstance(parsed, Query)
    assert str(parsed) == text, spec
