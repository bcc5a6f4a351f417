"""Models and helpers shared by the conformance tests of both backends."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

import influxpy
from influxpy import fields, models
from influxpy.durations import Second

S = 1_000_000_000
M = 60 * S
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z
UTC = dt.UTC
approx = pytest.approx


class Reading(models.InfluxMeasurement):
    """One field of every type and two nullable tags."""

    class Meta:
        measurement = "conformance"

    v = fields.FloatField()
    n = fields.IntegerField()
    s = fields.StringField()
    ok = fields.BooleanField()
    host = fields.InfluxTag(null=True)
    dc = fields.InfluxTag(null=True)


class IntTyped(models.InfluxMeasurement):
    """``x`` stored as an integer..."""

    class Meta:
        measurement = "typed"

    x = fields.IntegerField()
    y = fields.FloatField()


class FloatTyped(models.InfluxMeasurement):
    """...and written as a float by another model of the same measurement."""

    class Meta:
        measurement = "typed"

    x = fields.FloatField()
    y = fields.FloatField()


#: Twelve points of ``m`` over the tags host and dc (one point without
#: tags), 10 ns apart: series of several points each, whose runs interleave
#: in time, for the slicing of grouped subqueries.
HOSTS_DCS = [
    "m,host=a,dc=x v=1 10",
    "m,host=b,dc=x v=2 20",
    "m,host=a,dc=y v=3 30",
    "m,host=c,dc=y v=4 40",
    "m,host=a,dc=x v=5 50",
    "m,host=b,dc=y v=6 60",
    "m v=7 70",
    "m,host=c,dc=y v=8 80",
    "m,host=a,dc=x v=9 90",
    "m,host=b,dc=y v=10 100",
    "m,host=a,dc=x v=11 110",
    "m,host=b,dc=y v=12 120",
]


def write(conn: str, *points: Reading) -> None:
    Reading.series.using(conn).bulk_create(points)


def at(seconds: float) -> int:
    return T0 + int(seconds * S)


def series(qs: Any) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    """(tags, points) per series, times as integer nanoseconds."""
    return [(r.tags, r.points) for r in qs.epoch()]


def rows(qs: Any) -> list[dict[str, Any]]:
    """The points of a single-series result."""
    result = series(qs)
    assert len(result) <= 1, result
    return result[0][1] if result else []


def column(qs: Any, name: str) -> list[Any]:
    return [p[name] for p in rows(qs)]


def pairs(qs: Any, name: str) -> list[tuple[int, Any]]:
    return [(p["time"], p[name]) for p in rows(qs)]


def windowed(conn: str, call: Any) -> Any:
    return (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(100))
        .annotate(call)
        .resolution(Second(20))
    )


def write_both(aliases: tuple[str, str], *points: Reading) -> None:
    for alias in aliases:
        Reading.series.using(alias).bulk_create(points)


def stored(conn: str, lines: list[str]) -> Any:
    """The backend of *conn* with the line-protocol *lines* written to it."""
    backend = influxpy.get_connection(conn)
    backend.write_lines(lines)
    return backend


def racked_lines(seed: int) -> list[str]:
    """Six hosts over dc and rack (some without rack), a few points each at
    times that interleave, so series order and time order differ."""
    rng = random.Random(seed)
    lines = []
    for host in "abcdef":
        dc = rng.choice("xy")
        rack = rng.choice(["", ",rack=r1", ",rack=r2"])
        for _ in range(rng.randint(1, 4)):
            v, t = rng.randint(0, 9), rng.randrange(0, 200, 5)
            lines.append(f"m,host={host},dc={dc}{rack} v={v} {t}")
    return lines


def text_answers(
    aliases: tuple[str, ...],
    database: str,
    lines: list[str],
    text: str,
    *,
    epoch: str | None = None,
) -> list[list[tuple[dict[str, str], list[dict[str, Any]]]]]:
    """The series (tags and points) InfluxQL *text* answers on each of
    *aliases*, each store holding *lines* in *database* first."""
    answers = []
    for alias in aliases:
        backend = influxpy.get_connection(alias)
        backend.create_database(database)
        backend.write_lines(lines, database=database)
        found = backend.query(text, database=database, epoch=epoch)
        answers.append([(r.tags, r.points) for r in found])
    return answers


def stored_answer(alias: str, database: str, lines: list[str], text: str) -> Any:
    """The series (name, tags, columns, rows) the one statement of InfluxQL
    *text* answers on the store of *alias* holding *lines* in *database*,
    or its error text. A series without a name (SHOW SERIES) has ``''``."""
    backend = influxpy.get_connection(alias)
    backend.create_database(database)
    backend.write_lines(lines, database=database)
    (result,) = list(backend.statements(text, database=database))
    if result.error is not None:
        return result.error
    return [
        (s.name or "", s.tags, s.columns, [list(v) for v in s.values])
        for s in result.series
    ]


def written_by_into(
    alias: str, database: str, lines: list[str], text: str, target: str
) -> tuple[Any, list[list[Any]]]:
    """What the ``SELECT ... INTO`` *text* answers on the store of *alias*
    holding *lines* in *database* (``stored_answer``), and the rows of the
    measurement *target* it wrote, every series' in turn."""
    written = stored_answer(alias, database, lines, text)
    backend = influxpy.get_connection(alias)
    (result,) = list(backend.statements(f"SELECT * FROM {target}", database=database))
    return written, [list(v) for s in result.series for v in s.values]


def statement_values(backend: Any, text: str) -> Any:
    """The rows of the one statement of InfluxQL *text* on *backend*, every
    series' in turn, or its error text."""
    (result,) = list(backend.statements(text))
    if result.error is not None:
        return result.error
    return [list(v) for s in result.series for v in s.values]


def unsupported(function: str, kind: str = "string") -> str:
    """influxd's error for *function* over values of *kind*
    (``unsupported max iterator type: *query.stringInterruptIterator``)."""
    return f"unsupported {function} iterator type: *query.{kind}InterruptIterator"
