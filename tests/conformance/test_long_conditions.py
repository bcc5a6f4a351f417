"""Conditions of thousands of terms, as programs write them
(``host = 'h0' OR host = 'h1' OR ...``): influxd reads them; the engine
reads them too (their syntax is a tree as deep as they have terms), in
time linear in their length."""

from __future__ import annotations

import pytest

from conformance._common import text_answers

LINES = [f"m,host=h{i % 50} v={i}i {i}" for i in range(200)]


@pytest.mark.parametrize("terms", [500, 3000])
@pytest.mark.parametrize("connector", ["OR", "AND"])
def test_a_condition_of_thousands_of_terms(
    both: tuple[str, str], terms: int, connector: str
) -> None:
    if connector == "OR":
        where = " OR ".join(f"host = 'h{i}'" for i in range(0, terms, 3))
        where = f"time >= 0 AND ({where}) OR v = 7"
    else:
        where = " AND ".join(f"host != 'h{i}'" for i in range(0, terms, 2))
    text = f"SELECT v FROM m WHERE {where}"
    answers = text_answers(both, "long_conditions", LINES, text, epoch="ns")
    assert answers[1] == answers[0]
    assert answers[0][0][1]
