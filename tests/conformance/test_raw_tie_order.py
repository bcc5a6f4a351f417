"""Raw points of two series at one time, in the order influxd's merge gives.

influxd's sorted merge meets two points of one time by the values of the
columns the select list reads, in the order of their names: while both
are text (a tag, a string field) the smaller comes first (the larger,
descending); the first value that is not text ends the comparison and the
series keys decide. Each pair of series here has a point at every time,
so the order of two series is all there is to get right.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

#: Series key order (dc=a first) differs from host order and from the
#: order of the text field ``label``; ``note`` is missing from one point.
LINES = [
    'm,dc=a,host=z v=1,label="q",note="x",n=5i 5',
    'm,dc=b,host=y v=2,label="p",n=6i 5',
    'm,dc=a,host=z v=3,label="a",note="y",n=7i 9',
    'm,dc=b,host=y v=4,label="b",note="y",n=8i 9',
]


@pytest.mark.parametrize(
    "select",
    [
        "v",
        "v, host",
        "host, v",
        "v, dc",
        "*",
        "label",
        "v, label",
        "label::field, v",
        "n, label",
        "v + n, label",
        "label, note",
        "note, v",
        "*::field",
        "host::tag, v",
    ],
)
@pytest.mark.parametrize("order", ["", " ORDER BY time DESC"])
def test_points_of_one_time_come_in_influxds_order(
    both: tuple[str, str], select: str, order: str
) -> None:
    text = f"SELECT {select} FROM m{order}"
    answers = text_answers(both, "raw_ties", LINES, text, epoch="ns")
    assert answers[1] == answers[0]
