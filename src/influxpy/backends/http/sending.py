"""Sending requests to InfluxDB's HTTP API, with retries, sync and async.

Connection errors, timeouts, 5xx and 429 are retried with exponential
backoff and full jitter, or after the server's ``Retry-After``, until the
total bound ``retry_timeout`` (``retry.RetryPolicy``). Each request has its
credentials removed once sent, and each response lets go of the transport's
copy of the request once read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

import httpx

from influxpy.backends.base import Backend
from influxpy.backends.http.errors import HTTPErrors
from influxpy.backends.http.lean import LeanPool
from influxpy.backends.http.lean_reads import send_streamed
from influxpy.backends.http.options import _HeaderAuth
from influxpy.backends.http.retry import Failure, RetryPolicy

__all__ = ["HTTPRequests"]

logger = logging.getLogger("influxpy")

#: (path, streamed) of the requests sent on the lean path (``lean.py``,
#: ``lean_reads.py``) where it is possible: writes, and streamed queries.
_LEAN = frozenset({("/write", False), ("/query", True)})
#: What a response's stream becomes once the response is done with.
_DONE = httpx.ByteStream(b"")


def _forget_credentials(request: httpx.Request) -> None:
    """Remove the credentials from a request that has been sent.

    Responses and ``httpx`` errors keep their request; once sent, it needs
    no credentials.
    """
    request.headers.pop("Authorization", None)
    if "p" in request.url.params or "u" in request.url.params:
        request.url = request.url.copy_remove_param("p").copy_remove_param("u")


def _trace(
    extensions: dict[str, Any] | None,
) -> Callable[[str, dict[str, Any]], None] | None:
    """The trace callback of a request's extensions, if it has one."""
    return None if extensions is None else extensions.get("trace")


def _detach(response: httpx.Response) -> None:
    """Let a closed response go of its stream, which holds the transport's
    own copy of the request (with the credentials) and the connection pool.
    """
    response.stream = _DONE


class HTTPRequests(HTTPErrors, Backend):
    """Requests and retries of ``HTTPBackend``: one client for sync requests,
    one per event loop for async ones, built from the same configuration.
    """

    _retry: RetryPolicy
    _gzip: bool | None
    _auth_params: Callable[[], dict[str, str]]
    _client_options: dict[str, Any]
    _client: httpx.Client
    _async_transport: httpx.AsyncBaseTransport | None
    _async_clients: dict[
        asyncio.AbstractEventLoop,
        tuple[httpx.AsyncClient, AsyncGenerator[None, None]],
    ]
    _pool_lock: threading.Lock
    #: The lean write path's sockets (``_lean_pool()``), made on first use.
    _lean: LeanPool | None = None
    #: Whether writes may take the lean path (a plain client, see
    #: ``_lean_pool()``); the backend clears it for a custom transport.
    _lean_possible: bool = True

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        content: bytes | None,
        headers: Mapping[str, str] | None,
        extensions: dict[str, Any] | None = None,
    ) -> httpx.Request:
        """Build a request; the sync and async clients send the same ones."""
        return self._client.build_request(
            method,
            path,
            params={**params, **self._auth_params()},
            content=content,
            headers=headers,
            extensions=extensions,
        )

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        content: bytes | None,
        headers: Mapping[str, str] | None,
        stream: bool,
        extensions: dict[str, Any] | None,
    ) -> httpx.Response | Failure:
        """Send one request: the response if it succeeded, else what failed."""
        request = self._request(method, path, params, content, headers, extensions)
        lean = self._lean_pool() if (path, stream) in _LEAN else None
        try:
            if lean is not None and stream:
                response = send_streamed(lean, self._authenticated(request))
            elif lean is not None:
                response = lean.post(self._authenticated(request), _trace(extensions))
            else:
                response = self._client.send(request, stream=stream)
        except httpx.TransportError as exc:
            return self._transport_failure(exc)
        finally:
            _forget_credentials(request)
        if response.status_code < 300:
            if not stream:
                _detach(response)  # read and closed by httpx already
            return response
        try:
            response.read()
        except httpx.TransportError as exc:
            return self._transport_failure(exc)
        finally:
            response.close()
            _detach(response)
        return self._response_failure(response)

    def _lean_pool(self) -> LeanPool | None:
        """The pool of the lean path (``lean.py``: writes; ``lean_reads.py``:
        streamed queries), made on first use; None where ``httpx`` must
        send: a custom transport, TLS, proxies or an authentication other
        than a fixed header."""
        pool = self._lean
        if pool is None and self._lean_possible:
            client = self._client
            auth = client.auth
            url = client.base_url
            if (
                url.scheme == "http"
                and url.host
                and not client._mounts
                and (auth is None or isinstance(auth, _HeaderAuth))
                and isinstance(client._transport, httpx.HTTPTransport)
            ):
                with self._pool_lock:
                    if self._lean is None:
                        port = url.port or 80
                        self._lean = LeanPool(url.host, port, self.options.timeout)
                    pool = self._lean
            else:
                self._lean_possible = False
        return pool

    def _authenticated(self, request: httpx.Request) -> httpx.Request:
        """*request* with the client's ``Authorization`` header, if any."""
        auth = self._client.auth
        if auth is None:
            return request
        return next(auth.sync_auth_flow(request))

    def _close_lean(self) -> None:
        """Close the lean write path's idle sockets (on ``close()``)."""
        with self._pool_lock:
            pool, self._lean = self._lean, None
            self._lean_possible = False
        if pool is not None:
            pool.close()

    async def _aattempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        content: bytes | None,
        headers: Mapping[str, str] | None,
        stream: bool,
        extensions: dict[str, Any] | None,
    ) -> httpx.Response | Failure:
        """Async form of ``_attempt()``, on the event loop's client."""
        request = self._request(method, path, params, content, headers, extensions)
        try:
            response = await (await self._async_client()).send(request, stream=stream)
        except httpx.TransportError as exc:
            return self._transport_failure(exc)
        finally:
            _forget_credentials(request)
        if response.status_code < 300:
            if not stream:
                _detach(response)
            return response
        try:
            await response.aread()
        except httpx.TransportError as exc:
            return self._transport_failure(exc)
        finally:
            await response.aclose()
            _detach(response)
        return self._response_failure(response)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str],
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        extensions: dict[str, Any] | None = None,
        database: str | None = None,
        lines: Sequence[str] | None = None,
        written: int = 0,
    ) -> httpx.Response:
        """Send one request, retrying what may pass; raise the mapped error.

        *database*, *lines* and *written* say what an error is about.
        """
        self.check_open()
        deadline = self._retry.deadline()
        attempt = 0
        while True:
            outcome = self._attempt(
                method, path, params, content, headers, stream, extensions
            )
            if not isinstance(outcome, Failure):
                return outcome
            wait = self._retry.wait(attempt, deadline, outcome)
            if wait is None:
                self._raise_failure(
                    outcome,
                    attempt,
                    database=database,
                    lines=None if lines is None else list(lines),
                    written=written,
                )
            self._log_retry(outcome, method, path, wait, attempt)
            time.sleep(wait)
            attempt += 1

    async def _asend(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str],
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        extensions: dict[str, Any] | None = None,
        database: str | None = None,
        lines: Sequence[str] | None = None,
        written: int = 0,
    ) -> httpx.Response:
        """Async form of ``_send()``, on the event loop's client."""
        self.check_open()
        deadline = self._retry.deadline()
        attempt = 0
        while True:
            outcome = await self._aattempt(
                method, path, params, content, headers, stream, extensions
            )
            if not isinstance(outcome, Failure):
                return outcome
            wait = self._retry.wait(attempt, deadline, outcome)
            if wait is None:
                self._raise_failure(
                    outcome,
                    attempt,
                    database=database,
                    lines=None if lines is None else list(lines),
                    written=written,
                )
            self._log_retry(outcome, method, path, wait, attempt)
            await asyncio.sleep(wait)
            attempt += 1

    def _log_retry(
        self, failure: Failure, method: str, path: str, wait: float, attempt: int
    ) -> None:
        reason = f"HTTP {failure.status}" if failure.status else failure.reason
        retries = self.options.retries
        limit = (
            f" of {retries}"
            if retries is not None
            else f", for up to {self.options.retry_timeout:g}s in all"
        )
        logger.warning(
            "InfluxDB at %s: %s on %s %s; retrying in %.2fs (attempt %d%s).",
            self.base_url,
            reason,
            method,
            path,
            wait,
            attempt + 1,
            limit,
        )

    async def _async_client(self) -> httpx.AsyncClient:
        """The running event loop's ``httpx.AsyncClient``, made on first use.

        Connections belong to the loop that opened them, so each loop gets
        its own client, configured as the sync one.
        """
        loop = asyncio.get_running_loop()
        with self._pool_lock:
            for old in [key for key in self._async_clients if key.is_closed()]:
                # A loop closed without finalising its async generators.
                del self._async_clients[old]
            entry = self._async_clients.get(loop)
            created = entry is None
            if entry is None:
                client = httpx.AsyncClient(
                    **self._client_options, transport=self._async_transport
                )
                entry = (client, self._close_with_loop(client))
                self._async_clients[loop] = entry
        if created:
            await anext(entry[1])
        return entry[0]

    async def _close_with_loop(
        self, client: httpx.AsyncClient
    ) -> AsyncGenerator[None, None]:
        """Close *client* when its event loop shuts down, unless done before.

        Once started, the loop knows this generator; ``asyncio.run()`` and
        ``asyncio.Runner`` finalise such generators before closing the loop,
        so a client nobody closed still closes its sockets in time.
        """
        try:
            yield
        finally:
            with self._pool_lock:
                for loop, (other, _closer) in list(self._async_clients.items()):
                    if other is client:
                        del self._async_clients[loop]
            await client.aclose()
