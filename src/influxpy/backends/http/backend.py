"""InfluxDB over its HTTP API (1.x, and 2.x/3.x through the v1 endpoints).

One keep-alive ``httpx.Client`` per connection and, for asyncio, one
``httpx.AsyncClient`` per event loop, made on first use from the same
configuration and closed by ``aclose()`` or when its loop shuts down. The
sync and async paths share request building, the retry decision, response
decoding and error mapping; they differ only in how they wait. Writes send
nanosecond line protocol without a ``precision`` parameter (reference
§1.4), gzip-compressed unless ``gzip=false``, and overlap encoding the next
batch with the request in flight. Queries ask for msgpack (the only format
that keeps integers apart from floats) with ``epoch=ns``, and fall back to
JSON when a server answers with it; ``chunk_size`` streams
``chunked=true`` responses.

Connection errors, timeouts, 5xx and 429 are retried with exponential
backoff and full jitter, or after the server's ``Retry-After``, until the
total bound ``retry_timeout`` (``retry.RetryPolicy``). Every failure is
mapped into ``influxpy.exceptions`` from a plain summary of the attempt
(``errors``).

Credentials travel in an ``Authorization`` header by default (``auth=query``
sends ``u`` and ``p`` parameters instead). They are kept out of reach of
tools that show the locals of a traceback's frames: the header's text lives
in a closure, each request has its credentials removed once sent, each
response lets go of the transport's copy of the request once read, and no
error raised here is chained to an ``httpx`` error.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import ssl
import threading
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from influxpy.backends.http.explain import HTTPExplain
from influxpy.backends.http.options import (
    HTTPOptions,
    _ssl_context,
    credentials_auth,
    query_auth,
    scrub_logs,
)
from influxpy.backends.http.retry import RetryPolicy
from influxpy.backends.http.statements import HTTPStatements
from influxpy.backends.http.writing import HTTPWrites
from influxpy.backends.influxql_schema import (
    InfluxQLIntrospection,
    InfluxQLSchemaEditor,
)
from influxpy.compilers.influxql import InfluxQLCompiler

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled
    from influxpy.results import Series
    from influxpy.urls import DatabaseURL

__all__ = ["HTTPBackend", "HTTPOptions"]


@functools.cache
def _plain_http_context() -> ssl.SSLContext:
    """The TLS context of plain-HTTP connections: never used, and were it
    ever, it would refuse every certificate (it trusts none)."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HTTPBackend(HTTPStatements, HTTPWrites, HTTPExplain):
    """A connection to InfluxDB's HTTP API.

    Pass ``transport`` (an ``httpx`` transport) to record or fake exchanges;
    behaviour is otherwise that of the real server. A transport that also
    serves async requests (``httpx.MockTransport`` does) is used by the
    async clients too; ``async_transport`` gives them another.
    """

    compiler_class: ClassVar[type[InfluxQLCompiler]] = InfluxQLCompiler
    vendor: ClassVar[str] = "influxdb"
    schema_editor_class = InfluxQLSchemaEditor
    introspection_class = InfluxQLIntrospection

    def __init__(
        self,
        url: DatabaseURL,
        alias: str = "default",
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(url, alias)
        self.options = HTTPOptions.from_mapping(url.options)
        self._retry = RetryPolicy(self.options.retries, self.options.retry_timeout)
        scheme = "https" if url.scheme in ("influxdbs", "https") else "http"
        host = url.host or "localhost"
        if ":" in host:
            host = f"[{host}]"
        self.base_url = f"{scheme}://{host}:{url.port or 8086}"
        self._compiler = InfluxQLCompiler()
        self._gzip = self.options.gzip
        if self._gzip is None:
            self._gzip = not _is_loopback(url.host or "localhost")
        #: The ``u`` and ``p`` parameters of auth=query (in a closure, as the
        #: Authorization header's text is).
        self._auth_params: Callable[[], dict[str, str]] = dict
        auth: httpx.Auth | None = None
        if self.options.auth == "query" and not self.options.token:
            if url.username is not None:
                self._auth_params = query_auth(url.username, url.password)
            if url.password:
                scrub_logs(url.password)
        else:
            auth = credentials_auth(url.username, url.password, self.options.token)
        #: Whether ping() also checks the credentials (/ping needs none).
        self._has_credentials = auth is not None or bool(self._auth_params())
        verify: bool | ssl.SSLContext = (
            _ssl_context(self.options.verify)
            if isinstance(self.options.verify, str)
            else self.options.verify
        )
        if scheme == "http":
            # Plain HTTP never negotiates TLS (redirects are not followed),
            # so no context is needed; httpx builds one anyway, and one
            # that verifies loads the CA bundle: 25 ms per connection. A
            # context that trusts no certificate stands in, shared.
            verify = _plain_http_context()
        # One configuration for the sync client and every async one.
        self._client_options: dict[str, Any] = {
            "base_url": self.base_url,
            "headers": {"User-Agent": "influxpy"},
            "auth": auth,
            "timeout": self.options.timeout,
            "verify": verify,
        }
        self._client = httpx.Client(**self._client_options, transport=transport)
        self._lean_possible = transport is None  # writes may skip httpx
        both: object = transport  # httpx.MockTransport serves both kinds
        if async_transport is None and isinstance(both, httpx.AsyncBaseTransport):
            async_transport = both
        self._async_transport = async_transport
        #: Each event loop's client, with the generator that closes it.
        self._async_clients: dict[
            asyncio.AbstractEventLoop,
            tuple[httpx.AsyncClient, AsyncGenerator[None, None]],
        ] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: DatabaseURL, alias: str) -> HTTPBackend:
        """Build a backend for an ``influxdb://`` or ``influxdbs://`` URL."""
        return cls(url, alias)

    # -- administration ------------------------------------------------------

    def ping(self) -> str:
        """Return the server's version (``X-Influxdb-Version``).

        ``/ping`` needs no credentials, so when the connection has some, a
        ``SHOW DATABASES`` checks them too: a wrong password raises
        ``AuthenticationError`` here rather than at the first query.
        """
        response = self._send("GET", "/ping", params={})
        version = str(response.headers.get("X-Influxdb-Version", "unknown"))
        if self._has_credentials:
            self._run(self._compiler.show_databases())
        return version

    def _run(self, compiled: Compiled) -> list[Series]:
        return list(self.execute(compiled))

    def create_database(self, name: str | None = None) -> None:
        """Create a database; existing databases are left as they are."""
        self._run(self._compiler.create_database(self.resolve_database(name)))

    def drop_database(self, name: str | None = None) -> None:
        """Drop a database and everything in it."""
        self._run(self._compiler.drop_database(self.resolve_database(name)))

    def list_databases(self) -> list[str]:
        """Return the names of the databases the user may read."""
        names: list[str] = []
        for series in self._run(self._compiler.show_databases()):
            names.extend(str(row[0]) for row in series.values)
        return names

    async def aclose(self) -> None:
        """Write out open batch writers, close this event loop's async client,
        then what ``close()`` closes.
        """
        try:
            if not self.closed:
                await self.aclose_writers()
        finally:
            with self._pool_lock:
                entry = self._async_clients.pop(asyncio.get_running_loop(), None)
            if entry is not None:
                await entry[1].aclose()
            self.close()

    def close(self) -> None:
        """Write out open batch writers, then close the HTTP client and the
        writer thread. Closing twice is harmless; a closed backend raises
        ``InterfaceError`` when used.

        Async clients close with ``aclose()`` or when their event loop ends.
        """
        if self.closed:
            return
        failure = self.close_writers()
        self.closed = True
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._close_lean()
        self._client.close()
        if failure is not None:
            raise failure
