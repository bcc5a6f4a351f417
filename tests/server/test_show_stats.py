"""``SHOW DIAGNOSTICS`` and ``SHOW STATS`` through ``influxpy serve``: the
series names and columns are influxd 1.6.7's (the engine leaves out what it
has no value for), and the counts of each database are influxd's for the
same points."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from _influxd import InfluxServer
from influxpy import __version__
from server._serve import Served, seeded_pair

LINES = (
    "cpu,h=a v=1 1000000000\ncpu,h=b v=2 2000000000\ncpu v=3 3000000000\nmem x=1 1\n"
)


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "stats", LINES) as pair:
        yield pair


def results(target: Any, q: str) -> list[dict[str, Any]]:
    response = target.request("GET", "/query", params={"q": q})
    assert response.status_code == 200
    out: list[dict[str, Any]] = response.json()["results"]
    return out


def shapes(result: dict[str, Any]) -> dict[str, set[str]]:
    return {s["name"]: set(s["columns"]) for s in result.get("series", [])}


@pytest.mark.parametrize("q", ["SHOW DIAGNOSTICS", "SHOW STATS"])
def test_series_and_columns_are_influxds(pair, q):
    influxd, served, _name = pair
    (expected,) = results(influxd, q)
    (got,) = results(served, q)
    assert "error" not in got
    theirs, ours = shapes(expected), shapes(got)
    assert ours
    for name, columns in ours.items():
        assert name in theirs
        assert columns <= theirs[name]


def test_diagnostics_values(pair):
    _influxd, served, _name = pair
    (got,) = results(served, "SHOW DIAGNOSTICS")
    series = {
        s["name"]: dict(zip(s["columns"], s["values"][0], strict=True))
        for s in got["series"]
    }
    assert series["build"]["Version"] == __version__
    assert series["runtime"]["GOMAXPROCS"] >= 1
    assert series["system"]["PID"] > 0
    assert series["system"]["started"] <= series["system"]["currentTime"]


def test_database_counts_are_influxds(pair):
    influxd, served, name = pair
    counts = []
    for target in (influxd, served):
        (result,) = results(target, "SHOW STATS FOR 'database'")
        assert {s["name"] for s in result["series"]} == {"database"}
        counts.append([s for s in result["series"] if s["tags"] == {"database": name}])
    assert counts[1] == counts[0]
    assert counts[0][0]["values"] == [[2, 4]]


@pytest.mark.parametrize("module", ["runtime", "nope"])
def test_stats_for_a_module(pair, module):
    influxd, served, _name = pair
    q = f"SHOW STATS FOR '{module}'"
    (expected,) = results(influxd, q)
    (got,) = results(served, q)
    assert shapes(got).keys() == shapes(expected).keys()
    for name, columns in shapes(got).items():
        assert columns <= shapes(expected)[name]


def test_several_statements(pair):
    influxd, served, _name = pair
    q = "SHOW DIAGNOSTICS; SHOW STATS FOR 'runtime'; SHOW DATABASES"
    got = results(served, q)
    assert [r["statement_id"] for r in got] == [0, 1, 2]
    assert all("error" not in r for r in got)
    assert [r["statement_id"] for r in results(influxd, q)] == [0, 1, 2]


def test_chunked_answers_are_one_result(pair):
    # influxd sends every series of these statements in one result, also
    # when chunked.
    influxd, served, _name = pair
    for q in ("SHOW DIAGNOSTICS", "SHOW STATS"):
        shapes = []
        for target in (influxd, served):
            response = target.request(
                "GET", "/query", params={"q": q, "chunked": "true", "chunk_size": "1"}
            )
            documents = [orjson.loads(line) for line in response.text.splitlines()]
            (result,) = [r for d in documents for r in d["results"]]
            shapes.append((len(documents), "partial" in result))
        assert shapes[1] == shapes[0] == (1, False)


def test_csv_starts_a_block_for_other_columns(pair):
    # A series with other columns than the one before starts a block (a
    # blank line and its header), in chunked answers too.
    influxd, served, _name = pair
    firsts = []
    for target in (influxd, served):
        response = target.request(
            "GET",
            "/query",
            params={"q": "SHOW DIAGNOSTICS", "chunked": "true"},
            headers={"Accept": "application/csv"},
        )
        firsts.append([line.split(",")[0] for line in response.text.splitlines()])
    ours = ["build", "network", "runtime", "system"]
    expected = []
    for name in firsts[0]:
        if name in ours:
            expected += (["", "name"] if expected else ["name"]) + [name]
    assert firsts[1] == expected
