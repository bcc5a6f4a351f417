"""The answers of ``/query`` in ``influxpy serve``: statements' results
collected whole or cut into chunks as influxd 1.6.7 cuts them, with the
notes the server adds (the warning on a writing statement sent by GET, the
``tz()`` zone JSON times are written in).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

from influxpy.query import Query
from influxpy.results import Series, StatementResult, merge_pieces
from influxpy.server.messages import MAY_WRITE, PolicyOf, read_only_warning
from influxpy.server.render import Result, chunk_results
from influxpy.server.statements import as_influxd, chunks_as_influxd

__all__ = ["DEFAULT_CHUNK_SIZE", "Notes", "answer_chunks", "collect", "prepend"]

#: Rows per chunk of a chunked response without ``chunk_size``.
DEFAULT_CHUNK_SIZE = 10_000


def prepend(first: StatementResult, rest: Iterator[StatementResult]) -> Iterator[Any]:
    """*first*, then every result of *rest*."""
    yield first
    yield from rest


class Notes:
    """What the server adds to statements' results, from their parsed text:
    influxd's warning for a statement that writes sent by GET, and the
    ``tz()`` zone JSON times are written in."""

    def __init__(self, database: str = "", policy_of: PolicyOf | None = None) -> None:
        #: The statements that may carry the warning, by statement id.
        self.writing: dict[int, Any] = {}
        self.zones: dict[int, str] = {}
        self.database = database
        self.policy_of = policy_of

    def read(self, text: str, parsed: Sequence[Any], warn: bool) -> None:
        """Note what the *parsed* statements of *text* need (cheap tests
        first)."""
        warn = warn and MAY_WRITE.search(text) is not None
        zoned = "tz(" in text.lower().replace(" ", "")
        if not warn and not zoned:
            return
        for index, statement in enumerate(parsed):
            if warn:
                self.writing[index] = statement
            zone = getattr(statement, "timezone", None)
            if isinstance(statement, Query) and zone:
                self.zones[index] = zone

    def apply(self, result: Result, first: bool) -> Result:
        """*result* with its statement's notes (the warning on its first,
        written once the statement has run: a continuous query's text names
        the retention policy its database has then)."""
        result.timezone = self.zones.get(result.statement_id)
        statement = self.writing.get(result.statement_id)
        if statement is not None and first:
            warning = read_only_warning(statement, self.database, self.policy_of)
            if warning is not None:
                result.messages.append(warning)
        return result


def collect(statements: Iterator[StatementResult], notes: Notes) -> list[Result]:
    """Every statement's result, pieces of a series joined (non-chunked)."""
    out: list[Result] = []
    for statement in as_influxd(statements):
        if statement.error is not None:
            out.append(Result(statement.statement_id, error=statement.error))
            continue
        series: list[Series] = list(merge_pieces(statement.series))
        for item in series:
            # influxd 1.6.7 joins its internal chunks of 10,000 rows but
            # keeps their flag: a longer series says "partial" (reference
            # §2.3), and clients ignore it.
            item.partial = len(item.values) > DEFAULT_CHUNK_SIZE
        out.append(notes.apply(Result(statement.statement_id, series), True))
    return out


#: SHOW TAG KEYS and SHOW TAG VALUES: influxd sends each measurement's
#: series as a result of its own, whole and never ``partial``.
_WHOLE_SERIES = (["tagKey"], ["key", "value"])
#: The first columns of ``SHOW DIAGNOSTICS`` and ``SHOW STATS`` answers
#: (``backends.duckdb.show_stats``): chunked, influxd sends all their series
#: as one result.
_ONE_RESULT = (
    ["Branch", "Build Time", "Commit", "Version"],
    ["NumGC", "NumGoroutine", "Sys"],
    ["NumGC", "NumGoroutine"],
    ["numMeasurements", "numSeries"],
)
#: SHOW FIELD KEYS and SHOW SERIES: influxd runs them as SELECTs, so their
#: rows come in pieces of ``chunk_size`` as a SELECT's do.
_ROW_PIECES = (["fieldKey", "fieldType"], ["key"])


def _pieces(series: Iterable[Series], size: int) -> Iterator[Series]:
    """*series* cut into pieces of *size* rows, ``partial`` but the last."""
    for one in series:
        rows = one.values
        for at in range(0, max(len(rows), 1), size):
            piece = rows[at : at + size]
            more = at + size < len(rows)
            yield Series(one.name, one.tags, one.columns, piece, partial=more)


def answer_chunks(
    statements: Iterator[StatementResult], notes: Notes, size: int
) -> Iterator[Result]:
    """The results of a chunked response, one per series piece."""
    for statement in chunks_as_influxd(statements):
        if statement.error is not None:
            yield Result(statement.statement_id, error=statement.error)
            continue
        iterator = iter(statement.series)
        first = next(iterator, None)
        series: Iterable[Series] = [] if first is None else chain([first], iterator)
        if first is not None and first.columns in _ONE_RESULT:
            yield notes.apply(Result(statement.statement_id, list(series)), True)
            continue
        if first is not None and first.columns in _WHOLE_SERIES:
            for index, one in enumerate(series):
                yield notes.apply(Result(statement.statement_id, [one]), index == 0)
            continue
        if first is not None and first.columns in _ROW_PIECES:
            series = _pieces(series, size)
        pieces = chunk_results(statement.statement_id, series)
        for index, (result, _last) in enumerate(pieces):
            yield notes.apply(result, index == 0)
