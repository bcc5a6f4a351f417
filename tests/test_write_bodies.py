"""DataFrame request bodies joined in C (``lineprotocol/bodies.py``)
against the lines of ``encode_columns()``: the same bytes and the same
errors on random values, and the same points stored by a real InfluxDB."""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import influxpy
from influxpy import fields, models
from influxpy.backends.http.frame_bodies import frame_bodies
from influxpy.backends.written import frame_line_batches
from influxpy.exceptions import FieldTypeConflictError
from influxpy.lineprotocol import bodies
from influxpy.lineprotocol.bodies import BodyLines

T0 = 1_704_067_200_000_000_000


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        return "ok", run()
    except Exception as error:  # both encoders must raise the same
        return type(error).__name__, str(error)


def test_body_lines_are_made_only_when_asked() -> None:
    """``BodyLines`` counts without splitting, and splits into the lines."""
    lines = BodyLines(b"a x=1 1\nb x=2 2", 2)
    assert len(lines) == 2
    assert lines._lines is None
    assert list(lines) == ["a x=1 1", "b x=2 2"]
    assert lines[1] == "b x=2 2"
    assert lines[:1] == ["a x=1 1"]


class Frame(models.InfluxMeasurement):
    """Tags and fields of the kinds a DataFrame gives as arrays or lists."""

    measurement = "bodies frame"
    ratio = fields.FloatField()
    count = fields.IntegerField()
    gaps = fields.IntegerField()
    ok = fields.BooleanField()
    text = fields.StringField()
    host = fields.InfluxTag()
    zone = fields.InfluxTag(null=True)


#: Floats whose notation differs between repr() and other formatters.
TRICKY = [0.0, -0.0, 1e20, 1e-05, 1e16, 5e-324, 1.7976931348623157e308, 0.1, -2.5]
COLUMNS = ["host", "zone", "ratio", "count", "gaps", "ok", "text"]
FRAME_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b c", "d,e", "f=g", "h\\", "é"]),
        st.sampled_from([None, "", "z", "y z"]),
        st.one_of(
            st.none(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.sampled_from(TRICKY),
        ),
        st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([-(2**63), 0])),
        st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
        st.one_of(st.none(), st.booleans()),
        st.one_of(st.none(), st.text(st.sampled_from('ab "\\é'), max_size=4)),
    ),
    min_size=1,
    max_size=30,
)


def _frame(rows: list[tuple[Any, ...]], drop: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["gaps"] = pd.array([row[4] for row in rows], dtype="Int64")
    frame["ok"] = frame["ok"].astype(object)
    frame.insert(0, "time", [T0 + n for n in range(len(rows))])
    return frame.drop(columns=drop)


def _joined_by(joiner: str) -> Any:
    """Bodies joined by the compiled extension or, without it, by pyarrow."""
    patch = pytest.MonkeyPatch()
    if joiner == "pyarrow":
        patch.setattr(bodies, "join_columns", None)
    elif bodies.join_columns is None:
        pytest.skip("the compiled extension is not built here")
    return patch


JOINERS = pytest.mark.parametrize("joiner", ["compiled", "pyarrow"])


@JOINERS
@settings(max_examples=200, deadline=None)
@given(
    rows=FRAME_ROWS,
    batch_size=st.sampled_from([1, 7, 5000]),
    drop=st.lists(
        st.sampled_from(["zone", "ratio", "gaps", "ok", "text"]), unique=True
    ),
)
def test_frame_bodies_match_the_line_encoder(
    joiner: str, rows: list[tuple[Any, ...]], batch_size: int, drop: list[str]
) -> None:
    """Random frames: the bodies are the old lines joined, or the same error."""
    frame = _frame(rows, drop)
    patch = _joined_by(joiner)

    def old() -> list[bytes]:
        return [
            "\n".join(lines).encode("utf-8", "surrogatepass")
            for lines in frame_line_batches(Frame, frame, batch_size)
        ]

    def new() -> list[bytes]:
        # As write_frame(): a frame refused whole is left to the old path,
        # which refuses it batch by batch.
        made = frame_bodies(Frame, frame, batch_size)
        return old() if made is None else [body for body, _lines in made]

    try:
        assert _outcome(new) == _outcome(old)
    finally:
        patch.undo()


@JOINERS
@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.one_of(
                st.floats(allow_nan=False, allow_infinity=False),
                st.sampled_from(TRICKY),
            ),
            st.integers(-(2**63), 2**63 - 1),
        ),
        min_size=1,
        max_size=200,
    )
)
def test_plain_frames_take_the_joined_columns(
    joiner: str, values: list[tuple[float, int]]
) -> None:
    """Floats of every notation (1e+20, 1e-05, -0.0, subnormals) and
    integer bounds go through the columns joined in C, with repr()'s text."""
    patch = _joined_by(joiner)
    try:
        _check_plain_frame(values)
    finally:
        patch.undo()


def _check_plain_frame(values: list[tuple[float, int]]) -> None:
    frame = pd.DataFrame(values, columns=["ratio", "count"])
    frame.insert(0, "host", "h")
    frame.insert(0, "time", [T0 + n for n in range(len(values))])
    made = frame_bodies(Frame, frame, 64)
    assert made is not None
    batches = list(made)
    assert all(isinstance(lines, BodyLines) for _body, lines in batches)
    old = ["\n".join(lines) for lines in frame_line_batches(Frame, frame, 64)]
    assert [body.decode() for body, _lines in batches] == old
    for line, (ratio, count) in zip("\n".join(old).split("\n"), values, strict=True):
        assert f" ratio={ratio!r},count={count}i " in line


def test_a_frame_without_a_field_in_a_row_raises_the_old_error() -> None:
    """A row with no field value: the error of ``encode_columns()``."""
    frame = pd.DataFrame(
        {
            "time": [T0, T0 + 1],
            "host": ["a", "b"],
            "ratio": [1.0, np.nan],
            "gaps": pd.array([1, None], dtype="Int64"),
        }
    )

    def old() -> Any:
        return list(frame_line_batches(Frame, frame, 10))

    def new() -> Any:
        made = frame_bodies(Frame, frame, 10)
        assert made is not None
        return list(made)

    assert _outcome(new)[0] != "ok"
    assert _outcome(new) == _outcome(old)


def test_bodies_store_the_points_of_the_lines(influx_url: str) -> None:
    """The real server stores from bodies joined in C exactly the points
    of the old lines, written beside them under another host."""
    backend = influxpy.connect(influx_url, alias="bodies")
    values = TRICKY * 2
    frame = pd.DataFrame(
        {
            "time": [T0 + n for n in range(len(values))],
            "host": "new",
            "zone": ["z", None] * len(TRICKY),
            "ratio": values,
            "count": [n - 5 for n in range(len(values))],
            "gaps": pd.array([None, 7] * len(TRICKY), dtype="Int64"),
        }
    )
    manager = Frame.series.using("bodies")
    assert manager.write_dataframe(frame, batch_size=8) == len(values)
    lines = [
        line.replace("host=new", "host=old")
        for batch in frame_line_batches(Frame, frame, 8)
        for line in batch
    ]
    backend.write_lines(lines)
    names = ["time", "zone", "ratio", "count", "gaps"]
    stored = {
        host: [
            tuple(p.get(k) for k in names)
            for p in manager.epoch().filter(host=host).points()
        ]
        for host in ("new", "old")
    }
    assert len(stored["new"]) == len(values)
    assert stored["new"] == stored["old"]
    assert [row[2] for row in stored["new"]] == values
    signs = [math.copysign(1.0, cast(float, row[2])) for row in stored["new"]]
    assert signs[:2] == [1.0, -1.0]


def test_a_refused_body_names_its_lines(influx_url: str) -> None:
    """When the server refuses a body joined in C, the error has the
    refused lines, made from the body."""
    backend = influxpy.connect(influx_url, alias="bodies_refused")
    backend.write_lines([f"bodies\\ frame,host=a ratio=1.5,count=1.5 {T0}"])
    frame = pd.DataFrame(
        {
            "time": [T0 + 1 + n for n in range(20)],
            "host": ["a", "b"] * 10,
            "ratio": 2.5,
            "count": range(20),
        }
    )
    manager = Frame.series.using("bodies_refused")
    with pytest.raises(FieldTypeConflictError) as caught:
        manager.write_dataframe(frame)
    expected = [
        line for batch in frame_line_batches(Frame, frame, 5000) for line in batch
    ]
    assert list(caught.value.lines) == expected
    assert caught.value.written == 0


def test_gzip_bodies_store_the_same_points(influx_url: str) -> None:
    """With gzip on, the bodies joined in C are compressed and stored."""
    influxpy.connect(f"{influx_url}?gzip=true", alias="bodies_gzip")
    frame = pd.DataFrame(
        {
            "time": [T0 + n for n in range(12)],
            "host": ["a", "b c", "d,e"] * 4,
            "ratio": [*TRICKY, 2.5, 3.5, np.nan],
            "count": range(12),
        }
    )
    manager = Frame.series.using("bodies_gzip")
    assert manager.write_dataframe(frame, batch_size=5) == 12
    stored = sorted(
        (p["time"], p["host"], p["ratio"], p["count"]) for p in manager.epoch().points()
    )
    expected = [
        (T0 + n, ["a", "b c", "d,e"][n % 3], None if n == 11 else ratio, n)
        for n, ratio in enumerate([*TRICKY, 2.5, 3.5, 0.0])
    ]
    assert stored == expected
