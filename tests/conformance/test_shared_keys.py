"""A key that is a tag in some series and a field in others, as influxd 1.6.7 answers.

InfluxDB accepts ``core`` as a tag of some points and as a field of others
(network counters do this). A bare name then reads the field, in the select
list and in WHERE; ``core::tag`` and ``core::field`` pick one; GROUP BY
groups by the tag; ``*`` lists both (the field as ``core``, the tag as
``core_1``); SHOW TAG KEYS and SHOW FIELD KEYS both name it. Each test runs
on the server and on the engine (``conn``) and expects the server's answer.
The engine is checked with the field written first and with the tag first.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import rows
from influxpy import fields, models
from influxpy.exceptions import FieldError, ImproperlyConfigured
from influxpy.expressions import F
from influxpy.functions import Max, Mean

TAG_FIRST = [
    "net,core=a value=1 10",
    "net,core=b value=2 20",
    "net core=5i,value=3 30",
    "net core=6i,value=4 40",
    "net,host=h core=7i,value=5 50",
    "net,core=c,host=h value=6 60",
]
#: The same points, the field written before the tag.
FIELD_FIRST = TAG_FIRST[2:] + TAG_FIRST[:2]


class Net(models.InfluxMeasurement):
    """The model declares ``core`` as the field it is in most series."""

    class Meta:
        measurement = "net"

    value = fields.FloatField()
    core = fields.IntegerField()
    host = fields.InfluxTag(null=True)


@pytest.fixture(params=["tag first", "field first"])
def net(conn: str, request: pytest.FixtureRequest) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(TAG_FIRST if request.param == "tag first" else FIELD_FIRST)
    return backend


def answer(
    backend: Any, text: str
) -> list[tuple[dict[str, str], list[str], list[Any]]]:
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [
        (s.tags, list(s.columns), [list(v) for v in s.values]) for s in result.series
    ]


def values(backend: Any, text: str) -> list[list[Any]]:
    (series,) = answer(backend, text)
    return series[2]


CASES: list[tuple[str, list[list[Any]]]] = [
    ("SELECT core FROM net", [[30, 5], [40, 6], [50, 7]]),
    ("SELECT core::field FROM net", [[30, 5], [40, 6], [50, 7]]),
    ("SELECT value FROM net WHERE core = 5", [[30, 3.0]]),
    ("SELECT value FROM net WHERE core > 5", [[40, 4.0], [50, 5.0]]),
    ("SELECT value FROM net WHERE core::field = 5", [[30, 3.0]]),
    ("SELECT value FROM net WHERE core::tag = 'a'", [[10, 1.0]]),
    ("SELECT value FROM net WHERE core::tag = ''", [[30, 3.0], [40, 4.0], [50, 5.0]]),
    (
        "SELECT value FROM net WHERE core::tag = 'a' OR core::field = 5",
        [[10, 1.0], [30, 3.0]],
    ),
    (
        "SELECT value, core::tag FROM net",
        [
            [10, 1.0, "a"],
            [20, 2.0, "b"],
            [30, 3.0, None],
            [40, 4.0, None],
            [50, 5.0, None],
            [60, 6.0, "c"],
        ],
    ),
    (
        "SELECT core::tag, core::field FROM net",
        [[30, None, 5], [40, None, 6], [50, None, 7]],
    ),
    (
        "SELECT core, value FROM net WHERE core::tag =~ /./",
        [[10, None, 1.0], [20, None, 2.0], [60, None, 6.0]],
    ),
    ("SELECT mean(core) FROM net", [[0, 6.0]]),
    ("SELECT max(core) FROM net", [[50, 7]]),
    ("SELECT count(*) FROM net", [[0, 3, 6]]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_shared_key_reads_as_influxd_reads_it(
    net: Any, text: str, expected: list[list[Any]]
) -> None:
    assert values(net, text) == expected


def test_star_lists_the_field_then_the_tag(net: Any) -> None:
    (series,) = answer(net, "SELECT * FROM net")
    assert series[1] == ["time", "core", "core_1", "host", "value"]
    assert series[2] == [
        [10, None, "a", None, 1.0],
        [20, None, "b", None, 2.0],
        [30, 5, None, None, 3.0],
        [40, 6, None, None, 4.0],
        [50, 7, None, "h", 5.0],
        [60, None, "c", "h", 6.0],
    ]
    (fields_only,) = answer(net, "SELECT *::field FROM net")
    assert fields_only[1] == ["time", "core", "value"]


def test_group_by_the_key_groups_by_the_tag(net: Any) -> None:
    assert answer(net, "SELECT value, core FROM net GROUP BY core") == [
        (
            {"core": ""},
            ["time", "value", "core"],
            [[30, 3.0, 5], [40, 4.0, 6], [50, 5.0, 7]],
        ),
        ({"core": "a"}, ["time", "value", "core"], [[10, 1.0, None]]),
        ({"core": "b"}, ["time", "value", "core"], [[20, 2.0, None]]),
        ({"core": "c"}, ["time", "value", "core"], [[60, 6.0, None]]),
    ]
    assert answer(net, "SELECT mean(core) FROM net GROUP BY core") == [
        ({"core": ""}, ["time", "mean"], [[0, 6.0]]),
    ]


def test_show_keys_name_it_a_tag_and_a_field(net: Any) -> None:
    assert values(net, "SHOW TAG KEYS FROM net") == [["core"], ["host"]]
    assert values(net, "SHOW FIELD KEYS FROM net") == [
        ["core", "integer"],
        ["value", "float"],
    ]
    assert values(net, "SHOW TAG VALUES FROM net WITH KEY = core") == [
        ["core", "a"],
        ["core", "b"],
        ["core", "c"],
    ]


def test_a_delete_on_the_key_is_refused_as_a_field_condition(net: Any) -> None:
    (result,) = list(net.statements("DELETE FROM net WHERE core = 'a'"))
    assert result.error is not None
    assert "fields not supported in WHERE clause during deletion" in result.error


def test_the_queryset_reads_the_tag_or_the_field(conn: str, net: Any) -> None:
    qs = Net.series.using(conn)
    assert rows(qs.filter(core__tag="a").only("value")) == [{"time": 10, "value": 1.0}]
    assert rows(qs.filter(core__tag__regex="^[bc]$").only("value")) == [
        {"time": 20, "value": 2.0},
        {"time": 60, "value": 6.0},
    ]
    assert rows(qs.filter(core__field__gt=5).only("value")) == [
        {"time": 40, "value": 4.0},
        {"time": 50, "value": 5.0},
    ]
    assert rows(qs.filter(core=5).only("value")) == [{"time": 30, "value": 3.0}]
    tagged = rows(qs.annotate("value", tag=F("core", cast="tag")))
    assert [(p["time"], p["tag"]) for p in tagged] == [
        (10, "a"),
        (20, "b"),
        (30, None),
        (40, None),
        (50, None),
        (60, "c"),
    ]
    assert rows(qs.annotate(m=Mean(F("core", cast="field")))) == [{"time": 0, "m": 6.0}]
    assert rows(qs.filter(core__tag="").annotate(m=Max("core"))) == [
        {"time": 50, "m": 7}
    ]


def test_the_queryset_groups_by_the_tag_of_the_key(conn: str, net: Any) -> None:
    """``group_by(F('core', cast='tag'))``: the model declares the field."""
    qs = Net.series.using(conn).annotate(m=Mean("value"))
    grouped = qs.group_by(F("core", cast="tag"))
    assert (
        str(grouped.query) == 'SELECT mean("value") AS "m" FROM "net" GROUP BY "core"'
    )
    assert [(r.tags, r.points) for r in grouped.epoch()] == [
        ({"core": ""}, [{"time": 0, "m": 4.0}]),
        ({"core": "a"}, [{"time": 0, "m": 1.0}]),
        ({"core": "b"}, [{"time": 0, "m": 2.0}]),
        ({"core": "c"}, [{"time": 0, "m": 6.0}]),
    ]


def test_group_by_refuses_a_field_reference_with_a_teaching_error() -> None:
    with pytest.raises(FieldError, match=r"F\(name, cast='tag'\)") as info:
        Net.series.group_by(F("core"))
    assert info.value.field == "core"


def test_declaring_the_key_as_tag_and_field_says_how_to_read_both() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"declared once, as the field"):

        class Both(models.InfluxMeasurement):  # pragma: no cover - refused
            value = fields.FloatField()
            core = fields.IntegerField()
            core_tag = fields.InfluxTag(db_name="core")


def test_the_queryset_spells_the_casts_in_influxql() -> None:
    qs = Net.series.filter(core__tag="a").annotate(
        "value", t=F("core", cast="tag"), f=F("core", cast="field")
    )
    assert str(qs.query) == (
        'SELECT "value", "core"::tag AS "t", "core"::field AS "f" FROM "net" '
        "WHERE \"core\"::tag = 'a'"
    )


def test_a_cast_other_than_field_tag_or_a_value_type_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'field' or 'tag'.*got 'number'"):
        F("core", cast="number")


def test_a_tag_without_points_leaves_star_after_a_delete(conn: str) -> None:
    """influxd forgets a tag key with its last series (fields stay)."""
    backend = influxpy.get_connection(conn)
    backend.write_lines(["m,host=a,dc=x v=1 10", "m,dc=y v=2 20", "m,dc=x w=3 30"])
    (deleted,) = list(backend.statements("DELETE FROM m WHERE host = 'a'"))
    assert deleted.error is None
    assert answer(backend, "SELECT * FROM m") == [
        ({}, ["time", "dc", "v", "w"], [[20, "y", 2.0, None], [30, "x", None, 3.0]])
    ]
    assert answer(backend, "SELECT * FROM m GROUP BY *") == [
        ({"dc": "x"}, ["time", "v", "w"], [[30, None, 3.0]]),
        ({"dc": "y"}, ["time", "v", "w"], [[20, 2.0, None]]),
    ]
    backend.write_lines(["m,host=b v=4 40"])
    assert values(backend, "SELECT v, host FROM m WHERE host = 'b'") == [[40, 4.0, "b"]]


def test_quirk_star_over_a_subquery_loses_the_renamed_tag(
    both: tuple[str, str],
) -> None:
    """``SELECT * FROM (SELECT * FROM net)``: influxd's outer ``*`` keeps the
    inner ``core`` (the field) and drops ``core_1`` (the tag), though the
    inner query answers both. The engine keeps both columns, as the inner
    query names them."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    for backend in (server, engine):
        backend.write_lines(TAG_FIRST)
    text = "SELECT * FROM (SELECT * FROM net)"
    (on_server,) = answer(server, text)
    assert on_server[1] == ["time", "core", "host", "value"]
    assert on_server[2][0] == [10, None, None, 1.0]
    (on_engine,) = answer(engine, text)
    assert on_engine[1] == ["time", "core", "core_1", "host", "value"]
    assert on_engine[2][0] == [10, None, "a", None, 1.0]


def test_quirk_top_by_a_shared_tag_shows_the_field(both: tuple[str, str]) -> None:
    """``top(value, core, 2)`` picks the best point per value of the tag
    ``core`` on both backends; influxd then fills the ``core`` column with
    the field of that name, the engine with the tag the rows were picked
    by."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    for backend in (server, engine):
        backend.write_lines(TAG_FIRST)
    text = "SELECT top(value, core, 2) FROM net"
    assert values(server, text) == [[50, 5.0, 7], [60, 6.0, None]]
    assert values(engine, text) == [[50, 5.0, None], [60, 6.0, "c"]]


SUBQUERY = "(SELECT core, value * 2 AS x FROM net GROUP BY *)"


def test_a_subquery_grouped_by_the_key_selects_its_field(net: Any) -> None:
    """An inner ``GROUP BY *`` groups by the tag ``core`` while its select
    list holds the field ``core``: the outer query reads the field by the
    bare name (keeping the inner rows where it is null) and groups by the
    tag."""
    assert values(net, f"SELECT mean(x) FROM {SUBQUERY}") == [[0, 7.0]]
    assert values(net, f"SELECT core FROM {SUBQUERY}") == [
        [10, None],
        [20, None],
        [30, 5],
        [40, 6],
        [50, 7],
        [60, None],
    ]
    assert values(net, f"SELECT x FROM {SUBQUERY} WHERE core > 5") == [
        [40, 8.0],
        [50, 10.0],
    ]
    grouped = f"SELECT max(x), sum(core) FROM {SUBQUERY} GROUP BY core"
    assert answer(net, grouped) == [
        ({"core": ""}, ["time", "max", "sum"], [[0, 10.0, 18]]),
        ({"core": "a"}, ["time", "max", "sum"], [[0, 2.0, None]]),
        ({"core": "b"}, ["time", "max", "sum"], [[0, 4.0, None]]),
        ({"core": "c"}, ["time", "max", "sum"], [[0, 12.0, None]]),
    ]


BESIDE = "(SELECT max(value) FROM net GROUP BY core)"


@pytest.mark.parametrize("first", [True, False])
def test_quirk_a_subquery_grouped_by_the_key_beside_its_measurement(
    both: tuple[str, str], first: bool
) -> None:
    """A subquery grouped by the tag ``core`` beside ``net``, which stores
    ``core`` as a field too. influxd reads the bare name ``core`` in the
    subquery's rows as the tag's text and in the stored rows as the
    integer field: one column of text and integers (``WHERE core = 'a'``
    matches the subquery's row, ``count(core)`` counts its groups,
    ``max(core)`` fails). The engine reads the bare name as the field it
    is beside, null in the subquery's rows as any field the subquery
    lacks; ``core::tag`` and GROUP BY read the tag on both."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    for backend in (server, engine):
        backend.write_lines(TAG_FIRST)
    sources = f"{BESIDE}, net" if first else f"net, {BESIDE}"

    def on(backend: Any, select: str) -> Any:
        found = values(backend, f"SELECT {select} FROM {sources}")
        return sorted(found, key=lambda row: [(v is None, str(v)) for v in row])

    text = "max, core, core::tag"
    assert on(server, text) == [
        [10, 1.0, "a", "a"],
        [20, 2.0, "b", "b"],
        [30, None, 5, None],
        [40, None, 6, None],
        [50, 5.0, "", ""],
        [50, None, 7, None],
        [60, 6.0, "c", "c"],
    ]
    assert on(engine, text) == [
        [10, 1.0, None, "a"],
        [20, 2.0, None, "b"],
        [30, None, 5, None],
        [40, None, 6, None],
        [50, 5.0, None, ""],
        [50, None, 7, None],
        [60, 6.0, None, "c"],
    ]
    assert on(server, "count(core)") == [[0, 7]]
    assert on(engine, "count(core)") == [[0, 3]]
    assert on(engine, "max(core)") == [[50, 7]]
    (failed,) = list(server.statements(f"SELECT max(core) FROM {sources}"))
    assert failed.error is not None
    assert failed.error.startswith("unsupported max iterator type")
    where = "max, value FROM {} WHERE core = {}"
    for backend in (server, engine):
        text = where.format(sources, 5)
        assert values(backend, f"SELECT {text}") == [[30, None, 3.0]]
    assert values(server, f"SELECT {where.format(sources, repr('a'))}") == [
        [10, 1.0, None]
    ]
    assert answer(engine, f"SELECT {where.format(sources, repr('a'))}") == []
    grouped = f"SELECT max(value) FROM {sources} GROUP BY core"
    assert answer(server, grouped) == answer(engine, grouped)
