"""The InfluxQL parser: recursive descent after InfluxDB 1.x's own.

``Parser`` reads statements, clauses and expressions in the order and with
the error messages of influxd 1.6's parser; expressions become the small
syntax nodes of ``influxpy.influxql.syntax`` (``Ref``, ``Call``, ``Bin``,
…; importable from here too), which ``influxpy.influxql.convert`` turns
into the query representation. The statements other than SELECT are read
by ``influxpy.influxql.grammar``.
"""

from __future__ import annotations

import sys
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from influxpy.durations import Duration
from influxpy.influxql.regex import regex_error
from influxpy.influxql.scanner import (
    GO_SPACE,
    KEYWORDS,
    Scanner,
    Token,
    duration_literal,
    duration_overflow,
    parse_error,
)
from influxpy.influxql.syntax import (
    CONDITIONS,
    PRECEDENCE,
    Bin,
    Call,
    Lit,
    Paren,
    Ref,
    Rx,
    Wild,
)

__all__ = ["Bin", "Call", "Lit", "Paren", "Parser", "Ref", "Rx", "Wild"]


_CASTS = ("float", "integer", "unsigned", "string", "boolean")
#: How deep Python may recurse while a statement is read and compiled: a
#: condition of some thousands of terms (``host = 'a' OR host = 'b' OR
#: ...``, a tree as deep as it has terms, which influxd reads) needs a few
#: frames a term. Python 3.11 keeps calls between Python functions off the
#: C stack, so a deeper limit is safe; it is raised, never lowered.
RECURSION_LIMIT = 20_000


def _deep_enough() -> None:
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


class Parser:
    """Reads InfluxQL text token by token; ``pos`` is the next offset."""

    __slots__ = ("_cache", "last", "pos", "scanner")

    def __init__(self, text: str, params: Mapping[str, Any] | None = None) -> None:
        _deep_enough()
        # influxd trims the text first: positions count from its first word.
        self.scanner = Scanner(text.strip(GO_SPACE), params)
        self.pos = 0
        self.last = Token("EOF", "", 0)
        self._cache: dict[int, tuple[Token, int]] = {}

    # -- tokens -------------------------------------------------------------

    def _entry(self) -> tuple[Token, int]:
        """The next token and the offset after it, scanned once."""
        pos = self.pos
        entry = self._cache.get(pos)
        if entry is None:
            entry = self._cache[pos] = self.scanner.scan(pos)
            # Rewinding to the token itself (a name read again) finds it too.
            self._cache[entry[0].pos] = entry
        return entry

    def peek(self) -> Token:
        """The next token, not consumed."""
        return self._entry()[0]

    def next(self) -> Token:
        """The next token, consumed."""
        entry = self._entry()
        self.pos = entry[1]
        self.last = entry[0]
        return entry[0]

    def accept(self, kind: str) -> Token | None:
        """Consume the next token if it is *kind*."""
        entry = self._entry()
        if entry[0].kind != kind:
            return None
        self.pos = entry[1]
        self.last = entry[0]
        return entry[0]

    def expect(self, *kinds: str) -> Token:
        """Consume tokens of *kinds* in turn; the last one is returned."""
        token = self.peek()
        for kind in kinds:
            token = self.next()
            if token.kind != kind:
                raise self.error(token, (kind,))
        return token

    def error(self, token: Token, expected: tuple[str, ...] | list[str]) -> Exception:
        """``found X, expected Y at line L, char C`` for *token*.

        influxd places a string, a quoted identifier and a regex one
        character before their opening quote or slash.
        """
        pos = token.pos
        if self.scanner.text[pos : pos + 1] in ("'", '"', "/") and token.kind in (
            "STRING",
            "BADSTRING",
            "REGEX",
            "IDENT",
        ):
            pos = max(pos - 1, 0)
        return self.scanner.error(token.text(), expected, pos)

    def regex(self) -> Rx | None:
        """A regular expression if one comes next, else ``None``."""
        # influxd looks past whitespace only, at the next character: a slash
        # starts a regex (``/*`` too), anything else (``--`` too) does not.
        text = self.scanner.text
        start = self.pos
        while start < len(text) and text[start] in " \t\n\r":
            start += 1
        if start >= len(text):
            # That look read the end: influxd places it one further.
            token, end = self._entry()
            if token.kind == "EOF" and token.pos == len(text):
                self._cache[self.pos] = (token._replace(pos=len(text) + 1), end)
            return None
        if text[start] != "/":
            token = self.peek()
            if token.kind == "REGEX":
                # A bound parameter standing for a regex.
                self.next()
                return self._compiled(token)
            return None
        token, end = self.scanner.regex_at(start, spaced=start > self.pos)
        if token.kind == "BADREGEX":
            # influxd names no text and places it before the slash.
            raise self.scanner.error_at("bad regex: ", max(token.pos - 1, 0))
        self.pos = end
        return self._compiled(token)

    def _compiled(self, token: Token) -> Rx:
        """The regex of *token*, refused as Go's ``regexp`` refuses it."""
        error = regex_error(token.value)
        if error is not None:
            # influxd places it before the slash, as for a bad regex.
            raise self.scanner.error_at(error, max(token.pos - 1, 0))
        return Rx(token.value)

    def ident(self) -> str:
        """An identifier (``ParseIdent``)."""
        token = self.next()
        if token.kind != "IDENT":
            raise self.error(token, ("identifier",))
        return token.value

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]`` (``ParseInt``)."""
        token = self.next()
        if token.kind != "INTEGER":
            raise self.error(token, ("integer",))
        value = int(token.value)
        if not low <= value <= high:
            msg = f"invalid value {value}: must be {low} <= n <= {high}"
            raise self.scanner.error_at(msg, token.pos)
        return value

    def duration(self, *, infinite: bool = False) -> Duration | None:
        """A duration as written; ``None`` for ``INF`` where *infinite*
        allows it (``ParseDuration``)."""
        token = self.next()
        if token.kind == "INF" and infinite:
            return None
        if token.kind != "DURATIONVAL":
            raise self.error(token, ("duration",))
        return self.duration_value(token)

    def duration_value(self, token: Token) -> Duration:
        """The ``Duration`` of a DURATIONVAL token."""
        overflow = duration_overflow(token.value)
        if overflow is not None:
            raise self.scanner.error_at(overflow, token.pos)
        duration = duration_literal(token.value)
        if duration is None:
            raise self.scanner.error_at("invalid duration", token.pos)
        return duration

    def optional_int(self, keyword: str) -> int | None:
        """``KEYWORD <n>`` if the keyword comes next (``ParseOptionalTokenAndInt``)."""
        if self.accept(keyword) is None:
            return None
        token = self.next()
        if token.kind != "INTEGER":
            raise self.error(token, ("integer",))
        return int(token.value)

    # -- statements ---------------------------------------------------------

    def statements(self, dispatch: Callable[[Parser], Any]) -> list[Any]:
        """What *dispatch* returns for every statement, separated by ``;``
        (``ParseQuery``)."""
        out: list[Any] = []
        semi = True
        while True:
            token = self.peek()
            if token.kind == "EOF":
                return out
            if token.kind == ";":
                self.next()
                semi = True
                continue
            if not semi:
                raise self.error(token, (";",))
            out.append(dispatch(self))
            semi = False

    # -- SELECT -------------------------------------------------------------

    def fields(self) -> list[tuple[Any, str | None]]:
        """The select list: expressions or regexes, each with its alias."""
        fields = []
        while True:
            node = self.regex()
            if node is None:
                start = self.peek().pos
                node = self.expr()
                bad = _condition_in(node)
                if bad is not None:
                    where = self.scanner.position(start)
                    msg = (
                        f"invalid operator {bad} in SELECT clause at {where}; "
                        "operator is intended for WHERE clause"
                    )
                    raise parse_error(msg)
            fields.append((node, self.alias()))
            if self.accept(",") is None:
                return fields

    def alias(self) -> str | None:
        """``AS name`` if it comes next."""
        if self.accept("AS") is None:
            return None
        return self.ident()

    def segments(self) -> list[str]:
        """``a``, ``a.b``, ``a.b.c`` or ``a..c`` (``parseSegmentedIdents``)."""
        idents = [self.ident()]
        while True:
            token = self.peek()
            if token.kind != "." or token.spaced:
                break
            self.next()
            following = self.peek()
            if following.kind == "EOF" and not following.spaced:
                # influxd peeks at the character after the dot, and a peek
                # at the end of the text moves its position one further.
                raise self.scanner.error("EOF", ("identifier",), following.pos + 1)
            if following.kind in ("/", "REGEX", ":", "::") and not following.spaced:
                break
            if following.kind == "." and not following.spaced:
                idents.append("")
                continue
            idents.append(self.ident())
        if len(idents) > 3:
            quoted = quote_segments(idents)
            msg = f"too many segments in {quoted}"
            raise self.scanner.error_at(msg, 0)
        return idents

    def source(self, subqueries: bool, select: Callable[[str], Any]) -> Any:
        """A measurement, a regex of measurements or a subquery.

        Returns ``(database, rp, name, regex)`` or a parsed subquery.
        """
        rx = self.regex()
        if rx is not None:
            return (None, None, rx.pattern, True)
        if subqueries and self.accept("(") is not None:
            self.expect("SELECT")
            query = select("subquery")
            self.expect(")")
            return query
        idents = self.segments()
        if len(idents) == 3:
            return (idents[0] or None, idents[1] or None, idents[2], False)
        rx = self.regex()
        if rx is not None:
            if len(idents) == 1:
                return (None, idents[0] or None, rx.pattern, True)
            return (idents[0] or None, idents[1] or None, rx.pattern, True)
        if len(idents) == 1:
            return (None, None, idents[0], False)
        return (None, idents[0] or None, idents[1], False)

    def sources(self, subqueries: bool, select: Callable[[str], Any]) -> list[Any]:
        """Sources separated by commas."""
        out = [self.source(subqueries, select)]
        while self.accept(",") is not None:
            out.append(self.source(subqueries, select))
        return out

    def condition(self) -> Any:
        """``WHERE expr`` if it comes next."""
        if self.accept("WHERE") is None:
            return None
        return self.expr()

    def dimensions(self) -> list[Any]:
        """``GROUP BY dim, …`` if it comes next."""
        if self.accept("GROUP") is None:
            return []
        token = self.next()
        if token.kind != "BY":
            raise self.error(token, ("BY",))
        out = []
        while True:
            rx = self.regex()
            out.append(rx if rx is not None else self.expr())
            if rx is not None and self.peek().spaced:
                # influxd reads the token right after a regex, whitespace
                # and comments included, for the comma: any gap ends the
                # list there (``GROUP BY /r/ , host`` fails at the comma).
                return out
            if self.accept(",") is None:
                return out

    def fill(self) -> Any:
        """``fill(option)``: ``None`` when absent, else the option's node."""
        token = self.peek()
        if token.kind != "IDENT" or token.value.lower() != "fill":
            return None
        node = self.expr()
        if not isinstance(node, Call):
            raise parse_error("fill must be a function call")
        if len(node.args) != 1:
            msg = "fill requires an argument, e.g.: 0, null, none, previous, linear"
            raise parse_error(msg)
        arg = node.args[0]
        fills = ("null", "none", "previous", "linear")
        if isinstance(arg, Ref) and arg.cast is None and arg.name in fills:
            return arg.name
        if isinstance(arg, Lit) and arg.kind in ("integer", "number"):
            return arg.value
        raise parse_error("expected number argument in fill()")

    def order_by(self) -> bool | None:
        """``ORDER BY time [ASC|DESC]``: whether descending, ``None`` if absent."""
        if self.accept("ORDER") is None:
            return None
        token = self.next()
        if token.kind != "BY":
            raise self.error(token, ("BY",))
        token = self.next()
        if token.kind in ("ASC", "DESC"):
            descending = token.kind == "DESC"
            count = 1
        elif token.kind == "IDENT":
            descending = self.accept("DESC") is not None
            if not descending:
                self.accept("ASC")
            if token.value != "time":
                raise parse_error("only ORDER BY time supported at this time")
            count = 1
        else:
            raise self.error(token, ("identifier", "ASC", "DESC"))
        while self.accept(",") is not None:
            self.ident()
            if self.accept("DESC") is None:
                self.accept("ASC")
            count += 1
        if count > 1:
            raise parse_error("only ORDER BY time supported at this time")
        return descending

    def location(self) -> str | None:
        """``tz('Zone')`` if it comes next: the zone's name."""
        token = self.peek()
        if token.kind != "IDENT" or token.value.lower() != "tz":
            return None
        node = self.expr()
        if not isinstance(node, Call):
            raise parse_error("tz must be a function call")
        if len(node.args) != 1:
            raise parse_error("tz requires exactly one argument")
        arg = node.args[0]
        if not isinstance(arg, Lit) or arg.kind != "string":
            raise parse_error("expected string argument in tz()")
        try:
            zoneinfo.ZoneInfo(arg.value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            msg = f"unable to find time zone {arg.value}"
            raise parse_error(msg) from None
        name: str = arg.value
        return name

    # -- expressions --------------------------------------------------------

    def expr(self) -> Any:
        """An expression, with operators bound by precedence (``ParseExpr``)."""
        root = Bin("", None, self.unary())
        while True:
            token = self.peek()
            op = token.kind
            precedence = PRECEDENCE.get(op)
            if precedence is None:
                return root.rhs
            self.next()
            if op in ("=~", "!~"):
                rhs: Any = self.regex()
                if rhs is None:
                    raise self.error(self.next(), ("regex",))
            else:
                rhs = self.unary()
            node = root
            while True:
                right = node.rhs
                if not isinstance(right, Bin) or PRECEDENCE[right.op] >= precedence:
                    node.rhs = Bin(op, right, rhs)
                    break
                node = right

    def unary(self) -> Any:
        """A value, a name, a call or a parenthesised expression."""
        token = self.next()
        kind = token.kind
        if kind == "(":
            inner = self.expr()
            closing = self.next()
            if closing.kind != ")":
                raise self.error(closing, (")",))
            return Paren(inner)
        if kind == "IDENT":
            following = self.peek()
            if following.kind == "(" and not following.spaced:
                self.next()
                return self.call(token.value, token.pos)
            return self.var_ref(token)
        if kind == "STRING":
            return Lit("string", token.value, token.pos)
        if kind == "INTEGER":
            value = int(token.value)
            if value >= 1 << 64:
                # Past uint64: influxd cannot read it as any integer.
                raise self.scanner.error_at("unable to parse integer", token.pos)
            return Lit("integer", value, token.pos)
        if kind == "NUMBER":
            return Lit("number", float(token.value), token.pos)
        if kind in ("TRUE", "FALSE"):
            return Lit("bool", kind == "TRUE", token.pos)
        if kind == "DURATIONVAL":
            overflow = duration_overflow(token.value)
            if overflow is not None:
                raise parse_error(overflow)
            duration = duration_literal(token.value)
            if duration is None:
                raise parse_error("invalid duration")
            return Lit("duration", duration, token.pos)
        if kind == "*":
            return Wild(self.cast(("field", "tag"), wildcard=True))
        if kind == "REGEX":
            return Rx(token.value)
        if kind == "DISTINCT":
            following = self.next()
            if following.kind == "(" and not following.spaced:
                return self.call("distinct", token.pos)
            if following.spaced:
                if following.kind != "IDENT":
                    raise self.error(following, ("identifier",))
                return Call("distinct", (Ref(following.value, None, following.pos),), 0)
            raise self.error(following, ("(", "identifier"))
        if kind == "BOUNDPARAM":
            name = token.value[1:]
            if not name:
                raise parse_error("empty bound parameter")
            msg = f"missing parameter: {name}"
            raise parse_error(msg)
        if kind in ("+", "-"):
            following = self.peek()
            if following.kind not in ("NUMBER", "INTEGER", "DURATIONVAL", "(", "IDENT"):
                self.next()
                expected = ("identifier", "number", "duration", "(")
                raise self.error(following, expected)
            value = self.unary()
            if kind == "+":
                return value
            if isinstance(value, Lit):
                return Lit(value.kind, -value.value, value.pos)
            return Bin("*", Lit("integer", -1, token.pos), value)
        raise self.error(token, ("identifier", "string", "number", "bool"))

    def var_ref(self, token: Token) -> Ref:
        """A name, maybe dotted, maybe cast with ``::type``."""
        self.pos = token.pos
        segments = self.segments()
        cast = None
        following = self.peek()
        if following.kind == "::" and not following.spaced:
            self.next()
            cast = self.cast((*_CASTS, "field", "tag"), wildcard=False)
        return Ref(".".join(segments), cast, token.pos)

    def cast(self, allowed: tuple[str, ...], *, wildcard: bool) -> str | None:
        """The type after ``::`` (``field``/``tag`` are keywords)."""
        if wildcard:
            following = self.peek()
            if following.kind != "::" or following.spaced:
                return None
            self.next()
        token = self.next()
        if token.kind in ("FIELD", "TAG"):
            return token.kind.lower()
        if not wildcard and token.kind == "IDENT" and token.value.lower() in _CASTS:
            return token.value.lower()
        if wildcard:
            raise self.error(token, ("field", "tag"))
        if token.kind == "IDENT":
            raise self.error(token, (*_CASTS, "field", "tag"))
        raise self.error(
            token, ("float", "integer", "string", "boolean", "field", "tag")
        )

    def call(self, name: str, pos: int) -> Call:
        """The arguments of a call; the name and ``(`` are consumed."""
        args: list[Any] = []
        rx = self.regex()
        if rx is not None:
            args.append(rx)
        else:
            if self.accept(")") is not None:
                return Call(name.lower(), (), pos)
            args.append(self.expr())
        while self.accept(",") is not None:
            rx = self.regex()
            args.append(rx if rx is not None else self.expr())
        token = self.next()
        if token.kind != ")":
            raise self.error(token, (")",))
        return Call(name.lower(), tuple(args), pos)


def quote_segments(names: list[str]) -> str:
    """Dotted names as influxql's ``QuoteIdent`` writes them in errors."""
    out = []
    last = len(names) - 1
    for i, name in enumerate(names):
        bare = name.isidentifier() and name.isascii() and name.upper() not in KEYWORDS
        quote = (
            not bare
            or (i < last and name != "")
            or ((i == 0 or names[i - 1] == "") and name == "")
        )
        if name == "" and not quote:
            out.append("")
        else:
            out.append(f'"{name}"' if quote else name)
    return ".".join(out)


def _condition_in(node: Any) -> str | None:
    """The first comparison or logical operator in a select expression."""
    if isinstance(node, Bin):
        if node.op in CONDITIONS:
            return node.op
        return _condition_in(node.lhs) or _condition_in(node.rhs)
    if isinstance(node, Paren):
        return _condition_in(node.expr)
    return None
