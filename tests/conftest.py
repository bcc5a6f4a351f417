"""Shared fixtures: a real InfluxDB server for the whole test session.

A private ``influxd`` is started on free loopback ports unless
``INFLUX_DATABASE_URL`` (``influxdb[s]://[user:password@]host[:port]``) names
a server to use instead. ``auth_server`` is always a private ``influxd``,
started only by the tests that ask for it. Tests never skip for want of a
server: the test command (``scripts/test``) installs ``influxd`` when it is
missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import settings

import influxpy
from _influxd import InfluxServer
from _seeds import CI

ADMIN_USER = "admin"
ADMIN_PASSWORD = "s3cret-pass"

# Under CI every property test draws the same examples for the same code
# (``_seeds``); a developer's run draws fresh ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if CI:
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def influx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """The InfluxDB server every test talks to."""
    url = os.environ.get("INFLUX_DATABASE_URL")
    if url:
        server = InfluxServer.from_url(url)
    else:
        server = InfluxServer.launch(tmp_path_factory.mktemp("influxd"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """A second private server with authentication on and one admin user."""
    server = InfluxServer.launch(
        tmp_path_factory.mktemp("influxd-auth"), auth_enabled=True
    )
    try:
        # Allowed without credentials while no admin user exists.
        server.query(
            f"CREATE USER \"{ADMIN_USER}\" WITH PASSWORD '{ADMIN_PASSWORD}' "
            "WITH ALL PRIVILEGES"
        )
        server.username, server.password = ADMIN_USER, ADMIN_PASSWORD
        yield server
    finally:
        server.close()


@pytest.fixture
def database(influx_server: InfluxServer) -> Iterator[str]:
    """A fresh, empty database on ``influx_server``, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(name)
    try:
        yield name
    finally:
        influx_server.drop_database(name)


@pytest.fixture
def influx_url(influx_server: InfluxServer, database: str) -> str:
    """An influxpy connection URL for ``database`` on ``influx_server``."""
    credentials = ""
    if influx_server.username is not None:
        user = quote(influx_server.username, safe="")
        password = quote(influx_server.password or "", safe="")
        credentials = f"{user}:{password}@"
    host = f"{influx_server.host}:{influx_server.port}"
    return f"{influx_server.url_scheme}://{credentials}{host}/{database}"


@pytest.fixture(params=["influxdb", "duckdb"])
def backend_url(request: pytest.FixtureRequest) -> str:
    """A fresh store for one test: the server's test database, then an engine.

    Tests using it run once on the real InfluxDB and once on the embedded
    engine in memory, so one expectation proves both.
    """
    if request.param == "influxdb":
        return str(request.getfixturevalue("influx_url"))
    return "duckdb://:memory:"


@pytest.fixture
def conn(request: pytest.FixtureRequest, backend_url: str) -> Iterator[str]:
    """An alias connected to ``backend_url``, closed after the test."""
    kind = backend_url.split(":", 1)[0]
    alias = f"{request.module.__name__}-{kind}"
    backend = influxpy.connect(backend_url, alias=alias)
    try:
        yield alias
    finally:
        backend.close()
