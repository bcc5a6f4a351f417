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


#: Three series at one time where one lacks ``dc``: a missing tag ends the
#: comparison (influxd reads no text there), so the heap orders that
#: series and the others, not '' before every value; two of them share
#: their ``host``, which leaves them to the heap too.
MISSING = [
    "m,dc=d0,host=h5 v=1 10",
    "m,host=h5 v=2 10",
    "m,dc=d1,host=h1 v=0 10",
    "m,dc=d1,host=h5 v=7 10",
    "m,dc=d0,host=h5 v=5 20",
    "m,dc=d1,host=h1 v=6 20",
]


@pytest.mark.parametrize("select", ["v, dc", "v, host", "dc, v", "host, v"])
@pytest.mark.parametrize("order", ["", " ORDER BY time DESC", " LIMIT 3 OFFSET 1"])
def test_a_missing_tag_leaves_points_of_one_time_to_the_heap(
    both: tuple[str, str], select: str, order: str
) -> None:
    text = f"SELECT {select} FROM m{order}"
    answers = text_answers(both, "raw_ties_missing", MISSING, text, epoch="ns")
    assert answers[1] == answers[0]


#: Twelve series writing at the same ten times, their hosts all different:
#: the texts order every two points of one time, so the rows come as the
#: SQL orders them (no replay), LIMIT and OFFSET counted per group.
DISTINCT_HOSTS = [
    f"m,dc=d{s % 3},host=h{s:02d},rack=r{s % 2} v={s * 10 + t} {t}"
    for s in range(12)
    for t in range(10)
]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT v, host FROM m",
        "SELECT v, host FROM m LIMIT 5 OFFSET 7",
        "SELECT v, host FROM m GROUP BY dc LIMIT 4 OFFSET 3",
        "SELECT v, host FROM m GROUP BY dc ORDER BY time DESC LIMIT 6",
        "SELECT host, v FROM m GROUP BY rack LIMIT 100 OFFSET 50",
    ],
)
def test_points_of_one_time_told_apart_by_their_texts(
    both: tuple[str, str], text: str
) -> None:
    answers = text_answers(both, "raw_ties_hosts", DISTINCT_HOSTS, text, epoch="ns")
    assert answers[1] == answers[0]
    assert answers[0]


#: Seven series writing at the same four times, some without ``dc`` or
#: ``host``; the string field ``a`` (read before every tag) is missing
#: from some points. Texts holding every tag tell two series apart unless
#: one lacks a value: then influxd's heap orders them, not '' first.
LACKING = [
    f'm{tags} v={s}i,s="q{t % 2}"' + (f',a="z{s % 2}"' if (s + t) % 3 else "") + f" {t}"
    for t in range(4)
    for s, tags in enumerate(
        ["", ",host=a", ",host=b", ",dc=x", ",dc=x,host=c", ",dc=y,host=a", ",dc=z"]
    )
]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT dc, host, v FROM m",
        "SELECT host, dc, v FROM m",
        "SELECT * FROM m",
        "SELECT dc, host, s FROM m",
        "SELECT a, dc, host, v FROM m",
        "SELECT dc, host, v FROM m ORDER BY time DESC",
        "SELECT dc, host, v FROM m LIMIT 3 OFFSET 2",
        "SELECT host, v FROM m GROUP BY dc",
        "SELECT dc, host, v FROM m GROUP BY dc LIMIT 2 OFFSET 1",
        "SELECT host, v FROM m GROUP BY dc ORDER BY time DESC LIMIT 3",
        # No row read lacks a tag: the texts order every row.
        "SELECT dc, host, v FROM m WHERE dc =~ /./ AND host =~ /./",
        "SELECT * FROM m WHERE host =~ /./ AND dc =~ /./ LIMIT 3 OFFSET 1",
        "SELECT dc, host, v FROM m WHERE host <> '' GROUP BY dc LIMIT 2",
        # Only ``a`` is missing from some rows read.
        "SELECT a, dc, host, v FROM m WHERE dc =~ /./ AND host =~ /./",
    ],
)
def test_texts_of_every_tag_leave_a_lacking_one_to_the_heap(
    both: tuple[str, str], text: str
) -> None:
    answers = text_answers(both, "raw_ties_lacking", LACKING, text, epoch="ns")
    assert answers[1] == answers[0]
    assert answers[0]
