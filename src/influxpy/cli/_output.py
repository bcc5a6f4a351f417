"""Tables and counts printed by the ``influxpy`` command.

Values are shown exactly: a float as its ``repr`` (every digit it has,
``1700000000.123``, never ``1.7e+09``), an integer as an integer, a
boolean as ``true``/``false`` as InfluxDB writes it, a time in RFC 3339.
Columns holding only numbers are aligned right; every other column
(times, tags, strings, mixed values) is aligned left.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

__all__ = [
    "count",
    "format_value",
    "print_table",
    "redact_url",
    "scrub",
    "table",
    "url_secrets",
]


def count(number: int, noun: str) -> str:
    """``1 point``, ``2 points``, ``0 points``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def format_value(value: Any) -> str:
    """One cell's text, exact (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def table(rows: Sequence[dict[str, Any]], limit: int = 12) -> Any:
    """A rich table of the first *limit* rows, noting how many are not shown."""
    from rich.table import Table

    result = Table(show_lines=False)
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    shown = rows[:limit]
    for column in columns:
        values = [row[column] for row in shown if row.get(column) is not None]
        numeric = bool(values) and all(_is_number(v) for v in values)
        # A narrow terminal folds a long value onto more lines; never cuts it.
        result.add_column(
            column, justify="right" if numeric else "left", overflow="fold"
        )
    for row in shown:
        result.add_row(*(format_value(row.get(c)) for c in columns))
    if len(rows) > limit:
        result.caption = f"{count(len(rows) - limit, 'more row')} not shown"
    return result


def print_table(
    console: Any, title: str, rows: Sequence[dict[str, Any]], limit: int = 12
) -> None:
    """Print *title* on its own line, then the table of *rows*.

    Off a terminal (a file, a pipe) the table is as wide as its values need,
    so no value is folded.
    """
    from rich.console import Console
    from rich.measure import Measurement

    console.print(title, markup=False, highlight=False, soft_wrap=True)
    rendered = table(rows, limit)
    if not console.is_terminal:
        wide = console.options.update_width(1_000_000)
        needed = Measurement.get(console, wide, rendered).maximum
        if needed > console.width:
            console = Console(file=console.file, width=needed, no_color=True)
    console.print(rendered)


_USERINFO = re.compile(r"^(?P<scheme>[^:/?#]*://)(?P<user>[^:@/]*):")
_SECRET_OPTION = re.compile(r"([?&](?:p|password|token)=)([^&#]*)")


def redact_url(text: str) -> str:
    """*text* (a URL, perhaps malformed) with its secrets replaced by ``***``.

    Everything between ``user:`` and the last ``@`` is hidden, so a password
    holding ``@`` or ``/`` is hidden too (with more than it, at worst), and
    so are the ``p``, ``password`` and ``token`` options.
    """
    text = _SECRET_OPTION.sub(r"\1***", text)
    head, at, tail = text.rpartition("@")
    match = _USERINFO.match(head) if at else None
    if match is None:
        return text
    return f"{match['scheme']}{match['user']}:***@{tail}"


def url_secrets(text: str) -> list[str]:
    """The secrets ``redact_url`` hides, as written and percent-decoded."""
    found = [match[2] for match in _SECRET_OPTION.finditer(text)]
    head, at, _tail = text.rpartition("@")
    match = _USERINFO.match(head) if at else None
    if match is not None:
        found.append(head[match.end() :])
    return sorted({t for s in found if s for t in (s, unquote(s))}, key=len)[::-1]


def scrub(text: str, secrets: Sequence[str]) -> str:
    """*text* with every secret replaced by ``***``.

    A short secret (under 6 characters) is replaced only where it stands
    alone, so that a password ``p`` does not blank every ``p`` of a message.
    """
    for secret in secrets:
        pattern = re.escape(secret)
        if len(secret) < 6:
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
        text = re.sub(pattern, "***", text)
    return text
