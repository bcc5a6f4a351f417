"""Measurements whose names differ only in case are measurements apart.

InfluxDB keeps ``cpu``, ``CPU`` and ``Cpu`` apart. DuckDB matches table
names ignoring case, so the engine refused the second; it now names such a
table apart (``CatalogState.renamed``) and reads each by its measurement.
Each statement runs on influxd and on the engine, in order (some write or
delete), and expects the same answer.
"""

from __future__ import annotations

from conformance._common import stored_answer

LINES = [
    "cpu,host=a v=1 10",
    "CPU,host=b v=2 20",
    "Cpu,host=c v=3,V=30 30",
    "cpu,host=a v=4 40",
    "mem,host=a v=5 10",
]
STATEMENTS = [
    "SELECT * FROM cpu",
    "SELECT * FROM CPU",
    "SELECT * FROM Cpu",
    "SELECT * FROM /cpu/",
    "SELECT * FROM /(?i)cpu/",
    "SELECT * FROM cpu, CPU",
    "SELECT mean(v) FROM /(?i)cpu/ GROUP BY host",
    (
        "SELECT count(v) FROM cpu, CPU, Cpu WHERE time >= 0 AND time < 50 "
        "GROUP BY time(20ns)"
    ),
    "SELECT v FROM (SELECT v FROM CPU)",
    "SHOW MEASUREMENTS",
    "SHOW SERIES",
    "SHOW FIELD KEYS",
    "SHOW TAG VALUES WITH KEY = host",
    "SELECT v INTO CPU FROM mem",
    "SELECT * FROM CPU",
    "DELETE FROM CPU WHERE time < 15",
    "SELECT * FROM CPU",
    "SELECT * FROM cpu",
    "DROP MEASUREMENT CPU",
    "SELECT * FROM /(?i)cpu/",
    "SHOW MEASUREMENTS",
]


def test_measurements_differing_in_case_are_apart(both: tuple[str, str]) -> None:
    server, engine = (
        [stored_answer(alias, "measurement_case", LINES, t) for t in STATEMENTS]
        for alias in both
    )
    for text, expected, got in zip(STATEMENTS, server, engine, strict=True):
        assert (text, got) == (text, expected)
