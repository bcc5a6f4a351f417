"""MODE over several series merged (no GROUP BY over their tags).

influxd reads the points of the series merged by time, the points of one
time in the order its merge meets the series, then sorts them by value
with Go's unstable sort: which of two equally frequent values wins
depends on that read order (``functions/mode.py``).
"""

from __future__ import annotations

import random

import pytest

from conformance._common import text_answers

#: Two series with a point at every time, values from a small set: many
#: equally frequent values in every window.
_RANDOM = random.Random(7)
LINES = [
    f"m,loc={loc} v={_RANDOM.choice([1.5, 2.5, 3.5, 4.5, 5.5])},"
    f'd="{_RANDOM.choice("abcde")}" {t * 1_000_000_000}'
    for t in range(120)
    for loc in ("coyote", "santa")
]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT mode(v) FROM m",
        "SELECT mode(v) FROM m ORDER BY time DESC",
        "SELECT mode(*) FROM m",
        "SELECT mode(v), mode(d) FROM m WHERE time < 120s GROUP BY time(10s)",
        "SELECT mode(v) FROM m WHERE time < 120s GROUP BY time(7s) ORDER BY time DESC",
        "SELECT mode(v) FROM m GROUP BY loc",
    ],
)
def test_mode_of_merged_series_picks_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    answers = text_answers(both, "mode_merged", LINES, text)
    assert answers[1] == answers[0]
