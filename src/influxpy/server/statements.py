"""How ``/query`` runs InfluxQL text on the engine, as influxd 1.6.7 does.

- ``run_text`` parses the text's syntax whole (a syntax error is the
  request's 400) but builds each statement on its own, so a statement the
  function classes refuse (``undefined function foo()``) is that
  statement's error, after the statements before it have run, as influxd
  plans each statement when its turn comes.
- ``as_influxd`` and ``chunks_as_influxd`` reshape the engine's answers
  after a failed statement into what 1.6.7 sends (reference §0.1 item 2):
  unchunked, the failed statement reads ``not executed`` and the later
  ones are missing; chunked, its real error is followed by a ``not
  executed`` result for each later statement, all with its statement
  id. With no statement after the failed one, its own error is kept.
  ``Backend.statements()`` keeps the engine's own answer (every
  statement, the real error).
- ``forget_empty_default`` drops the engine's default database when it
  holds nothing, so a new server lists no database, as a new influxd does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from influxpy.exceptions import CompileError, ProgrammingError
from influxpy.influxql.canonical import quote_identifier
from influxpy.influxql.grammar import statement as statement_rule
from influxpy.influxql.parser import Parser
from influxpy.results import Series, StatementResult

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.statements import Statement

__all__ = [
    "NOT_EXECUTED",
    "ParsedText",
    "as_influxd",
    "chunks_as_influxd",
    "forget_empty_default",
    "parse_text",
    "run_parsed",
]

#: influxd's error for a statement after a failed one.
NOT_EXECUTED = "not executed"


class ParsedText:
    """The statements of one request's text that were built, and the
    refusal of the first one that could not be (with how many there are)."""

    def __init__(
        self, statements: Sequence[Statement], refusal: str | None, count: int
    ) -> None:
        self.statements = list(statements)
        self.refusal = refusal
        self.count = count


def parse_text(text: str, params: Mapping[str, Any] | None) -> ParsedText:
    """Parse *text*: its syntax whole (``InfluxQLParseError``), then each
    statement until one is refused."""
    builders = Parser(text, params).statements(statement_rule)
    built: list[Statement] = []
    for build in builders:
        try:
            built.append(build())
        except (CompileError, ProgrammingError) as exc:
            return ParsedText(built, str(exc), len(builders))
    return ParsedText(built, None, len(builders))


def run_parsed(
    backend: Backend,
    parsed: ParsedText,
    *,
    database: str,
    retention_policy: str | None,
    chunk_size: int | None,
) -> Iterator[StatementResult]:
    """Answer *parsed* on the engine: its built statements, then the
    refused one's error (unless one before it failed) and ``not executed``
    for the rest."""
    failed = False
    results = backend.run_statements(  # type: ignore[attr-defined]
        parsed.statements,
        database=database,
        retention_policy=retention_policy,
        chunk_size=chunk_size,
    )
    for result in results:
        failed = failed or (result.error is not None and not result.goes_on)
        yield result
    if parsed.refusal is None:
        return
    index = len(parsed.statements)
    yield StatementResult(index, (), NOT_EXECUTED if failed else parsed.refusal)
    for later in range(index + 1, parsed.count):
        yield StatementResult(later, (), NOT_EXECUTED)


def as_influxd(statements: Iterator[StatementResult]) -> Iterator[StatementResult]:
    """A whole answer's results as 1.6.7 sends them: a failed statement
    with statements after it reads ``not executed``, and those are gone."""
    failed: StatementResult | None = None
    for result in statements:
        if failed is not None:
            # Statements follow the failed one: 1.6.7 loses its error.
            yield StatementResult(failed.statement_id, (), NOT_EXECUTED)
            return
        if result.error is not None and not result.goes_on:
            failed = result
            continue
        yield result
    if failed is not None:
        yield failed


def chunks_as_influxd(
    statements: Iterator[StatementResult],
) -> Iterator[StatementResult]:
    """A chunked answer's results as 1.6.7 sends them: the failed
    statement's error, then ``not executed`` once for each statement after
    it, all under the failed statement's id."""
    failed: StatementResult | None = None
    for result in statements:
        if failed is not None:
            yield StatementResult(failed.statement_id, (), NOT_EXECUTED)
            continue
        yield result
        if result.error is not None and not result.goes_on:
            failed = result


def forget_empty_default(backend: Backend) -> None:
    """Drop the engine's default database when it holds nothing (no
    measurement, no continuous query, only its first retention policy):
    influxd has no default database, so ``SHOW DATABASES`` on a new server
    lists none. A default database with anything in it is kept."""
    name = getattr(backend, "database", None)
    if not name or getattr(backend, "read_only", False):
        return
    checks: dict[str, Callable[[list[Series]], bool]] = {
        "SHOW MEASUREMENTS": lambda series: not series,
        "SHOW CONTINUOUS QUERIES": lambda series: all(
            not s.values for s in series if s.name == name
        ),
        "SHOW RETENTION POLICIES": lambda series: (
            len(series) == 1
            and [row[0] for row in series[0].values] == ["autogen"]
            and series[0].values[0][1] in ("0s", 0)
        ),
    }
    for text, empty in checks.items():
        for result in backend.statements(text, database=name):
            if result.error is not None or not empty(list(result.series)):
                return
    list(backend.statements(f"DROP DATABASE {quote_identifier(name)}"))
