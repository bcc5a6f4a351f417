"""Arithmetic influxd 1.6.7 refuses as a type error, on both backends.

influxd types the select list before it runs a query: an operation whose
operands are a tag, a string or a boolean beside a typed value fails the
statement with ``type error: <operation>: incompatible types: <a> and
<b>``, whether or not a point matches. A name the measurement does not hold
has no type and passes (its values are null). Each test runs on the server
and on the engine (``conn``) and expects the server's answer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, write
from influxpy import F
from influxpy.exceptions import ProgrammingError


@pytest.fixture
def typed(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(
        [
            'types,t1=a,v=x f=1.5,i=2i,s="hi",b=true 10',
            'types,t1=b,v=y f=2.5,i=3i,s="ho",b=false 20',
        ]
    )
    return backend


REFUSED = [
    ("v * 2", "v::tag * 2: incompatible types: tag and integer"),
    ("v::tag * 2", "v::tag * 2: incompatible types: tag and integer"),
    ("-v", "-1 * v::tag: incompatible types: integer and tag"),
    ("2.0 * v", "2.000 * v::tag: incompatible types: float and tag"),
    ("s + 1", "s::string + 1: incompatible types: string and integer"),
    ("s + s", "s::string + s::string: incompatible types: string and string"),
    ("f + s", "f::float + s::string: incompatible types: float and string"),
    ("f + 'x'", "f::float + 'x': incompatible types: float and string"),
    ("i - true", "i::integer - true: incompatible types: integer and boolean"),
    ("b * 2", "b::boolean * 2: incompatible types: boolean and integer"),
    ("(s + 1) * 2", "s::string + 1: incompatible types: string and integer"),
    ("f * (i - v)", "i::integer - v::tag: incompatible types: integer and tag"),
    ("f::integer + v", "f::integer + v::tag: incompatible types: integer and tag"),
    ("nope + 1 + s", "nope + 1 + s::string: incompatible types: integer and string"),
    (
        "mean(f) + max(t1)",
        "mean(f::float) + max(t1::tag): incompatible types: float and tag",
    ),
    ("first(s) + 1", "first(s::string) + 1: incompatible types: string and integer"),
    ("abs(i) + v", "abs(i::integer) + v::tag: incompatible types: integer and tag"),
    ("f, v * 2", "v::tag * 2: incompatible types: tag and integer"),
]


@pytest.mark.parametrize(("select", "error"), REFUSED)
def test_arithmetic_of_other_types_is_a_statement_error(
    typed: Any, select: str, error: str
) -> None:
    (result,) = list(typed.statements(f"SELECT {select} FROM types"))
    assert result.error == f"type error: {error}"
    assert list(result.series) == []


@pytest.mark.parametrize(
    "select", ["f + nope", "s + nope", "v::field + 1", "count(s) + 1", "f / 0"]
)
def test_arithmetic_with_an_untyped_name_runs(typed: Any, select: str) -> None:
    (result,) = list(typed.statements(f"SELECT {select} FROM types"))
    assert result.error is None, result.error


@pytest.mark.parametrize(
    ("annotation", "error"),
    [
        (F("host") * 2, "host::tag * 2: incompatible types: tag and integer"),
        (F("s") + 1, "s::string + 1: incompatible types: string and integer"),
        (F("v") + F("s"), "v::float + s::string: incompatible types: float and string"),
    ],
)
def test_a_queryset_with_such_arithmetic_raises_programming_error(
    conn: str, annotation: Any, error: str
) -> None:
    write(conn, Reading(time=at(0), v=1.0, s="a", host="h"))
    qs = Reading.series.using(conn).annotate(x=annotation)
    with pytest.raises(ProgrammingError, match=f"type error: {re.escape(error)}"):
        list(qs)
