"""Filtering by arbitrary text finds exactly the matching points on the real server.

A property test writes tag values and string field values drawn from all of
Unicode (quotes, backslashes, regex metacharacters, InfluxQL keywords
included), then filters by each with ``exact``, ``ne``, ``in``,
``startswith``, ``endswith`` and ``contains`` and requires exactly the
points a Python comparison selects. Values the line protocol cannot carry
must be refused at write time, never altered.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influxpy
from influxpy import fields, models
from influxpy.exceptions import LineProtocolError

KEYWORDS = ["SELECT", "FROM", "WHERE", "AND", "OR", "time", "now()", "DROP", "'; --"]
SPECIALS = list("\\'\"/.*+?()[]{}|^$ ,=\n\t")
text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
    st.lists(st.sampled_from(SPECIALS + KEYWORDS), min_size=1, max_size=6).map("".join),
)
_counter = itertools.count()


@pytest.fixture(scope="module")
def alias(influx_server):
    name = f"escaping_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(name)
    url = f"influxdb://{influx_server.host}:{influx_server.port}/{name}"
    if influx_server.username:
        url = url.replace(
            "://", f"://{influx_server.username}:{influx_server.password}@"
        )
    influxpy.connect(url, alias="escaping")
    yield "escaping"
    influxpy.connections.close_all()
    influx_server.drop_database(name)


def _model() -> type[models.InfluxMeasurement]:
    """A fresh measurement per example, so examples never see each other."""
    attrs = {
        "measurement": f"esc_{next(_counter)}",
        "s": fields.StringField(),
        "n": fields.IntegerField(),
        "t": fields.InfluxTag(),
        "Meta": type("Meta", (), {"using": "escaping"}),
    }
    return type("Escaped", (models.InfluxMeasurement,), attrs)


def _writable(model: type[models.InfluxMeasurement], value: str) -> bool:
    """Whether the line protocol can carry *value* as a tag and a string."""
    try:
        model._meta.encoder.encode(model(t=value, s=value, n=0, time=0))
    except LineProtocolError:
        return False
    return True


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.lists(text, min_size=2, max_size=4, unique=True), data=st.data())
def test_filters_find_exactly_the_matching_points(alias, values, data):
    """Every lookup on text returns exactly the points Python selects."""
    model = _model()
    kept = [v for v in values if _writable(model, v)]
    for value in values:
        if value not in kept:
            # Refused, never altered: the write itself raises.
            with pytest.raises(LineProtocolError):
                model.series.create(t=value, s=value, n=0, time=0)
    if not kept:
        return
    points = [
        model(t=value, s=value, n=index, time=index) for index, value in enumerate(kept)
    ]
    model.series.bulk_create(points)
    target = data.draw(st.sampled_from(kept))
    part = data.draw(st.integers(0, len(target)))
    prefix, suffix = target[:part] or target, target[part:] or target

    def found(qs):
        return sorted(p["n"] for p in qs.points())

    def expect(predicate):
        return sorted(i for i, v in enumerate(kept) if predicate(v))

    series = model.series
    assert found(series.filter(t=target)) == expect(lambda v: v == target)
    assert found(series.filter(s=target)) == expect(lambda v: v == target)
    assert found(series.exclude(t=target)) == expect(lambda v: v != target)
    assert found(series.filter(t__in=[target, prefix])) == expect(
        lambda v: v in (target, prefix)
    )
    assert found(series.filter(t__startswith=prefix)) == expect(
        lambda v: v.startswith(prefix)
    )
    assert found(series.filter(s__endswith=suffix)) == expect(
        lambda v: v.endswith(suffix)
    )
    assert found(series.filter(t__contains=suffix)) == expect(lambda v: suffix in v)
    assert [p["t"] for p in series.filter(t=target).points()] == [target]
