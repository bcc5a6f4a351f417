"""Fixtures: ``influxpy serve`` in a subprocess beside the session's influxd."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server._serve import Served


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``influxpy serve`` on a file database, for the tests of one module."""
    root = tmp_path_factory.mktemp("serve")
    server = Served(root / "data.duckdb").start()
    try:
        yield server
    finally:
        server.close()
