"""InfluxDB's own command line client (``influx`` 1.6.7, Debian's
``influxdb-client``) gets the same output from ``influxpy serve`` as from
influxd 1.6.7: imports, statements in every output format, precisions,
chunked answers and errors.

Each test runs the same ``influx`` command against both servers, on a
database of its own, and compares exit code, standard output and standard
error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from _influxd import InfluxServer
from server._serve import Served

# 2017-07-14T02:40:00Z and on, in nanoseconds.
T = 1_500_000_000_000_000_000
END = T + 4 * 10**9
FILLED = "GROUP BY time(1s) fill(0)"

IMPORT = """\
# DDL
CREATE DATABASE {db}
CREATE RETENTION POLICY oneday ON {db} DURATION 1d REPLICATION 1
# DML
# CONTEXT-DATABASE: {db}
# CONTEXT-RETENTION-POLICY: autogen
cpu,host=a value=1 {t0}
cpu,host=b value=2.5,s="x y" {t0}
cpu,host=a value=3 {t1}
cpu,host=b value=4.25,s="z" {t2}
mem,host=a free=10i,ok=true {t2}
"""

# A log line of the client starts with the time it was written.
STAMP = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ", re.MULTILINE)


def influx(port: int, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``influx`` against 127.0.0.1:*port*; exit code, out and err."""
    executable = shutil.which("influx")
    assert executable, (
        "the `influx` command line client is missing: ./scripts/test installs "
        "Debian's influxdb-client package"
    )
    done = subprocess.run(
        [executable, "-host", "127.0.0.1", "-port", str(port), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return done.returncode, STAMP.sub("", done.stdout), STAMP.sub("", done.stderr)


@pytest.fixture
def pair(
    influx_server: InfluxServer, served: Served, tmp_path: Path
) -> Iterator[tuple[int, int, str]]:
    """Both servers' ports and a database name that ``influx -import``
    created on each, with points in two measurements."""
    name = f"cli_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "import.txt"
    path.write_text(IMPORT.format(db=name, t0=T, t1=T + 10**9, t2=T + 2 * 10**9))
    ports = (influx_server.port, served.port)
    answers = [influx(port, "-import", "-path", str(path)) for port in ports]
    assert answers[0] == answers[1]
    assert answers[0][0] == 0, answers[0]
    try:
        yield ports[0], ports[1], name
    finally:
        for port in ports:
            influx(port, "-execute", f'DROP DATABASE "{name}"')


COMMANDS = [
    ["-execute", "SELECT * FROM cpu"],
    ["-format", "json", "-execute", "SELECT * FROM cpu"],
    ["-format", "json", "-pretty", "-execute", "SHOW TAG VALUES WITH KEY = host"],
    ["-format", "csv", "-execute", "SELECT * FROM cpu; SELECT * FROM mem"],
    ["-precision", "rfc3339", "-execute", "SELECT mean(value) FROM cpu GROUP BY host"],
    ["-precision", "ms", "-execute", "SELECT max(value), s FROM cpu"],
    ["-precision", "s", "-format", "csv", "-execute", "SELECT * FROM mem"],
    ["-execute", "SHOW MEASUREMENTS; SHOW FIELD KEYS; SHOW SERIES; SHOW TAG KEYS"],
    ["-execute", "SHOW RETENTION POLICIES"],
    [
        "-execute",
        f"SELECT count(value) FROM cpu WHERE time >= {T} AND time < {END} {FILLED}",
    ],
    ["-chunked", "-chunk-size", "1", "-execute", "SELECT * FROM cpu"],
    ["-chunked", "-format", "json", "-execute", "SELECT value FROM cpu GROUP BY *"],
    ["-execute", "SELECT value FROM oneday.cpu"],
    ["-execute", "SELECT nope FROM"],
    ["-execute", "SELECT value FROM nowhere"],
    ["-execute", "SELECT * INTO cpu_copy FROM cpu GROUP BY *"],
]


#: The commands of COMMANDS that read no point, so print nothing.
READ_NOTHING = {"SELECT value FROM nowhere", "SELECT value FROM oneday.cpu"}


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args))
def test_influx_cli_gets_influxds_output(
    pair: tuple[int, int, str], args: list[str]
) -> None:
    """One ``influx -execute`` (or ``-chunked``) command, both servers."""
    influxd, served, name = pair
    expected = influx(influxd, "-database", name, *args)
    assert influx(served, "-database", name, *args) == expected
    # Something to compare: every command prints rows or influxd's error
    # but those reading nothing (a missing measurement, an empty policy).
    assert bool(expected[1].strip()) != (args[-1] in READ_NOTHING), expected


def test_influx_cli_imports_a_gzipped_file_with_a_precision(
    influx_server: InfluxServer, served: Served, tmp_path: Path
) -> None:
    """``-import -compressed -precision s``: the same points on both."""
    import gzip

    name = f"cli_{uuid.uuid4().hex[:8]}"
    body = (
        f"# DDL\nCREATE DATABASE {name}\n# DML\n# CONTEXT-DATABASE: {name}\n"
        + "".join(
            f"disk,dev=sd{k % 3} used={k}i {1_500_000_000 + k}\n" for k in range(50)
        )
    )
    path = tmp_path / "import.txt.gz"
    path.write_bytes(gzip.compress(body.encode()))
    query = ["-database", name, "-execute", "SELECT sum(used) FROM disk GROUP BY dev"]
    outputs = []
    for port in (influx_server.port, served.port):
        try:
            imported = influx(
                port, "-import", "-path", str(path), "-compressed", "-precision", "s"
            )
            outputs.append((imported, influx(port, *query)))
        finally:
            influx(port, "-execute", f'DROP DATABASE "{name}"')
    assert outputs[0] == outputs[1]
    assert "sd2" in outputs[0][1][1]
