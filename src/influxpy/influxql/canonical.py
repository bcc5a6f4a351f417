"""InfluxQL text rewritten in influxd 1.6.7's canonical form.

influxd keeps a statement as ``String()`` of its parsed form (the text
``SHOW CONTINUOUS QUERIES`` lists, for one). From text influxpy's
``InfluxQLCompiler`` writes, that form differs in tokens only, so it is
written here token by token, keeping everything else as it is:

- identifiers as ``QuoteIdent`` writes them: bare when they can be (ASCII
  letters, digits and ``_``, not starting with a digit, not a keyword),
  else double-quoted with ``\\``, ``"`` and line breaks escaped;
- float literals with three decimals (Go's ``FormatFloat(v, 'f', 3)``:
  ``1.5`` is ``1.500``), except the value of ``fill()``, printed as Go's
  ``%v`` prints a float (``1.5``, ``1``);
- ``tz(…)`` as ``TZ(…)``.

Parentheses, literals and spacing are kept: text a user wrote by hand may
still differ from influxd's form where influxd drops or adds something
(see ``canonical_text``).
"""

from __future__ import annotations

import re

from influxpy.influxql.scanner import KEYWORDS, Scanner

__all__ = ["canonical_text", "quote_identifier"]

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Tokens after which ``/`` opens a regular expression (never a division).
_BEFORE_REGEX = frozenset(("=~", "!~", "FROM", ",", "SELECT", "("))


def quote_identifier(name: str) -> str:
    """*name* as influxql's ``QuoteIdent`` writes it."""
    if _BARE.match(name) and name.upper() not in KEYWORDS:
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _go_float(text: str, *, fill: bool) -> str:
    value = float(text)
    if not fill:
        return f"{value:.3f}"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def canonical_text(text: str) -> str:
    """*text* (one statement, as ``InfluxQLCompiler`` writes it) in
    influxd's canonical form.

    Given text a user wrote, influxd's form may still differ where it keeps
    what the compiler changes: parentheses the user wrote or left out, and
    integer time literals (the compiler writes RFC 3339 strings).
    """
    scanner = Scanner(text)
    out: list[str] = []
    pos = 0
    previous = ""
    depth_in_fill = -1
    depth = 0
    while True:
        token, end = scanner.scan(pos)
        if token.kind == "EOF":
            out.append(text[pos:])
            return "".join(out)
        if token.kind == "/" and previous in _BEFORE_REGEX:
            token, end = scanner.scan_regex(token.pos)
        out.append(text[pos : token.pos])
        raw = text[token.pos : end]
        if token.kind == "IDENT":
            following, _ = scanner.scan(end)
            if token.value.lower() == "tz" and following.kind == "(":
                raw = "TZ"
            else:
                raw = quote_identifier(token.value)
                if token.value.lower() == "fill" and following.kind == "(":
                    depth_in_fill = depth
        elif token.kind == "NUMBER":
            raw = _go_float(token.value, fill=depth_in_fill >= 0)
        elif token.kind == "(":
            depth += 1
        elif token.kind == ")":
            depth -= 1
            if depth == depth_in_fill:
                depth_in_fill = -1
        out.append(raw)
        previous = token.kind
        pos = end
