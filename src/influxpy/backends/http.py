"""InfluxDB over its HTTP API (1.x, and 2.x/3.x through the v1 endpoints).

One keep-alive ``httpx.Client`` per connection and, for asyncio, one
``httpx.AsyncClient`` per event loop, made on first use from the same
configuration and closed by ``aclose()`` or when its loop shuts down. The
sync and async paths share request building, the retry decision, response
decoding and error mapping; they differ only in how they wait. Writes send
nanosecond line
protocol without a ``precision`` parameter (reference §1.4), gzip-compressed
unless ``gzip=false``, and overlap encoding the next batch with the request
in flight. Queries ask for msgpack (the only format that keeps integers
apart from floats) with ``epoch=ns``, and fall back to JSON when a server
answers with it; ``chunk_size`` streams ``chunked=true`` responses.

Connection errors, 5xx and 429 are retried with exponential backoff and
full jitter, within a total time bound. Every other failure is mapped into
``influxpy.exceptions`` at one place, ``_map_error``; credentials are
scrubbed from anything shown.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import ipaddress
import logging
import os
import random
import re
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
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import httpx
import msgpack
import orjson

from influxpy._utils import achunks, chunks, suggest
from influxpy.backends.base import DEFAULT_BATCH_SIZE, Backend
from influxpy.compilers.influxql import InfluxQLCompiler
from influxpy.exceptions import (
    AuthenticationError,
    DatabaseError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    ImproperlyConfigured,
    InterfaceError,
    OperationalError,
    PartialWriteError,
    ProgrammingError,
)
from influxpy.lineprotocol import field_types_of
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled
    from influxpy.connection import DatabaseURL
    from influxpy.models import InfluxMeasurement

__all__ = ["HTTPBackend", "HTTPOptions"]

logger = logging.getLogger("influxpy")

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MSGPACK = "application/x-msgpack"
_TIME_EXT = 5
_PARSE_ERROR = re.compile(r"unable to parse '(?P<line>.*)': (?P<reason>.*?)$")
_TYPE_CONFLICT = re.compile(
    r'field type conflict: input field "(?P<field>.*)" on measurement '
    r'"(?P<measurement>.*)" is type (?P<got>\w+), already exists as type '
    r"(?P<stored>\w+)"
)
_DROPPED = re.compile(r"dropped=(\d+)")
_NOT_FOUND_DB = re.compile(r'database not found: "?(?P<db>[^"]*)"?')


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    msg = f"The connection option {name!r} takes true or false; got {value!r}."
    raise ImproperlyConfigured(msg)


def _parse_number(name: str, value: str, kind: type, minimum: float) -> Any:
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        what = "a whole number" if kind is int else "a number"
        msg = (
            f"The connection option {name!r} takes {what} of at least "
            f"{minimum:g}; got {value!r}."
        )
        raise ImproperlyConfigured(msg)
    return number


@dataclasses.dataclass(frozen=True)
class HTTPOptions:
    """Options of an HTTP connection, from the URL's query string or keywords.

    ``timeout`` seconds per request; ``retries`` extra attempts on connection
    errors, 5xx and 429 with ``retry_timeout`` seconds in all; ``gzip``
    compresses write bodies (``auto``, the default, compresses unless the
    server is on a loopback address, where compressing only costs CPU);
    ``rp`` is the default retention policy; ``token`` sends
    ``Authorization: Token …`` (2.x, 3.x, 1.8+); ``chunk_size`` rows per
    chunk when streaming; ``verify`` checks TLS
    certificates (``false`` or a CA bundle path); ``auth`` sends credentials
    as a ``basic`` header or as ``query`` parameters ``u``/``p``.
    """

    timeout: float = 10.0
    retries: int = 3
    retry_timeout: float = 30.0
    gzip: bool | None = None
    rp: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)
    chunk_size: int = 10_000
    verify: bool | str = True
    auth: str = "basic"

    @classmethod
    def from_mapping(cls, options: Mapping[str, str]) -> HTTPOptions:
        """Parse and check string options; unknown names are refused."""
        names = [f.name for f in dataclasses.fields(cls)]
        values: dict[str, Any] = {}
        for name, raw in options.items():
            if name not in names:
                valid = ", ".join(sorted(names))
                hint = suggest(name, names)
                msg = (
                    f"Unknown connection option {name!r} for an InfluxDB URL; "
                    f"valid options are: {valid}.{hint}"
                )
                raise ImproperlyConfigured(msg)
            if name in ("timeout", "retry_timeout"):
                values[name] = _parse_number(name, raw, float, 0.001)
            elif name in ("retries",):
                values[name] = _parse_number(name, raw, int, 0)
            elif name == "chunk_size":
                values[name] = _parse_number(name, raw, int, 1)
            elif name == "gzip":
                values[name] = None if raw == "auto" else _parse_bool(name, raw)
            elif name == "verify":
                lowered = raw.strip().lower()
                is_flag = lowered in ("0", "1", "true", "false", "yes", "no")
                values[name] = _parse_bool(name, raw) if is_flag else raw
            elif name == "auth":
                if raw not in ("basic", "query"):
                    msg = (
                        f"The connection option 'auth' takes 'basic' or 'query'; "
                        f"got {raw!r}."
                    )
                    raise ImproperlyConfigured(msg)
                values[name] = raw
            else:
                values[name] = raw or None
        return cls(**values)


def _ssl_context(path: str) -> ssl.SSLContext:
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        msg = (
            "The connection option 'verify' takes true, false or the path of a "
            f"CA bundle; cannot load {path!r}: {reason}."
        )
        raise ImproperlyConfigured(msg) from None


class _ScrubSecrets(logging.Filter):
    """Hide credentials in httpx's request log lines.

    With ``auth=query`` the password travels in the URL, which httpx logs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()

    def add(self, secret: str) -> None:
        encoded = str(httpx.QueryParams({"p": secret}))[2:]
        self.secrets = self.secrets | {secret, encoded}

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets
        if secrets:
            text = record.getMessage()
            scrubbed = text
            for secret in secrets:
                scrubbed = scrubbed.replace(secret, "***")
            if scrubbed != text:
                record.msg, record.args = scrubbed, None
        return True


_SCRUBBER = _ScrubSecrets()


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


class HTTPBackend(Backend):
    """A connection to InfluxDB's HTTP API.

    Pass ``transport`` (an ``httpx`` transport) to record or fake exchanges;
    behaviour is otherwise that of the real server. A transport that also
    serves async requests (``httpx.MockTransport`` does) is used by the
    async clients too; ``async_transport`` gives them another.
    """

    compiler_class: ClassVar[type[InfluxQLCompiler]] = InfluxQLCompiler
    vendor: ClassVar[str] = "influxdb"

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
        scheme = "https" if url.scheme in ("influxdbs", "https") else "http"
        host = url.host or "localhost"
        if ":" in host:
            host = f"[{host}]"
        self.base_url = f"{scheme}://{host}:{url.port or 8086}"
        self._compiler = InfluxQLCompiler()
        self._gzip = self.options.gzip
        if self._gzip is None:
            self._gzip = not _is_loopback(url.host or "localhost")
        headers = {"User-Agent": "influxpy"}
        auth: httpx.Auth | None = None
        self._auth_params: dict[str, str] = {}
        if self.options.token:
            headers["Authorization"] = f"Token {self.options.token}"
        elif url.username is not None:
            if self.options.auth == "query":
                self._auth_params = {"u": url.username, "p": url.password or ""}
                if url.password:
                    _SCRUBBER.add(url.password)
                    httpx_logger = logging.getLogger("httpx")
                    if _SCRUBBER not in httpx_logger.filters:
                        httpx_logger.addFilter(_SCRUBBER)
            else:
                auth = httpx.BasicAuth(url.username, url.password or "")
        verify: bool | ssl.SSLContext = (
            _ssl_context(self.options.verify)
            if isinstance(self.options.verify, str)
            else self.options.verify
        )
        # One configuration for the sync client and every async one.
        self._client_options: dict[str, Any] = {
            "base_url": self.base_url,
            "headers": headers,
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

    # -- requests, retries and errors ---------------------------------------

    def _redact(self, text: str) -> str:
        return self.url.redact(text)

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return float(retry_after)
        return random.uniform(0, min(8.0, 0.1 * 2**attempt))

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
            params={**params, **self._auth_params},
            content=content,
            headers=headers,
            extensions=extensions,
        )

    def _retry_wait(
        self,
        attempt: int,
        deadline: float,
        request: httpx.Request,
        response: httpx.Response | None,
        error: httpx.TransportError | None,
    ) -> float | None:
        """Decide what follows an attempt: ``None`` to return *response*, or
        the seconds to wait before trying again.

        Shared by the sync and async senders. Out of attempts after a
        connection error, it raises the mapped error.
        """
        if response is not None and (
            response.status_code not in _RETRY_STATUSES or self._is_permanent(response)
        ):
            return None
        wait = self._backoff(attempt, response)
        if attempt >= self.options.retries or time.monotonic() + wait > deadline:
            if response is not None:
                return None
            assert error is not None
            self._raise_transport(error, attempt)
        reason = (
            f"HTTP {response.status_code}"
            if response is not None
            else type(error).__name__
        )
        logger.warning(
            "InfluxDB at %s: %s on %s %s; retrying in %.2fs (attempt %d of %d).",
            self.base_url,
            reason,
            request.method,
            request.url.path,
            wait,
            attempt + 1,
            self.options.retries,
        )
        return wait

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
    ) -> httpx.Response:
        """Send one request, retrying transient failures; map every error."""
        deadline = time.monotonic() + self.options.retry_timeout
        attempt = 0
        while True:
            request = self._request(method, path, params, content, headers, extensions)
            response, error = None, None
            try:
                response = self._client.send(request, stream=stream)
            except httpx.TransportError as exc:
                error = exc
            wait = self._retry_wait(attempt, deadline, request, response, error)
            if wait is None and response is not None:
                return response
            if response is not None:
                response.close()
            time.sleep(wait or 0.0)
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
    ) -> httpx.Response:
        """Async form of ``_send()``, on the event loop's client."""
        client = await self._async_client()
        deadline = time.monotonic() + self.options.retry_timeout
        attempt = 0
        while True:
            request = self._request(method, path, params, content, headers, extensions)
            response, error = None, None
            try:
                response = await client.send(request, stream=stream)
                if response.status_code in _RETRY_STATUSES:
                    # The retry decision and the error mapping read the body.
                    await response.aread()
            except httpx.TransportError as exc:
                error = exc
            wait = self._retry_wait(attempt, deadline, request, response, error)
            if wait is None and response is not None:
                return response
            if response is not None:
                await response.aclose()
            await asyncio.sleep(wait or 0.0)
            attempt += 1

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

    @staticmethod
    def _is_permanent(response: httpx.Response) -> bool:
        # 1.x answers 500 for an unknown retention policy: retrying is useless.
        if response.status_code != 500:
            return False
        response.read()
        return "retention policy not found" in response.text

    def _raise_transport(self, error: Exception, attempts: int) -> NoReturn:
        detail = self._redact(str(error)) or type(error).__name__
        tries = attempts + 1
        tried = "1 attempt" if tries == 1 else f"{tries} attempts"
        if isinstance(error, httpx.TimeoutException):
            msg = (
                f"InfluxDB at {self.base_url} did not answer within "
                f"{self.options.timeout:g}s ({tried}): {detail}. Raise "
                "the connection option 'timeout' for slow queries."
            )
            raise OperationalError(msg) from None
        msg = (
            f"Cannot reach InfluxDB at {self.base_url} ({tried}): "
            f"{detail}. Check that the server is running and the URL is right."
        )
        raise InterfaceError(msg) from None

    def _error_text(self, response: httpx.Response) -> str:
        try:
            response.read()
            if _MSGPACK in response.headers.get("Content-Type", ""):
                body = msgpack.unpackb(response.content, raw=False)
            else:
                body = response.json()
        except (ValueError, httpx.HTTPError):
            body = None
        if isinstance(body, dict):
            text = body.get("error") or body.get("message") or ""
        else:
            text = response.headers.get("X-Influxdb-Error", "") or response.text
        return self._redact(str(text).strip())

    def _map_error(
        self,
        response: httpx.Response,
        *,
        database: str | None,
        lines: list[str] | None = None,
        written: int = 0,
    ) -> NoReturn:
        """Raise the influxpy exception matching a failed response."""
        status = response.status_code
        text = self._error_text(response)
        where = f"InfluxDB at {self.base_url}"
        done = ""
        if written:
            done = f" {written} points of earlier batches were written."
        if status in (401, 403):
            user = self.url.username
            who = f" for user {user!r}" if user else ""
            hint = (
                ""
                if user or self.options.token
                else " Put credentials in the URL: influxdb://user:password@host/db."
            )
            msg = f"{where} refused the request{who} (HTTP {status}): {text}.{hint}"
            error: DatabaseError = AuthenticationError(msg)
        elif status == 404 and "database not found" in text:
            match = _NOT_FOUND_DB.search(text)
            name = match["db"] if match else (database or "")
            msg = (
                f"The database {name!r} does not exist on {where}. Create it "
                f"with influxpy.connect(...).create_database({name!r}) or the "
                f'statement CREATE DATABASE "{name}".{done}'
            )
            error = DatabaseNotFoundError(msg)
        elif status == 404 and "no dbrp mapping" in text:
            # InfluxDB 2.x: the v1 database and retention policy map to no bucket.
            name = database or ""
            msg = (
                f"The database {name!r} maps to no bucket on {where} ({text}). "
                "On InfluxDB 2.x, create a bucket and a DBRP mapping for it "
                f"(influx v1 dbrp create).{done}"
            )
            error = DatabaseNotFoundError(msg)
        elif "retention policy not found" in text:
            msg = f"{where} has no such retention policy: {text}.{done}"
            error = ProgrammingError(msg)
        elif status == 413:
            msg = (
                f"{where} refused a request body as too large (HTTP 413); pass a "
                f"smaller batch_size.{done}"
            )
            error = OperationalError(msg)
        elif status == 400 and lines is not None:
            error = self._write_rejection(text, lines, written)
        elif status == 400:
            msg = f"{where} rejected the statement: {text}."
            error = ProgrammingError(msg)
        else:
            msg = (
                f"{where} failed with HTTP {status}: {text or response.reason_phrase}."
            )
            msg += done
            error = OperationalError(msg)
        error.written = written
        raise error

    def _write_rejection(
        self, text: str, lines: list[str], written: int
    ) -> PartialWriteError:
        dropped_match = _DROPPED.search(text)
        dropped = int(dropped_match.group(1)) if dropped_match else 0
        partial = text.startswith("partial write")
        done = f" {written} points of earlier batches were written." if written else ""
        conflict = _TYPE_CONFLICT.search(text)
        if conflict or "field type conflict" in text:
            rejected: list[str] = []
            if conflict:
                rejected = [
                    line
                    for line in lines
                    if field_types_of(line, conflict["measurement"]).get(
                        conflict["field"]
                    )
                    == conflict["got"]
                ]
            else:
                rejected = list(lines)
            some_kept = partial and (dropped or len(rejected)) < len(lines)
            kept = (
                "the other points were written" if some_kept else "no point was written"
            )
            msg = (
                f"InfluxDB rejected {dropped or len(rejected)} of {len(lines)} points "
                f"because of a field type conflict ({kept}): {text}.{done}"
            )
            return FieldTypeConflictError(
                msg,
                lines=rejected,
                dropped=dropped or len(rejected),
                reason=text,
                written=written,
            )
        bad = [m["line"] for m in map(_PARSE_ERROR.search, text.split("\n")) if m]
        if not bad and not partial:
            bad = list(lines)
        some_kept = partial and len(bad) + dropped < len(lines)
        kept = "the other points were written" if some_kept else "no point was written"
        msg = (
            f"InfluxDB rejected {len(bad) + dropped} of {len(lines)} points "
            f"({kept}): {text}.{done}"
        )
        return PartialWriteError(
            msg, lines=bad, dropped=dropped, reason=text, written=written
        )

    # -- queries -------------------------------------------------------------

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
            method, "/query", params=params, headers=self._query_headers(), stream=True
        )
        try:
            if response.status_code >= 300:
                await response.aread()
                self._map_error(response, database=db)
            reader = self._reader(response, db, stream=bool(chunk_size))
            async for piece in response.aiter_bytes():
                for series in reader.feed(piece):
                    yield series
            for series in reader.finish():
                yield series
        except httpx.TransportError as exc:
            self._raise_transport(exc, 0)
        finally:
            await response.aclose()

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
            method, "/query", params=params, headers=self._query_headers(), stream=True
        )
        try:
            if response.status_code >= 300:
                self._map_error(response, database=database)
            reader = self._reader(response, database, stream=stream)
            for piece in response.iter_bytes():
                yield from reader.feed(piece)
            yield from reader.finish()
        except httpx.TransportError as exc:
            self._raise_transport(exc, 0)
        finally:
            response.close()

    def _series_of(self, document: Any, database: str | None) -> Iterator[Series]:
        if "error" in document and "results" not in document:
            self._statement_error(str(document["error"]), database)
        for result in document.get("results", ()):
            if "error" in result:
                self._statement_error(str(result["error"]), database)
            for raw in result.get("series", ()):
                yield _series_from(raw)

    def _statement_error(self, text: str, database: str | None) -> NoReturn:
        text = self._redact(text)
        if text.startswith("database not found"):
            match = _NOT_FOUND_DB.search(text)
            name = match["db"] if match else (database or "")
            msg = (
                f"The database {name!r} does not exist on InfluxDB at "
                f"{self.base_url}. Create it with influxpy.connect(...)"
                f".create_database({name!r})."
            )
            raise DatabaseNotFoundError(msg)
        msg = f"InfluxDB at {self.base_url} rejected the query: {text}."
        raise ProgrammingError(msg)

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
        response = self._send("POST", "/write", **request)
        if response.status_code >= 300:
            self._map_error(response, database=database, lines=lines, written=written)

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
        response = await self._asend("POST", "/write", **request)
        if response.status_code >= 300:
            self._map_error(response, database=database, lines=lines, written=written)
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
        count of points written is exact. The first batch, often the only
        one (``save()``, the batch writer), is sent from the calling thread:
        no hand-over, and no executor, which refuses work once the
        interpreter is exiting.
        """
        db = self.resolve_database(database)
        state = {"written": 0, "failed": False}

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
        model: type[InfluxMeasurement],
        objs: Iterable[InfluxMeasurement],
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
        and the batch in flight goes on meanwhile.
        """
        db = self.resolve_database(database)
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
        finally:
            if in_flight is not None:
                # An error while encoding: the batch in flight still finishes,
                # so the count of points written is true.
                await asyncio.wait([in_flight])
                if not in_flight.cancelled():
                    in_flight.exception()
        return written

    async def awrite(
        self,
        model: type[InfluxMeasurement],
        objs: Iterable[InfluxMeasurement] | AsyncIterable[InfluxMeasurement],
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
        """Return the server's version (``X-Influxdb-Version``)."""
        response = self._send("GET", "/ping", params={})
        if response.status_code >= 300:
            self._map_error(response, database=None)
        return str(response.headers.get("X-Influxdb-Version", "unknown"))

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
        """Close this event loop's async client, then what ``close()`` closes."""
        with self._pool_lock:
            entry = self._async_clients.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[1].aclose()
        self.close()

    def close(self) -> None:
        """Close the HTTP client and the writer thread.

        Async clients close with ``aclose()`` or when their event loop ends.
        """
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._client.close()
