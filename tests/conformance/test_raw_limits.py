"""LIMIT and OFFSET of raw SELECTs, whose rows the engine bounds in time.

The engine reads only rows at or before the latest of every group's
``(LIMIT + OFFSET)``-th time (``compilers/duckdb/raw_limits.py``). The
series here start and end at different times, write at shared and at
their own times, and miss fields at some points, so the groups' bounds
differ and rows at a group's bound tie with other series' rows.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

#: Five series over the tags host and dc (one without dc): a, b and c
#: write every 10 ns from different starts, d once late, e every 7 ns;
#: ``w`` is missing from every third point, ``s`` from every other.
LINES = [
    f"m,host={host}{dc} v={t % 13}i"
    + (f",w={t}" if t % 3 else "")
    + (f',s="x{t % 4}"' if t % 2 else "")
    + f" {t}"
    for host, dc, times in [
        ("a", ",dc=x", range(0, 400, 10)),
        ("b", ",dc=x", range(50, 300, 10)),
        ("c", ",dc=y", range(120, 600, 10)),
        ("d", ",dc=y", [450]),
        ("e", "", range(3, 500, 7)),
    ]
    for t in times
]


@pytest.mark.parametrize(
    "clause",
    [
        "LIMIT 1",
        "LIMIT 5",
        "LIMIT 4 OFFSET 3",
        "LIMIT 3 OFFSET 60",
        "LIMIT 1000",
        "GROUP BY dc LIMIT 3",
        "GROUP BY dc LIMIT 2 OFFSET 5",
        "GROUP BY host LIMIT 2",
        "GROUP BY * LIMIT 1 OFFSET 2",
        "GROUP BY * ORDER BY time DESC LIMIT 2",
        "ORDER BY time DESC LIMIT 6",
        "ORDER BY time DESC LIMIT 3 OFFSET 4",
        "GROUP BY dc ORDER BY time DESC LIMIT 4",
        "GROUP BY * LIMIT 2 SLIMIT 2 SOFFSET 1",
        "WHERE time >= 100 AND time < 300 LIMIT 7",
        "WHERE host = 'c' OR host = 'e' GROUP BY host LIMIT 3 OFFSET 1",
    ],
)
@pytest.mark.parametrize("select", ["*", "w", "s", "dc, host, w", "host, s"])
def test_limits_take_the_same_rows(
    both: tuple[str, str], select: str, clause: str
) -> None:
    text = f"SELECT {select} FROM m {clause}"
    answers = text_answers(both, "raw_limits", LINES, text, epoch="ns")
    assert answers[1] == answers[0]
