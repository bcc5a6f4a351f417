"""The replay of influxd's merge heap (``backends/duckdb/heap_order.py``).

Three implementations are held to one answer on random series: a literal
transcription of Go's ``container/heap`` used the way influxd's sorted
merge iterator uses it (written here, from Go's source), the Python replay
``_Segment`` and the compiled ``HeapSegment`` (when built), the latter two
fed the rows in pieces of random size as the engine feeds them.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from influxpy.backends.duckdb import heap_order
from influxpy.backends.duckdb.functions.edge_pops import edge_pops
from influxpy.backends.duckdb.heap_order import HeapSegment, _Rows, _Segment, _segment


def _go_merge(
    points: list[list[int]],
    descending: bool,
    texts: list[list[list[str | None]]] | None = None,
) -> list[tuple[int, int]]:
    """influxd's sortedMergeIterator.pop over Go's container/heap: items in
    input order, Init, then Pop the least and Push its series' next point;
    Less compares times (greater first, descending), then, with *texts*
    (each point's text values), the texts in order while both are present
    and equal, the smaller first (the greater, descending)."""
    items = [[s, 0] for s, times in enumerate(points) if times]

    def less(i: int, j: int) -> bool:
        (s, k), (r, m) = items[i], items[j]
        a, b = points[s][k], points[r][m]
        if a != b or texts is None:
            return a > b if descending else a < b
        for x, y in zip(texts[s][k], texts[r][m], strict=True):
            if x is None or y is None:
                return False
            if x != y:
                return x > y if descending else x < y
        return False

    def down(i0: int, n: int) -> None:
        i = i0
        while True:
            j1 = 2 * i + 1
            if j1 >= n:
                break
            j = j1
            if j1 + 1 < n and less(j1 + 1, j1):
                j = j1 + 1
            if not less(j, i):
                break
            items[i], items[j] = items[j], items[i]
            i = j

    def up(j: int) -> None:
        while j > 0:
            i = (j - 1) // 2
            if not less(j, i):
                break
            items[i], items[j] = items[j], items[i]
            j = i

    for i in range(len(items) // 2 - 1, -1, -1):
        down(i, len(items))
    out = []
    while items:
        n = len(items) - 1
        items[0], items[n] = items[n], items[0]
        down(0, n)
        item = items.pop()
        out.append((item[0], item[1]))
        item[1] += 1
        if item[1] < len(points[item[0]]):
            items.append(item)
            up(len(items) - 1)
    return out


def _go_order(
    points: list[list[int]],
    descending: bool,
    texts: list[list[list[str | None]]] | None = None,
) -> list[tuple[int, int]]:
    """``(series, index)`` of *points* (each series' increasing times, with
    *texts* each point's text values) in the order influxd's merge pops
    them: descending, the series reversed and each read from its last
    point."""
    if not descending:
        return _go_merge(points, descending, texts)
    popped = _go_merge(
        [list(reversed(p)) for p in points][::-1],
        descending,
        None if texts is None else [list(reversed(t)) for t in texts][::-1],
    )
    # Back to the series' numbers and their points' indexes.
    n = len(points)
    return [(n - 1 - s, len(points[n - 1 - s]) - 1 - i) for s, i in popped]


def _random_points(rng: random.Random) -> list[list[int]]:
    series = []
    for _ in range(rng.randint(1, 12)):
        start = rng.randint(0, 6)
        step = rng.choice([1, 1, 1, 2, 3, 7])
        times = sorted(
            {start + k * step for k in range(rng.randint(0, 15)) if rng.random() < 0.85}
        )
        series.append(times)
    return series


def _replay(
    make: Any,
    points: list[list[int]],
    descending: bool,
    rng: random.Random,
    texts: list[list[list[str | None]]] | None = None,
    cut: int | None = None,
):
    """Feed *points*' rows to a replay built by *make*, in random pieces;
    with *texts*, each row's ``TIE`` lists its texts before its series key
    (as the engine's SQL gives it), and *make* replays them listed. With
    *cut* (a signed time), only the rows up to it are fed, the series'
    first and last points still those of all of them."""
    sign = -1 if descending else 1
    keys = [f"k{s:03d}" for s in range(len(points))]

    def tie(s: int, i: int) -> Any:
        return keys[s] if texts is None else [*texts[s][i], keys[s]]

    rows = sorted(
        (
            (time, s, i, tie(s, i))
            for s, times in enumerate(points)
            for i, time in enumerate(times)
        ),
        key=lambda r: (sign * r[0], keys[r[1]]),
    )
    order = list(range(len(points)))
    if descending:
        order.reverse()  # influxd reverses the tag set's series
    series = [
        (
            keys[s],
            points[s][-1 if descending else 0],
            points[s][0 if descending else -1],
            None if texts is None else tie(s, len(points[s]) - 1 if descending else 0),
        )
        for s in order
        if points[s]
    ]
    last = max((sign * r[0] for r in rows), default=0)
    if cut is not None:
        rows = [r for r in rows if sign * r[0] <= cut]
    source = _Rows(iter(rows).__next__)
    segment = make(source, series, last, descending, texts is not None, cut is not None)
    out: list[tuple[Any, ...]] = []
    while not segment.run(out, rng.randint(1, 7)):
        pass
    assert segment.head is None
    return [(row[1], row[2]) for row in out]


def _python(
    source: Any, series: Any, last: int, descending: bool, listed: bool, cut: bool
) -> Any:
    return _Segment(source, series, (), 0, last, descending, listed, cut)


def _compiled(
    source: Any, series: Any, last: int, descending: bool, listed: bool, cut: bool
) -> Any:
    segment = _segment(source, series, (), 0, last, descending, listed, cut)
    assert isinstance(segment, HeapSegment)  # the engine's choice where built
    return segment


@pytest.mark.parametrize("descending", [False, True])
def test_the_replays_pop_as_gos_heap_does(descending: bool) -> None:
    rng = random.Random(20261206 + descending)
    makers = [_python] + ([_compiled] if HeapSegment is not None else [])
    for _ in range(400):
        points = _random_points(rng)
        expected = _go_order(points, descending)
        for make in makers:
            got = _replay(make, points, descending, rng)
            assert got == expected, (make.__name__, points)


@pytest.mark.parametrize("descending", [False, True])
def test_the_replays_compare_texts_as_influxds_heap_does(descending: bool) -> None:
    """Points of one time compare the texts the select list reads, in order
    (``SELECT v, host, s``): the first two that differ decide, and a
    missing one (None) or equal texts leave the heap's own order; few
    distinct texts, so that all three cases come often."""
    rng = random.Random(20261208 + descending)
    makers = [_python] + ([_compiled] if HeapSegment is not None else [])
    for _ in range(400):
        points = _random_points(rng)
        width = rng.randint(1, 3)
        texts = [
            [[rng.choice(["a", "b", "bb", None]) for _ in range(width)] for _ in p]
            for p in points
        ]
        expected = _go_order(points, descending, texts)
        for make in makers:
            got = _replay(make, points, descending, rng, texts)
            assert got == expected, (make.__name__, points, texts)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("listed", [False, True])
def test_rows_cut_at_a_bound_pop_as_all_of_them_do(
    descending: bool, listed: bool
) -> None:
    """Fed only the rows up to a time (a LIMIT's bound), the series' last
    points still those of all rows, the replays pop every row up to it as
    the whole merge does, then stop: a series whose next point was not
    read waits beyond every row read, which leaves the heap's order of the
    rows read as it is."""
    rng = random.Random(20261209 + 2 * descending + listed)
    makers = [_python] + ([_compiled] if HeapSegment is not None else [])
    sign = -1 if descending else 1
    for _ in range(400):
        points = _random_points(rng)
        texts = None
        if listed:
            texts = [[[rng.choice(["a", "b", None])] for _ in p] for p in points]
        expected = _go_order(points, descending, texts)
        times = sorted({sign * t for p in points for t in p}) or [0]
        cut = rng.choice(times)
        kept = [(s, i) for s, i in expected if sign * points[s][i] <= cut]
        assert kept == expected[: len(kept)]
        for make in makers:
            got = _replay(make, points, descending, rng, texts, cut=cut)
            assert got == kept, (make.__name__, points, texts, cut)


def test_the_compiled_replay_is_built_where_a_compiler_is() -> None:
    """The build compiles it wherever it compiles the line-protocol encoder."""
    from influxpy.lineprotocol import compiled

    assert (heap_order.HeapSegment is not None) == compiled()


@pytest.mark.parametrize("descending", [False, True])
def test_the_first_pops_of_a_bare_first_or_last_are_gos_heaps(
    descending: bool,
) -> None:
    """``edge_pops`` (what a bare FIRST or LAST reads) replays only each
    series' first points, in any input order: its first pops are those of
    the whole merge, and the number of points each series passes does not
    change them (given at least as many as it pops)."""
    rng = random.Random(20261207 + descending)
    for _ in range(400):
        points = _random_points(rng)
        expected = _go_order(points, descending)
        count = rng.randint(1, 3)
        # Each series' first *count* points in the merge's direction, shuffled.
        given = [
            (s, i)
            for s, times in enumerate(points)
            for i in (
                range(len(times))[-count:] if descending else range(len(times))[:count]
            )
        ]
        rng.shuffle(given)
        places = edge_pops(
            [s for s, _ in given],
            [points[s][i] for s, i in given],
            None,
            descending,
            count,
        )
        popped = sorted((p, given[k]) for k, p in enumerate(places) if p)
        assert [point for _, point in popped] == expected[:count], points


@pytest.mark.parametrize(
    "text",
    [
        "SELECT v FROM m",
        "SELECT label, v FROM m",
        "SELECT label, v FROM m ORDER BY time DESC",
        "SELECT v, host FROM m LIMIT 7 OFFSET 3",
    ],
)
def test_the_python_replay_answers_as_the_compiled_one(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Where no compiler built the C replay, the engine's rows come in the
    same order: the texts handed over as columns become each row's ``TIE``
    for ``_Segment`` as they do for ``HeapSegment``."""
    import influxpy

    lines = [
        f'm,host=h{h},dc=d{h % 2} label="l{(t + h // 3) % 2}",v={t * h} {t * 10**9}'
        for t in range(12)
        for h in range(7)
        if (t + h) % 5
    ]
    backend = influxpy.connect("duckdb://:memory:", alias="heap-replay-python")
    try:
        backend.write_lines(lines)

        def answer() -> list[Any]:
            (result,) = list(backend.statements(text, params=None))
            assert result.error is None
            return [row for s in result.series for row in s.values]

        compiled = answer()
        monkeypatch.setattr(heap_order, "HeapSegment", None)
        assert answer() == compiled
        assert len(compiled) >= 7
    finally:
        backend.close()
