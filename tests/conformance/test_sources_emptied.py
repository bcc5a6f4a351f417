"""A measurement whose points were all deleted is no source of a query of
several measurements.

influxd's index forgets a measurement once DROP SERIES or DELETE removed
all of its series: ``SELECT * FROM /.*/`` (or ``FROM cpu, xx``) lists none
of its fields and types no name by it, while ``SHOW FIELD KEYS`` still
lists them (and writes still meet their types). The engine kept such a
table among the sources, so ``*`` listed its fields as columns of nulls
and ``count(*)`` counted them. Each statement runs on influxd and on the
engine, in order, and expects the same answer.
"""

from __future__ import annotations

import influxpy

LINES = [
    "cpu,host=a v=1 10",
    "xx,host=c V=30 30",
    "yy,host=d w=5i 30",
    'zz,host=e q=5i,v="text" 30',
]
STATEMENTS = [
    "DROP SERIES FROM xx WHERE host = 'c'",
    "DELETE FROM yy WHERE time < 100",
    "DELETE FROM zz WHERE host = 'e'",
    "SELECT * FROM /.*/",
    "SELECT * FROM cpu, xx, yy",
    "SELECT * FROM xx",
    "SELECT v FROM /.*/",
    "SELECT count(*) FROM /.*/",
    (
        "SELECT count(*) FROM /.*/ WHERE time >= 0 AND time < 40 GROUP BY time(20ns) "
        "fill(0)"
    ),
    (
        "SELECT count(V) FROM /.*/ WHERE time >= 0 AND time < 40 GROUP BY time(20ns) "
        "fill(0)"
    ),
    "SHOW MEASUREMENTS",
    "SHOW FIELD KEYS",
    "SHOW TAG KEYS",
]


def test_emptied_measurements_are_no_sources(both: tuple[str, str]) -> None:
    answers = []
    for alias in both:
        backend = influxpy.get_connection(alias)
        backend.create_database("emptied")
        backend.write_lines(LINES, database="emptied")
        found = []
        for text in STATEMENTS:
            (result,) = list(backend.statements(text, database="emptied"))
            found.append(
                result.error
                or [
                    (s.name, s.columns, [list(v) for v in s.values])
                    for s in result.series
                ]
            )
        answers.append(found)
    server, engine = answers
    for text, expected, got in zip(STATEMENTS, server, engine, strict=True):
        assert (text, got) == (text, expected)
