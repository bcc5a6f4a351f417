"""Measurements of several databases in one FROM.

influxd merges the series of ``db0..cpu`` and ``db1..cpu`` as one
measurement (points of one series at one time both kept), and so does the
engine (more cases in ``test_sources_databases``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy

DATABASES = {
    "several_a": ["cpu,host=a value=1 10", "cpu,host=b value=2 20"],
    "several_b": ["cpu,host=c value=7 15", "cpu,host=a value=8 10"],
}
BOTH = "SELECT value FROM several_a..cpu, several_b..cpu"


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        for name, lines in DATABASES.items():
            backend.create_database(name)
            backend.write_lines(lines, database=name)
    yield backends
    for backend in backends:
        for name in DATABASES:
            backend.drop_database(name)


def points(backend: Any, text: str) -> list[tuple[str, dict[str, str], Any]]:
    results = backend.query(text, database="several_a", epoch="ns")
    return [(r.name, r.tags, r.points) for r in results]


def test_the_server_merges_measurements_of_several_databases(
    stores: list[Any],
) -> None:
    server, engine = stores
    assert points(server, BOTH) == [
        (
            "cpu",
            {},
            [
                {"time": 10, "value": 1.0},
                {"time": 10, "value": 8.0},
                {"time": 15, "value": 7.0},
                {"time": 20, "value": 2.0},
            ],
        )
    ]
    assert points(engine, BOTH) == points(server, BOTH)


def test_a_from_of_one_other_database_runs_on_both(stores: list[Any]) -> None:
    server, engine = (points(b, "SELECT value FROM several_b..cpu") for b in stores)
    assert (
        engine
        == server
        == [("cpu", {}, [{"time": 10, "value": 8.0}, {"time": 15, "value": 7.0}])]
    )
