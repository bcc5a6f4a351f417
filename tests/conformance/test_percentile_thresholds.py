"""PERCENTILE near 0 or 100 per group, with the groups' thresholds drawn by
a statement of its own, answers as influxd 1.6.7 answers.

Over a table's rows the engine draws a sample per group in a statement run
first (``compilers/duckdb/percentile_tails.py``); the thresholds, their
bound and the way taken are values the percentile's statement reads
(``Binding``). Every context that carries such a statement runs here on
influxd and on the engine: grouped by a tag and by windows, several
percentiles in one SELECT, beside other calls, under a subquery, with a
condition, in descending order and written by INTO. The sample takes every
vector and every group gets a threshold (each group holds), the thresholds
lie just short of each rank, only the largest group gets one (the others
have all their rows ranked), or, as shipped on tables this small, no group
gets one (every group is answered by the grouped selection).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import influxpy
from conformance._common import stored_answer, written_by_into
from influxpy.compilers.duckdb import percentile_tails
from influxpy.influxql import parse_statement


def _lines() -> list[str]:
    """6,000 points of three series of 3,000, 2,000 and 1,000 points, every
    value distinct (influxd's order among tied values of more than 12
    points is its sort's own)."""
    rng = random.Random(20261207)
    floats = rng.sample(range(1_000_000), 6_000)
    integers = rng.sample(range(-500_000, 500_000), 6_000)
    return [
        f"m,t={'aaabbc'[i % 6]} v={floats[i] / 7},n={integers[i]}i {i + 1}"
        for i in range(6_000)
    ]


LINES = _lines()
STATEMENTS = [
    "SELECT percentile(v, 99) FROM m GROUP BY t",
    "SELECT percentile(v, 1) FROM m GROUP BY t",
    "SELECT percentile(n, 90) FROM m GROUP BY t",
    "SELECT percentile(v, 99.9), percentile(n, 5) FROM m GROUP BY t",
    "SELECT percentile(v, 95), max(v), count(v) FROM m GROUP BY t",
    "SELECT percentile(v, 99) FROM m WHERE t != 'b' GROUP BY t",
    "SELECT percentile(v, 97) FROM m WHERE time >= 1000 AND time < 5000 GROUP BY t",
    "SELECT percentile(v, 99) FROM m GROUP BY t ORDER BY time DESC",
    "SELECT percentile(v, 98) FROM m WHERE time <= 6000 GROUP BY time(3u), t",
    "SELECT max(p) FROM (SELECT percentile(v, 95) AS p FROM m GROUP BY t)",
    "SELECT * FROM (SELECT percentile(v, 99) AS p FROM m GROUP BY t)",
    "SELECT percentile(v, 99) * 2 FROM m GROUP BY t",
]

#: (sample, least sampled values, standard errors) of the thresholds: every
#: group sampled whole and holding; just short of each rank; only the
#: largest series (half the rows) given one, the others ranked whole; as
#: shipped.
WAYS = {
    "every group holds": ("100% (system)", 1, 4.0),
    "thresholds at the rank": ("100% (system)", 1, 0.0),
    "the largest group alone": ("100% (system)", 1500, 4.0),
    "as shipped": (
        percentile_tails.SAMPLE,
        percentile_tails.MIN_SAMPLED,
        percentile_tails._SIGMAS,
    ),
}


def _way(way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sample, least, sigmas = WAYS[way]
    monkeypatch.setattr(percentile_tails, "SAMPLE", sample)
    monkeypatch.setattr(percentile_tails, "MIN_SAMPLED", least)
    monkeypatch.setattr(percentile_tails, "_SIGMAS", sigmas)


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("text", STATEMENTS)
def test_percentile_per_group_with_thresholds_drawn_first(
    both: tuple[str, str], text: str, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _way(way, monkeypatch)
    server, engine = (
        stored_answer(alias, "percentile_thresholds", LINES, text) for alias in both
    )
    assert engine == server


@pytest.mark.parametrize("way", list(WAYS))
def test_percentile_per_group_written_by_into(
    both: tuple[str, str], way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _way(way, monkeypatch)
    text = (
        "SELECT percentile(v, 99) AS p99, percentile(n, 1) AS n1 "
        "INTO into_p FROM m GROUP BY t"
    )
    server, engine = (
        written_by_into(alias, "percentile_thresholds_into", LINES, text, "into_p")
        for alias in both
    )
    assert engine == server
    assert len(server[1]) == 3


def test_the_thresholds_are_a_statement_of_their_own(
    both: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The statements above carry the thresholds as a binding, or they would
    # not test it; with every group sampled, the binding turns them on.
    _way("every group holds", monkeypatch)
    _server, engine = both
    backend: Any = influxpy.get_connection(engine)
    backend.create_database("percentile_thresholds")
    backend.write_lines(LINES, database="percentile_thresholds")
    for text in STATEMENTS:
        query = parse_statement(text)
        compiled = backend.get_compiler("percentile_thresholds").compile(query)
        names = [name for b in compiled.plan.bindings for name in b.names]
        assert any(name.endswith("_on") for name in names), text
    query = parse_statement(STATEMENTS[0])
    compiled = backend.get_compiler("percentile_thresholds").compile(query)
    (binding,) = compiled.plan.bindings
    cursor = backend._cursor()
    arrays = cursor.sql(binding.text, params=binding.params).fetchnumpy()
    assert binding.derive is not None
    on, _edge, thresholds, keys = binding.derive(arrays)
    assert on is True
    assert len(thresholds) == len(keys) == 3
