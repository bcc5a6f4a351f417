"""The ``influxpy`` command (the ``cli`` extra).

``demo``, ``ping``, ``query`` (InfluxQL text, printed as a table, CSV, JSON
or line protocol), ``import`` and ``export`` (line protocol and CSV, see
``influxpy._transfer``), ``inspect`` (model classes for an existing
database) and ``migrate`` (create what models declare). ``--url`` or the
environment (``INFLUX_DATABASE_URL``, then ``INFLUXDB_URL``) picks the
database; without either, the embedded engine in memory.
``influxpy.__main__`` is the entry point; it reports a missing extra.

Errors are one readable line and a non-zero exit code, with any password
of the URL hidden; ``influxpy --traceback`` adds the traceback.
"""

from __future__ import annotations

import difflib
import itertools
import os
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from influxpy._cli_output import count, print_table, redact_url, scrub, url_secrets
from influxpy._transfer import PRECISIONS, Record
from influxpy.exceptions import DatabaseNotFoundError, InfluxpyError

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.compilers.base import Compiled
    from influxpy.introspection import Introspection
    from influxpy.results import Series

__all__ = ["main"]

#: Rejected lines printed by ``import`` before it only counts them.
_MAX_REPORTED = 100


class _Exit(Exception):
    """Leave with an exit code, after the command has said why."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


#: The URLs this run connected to, whose secrets errors must not show.
_URLS_SEEN: list[str] = []


def _backend(url: str | None, alias: str | None = None) -> Backend:
    import influxpy

    if url:
        _URLS_SEEN.append(url)
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


def _say(text: str, *, err: bool = False) -> None:
    """Print plain text, unwrapped (summaries that scripts may read)."""
    click.echo(text, err=err)


def _raw_statement(text: str) -> Compiled:
    """Wrap InfluxQL typed by the user; it is sent as POST when it writes."""
    from influxpy.compilers.base import Compiled

    upper = text.lstrip().upper()
    writes = not upper.startswith(("SELECT", "SHOW", "EXPLAIN")) or " INTO " in upper
    return Compiled(text, writes=writes)


def _display_rows(series: Series) -> list[dict[str, Any]]:
    from influxpy._utils import format_rfc3339

    rows = [dict(zip(series.columns, r, strict=False)) for r in series.values]
    if series.columns[:1] == ["time"]:
        for row in rows:
            if isinstance(row["time"], int):
                row["time"] = format_rfc3339(row["time"])
    return rows


def _timed(pieces: Iterable[Series]) -> Iterator[Series]:
    for piece in pieces:
        if piece.columns[:1] != ["time"]:
            msg = (
                "This statement's result has no time column, so it cannot be "
                "written as points; use --format table, csv or json."
            )
            raise click.UsageError(msg)
        yield piece


def _print_query(pieces: Iterable[Series], fmt: str, console: Any) -> None:
    """Print a statement's result as a table, CSV, JSON or line protocol.

    CSV and line protocol of a SELECT stream in the format ``import`` reads.
    """
    import csv
    import json

    from influxpy._transfer import export_query
    from influxpy.results import merge_pieces

    out = sys.stdout
    iterator = iter(pieces)
    first = next(iterator, None)
    everything = itertools.chain([] if first is None else [first], iterator)
    if fmt == "line":
        export_query(_timed(everything), out, fmt="line")
        return
    if fmt == "csv" and first is not None and first.columns[:1] == ["time"]:
        export_query(_timed(everything), out, fmt="csv")
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


def _progress(console: Any, enabled: bool | None, what: str) -> Any:
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


def _time_option(option: str, value: str | None) -> int | None:
    from influxpy._utils import to_ns

    if value is None:
        return None
    try:
        return int(value) if value.lstrip("-").isdigit() else to_ns(value)
    except (TypeError, ValueError) as exc:
        msg = f"{exc}."
        raise click.BadParameter(msg, param_hint=option) from None


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
    from influxpy._transfer import likely_precision
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


def _delimiter_option(
    _context: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    """``--delimiter``: one character; ``tab`` or ``\\t`` name a tab."""
    if value is None:
        return None
    value = "\t" if value in ("tab", "\\t") else value
    if len(value) != 1 or value in '"\r\n':
        msg = (
            f"{value!r} is not a delimiter: give one character other than a "
            "quote or a newline, such as ';', '|' or tab."
        )
        raise click.BadParameter(msg)
    return value


def _check_measurements(intro: Introspection, names: Sequence[str]) -> None:
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


def _load_module(name: str) -> Any:
    """Import a module by dotted name or file path (for ``migrate``)."""
    import importlib
    import importlib.util

    if name.endswith(".py") or os.sep in name:
        path = os.path.abspath(name)
        module_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None or not os.path.exists(path):
            msg = f"Cannot load models from {name!r}: no such Python file."
            raise click.UsageError(msg)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        msg = f"Cannot import the module {name!r}: {exc}."
        raise click.UsageError(msg) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``influxpy`` command line; return the exit code."""
    console = Console()
    error_console = Console(stderr=True)
    debug = {"traceback": False}
    _URLS_SEEN.clear()

    @click.group(help="influxpy: time series for humans and robots.")
    @click.version_option(package_name="influxpy-orm")
    @click.option(
        "--traceback",
        "show_traceback",
        is_flag=True,
        help="On an error, print the Python traceback too (for bug reports).",
    )
    def cli(show_traceback: bool) -> None:
        debug["traceback"] = show_traceback

    url_option = click.option(
        "--url",
        envvar=["INFLUX_DATABASE_URL", "INFLUXDB_URL"],
        help="Database URL (default: INFLUX_DATABASE_URL, else the embedded engine).",
    )

    @cli.command(help="Write a day of demo data and run a few queries.")
    @url_option
    @click.option(
        "--points",
        default=8_640,
        show_default=True,
        type=click.IntRange(1, 86_400),
        help="Points per server (5 servers), evenly spaced over the day.",
    )
    def demo(url: str | None, points: int) -> None:
        from influxpy._cli_demo import DEMO_ALIAS, run_demo

        run_demo(_backend(url or "duckdb://:memory:", DEMO_ALIAS), console, points)

    @cli.command(help="Check the database answers and print its version.")
    @url_option
    def ping(url: str | None) -> None:
        backend = _backend(url)
        version = backend.ping()
        _say(f"{backend.url}: {version}")

    database_option = click.option(
        "--database",
        "-d",
        help="Database to use (default: the one in the URL).",
    )
    progress_option = click.option(
        "--progress/--no-progress",
        default=None,
        help="Show a progress bar on stderr (default: when it is a terminal).",
    )

    @cli.command(help="Run one InfluxQL statement on an InfluxDB server.")
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
    @click.argument("statement")
    def query(url: str | None, database: str | None, fmt: str, statement: str) -> None:
        from influxpy.compilers.influxql import InfluxQLCompiler

        backend = _backend(url)
        if not issubclass(backend.compiler_class, InfluxQLCompiler):
            msg = (
                "query runs InfluxQL text, which needs an InfluxDB server: pass "
                "--url influxdb://host:8086/db."
            )
            raise click.UsageError(msg)
        pieces = backend.execute(
            _raw_statement(statement), database=database, chunk_size=10_000
        )
        _print_query(pieces, fmt, console)

    @cli.command(
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
        callback=_delimiter_option,
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
        from influxpy._transfer import import_records, read_csv, read_line_protocol

        if batch_size < 1:
            raise click.BadParameter("must be at least 1.", param_hint="--batch-size")
        backend = _backend(url)
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
                with _progress(error_console, progress, "bytes") as bar:
                    task = bar.add_task(f"Importing {name}", total=size)

                    def advance(size: int, task: Any = task, bar: Any = bar) -> None:
                        bar.advance(task, size)

                    unit = precision or "ns"
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
                    _say(
                        f"{name}:{record.line_number}: {record.error}: {text}",
                        err=True,
                    )
                shown += 1
            points = count(report.written, "point")
            lines = count(len(report.rejected), "line")
            _say(f"{name}: wrote {points}, rejected {lines}.")
        if shown > _MAX_REPORTED:
            more = count(shown - _MAX_REPORTED, "more rejected line")
            _say(f"... and {more}.", err=True)
        if len(files) > 1:
            points, lines = count(written, "point"), count(rejected, "line")
            _say(f"Total: wrote {points}, rejected {lines}.")
        if rejected:
            raise _Exit(1)

    @cli.command(
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
        from influxpy._transfer import export_measurements, export_query
        from influxpy.compilers.influxql import InfluxQLCompiler
        from influxpy.introspection import get_introspection

        backend = _backend(url)
        bounds = [
            _time_option(option, value)
            for option, value in (("--start", start), ("--end", end))
        ]
        if statement is not None and (measurements or rp or start or end):
            msg = (
                "--query cannot be combined with --measurement, --rp, --start or --end."
            )
            raise click.UsageError(msg)
        if statement is not None and not issubclass(
            backend.compiler_class, InfluxQLCompiler
        ):
            msg = "--query runs InfluxQL text, which needs an InfluxDB server."
            raise click.UsageError(msg)
        intro: Introspection | None = None
        if statement is None:
            intro = get_introspection(backend, database)
            _check_measurements(intro, measurements)
        out: Any = sys.stdout
        if output != "-":
            out = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        try:
            with _progress(error_console, progress, "points") as bar:
                task = bar.add_task("Exporting", total=None)

                def advance(count: int) -> None:
                    bar.advance(task, count)

                if statement is not None:
                    pieces = backend.execute(
                        _raw_statement(statement),
                        database=database,
                        chunk_size=chunk_size,
                    )
                    total = export_query(
                        _timed(pieces), out, fmt=fmt, on_points=advance
                    )
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
                        on_warning=lambda text: _say(
                            f"influxpy: warning: {text}", err=True
                        ),
                        alias=backend.alias,
                    )
            out.flush()
        finally:
            if out is not sys.stdout:
                out.close()
        points = count(total, "point")
        _say(f"Exported {points}.", err=True)

    @cli.command(
        help=(
            "Print model classes for the measurements of an existing database "
            "(URL, --url or the environment)."
        )
    )
    @click.argument("url_argument", metavar="[URL]", required=False)
    @url_option
    @database_option
    @click.option(
        "--measurement",
        "-m",
        "measurements",
        multiple=True,
        help="A measurement to inspect (repeat; default: all).",
    )
    @click.option("--rp", help="Retention policy whose field types are read.")
    def inspect(
        url_argument: str | None,
        url: str | None,
        database: str | None,
        measurements: tuple[str, ...],
        rp: str | None,
    ) -> None:
        from influxpy.introspection import generate_models, get_introspection

        backend = _backend(url_argument or url)
        intro = get_introspection(backend, database)
        _check_measurements(intro, measurements)
        names = list(measurements) or intro.measurements()
        header = (
            f"Models generated by 'influxpy inspect' from database "
            f"{intro.database!r}.\nCheck the types and null=True tags before "
            "relying on them."
        )
        sys.stdout.write(
            generate_models(intro, names, retention_policy=rp, header=header)
        )

    @cli.command(
        help=(
            "Create the databases, retention policies and continuous queries "
            "that the models of MODULES declare (dotted names or .py files). "
            "Running it again changes nothing."
        )
    )
    @url_option
    @click.option(
        "--replace",
        is_flag=True,
        help="Replace continuous queries that exist already.",
    )
    @click.argument("modules", nargs=-1, required=True)
    def migrate(url: str | None, replace: bool, modules: tuple[str, ...]) -> None:
        from influxpy.models import InfluxMeasurement
        from influxpy.schema import ContinuousQuery, ensure_schema

        if url:
            _backend(url)
        found: list[type[InfluxMeasurement]] = []
        queries: list[ContinuousQuery] = []
        for name in modules:
            module = _load_module(name)
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, InfluxMeasurement)
                    and value is not InfluxMeasurement
                    and not value._meta.abstract
                    and value.__module__ == module.__name__
                ):
                    found.append(value)
                elif isinstance(value, ContinuousQuery):
                    queries.append(value)
        if not found and not queries:
            where = ", ".join(modules)
            msg = f"No models or continuous queries found in {where}."
            raise click.UsageError(msg)
        done = ensure_schema(found)
        for cq in queries:
            if not cq.exists():
                cq.create()
                done.append(f"Created continuous query {cq.name!r}.")
            elif replace:
                cq.replace()
                done.append(f"Replaced continuous query {cq.name!r}.")
        for line in done:
            _say(line)
        if not done:
            _say("Nothing to do: the schema is up to date.")

    def fail(text: str, exc: BaseException | None = None) -> None:
        secrets = [t for url in _URLS_SEEN for t in url_secrets(url)]
        if exc is not None and debug["traceback"]:
            trace = "".join(traceback.format_exception(exc))
            error_console.file.write(scrub(trace, secrets))
        # One line, however long, never read as rich markup, with no secret.
        line = " ".join(scrub(text, secrets).splitlines())
        error_console.print(
            f"influxpy: {line}", markup=False, highlight=False, soft_wrap=True
        )

    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort:
        return 130
    except _Exit as exc:
        return exc.code
    except BrokenPipeError:
        # The reader went away (``influxpy export | head``): stop quietly.
        sys.stderr.close()
        return 1
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        fail(f"{exc.strerror or exc}{where}.", exc)
        return 1
    except click.ClickException as exc:
        fail(exc.format_message())
        return int(exc.exit_code)
    except (InfluxpyError, ValueError) as exc:
        # influxpy's errors, and values the standard library refuses.
        fail(str(exc), exc)
        return 1
    except Exception as exc:
        # A bug: one line, with the traceback only when asked for.
        hint = (
            ""
            if debug["traceback"]
            else " Run influxpy --traceback <command> to see where."
        )
        fail(f"Unexpected {type(exc).__name__}: {exc}.{hint}", exc)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
