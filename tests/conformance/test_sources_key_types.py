"""A name read from several measurements is typed once, for all of them.

influxd gives each name of a SELECT one type for every source it reads (the
field type if a measurement holds it as a field, else tag if one holds it
as a tag). ``SELECT last(v), count(*) FROM sh, net … fill(0)`` where ``v``
is a tag of ``net`` and absent from ``sh`` reads ``v`` as a tag in both:
the call has no points in either, so ``fill(0)`` fills it with 0 in the
windows of ``sh`` too, not with null as a name no source knows. Each case
runs on influxd and on the engine and expects the same series.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

LINES = [
    "net,v=tagged x=1i 11",
    "net,v=other x=2i,free=3i 21",
    "sh,core=a value=1 10",
    "sh core=5i,value=2 20",
    "cpu,host=a v=1 10",
]
WINDOWS = "WHERE time >= 0 AND time < 60 GROUP BY time(10ns)"


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT last(v), count(*) FROM sh, net {WINDOWS} fill(0)",
        f"SELECT last(v), count(*) FROM sh, /^n/ {WINDOWS} fill(0)",
        f"SELECT last(v), count(*) FROM sh, net {WINDOWS} fill(previous)",
        f"SELECT max(v), mean(x) FROM sh, net {WINDOWS} fill(3)",
        f"SELECT last(core), count(*) FROM sh, net {WINDOWS} fill(0)",
        f"SELECT last(host), count(*) FROM cpu, net {WINDOWS} fill(0)",
        f"SELECT last(nope), count(*) FROM sh, net {WINDOWS} fill(0)",
        f"SELECT last(v), count(*) FROM sh, cpu {WINDOWS} fill(0)",
        "SELECT v, value FROM sh, net",
        "SELECT v, x FROM sh, net WHERE v = 'tagged'",
        "SELECT v, x FROM sh, net WHERE v = ''",
        "SELECT count(x) FROM sh, net GROUP BY v",
        "SELECT v::tag, core FROM sh, net",
    ],
)
def test_a_name_has_one_type_across_sources(both: tuple[str, str], text: str) -> None:
    server, engine = text_answers(both, "key_types", LINES, text, epoch="ns")
    assert engine == server


def test_a_tag_of_another_measurement_is_filled(both: tuple[str, str]) -> None:
    text = f"SELECT last(v), count(value) FROM sh, net {WINDOWS} fill(0)"
    server, engine = text_answers(both, "key_types_sh", LINES, text, epoch="ns")
    assert engine == server
    _tags, points = engine[-1]  # sh, read after net
    assert [(p["last"], p["count"]) for p in points] == [
        (0, 0),
        (0, 1),
        (0, 1),
        (0, 0),
        (0, 0),
        (0, 0),
    ]
