"""Which tag sets SLIMIT slices, by conditions the server's index reads.

influxd picks the series a condition can match from its index, then slices
their tag sets: a condition on a field, or on a tag (or an unknown name)
compared with a number or a boolean, lets every series through (the points
decide later), so ``f > -1 OR t1 = 'b'`` slices from the first tag set of
all, whose points then fail the condition.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

LINES = ["m i=0i 1", "m,t1=a i=1i 1", "m,t1=b i=2i 1"]


@pytest.mark.parametrize(
    "condition",
    [
        "f > -1 OR t1 = 'b'",
        "t1 = 5 OR t1 = 'b'",
        "t1 != 5 OR t1 = 'b'",
        "f = true OR t1 = 'b'",
        "f = 'x' OR t1 = 'b'",
        "f = '' OR t1 = 'b'",
        "t1 > 'a' OR t1 = 'b'",
        "i > -1 OR t1 = 'b'",
        "f::field > -1 OR t1 = 'b'",
    ],
)
@pytest.mark.parametrize("select", ["i", "max(i)", "top(i, 1)"])
def test_series_limit_slices_the_tag_sets_the_index_lets_through(
    both: tuple[str, str], condition: str, select: str
) -> None:
    text = f"SELECT {select} FROM m WHERE {condition} GROUP BY t1 SLIMIT 1"
    answers = text_answers(both, "slices", LINES, text)
    assert answers[0] == answers[1]
