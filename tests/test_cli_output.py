"""What the ``influxpy`` command prints: exact tables, true counts, clean errors.

Run as subprocesses against the real server (and the embedded engine for
the demo), except the test of an unexpected error, which runs in process.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import influxpy
from _cli import database_of, one_line_error, run
from _influxd import InfluxServer


def table_rows(text: str) -> list[list[str]]:
    """The body rows of a printed table, each cell with its padding."""
    return [line.split("│")[1:-1] for line in text.splitlines() if "│" in line]


# -- query tables -------------------------------------------------------------


def test_query_table_shows_values_exactly_and_aligns_by_type(
    influx_server: InfluxServer, influx_url: str
):
    """Floats keep every digit, integers stay whole; text left, numbers right."""
    influx_server.write(
        "t,host=a v=1700000000.123,n=9007199254740993i,ok=true 1000000000\n"
        't,host=longer-name v=0.30000000000000004,s="txt" 2000000000',
        database_of(influx_url),
    )
    result = run(
        "query", "--url", influx_url, 'SELECT "host", "n", "ok", "s", "v" FROM t'
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "t"
    first, second = table_rows(result.stdout)
    assert [c.strip() for c in first] == [
        "1970-01-01T00:00:01Z",
        "a",
        "9007199254740993",
        "true",
        "",
        "1700000000.123",
    ]
    assert [c.strip() for c in second] == [
        "1970-01-01T00:00:02Z",
        "longer-name",
        "",
        "",
        "txt",
        "0.30000000000000004",
    ]
    # time, host, ok and s are text: left; n and v are numbers: right.
    left = [c.startswith(" " + c.strip()) for c in first]
    right = [c.endswith(c.strip() + " ") and c.strip() != "" for c in first]
    assert left[:2] == [True, True]
    assert left[3] is True
    assert right[2] is True
    assert right[5] is True
    assert not first[1].startswith("  ")  # "a" is not pushed right
    assert second[4].startswith(" txt ")


def test_a_wide_table_is_never_folded_off_a_terminal(
    influx_server: InfluxServer, influx_url: str
):
    """Piped output keeps each value on one line, however wide the table."""
    value = "a long string value with spaces in it, " * 4
    influx_server.write(
        f'w,host=a {"x" * 30}=0.30000000000000004,s="{value}" 1000000000',
        database_of(influx_url),
    )
    result = run("query", "--url", influx_url, "SELECT * FROM w")
    assert result.returncode == 0, result.stderr
    [row] = table_rows(result.stdout)
    assert [c.strip() for c in row] == [
        "1970-01-01T00:00:01Z",
        "a",
        value.strip(),
        "0.30000000000000004",
    ]


@pytest.fixture
def empty_database(auth_server: InfluxServer) -> Iterator[str]:
    """A URL, with credentials, of a new empty database on the auth server."""
    name = f"empty_{uuid.uuid4().hex[:8]}"
    auth_server.create_database(name)
    user = quote(auth_server.username or "", safe="")
    password = quote(auth_server.password or "", safe="")
    host = f"{auth_server.host}:{auth_server.port}"
    try:
        yield f"influxdb://{user}:{password}@{host}/{name}"
    finally:
        auth_server.drop_database(name)


def test_show_continuous_queries_says_there_are_none(empty_database: str):
    """Databases without continuous queries print no empty tables.

    The auth server is only used by tests that create no continuous query.
    """
    result = run("query", "--url", empty_database, "SHOW CONTINUOUS QUERIES")
    assert (result.returncode, result.stdout) == (0, "(no rows)\n")


def test_show_continuous_queries_prints_only_databases_with_some(
    influx_server: InfluxServer, influx_url: str
):
    """The database with a continuous query is shown; an empty one is not."""
    database = database_of(influx_url)
    other = f"test_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(other)
    try:
        influx_server.query(
            f'CREATE CONTINUOUS QUERY "cli_cq" ON "{database}" BEGIN SELECT '
            f'mean("v") INTO "m_1h" FROM "m" GROUP BY time(1h) END'
        )
        result = run("query", "--url", influx_url, "SHOW CONTINUOUS QUERIES")
        assert result.returncode == 0, result.stderr
        assert f"\n{database}\n" in f"\n{result.stdout}"
        assert "cli_cq" in result.stdout
        assert other not in result.stdout
        assert "\n\n" not in result.stdout
    finally:
        influx_server.drop_database(other)


# -- the demo -----------------------------------------------------------------


def test_demo_counts_and_captions_are_true(tmp_path: Path):
    """--points is per server, exactly; captions say "1 row", not "1 rows"."""
    url = f"duckdb:///{tmp_path}/demo.duckdb"
    result = run("demo", "--url", url, "--points", "2000")
    assert result.returncode == 0, result.stderr
    assert "Wrote 10000 points for 5 servers.\n" in result.stdout
    captions = re.findall(r"^(\d+ rows?)$", result.stdout, re.MULTILINE)
    assert captions == ["1 row", "12 rows", "5 rows", "5 rows"]
    exported = run("export", "--url", url, "-m", "servers", "-o", "/dev/null")
    assert exported.stderr == "Exported 10000 points.\n"
    refused = run("demo", "--url", url, "--points", "0")
    assert refused.returncode == 2
    assert "--points" in one_line_error(refused)


# -- errors -------------------------------------------------------------------

MALFORMED = "influxdb://u:hunter2@[::1/db"


@pytest.mark.parametrize(
    "args",
    [
        ("ping", "--url", MALFORMED),
        ("query", "--url", MALFORMED, "SHOW DATABASES"),
        ("import", "--url", MALFORMED, "-"),
        ("export", "--url", MALFORMED),
        ("inspect", MALFORMED),
        ("demo", "--url", MALFORMED),
    ],
)
def test_a_malformed_url_is_one_line_without_the_password(args: tuple[str, ...]):
    """No traceback, a non-zero exit, and the password hidden."""
    result = run(*args, stdin="")
    line = one_line_error(result)
    assert line == (
        "influxpy: The database URL 'influxdb://u:***@[::1/db' is not valid: "
        "Invalid IPv6 URL."
    )
    assert "hunter2" not in result.stderr + result.stdout


def test_a_malformed_url_from_the_environment_is_one_line():
    """INFLUX_DATABASE_URL is read the same way."""
    result = run("ping", env={"INFLUX_DATABASE_URL": MALFORMED})
    assert "is not valid: Invalid IPv6 URL" in one_line_error(result)
    assert "hunter2" not in result.stderr


def test_traceback_flag_shows_where_without_the_password():
    """--traceback adds the traceback; the last line is still the error."""
    url = "influxdb://u:hunter2@127.0.0.1:1/x?retries=0"
    plain = run("ping", "--url", url)
    assert "Cannot reach InfluxDB" in one_line_error(plain)
    traced = run("--traceback", "ping", "--url", url)
    assert traced.returncode == 1
    assert traced.stderr.startswith("Traceback (most recent call last):")
    assert traced.stderr.splitlines()[-1].startswith("influxpy: Cannot reach InfluxDB")
    assert "hunter2" not in traced.stderr


def test_an_unexpected_error_is_one_line_in_process(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    influx_url: str,
):
    """A bug (here a planted RuntimeError) is one line that names --traceback."""
    from influxpy import cli
    from influxpy.cli import query

    def broken(*_args: Any) -> None:
        msg = "planted for the test"
        raise RuntimeError(msg)

    monkeypatch.setattr(query, "_print_query", broken)
    try:
        code = cli.main(["query", "--url", influx_url, "SHOW DATABASES"])
    finally:
        influxpy.connections.close_all()
    assert code == 1
    assert capsys.readouterr().err == (
        "influxpy: Unexpected RuntimeError: planted for the test. Run influxpy "
        "--traceback <command> to see where.\n"
    )


def test_ping_with_a_wrong_password_fails(auth_server: InfluxServer):
    """The server refuses the credentials: one line, non-zero, no password."""
    host = f"{auth_server.host}:{auth_server.port}"
    good = quote(auth_server.password or "", safe="")
    ok = run("ping", "--url", f"influxdb://{auth_server.username}:{good}@{host}/x")
    assert ok.returncode == 0, ok.stderr
    url = f"influxdb://{auth_server.username}:wrong-pass-42@{host}/x?retries=0"
    result = run("ping", "--url", url)
    line = one_line_error(result)
    assert "wrong-pass-42" not in result.stderr + result.stdout
    assert "refused" in line or "authoriz" in line.lower()
