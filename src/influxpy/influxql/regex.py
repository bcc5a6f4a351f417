"""Regular expressions in InfluxQL text, checked as influxd 1.6.7 checks them.

influxd compiles each ``/…/`` while it parses, with Go's ``regexp``
(RE2 syntax), and refuses the statement with Go's message: ``error parsing
regexp: missing closing ): `a(` ``. The engine runs patterns with DuckDB's
RE2, the C++ library Go's parser was ported from: it accepts and refuses
the same patterns, with the same offending text, save ``\\C`` (any byte),
which Go refuses. So a pattern is checked here with DuckDB's RE2 (each
pattern once), its error reworded as Go words it, and ``\\C`` refused.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

__all__ = ["go_search", "regex_error"]

#: RE2's error texts and Go's words for them (``regexp/syntax.ErrorCode``).
_GO_WORDS = {
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
}

_lock = threading.Lock()
_connection: Any = None


def _re2_error(pattern: str) -> str | None:
    """RE2's error for *pattern* (``code: text``), or ``None``."""
    global _connection
    import duckdb

    with _lock:
        if _connection is None:
            _connection = duckdb.connect(":memory:")
        try:
            _connection.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
        except duckdb.Error as exc:
            text = str(exc)
            prefix = "Invalid Input Error: "
            return text[len(prefix) :] if text.startswith(prefix) else text
    return None


def _go_only_error(pattern: str) -> str | None:
    """What Go refuses and RE2 takes: ``\\C`` outside ``\\Q…\\E``."""
    i = 0
    n = len(pattern)
    while i < n:
        if pattern[i] != "\\":
            i += 1
            continue
        following = pattern[i + 1 : i + 2]
        if following == "Q":
            end = pattern.find("\\E", i + 2)
            i = n if end < 0 else end + 2
            continue
        if following == "C":
            return "error parsing regexp: invalid escape sequence: `\\C`"
        i += 2
    return None


@functools.lru_cache(maxsize=4096)
def regex_error(pattern: str) -> str | None:
    """Go's error for *pattern* (``error parsing regexp: <what>: `<text>` ``),
    or ``None`` when Go's ``regexp`` compiles it."""
    found = _re2_error(pattern)
    if found is None:
        return _go_only_error(pattern)
    for code in sorted(_GO_WORDS, key=len, reverse=True):
        if found == code or found.startswith(code + ": "):
            text = found[len(code) + 2 :]
            return f"error parsing regexp: {_GO_WORDS[code]}: `{text}`"
    return f"error parsing regexp: {found}"


# -- matching in Python ----------------------------------------------------------

#: Go's POSIX classes (``[[:alpha:]]``), ASCII only, as Python class bodies.
_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
#: Go's Perl classes are ASCII; Python's are Unicode unless told.
_PERL = {
    "d": "0-9",
    "s": "\\t\\n\\f\\r ",
    "w": "0-9A-Za-z_",
}


class _Untranslatable(Exception):
    """A construct Python's ``re`` cannot say the same way."""


def _translate(pattern: str) -> str:
    """*pattern* (RE2, already accepted) in Python's ``re`` syntax."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    multiline = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 : n if end < 0 else end]
                out.append(
                    "".join(f"\\{ch}" if not ch.isalnum() else ch for ch in literal)
                )
                i = n if end < 0 else end + 2
                continue
            if nxt == "E":
                i += 2
                continue
            if nxt == "z":
                out.append("\\Z")
            elif nxt == "x" and pattern[i + 2 : i + 3] == "{":
                end = pattern.index("}", i + 3)
                out.append(f"\\U{int(pattern[i + 3 : end], 16):08x}")
                i = end + 1
                continue
            elif nxt in _PERL or nxt.lower() in _PERL:
                body = _PERL[nxt.lower()]
                if in_class:
                    if nxt.isupper():
                        raise _Untranslatable(pattern)
                    out.append(body)
                else:
                    out.append(f"[{'^' if nxt.isupper() else ''}{body}]")
            elif nxt in ("p", "P", "b", "B"):
                raise _Untranslatable(pattern)
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                end = pattern.index(":]", i + 2)
                name = pattern[i + 2 : end]
                if name.startswith("^"):
                    raise _Untranslatable(pattern)
                out.append(_POSIX[name])
                i = end + 2
                continue
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            elif c == "[":
                c = "\\["
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if pattern[i : i + 1] == "]":
                out.append("\\]")
                i += 1
            continue
        if (
            c == "("
            and pattern.startswith("(?", i)
            and not pattern.startswith("(?P", i)
        ):
            end = i + 2
            while end < n and pattern[end] not in ":)":
                end += 1
            flags = pattern[i + 2 : end]
            multiline = multiline or "m" in flags.split("-")[0]
            kept = flags.replace("U", "")
            if kept in ("", "-"):
                if pattern[end] == ")":
                    i = end + 1
                    continue
                kept = ""
            out.append(f"(?{kept}" if kept else "(?")
            i = end
            continue
        if c == "$" and not multiline:
            out.append("(?!\\n)\\Z")  # Go's $ is the end of the text alone
        else:
            out.append(c)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _python_regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_translate(pattern))
    except (_Untranslatable, re.error, ValueError, KeyError):
        return None


def go_search(pattern: str, text: str) -> bool:
    """Whether RE2 *pattern* matches somewhere in *text*, as Go's
    ``regexp.MatchString`` answers: with Python's ``re`` once the pattern
    is translated (``\\z``, ``$``, ``\\x{…}``, ``\\Q…\\E``, POSIX and ASCII
    Perl classes, the ``U`` flag), else with RE2 itself."""
    compiled = _python_regex(pattern)
    if compiled is not None:
        return compiled.search(text) is not None
    import duckdb

    with _lock:
        global _connection
        if _connection is None:
            _connection = duckdb.connect(":memory:")
        rows = _connection.execute(
            "SELECT regexp_matches(?, ?)", [text, pattern]
        ).fetchall()
    return bool(rows[0][0])
