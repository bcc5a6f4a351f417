"""What the commands of the ``influxpy`` command line share at run time.

The consoles of a run, the exit with a code, opening the database of a URL
(remembering the URL so that errors can hide its secrets), plain output,
progress bars and the check of measurement
names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from influxpy.cli._output import redact_url
from influxpy.exceptions import InfluxpyError

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.introspection import Introspection
    from influxpy.results import Series

__all__ = [
    "URLS_SEEN",
    "Exit",
    "Session",
    "backend_for",
    "check_measurements",
    "progress_bar",
    "say",
    "session",
    "timed",
]


class Exit(Exception):
    """Leave with an exit code, after the command has said why."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Session:
    """One run of the command line: its consoles and its ``--traceback``."""

    console: Console = field(default_factory=Console)
    error_console: Console = field(default_factory=lambda: Console(stderr=True))
    traceback: bool = False


def session() -> Session:
    """The run of the command being invoked (a new one for a lone command)."""
    return click.get_current_context().ensure_object(Session)


#: The URLs this run connected to, whose secrets errors must not show.
URLS_SEEN: list[str] = []


def backend_for(url: str | None, alias: str | None = None) -> Backend:
    """Connect to *url* (or the default connection) and remember the URL."""
    import influxpy

    if url:
        URLS_SEEN.append(url)
    try:
        if alias is not None:
            return influxpy.connect(url, alias=alias)
        return influxpy.connect(url) if url else influxpy.get_connection()
    except InfluxpyError:
        raise
    except ValueError as exc:
        # The standard library's URL parser (an unclosed "[", a bad port).
        shown = redact_url(url or "")
        msg = f"The database URL {shown!r} is not valid: {exc}."
        raise click.UsageError(msg) from None


def say(text: str, *, err: bool = False) -> None:
    """Print plain text, unwrapped (summaries that scripts may read)."""
    click.echo(text, err=err)


def timed(pieces: Iterable[Series]) -> Iterator[Series]:
    """Pass *pieces* on, refusing a result without a time column."""
    for piece in pieces:
        if piece.columns[:1] != ["time"]:
            msg = (
                "This statement's result has no time column, so it cannot be "
                "written as points; use --format table, csv or json."
            )
            raise click.UsageError(msg)
        yield piece


def progress_bar(console: Any, enabled: bool | None, what: str) -> Any:
    """A progress bar on stderr (shown on terminals unless told otherwise)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    show = console.is_terminal if enabled is None else enabled
    middle = DownloadColumn() if what == "bytes" else MofNCompleteColumn()
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        middle,
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=console.is_terminal,
    )


def check_measurements(intro: Introspection, names: Sequence[str]) -> None:
    """Refuse a measurement the database does not have, naming what it has."""
    known = intro.measurements()
    for name in names:
        if name in known:
            continue
        shown = ", ".join(known[:20]) + (
            f" and {len(known) - 20} more" if len(known) > 20 else ""
        )
        has = f"it has: {shown}" if known else "it has none"
        close = difflib.get_close_matches(name, known, n=1)
        guess = f" Did you mean {close[0]!r}?" if close else ""
        msg = (
            f"The database {intro.database!r} has no measurement {name!r}; "
            f"{has}.{guess}"
        )
        raise click.UsageError(msg)
