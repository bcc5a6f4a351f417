"""Connections: URLs, options, the environment, aliases, and secrets kept secret."""

from __future__ import annotations

import logging
import re
import ssl
import subprocess
import sys
import textwrap
import traceback
import uuid
from collections.abc import Iterator

import certifi
import pytest

from _influxd import InfluxServer, free_port
from _models import ServerMeasurement
from influxpy import fields, models
from influxpy.backends.duckdb import DuckDBBackend
from influxpy.backends.http import HTTPBackend, HTTPOptions
from influxpy.connection import (
    ENVIRONMENT_VARIABLES,
    DatabaseURL,
    connect,
    connections,
    get_connection,
)
from influxpy.exceptions import (
    AuthenticationError,
    DatabaseError,
    ImproperlyConfigured,
    InterfaceError,
)

T0 = 1_513_071_900_000_000_000
PASSWORD = "pa55-w0rd!"
TOKEN = "t0ken-XYZ"
OPTION_NAMES = (
    "auth, chunk_size, gzip, retries, retry_timeout, rp, timeout, token, verify"
)
SCHEMES = "duckdb, http, https, influxdb, influxdbs"


def exact(text: str) -> str:
    """Return a pattern that matches *text* literally and entirely."""
    return f"^{re.escape(text)}$"


@pytest.fixture(autouse=True)
def _fresh_connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start and end every test with no connection and no URL in the environment."""
    for variable in ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    connections.close_all()
    try:
        yield
    finally:
        connections.close_all()


@pytest.fixture
def other_database(influx_server: InfluxServer) -> Iterator[str]:
    """A second fresh database on the session server."""
    name = f"test_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(name)
    try:
        yield name
    finally:
        influx_server.drop_database(name)


def server_url(server: InfluxServer, database: str, query: str = "") -> str:
    return f"influxdb://{server.host}:{server.port}/{database}{query}"


def stored(server: InfluxServer, database: str, q: str = "SELECT cpu FROM servers"):
    """Return the rows of the first series of *q*, or [] when there are none."""
    body = server.query(q, database, epoch="ns")
    series = body["results"][0].get("series", [])
    return series[0]["values"] if series else []


def seed_point(**changes: object) -> ServerMeasurement:
    values: dict[str, object] = {
        "cpu": 34,
        "memory": 8192,
        "free_memory": 6542,
        "name": "i-3a99f2b",
        "region": "us-east-1",
        "time": T0,
    }
    values.update(changes)
    return ServerMeasurement(**values)


# -- parsing URLs -------------------------------------------------------------


def test_influxdb_url_is_parsed_into_its_parts() -> None:
    """Scheme, credentials (percent-decoded), host, port and database."""
    url = DatabaseURL.parse("influxdb://user:p%40ss@localhost:8086/metrics")

    assert (url.scheme, url.host, url.port, url.database) == (
        "influxdb",
        "localhost",
        8086,
        "metrics",
    )
    assert (url.username, url.password) == ("user", "p@ss")
    assert url.options == {}


def test_influxdbs_url_means_https_with_certificates_checked() -> None:
    """influxdbs:// talks HTTPS and verifies certificates by default."""
    backend = connect("influxdbs://user:secret@db.example.com/metrics")

    assert isinstance(backend, HTTPBackend)
    assert backend.base_url == "https://db.example.com:8086"
    assert backend.options.verify is True
    assert backend.database == "metrics"


def test_influxdb_url_without_port_or_database() -> None:
    """The port defaults to 8086; a URL may name no database."""
    backend = connect("influxdb://localhost")

    assert backend.url.port is None
    assert backend.base_url == "http://localhost:8086"
    assert backend.database is None


def test_scheme_and_host_are_case_insensitive() -> None:
    """INFLUXDB://HOST is the same as influxdb://host."""
    url = DatabaseURL.parse("INFLUXDB://DB.Example.COM:9999/Metrics")

    assert (url.scheme, url.host, url.port, url.database) == (
        "influxdb",
        "db.example.com",
        9999,
        "Metrics",
    )


def test_ipv6_host_keeps_its_brackets() -> None:
    """An IPv6 address is bracketed in the URL text and the base URL."""
    url = DatabaseURL.parse("influxdb://[::1]:8086/db")

    assert url.host == "::1"
    assert str(url) == "influxdb://[::1]:8086/db"
    assert connect(url).base_url == "http://[::1]:8086"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("duckdb:///abs/path.duckdb", "/abs/path.duckdb"),
        ("duckdb://relative.duckdb", "relative.duckdb"),
        ("duckdb://:memory:", ":memory:"),
        ("duckdb://dir%20with%20space/x.duckdb", "dir with space/x.duckdb"),
    ],
)
def test_duckdb_urls_name_a_file(text, path) -> None:
    """duckdb:// URLs carry a file path (absolute, relative) or :memory:."""
    url = DatabaseURL.parse(text)

    assert (url.scheme, url.path, url.host, url.database) == ("duckdb", path, "", None)


def test_duckdb_absolute_path_opens_that_file(tmp_path) -> None:
    """duckdb:///abs/path.duckdb creates the file at that absolute path."""
    target = tmp_path / "store.duckdb"

    backend = connect(f"duckdb://{target}")

    assert isinstance(backend, DuckDBBackend)
    assert backend.path == str(target)
    assert target.exists()


def test_duckdb_relative_path_is_relative_to_the_working_directory(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """duckdb://relative.duckdb creates the file in the current directory."""
    monkeypatch.chdir(tmp_path)

    backend = connect("duckdb://relative.duckdb")

    assert backend.path == "relative.duckdb"
    assert (tmp_path / "relative.duckdb").exists()


def test_duckdb_memory_and_its_database_option() -> None:
    """duckdb://:memory: is in memory; ?database= or database= names the database."""
    assert connect("duckdb://:memory:").path == ":memory:"
    assert connect("duckdb://:memory:?database=lab").database == "lab"
    assert connect("duckdb://:memory:", database="lab2").database == "lab2"


def test_copy_with_returns_a_changed_copy() -> None:
    """DatabaseURL is frozen; copy_with makes a changed copy."""
    url = DatabaseURL.parse("influxdb://h/db")

    other = url.copy_with(port=9999)

    assert (url.port, other.port) == (None, 9999)
    assert str(url.copy_with(database="other db")) == "influxdb://h/other%20db"
    with pytest.raises(AttributeError):
        url.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("localhost:8086/db", "localhost:8086/db"),
        (f"user:{PASSWORD}@localhost:8086/db", "user:***@localhost:8086/db"),
    ],
)
def test_text_without_a_scheme_is_not_a_url(text, shown) -> None:
    """A URL needs a scheme; the message never shows the password."""
    message = (
        f"{shown!r} is not a database URL; use a form such as "
        "'influxdb://user:password@localhost:8086/mydb' or "
        "'duckdb:///path/to/file.duckdb'."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect(text)


@pytest.mark.parametrize("port", ["80x86", "99999", "-1"])
def test_a_port_that_is_not_a_number_is_refused(port) -> None:
    """The port must be a number from 1 to 65535; credentials are left out."""
    message = (
        f"The port in the database URL's address 'localhost:{port}' must be a "
        "number from 1 to 65535."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect(f"influxdb://user:{PASSWORD}@localhost:{port}/db")


def test_an_unknown_scheme_lists_the_known_ones_and_suggests_one() -> None:
    """influx:// is close to influxdb://; the password is redacted."""
    message = (
        "The database URL 'influx://user:***@h/db' has the unknown scheme "
        f"'influx'; known schemes are: {SCHEMES}. Did you mean 'influxdb'?"
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect(f"influx://user:{PASSWORD}@h/db")


def test_an_unknown_scheme_without_a_close_match() -> None:
    """mysql:// is nothing like a known scheme."""
    message = (
        "The database URL 'mysql://h/db' has the unknown scheme 'mysql'; known "
        f"schemes are: {SCHEMES}."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect("mysql://h/db")


# -- options ------------------------------------------------------------------


def test_query_string_options_are_typed() -> None:
    """Every option of DESIGN §4 is parsed into its Python type."""
    backend = connect(
        "influxdb://h/db?timeout=2.5&retries=5&retry_timeout=7&gzip=true&rp=autogen"
        f"&token={TOKEN}&chunk_size=100&verify=false&auth=query"
    )

    assert backend.options == HTTPOptions(
        timeout=2.5,
        retries=5,
        retry_timeout=7.0,
        gzip=True,
        rp="autogen",
        token=TOKEN,
        chunk_size=100,
        verify=False,
        auth="query",
    )
    assert type(backend.options.retries) is int
    assert type(backend.options.timeout) is float


def test_option_defaults() -> None:
    """Without options: 10 s timeout, retries for 30 s in all, gzip decided by host."""
    options = connect("influxdb://h/db").options

    assert options == HTTPOptions()
    assert (options.timeout, options.retries, options.retry_timeout) == (
        10.0,
        None,
        30.0,
    )
    assert (options.gzip, options.verify, options.auth) == (None, True, "basic")


@pytest.mark.parametrize(
    ("host", "gzip"),
    [
        ("localhost", False),
        ("127.0.0.1", False),
        ("[::1]", False),
        ("db.example", True),
    ],
)
def test_gzip_auto_compresses_except_on_loopback(host, gzip) -> None:
    """gzip=auto (the default) compresses writes unless the server is local."""
    backend = connect(f"influxdb://{host}/db")

    assert backend._gzip is gzip


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("yes", True), ("on", True), ("0", False), ("No", False)],
)
def test_bool_options_accept_the_usual_spellings(raw, value) -> None:
    """true/false, 1/0, yes/no and on/off all work, in any case."""
    assert connect(f"influxdb://h/db?gzip={raw}").options.gzip is value


def test_keyword_options_override_the_query_string() -> None:
    """connect(url, timeout=3) wins over ?timeout= in the URL."""
    backend = connect(
        "influxdb://u:old@h/db?timeout=9&gzip=true",
        timeout=3,
        gzip=False,
        username="bob",
        password=PASSWORD,
        database="other",
    )

    assert (backend.options.timeout, backend.options.gzip) == (3.0, False)
    assert (backend.url.username, backend.url.password) == ("bob", PASSWORD)
    assert backend.database == "other"
    assert (
        repr(backend)
        == "<HTTPBackend 'default': influxdb://bob:***@h/other?timeout=3&gzip=false>"
    )


def test_an_unknown_option_is_refused_with_the_valid_ones() -> None:
    """A misspelt option lists every valid option and suggests the closest."""
    message = (
        "Unknown connection option 'timout' for an InfluxDB URL; valid options "
        f"are: {OPTION_NAMES}. Did you mean 'timeout'?"
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect(f"influxdb://user:{PASSWORD}@h/db?timout=5")


def test_an_unknown_keyword_option_is_refused_too() -> None:
    """Options given as keywords are checked like the query string."""
    message = (
        "Unknown connection option 'compression' for an InfluxDB URL; valid "
        f"options are: {OPTION_NAMES}."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect("influxdb://h/db", compression="gzip")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "timeout=abc",
            (
                "The connection option 'timeout' takes a number of at least 0.001; "
                "got 'abc'."
            ),
        ),
        (
            "timeout=0",
            (
                "The connection option 'timeout' takes a number of at least 0.001; "
                "got '0'."
            ),
        ),
        (
            "retry_timeout=soon",
            (
                "The connection option 'retry_timeout' takes a number of at least "
                "0.001; got 'soon'."
            ),
        ),
        (
            "retries=1.5",
            (
                "The connection option 'retries' takes a whole number of at least 0; "
                "got '1.5'."
            ),
        ),
        (
            "retries=-1",
            (
                "The connection option 'retries' takes a whole number of at least 0; "
                "got '-1'."
            ),
        ),
        (
            "chunk_size=0",
            (
                "The connection option 'chunk_size' takes a whole number of at least "
                "1; got '0'."
            ),
        ),
        (
            "gzip=maybe",
            "The connection option 'gzip' takes true or false; got 'maybe'.",
        ),
        (
            "auth=digest",
            "The connection option 'auth' takes 'basic' or 'query'; got 'digest'.",
        ),
        (
            "verify=/no/such/ca.pem",
            (
                "The connection option 'verify' takes true, false or the path of a CA "
                "bundle; cannot load '/no/such/ca.pem': No such file or directory."
            ),
        ),
    ],
)
def test_bad_option_values_are_refused(query, message) -> None:
    """Each option checks its value and says what it takes."""
    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        connect(f"influxdb://h/db?{query}")


def test_verify_takes_the_path_of_a_ca_bundle() -> None:
    """verify=<path> loads that CA bundle (without httpx's deprecated str form)."""
    backend = connect(f"influxdbs://h/db?verify={certifi.where()}")

    assert backend.options.verify == certifi.where()


def test_plain_http_loads_no_ca_bundle_and_https_verifies() -> None:
    """A plain-HTTP connection never negotiates TLS: its client holds a
    shared context that trusts no certificate (loading the CA bundle cost
    25 ms per connection); an https one verifies as before."""
    plain = connect("influxdb://h/db")
    other = connect("influxdb://h2/db?verify=false")
    context = plain._client_options["verify"]
    assert isinstance(context, ssl.SSLContext)
    assert context is other._client_options["verify"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    assert connect("influxdbs://h/db")._client_options["verify"] is True


# -- the environment ----------------------------------------------------------


def test_influx_database_url_configures_the_default_connection(
    monkeypatch: pytest.MonkeyPatch,
    influx_server: InfluxServer,
    database: str,
    influx_url: str,
) -> None:
    """With INFLUX_DATABASE_URL set, models save to that server unasked."""
    monkeypatch.setenv("INFLUX_DATABASE_URL", influx_url)

    seed_point().save()

    assert stored(influx_server, database) == [[T0, 34]]
    backend = get_connection()
    assert isinstance(backend, HTTPBackend)
    assert backend.database == database


def test_influx_database_url_wins_over_influxdb_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """INFLUX_DATABASE_URL is read first, INFLUXDB_URL second."""
    monkeypatch.setenv("INFLUX_DATABASE_URL", "influxdb://first.example/one")
    monkeypatch.setenv("INFLUXDB_URL", "influxdb://second.example/two")

    assert get_connection().url.host == "first.example"


def test_influxdb_url_is_read_when_the_first_is_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """INFLUXDB_URL configures the default when INFLUX_DATABASE_URL is unset."""
    monkeypatch.setenv("INFLUXDB_URL", "influxdb://second.example/two")

    backend = get_connection()

    assert (backend.url.host, backend.database) == ("second.example", "two")


def test_an_empty_variable_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty INFLUX_DATABASE_URL does not hide INFLUXDB_URL."""
    monkeypatch.setenv("INFLUX_DATABASE_URL", "")
    monkeypatch.setenv("INFLUXDB_URL", "influxdb://second.example/two")

    assert get_connection().url.host == "second.example"


def test_connect_without_url_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """connect() with options but no URL applies them to the environment's URL."""
    monkeypatch.setenv("INFLUXDB_URL", "influxdb://second.example/two")

    backend = connect(timeout=4)

    assert (backend.url.host, backend.options.timeout) == ("second.example", 4.0)
    assert get_connection() is backend


def test_nothing_configured_means_the_embedded_engine(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No URL anywhere: DuckDB in memory, and one INFO line saying so."""
    with caplog.at_level(logging.INFO, logger="influxpy"):
        backend = get_connection()

    assert isinstance(backend, DuckDBBackend)
    assert backend.path == ":memory:"
    messages = [r.getMessage() for r in caplog.records if r.name == "influxpy"]
    assert messages == [
        (
            "No database URL configured (influxpy.connect() or INFLUX_DATABASE_URL): "
            "using the embedded engine in memory."
        )
    ]
    assert get_connection() is backend


# -- aliases, using, Meta.using and Meta.database -----------------------------


def test_aliases_keep_separate_connections(
    influx_server: InfluxServer, database: str, other_database: str
) -> None:
    """save(using=), create() on using() and the default each reach their own db."""
    connect(server_url(influx_server, database))
    connect(server_url(influx_server, other_database), alias="other")

    seed_point().save()
    seed_point(cpu=2, time=T0 + 1).save(using="other")
    ServerMeasurement.series.using("other").create(
        cpu=3, memory=1, free_memory=1, name="a", region="b", time=T0 + 2
    )

    assert stored(influx_server, database) == [[T0, 34]]
    assert stored(influx_server, other_database) == [[T0 + 1, 2], [T0 + 2, 3]]
    assert "other" in connections
    assert sorted(connections) == ["default", "other"]


def test_using_an_unknown_alias_is_refused() -> None:
    """An alias must be connected before it is used."""
    connect("duckdb://:memory:", alias="mem")
    message = (
        "No connection is registered under the alias 'nope' (registered: mem); "
        "call influxpy.connect(url, alias='nope') first."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        seed_point().save(using="nope")


def test_an_unknown_alias_with_nothing_registered() -> None:
    """The message says when no alias is registered at all."""
    message = (
        "No connection is registered under the alias 'nope' (registered: none "
        "yet); call influxpy.connect(url, alias='nope') first."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        get_connection("nope")


def test_meta_using_picks_the_alias(
    influx_server: InfluxServer, database: str, other_database: str
) -> None:
    """A model with Meta.using writes through that connection."""

    class Archived(models.InfluxMeasurement):
        value = fields.FloatField()

        class Meta:
            measurement = "archived"
            using = "archive"

    connect(server_url(influx_server, database))
    connect(server_url(influx_server, other_database), alias="archive")

    Archived(value=1.5, time=T0).save()

    q = "SELECT value FROM archived"
    assert stored(influx_server, other_database, q) == [[T0, 1.5]]
    assert stored(influx_server, database, q) == []


def test_meta_database_overrides_the_connections_database(
    influx_server: InfluxServer, database: str, other_database: str
) -> None:
    """Meta.database sends a model's points to its own database."""
    model = type(
        "Elsewhere",
        (models.InfluxMeasurement,),
        {
            "value": fields.FloatField(),
            "Meta": type("Meta", (), {"database": other_database}),
            "__module__": __name__,
        },
    )
    connect(server_url(influx_server, database))

    model(value=2.5, time=T0).save()

    q = "SELECT value FROM elsewhere"
    assert stored(influx_server, other_database, q) == [[T0, 2.5]]
    assert stored(influx_server, database, q) == []


def test_a_connection_without_database_needs_one_from_the_model(
    influx_server: InfluxServer,
) -> None:
    """With no database in the URL or Meta, save() says where to put it."""
    connect(f"influxdb://{influx_server.host}:{influx_server.port}")
    message = (
        "No database is chosen for the connection 'default': put it in the URL "
        "path (influxdb://host:8086/mydb) or set Meta.database on the model."
    )

    with pytest.raises(ImproperlyConfigured, match=exact(message)):
        seed_point().save()


def test_register_replaces_and_closes_the_old_connection() -> None:
    """Registering an alias again closes the connection it replaces."""
    first = connect("influxdb://first.example/db")
    second = connect("influxdb://second.example/db")

    assert get_connection() is second
    assert first._client.is_closed
    assert not second._client.is_closed


def test_a_scheme_registered_before_the_first_connect_keeps_the_built_in_ones() -> None:
    """register_backend() first, in a fresh interpreter: built-in schemes still work."""
    script = textwrap.dedent(
        """
        import influxpy
        from influxpy.backends.duckdb import DuckDBBackend
        from influxpy.connection import DatabaseURL

        def engine(url, alias):
            return DuckDBBackend(DatabaseURL.parse("duckdb://:memory:"), alias)

        influxpy.register_backend("custom", engine)
        print(type(influxpy.connect("influxdb://h:8086/db", alias="a")).__name__)
        print(type(influxpy.connect("duckdb://:memory:", alias="b")).__name__)
        print(type(influxpy.connect("custom://h/db", alias="c")).__name__)
        influxpy.register_backend("influxdb", engine)
        print(type(influxpy.connect("influxdb://h:8086/db", alias="d")).__name__)
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "HTTPBackend",
        "DuckDBBackend",
        "DuckDBBackend",
        "DuckDBBackend",
    ]


def test_close_all_forgets_every_connection() -> None:
    """close_all() closes every connection and empties the registry."""
    backend = connect("influxdb://h/db", alias="x")

    connections.close_all()

    assert "x" not in connections
    assert backend._client.is_closed


# -- secrets ------------------------------------------------------------------


def test_password_and_token_never_appear_in_reprs() -> None:
    """repr(backend), str(url), repr(url) and the options hide the secrets."""
    backend = connect(
        f"influxdb://user:{PASSWORD}@h:8086/db?token={TOKEN}&timeout=2", alias="x"
    )
    shown = "influxdb://user:***@h:8086/db?token=***&timeout=2"

    assert repr(backend) == f"<HTTPBackend 'x': {shown}>"
    assert str(backend.url) == shown
    assert repr(backend.url) == f"DatabaseURL({shown!r})"
    texts = [repr(backend), str(backend.url), repr(backend.url), repr(backend.options)]
    for text in texts:
        assert PASSWORD not in text
        assert TOKEN not in text


def test_a_password_given_as_query_parameter_p_is_hidden() -> None:
    """A ``p`` option in the URL counts as a secret too."""
    url = DatabaseURL.parse(f"influxdb://h/db?u=user&p={PASSWORD}")

    assert str(url) == "influxdb://h/db?u=user&p=***"
    assert url.redact(f"said {PASSWORD}") == "said ***"


def secret_free(exc: BaseException, *secrets: str) -> None:
    """Assert that no secret appears in the exception or its traceback."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
    return texts


@pytest.mark.parametrize(
    "query",
    ["", "&auth=query", f"&token={TOKEN}"],
    ids=["basic", "query-parameters", "token"],
)
def test_secrets_stay_out_of_logs_and_errors_when_the_server_is_down(
    caplog: pytest.LogCaptureFixture, query: str
) -> None:
    """Retried connection failures log and raise without the password or token."""
    port = free_port()
    backend = connect(
        f"influxdb://admin:{PASSWORD}@127.0.0.1:{port}/db"
        f"?timeout=0.5&retries=2&retry_timeout=5{query}"
    )

    with caplog.at_level(logging.DEBUG):
        with pytest.raises(InterfaceError) as write_error:
            seed_point().save()
        with pytest.raises(InterfaceError) as query_error:
            list(ServerMeasurement.series.all())

    for error in (write_error.value, query_error.value):
        assert str(error) == (
            f"Cannot reach InfluxDB at http://127.0.0.1:{port} (3 attempts): "
            "[Errno 111] Connection refused. Check that the server is running "
            "and the URL is right."
        )
        secret_free(error, PASSWORD, TOKEN)
    retries = [r for r in caplog.records if r.name == "influxpy"]
    assert len(retries) == 4
    assert (
        retries[0]
        .getMessage()
        .startswith(
            f"InfluxDB at http://127.0.0.1:{port}: ConnectError on POST /write; "
            "retrying in "
        )
    )
    for text in [*log_texts(caplog), repr(backend)]:
        assert PASSWORD not in text
        assert TOKEN not in text


@pytest.mark.parametrize("auth", ["basic", "query"])
def test_a_wrong_password_is_refused_without_showing_it(
    caplog: pytest.LogCaptureFixture, auth_server: InfluxServer, auth: str
) -> None:
    """A wrong password gives AuthenticationError; no log or message shows it."""
    wrong = "wr0ng-Secret"
    host = f"{auth_server.host}:{auth_server.port}"
    connect(f"influxdb://admin:{wrong}@{host}/db?auth={auth}")
    message = (
        f"InfluxDB at http://{host} refused the request for user 'admin' "
        "(HTTP 401): authorization failed."
    )

    with caplog.at_level(logging.DEBUG):
        with pytest.raises(AuthenticationError, match=exact(message)) as write_error:
            seed_point().save()
        with pytest.raises(AuthenticationError, match=exact(message)) as query_error:
            list(ServerMeasurement.series.all())

    for error in (write_error.value, query_error.value):
        assert isinstance(error, DatabaseError)
        secret_free(error, wrong)
    assert caplog.records, "httpx logs each request"
    for text in log_texts(caplog):
        assert wrong not in text


def test_the_right_password_in_query_parameters_stays_out_of_logs(
    caplog: pytest.LogCaptureFixture, auth_server: InfluxServer
) -> None:
    """With auth=query the password travels in the URL; the log line hides it."""
    host = f"{auth_server.host}:{auth_server.port}"
    backend = connect(
        f"influxdb://admin:{auth_server.password}@{host}/db?auth=query", alias="q"
    )

    with caplog.at_level(logging.DEBUG):
        backend.create_database("query_auth")
        assert "query_auth" in backend.list_databases()
        backend.drop_database("query_auth")

    request_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(request_lines) == 3
    assert all("&u=admin&p=*** " in line for line in request_lines)
    for text in log_texts(caplog):
        assert auth_server.password not in text
