"""``influxpy import`` and ``influxpy export``: points in and out of files.

Line protocol and CSV, read by ``influxpy._transfer`` and written by
``influxpy._export``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click

from influxpy._records import PRECISIONS, Record
from influxpy.cli._common import (
    Exit,
    backend_for,
    check_measurements,
    progress_bar,
    say,
    session,
    timed,
)
from influxpy.cli._output import count
from influxpy.cli.options import (
    database_option,
    delimiter_option,
    progress_option,
    time_option,
    url_option,
)
from influxpy.exceptions import DatabaseNotFoundError

if TYPE_CHECKING:
    from influxpy.introspection import Introspection

__all__ = ["export", "import_"]

#: Rejected lines printed by ``import`` before it only counts them.
_MAX_REPORTED = 100


@click.command(
    "import",
    help=(
        "Write points from line-protocol or CSV files (or stdin, '-'). Good "
        "lines are written even when others are bad; bad lines are reported "
        "with their line numbers and the exit code is 1."
    ),
)
@url_option
@database_option
@click.option("--rp", help="Retention policy to write into.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "line", "csv"]),
    default="auto",
    show_default=True,
    help="Input format; auto means CSV for *.csv files, else line protocol.",
)
@click.option("--measurement", help="Measurement of CSV rows without one.")
@click.option(
    "--tag", "tags", multiple=True, help="A CSV column that is a tag (repeat)."
)
@click.option(
    "--precision",
    type=click.Choice(sorted(PRECISIONS)),
    help=(
        "Unit of the integer times in the input (default: ns); RFC 3339 "
        "times are exact whatever it is."
    ),
)
@click.option(
    "--delimiter",
    callback=delimiter_option,
    help="CSV cell separator (default: the one the header line uses).",
)
@click.option(
    "--create-database",
    is_flag=True,
    help="Create the database first if it does not exist.",
)
@click.option("--batch-size", default=5_000, show_default=True, type=int)
@progress_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
def import_(
    url: str | None,
    database: str | None,
    rp: str | None,
    fmt: str,
    measurement: str | None,
    tags: tuple[str, ...],
    precision: str | None,
    delimiter: str | None,
    create_database: bool,
    batch_size: int,
    progress: bool | None,
    files: tuple[str, ...],
) -> None:
    """Write points from line-protocol or CSV files (or stdin, ``-``)."""
    from influxpy._transfer import (
        import_line_protocol,
        import_records,
        read_csv,
        read_line_protocol,
    )

    error_console = session().error_console
    if batch_size < 1:
        raise click.BadParameter("must be at least 1.", param_hint="--batch-size")
    backend = backend_for(url)
    db = backend.resolve_database(database)
    if create_database:
        backend.create_database(db)
    written = rejected = 0
    shown = 0
    # Integer times that look like seconds (or ms, us) read as the default
    # nanoseconds: warn once, at the first such time.
    watch = {"times": precision is None}

    def checked(records: Iterable[Record], name: str) -> Iterator[Record]:
        for record in records:
            if watch["times"] and record.epoch is not None:
                watch["times"] = False
                _warn_precision(error_console, name, record)
            yield record

    for path in files or ("-",):
        name = "stdin" if path == "-" else path
        try:
            stream, size = _open_input(path)
        except OSError as exc:
            msg = f"Cannot read {name}: {exc.strerror or exc}."
            raise click.ClickException(msg) from None
        kind = _input_format(path, fmt)
        try:
            with progress_bar(error_console, progress, "bytes") as bar:
                task = bar.add_task(f"Importing {name}", total=size)

                def advance(size: int, task: Any = task, bar: Any = bar) -> None:
                    bar.advance(task, size)

                unit = precision or "ns"
                if kind != "csv" and hasattr(backend, "write_line_protocol"):
                    # The engine reads whole bodies with its fast reader.

                    def first(record: Record, name: str = name) -> None:
                        for _record in checked([record], name):
                            pass

                    report = import_line_protocol(
                        backend,
                        stream,
                        database=db,
                        retention_policy=rp,
                        precision=unit,
                        batch_size=batch_size,
                        on_bytes=advance,
                        on_first=first,
                    )
                else:
                    records = (
                        read_csv(
                            stream,
                            measurement=measurement,
                            tags=tags,
                            precision=unit,
                            delimiter=delimiter,
                            on_bytes=advance,
                        )
                        if kind == "csv"
                        else read_line_protocol(
                            stream, precision=unit, on_bytes=advance
                        )
                    )
                    report = import_records(
                        backend,
                        checked(records, name),
                        database=db,
                        retention_policy=rp,
                        batch_size=batch_size,
                    )
        except DatabaseNotFoundError:
            from influxpy.compilers.influxql import InfluxQLCompiler

            create = f"CREATE DATABASE {InfluxQLCompiler.quote_identifier(db)}"
            msg = (
                f"The database {db!r} does not exist on {backend.url}; pass "
                "--create-database to create it, or run influxpy query "
                f"'{create}'."
            )
            raise click.ClickException(msg) from None
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        written += report.written
        rejected += len(report.rejected)
        for record in report.rejected:
            if shown < _MAX_REPORTED:
                text = record.text.replace("\n", "\\n")
                if len(text) > 120:
                    text = text[:117] + "..."
                say(
                    f"{name}:{record.line_number}: {record.error}: {text}",
                    err=True,
                )
            shown += 1
        points = count(report.written, "point")
        lines = count(len(report.rejected), "line")
        say(f"{name}: wrote {points}, rejected {lines}.")
    if shown > _MAX_REPORTED:
        more = count(shown - _MAX_REPORTED, "more rejected line")
        say(f"... and {more}.", err=True)
    if len(files) > 1:
        points, lines = count(written, "point"), count(rejected, "line")
        say(f"Total: wrote {points}, rejected {lines}.")
    if rejected:
        raise Exit(1)


@click.command(
    help=(
        "Write measurements (all by default) or a query's result as line "
        "protocol or CSV, streamed. The output imports back exactly."
    )
)
@url_option
@database_option
@click.option(
    "--measurement",
    "-m",
    "measurements",
    multiple=True,
    help="A measurement to export (repeat; default: all).",
)
@click.option("--query", "statement", help="An InfluxQL SELECT to export instead.")
@click.option("--rp", help="Retention policy to read (default: the default one).")
@click.option("--start", help="Export points at or after this time.")
@click.option("--end", help="Export points before this time.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["line", "csv"]),
    default="line",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write (default: stdout).",
)
@click.option("--chunk-size", default=10_000, show_default=True, type=int)
@progress_option
def export(
    url: str | None,
    database: str | None,
    measurements: tuple[str, ...],
    statement: str | None,
    rp: str | None,
    start: str | None,
    end: str | None,
    fmt: str,
    output: str,
    chunk_size: int,
    progress: bool | None,
) -> None:
    """Write measurements or a query's result as line protocol or CSV."""
    from influxpy._export import export_measurements, export_query
    from influxpy.introspection import get_introspection

    error_console = session().error_console
    backend = backend_for(url)
    bounds = [
        time_option(option, value)
        for option, value in (("--start", start), ("--end", end))
    ]
    if statement is not None and (measurements or rp or start or end):
        msg = "--query cannot be combined with --measurement, --rp, --start or --end."
        raise click.UsageError(msg)
    intro: Introspection | None = None
    if statement is None:
        intro = get_introspection(backend, database)
        check_measurements(intro, measurements)
    out: Any = sys.stdout
    if output != "-":
        out = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        with progress_bar(error_console, progress, "points") as bar:
            task = bar.add_task("Exporting", total=None)

            def advance(count: int) -> None:
                bar.advance(task, count)

            if statement is not None:
                from influxpy.cli.query import text_series

                pieces = text_series(
                    backend, statement, database=database, chunk_size=chunk_size
                )
                total = export_query(timed(pieces), out, fmt=fmt, on_points=advance)
            else:
                assert intro is not None
                total = export_measurements(
                    intro,
                    out,
                    measurements=measurements or None,
                    retention_policy=rp,
                    fmt=fmt,
                    start=bounds[0],
                    end=bounds[1],
                    chunk_size=chunk_size,
                    on_points=advance,
                    on_warning=lambda text: say(f"influxpy: warning: {text}", err=True),
                    alias=backend.alias,
                )
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    points = count(total, "point")
    say(f"Exported {points}.", err=True)


def _open_input(path: str) -> tuple[Any, int | None]:
    if path == "-":
        return sys.stdin.buffer, None
    handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    return handle, os.fstat(handle.fileno()).st_size


def _input_format(path: str, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    return "csv" if path.lower().endswith(".csv") else "line"


_UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds"}


def _warn_precision(console: Any, name: str, record: Record) -> None:
    """Warn (one line) when an integer time reads better in another unit."""
    from influxpy._records import likely_precision
    from influxpy._utils import format_rfc3339

    assert record.epoch is not None
    unit = likely_precision(record.epoch)
    if unit is None:
        return
    console.print(
        f"influxpy: warning: {name}:{record.line_number}: the time "
        f"{record.epoch} is {format_rfc3339(record.epoch)} in nanoseconds (the "
        f"default); if the times are {_UNIT_NAMES[unit]}, pass --precision {unit}.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
