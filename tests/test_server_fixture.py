"""The session's InfluxDB fixtures start real servers and clean up after tests."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from _influxd import InfluxError, InfluxServer


def test_ping_answers_with_the_server_version(influx_server: InfluxServer) -> None:
    """``/ping`` answers 204 and names the server version in a header."""
    response = influx_server.ping()

    assert response.status_code == 204
    assert response.headers["X-Influxdb-Version"]


def test_database_fixture_creates_a_database(
    influx_server: InfluxServer, database: str
) -> None:
    """The ``database`` fixture yields the name of a database that exists."""
    body = influx_server.query("SHOW DATABASES")

    names = [row[0] for row in body["results"][0]["series"][0]["values"]]
    assert database in names
    assert database.startswith("test_")


def test_written_points_can_be_read_back(
    influx_server: InfluxServer, database: str
) -> None:
    """A raw write is visible to a raw query in the same database."""
    influx_server.write("cpu,host=a usage=1.5,count=3i 1000000000", database)

    body = influx_server.query(
        "SELECT usage, count FROM cpu GROUP BY *", database, epoch="ns"
    )

    series = body["results"][0]["series"]
    assert series == [
        {
            "name": "cpu",
            "tags": {"host": "a"},
            "columns": ["time", "usage", "count"],
            "values": [[1000000000, 1.5, 3]],
        }
    ]


def test_raw_helpers_raise_on_server_errors(
    influx_server: InfluxServer, database: str
) -> None:
    """Parse errors, errors inside results and refused writes all raise."""
    with pytest.raises(InfluxError, match="HTTP 400"):
        influx_server.query("SELEC 1", database)
    with pytest.raises(InfluxError, match="database not found"):
        influx_server.query("SELECT * FROM m", "no_such_database")
    with pytest.raises(InfluxError, match=r"HTTP 400.*unable to parse"):
        influx_server.write("not line protocol", database)


def test_query_can_use_get(influx_server: InfluxServer, database: str) -> None:
    """``method='GET'`` sends the query in the URL."""
    influx_server.write("m v=1i 1", database)

    body = influx_server.query("SELECT v FROM m", database, epoch="ns", method="GET")

    assert body["results"][0]["series"][0]["values"] == [[1, 1]]


def test_influx_url_names_the_server_and_database(
    influx_server: InfluxServer, database: str, influx_url: str
) -> None:
    """``influx_url`` points at the session server and the test's database."""
    parts = urlsplit(influx_url)

    assert parts.scheme == influx_server.url_scheme
    assert (parts.hostname, parts.port) == (influx_server.host, influx_server.port)
    assert parts.path == f"/{database}"


def test_auth_server_rejects_a_wrong_password(auth_server: InfluxServer) -> None:
    """With authentication on, a wrong password is refused with 401."""
    response = auth_server.request(
        "POST",
        "/query",
        data={"q": "SHOW DATABASES"},
        auth=(auth_server.username, "wrong-password"),
    )

    assert response.status_code == 401
    assert response.json() == {"error": "authorization failed"}


def test_auth_server_rejects_missing_credentials(auth_server: InfluxServer) -> None:
    """With authentication on, a query without credentials is refused."""
    response = auth_server.request(
        "POST", "/query", data={"q": "SHOW DATABASES"}, auth=None
    )

    assert response.status_code == 401


def test_auth_server_accepts_the_admin_password(auth_server: InfluxServer) -> None:
    """The admin user created by the fixture can run queries."""
    assert (auth_server.username, auth_server.password) == ("admin", "s3cret-pass")

    body = auth_server.query("SHOW USERS")

    assert body["results"][0]["series"][0]["values"] == [["admin", True]]


def test_restart_keeps_the_data_and_the_port(tmp_path) -> None:
    """``restart`` brings a private server back on its port with its data."""
    server = InfluxServer.launch(tmp_path / "influxd")
    try:
        server.create_database("kept")
        server.write("m v=1i 1", "kept")
        port, pid = server.port, server.pid

        server.restart()

        assert server.port == port
        assert server.pid not in (None, pid)
        body = server.query("SELECT v FROM m", "kept", epoch="ns")
        assert body["results"][0]["series"][0]["values"] == [[1, 1]]
    finally:
        server.close()
    assert server.pid is None
