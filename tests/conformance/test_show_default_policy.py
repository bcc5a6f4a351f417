"""SHOW statements after the default retention policy changes.

influxd runs SHOW SERIES (without time) and the tag key cardinalities as
SELECTs through the shard groups of the policy a source names, or the
default: a new default policy without shard groups shows no series; once
it has one, SHOW SERIES reads the whole series index (every policy's
series), while the tag key cardinality counts only the measurements with
points in that policy. SHOW TAG KEYS and SHOW MEASUREMENTS read the index
whatever the policy.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy

STATEMENTS = [
    "SHOW SERIES",
    "SHOW SERIES FROM cpu",
    "SHOW SERIES FROM autogen.cpu",
    "SHOW SERIES FROM week.cpu",
    "SHOW SERIES FROM autogen.cpu, week.cpu",
    "SHOW TAG KEY CARDINALITY",
    "SHOW TAG KEY EXACT CARDINALITY",
    "SHOW TAG KEY EXACT CARDINALITY FROM autogen.cpu",
    "SHOW SERIES EXACT CARDINALITY",
    "SHOW FIELD KEYS",
    "SHOW TAG KEYS",
    "SHOW MEASUREMENTS",
]


def _answers(alias: str, database: str) -> list[Any]:
    backend = influxpy.get_connection(alias)
    out = []
    for text in STATEMENTS:
        (result,) = backend.statements(text, database=database)
        out.append((text, result.error, [(s.name, s.values) for s in result.series]))
    return out


@pytest.mark.parametrize("week_points", [False, True])
def test_show_through_a_new_default_policy(
    both: tuple[str, str], week_points: bool
) -> None:
    found = []
    for alias in both:
        backend = influxpy.get_connection(alias)
        name = f"shows_policy_{int(week_points)}"
        backend.drop_database(name)
        backend.create_database(name)
        backend.write_lines(["cpu,host=a v=1 1000000000"], database=name)
        list(
            backend.statements(
                f"CREATE RETENTION POLICY week ON {name} DURATION 0s "
                "REPLICATION 1 DEFAULT"
            )
        )
        if week_points:
            backend.write_lines(["mem,h=z f=1 2000000000"], database=name)
        found.append(_answers(alias, name))
    assert found[1] == found[0]
    series = {text: values for text, _error, values in found[0]}
    assert bool(series["SHOW SERIES"]) == week_points
