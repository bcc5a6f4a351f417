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
total bound ``retry_timeout`` (``_retry.RetryPolicy``). Every failure is
mapped into ``influxpy.exceptions`` from a plain summary of the attempt
(``_http_errors``).

Credentials travel in an ``Authorization`` header by default (``auth=query``
sends ``u`` and ``p`` parameters instead). They are kept out of reach of
tools that show the locals of a traceback's frames: the header's text lives
in a closure, each request has its credentials removed once sent, each
response lets go of the transport's copy of the request once read, and no
error raised here is chained to an ``httpx`` error.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import logging
import ssl
import threading
import time
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import msgpack
import orjson

from influxpy._utils import achunks, chunks
from influxpy.backends._http_errors import MSGPACK, HTTPErrors
from influxpy.backends._http_options import (
    HTTPOptions,
    _ssl_context,
    credentials_auth,
    query_auth,
    scrub_logs,
)
from influxpy.backends._retry import Failure, RetryPolicy
from influxpy.backends.base import (
    DEFAULT_BATCH_SIZE,
    Backend,
    counting_written,
    note_written,
)
from influxpy.backends.influxql_schema import (
    InfluxQLIntrospection,
    InfluxQLSchemaEditor,
)
from influxpy.compilers.influxql import InfluxQLCompiler
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy._types import Measurement
    from influxpy.compilers.base import Compiled
    from influxpy.urls import DatabaseURL

__all__ = ["HTTPBackend", "HTTPOptions"]

logger = logging.getLogger("influxpy")

_MSGPACK = MSGPACK
_TIME_EXT = 5
#: What a response's stream becomes once the response is done with.
_DONE = httpx.ByteStream(b"")


def _setting(event: threading.Event | asyncio.Event) -> Callable[[Any], None]:
    """A callback that sets *event* when a future is done, whatever its end."""

    def set_event(_future: Any) -> None:
        event.set()

    return set_event


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _decode_time_ext(code: int, data: bytes) -> Any:
    if code == _TIME_EXT and len(data) == 12:
        seconds = int.from_bytes(data[:8], "big", signed=True)
        nanos = int.from_bytes(data[8:], "big")
        return seconds * 1_000_000_000 + nanos
    return msgpack.ExtType(code, data)


def _series_from(raw: Mapping[str, Any]) -> Series:
    return Series(
        name=raw.get("name", ""),
        tags=dict(raw.get("tags") or {}),
        columns=list(raw.get("columns") or []),
        values=raw.get("values") or [],
        partial=bool(raw.get("partial", False)),
    )


class _SeriesReader:
    """Decode a ``/query`` response body into series as its bytes arrive.

    The sync and async paths feed it the pieces they read. Msgpack is decoded
    incrementally; JSON line by line when streamed (one document a line),
    whole otherwise.
    """

    def __init__(
        self,
        response: httpx.Response,
        series_of: Callable[[Any], Iterator[Series]],
        *,
        stream: bool,
    ) -> None:
        self._series_of = series_of
        self._stream = stream
        self._buffer = bytearray()
        self._unpacker: msgpack.Unpacker | None = None
        if _MSGPACK in response.headers.get("Content-Type", ""):
            self._unpacker = msgpack.Unpacker(
                ext_hook=_decode_time_ext, raw=False, max_buffer_size=2**31 - 1
            )

    def feed(self, data: bytes) -> list[Series]:
        """Return the series completed by *data*."""
        if self._unpacker is not None:
            self._unpacker.feed(data)
            return self._decode(self._unpacker)
        self._buffer += data
        end = self._buffer.rfind(b"\n") if self._stream else -1
        if end < 0:
            return []
        lines = self._buffer[:end].split(b"\n")
        del self._buffer[: end + 1]
        return self._decode(orjson.loads(line) for line in lines if line.strip())

    def finish(self) -> list[Series]:
        """Return the series of what remains once the body has ended."""
        if self._unpacker is not None or not self._buffer.strip():
            return []
        return self._decode([orjson.loads(self._buffer)])

    def _decode(self, documents: Iterable[Any]) -> list[Series]:
        return [series for doc in documents for series in self._series_of(doc)]


def _forget_credentials(request: httpx.Request) -> None:
    """Remove the credentials from a request that has been sent.

    Responses and ``httpx`` errors keep their request; once sent, it needs
    no credentials.
    """
    request.headers.pop("Authorization", None)
    if "p" in request.url.params or "u" in request.url.params:
        request.url = request.url.copy_remove_param("p").copy_remove_param("u")


def _detach(response: httpx.Response) -> None:
    """Let a closed response go of its stream, which holds the transport's
    own copy of the request (with the credentials) and the connection pool.
    """
    response.stream = _DONE


class HTTPBackend(HTTPErrors, Backend):
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
        # One configuration for the sync client and every async one.
        self._client_options: dict[str, Any] = {
            "base_url": self.base_url,
            "headers": {"User-Agent": "influxpy"},
            "auth": auth,
            "timeout": self.options.timeout,
            "verify": verify,
        }
        self._client = httpx.Client(**self._client_options, transport=transport)
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

    # -- requests and retries ------------------------------------------------

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
        try:
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
        lines: list[str] | None = None,
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
                    outcome, attempt, database=database, lines=lines, written=written
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
        lines: list[str] | None = None,
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
                    outcome, attempt, database=database, lines=lines, written=written
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

    def execute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[Series]:
        """Run one statement; yield its series (streamed with *chunk_size*)."""
        method, params, db = self._query_params(compiled, database, chunk_size)
        return self._results(method, params, db, stream=bool(chunk_size))

    async def aexecute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> AsyncGenerator[Series, None]:
        """Async form of ``execute()``, on the event loop's ``httpx.AsyncClient``."""
        method, params, db = self._query_params(compiled, database, chunk_size)
        response = await self._asend(
            method,
            "/query",
            params=params,
            headers=self._query_headers(),
            stream=True,
            database=db,
        )
        failure: Failure | None = None
        try:
            reader = self._reader(response, db, stream=bool(chunk_size))
            try:
                async for piece in response.aiter_bytes():
                    for series in reader.feed(piece):
                        yield series
            except httpx.TransportError as exc:
                failure = self._transport_failure(exc)
            else:
                for series in reader.finish():
                    yield series
        finally:
            await response.aclose()
            _detach(response)
        if failure is not None:
            self._raise_transport(failure, 0)

    def _query_params(
        self, compiled: Compiled, database: str | None, chunk_size: int | None
    ) -> tuple[str, dict[str, str], str | None]:
        """The method, parameters and database of a ``/query`` request."""
        params = {"q": compiled.text, "epoch": "ns"}
        db = database or self.database
        if db:
            params["db"] = db
        if self.options.rp and not compiled.writes:
            params["rp"] = self.options.rp
        if compiled.params:
            params["params"] = orjson.dumps(dict(compiled.params)).decode()
        if chunk_size:
            params["chunked"] = "true"
            params["chunk_size"] = str(chunk_size)
        method = "POST" if compiled.writes else "GET"
        return method, params, db

    def _query_headers(self) -> dict[str, str]:
        headers = {"Accept": _MSGPACK}
        if not self._gzip:
            # Compressing costs the server more than the bytes save on loopback.
            headers["Accept-Encoding"] = "identity"
        return headers

    def _reader(
        self, response: httpx.Response, database: str | None, *, stream: bool
    ) -> _SeriesReader:
        def series_of(document: Any) -> Iterator[Series]:
            return self._series_of(document, database)

        return _SeriesReader(response, series_of, stream=stream)

    def _results(
        self, method: str, params: dict[str, str], database: str | None, *, stream: bool
    ) -> Iterator[Series]:
        response = self._send(
            method,
            "/query",
            params=params,
            headers=self._query_headers(),
            stream=True,
            database=database,
        )
        failure: Failure | None = None
        try:
            reader = self._reader(response, database, stream=stream)
            try:
                for piece in response.iter_bytes():
                    yield from reader.feed(piece)
            except httpx.TransportError as exc:
                failure = self._transport_failure(exc)
            else:
                yield from reader.finish()
        finally:
            response.close()
            _detach(response)
        if failure is not None:
            # Raised here, outside the except block: not chained to httpx's error.
            self._raise_transport(failure, 0)

    def _series_of(self, document: Any, database: str | None) -> Iterator[Series]:
        if "error" in document and "results" not in document:
            self._statement_error(str(document["error"]), database)
        for result in document.get("results", ()):
            if "error" in result:
                self._statement_error(str(result["error"]), database)
            for raw in result.get("series", ()):
                yield _series_from(raw)

    def query(self, text: str, *, database: str | None = None) -> list[Series]:
        """Run a raw InfluxQL statement and return its series.

        This is the escape hatch for statements the QuerySet does not build;
        prefer QuerySets, which quote and escape everything.
        """
        from influxpy.compilers.base import Compiled

        upper = text.lstrip().upper()
        writes = (
            not upper.startswith(("SELECT", "SHOW", "EXPLAIN")) or " INTO " in upper
        )
        return list(self.execute(Compiled(text, writes=writes), database=database))

    # -- writes --------------------------------------------------------------

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="influxpy-write")
            return self._pool

    def _write_request(
        self, body: bytes, database: str, retention_policy: str | None
    ) -> dict[str, Any]:
        """The parameters, body and headers of a ``/write`` request."""
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self._gzip:
            body = gzip.compress(body, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        params = {"db": database}
        rp = retention_policy or self.options.rp
        if rp:
            params["rp"] = rp
        return {"params": params, "content": body, "headers": headers}

    @staticmethod
    def _encode_body(
        encode: Callable[[list[Any]], list[str]], batch: list[Any]
    ) -> tuple[bytes, list[str]]:
        lines = encode(batch)
        return "\n".join(lines).encode("utf-8", "surrogatepass"), lines

    def _post_body(
        self,
        body: bytes,
        lines: list[str],
        database: str,
        retention_policy: str | None,
        written: int,
        sent: threading.Event | None = None,
    ) -> None:
        request = self._write_request(body, database, retention_policy)
        if sent is not None:

            def trace(event: str, _info: object) -> None:
                if event == "http11.send_request_body.complete":
                    sent.set()

            request["extensions"] = {"trace": trace}
        self._send(
            "POST", "/write", **request, database=database, lines=lines, written=written
        )

    async def _apost_body(
        self,
        body: bytes,
        lines: list[str],
        database: str,
        retention_policy: str | None,
        written: int,
        sent: asyncio.Event | None = None,
    ) -> int:
        request = self._write_request(body, database, retention_policy)
        if sent is not None:

            async def trace(event: str, _info: object) -> None:
                if event == "http11.send_request_body.complete":
                    sent.set()

            request["extensions"] = {"trace": trace}
        await self._asend(
            "POST", "/write", **request, database=database, lines=lines, written=written
        )
        return len(lines)

    def _write_batches(
        self,
        batches: Iterable[list[Any]],
        encode: Callable[[list[Any]], list[str]],
        database: str | None,
        retention_policy: str | None,
    ) -> int:
        """Encode the next batch while the server works on the one in flight.

        One writer thread sends the batches in order, so the server sees them
        one at a time, as written; at most two encoded batches wait, so
        memory stays flat. After a failure no later batch is sent, and the
        count of points written is exact: any error leaving carries it
        (``note_written()``). The first batch, often the only one
        (``save()``, the batch writer), is sent from the calling thread: no
        hand-over, and no executor, which refuses work once the interpreter
        is exiting.
        """
        db = self.resolve_database(database)
        self.check_open()
        state = {"written": 0, "failed": False}
        with counting_written(lambda: int(state["written"])):
            return self._write_each(batches, encode, db, retention_policy, state)

    def _write_each(
        self,
        batches: Iterable[list[Any]],
        encode: Callable[[list[Any]], list[str]],
        db: str,
        retention_policy: str | None,
        state: dict[str, Any],
    ) -> int:
        """The body of ``_write_batches()``, which counts into *state*."""

        def post(
            body: bytes, lines: list[str], sent: threading.Event | None = None
        ) -> None:
            if state["failed"]:
                return
            try:
                self._post_body(
                    body, lines, db, retention_policy, int(state["written"]), sent
                )
            except BaseException:
                state["failed"] = True
                raise
            state["written"] += len(lines)

        pending: deque[tuple[Future[None], threading.Event]] = deque()
        try:
            for number, batch in enumerate(batches):
                body, lines = self._encode_body(encode, batch)
                if number == 0:
                    post(body, lines)
                    continue
                sent = threading.Event()
                future = self._executor().submit(post, body, lines, sent)
                future.add_done_callback(_setting(sent))
                pending.append((future, sent))
                while len(pending) > 1:
                    pending.popleft()[0].result()
                # Encode the next batch once this one's body is out, while the
                # server works on it: encoding during the send would hold the
                # GIL the writer thread needs to send it.
                pending[0][1].wait()
            while pending:
                pending.popleft()[0].result()
        finally:
            # An error while encoding or sending: no new batch is sent, and the
            # one in flight finishes so the count of written points is true.
            state["failed"] = state["failed"] or bool(pending)
            wait([future for future, _sent in pending])
        return int(state["written"])

    def write(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Encode and write model instances; return how many were written."""
        encoder = model._meta.encoder
        return self._write_batches(
            chunks(objs, batch_size), encoder.encode_many, database, retention_policy
        )

    def write_lines(
        self,
        lines: Iterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write ready-made line-protocol lines; return how many were written."""
        return self._write_batches(
            chunks(lines, batch_size), list, database, retention_policy
        )

    async def _awrite_batches(
        self,
        batches: AsyncIterator[list[Any]],
        encode: Callable[[list[Any]], list[str]],
        database: str | None,
        retention_policy: str | None,
    ) -> int:
        """Async form of ``_write_batches()``: in order, one batch in flight.

        Batches are encoded in a worker thread, so the event loop stays free
        and the batch in flight goes on meanwhile. Any error leaving carries
        the count of points written (``note_written()``).
        """
        db = self.resolve_database(database)
        self.check_open()
        written = 0
        in_flight: asyncio.Task[int] | None = None
        try:
            async for batch in batches:
                if encode is list:
                    # Ready lines only need joining, which is quick: no thread.
                    body, lines = self._encode_body(encode, batch)
                else:
                    body, lines = await asyncio.to_thread(
                        self._encode_body, encode, batch
                    )
                if in_flight is not None:
                    task, in_flight = in_flight, None
                    written += await task
                sent = asyncio.Event()
                in_flight = asyncio.ensure_future(
                    self._apost_body(body, lines, db, retention_policy, written, sent)
                )
                in_flight.add_done_callback(_setting(sent))
                # As in _write_batches(): the next batch is encoded in a thread
                # once this one's body is out, not while the loop sends it.
                await sent.wait()
            if in_flight is not None:
                task, in_flight = in_flight, None
                written += await task
        except BaseException as error:
            if in_flight is not None:
                # An error while encoding: the batch in flight still finishes,
                # and counts if it was written.
                await asyncio.wait([in_flight])
                if not in_flight.cancelled() and in_flight.exception() is None:
                    written += in_flight.result()
            note_written(error, written)
            raise
        return written

    async def awrite(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement] | AsyncIterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Async form of ``write()``; *objs* may also be an async iterable."""
        return await self._awrite_batches(
            achunks(objs, batch_size),
            model._meta.encoder.encode_many,
            database,
            retention_policy,
        )

    async def awrite_lines(
        self,
        lines: Iterable[str] | AsyncIterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Async form of ``write_lines()``; *lines* may be an async iterable."""
        return await self._awrite_batches(
            achunks(lines, batch_size), list, database, retention_policy
        )

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
        self._client.close()
        if failure is not None:
            raise failure
