"""A tag compared with another tag or a string field: ``filter(host=F('dc'))``.

influxd compares the two texts of each point (``WHERE "host" = "dc"``), a
missing tag being ``''``. Each test runs on the server and on the engine
(``conn``) and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, write
from influxpy import F
from influxpy.exceptions import FieldError


@pytest.fixture
def tagged(conn: str) -> str:
    write(
        conn,
        Reading(time=at(1), v=1.0, s="a", host="a", dc="a"),
        Reading(time=at(2), v=2.0, s="b", host="a", dc="b"),
        Reading(time=at(3), v=3.0, s="a", host="b", dc="b"),
        Reading(time=at(4), v=4.0, s="c", host="c"),
    )
    return conn


def _values(qs: Any) -> list[float]:
    return [p["v"] for r in qs.only("v").epoch() for p in r.points]


def test_tag_with_tag(tagged: str) -> None:
    qs = Reading.series.using(tagged).filter(host=F("dc"))
    assert 'WHERE "host" = "dc"' in str(qs.query)
    assert _values(qs) == [1.0, 3.0]
    assert _values(Reading.series.using(tagged).exclude(host=F("dc"))) == [2.0, 4.0]
    assert _values(Reading.series.using(tagged).filter(host__ne=F("dc"))) == [2.0, 4.0]


def test_tag_with_string_field(tagged: str) -> None:
    assert _values(Reading.series.using(tagged).filter(host=F("s"))) == [1.0, 4.0]
    assert _values(Reading.series.using(tagged).filter(s__ne=F("host"))) == [2.0, 3.0]


@pytest.mark.parametrize(
    ("lookup", "value", "error"),
    [
        ("host", F("v"), "compares text only with text"),
        ("host", F("dc") + "x", "exact and ne only"),
        ("host__regex", F("dc"), None),
    ],
)
def test_refusals(lookup: str, value: Any, error: str | None) -> None:
    with pytest.raises(FieldError, match=error):
        Reading.series.filter(**{lookup: value})


@pytest.mark.parametrize(
    "condition",
    [
        "host > 'a'",
        "host >= ''",
        "'z' > host",
        "host <= 'c'",
        "s > 'a'",
        "s < 'z'",
        "nothing < 'z'",
        "host::tag > 'a'",
    ],
)
@pytest.mark.parametrize("outer", ["conformance", "(SELECT * FROM conformance)"])
def test_text_is_never_ordered(tagged: str, condition: str, outer: str) -> None:
    """influxd 1.6 orders no text: its series index (in memory, the
    default) picks no series for a tag compared by ``<``, ``>``, ``<=`` or
    ``>=`` with a string, and points compare strings by ``=`` and ``!=``
    only (QuerySets refuse such lookups; InfluxQL text is answered)."""
    backend = influxpy.get_connection(tagged)

    def values(where: str) -> list[float]:
        text = f"SELECT v FROM {outer} WHERE {where}"
        return [p["v"] for r in backend.query(text, epoch="ns") for p in r.points]

    assert values(condition) == []
    assert values(f"{condition} OR v >= 3") == [3.0, 4.0]
    assert values(f"({condition}) OR host = 'a'") == [1.0, 2.0]
