"""The InfluxQL scanner: text to tokens, as InfluxDB 1.x's scanner reads it.

Tokens are ``Token`` tuples: the kind (``IDENT``, ``STRING``, ``INTEGER``,
``NUMBER``, ``DURATIONVAL``, ``REGEX``, an operator such as ``=~``, a
keyword in upper case, ``EOF``, …), the value (the unquoted and unescaped
text for identifiers and strings, the digits for numbers, empty for
keywords and operators), the offset in the text, and whether whitespace or
a comment came before it (InfluxQL is whitespace-sensitive in a few places:
``mean(`` is a call, ``mean (`` is not).

A regular expression cannot be told from a division by the text alone, so
the parser asks for one (``scan_regex``) where the grammar allows it.
Bound parameters (``$name``) are replaced here by the token their value
stands for, as the server does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from influxpy.durations import (
    Day,
    Duration,
    Hour,
    Microsecond,
    Millisecond,
    Minute,
    Nanosecond,
    Second,
    Week,
    duration_from_nanoseconds,
)
from influxpy.exceptions import InfluxQLParseError

__all__ = [
    "GO_SPACE",
    "KEYWORDS",
    "Scanner",
    "Token",
    "duration_literal",
    "parse_duration",
    "parse_error",
]

#: The reserved words of InfluxQL 1.6 (they must be quoted as identifiers).
KEYWORDS = frozenset(
    (
        "ALL",
        "ALTER",
        "ANALYZE",
        "AND",
        "ANY",
        "AS",
        "ASC",
        "BEGIN",
        "BY",
        "CARDINALITY",
        "CREATE",
        "CONTINUOUS",
        "DATABASE",
        "DATABASES",
        "DEFAULT",
        "DELETE",
        "DESC",
        "DESTINATIONS",
        "DIAGNOSTICS",
        "DISTINCT",
        "DROP",
        "DURATION",
        "END",
        "EVERY",
        "EXACT",
        "EXPLAIN",
        "FALSE",
        "FIELD",
        "FOR",
        "FROM",
        "GRANT",
        "GRANTS",
        "GROUP",
        "GROUPS",
        "IN",
        "INF",
        "INSERT",
        "INTO",
        "KEY",
        "KEYS",
        "KILL",
        "LIMIT",
        "MEASUREMENT",
        "MEASUREMENTS",
        "NAME",
        "OFFSET",
        "ON",
        "OR",
        "ORDER",
        "PASSWORD",
        "POLICY",
        "POLICIES",
        "PRIVILEGES",
        "QUERIES",
        "QUERY",
        "READ",
        "REPLICATION",
        "RESAMPLE",
        "RETENTION",
        "REVOKE",
        "SELECT",
        "SERIES",
        "SET",
        "SHOW",
        "SHARD",
        "SHARDS",
        "SLIMIT",
        "SOFFSET",
        "STATS",
        "SUBSCRIPTION",
        "SUBSCRIPTIONS",
        "TAG",
        "TO",
        "TRUE",
        "USER",
        "USERS",
        "VALUES",
        "WHERE",
        "WITH",
        "WRITE",
    )
)

_TOKEN = re.compile(
    r"""
    (?P<ws>(?:[ \t\n\r]+|--[^\n]*|/\*(?:.|\n)*?\*/)*)
    (?:(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<number>[0-9]*\.[0-9]+|[0-9]+\.(?![0-9]))
      |(?P<duration>[0-9]+[A-Za-zµ][A-Za-zµ0-9]*)
      |(?P<integer>[0-9]+)
      |(?P<quoted>["'])
      |(?P<op>=~|!~|!=|<>|<=|>=|::|[-+*/%&|^=<>(),;.:])
      |(?P<param>\$(?:[A-Za-z0-9_]+|"(?:[^"\\\n]|\\.)*")?)
    )?
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "\\": "\\", '"': '"', "'": "'"}


class Token(NamedTuple):
    """One token: its kind, value, offset and whether whitespace preceded it."""

    kind: str
    value: str
    pos: int
    spaced: bool = False

    def text(self) -> str:
        """How InfluxDB names the token in an error: its value, else its kind."""
        return self.value or self.kind


def parse_error(message: str) -> InfluxQLParseError:
    """An ``InfluxQLParseError`` reading as influxd's message."""
    return InfluxQLParseError(f"error parsing query: {message}")


class Scanner:
    """Scans one text into tokens on demand, with bound parameters applied."""

    __slots__ = ("params", "text")

    def __init__(self, text: str, params: Mapping[str, Any] | None = None) -> None:
        self.text = text
        self.params = params or {}

    def position(self, pos: int) -> str:
        """``line L, char C`` for an offset, counted from 1 as influxd does."""
        line = self.text.count("\n", 0, pos)
        start = self.text.rfind("\n", 0, pos) + 1
        return f"line {line + 1}, char {pos - start + 1}"

    def error(
        self, found: str, expected: tuple[str, ...] | list[str], pos: int
    ) -> InfluxQLParseError:
        """``found X, expected Y at line L, char C``."""
        where = self.position(pos)
        return parse_error(f"found {found}, expected {', '.join(expected)} at {where}")

    def error_at(self, message: str, pos: int) -> InfluxQLParseError:
        """``<message> at line L, char C``."""
        return parse_error(f"{message} at {self.position(pos)}")

    def scan(self, pos: int) -> tuple[Token, int]:
        """The token starting at or after *pos* (after whitespace and comments)
        and the offset after it."""
        text = self.text
        match = _TOKEN.match(text, pos)
        assert match is not None  # every part of the pattern is optional
        group = match.lastgroup
        start = match.end("ws")
        spaced = start > pos
        end = match.end()
        if group == "ident":
            lit = match.group(group)
            upper = lit.upper()
            if upper in KEYWORDS:
                return Token(upper, "", start, spaced), end
            return Token("IDENT", lit, start, spaced), end
        if group == "op":
            lit = match.group(group)
            return Token("!=" if lit == "<>" else lit, "", start, spaced), end
        if group == "integer":
            return Token("INTEGER", match.group(group), start, spaced), end
        if group == "quoted":
            return self._quoted(start, spaced)
        if group == "number":
            return Token("NUMBER", match.group(group).rstrip("."), start, spaced), end
        if group == "duration":
            return Token("DURATIONVAL", match.group(group), start, spaced), end
        if group == "param":
            lit = match.group(group)
            if lit == "$" and text.startswith('"', end):
                # An unterminated quoted name: influxd names what it read.
                token, after = self._quoted(end, spaced)
                return Token(token.kind, "$" + token.value, start, spaced), after
            return self._param(lit, start, spaced), end
        if start >= len(text):
            end_at = _end_position(text, match.group("ws"))
            return Token("EOF", "", end_at, spaced), start
        return Token("ILLEGAL", text[start], start, spaced), start + 1

    def _quoted(self, pos: int, spaced: bool) -> tuple[Token, int]:
        """A string (``'…'``) or a quoted identifier (``"…"``)."""
        text = self.text
        quote = text[pos]
        out: list[str] = []
        i = pos + 1
        n = len(text)
        while True:
            j = i
            while j < n and text[j] not in (quote, "\\", "\n"):
                j += 1
            out.append(text[i:j])
            if j >= n or text[j] == "\n":
                return Token("BADSTRING", "".join(out), pos, spaced), j
            if text[j] == quote:
                kind = "STRING" if quote == "'" else "IDENT"
                return Token(kind, "".join(out), pos, spaced), j + 1
            escaped = text[j + 1 : j + 2]
            if escaped not in _ESCAPES:
                return Token("BADESCAPE", "\\" + escaped, j + 1, spaced), j + 2
            out.append(_ESCAPES[escaped])
            i = j + 2

    def scan_regex(self, pos: int) -> tuple[Token, int]:
        """A regular expression ``/…/`` starting at *pos* (after whitespace).

        ``\\/`` stands for ``/``; every other backslash pair is kept for RE2.
        """
        token, end = self.scan(pos)
        if token.kind == "REGEX" or token.kind != "/":
            return token, end
        return self.regex_at(token.pos, spaced=token.spaced)

    def regex_at(self, start: int, *, spaced: bool = False) -> tuple[Token, int]:
        """The regular expression whose opening slash is at *start*.

        Read from the slash whatever follows, as influxd's parser does where
        a regex may start: ``/* … */`` there is a regex, not a comment.
        """
        text = self.text
        out: list[str] = []
        i = start + 1
        n = len(text)
        while True:
            j = i
            while j < n and text[j] not in "/\\\n":
                j += 1
            out.append(text[i:j])
            if j >= n or text[j] == "\n":
                return Token("BADREGEX", "".join(out), start, spaced), j
            if text[j] == "/":
                return Token("REGEX", "".join(out), start, spaced), j + 1
            escaped = text[j + 1 : j + 2]
            out.append("/" if escaped == "/" else "\\" + escaped)
            i = j + 2

    def _param(self, lit: str, pos: int, spaced: bool) -> Token:
        """A bound parameter, replaced by the token its value stands for."""
        name = lit[1:]
        if name.startswith('"'):
            name = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), name[1:-1])
        if not name or name not in self.params:
            # influxd names a missing parameter unquoted.
            return Token("BOUNDPARAM", "$" + name, pos, spaced)
        kind, value = bind(self.params[name], name)
        return Token(kind, value, pos, spaced)


_WORD_END = re.compile(r"[A-Za-z0-9_µ]+\Z")
_GAP = re.compile(r"[ \t\n\r]+|--[^\n]*|/\*(?:.|\n)*?\*/")
#: What Go's ``strings.TrimSpace`` trims (``unicode.IsSpace``): influxd trims
#: the query text so before it parses it.
GO_SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _end_position(text: str, gap: str) -> int:
    """Where influxd places the end of *text* in an error.

    The text comes trimmed (``GO_SPACE``); *gap* is the whitespace and
    comments read before the end. influxd's reader counts the end
    differently by what it read last: one character past the end after a
    bare word or a ``--`` comment (both read the end itself), and at the end
    after anything else, a ``/* */`` comment included.
    """
    pieces = _GAP.findall(gap)
    if pieces and pieces[-1].startswith("--"):
        return len(text) + 1
    if pieces:
        return len(text)
    word = _WORD_END.search(text)
    if word is not None and not word.group()[0].isdigit():
        return len(text) + 1
    return len(text)


_TYPED = {
    "identifier": "IDENT",
    "ident": "IDENT",
    "regex": "REGEX",
    "string": "STRING",
    "integer": "INTEGER",
    "int": "INTEGER",
    "float": "NUMBER",
    "number": "NUMBER",
    "duration": "DURATIONVAL",
}


def bind(value: Any, name: str) -> tuple[str, str]:
    """The token kind and value a parameter's value stands for.

    Plain JSON values are literals (a string, a bool, an integer, a float);
    an object with one of the keys ``identifier``/``ident``, ``regex``,
    ``duration``, ``string``, ``integer``/``int``, ``float``/``number``
    stands for that kind of token (reference §2.4).
    """
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), ""
    if isinstance(value, int):
        return "INTEGER", str(value)
    if isinstance(value, float):
        return "NUMBER", repr(value)
    if isinstance(value, str):
        return "STRING", value
    if isinstance(value, Mapping):
        for key, inner in value.items():
            kind = _TYPED.get(str(key).lower())
            if kind is None:
                msg = f"missing parameter: unknown bind object type: {key}"
                raise parse_error(msg)
            if kind == "DURATIONVAL" and isinstance(inner, int):
                return kind, f"{inner}ns"
            if isinstance(inner, float):
                return kind, repr(inner)
            if isinstance(inner, (str, int)) and not isinstance(inner, bool):
                return kind, str(inner)
            value = inner
            break
    # The Go type influxd names for a value it cannot bind.
    go_type = "<nil>" if value is None else "[]interface {}"
    if isinstance(value, Mapping):
        go_type = "map[string]interface {}"
    elif isinstance(value, bool):
        go_type = "bool"
    msg = f"missing parameter: unable to bind parameter with type {go_type}"
    raise parse_error(msg)


_UNITS = {
    "ns": 1,
    "u": 1_000,
    "µ": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "d": 86_400_000_000_000,
    "w": 604_800_000_000_000,
}


_UNIT_CLASSES: dict[str, type[Duration]] = {
    "ns": Nanosecond,
    "u": Microsecond,
    "µ": Microsecond,
    "ms": Millisecond,
    "s": Second,
    "m": Minute,
    "h": Hour,
    "d": Day,
    "w": Week,
}


def duration_literal(text: str) -> Duration | None:
    """A duration literal as written: ``60s`` stays ``Second(60)``; a
    combined one (``1h30m``) is expressed in its largest exact unit."""
    digits = len(text) - len(text.lstrip("0123456789"))
    unit = _UNIT_CLASSES.get(text[digits:])
    if unit is not None and digits:
        duration = unit(int(text[:digits]))
        if duration.nanoseconds < 1 << 63:
            return duration
    ns = parse_duration(text)
    # Past int64, influxd's sum wraps (a wrap below zero is refused first,
    # ``duration_overflow``): the literal is what it wraps to.
    return None if ns is None else duration_from_nanoseconds(_int64(ns))


def _int64(value: int) -> int:
    """*value* wrapped as Go's int64 arithmetic wraps it."""
    return (value + (1 << 63)) % (1 << 64) - (1 << 63)


def duration_overflow(text: str) -> str | None:
    """influxd's error for a duration literal whose nanoseconds its int64
    sum wraps below zero (``15251w``), or None: ``overflowed duration
    15251w: choose a smaller duration or INF`` (named by its last part)."""
    total, last = 0, ""
    for match in re.finditer(r"(\d+)(\D+)", text):
        unit = _UNITS.get(match[2])
        if unit is None:
            return None
        total = _int64(total + _int64(_int64(int(match[1])) * unit))
        last = match[0]
    if total >= 0:
        return None
    return f"overflowed duration {last}: choose a smaller duration or INF"


def parse_duration(text: str) -> int | None:
    """Nanoseconds of an InfluxQL duration (``1h30m``), ``None`` if invalid."""
    total = 0
    i, n = 0, len(text)
    if n == 0:
        return None
    while i < n:
        j = i
        while j < n and text[j].isdigit():
            j += 1
        if j == i:
            return None
        k = j
        while k < n and not text[k].isdigit():
            k += 1
        unit = _UNITS.get(text[j:k])
        if unit is None:
            return None
        total += int(text[i:j]) * unit
        i = k
    return total
