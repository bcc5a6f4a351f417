"""Helpers for the tests of the ``influxpy`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from _influxd import InfluxServer

TIMEOUT = 120


def run(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    program: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the command with a clean environment (no database URL variables)."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("INFLUX_DATABASE_URL", "INFLUXDB_URL")
    }
    environment.update(env or {})
    command = program or [sys.executable, "-m", "influxpy"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=TIMEOUT,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error a failed command printed: exactly one line, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("influxpy: ")
    return lines[0]


def rows(server: InfluxServer, database: str, query: str) -> list[Any]:
    """The series a query returns, times in nanoseconds."""
    body = server.query(query, database, epoch="ns")
    return body["results"][0].get("series", [])


def database_of(url: str) -> str:
    """The database named at the end of a URL."""
    return url.rsplit("/", 1)[1]
