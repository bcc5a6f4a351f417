"""The compiled encoder (``_speedups.c``) writes the lines, and raises the
errors, of the pure Python encoder, whatever the objects hold.

Each test builds the same encoder twice, with and without the extension,
and compares them; the floats are checked against ``repr()``, the format
Python and the server both read.
"""

from __future__ import annotations

import math
import os
import random
import struct
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _lineprotocol import Obj
from influxpy.exceptions import FieldError, LineProtocolError
from influxpy.lineprotocol import Encoder, FieldSpec, TagSpec
from influxpy.lineprotocol import encoder as encoder_module
from influxpy.lineprotocol._compiled import COMPILED
from test_lineprotocol_encoder import CPU_FIELDS, CPU_TAGS, _batch, assert_same_lines

pytestmark = pytest.mark.skipif(
    not COMPILED, reason="the compiled encoder is not built here"
)


def _pair(
    tags: Any = CPU_TAGS, fields: Any = CPU_FIELDS, measurement: str = "cpu load"
) -> tuple[Encoder, Encoder]:
    compiled = Encoder(measurement, tags, fields)
    python = Encoder(measurement, tags, fields, compiled=False)
    assert compiled.compiled
    assert not python.compiled
    return compiled, python


def _outcome(encode: Any, objs: Any) -> Any:
    try:
        return encode(objs)
    except (FieldError, LineProtocolError, TypeError, AttributeError) as exc:
        return f"{type(exc).__name__}: {exc}"


_EXTRA_VALUES = {
    "usage": st.floats()
    | st.sampled_from([np.float64(2.5), np.float32(1.5), True, 3])
    | st.floats(1e-5, 1e-3)
    | st.floats(1e14, 1e16),
    "count": st.sampled_from([np.int64(7), 2**63, -(2**63) - 1, False, 1.0]),
    "note": st.text(max_size=5, alphabet='a\\"é ,=\n\t') | st.just("x" * 262144),
    "ok": st.sampled_from([np.bool_(True), 1, "true"]),
    "time": st.sampled_from([None, True, 1.0, np.int64(5), 2**63]),
}


@st.composite
def _odd_batch(draw: st.DrawFn) -> list[Obj]:
    """The encoder tests' batches, with values only the Python side can
    write (or refuse) mixed in, and tag values of other types."""
    objs = draw(_batch())
    for obj in objs:
        for name, values in _EXTRA_VALUES.items():
            if draw(st.integers(0, 5)) == 0:
                obj.__dict__[name] = draw(values)
        if draw(st.integers(0, 9)) == 0:
            obj.__dict__["host_name"] = draw(st.sampled_from([1, "ü", None, 2.5]))
        if draw(st.integers(0, 19)) == 0:
            del obj.__dict__["host_name"]
    return objs


@settings(max_examples=500, deadline=None)
@given(objs=_batch() | _odd_batch())
def test_a_batch_is_written_as_the_python_encoder_writes_it(objs: list[Obj]) -> None:
    compiled, python = _pair()
    expected = _outcome(python.encode_many, objs)
    assert_same_lines(_outcome(compiled.encode_many, objs), expected, objs)


@settings(max_examples=300, deadline=None)
@given(objs=_batch() | _odd_batch())
def test_one_object_is_written_as_the_python_encoder_writes_it(
    objs: list[Obj],
) -> None:
    """``encode()``, the batch writer's path, is compiled too."""
    compiled, python = _pair()
    for obj in objs:
        expected = _outcome(lambda o: [python.encode(o)], obj)
        assert_same_lines(
            _outcome(lambda o: [compiled.encode(o)], obj), expected, [obj]
        )


def test_series_keys_come_from_the_cache_the_python_encoder_fills() -> None:
    """A new tag set goes through the Python encoder, which checks and
    caches it; the compiled one then writes from the cache."""
    compiled, _python = _pair()
    objs = [Obj(host_name=f"h{n % 3}", usage=1.5, time=n) for n in range(9)]

    lines = compiled.encode_many(objs)

    assert lines[4] == r"cpu\ load,host=h1 usage=1.5 4"
    assert sorted(compiled._cache) == [("h0", None), ("h1", None), ("h2", None)]


def test_the_reused_tuple_of_tag_values_is_never_one_someone_keeps() -> None:
    """Tag values whose equality keeps the key they are compared in: the
    compiled encoder then stops reusing its tuple, and every line is right."""
    kept: list[Any] = []

    class Keeping(str):
        __hash__ = str.__hash__

        def __eq__(self, other: object) -> bool:
            kept.append(other)
            return str.__eq__(self, other)

    tags = [TagSpec("host_name", "host")]
    fields = [FieldSpec("usage", "usage", "float")]
    compiled, python = _pair(tags, fields)
    objs = [Obj(host_name=Keeping(f"h{n % 2}"), usage=0.5, time=n) for n in range(6)]
    objs += [Obj(host_name=f"h{n % 2}", usage=0.25, time=n) for n in range(6)]

    assert compiled.encode_many(objs) == python.encode_many(objs)


def test_a_non_ascii_measurement_and_keys_are_written_as_utf8() -> None:
    tags = [TagSpec("where", "lieu")]
    fields = [FieldSpec("t", "température", "float"), FieldSpec("n", "n", "integer")]
    compiled, python = _pair(tags, fields, "météo")
    objs = [Obj(where="Zürich", t=21.5, n=3, time=1), Obj(where="b", n=-4, time=2)]

    assert compiled.encode_many(objs) == python.encode_many(objs)
    assert compiled.encode_many(objs)[0] == "météo,lieu=Zürich température=21.5,n=3i 1"


def test_an_object_without_a_dict_is_refused_as_python_refuses_it() -> None:
    compiled, python = _pair()
    objs: list[Any] = [Obj(host_name="a", usage=1.0, time=1), 5]

    assert _outcome(compiled.encode_many, objs) == _outcome(python.encode_many, objs)


def _format(value: float) -> str:
    from influxpy.lineprotocol._speedups import format_float

    return format_float(value)


@settings(max_examples=2000, deadline=None)
@given(
    value=st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(-(10**15), 10**15, places=6, allow_nan=False).map(float)
    | st.integers(-(10**17), 10**17).map(lambda n: n / 1000)
)
def test_a_float_is_written_as_repr_writes_it(value: float) -> None:
    assert _format(value) == repr(value)


def test_floats_at_the_edges_of_the_short_path_are_written_as_repr() -> None:
    """Around 1e-4 and 1e15 (where repr() changes notation or the short
    path stops), 15 and 17 significant digits, the neighbours of decimals,
    and a million random bit patterns."""
    values = [1e-4, 1e15, 1e16, 9.999999999999999e-05, 999999999999999.9]
    values += [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 5e-324, 1.7976931348623157e308]
    values += [123456789012345.6, 12345678901234.56, 0.000123456789012345]
    for base in list(values):
        values += [math.nextafter(base, 0.0), math.nextafter(base, math.inf)]
    rng = random.Random(7)
    for _ in range(200_000):
        decimal = round(rng.uniform(-1e6, 1e6), rng.randint(0, 12))
        values += [decimal, math.nextafter(decimal, math.inf)]
        values.append(struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0])
    finite = [v for v in values if math.isfinite(v)]
    finite += [-v for v in finite]
    wrong = [v for v in finite if _format(v) != repr(v)]
    assert wrong == []


def test_the_pure_python_encoder_is_chosen_by_the_environment() -> None:
    code = "import influxpy.lineprotocol as lp; print(lp.compiled())"
    env = {**os.environ, "INFLUXPY_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == "False", done.stderr


def _bodies(encoder: Encoder, objs: list[Obj], batch_size: int) -> Any:
    made = list(encoder.bodies(objs, batch_size))
    return [(body, list(lines), len(lines)) for body, lines in made]


@settings(max_examples=300, deadline=None)
@given(
    objs=_batch() | _odd_batch(),
    batch_size=st.integers(1, 9),
    piece=st.integers(1, 5),
)
def test_bodies_are_the_lines_of_each_batch_joined(
    objs: list[Obj], batch_size: int, piece: int
) -> None:
    """``Encoder.bodies()`` (bulk_create's path): each batch's body is its
    lines joined by newlines, as UTF-8, and its lines are those lines, even
    where a string value holds a newline; or the same error."""
    compiled, python = _pair()
    for obj in objs:  # a newline inside some string values
        if isinstance(obj.__dict__.get("note"), str) and len(obj.__dict__["note"]) > 2:
            obj.__dict__["note"] = obj.__dict__["note"][:1] + "\n" + "x"
        if obj.__dict__.get("time") is None:
            obj.__dict__["time"] = 1  # comparable lines
    lines = _outcome(python.encode_many, objs)
    if isinstance(lines, str):
        expected: Any = lines
    else:
        expected = []
        for start in range(0, len(lines), batch_size):
            batch = lines[start : start + batch_size]
            body = "\n".join(batch).encode("utf-8", "surrogatepass")
            expected.append((body, batch, len(batch)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoder_module, "_LINES_CHUNK", piece)
        got = _outcome(lambda o: _bodies(compiled, o, batch_size), objs)
    assert got == expected
