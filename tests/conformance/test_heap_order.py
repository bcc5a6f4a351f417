"""Raw points of many series at one time, in the order of influxd's heap.

influxd merges a shard's series with a binary heap (Go's container/heap);
points of one time that the select list's text values cannot tell apart
come out in the order the heap's array holds them, which every earlier
pop and push moved. ``SELECT value FROM cpu`` over five hosts writing at
the same times is the everyday case: influxd answers the hosts in the
order 0, 4, 1, 3, 2 at the first time, 3, 2, 4, 0, 1 at the next. The
engine replays the heap (``backends/duckdb/heap_order.py``); every answer
here is compared with a real influxd's, and one is written out in full so
a change to both cannot pass unseen.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import influxpy
from conformance._common import text_answers
from influxpy.backends.duckdb.heap_order import go_heap_order

S = 1_000_000_000
#: A Sunday noon; the 7-day shard groups of autogen start on Mondays, so
#: the hourly points below fall in two shard groups.
T0 = 1_600_000_000 * S
HOUR = 3600 * S


def _lines() -> list[str]:
    lines = []
    for host in range(5):
        region = "east" if host < 3 else "west"
        for k in range(1, 9):
            if (host, k) in {(1, 3), (3, 6), (4, 2)}:
                continue  # a few gaps move the heap differently
            fields = f"value={host * 10 + k}"
            if (host + k) % 3 == 0:
                fields += f",other={k}.5"
            if host != 2:
                label = "same" if host < 4 else "other"
                fields += f',label="{label}"'
            lines.append(f"cpu,host=h{host},region={region} {fields} {T0 + k * S}")
    # A host that starts late and writes rarely.
    lines += [f"cpu,host=h5,region=east value={50 + k} {T0 + k * S}" for k in (5, 8)]
    # Hourly points across the Monday midnight that starts a shard group.
    for host in range(4):
        for k in range(1, 7):
            if (host, k) != (2, 4):
                value = host * 10 + k
                lines.append(f"hourly,host=h{host} value={value} {T0 + k * HOUR}")
    # Points every 12 hours over three weeks: four shard groups. A LIMIT
    # ending in one of them leaves the later ones unread.
    for host in range(4):
        region = "east" if host < 2 else "west"
        for k in range(42):
            if (host, k) not in {(0, 13), (2, 14), (3, 15), (1, 27)}:
                value = host * 100 + k
                time = T0 + k * 12 * HOUR
                lines.append(f"weekly,host=h{host},region={region} v={value} {time}")
    return lines


LINES = _lines()


@pytest.mark.parametrize(
    "text",
    [
        "SELECT value FROM cpu",
        "SELECT value FROM cpu ORDER BY time DESC",
        "SELECT value FROM cpu LIMIT 7 OFFSET 3",
        "SELECT value FROM cpu ORDER BY time DESC LIMIT 9 OFFSET 2",
        "SELECT value FROM cpu GROUP BY region",
        "SELECT value FROM cpu GROUP BY region ORDER BY time DESC LIMIT 5",
        "SELECT value, region FROM cpu GROUP BY region",
        "SELECT value, region FROM cpu",
        "SELECT label, value FROM cpu",
        "SELECT label, value FROM cpu ORDER BY time DESC",
        "SELECT * FROM cpu",
        "SELECT other FROM cpu",
        "SELECT value * 2, other FROM cpu",
        "SELECT value FROM cpu WHERE value > 22",
        "SELECT value FROM cpu WHERE host != 'h0'",
        f"SELECT value FROM cpu WHERE time > {T0 + 3 * S} AND time < {T0 + 8 * S}",
        "SELECT value FROM hourly",
        "SELECT value FROM hourly ORDER BY time DESC",
        "SELECT value FROM hourly LIMIT 10",
        "SELECT value FROM cpu, hourly",
        "SELECT v FROM weekly LIMIT 5",
        "SELECT v FROM weekly LIMIT 20 OFFSET 40",
        "SELECT v FROM weekly LIMIT 3 OFFSET 54",
        "SELECT v FROM weekly ORDER BY time DESC LIMIT 30",
        "SELECT v FROM weekly ORDER BY time DESC LIMIT 6 OFFSET 100",
        "SELECT v FROM weekly GROUP BY region LIMIT 30",
        "SELECT v FROM weekly GROUP BY region ORDER BY time DESC LIMIT 17 OFFSET 3",
        "SELECT v FROM weekly LIMIT 1000",
    ],
)
def test_points_of_one_time_come_in_influxds_heap_order(
    both: tuple[str, str], text: str
) -> None:
    answers = text_answers(both, "heap_order", LINES, text, epoch="ns")
    assert answers[1] == answers[0]


def _hosts(answer: list[tuple[dict[str, str], list[dict[str, Any]]]]) -> list[int]:
    return [point["value"] // 10 for _tags, points in answer for point in points]


def test_five_aligned_series_come_in_the_order_written_here(
    both: tuple[str, str],
) -> None:
    """The whole order of five hosts writing at four times, as influxd
    1.6.7 answered it when this test was written."""
    lines = [
        f"aligned,host=h{h} value={h * 10 + k} {T0 + k * S}"
        for k in range(1, 5)
        for h in range(5)
    ]
    answers = text_answers(both, "heap_five", lines, "SELECT value FROM aligned")
    expected = [0, 4, 1, 3, 2, 3, 2, 4, 0, 1, 0, 1, 2, 3, 4, 3, 4, 0, 2, 1]
    assert _hosts(answers[0]) == expected
    assert _hosts(answers[1]) == expected


def test_go_heap_order_replays_container_heap() -> None:
    """Three series at the same two times: Go's heap gives 0, 2, 1 and
    then 2, 1, 0; a series starting later sinks in the first heap."""
    assert go_heap_order([[1, 2], [1, 2], [1, 2]]) == [
        (0, 0),
        (2, 0),
        (1, 0),
        (2, 1),
        (1, 1),
        (0, 1),
    ]
    # Two series: the one already in the heap wins a tie with a pushed one.
    assert [s for s, _i in go_heap_order([[2, 3], [1, 3]])] == [1, 0, 1, 0]


def test_heap_order_survives_slicing_and_chunks() -> None:
    """Read in slices of a few rows and in chunks, the engine gives the
    rows in the order it gives them whole."""
    alias = f"heap-{uuid.uuid4().hex[:8]}"
    backend = influxpy.connect("duckdb://:memory:", alias=alias)
    try:
        backend.create_database("d")
        lines = [
            f"m,host=h{h % 7},dc=d{h % 2} v={h * 100 + k} {T0 + (k // 3) * S}"
            for k in range(300)
            for h in range(7)
            if (h + k) % 5
        ]
        backend.write_lines(lines, database="d")
        text = "SELECT v FROM m GROUP BY dc LIMIT 150 OFFSET 7"
        (result,) = backend.statements(text, database="d")
        whole = [(s.tags, s.values) for s in result.series]
        backend._slice_rows = 50  # type: ignore[attr-defined]
        (chunked,) = backend.statements(text, database="d", chunk_size=13)
        joined: dict[str, list[Any]] = {}
        for piece in chunked.series:
            assert len(piece.values) <= 13
            joined.setdefault(piece.tags["dc"], []).extend(piece.values)
        assert [(tags, joined[tags["dc"]]) for tags, _v in whole] == whole
        assert all(len(values) == 150 for _tags, values in whole)
    finally:
        backend.close()
