"""``/query`` of ``influxpy serve``: statements run, answers rendered.

A request's text is parsed and run on a worker thread (the engine's
calls block); the answer goes back whole, or chunked as influxd's
``chunked=true`` streams it, in JSON, CSV or MessagePack, gzipped when
the client takes it. A client that leaves a chunked answer ends its
query.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from influxpy.exceptions import InfluxQLParseError
from influxpy.influxql.scanner import GO_SPACE
from influxpy.results import StatementResult
from influxpy.server.answers import (
    DEFAULT_CHUNK_SIZE,
    Notes,
    answer_chunks,
    collect,
    prepend,
)
from influxpy.server.compress import GzipStream, accepts_gzip, gzip_body
from influxpy.server.exchange import (
    CSV,
    MSGPACK,
    Receive,
    Refusal,
    Request,
    Send,
    raw_headers,
    respond,
)
from influxpy.server.go_json import ParamsError, decode_params
from influxpy.server.render import (
    CSVWriter,
    Result,
    json_document,
    msgpack_document,
    pretty,
)
from influxpy.server.statements import parse_text, run_parsed

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["QueryRoute"]

_LOG = logging.getLogger("influxpy.server")

#: Runs a blocking call on a worker thread and awaits its result.
Runner = Callable[..., Awaitable[Any]]


class QueryRoute:
    """The ``/query`` handler of one application: *backend* runs the
    statements, *run* puts each blocking step on a worker thread."""

    def __init__(self, backend: Backend, run: Runner) -> None:
        self.backend = backend
        self._run = run
        #: The async queries still running (``async=true``).
        self._tasks: set[asyncio.Future[Any]] = set()

    async def __call__(
        self, request: Request, base: dict[str, str], send: Send
    ) -> None:
        """Answer one ``/query`` request (its credentials already checked)."""
        params = request.params
        text = params.get("q", "").strip(GO_SPACE)
        if not text:
            # A blank ``q`` is missing, unless a form uploads ``q`` as a file.
            upload = request.files.get("q")
            if upload is None:
                raise Refusal(400, 'missing required parameter "q"')
            text = upload.decode("utf-8", "replace")
        bound: dict[str, Any] | None = None
        if params.get("params"):
            try:
                bound = decode_params(params["params"])
            except ParamsError as exc:
                raise Refusal(400, str(exc)) from None
        chunked = params.get("chunked") == "true"
        chunk_size = DEFAULT_CHUNK_SIZE
        if chunked and params.get("chunk_size", "").isdigit():
            chunk_size = int(params["chunk_size"]) or DEFAULT_CHUNK_SIZE
        fmt = request.format()
        epoch = params.get("epoch") or None

        # The engine's default_retention_policy(database) names a database's.
        engine: Any = self.backend
        notes = Notes(params.get("db", ""), engine.default_retention_policy)

        asynchronous = params.get("async") == "true"

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
            if asynchronous:
                return results
            # Parse errors surface on the first step: take it here.
            iterator = iter(results)
            first = next(iterator, None)
            if first is None:
                return iter(())
            return prepend(first, iterator)

        try:
            statements = await self._run(start)
        except InfluxQLParseError as exc:
            raise Refusal(400, str(exc)) from None
        if asynchronous:
            # influxd answers 204 at once and runs the statements on its own.
            self._background(statements)
            await respond(send, 204, base)
            return
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
            if fmt == CSV:
                return CSVWriter(epoch).write(results).encode()
            if fmt == MSGPACK:
                return msgpack_document(results, epoch)
            body = json_document(results, epoch)
            return (pretty(body) if indent else body) + b"\n"

        def answer() -> bytes:
            body = render()
            return body if stream is None else gzip_body(body)

        await respond(send, 200, headers, await self._run(answer))

    def _background(self, statements: Iterator[StatementResult]) -> None:
        """Run *statements* to their end on a worker thread, keeping no
        answer; a failed one is logged, as influxd logs an async query's."""

        def drain() -> None:
            for result in statements:
                if result.error is not None:
                    _LOG.info("Error while running async query: %s", result.error)

        task = asyncio.ensure_future(self._run(drain))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOG.error("async query failed", exc_info=task.exception())

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
            {
                "type": "http.response.start",
                "status": 200,
                "headers": raw_headers(headers),
            }
        )
        csv = CSVWriter(epoch)

        def render(result: Result) -> bytes:
            if fmt == CSV:
                return csv.write([result]).encode()
            if fmt == MSGPACK:
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
