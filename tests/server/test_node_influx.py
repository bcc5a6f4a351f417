"""node-influx (npm ``influx`` 5.9.3), InfluxDB 1.x's Node.js client, gets
the same answers from ``influxpy serve`` as from influxd 1.6.7.

The client is installed with npm into ``tests/server/node/node_modules`` on
first use (``scripts/test`` installs Node.js and npm when they are missing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from _influxd import InfluxServer
from server._serve import Served

HERE = Path(__file__).parent / "node"
CLIENT = "influx@5.9.3"


@pytest.fixture(scope="module")
def node() -> str:
    """The ``node`` command, with node-influx installed beside the script."""
    found = shutil.which("node")
    npm = shutil.which("npm")
    if found is None or npm is None:
        pytest.fail("node and npm are needed: scripts/test installs them (apt-get).")
    if not (HERE / "node_modules" / "influx" / "package.json").exists():
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", CLIENT],
            cwd=HERE,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return found


def conversation(node: str, port: int, database: str) -> list[list[Any]]:
    """Every step of tests/server/node/client.js and its answer."""
    done = subprocess.run(
        [node, str(HERE / "client.js"), str(port), database],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    steps: list[list[Any]] = json.loads(done.stdout)
    return steps


def test_every_call_gives_the_same_answer(
    node: str, influx_server: InfluxServer, served: Served
) -> None:
    database = f"nodeclient_{uuid.uuid4().hex[:8]}"
    expected = conversation(node, influx_server.port, database)
    got = conversation(node, served.port, database)
    assert [step for step, _ in got] == [step for step, _ in expected]
    for (step, answer), (_, wanted) in zip(got, expected, strict=True):
        if step == "ping":  # Debian's influxd calls itself 1.6.7~rc0
            assert answer == [[True, "1.6.7"]]
            assert wanted[0][0] is True
            continue
        assert answer == wanted, step
    answers = dict(expected)
    assert len(answers["query"]) == 9
    assert str(answers["bad"]).startswith("ERR ")
    assert "field type conflict" in answers["conflict"]
    assert answers["names"] is True
    assert [row["name"] for row in answers["cqs"][0]["rows"]] == ["cq1"]
