"""InfluxQL text on InfluxDB's HTTP API: ``statements()``.

The text goes to ``/query`` verbatim, with GET when every statement reads
and POST when one writes (CREATE, DROP, ALTER, DELETE, GRANT, REVOKE,
KILL, ``SELECT … INTO``), as the server wants (reference §2.3). Each
statement's answer is read back with its ``statement_id`` and its own
error, unlike ``execute()``, which raises on the first error. With
``chunk_size`` the answer streams: a statement's series are read as they
are consumed, and whatever a caller leaves unread is skipped before the
next statement is yielded.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Iterator, Mapping
from typing import Any, NoReturn

import httpx
import orjson

from influxpy.backends.http.reading import HTTPQueries, _series_from, _SeriesReader
from influxpy.backends.http.retry import Failure
from influxpy.backends.http.sending import _detach
from influxpy.exceptions import InfluxQLParseError, ProgrammingError
from influxpy.results import Series, StatementResult, merge_pieces

__all__ = ["HTTPStatements", "writes_data"]

#: First keywords of the statements that change something.
_WRITING = frozenset(
    {"CREATE", "DROP", "ALTER", "DELETE", "GRANT", "REVOKE", "KILL", "SET"}
)
#: Tokens after which a ``/`` opens a regular expression, not a division.
_BEFORE_REGEX = frozenset({"=~", "!~", "FROM", ",", "(", "MEASUREMENT"})
#: Rows per chunk when the caller asks for whole series (influxd's default).
_WHOLE_CHUNK = 10_000
#: How influxd begins the message of text it cannot parse.
_PARSE_ERRORS = ("error parsing query", "missing parameter")


def _words(text: str) -> Iterator[str]:
    """The upper-cased keywords and operators of *text*, with ``;`` between
    statements; quoted strings, identifiers, regexes and comments are skipped.
    """
    i, n = 0, len(text)
    previous = ";"
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "'\"" or (c == "/" and previous in _BEFORE_REGEX):
            i += 1
            while i < n and text[i] != c:
                i += 2 if text[i] == "\\" else 1
            i += 1
            previous = "literal"
            continue
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c.isalnum() or c in "_$":
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_$."):
                i += 1
            previous = text[start:i].upper()
        elif text.startswith(("=~", "!~"), i):
            previous = text[i : i + 2]
            i += 2
        else:
            previous = c
            i += 1
        yield previous


def needs_json(text: str) -> bool:
    """Whether *text* must be answered in JSON: influxd 1.6's msgpack answer
    to ``SHOW DIAGNOSTICS`` is malformed (it cannot be decoded past the
    configuration's durations)."""
    return "DIAGNOSTICS" in _words(text)


def writes_data(text: str) -> bool:
    """Whether one statement of InfluxQL *text* writes (and so needs POST)."""
    first = True
    for word in _words(text):
        if first and word in _WRITING:
            return True
        if word == "INTO":
            return True
        first = word == ";"
    return False


def _itself(document: Any) -> Iterator[Any]:
    yield document


def _documents(response: httpx.Response, *, stream: bool) -> Iterator[Any]:
    """The JSON or msgpack documents of a ``/query`` body, as they arrive."""
    reader = _SeriesReader(response, _itself, stream=stream)
    for piece in response.iter_bytes():
        yield from reader.feed(piece)
    yield from reader.finish()


class _Results:
    """Each statement's result objects of a stream of documents, in order.

    ``next()`` returns ``(statement_id, result)``. A chunked answer may give
    one statement several results (one per measurement for SHOW TAG KEYS,
    or the pieces of a ``partial`` one), each with the statement's id.
    Failed results are counted here instead: msgpack answers leave their
    ``statement_id`` out and JSON ones repeat the failed statement's id on
    the ``not executed`` results that follow it.
    """

    def __init__(self, documents: Iterator[Any]) -> None:
        self._documents = documents
        self._pending: list[tuple[int, Mapping[str, Any]]] = []
        self._last = -1
        self._continues = False

    def next(self) -> tuple[int, Mapping[str, Any]] | None:
        """The next result object and its statement's id, or None at the end."""
        if self._pending:
            return self._pending.pop()
        while True:
            document = next(self._documents, None)
            if document is None:
                return None
            if "error" in document and "results" not in document:
                # A whole-request error inside a 200 answer.
                return -1, {"error": str(document["error"])}
            results = document.get("results") or ()
            if results:
                break
        # Numbered in order as they are read; handed out from the end.
        self._pending = [(self._number(r), r) for r in results][::-1]
        return self._pending.pop()

    def _number(self, result: Mapping[str, Any]) -> int:
        if self._continues:
            number = self._last
        elif "error" in result or "statement_id" not in result:
            number = self._last + 1
        else:
            number = int(result["statement_id"])
        self._last = number
        self._continues = bool(result.get("partial"))
        return number

    def push_back(self, item: tuple[int, Mapping[str, Any]]) -> None:
        """Give *item* back, to be returned by the next ``next()``."""
        self._pending.append(item)


def _series_of(
    statement_id: int, result: Mapping[str, Any], results: _Results
) -> Iterator[Series]:
    """The series of one statement: *result* and the results continuing it."""
    while True:
        for raw in result.get("series") or ():
            yield _series_from(raw)
        following = results.next()
        if following is None:
            return
        if following[0] != statement_id:
            results.push_back(following)
            return
        result = following[1]
        if "error" in result:
            msg = (
                f"InfluxDB failed in the middle of statement {statement_id}'s "
                f"answer: {result['error']}."
            )
            raise ProgrammingError(msg)


class HTTPStatements(HTTPQueries):
    """InfluxQL text sent to ``/query`` and answered statement by statement."""

    def statements(
        self,
        text: str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        params: Mapping[str, Any] | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[StatementResult]:
        """Run InfluxQL *text* (one or more statements separated by ``;``).

        Yields one ``StatementResult`` per statement, in order, with the
        server's error text for a statement that failed. *params* binds
        ``$name`` placeholders (InfluxDB's ``params=``). Text the server
        cannot parse raises ``InfluxQLParseError`` with its message.
        """
        self.check_open()
        method, query, db = self._statement_query(
            text, database, retention_policy, params, chunk_size
        )
        return self._statement_results(method, query, db, stream=bool(chunk_size))

    async def astatements(
        self,
        text: str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        params: Mapping[str, Any] | None = None,
        chunk_size: int | None = None,
    ) -> AsyncGenerator[StatementResult, None]:
        """Async form of ``statements()``, on the event loop's
        ``httpx.AsyncClient``; the answer is read whole before the first
        ``StatementResult`` is yielded."""
        self.check_open()
        method, query, db = self._statement_query(
            text, database, retention_policy, params, chunk_size
        )
        with _parse_errors():
            response = await self._asend(
                method,
                "/query",
                params=query,
                headers=self._query_headers(json=needs_json(query["q"])),
                stream=True,
                database=db,
            )
        failure: Failure | None = None
        documents: list[Any] = []
        try:
            reader = _SeriesReader(response, _itself, stream=True)
            try:
                async for piece in response.aiter_bytes():
                    documents.extend(reader.feed(piece))
                documents.extend(reader.finish())
            except httpx.TransportError as exc:
                failure = self._transport_failure(exc)
        finally:
            await response.aclose()
            _detach(response)
        if failure is not None:
            self._raise_transport(failure, 0)
        for result in self._answers(_Results(iter(documents)), stream=False):
            yield result

    def _statement_query(
        self,
        text: str,
        database: str | None,
        retention_policy: str | None,
        params: Mapping[str, Any] | None,
        chunk_size: int | None,
    ) -> tuple[str, dict[str, str], str | None]:
        """The method, ``/query`` parameters and database of *text*."""
        query: dict[str, str] = {"q": text, "epoch": "ns"}
        db = database or self.database
        if db:
            query["db"] = db
        rp = retention_policy or self.options.rp
        if rp:
            query["rp"] = rp
        if params:
            query["params"] = orjson.dumps(dict(params)).decode()
        # Always chunked: only then does influxd 1.6 answer each statement
        # after a failed one ("not executed") and keep the failed one's own
        # error (a whole answer replaces it, reference §0.1 item 2).
        query["chunked"] = "true"
        query["chunk_size"] = str(chunk_size or _WHOLE_CHUNK)
        method = "POST" if writes_data(text) else "GET"
        return method, query, db

    def _statement_results(
        self, method: str, query: dict[str, str], database: str | None, *, stream: bool
    ) -> Iterator[StatementResult]:
        with _parse_errors():
            response = self._send(
                method,
                "/query",
                params=query,
                headers=self._query_headers(json=needs_json(query["q"])),
                stream=True,
                database=database,
            )
        failure: Failure | None = None
        try:
            results = _Results(_documents(response, stream=True))
            try:
                yield from self._answers(results, stream=stream)
            except httpx.TransportError as exc:
                failure = self._transport_failure(exc)
        finally:
            response.close()
            _detach(response)
        if failure is not None:
            # Raised here, outside the except block: not chained to httpx's error.
            self._raise_transport(failure, 0)

    def _answers(self, results: _Results, *, stream: bool) -> Iterator[StatementResult]:
        """Each statement's ``StatementResult`` from its result objects."""
        while (item := results.next()) is not None:
            statement_id, result = item
            if "error" in result:
                text = self._redact(str(result["error"]))
                if statement_id < 0:
                    self._request_error(text)
                yield StatementResult(statement_id, (), text)
                continue
            pieces = _series_of(statement_id, result, results)
            if not stream:
                # Read whole, so the series can be read again.
                whole = list(merge_pieces(pieces))
                yield StatementResult(statement_id, whole)
                continue
            yield StatementResult(statement_id, pieces)
            for _unread in pieces:
                pass

    def _request_error(self, error: str) -> NoReturn:
        """Raise the error a 200 answer gave the whole request."""
        if error.startswith(_PARSE_ERRORS):
            raise InfluxQLParseError(error)
        msg = f"InfluxDB at {self.base_url} rejected the query: {error}."
        raise ProgrammingError(msg)


@contextlib.contextmanager
def _parse_errors() -> Iterator[None]:
    """Raise influxd's refusal of text it cannot parse as InfluxQLParseError."""
    try:
        yield
    except ProgrammingError as error:
        parse_error = _parse_error_of(str(error))
        if parse_error is None:
            raise
        raise InfluxQLParseError(parse_error) from None


def _parse_error_of(message: str) -> str | None:
    """The server's parse error inside a mapped 400 message, if it is one."""
    for start in _PARSE_ERRORS:
        at = message.find(start)
        if at >= 0:
            return message[at:].removesuffix(".")
    return None
