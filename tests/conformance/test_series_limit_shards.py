"""SLIMIT and SOFFSET sliced shard group by shard group, as influxd does.

influxd slices the tag sets of each shard apart (``LimitTagSets`` in its
engine): a tag set absent from one shard group moves the others' ranks
there, so ``SLIMIT 1 SOFFSET 1`` keeps a second tag set's points only in
the shard groups that hold two. SOFFSET without SLIMIT keeps nothing
(influxd slices ``a[offset:offset]``). Every answer is compared with a
real influxd's, and one is written out.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

S = 1_000_000_000
DAY = 86_400 * S
#: A Sunday: 7-day shard groups start on Mondays, so the three weeks below
#: fall in three shard groups.
T0 = 1_600_000_000 * S

LINES = [
    # Week one: regions east and west; week two: west only; week three: all.
    *(
        f"cpu,host=h{h},region=east value={h + k} {T0 + k * S}"
        for h in range(2)
        for k in range(3)
    ),
    *(
        f"cpu,host=h{h},region=west value={h * 10 + k} {T0 + k * S}"
        for h in (2, 3)
        for k in range(3)
    ),
    *(
        f"cpu,host=h2,region=west value={20 + k} {T0 + 3 * DAY + k * S}"
        for k in range(3)
    ),
    *(
        f"cpu,host=h{h},region=north value={h * 5 + k} {T0 + 10 * DAY + k * S}"
        for h in (4, 5)
        for k in range(2)
    ),
    *(
        f"cpu,host=h0,region=east value={40 + k} {T0 + 10 * DAY + k * S}"
        for k in range(2)
    ),
]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT value FROM cpu GROUP BY region SLIMIT 1 SOFFSET 1",
        "SELECT value FROM cpu GROUP BY region SLIMIT 1",
        "SELECT value FROM cpu GROUP BY region SLIMIT 2 SOFFSET 1",
        "SELECT value FROM cpu GROUP BY host SLIMIT 2 SOFFSET 1",
        "SELECT value FROM cpu GROUP BY region SOFFSET 1",
        "SELECT value FROM cpu SLIMIT 1 SOFFSET 1",
        "SELECT value FROM cpu GROUP BY region ORDER BY time DESC SLIMIT 1 SOFFSET 1",
        "SELECT value FROM cpu WHERE host != 'h1' GROUP BY host SLIMIT 1 SOFFSET 1",
        "SELECT count(value) FROM cpu GROUP BY region SLIMIT 1 SOFFSET 1",
        "SELECT max(value) FROM cpu GROUP BY time(1d), region SLIMIT 1 SOFFSET 1",
        "SELECT count(value) FROM cpu GROUP BY time(7d), host SLIMIT 2 SOFFSET 1",
        f"SELECT value FROM cpu WHERE time >= {T0 + 3 * DAY} GROUP BY region SLIMIT 1",
    ],
)
def test_series_limits_slice_each_shard_group_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    answers = text_answers(both, "series_limit_shards", LINES, text, epoch="ns")
    assert answers[1] == answers[0]


def test_a_second_tag_set_is_kept_only_where_a_shard_group_holds_two(
    both: tuple[str, str],
) -> None:
    """east and west share week one, so west is the second tag set there;
    in week two west is alone (the first), so nothing of it is kept; in
    week three east and north share it, north the second."""
    text = "SELECT value FROM cpu GROUP BY region SLIMIT 1 SOFFSET 1"
    for answer in text_answers(both, "series_limit_shards", LINES, text, epoch="ns"):
        kept = {tags["region"]: [p["value"] for p in points] for tags, points in answer}
        # Week one's west points (h2 then h3 at each time); none of week two.
        assert kept == {"north": [20, 25, 21, 26], "west": [20, 30, 21, 31, 22, 32]}
