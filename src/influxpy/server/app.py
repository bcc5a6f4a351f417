"""The ASGI application of ``influxpy serve``: InfluxDB 1.6.7's HTTP API.

``InfluxApp(backend)`` answers ``/ping``, ``/write`` and ``/query`` as
``influxd`` 1.6.7 does (reference §1.8, §2). The backend's calls block, so
they run in a thread pool, never on the event loop: reads in parallel,
writes serialised by the engine's own lock. On the ASGI lifespan's
shutdown (after the server has finished the requests in flight) the pool
is drained and the backend closed, which checkpoints a file database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from influxpy.exceptions import NotSupportedError
from influxpy.server.auth import AuthError, Users
from influxpy.server.compress import accepts_gzip, gzip_body
from influxpy.server.debug import (
    IntervalError,
    RequestCounts,
    debug_vars,
    requests_interval,
)
from influxpy.server.exchange import (
    CSV,
    JSON,
    MSGPACK,
    Disconnected,
    Message,
    Receive,
    Refusal,
    Request,
    Scope,
    Send,
    error_header,
    request_id,
    respond,
)
from influxpy.server.forms import first_values
from influxpy.server.messages import MAY_WRITE
from influxpy.server.prometheus import (
    PrometheusError,
    decode_read,
    read_answer,
    write_answer,
)
from influxpy.server.query_route import QueryRoute
from influxpy.server.render import (
    csv_error,
    json_error,
    msgpack_document,
    pretty,
)
from influxpy.server.subscribers import Subscribers
from influxpy.server.writes import WriteAnswer, write_request

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["MAX_BODY_SIZE", "VERSION", "InfluxApp"]

#: The InfluxDB version the API answers as (``X-Influxdb-Version``).
VERSION = "1.6.7"
#: influxd's default ``max-body-size``: larger bodies are refused with 413.
MAX_BODY_SIZE = 25_000_000

_LOG = logging.getLogger("influxpy.server")
_ALLOWED = {
    "/ping": "GET, HEAD",
    "/status": "GET, HEAD",
    "/write": "POST, OPTIONS",
    "/query": "GET, POST, OPTIONS",
    "/api/v1/prom/read": "POST",
    "/api/v1/prom/write": "POST",
}
#: What influxd adds to every answer of a request with an ``Origin``.
_CORS = {
    "access-control-allow-headers": (
        "Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, "
        "X-CSRF-Token, X-HTTP-Method-Override"
    ),
    "access-control-allow-methods": "DELETE, GET, OPTIONS, POST, PUT",
    "access-control-expose-headers": "Date, X-InfluxDB-Version, X-InfluxDB-Build",
}


class InfluxApp:
    """An ASGI application serving InfluxDB's 1.x API on *backend*.

    *users* turns authentication on; *workers* sizes the thread pool that
    runs queries (writes have two threads of their own);
    *max_body_size* is the largest request body accepted.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        users: Users | None = None,
        workers: int = 8,
        max_body_size: int = MAX_BODY_SIZE,
    ) -> None:
        if not callable(getattr(backend, "write_line_protocol", None)):
            msg = (
                f"influxpy serve serves the embedded engine; the {backend.vendor} "
                "backend cannot take /write bodies. Connect with duckdb:///path "
                "or duckdb://:memory:."
            )
            raise NotSupportedError(msg)
        self.backend = backend
        self.users = users or Users()
        self.max_body_size = max_body_size
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="influxpy-read")
        # Writes take the engine's lock one at a time; their own two threads
        # (one parsing while the other stores) never hold up the queries.
        self._writes = ThreadPoolExecutor(2, thread_name_prefix="influxpy-write")
        #: Copies of the writes sent to the subscriptions' destinations.
        self.subscribers = Subscribers(backend)
        self._query = QueryRoute(backend, self._run)
        if hasattr(backend, "subscriber_statistics"):
            backend.subscriber_statistics = self.subscribers.statistics
        self._closed = False
        #: The intervals of ``/debug/requests`` calls counting requests.
        self._counting: list[RequestCounts] = []

    def close(self) -> None:
        """Finish the calls in flight, then close the backend (once)."""
        if self._closed:
            return
        self._closed = True
        self._writes.shutdown(wait=True)
        self._pool.shutdown(wait=True)
        self.subscribers.close()
        self.backend.close()

    async def _run(self, call: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, call, *args)

    async def _run_write(self, call: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writes, call)

    # -- ASGI ------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope (``http`` or ``lifespan``)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope.get("path") == "/debug/vars":
            await self._debug_vars(scope, send)
            return
        if str(scope.get("path", "")).startswith("/debug/requests"):
            await self._debug_requests(scope, receive, send)
            return
        ident = request_id(scope)
        base = {
            "content-type": JSON,
            "request-id": ident,
            "x-influxdb-build": "OSS",
            "x-influxdb-version": VERSION,
            "x-request-id": ident,
        }
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        origin = dict(scope.get("headers", [])).get(b"origin")
        if origin is not None and scope.get("path") in _ALLOWED:
            base.update(_CORS)
            base["access-control-allow-origin"] = origin.decode("latin-1")
        try:
            body = await self._body(scope, receive)
            request = Request(scope, body, receive)
            await self._route(request, base, tracked)
        except Disconnected:
            return
        except Refusal as refusal:
            await self._refuse(send, base, refusal, scope)
        except Exception as exc:
            if started:
                raise
            # A failure of the store: InfluxDB's shape, status 500.
            _LOG.exception("influxpy serve failed to answer %s", scope.get("path"))
            failure = Refusal(500, str(exc) or type(exc).__name__)
            await self._refuse(send, base, failure, scope)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._run_close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _run_close(self) -> None:
        # Not on the pool being shut down: a thread of the loop's default one.
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        """Read the request body; refuse one over ``max_body_size``."""
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_size:
            raise Refusal(413, "Request Entity Too Large")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                # Gone before its body ended: nothing of it is written.
                raise Disconnected
            piece = message.get("body", b"")
            size += len(piece)
            if size > self.max_body_size:
                raise Refusal(413, "Request Entity Too Large")
            chunks.append(piece)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _route(self, request: Request, base: dict[str, str], send: Send) -> None:
        path, method = request.path, request.method
        allowed = _ALLOWED.get(path)
        if allowed is None:
            await self._plain(send, base, 404, "404 page not found")
            return
        if method not in allowed.split(", "):
            headers = {**base, "allow": allowed}
            await self._plain(send, headers, 405, "Method Not Allowed")
            return
        if path in ("/ping", "/status"):
            await respond(send, 204, base)
            return
        if method == "OPTIONS":
            # A CORS preflight: 200, no body.
            headers = {k: v for k, v in base.items() if k != "content-type"}
            await respond(send, 200, {**headers, "content-length": "0"})
            return
        user = self._authorize(request)
        if self._counting and path in ("/query", "/write"):
            client = request.client
            if client is not None:
                kind = "writes" if path == "/write" else "queries"
                for counts in self._counting:
                    counts.add(kind, client, user)
        if path == "/write":
            await self._write(request, base, send)
        elif path.startswith("/api/v1/prom/"):
            await self._prometheus(request, base, send)
        else:
            changes = MAY_WRITE.search(request.params.get("q", "")) is not None
            try:
                await self._query(request, base, send)
            finally:
                if changes:
                    # A statement may have made or dropped a subscription.
                    self.subscribers.changed()

    async def _debug_vars(self, scope: Scope, send: Send) -> None:
        """influxd's ``/debug/vars``: any method, no authentication."""
        body = await self._run(debug_vars, self.backend)
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-influxdb-version": VERSION,
        }
        await respond(send, 200, headers, b"" if scope["method"] == "HEAD" else body)

    async def _debug_requests(self, scope: Scope, receive: Receive, send: Send) -> None:
        """influxd's ``/debug/requests``: any method, no authentication;
        counts the requests of the next ``seconds`` and answers them."""
        headers = {"x-influxdb-build": "OSS", "x-influxdb-version": VERSION}
        query = scope.get("query_string", b"").decode("utf-8", "replace")
        try:
            interval = requests_interval(first_values(query).get("seconds", ""))
        except IntervalError as exc:
            # Go's plain JSON error: no line break after it.
            headers["content-type"] = JSON
            headers["x-influxdb-error"] = error_header(str(exc))
            body = b"" if scope["method"] == "HEAD" else json_error(str(exc))
            await respond(send, 400, headers, body)
            return
        counts = RequestCounts()
        self._counting.append(counts)
        try:
            left = await _wait_or_leave(receive, max(interval, 0) / 1e9)
        finally:
            self._counting.remove(counts)
        if left:
            return
        headers["content-type"] = "application/json; charset=utf-8"
        headers["connection"] = "close"
        body = b"" if scope["method"] == "HEAD" else counts.body()
        await respond(send, 200, headers, body)

    def _authorize(self, request: Request) -> str | None:
        try:
            return self.users.check(
                request.url_params, request.headers.get("authorization")
            )
        except AuthError as exc:
            extra = {"www-authenticate": 'Basic realm="InfluxDB"'}
            raise Refusal(401, str(exc), extra) from None

    # -- answers ---------------------------------------------------------

    async def _plain(
        self, send: Send, base: Mapping[str, str], status: int, text: str
    ) -> None:
        headers = {
            k: v
            for k, v in base.items()
            if k in ("x-influxdb-build", "x-influxdb-version", "allow")
        }
        headers["content-type"] = "text/plain; charset=utf-8"
        headers["x-content-type-options"] = "nosniff"
        await respond(send, status, headers, text.encode() + b"\n")

    async def _refuse(
        self, send: Send, base: Mapping[str, str], refusal: Refusal, scope: Scope
    ) -> None:
        accept = dict(scope.get("headers", [])).get(b"accept", b"").strip()
        headers = {**base, **refusal.headers}
        if refusal.status != 401:
            # influxd names the error in a header too, but not a 401's.
            headers["x-influxdb-error"] = error_header(refusal.text)
        if accept in (b"application/csv", b"text/csv"):
            headers["content-type"] = CSV
            body = csv_error(refusal.text)
        elif accept == MSGPACK.encode():
            headers["content-type"] = MSGPACK
            body = msgpack_document([], error=refusal.text)
        else:
            body = json_error(refusal.text)
            query = scope.get("query_string", b"").decode("utf-8", "replace")
            if dict(parse_qsl(query)).get("pretty") == "true":
                body = pretty(body)
            body += b"\n"
        await respond(send, refusal.status, headers, body)

    # -- /write ----------------------------------------------------------

    async def _write(self, request: Request, base: dict[str, str], send: Send) -> None:
        params = request.url_params
        database = params.get("db", "")
        if not database:
            raise Refusal(400, "database is required")
        rp, precision = params.get("rp") or None, params.get("precision") or None

        def store() -> WriteAnswer:
            answer, body = write_request(
                self.backend,
                request.body,
                database=database,
                content_encoding=request.headers.get("content-encoding"),
                consistency=params.get("consistency", ""),
                retention_policy=rp,
                precision=precision,
            )
            if body is not None and answer.status in (204, 400):
                # The points reached the store: the subscriptions get them too.
                self.subscribers.offer(database, rp, body, precision)
            return answer

        answer = await self._run_write(store)
        if answer.error is not None:
            raise Refusal(answer.status, answer.error)
        await respond(send, 204, base)

    # -- /api/v1/prom/write, /api/v1/prom/read ----------------------------

    async def _prometheus(
        self, request: Request, base: dict[str, str], send: Send
    ) -> None:
        """Prometheus' remote write and read (``server/prometheus.py``)."""
        params = request.url_params
        database = params.get("db", "")
        rp = params.get("rp") or None
        if request.path.endswith("/read"):
            try:
                query = decode_read(request.body)
                body = await self._run(read_answer, self.backend, query, database, rp)
            except PrometheusError as exc:
                raise Refusal(400, str(exc)) from None
            headers = {**base, "content-type": "application/x-protobuf"}
            # influxd's gzip filter wraps every answer a client takes gzip of,
            # over the handler's own snappy (the encoding it names is gzip).
            zipped = accepts_gzip(request.headers)
            headers["content-encoding"] = "gzip" if zipped else "snappy"
            await respond(send, 200, headers, gzip_body(body) if zipped else body)
            return
        answer = await self._run_write(
            lambda: write_answer(
                self.backend,
                request.body,
                params,
                lambda lines: self.subscribers.offer(database, rp, lines, None),
            )
        )
        if answer.error is not None:
            raise Refusal(answer.status, answer.error)
        await respond(send, 204, base)


async def _wait_or_leave(receive: Receive, seconds: float) -> bool:
    """Wait *seconds*; True if the client left before they passed."""

    async def left() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(left(), seconds)
    except TimeoutError:
        return False
    return True
