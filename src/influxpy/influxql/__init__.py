"""InfluxQL text to influxpy's query representation.

``parse(text, params)`` reads one or more statements separated by ``;``
into ``Query`` (SELECT), ``Delete`` (DELETE) and the statements of
``influxpy.statements``; ``parse_statement(text)`` reads exactly one. The
parser is hand-written recursive descent after InfluxDB 1.x's own
(``scanner`` reads tokens, ``parser`` clauses and expressions, ``grammar``
statements, ``convert`` builds the representation), so syntax errors read
as influxd 1.6's do: ``error parsing query: found X, expected Y at line 1,
char N`` (``InfluxQLParseError``). Text the representation cannot hold is
refused with ``UnsupportedCompilation`` naming the construct, and calls
the function classes refuse with ``CompileError``.

``params`` binds ``$name`` as the server does (reference §2.4): plain
strings, numbers and bools are literals; ``{"identifier": "x"}``,
``{"regex": "^a"}``, ``{"duration": "1h"}`` and the typed literals
(``{"integer": 5}``…) stand for those tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from influxpy.influxql.grammar import statement
from influxpy.influxql.parser import Parser
from influxpy.statements import Statement

__all__ = ["parse", "parse_statement"]


def parse(text: str, params: Mapping[str, Any] | None = None) -> list[Statement]:
    """Every statement of *text*, in order (``;`` separates them)."""
    builders = Parser(text, params).statements(statement)
    return [build() for build in builders]


def parse_statement(text: str, params: Mapping[str, Any] | None = None) -> Statement:
    """The one statement of *text*; more or fewer is a parse error."""
    parser = Parser(text, params)
    build = statement(parser)
    while parser.accept(";") is not None:
        pass
    token = parser.peek()
    if token.kind != "EOF":
        raise parser.error(token, (";",))
    return build()
