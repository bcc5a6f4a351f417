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
import uuid
from collections.abc import (
    Awaitable,
    Callable,
    Iterator,
    Mapping,
    MutableMapping,
)
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson

from influxpy.exceptions import InfluxQLParseError, NotSupportedError
from influxpy.influxql.scanner import GO_SPACE
from influxpy.results import StatementResult
from influxpy.server.answers import (
    DEFAULT_CHUNK_SIZE,
    Notes,
    answer_chunks,
    collect,
    prepend,
)
from influxpy.server.auth import AuthError, Users
from influxpy.server.compress import GzipStream, accepts_gzip, gzip_body
from influxpy.server.debug import debug_vars
from influxpy.server.messages import MAY_WRITE
from influxpy.server.prometheus import (
    PrometheusError,
    decode_read,
    read_answer,
    write_answer,
)
from influxpy.server.render import (
    CSVWriter,
    Result,
    csv_error,
    json_document,
    json_error,
    msgpack_document,
    pretty,
)
from influxpy.server.statements import (
    parse_text,
    run_parsed,
)
from influxpy.server.subscribers import Subscribers
from influxpy.server.writes import BodyError, WriteAnswer, decode_body, write_body

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["DEFAULT_CHUNK_SIZE", "MAX_BODY_SIZE", "VERSION", "InfluxApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: The InfluxDB version the API answers as (``X-Influxdb-Version``).
VERSION = "1.6.7"
#: influxd's default ``max-body-size``: larger bodies are refused with 413.
MAX_BODY_SIZE = 25_000_000

_LOG = logging.getLogger("influxpy.server")
_JSON = "application/json"
_CSV = "text/csv"
_MSGPACK = "application/x-msgpack"
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


class _Refusal(Exception):
    """An HTTP error answer: status, InfluxDB's text and extra headers."""

    def __init__(
        self, status: int, text: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.headers = dict(headers or {})


def _first_values(query: str) -> dict[str, str]:
    """Each parameter's first value, as Go's ``FormValue`` reads it."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, value)
    return params


class _Disconnected(Exception):
    """The client left before its request body ended."""


class _Request:
    """What a handler needs of one HTTP request."""

    def __init__(
        self, scope: Scope, body: bytes, receive: Receive | None = None
    ) -> None:
        #: The ASGI channel, read after the body for the client leaving.
        self.receive = receive
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.headers = {
            k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope.get("headers", [])
        }
        query = scope.get("query_string", b"").decode("utf-8", "replace")
        #: The URL's parameters (the only ones ``/write`` and credentials read).
        self.url_params = _first_values(query)
        #: What ``/query`` reads: a form body's values, then the URL's.
        self.params = dict(self.url_params)
        self.body = body
        content_type = self.headers.get("content-type", "")
        if (
            self.path == "/query"
            and self.method == "POST"
            and content_type.startswith("application/x-www-form-urlencoded")
        ):
            form = _first_values(body.decode("utf-8", "replace"))
            # Form values win over the URL's, as Go's ParseForm has it.
            self.params.update(form)

    def format(self) -> str:
        """The response type the ``Accept`` header asks for (JSON unless
        exactly one of the other two is named)."""
        accept = self.headers.get("accept", "").strip()
        if accept in ("application/csv", "text/csv"):
            return _CSV
        if accept == _MSGPACK:
            return _MSGPACK
        return _JSON


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
        if hasattr(backend, "subscriber_statistics"):
            backend.subscriber_statistics = self.subscribers.statistics
        self._closed = False

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
        request_id = _request_id(scope)
        base = {
            "content-type": _JSON,
            "request-id": request_id,
            "x-influxdb-build": "OSS",
            "x-influxdb-version": VERSION,
            "x-request-id": request_id,
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
            request = _Request(scope, body, receive)
            await self._route(request, base, tracked)
        except _Disconnected:
            return
        except _Refusal as refusal:
            await self._refuse(send, base, refusal, scope)
        except Exception as exc:
            if started:
                raise
            # A failure of the store: InfluxDB's shape, status 500.
            _LOG.exception("influxpy serve failed to answer %s", scope.get("path"))
            failure = _Refusal(500, str(exc) or type(exc).__name__)
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
            raise _Refusal(413, "Request Entity Too Large")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                # Gone before its body ended: nothing of it is written.
                raise _Disconnected
            piece = message.get("body", b"")
            size += len(piece)
            if size > self.max_body_size:
                raise _Refusal(413, "Request Entity Too Large")
            chunks.append(piece)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _route(self, request: _Request, base: dict[str, str], send: Send) -> None:
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
            await _respond(send, 204, base)
            return
        if method == "OPTIONS":
            # A CORS preflight: 200, no body.
            headers = {k: v for k, v in base.items() if k != "content-type"}
            await _respond(send, 200, {**headers, "content-length": "0"})
            return
        self._authorize(request)
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
        await _respond(send, 200, headers, b"" if scope["method"] == "HEAD" else body)

    def _authorize(self, request: _Request) -> None:
        try:
            self.users.check(request.url_params, request.headers.get("authorization"))
        except AuthError as exc:
            extra = {"www-authenticate": 'Basic realm="InfluxDB"'}
            raise _Refusal(401, str(exc), extra) from None

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
        await _respond(send, status, headers, text.encode() + b"\n")

    async def _refuse(
        self, send: Send, base: Mapping[str, str], refusal: _Refusal, scope: Scope
    ) -> None:
        accept = dict(scope.get("headers", [])).get(b"accept", b"").strip()
        headers = {**base, **refusal.headers}
        if refusal.status != 401:
            # influxd names the error in a header too, but not a 401's.
            headers["x-influxdb-error"] = _error_header(refusal.text)
        if accept in (b"application/csv", b"text/csv"):
            headers["content-type"] = _CSV
            body = csv_error(refusal.text)
        elif accept == _MSGPACK.encode():
            headers["content-type"] = _MSGPACK
            body = msgpack_document([], error=refusal.text)
        else:
            body = json_error(refusal.text)
            query = scope.get("query_string", b"").decode("utf-8", "replace")
            if dict(parse_qsl(query)).get("pretty") == "true":
                body = pretty(body)
            body += b"\n"
        await _respond(send, refusal.status, headers, body)

    # -- /write ----------------------------------------------------------

    async def _write(self, request: _Request, base: dict[str, str], send: Send) -> None:
        params = request.url_params
        database = params.get("db", "")
        if not database:
            raise _Refusal(400, "database is required")
        consistency = params.get("consistency", "")
        if consistency and consistency not in ("any", "one", "quorum", "all"):
            raise _Refusal(400, "invalid consistency level")
        try:
            body = decode_body(request.body, request.headers.get("content-encoding"))
        except BodyError as exc:
            raise _Refusal(400, str(exc)) from None
        rp, precision = params.get("rp") or None, params.get("precision") or None

        def store() -> WriteAnswer:
            answer = write_body(
                self.backend,
                body,
                database=database,
                retention_policy=rp,
                precision=precision,
            )
            if answer.status in (204, 400):
                # The points reached the store: the subscriptions get them too.
                self.subscribers.offer(database, rp, body, precision)
            return answer

        answer = await self._run_write(store)
        if answer.error is not None:
            raise _Refusal(answer.status, answer.error)
        await _respond(send, 204, base)

    # -- /api/v1/prom/write, /api/v1/prom/read ----------------------------

    async def _prometheus(
        self, request: _Request, base: dict[str, str], send: Send
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
                raise _Refusal(400, str(exc)) from None
            headers = {**base, "content-type": "application/x-protobuf"}
            # influxd's gzip filter wraps every answer a client takes gzip of,
            # over the handler's own snappy (the encoding it names is gzip).
            zipped = accepts_gzip(request.headers)
            headers["content-encoding"] = "gzip" if zipped else "snappy"
            await _respond(send, 200, headers, gzip_body(body) if zipped else body)
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
            raise _Refusal(answer.status, answer.error)
        await _respond(send, 204, base)

    # -- /query ----------------------------------------------------------

    async def _query(self, request: _Request, base: dict[str, str], send: Send) -> None:
        params = request.params
        text = params.get("q", "")
        if not text.strip(GO_SPACE):
            # influxd trims the text first: a blank one is missing.
            raise _Refusal(400, 'missing required parameter "q"')
        bound: dict[str, Any] | None = None
        if params.get("params"):
            try:
                bound = orjson.loads(params["params"])
            except orjson.JSONDecodeError as exc:
                raise _Refusal(400, f"error parsing query parameters: {exc}") from None
            if not isinstance(bound, dict):
                msg = "error parsing query parameters: params must be a JSON object"
                raise _Refusal(400, msg)
        chunked = params.get("chunked") == "true"
        chunk_size = DEFAULT_CHUNK_SIZE
        if chunked and params.get("chunk_size", "").isdigit():
            chunk_size = int(params["chunk_size"]) or DEFAULT_CHUNK_SIZE
        fmt = request.format()
        epoch = params.get("epoch") or None

        # The engine's default_retention_policy(database) names a database's.
        engine: Any = self.backend
        notes = Notes(params.get("db", ""), engine.default_retention_policy)

        def start() -> Iterator[StatementResult]:
            self.backend.check_open()
            parsed = parse_text(text, bound)
            notes.read(text, parsed.statements, warn=request.method == "GET")
            results = run_parsed(
                self.backend,
                parsed,
                # Without ``db`` no database: statements that need one fail.
                database=params.get("db", ""),
                retention_policy=params.get("rp") or None,
                chunk_size=chunk_size if chunked else None,
            )
            # Parse errors surface on the first step: take it here.
            iterator = iter(results)
            first = next(iterator, None)
            if first is None:
                return iter(())
            return prepend(first, iterator)

        try:
            statements = await self._run(start)
        except InfluxQLParseError as exc:
            raise _Refusal(400, str(exc)) from None
        headers = {**base, "content-type": fmt}
        # influxd reads pretty from the URL only, not from a form body.
        indent = request.url_params.get("pretty") == "true"
        stream = GzipStream() if accepts_gzip(request.headers) else None
        if stream is not None:
            headers["content-encoding"] = "gzip"
        if chunked:
            chunks = answer_chunks(statements, notes, chunk_size)
            await self._stream(
                send, headers, chunks, (fmt, epoch, indent), stream, request.receive
            )
            return

        def render() -> bytes:
            results = collect(statements, notes)
            if fmt == _CSV:
                return CSVWriter(epoch).write(results).encode()
            if fmt == _MSGPACK:
                return msgpack_document(results, epoch)
            body = json_document(results, epoch)
            return (pretty(body) if indent else body) + b"\n"

        def answer() -> bytes:
            body = render()
            return body if stream is None else gzip_body(body)

        await _respond(send, 200, headers, await self._run(answer))

    async def _stream(
        self,
        send: Send,
        headers: Mapping[str, str],
        chunks: Iterator[Result],
        form: tuple[str, str | None, bool],
        stream: GzipStream | None,
        receive: Receive | None = None,
    ) -> None:
        """Send a chunked response: one document per piece of a series.

        *form* is the format, ``epoch`` and ``pretty``; *stream* compresses
        each batch of documents when the client takes gzip. A client that
        leaves stops the query (its statements end, as influxd kills a
        query whose client has gone) instead of rendering the rest of the
        answer for nobody.
        """
        fmt, epoch, indent = form
        await send(
            {"type": "http.response.start", "status": 200, "headers": _raw(headers)}
        )
        csv = CSVWriter(epoch)

        def render(result: Result) -> bytes:
            if fmt == _CSV:
                return csv.write([result]).encode()
            if fmt == _MSGPACK:
                return msgpack_document([result], epoch)
            data = json_document([result], epoch)
            return (pretty(data) if indent else data) + b"\n"

        def next_documents() -> bytes | None:
            """The next chunks, rendered (on a worker thread, in batches of
            about a default chunk's rows, so small chunks cost one hop)."""
            out: list[bytes] = []
            rows = 0
            for result in chunks:
                out.append(render(result))
                rows += sum(len(series.values) for series in result.series) + 1
                if rows >= DEFAULT_CHUNK_SIZE:
                    break
            if not out:
                return None
            data = b"".join(out)
            return data if stream is None else stream.piece(data)

        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            while True:
                data = await self._run(next_documents)
                if data is None:
                    break
                if gone.done():
                    # The rest of the answer has no reader: end the query
                    # (its cursor and its SHOW QUERIES entry) on a worker.
                    await self._run(_close, chunks)
                    return
                await send(
                    {"type": "http.response.body", "body": data, "more_body": True}
                )
        finally:
            gone.cancel()
        last = b"" if stream is None else stream.end()
        await send({"type": "http.response.body", "body": last, "more_body": False})


async def _disconnected(receive: Receive | None) -> None:
    """Return once the client has gone (never without a channel).

    Called after the request body was read whole, so the next message
    is ``http.disconnect``: the client left, or the response ended.
    """
    if receive is None:
        await asyncio.Event().wait()
        return
    while (await receive())["type"] != "http.disconnect":
        pass


def _close(chunks: Iterator[Any]) -> None:
    """End a generator of chunks, running its statements' cleanup."""
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def _request_id(scope: Scope) -> str:
    """The request's id as influxd picks it: the client's ``X-Request-Id``,
    else its ``Request-Id``, else a new version 1 UUID."""
    headers = dict(scope.get("headers", []))
    for name in (b"x-request-id", b"request-id"):
        given = headers.get(name)
        if given:
            return str(given.decode("latin-1"))
    return str(uuid.uuid1())


#: The most bytes of an error influxd puts in ``X-Influxdb-Error``.
_ERROR_HEADER_BYTES = 1024
#: Bytes no header value may hold: Go's net/http writes CR and LF as
#: spaces; the other control characters, which influxd sends raw (an
#: invalid header), are written as spaces too.
_CONTROLS = bytes([*range(0x09), *range(0x0A, 0x20), 0x7F])
_HEADER_SPACES = bytes.maketrans(_CONTROLS, b" " * len(_CONTROLS))


def _error_header(text: str) -> str:
    """The ``X-Influxdb-Error`` value of an error *text*, as influxd sends
    it: the first 1,024 bytes of its UTF-8, line breaks as spaces (the
    value is given as a Latin-1 text of those bytes, which ``_raw``
    encodes back)."""
    data = text.encode("utf-8", "replace")[:_ERROR_HEADER_BYTES]
    return data.translate(_HEADER_SPACES).decode("latin-1")


def _raw(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def _respond(
    send: Send, status: int, headers: Mapping[str, str], body: bytes = b""
) -> None:
    """Send a whole response."""
    await send(
        {"type": "http.response.start", "status": status, "headers": _raw(headers)}
    )
    await send({"type": "http.response.body", "body": body})
