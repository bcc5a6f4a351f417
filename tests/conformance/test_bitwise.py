"""InfluxQL's bitwise ``&``, ``|`` and ``^``, as influxd 1.6.7 answers them.

The QuerySet writes them ``F('a').bitand(3)``, ``.bitor()``, ``.bitxor()``
(Python's ``&`` and ``|`` combine ``Q`` objects). influxd takes two
integers (their bitwise AND, OR, XOR) or a boolean on the left: beside a
boolean the logical AND, OR, XOR, beside a missing value ``false`` in its
place, beside anything else ``false``. In the select list it refuses an
integer beside a float, a tag or a boolean, and a float, string or tag on
the left, as a type error; a WHERE condition is not typed, so those match
nothing. Each test runs on the server and on the engine (``conn``) and
expects the server's answer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import influxpy
from influxpy import Count, F, First, Max, fields, models
from influxpy.durations import Second
from influxpy.exceptions import ProgrammingError

S = 1_000_000_000

LINES = [
    'bits,t=a i=5i,j=3i,f=2.5,b=true,c=false,s="abc" 1000000000',
    'bits,t=a i=6i,j=10i,f=-1.5,b=false,c=false,s="x" 2000000000',
    "bits,t=b i=-7i,f=4.0,b=true,c=true 3000000000",
    "bits,t=b j=12i,c=true 4000000000",
]


class Bits(models.InfluxMeasurement):
    """Integers, booleans, a float and a string beside a tag."""

    class Meta:
        measurement = "bits"

    i = fields.IntegerField()
    j = fields.IntegerField()
    f = fields.FloatField()
    b = fields.BooleanField()
    c = fields.BooleanField()
    s = fields.StringField()
    t = fields.InfluxTag()


@pytest.fixture
def bits(conn: str) -> str:
    influxpy.get_connection(conn).write_lines(LINES)
    return conn


def _rows(qs: Any) -> list[dict[str, Any]]:
    (result,) = list(qs.epoch())
    return [dict(p) for p in result.points]


def test_integers_and_their_default_names(bits: str) -> None:
    qs = Bits.series.using(bits).annotate(
        F("i").bitand(F("j")), F("i").bitor(3), F("i").bitxor(F("j"))
    )
    qs = qs.only()
    assert str(qs.query) == ('SELECT "i" & "j", "i" | 3, "i" ^ "j" FROM "bits"')
    assert [tuple(p.values()) for p in _rows(qs)] == [
        (1 * S, 1, 7, 6),
        (2 * S, 2, 7, 12),
        (3 * S, None, -5, None),
        (4 * S, None, None, None),
    ]
    assert list(_rows(qs)[0]) == ["time", "i_j", "i", "i_j_1"]


def test_named_and_nested(bits: str) -> None:
    qs = Bits.series.using(bits).annotate(
        x=F("i").bitand(F("j")) + 1, y=(F("i") + F("j")).bitand(1)
    )
    qs = qs.only()
    assert str(qs.query) == (
        'SELECT ("i" & "j") + 1 AS "x", ("i" + "j") & 1 AS "y" FROM "bits"'
    )
    assert [(p["x"], p["y"]) for p in _rows(qs)] == [
        (2, 0),
        (3, 0),
        (None, None),
        (None, None),
    ]


def test_booleans_read_a_missing_value_as_false(bits: str) -> None:
    qs = Bits.series.using(bits).annotate(
        a=F("b").bitand(F("c")), o=F("b").bitor(F("c")), x=F("b").bitxor(F("c"))
    )
    assert [(p["a"], p["o"], p["x"]) for p in _rows(qs.only())] == [
        (False, True, True),
        (False, False, False),
        (True, True, False),
        (False, True, True),
    ]


def test_a_boolean_beside_another_type_is_false(bits: str) -> None:
    qs = Bits.series.using(bits).annotate(
        a=F("b").bitor(F("i")), o=F("b").bitor(1.5), x=F("b").bitxor(F("s"))
    )
    assert [(p["a"], p["o"], p["x"]) for p in _rows(qs.only())] == [
        (False, False, False),
        (False, False, False),
        (False, False, True),
    ]


def test_calls(bits: str) -> None:
    qs = Bits.series.using(bits).annotate(
        Max("i").bitand(Max("j")), n=Count("i").bitxor(1), first=First("b").bitand(True)
    )
    (point,) = _rows(qs)
    assert point == {"time": 0, "max_max": 4, "n": 2, "first": True}


@pytest.mark.parametrize(
    ("annotation", "error"),
    [
        (
            F("i").bitand(F("f")),
            "i::integer & f::float: incompatible types: integer and float",
        ),
        (F("f").bitor(1), "f::float | 1: incompatible types: float and integer"),
        (
            F("i").bitxor(F("b")),
            "i::integer ^ b::boolean: incompatible types: integer and boolean",
        ),
        (
            F("i").bitand(1.5),
            "i::integer & 1.500: incompatible types: integer and float",
        ),
        (F("t").bitand(1), "t::tag & 1: incompatible types: tag and integer"),
        (
            F("s").bitand(F("s")),
            "s::string & s::string: incompatible types: string and string",
        ),
        (F("b").bitand(F("i")) + 1, "incompatible types: boolean and integer"),
    ],
)
def test_other_types_are_a_type_error(bits: str, annotation: Any, error: str) -> None:
    qs = Bits.series.using(bits).annotate(x=annotation)
    with pytest.raises(ProgrammingError, match=f"type error: .*{re.escape(error)}"):
        list(qs)


def test_in_a_filter(bits: str) -> None:
    qs = Bits.series.using(bits).filter(j=F("i").bitxor(6)).only("i")
    assert str(qs.query) == 'SELECT "i" FROM "bits" WHERE "j" = "i" ^ 6'
    assert [p["i"] for p in _rows(qs)] == [5]
    qs = Bits.series.using(bits).filter(c=F("b").bitand(True)).only("i")
    assert [p["time"] for p in _rows(qs)] == [2 * S, 3 * S]


#: WHERE conditions in InfluxQL text, then the seconds of the points
#: influxd answers with (a WHERE is not typed: mixed types match nothing).
CONDITIONS = [
    ("i & 1 = 1", [1, 3]),
    ("i ^ 1 = 4", [1]),
    ("i | 8 = 14", [2]),
    ("i & 4 > 0", [1, 2]),
    ("i & 1 != 1", [2]),
    ("i & j = 0", []),
    ("b & c = true", [3]),
    ("b | true = true", [1, 2, 3]),
    ("b & true = false", [2, 4]),
    # A missing operand makes the answer missing, a boolean's too; a
    # missing answer compared with a boolean reads as false.
    ("b | c = true", [1, 3]),
    ("c | b = true", [1, 3]),
    ("b ^ c = false", [2, 3, 4]),
    ("false = b ^ c", [2, 3, 4]),
    ("b & c != true", [1, 2, 4]),
    ("x & c = false", [1, 2, 3, 4]),
    ("c | x = true", []),
    ("b & c = c", [1, 2, 3]),
    ("b = c & true", [2, 3]),
    ("b & i = false", [1, 2, 3, 4]),
    ("i & f = false", [1, 2, 3, 4]),
    ("i & f = 1", []),
    ("f & 1 = 0", []),
    ("j & nope = 0", []),
    ("f + 1 = false", [4]),
    ("f + 1 != true", [4]),
    ("f + 1 != false", []),
]


@pytest.mark.parametrize(("condition", "seconds"), CONDITIONS)
def test_conditions_in_text(bits: str, condition: str, seconds: list[int]) -> None:
    backend = influxpy.get_connection(bits)
    text = f"SELECT * FROM bits WHERE {condition}"
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    times = [row[0] for series in result.series for row in series.values]
    assert times == [s * S for s in seconds]


def test_select_in_text(bits: str) -> None:
    backend = influxpy.get_connection(bits)
    text = "SELECT i & j + 1, i + j & 1, b & x, x & b, b | x, i & x FROM bits"
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    (series,) = result.series
    assert series.columns == ["time", "i_j", "i_j_1", "b_x", "x_b", "b_x_1", "i_x"]
    assert [row[1:] for row in series.values] == [
        [2, 6, False, False, True, None],
        [3, 6, False, False, False, None],
        [None, None, False, False, True, None],
        [None, None, None, None, None, None],
    ]


def test_in_a_subquery_and_per_window(bits: str) -> None:
    inner = Bits.series.using(bits).annotate(low=F("i").bitand(3), b="b").subquery()
    qs = inner.annotate(top=Max("low"), n=Count("b"))
    (point,) = _rows(qs)
    assert (point["top"], point["n"]) == (2, 3)
    windows = (
        Bits.series.using(bits)
        .filter(time__gte=0, time__lt=4 * S)
        .annotate(m=Max("i").bitor(Max("j")))
        .resolution(Second(2))
        .fill(0)
    )
    assert [(p["time"], p["m"]) for p in _rows(windows)] == [
        (0, 7),
        (2 * S, 14),
    ]
