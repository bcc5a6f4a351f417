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

import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from influxpy._utils import suggest
from influxpy.exceptions import ImproperlyConfigured
from influxpy.urls import DatabaseURL

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

BackendFactory = Callable[["DatabaseURL", str], "Backend"]
_SCHEMES: dict[str, BackendFactory] = {}
#: Whether the built-in schemes are in ``_SCHEMES`` (loaded on first use).
_BUILTINS_LOADED = threading.Event()


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
