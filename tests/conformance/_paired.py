"""Data and a reader shared by the subquery tests of inner calls paired by
influxd's cursor (``test_subquery_pairing.py``, ``test_subquery_call_columns.py``,
``test_subquery_nested_slices.py``)."""

from __future__ import annotations

from typing import Any

S = 1_000_000_000
#: Two hosts in two data centres, points of v and n apart and together.
POINTS = [
    f"m,host=a,dc=x v=1,n=10i {10 * S}",
    f"m,host=a,dc=y v=2 {10 * S}",
    f"m,host=b,dc=x n=30i {20 * S}",
    f"m,host=a,dc=x v=4 {20 * S}",
    f"m,host=a,dc=y n=50i {30 * S}",
    f"m,host=b,dc=y v=6,n=60i {30 * S}",
    f"m,host=a,dc=x n=70i {40 * S}",
    f"m,host=b,dc=x v=8 {40 * S}",
]
RANGE = "WHERE time >= 0 AND time < 50s"


def answer(backend: Any, text: str) -> list[tuple[dict[str, str], list[Any]]]:
    """Each series' tags and its rows (times in seconds), sorted."""
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [
        (s.tags, sorted(([v[0] // S, *v[1:]] for v in s.values), key=repr))
        for s in result.series
    ]
