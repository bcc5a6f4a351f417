"""PERCENTILE over all of a measurement's rows, with the bracket drawn by a
statement of its own, answers as influxd 1.6.7 answers.

The engine draws a sample of the table to bracket the point at the nearest
rank (``compilers/duckdb/percentile.py``); the bracket, the pick in its
tail and (when that pick leaves it to SQL) the selection are statements
run first, whose values the percentile's own statement reads
(``Binding``). Every context that carries such a statement runs here on
influxd and on the engine: several percentiles in one SELECT, beside other
calls, under a subquery, over two measurements, with a tag or time
condition, in descending order and written by INTO. The sample takes every
vector, half of them, or (as shipped, on tables this small) none, so the
bracket holds, holds or misses, and is absent.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import influxpy
from conformance._common import stored_answer, written_by_into
from influxpy.compilers.duckdb import percentile
from influxpy.influxql import parse_statement


def _lines() -> list[str]:
    """5,000 points of two series in ``m`` and 1,000 in ``m2``, every value
    distinct (influxd's order among tied values of more than 12 points is
    its sort's own)."""
    rng = random.Random(20261206)
    floats = rng.sample(range(1_000_000), 6_000)
    integers = rng.sample(range(-500_000, 500_000), 5_000)
    lines = [
        f"m,t={'ab'[i % 2]} v={floats[i] / 7},n={integers[i]}i {i + 1}"
        for i in range(5_000)
    ]
    lines += [f"m2 v={floats[5_000 + i] / 7} {i + 1}" for i in range(1_000)]
    return lines


LINES = _lines()
STATEMENTS = [
    "SELECT percentile(v, 99) FROM m",
    "SELECT percentile(v, 0.5) FROM m",
    "SELECT percentile(v, 50) FROM m",
    "SELECT percentile(n, 90) FROM m",
    "SELECT percentile(v, 1), percentile(v, 50), percentile(n, 97) FROM m",
    "SELECT percentile(v, 99), max(v), count(v) FROM m",
    "SELECT percentile(v, 99) FROM m WHERE t = 'a'",
    "SELECT percentile(v, 95) FROM m WHERE time >= 1000 AND time < 4000",
    "SELECT percentile(v, 95) FROM m ORDER BY time DESC",
    "SELECT percentile(v, 75) FROM m, m2",
    "SELECT max(p) FROM (SELECT percentile(v, 95) AS p FROM m)",
    "SELECT percentile(p, 50) FROM (SELECT percentile(v, 95) AS p FROM m)",
    "SELECT percentile(v, 99) * 2 FROM m",
]

#: How much of the table the bracket's sample takes.
SAMPLES = ["100% (system)", "50% (system)", percentile.SAMPLE]


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("text", STATEMENTS)
def test_percentile_with_its_bracket_drawn_first(
    both: tuple[str, str], text: str, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(percentile, "SAMPLE", sample)
    server, engine = (
        stored_answer(alias, "percentile_bracket", LINES, text) for alias in both
    )
    assert engine == server


@pytest.mark.parametrize("sample", SAMPLES)
def test_percentile_written_by_into(
    both: tuple[str, str], sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(percentile, "SAMPLE", sample)
    text = (
        "SELECT percentile(v, 99) AS p99, percentile(n, 1) AS n1 "
        "INTO into_p FROM m GROUP BY t"
    )
    server, engine = (
        written_by_into(alias, "percentile_into", LINES, text, "into_p")
        for alias in both
    )
    assert engine == server
    assert len(server[1]) == 2


def test_the_bracket_is_a_statement_of_its_own(both: tuple[str, str]) -> None:
    # The statements above carry the bracket as a binding, or they would
    # not test it.
    _server, engine = both
    backend: Any = influxpy.get_connection(engine)
    backend.create_database("percentile_bracket")
    backend.write_lines(LINES, database="percentile_bracket")
    query = parse_statement("SELECT percentile(v, 99) FROM m")
    compiled = backend.get_compiler("percentile_bracket").compile(query)
    bracket, counted, pick, selected = compiled.plan.bindings
    assert [name.rsplit("_", 1)[1] for name in bracket.names] == [
        "lo",
        "hi",
        "upper",
        "tail",
        "window",
        "n",
    ]
    # The count below the bracket runs only when its rows are fetched; the
    # pick among the rows fetched reads the bracket; the SQL's selection
    # runs only when the pick leaves it the rest, and binds the same point.
    assert counted.when == bracket.names[4]
    assert set(pick.reads) <= set(bracket.names)
    assert counted.names[0] in pick.passes
    assert selected.when == pick.names[1]
    assert selected.names == (pick.names[0], *pick.names[2:])
    # The statement reads the point by its time and value, and the count.
    assert all(f"${name}" in compiled.text for name in selected.names)
    assert f"${bracket.names[-1]}" in compiled.text


#: Values near both ends of the doubles, all distinct: a bracket from the
#: least to the greatest spans more than a double holds.
EXTREMES = [
    f"ends v={sign * (1.7e308 - i * 1e300)!r} {2 * i + (sign > 0) + 1}"
    for i in range(1_500)
    for sign in (1, -1)
] + [f"ends v={i / 3!r} {3_001 + i}" for i in range(1_000)]


@pytest.mark.parametrize("p", [1, 30, 50, 70, 99])
def test_percentile_with_a_bracket_wider_than_a_double_holds(
    both: tuple[str, str], p: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The whole sample and the widest width: the bracket is the least and
    # the greatest value, whose difference overflows a double.
    monkeypatch.setattr(percentile, "SAMPLE", "100% (system)")
    monkeypatch.setattr(percentile, "BRACKET_WIDTHS", (1.0,))
    text = f"SELECT percentile(v, {p}) FROM ends"
    server, engine = (
        stored_answer(alias, "percentile_ends", EXTREMES, text) for alias in both
    )
    assert engine == server
