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
import threading
from typing import Any

__all__ = ["regex_error"]

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
