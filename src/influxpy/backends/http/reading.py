"""Reading query results from InfluxDB's HTTP API.

Queries ask for msgpack (the only format that keeps integers apart from
floats) with ``epoch=ns``, and fall back to JSON when a server answers with
it; ``chunk_size`` streams ``chunked=true`` responses. ``_SeriesReader``
decodes a body into series as its bytes arrive, for the sync and async
paths alike.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import msgpack
import orjson

from influxpy._utils import gc_paused
from influxpy.backends.http.errors import MSGPACK
from influxpy.backends.http.retry import Failure
from influxpy.backends.http.sending import HTTPRequests, _detach
from influxpy.exceptions import OperationalError
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled

__all__ = ["HTTPQueries"]

_MSGPACK = MSGPACK
_TIME_EXT = 5


def _decode_time_ext(code: int, data: bytes) -> Any:
    if code == _TIME_EXT and len(data) == 12:
        seconds = int.from_bytes(data[:8], "big", signed=True)
        nanos = int.from_bytes(data[8:], "big")
        return seconds * 1_000_000_000 + nanos
    return msgpack.ExtType(code, data)


def _series_from(raw: Mapping[str, Any]) -> Series:
    # Sorted by key, as InfluxDB's JSON writes them: its msgpack writes a
    # series' tags in Go's map order, which changes from answer to answer.
    tags = raw.get("tags")
    return Series(
        name=raw.get("name", ""),
        tags=dict(sorted(tags.items())) if tags else {},
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
        self._fed = 0
        self._complete = 0
        if _MSGPACK in response.headers.get("Content-Type", ""):
            self._unpacker = msgpack.Unpacker(
                ext_hook=_decode_time_ext, raw=False, max_buffer_size=2**31 - 1
            )

    def feed(self, data: bytes) -> list[Series]:
        """Return the series completed by *data*."""
        if self._unpacker is not None:
            self._unpacker.feed(data)
            self._fed += len(data)
            return self._decode(self._whole_documents(self._unpacker))
        self._buffer += data
        end = self._buffer.rfind(b"\n") if self._stream else -1
        if end < 0:
            return []
        lines = self._buffer[:end].split(b"\n")
        del self._buffer[: end + 1]
        return self._decode(orjson.loads(line) for line in lines if line.strip())

    def finish(self) -> list[Series]:
        """Return the series of what remains once the body has ended.

        A msgpack body that ends inside a value is an error, never a shorter
        answer: influxd 1.6 encodes some values of ``SHOW DIAGNOSTICS``
        wrongly, and its answer cannot be read past them.
        """
        if self._unpacker is not None:
            if self._complete < self._fed:
                msg = (
                    "InfluxDB's msgpack answer to this query ends in the middle "
                    "of a value, so it cannot be read whole (influxd 1.6 encodes "
                    "some values of SHOW DIAGNOSTICS wrongly); no rows of it are "
                    "returned as if complete."
                )
                raise OperationalError(msg)
            return []
        if not self._buffer.strip():
            return []
        return self._decode([orjson.loads(self._buffer)])

    def _whole_documents(self, unpacker: msgpack.Unpacker) -> Iterator[Any]:
        # tell() also moves past a value cut short, so note where each
        # whole document ends.
        for document in unpacker:
            self._complete = unpacker.tell()
            yield document

    def _decode(self, documents: Iterable[Any]) -> list[Series]:
        # Decoding a piece makes a list per row: without the collector,
        # whose full passes would otherwise go over every row read so far
        # (``gc_paused``).
        with gc_paused():
            return [series for doc in documents for series in self._series_of(doc)]


class HTTPQueries(HTTPRequests):
    """Queries of ``HTTPBackend``: statements sent to ``/query`` and their
    series read back, streamed or whole.
    """

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

    def _query_headers(self, *, json: bool = False) -> dict[str, str]:
        headers = {"Accept": "application/json" if json else _MSGPACK}
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
