"""Connections: URLs, the scheme registry and the alias registry.

``connect(url)`` parses a database URL into a frozen ``DatabaseURL``, picks
the backend registered for its scheme, builds it and registers it under an
alias (``'default'`` unless told otherwise). Models use the alias in
``Meta.using``, QuerySets ``qs.using(alias)``.

With nothing configured, the default alias is taken from the environment
(``INFLUX_DATABASE_URL``, then ``INFLUXDB_URL``) and otherwise falls back to
the embedded engine in memory.

Passwords and tokens never appear in a ``repr``, a log line or an error.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from influxpy._utils import suggest
from influxpy.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = [
    "DEFAULT_ALIAS",
    "ENVIRONMENT_VARIABLES",
    "ConnectionHandler",
    "DatabaseURL",
    "connect",
    "connections",
    "get_connection",
    "register_backend",
]

logger = logging.getLogger("influxpy")

DEFAULT_ALIAS = "default"
#: Read in this order when the default alias is used before ``connect()``.
ENVIRONMENT_VARIABLES = ("INFLUX_DATABASE_URL", "INFLUXDB_URL")
_REDACTED = "***"

BackendFactory = Callable[["DatabaseURL", str], "Backend"]
_SCHEMES: dict[str, BackendFactory] = {}
#: Whether the built-in schemes are in ``_SCHEMES`` (loaded on first use).
_BUILTINS_LOADED = threading.Event()


@dataclasses.dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL, e.g. ``influxdb://user:pass@host:8086/db?timeout=5``.

    ``options`` holds the query-string options as strings; backends parse
    and check the ones they understand. ``str()`` and ``repr()`` hide the
    password and any token.
    """

    scheme: str
    host: str = ""
    port: int | None = None
    database: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    path: str = ""
    options: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Parse *url* with the standard library's URL parser."""
        if not isinstance(url, str) or "://" not in url:
            shown = _redact_url_text(str(url))
            msg = (
                f"{shown!r} is not a database URL; use a form such as "
                "'influxdb://user:password@localhost:8086/mydb' or "
                "'duckdb:///path/to/file.duckdb'."
            )
            raise ImproperlyConfigured(msg)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "duckdb":
            # A file path, not a network address: duckdb:///abs/path.duckdb,
            # duckdb://relative.duckdb or duckdb://:memory:.
            rest = url.split("://", 1)[1]
            path, _, query = rest.partition("?")
            return cls(
                scheme=scheme,
                path=unquote(path),
                options=dict(parse_qsl(query, keep_blank_values=True)),
            )
        try:
            port = parts.port
        except ValueError:
            netloc = parts.netloc.rsplit("@", 1)[-1]
            msg = (
                f"The port in the database URL's address {netloc!r} must be a "
                "number from 1 to 65535."
            )
            raise ImproperlyConfigured(msg) from None
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        path = unquote(parts.path)
        database = path.lstrip("/") or None
        return cls(
            scheme=scheme,
            host=parts.hostname or "",
            port=port,
            database=database,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            path=path,
            options=options,
        )

    def copy_with(self, **changes: Any) -> DatabaseURL:
        """Return a copy with some attributes replaced."""
        return dataclasses.replace(self, **changes)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The password and token, for scrubbing text before it is shown."""
        found = [self.password, self.options.get("token"), self.options.get("p")]
        return tuple(s for s in found if s)

    def redact(self, text: str) -> str:
        """Replace every secret of this URL in *text* by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, _REDACTED)
        return text

    def __str__(self) -> str:
        auth = ""
        if self.username:
            auth = self.username + (f":{_REDACTED}" if self.password else "") + "@"
        elif self.password:
            auth = f":{_REDACTED}@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            host = f"{host}:{self.port}"
        shown = {
            k: (_REDACTED if k in ("token", "p") else v)
            for k, v in self.options.items()
        }
        query = f"?{urlencode(shown, safe='*')}" if shown else ""
        path = self.path
        if self.scheme != "duckdb":
            path = "/" + quote(self.database, safe="") if self.database else ""
        return f"{self.scheme}://{auth}{host}{path}{query}"

    def __repr__(self) -> str:
        return f"DatabaseURL({str(self)!r})"


def _redact_url_text(text: str) -> str:
    if "://" not in text:
        # No scheme, but perhaps still ``user:password@host``.
        userinfo, at, address = text.rpartition("@")
        if at and ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            return f"{user}:{_REDACTED}@{address}"
        return text
    try:
        return str(DatabaseURL.parse(text))
    except ImproperlyConfigured:
        return "<unparsable URL>"


def register_backend(scheme: str, factory: BackendFactory) -> None:
    """Make ``connect()`` build *factory(url, alias)* for URLs of *scheme*.

    A scheme registered here wins over a built-in one of the same name,
    whenever it is registered.
    """
    _load_builtin_schemes()
    _SCHEMES[scheme.lower()] = factory


def _load_builtin_schemes() -> None:
    """Add the built-in schemes, once, keeping any registered before."""
    if _BUILTINS_LOADED.is_set():
        return
    from influxpy.backends.http import HTTPBackend

    for scheme in ("influxdb", "influxdbs", "http", "https"):
        _SCHEMES.setdefault(scheme, HTTPBackend.from_url)
    try:
        embedded = importlib.import_module("influxpy.backends.duckdb")
    except ModuleNotFoundError as exc:
        if exc.name != "influxpy.backends.duckdb":
            raise
    else:
        _SCHEMES.setdefault("duckdb", embedded.DuckDBBackend.from_url)
    _BUILTINS_LOADED.set()


def _build(url: str | DatabaseURL, alias: str, options: Mapping[str, Any]) -> Backend:
    parsed = url if isinstance(url, DatabaseURL) else DatabaseURL.parse(url)
    if options:
        merged = {**parsed.options, **{k: _option_text(v) for k, v in options.items()}}
        # Parts of a network URL; the embedded engine takes ?database= instead.
        if parsed.scheme != "duckdb":
            for key in ("username", "password", "database"):
                if key in options:
                    parsed = parsed.copy_with(**{key: options[key]})
                    merged.pop(key)
            if "database" in options:
                database = options["database"]
                parsed = parsed.copy_with(path=f"/{database}" if database else "")
        parsed = parsed.copy_with(options=merged)
    _load_builtin_schemes()
    factory = _SCHEMES.get(parsed.scheme)
    if factory is None:
        schemes = ", ".join(sorted(_SCHEMES))
        hint = suggest(parsed.scheme, _SCHEMES)
        msg = (
            f"The database URL {str(parsed)!r} has the unknown scheme "
            f"{parsed.scheme!r}; known schemes are: {schemes}.{hint}"
        )
        raise ImproperlyConfigured(msg)
    return factory(parsed, alias)


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _from_environment(alias: str) -> Backend:
    """The default connection: the environment, else the embedded engine."""
    for variable in ENVIRONMENT_VARIABLES:
        url = os.environ.get(variable)
        if url:
            return _build(url, alias, {})
    _load_builtin_schemes()
    if "duckdb" not in _SCHEMES:
        msg = (
            "No database is configured: call influxpy.connect("
            "'influxdb://user:password@host:8086/database') or set the "
            "environment variable INFLUX_DATABASE_URL (or INFLUXDB_URL)."
        )
        raise ImproperlyConfigured(msg)
    logger.info(
        "No database URL configured (influxpy.connect() or "
        "INFLUX_DATABASE_URL): using the embedded engine in memory."
    )
    return _build("duckdb://:memory:", alias, {})


class ConnectionHandler:
    """The registry of open connections by alias (``influxpy.connections``)."""

    def __init__(self) -> None:
        self._backends: dict[str, Backend] = {}
        self._lock = threading.RLock()

    def __getitem__(self, alias: str) -> Backend:
        with self._lock:
            backend = self._backends.get(alias)
            if backend is None:
                backend = self._configure(alias)
                self._backends[alias] = backend
            return backend

    def __contains__(self, alias: object) -> bool:
        return alias in self._backends

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._backends))

    def _configure(self, alias: str) -> Backend:
        if alias != DEFAULT_ALIAS:
            known = ", ".join(sorted(self._backends)) or "none yet"
            msg = (
                f"No connection is registered under the alias {alias!r} "
                f"(registered: {known}); call influxpy.connect(url, "
                f"alias={alias!r}) first."
            )
            raise ImproperlyConfigured(msg)
        return _from_environment(alias)

    def register(self, alias: str, backend: Backend) -> None:
        """Register *backend* under *alias*, closing any it replaces."""
        with self._lock:
            old = self._backends.pop(alias, None)
            self._backends[alias] = backend
        if old is not None and old is not backend:
            old.close()

    def close_all(self) -> None:
        """Close and forget every registered connection."""
        with self._lock:
            backends = list(self._backends.values())
            self._backends.clear()
        for backend in backends:
            backend.close()


#: Every open connection, by alias.
connections = ConnectionHandler()


def connect(
    url: str | DatabaseURL | None = None,
    alias: str = DEFAULT_ALIAS,
    **options: Any,
) -> Backend:
    """Open a connection to *url*, register it under *alias* and return it.

    Without *url*, the environment (``INFLUX_DATABASE_URL``, then
    ``INFLUXDB_URL``) is read, and without that the embedded engine is used
    in memory. Keyword *options* override the URL's query-string options
    (``timeout``, ``retries``, ``gzip``, ``rp``, ``token``, ``chunk_size``,
    ``verify`` and, for HTTP, ``username``, ``password``, ``database``).
    """
    if url is None and not options:
        backend = _from_environment(alias)
    else:
        if url is None:
            url = next(
                (os.environ[v] for v in ENVIRONMENT_VARIABLES if os.environ.get(v)),
                "duckdb://:memory:",
            )
        backend = _build(url, alias, options)
    connections.register(alias, backend)
    return backend


def get_connection(alias: str = DEFAULT_ALIAS) -> Backend:
    """Return the connection registered under *alias*, configuring the default."""
    return connections[alias]
