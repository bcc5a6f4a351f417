"""Run a private InfluxDB 1.x server for the test suite.

``InfluxServer.launch`` starts ``influxd`` on free loopback ports with a
throw-away data directory; ``InfluxServer.from_url`` wraps a server that is
already running (``INFLUX_DATABASE_URL``). Both give the same small raw HTTP
client, which deliberately does not use influxpy: the fixtures must keep
working while the library under test is broken.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

import httpx

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0

_CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{root}/meta"
  logging-enabled = false

[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false

[coordinator]

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = true
  log-enabled = false
  run-interval = "1s"

[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = {auth_enabled}
  log-enabled = false
  max-row-limit = 0

[logging]
  level = "warn"
  suppress-logo = true
"""


class InfluxError(RuntimeError):
    """The test server answered a raw request with an error."""


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class InfluxServer:
    """A running InfluxDB server plus a raw HTTP client for it.

    ``pid``, ``data_dir`` and ``config_path`` are ``None`` for an external
    server, which cannot be restarted.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        scheme: str = "http",
        username: str | None = None,
        password: str | None = None,
        root: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.scheme = scheme
        self.username = username
        self.password = password
        self.root = root
        self._process: subprocess.Popen[bytes] | None = None
        self._client = httpx.Client(base_url=self.http_url, timeout=30.0)

    # -- construction -----------------------------------------------------

    @classmethod
    def from_url(cls, url: str) -> InfluxServer:
        """Wrap an external server given as ``influxdb[s]://[u:p@]host[:port]``."""
        parts = urlsplit(url)
        schemes = {"influxdb": "http", "influxdbs": "https"}
        if parts.scheme not in schemes:
            msg = f"expected an influxdb:// or influxdbs:// URL, got {url!r}"
            raise ValueError(msg)
        return cls(
            parts.hostname or "127.0.0.1",
            parts.port or 8086,
            scheme=schemes[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @classmethod
    def launch(cls, root: Path, *, auth_enabled: bool = False) -> InfluxServer:
        """Start a private ``influxd`` whose files all live under *root*.

        Ports are picked free just before the start; in the rare case that
        another process takes one first, the start is retried on new ports.
        """
        if shutil.which("influxd") is None:
            msg = "influxd is not on PATH; scripts/test installs it with apt-get"
            raise RuntimeError(msg)
        root.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            server = cls("127.0.0.1", free_port(), root=root)
            config = _CONFIG.format(
                root=root,
                rpc_port=free_port(),
                http_port=server.port,
                auth_enabled="true" if auth_enabled else "false",
            )
            server._paths()[0].write_text(config)
            try:
                server.start()
            except RuntimeError as error:
                server.close()
                if "address already in use" not in str(error) or attempt == 2:
                    raise
            else:
                return server
        raise AssertionError("unreachable")  # pragma: no cover

    # -- description ------------------------------------------------------

    @property
    def http_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def url_scheme(self) -> str:
        """The influxpy URL scheme for this server."""
        return "influxdbs" if self.scheme == "https" else "influxdb"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def data_dir(self) -> Path | None:
        return self.root / "data" if self.root is not None else None

    @property
    def config_path(self) -> Path | None:
        return self.root / "influxdb.conf" if self.root is not None else None

    @property
    def log_path(self) -> Path | None:
        return self.root / "influxd.log" if self.root is not None else None

    def _paths(self) -> tuple[Path, Path]:
        """The configuration and log files of a private server."""
        if self.config_path is None or self.log_path is None:
            msg = f"{self!r} is an external server, not started by the tests"
            raise RuntimeError(msg)
        return self.config_path, self.log_path

    def __repr__(self) -> str:
        return f"<InfluxServer {self.http_url} pid={self.pid}>"

    # -- process control --------------------------------------------------

    def start(self) -> None:
        """Start ``influxd`` with this server's configuration and wait for it."""
        if self._process is not None:
            msg = f"{self!r} is already running"
            raise RuntimeError(msg)
        config_path, log_path = self._paths()
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(
                ["influxd", "run", "-config", str(config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()

    def stop(self) -> None:
        """Stop ``influxd``: SIGTERM, then SIGKILL if it does not exit in time."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop and start ``influxd`` on the same data directory and ports."""
        self._paths()
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server (if it is ours) and close the HTTP client."""
        self.stop()
        self._client.close()

    def _wait_until_up(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"influxd exited with status {self._process.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if self._client.get("/ping", timeout=1.0).status_code == 204:
                    return
            time.sleep(0.05)
        self.stop()
        self._fail(f"influxd did not answer /ping within {START_TIMEOUT:.0f} s")

    def _fail(self, what: str) -> NoReturn:
        config_path, log_path = self._paths()
        lines = log_path.read_text(errors="replace").splitlines()
        tail = "\n".join(lines[-40:])
        msg = f"{what} ({config_path}); last lines of {log_path}:\n{tail}"
        raise RuntimeError(msg)

    # -- raw HTTP ---------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a raw request, with this server's credentials if it has any."""
        if self.username is not None and "auth" not in kwargs:
            kwargs["auth"] = (self.username, self.password or "")
        return self._client.request(method, path, **kwargs)

    def ping(self) -> httpx.Response:
        return self.request("GET", "/ping")

    def query(
        self,
        q: str,
        db: str | None = None,
        *,
        epoch: str | None = None,
        method: str = "POST",
    ) -> dict[str, Any]:
        """Run InfluxQL and return the decoded JSON; raise on any error."""
        params = {"q": q}
        if db is not None:
            params["db"] = db
        if epoch is not None:
            params["epoch"] = epoch
        if method.upper() == "POST":
            response = self.request("POST", "/query", data=params)
        else:
            response = self.request(method, "/query", params=params)
        if response.is_error:
            msg = f"{q!r} failed with HTTP {response.status_code}: {response.text}"
            raise InfluxError(msg)
        body: dict[str, Any] = response.json()
        for result in body.get("results", []):
            if "error" in result:
                msg = f"{q!r} failed: {result['error']}"
                raise InfluxError(msg)
        return body

    def write(self, lines: str, db: str, rp: str | None = None) -> None:
        """POST line protocol to ``/write``; raise unless the server says 204."""
        params = {"db": db}
        if rp is not None:
            params["rp"] = rp
        response = self.request(
            "POST", "/write", params=params, content=lines.encode("utf-8")
        )
        if response.status_code != 204:
            msg = f"write failed with HTTP {response.status_code}: {response.text}"
            raise InfluxError(msg)

    def create_database(self, name: str) -> None:
        self.query(f"CREATE DATABASE {quote_ident(name)}")

    def drop_database(self, name: str) -> None:
        self.query(f"DROP DATABASE {quote_ident(name)}")


def quote_ident(name: str) -> str:
    """Quote an InfluxQL identifier: double quotes, escaping ``\\`` and ``"``."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_string(text: str) -> str:
    """Quote an InfluxQL string literal: single quotes, escaping ``\\`` and ``'``."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
