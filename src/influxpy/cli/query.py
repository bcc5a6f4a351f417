"""``influxpy query``: InfluxQL statements, printed in a chosen format."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click

from influxpy.cli._common import backend_for, session, timed
from influxpy.cli._output import print_table
from influxpy.cli.options import database_option, url_option

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.results import Series

__all__ = ["query"]


@click.command(
    help=(
        "Run InfluxQL statements (separated by ';') on an InfluxDB server or "
        "the embedded engine."
    )
)
@url_option
@database_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "line"]),
    default="table",
    show_default=True,
    help="Output: a table, CSV, JSON, or line protocol (SELECT only).",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    default=None,
    help=(
        "Write a chart of the result to this file (.png, .svg, .pdf), one line "
        "per series and value column, instead of printing it (the plot extra)."
    ),
)
@click.argument("statement")
def query(
    url: str | None,
    database: str | None,
    fmt: str,
    statement: str,
    plot_path: str | None = None,
) -> None:
    """Run InfluxQL statements on any store and print their results."""
    backend = backend_for(url)
    pieces = text_series(backend, statement, database=database, chunk_size=10_000)
    if plot_path is not None:
        from influxpy.cli._plot import write_plot

        lines = write_plot(pieces, plot_path)
        session().console.print(f"Wrote {plot_path} ({lines} lines).", soft_wrap=True)
        return
    _print_query(pieces, fmt, session().console)


def text_series(
    backend: Backend, text: str, *, database: str | None, chunk_size: int
) -> Iterator[Series]:
    """The series of every statement of InfluxQL *text*, streamed in chunks;
    a failed statement raises ``ProgrammingError`` with the store's text."""
    for result in backend.statements(text, database=database, chunk_size=chunk_size):
        if result.error is not None:
            raise backend.statement_failure(result)
        yield from result.series


def _display_rows(series: Series) -> list[dict[str, Any]]:
    from influxpy._utils import format_rfc3339

    rows = [dict(zip(series.columns, r, strict=False)) for r in series.values]
    if series.columns[:1] == ["time"]:
        for row in rows:
            if isinstance(row["time"], int):
                row["time"] = format_rfc3339(row["time"])
    return rows


def _print_query(pieces: Iterable[Series], fmt: str, console: Any) -> None:
    """Print a statement's result as a table, CSV, JSON or line protocol.

    CSV and line protocol of a SELECT stream in the format ``import`` reads.
    """
    import csv
    import json

    from influxpy._export import export_query
    from influxpy.results import merge_pieces

    out = sys.stdout
    iterator = iter(pieces)
    first = next(iterator, None)
    everything = itertools.chain([] if first is None else [first], iterator)
    if fmt == "line":
        export_query(timed(everything), out, fmt="line")
        return
    if fmt == "csv" and first is not None and first.columns[:1] == ["time"]:
        export_query(timed(everything), out, fmt="csv")
        return
    series = list(merge_pieces(everything))
    if fmt == "csv":
        # InfluxDB's own CSV: the series name and tags on every row.
        writer = csv.writer(out, lineterminator="\n")
        header: list[str] | None = None
        for s in series:
            if header is None:
                header = ["name", "tags", *s.columns]
                writer.writerow(header)
            tags = ",".join(f"{k}={v}" for k, v in sorted(s.tags.items()))
            for row in _display_rows(s):
                writer.writerow([s.name, tags, *row.values()])
        return
    if fmt == "json":
        document = [
            {
                "name": s.name,
                "tags": s.tags,
                "columns": s.columns,
                "values": [list(r.values()) for r in _display_rows(s)],
            }
            for s in series
        ]
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
        return
    # A series without rows (SHOW CONTINUOUS QUERIES names every database,
    # with or without queries) is left out; with no row at all, say so.
    printed = False
    for s in series:
        rows = _display_rows(s)
        if not rows:
            continue
        shown = ", ".join(f"{k}={v}" for k, v in sorted(s.tags.items()))
        title = " ".join(p for p in (s.name, shown) if p) or "result"
        print_table(console, title, rows, limit=50)
        printed = True
    if not printed:
        console.print("(no rows)")
