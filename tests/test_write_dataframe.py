"""``write_dataframe()`` on both backends: every column kind, in batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from influxpy import fields, models
from influxpy.exceptions import FieldError, LineProtocolError

T0 = 1_577_836_800_000_000_000  # 2020-01-01T00:00:00Z


class Frame(models.InfluxMeasurement):
    """A field of every kind and two tags, one of them optional."""

    measurement = "frame"
    big = fields.IntegerField()
    small = fields.IntegerField()
    gaps = fields.IntegerField()
    ratio = fields.FloatField()
    ok = fields.BooleanField()
    text = fields.StringField()
    host = fields.InfluxTag()
    zone = fields.InfluxTag(null=True)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": [T0 + i for i in range(5)],
            "big": np.array([2**63 - 1, -(2**63), 0, 1, -1], dtype="int64"),
            "small": np.array([0, 1, 2, 3, 255], dtype="uint8"),
            "gaps": pd.array([1, None, 3, None, 5], dtype="Int64"),
            "ratio": [0.1, float("nan"), 1e-7, 1.5e300, -0.0],
            "ok": [True, False, True, False, True],
            "text": ['a "quoted" \\ text', "", "é", "x,y=z", "multi\nline"],
            "host": ["a", "b c", "a", "d,e", "a"],
            "zone": ["z=1", None, "", "z=1", None],
        }
    )


EXPECTED = [
    (T0, 2**63 - 1, 0, 1, 0.1, True, 'a "quoted" \\ text', "a", "z=1"),
    (T0 + 1, -(2**63), 1, None, None, False, "", "b c", None),
    (T0 + 2, 0, 2, 3, 1e-7, True, "é", "a", None),
    (T0 + 3, 1, 3, None, 1.5e300, False, "x,y=z", "d,e", "z=1"),
    (T0 + 4, -1, 255, 5, -0.0, True, "multi\nline", "a", None),
]


@pytest.mark.parametrize("batch_size", [2, 5_000])
def test_every_column_kind_round_trips(conn: str, batch_size: int) -> None:
    """Values, gaps and tags come back exactly, whatever the batch size."""
    manager = Frame.series.using(conn)
    assert manager.write_dataframe(_frame(), batch_size=batch_size) == 5
    names = ["time", "big", "small", "gaps", "ratio", "ok", "text", "host", "zone"]
    rows = [tuple(p.get(k) for k in names) for p in manager.epoch().points()]
    assert sorted(rows, key=lambda r: r[0]) == EXPECTED


def test_a_time_index_is_the_time(conn: str) -> None:
    """A DatetimeIndex (naive means UTC) gives the points' times."""
    frame = _frame().drop(columns="time")
    frame.index = pd.DatetimeIndex(pd.to_datetime([T0 + i for i in range(5)]))
    manager = Frame.series.using(conn)
    assert manager.write_dataframe(frame) == 5
    assert [p["time"] for p in manager.epoch().only("big").points()] == [
        T0 + i for i in range(5)
    ]


def test_bad_values_are_refused_and_name_the_field(conn: str) -> None:
    """An infinite float or an unsigned integer past int64 writes nothing."""
    manager = Frame.series.using(conn)
    infinite = _frame().assign(ratio=[0.1, float("inf"), 0.2, 0.3, 0.4])
    with pytest.raises((FieldError, LineProtocolError), match="ratio"):
        manager.write_dataframe(infinite)
    huge = _frame().assign(small=np.array([0, 1, 2, 3, 2**64 - 1], dtype="uint64"))
    with pytest.raises((FieldError, LineProtocolError), match="small"):
        manager.write_dataframe(huge)
    assert manager.count() == 0
