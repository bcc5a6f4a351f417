"""A raw SELECT over a raw subquery keeps the order of the rows it reads.

influxd reads a subquery through a cursor that a raw select passes on
unsorted: rows of aggregates without windows, of selectors or of TOP come
series after series (by series key) from the innermost query, and every
raw level above hands that order on (``compiler._raw_query``'s hand-on of
``ROW_ORDER``), where the engine used to sort each raw level by time.
"""

from __future__ import annotations

import pytest

from conformance._common import racked_lines, text_answers

#: Each wraps the innermost query (``{}``) in raw levels.
QUERIES = [
    "SELECT * FROM (SELECT * FROM ({}))".format(
        "SELECT max(v) FROM m GROUP BY dc, rack"
    ),
    "SELECT * FROM (SELECT * FROM ({}) GROUP BY dc)".format(
        "SELECT first(v) FROM m GROUP BY dc, rack"
    ),
    "SELECT * FROM (SELECT * FROM (SELECT * FROM ({})))".format(
        "SELECT last(v) FROM m GROUP BY rack"
    ),
    "SELECT * FROM (SELECT * FROM ({}))".format(
        "SELECT top(v, 2) FROM m GROUP BY dc, rack"
    ),
    "SELECT * FROM (SELECT * FROM ({}))".format(
        "SELECT max(v), min(v) FROM m GROUP BY dc, rack"
    ),
    "SELECT v FROM (SELECT * FROM ({}))".format(
        "SELECT max(v) AS v FROM m GROUP BY rack"
    ),
    "SELECT * FROM (SELECT * FROM ({}) LIMIT 2)".format(
        "SELECT max(v) FROM m GROUP BY dc, rack"
    ),
    "SELECT * FROM (SELECT * FROM ({})) ORDER BY time DESC".format(
        "SELECT count(v) FROM m GROUP BY dc, rack"
    ),
]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("text", QUERIES)
def test_raw_levels_pass_their_subquerys_order_on(
    both: tuple[str, str], seed: int, text: str
) -> None:
    answers = text_answers(both, f"pass_{seed}", racked_lines(seed), text, epoch="ns")
    assert answers[0], text
    assert answers[1] == answers[0]
