"""Raw levels between a statement and its innermost subquery, as influxd runs them.

influxd passes a subquery's cursor through a raw select unsorted, whatever
that select groups by: the rows of an aggregate without windows come
series after series by the innermost series key, those of raw rows in the
innermost's own order (time, then the texts it reads). A raw level's
LIMIT counts runs of one of its groups in that stream, and its ``*``
lists every column of its subquery, a tag the statement groups by too
(``rack`` below is then both the statement's group and a column, and
``count(*)`` does not count it: influxd types it a tag).
"""

from __future__ import annotations

import pytest

from conformance._common import racked_lines, text_answers

_MAX = "SELECT max(v) FROM m GROUP BY dc, rack"
_TWO = "SELECT max(v), min(v) FROM m GROUP BY dc, rack"
_FIRST = "SELECT first(v) FROM m GROUP BY rack"
_RAW = "SELECT v, host FROM m"
_WINDOWS = "SELECT max(v) FROM m WHERE time < 150 GROUP BY time(50ns), dc, rack"

QUERIES = [
    # A middle level's LIMIT, counted per run of dc in the innermost order.
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY dc LIMIT 1)",
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY rack LIMIT 1)",
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY dc LIMIT 1 OFFSET 1)",
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY rack LIMIT 2) GROUP BY dc",
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY dc LIMIT 1) ORDER BY time DESC",
    # The middle's groups do not sort its rows.
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY rack)",
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY rack) ORDER BY time DESC",
    f"SELECT * FROM (SELECT * FROM ({_FIRST}) GROUP BY rack)",
    # The statement's tags stay columns of a raw level's *.
    f"SELECT * FROM (SELECT * FROM ({_MAX}) GROUP BY dc) GROUP BY rack",
    f"SELECT * FROM (SELECT * FROM ({_MAX})) GROUP BY rack LIMIT 1",
    f"SELECT count(*) FROM (SELECT * FROM ({_MAX})) GROUP BY rack",
    # Raw rows innermost: their order is the texts they read, then keys.
    f"SELECT * FROM (SELECT * FROM ({_RAW}) GROUP BY dc)",
    f"SELECT * FROM (SELECT * FROM ({_RAW}) GROUP BY rack LIMIT 1)",
    # Several aggregates without windows: one row per series, by key,
    # in either direction.
    f"SELECT * FROM (SELECT * FROM ({_TWO})) ORDER BY time DESC",
    f"SELECT * FROM (SELECT * FROM ({_TWO}) GROUP BY host LIMIT 1) GROUP BY rack",
    # Windows innermost.
    f"SELECT * FROM (SELECT * FROM ({_WINDOWS}) GROUP BY host LIMIT 1)",
]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("text", QUERIES)
def test_raw_levels_between_statement_and_innermost(
    both: tuple[str, str], seed: int, text: str
) -> None:
    answers = text_answers(both, f"levels_{seed}", racked_lines(seed), text, epoch="ns")
    assert answers[0], text
    assert answers[1] == answers[0]
