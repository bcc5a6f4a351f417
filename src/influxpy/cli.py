"""The ``influxpy`` command (the ``cli`` extra).

``demo``, ``ping``, ``query`` (InfluxQL text, printed as a table, CSV, JSON
or line protocol), ``import`` and ``export`` (line protocol and CSV, see
``influxpy._transfer``), ``inspect`` (model classes for an existing
database) and ``migrate`` (create what models declare). ``--url`` or the
environment (``INFLUX_DATABASE_URL``, then ``INFLUXDB_URL``) picks the
database; without either, the embedded engine in memory.
``influxpy.__main__`` is the entry point; it reports a missing extra.

Errors are one readable line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from influxpy._transfer import PRECISIONS
from influxpy.exceptions import InfluxpyError

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.compilers.base import Compiled
    from influxpy.queryset import QuerySet
    from influxpy.results import Series

__all__ = ["main"]

_DEMO_ALIAS = "influxpy-demo"
#: Rejected lines printed by ``import`` before it only counts them.
_MAX_REPORTED = 100


class _Exit(Exception):
    """Leave with an exit code, after the command has said why."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _format(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def _table(title: str, rows: Sequence[dict[str, Any]], limit: int = 12) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("time", "name") else "right"
        )
    for row in rows[:limit]:
        table.add_row(*(_format(row.get(c)) for c in columns))
    if len(rows) > limit:
        table.caption = f"{len(rows) - limit} more rows not shown"
    return table


def _demo_points(
    model: Any, start: dt.datetime, servers: Sequence[str], step_seconds: int
) -> Iterator[Any]:
    rnd = random.Random(42)
    regions = ["us-east-1", "eu-west-1"]
    steps = 86_400 // step_seconds
    memory = 8192
    for index, name in enumerate(servers):
        used = 2_000 + 500 * index
        for step in range(steps):
            moment = start + dt.timedelta(seconds=step * step_seconds)
            hour = moment.hour + moment.minute / 60
            load = 30 + 25 * (1 if 9 <= hour < 18 else 0) + rnd.gauss(0, 8)
            used = max(500, min(memory - 100, used + rnd.randint(-40, 45)))
            yield model(
                cpu=max(0.0, min(100.0, load + 5 * index)),
                memory=memory,
                free_memory=memory - used,
                name=name,
                region=regions[index % len(regions)],
                time=moment,
            )


def run_demo(url: str | None, console: Any, points_per_server: int = 8_640) -> None:
    """Write a day of data for five servers and show a few queries."""
    from rich.progress import Progress

    import influxpy
    from influxpy import fields, models
    from influxpy.aggregates import Derivative, Mean, Top
    from influxpy.durations import Hour, Minute

    backend = (
        influxpy.connect(url, alias=_DEMO_ALIAS)
        if url
        else influxpy.connect("duckdb://:memory:", alias=_DEMO_ALIAS)
    )

    class ServerMeasurement(models.InfluxMeasurement):
        measurement = "servers"
        cpu = fields.InfluxField()
        memory = fields.IntegerField()
        free_memory = fields.IntegerField()
        name = fields.InfluxTag()
        region = fields.InfluxTag()
        optional_tag = fields.InfluxTag(null=True)

        class Meta:
            using = _DEMO_ALIAS

    console.print(f"[bold]influxpy demo[/bold] on {backend!r}")
    backend.create_database()
    servers = [f"i-3a99f2{c}" for c in "bcdef"]
    start = dt.datetime(2017, 12, 12)
    step = max(1, 86_400 // points_per_server)
    total = len(servers) * (86_400 // step)
    written = 0
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("Writing a day of data", total=total)
        batch: list[Any] = []
        for point in _demo_points(ServerMeasurement, start, servers, step):
            batch.append(point)
            if len(batch) == 5_000:
                written += ServerMeasurement.series.bulk_create(batch)
                progress.update(task, advance=len(batch))
                batch = []
        written += ServerMeasurement.series.bulk_create(batch)
        progress.update(task, advance=len(batch))
    console.print(f"Wrote {written} points for {len(servers)} servers.\n")

    day_end = start + dt.timedelta(days=1)
    queries: list[tuple[str, QuerySet[Any]]] = [
        (
            "The seed's query: mean CPU of one server in 5-minute windows",
            ServerMeasurement.series.filter(
                name="i-3a99f2b",
                time__gte=dt.datetime(2017, 12, 12, 9, 45),
                time__lt=dt.datetime(2017, 12, 12, 9, 50),
            )
            .annotate(cpu_m=Mean("cpu"))
            .resolution(Minute(5))
            .group_by("name"),
        ),
        (
            (
                "Downsampling: hourly mean CPU per region from 22:00 the day "
                "before, empty hours filled with 0"
            ),
            ServerMeasurement.series.filter(
                time__gte=start - dt.timedelta(hours=2),
                time__lt=start + dt.timedelta(hours=4),
                name__in=["i-3a99f2b", "i-3a99f2c"],
            )
            .annotate(cpu=Mean("cpu"))
            .resolution(Hour(1))
            .fill(0)
            .group_by("region"),
        ),
        (
            "Top 5 CPU readings of the day",
            ServerMeasurement.series.filter(time__gte=start, time__lt=day_end).annotate(
                Top("cpu", 5)
            ),
        ),
        (
            "Change of free memory per hour (derivative of the hourly mean)",
            ServerMeasurement.series.filter(
                name="i-3a99f2d",
                time__gte=start,
                time__lt=start + dt.timedelta(hours=6),
            )
            .annotate(
                change=Derivative(Mean("free_memory"), Hour(1)),
            )
            .resolution(Hour(1)),
        ),
    ]
    for title, qs in queries:
        console.print(f"[bold]{title}[/bold]")
        console.print(f"[cyan]{qs.query}[/cyan]")
        rows = list(qs.points())
        console.print(_table(f"{len(rows)} rows", rows) if rows else "(no rows)")
        console.print()
    backend.close()


def _backend(url: str | None) -> Backend:
    import influxpy

    return influxpy.connect(url) if url else influxpy.get_connection()


def _say(text: str, *, err: bool = False) -> None:
    """Print plain text, unwrapped (summaries that scripts may read)."""
    click.echo(text, err=err)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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
    if not series:
        console.print("(no rows)")
    for s in series:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(s.tags.items()))
        title = " ".join(p for p in (s.name, shown) if p) or "result"
        console.print(_table(title, _display_rows(s), limit=50))


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

    @click.group(help="influxpy: time series for humans and robots.")
    @click.version_option(package_name="influxpy-orm")
    def cli() -> None:
        pass

    url_option = click.option(
        "--url",
        envvar=["INFLUX_DATABASE_URL", "INFLUXDB_URL"],
        help="Database URL (default: INFLUX_DATABASE_URL, else the embedded engine).",
    )

    @cli.command(help="Write a day of demo data and run a few queries.")
    @url_option
    @click.option(
        "--points", default=8_640, show_default=True, help="Points per server."
    )
    def demo(url: str | None, points: int) -> None:
        run_demo(url, console, points)

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
        default="ns",
        show_default=True,
        help="Unit of the times in the input.",
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
        precision: str,
        batch_size: int,
        progress: bool | None,
        files: tuple[str, ...],
    ) -> None:
        from influxpy._transfer import import_records, read_csv, read_line_protocol

        if batch_size < 1:
            raise click.BadParameter("must be at least 1.", param_hint="--batch-size")
        backend = _backend(url)
        db = backend.resolve_database(database)
        written = rejected = 0
        shown = 0
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

                    def advance(count: int, task: Any = task, bar: Any = bar) -> None:
                        bar.advance(task, count)

                    records = (
                        read_csv(
                            stream, measurement=measurement, tags=tags, on_bytes=advance
                        )
                        if kind == "csv"
                        else read_line_protocol(stream, on_bytes=advance)
                    )
                    report = import_records(
                        backend,
                        records,
                        database=db,
                        retention_policy=rp,
                        batch_size=batch_size,
                        precision=precision,
                    )
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
            points = _count(report.written, "point")
            lines = _count(len(report.rejected), "line")
            _say(f"{name}: wrote {points}, rejected {lines}.")
        if shown > _MAX_REPORTED:
            more = _count(shown - _MAX_REPORTED, "more rejected line")
            _say(f"... and {more}.", err=True)
        if len(files) > 1:
            points, lines = _count(written, "point"), _count(rejected, "line")
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
                    intro = get_introspection(backend, database)
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
        points = _count(total, "point")
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
        known = intro.measurements()
        names = list(measurements) or known
        missing = [m for m in names if m not in known]
        if missing:
            choices = ", ".join(known) or "none"
            msg = (
                f"The database {intro.database!r} has no measurement "
                f"{missing[0]!r}; it has: {choices}."
            )
            raise click.UsageError(msg)
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

    def fail(text: str) -> None:
        # One line, however long, and never read as rich markup.
        error_console.print(
            f"influxpy: {text}", markup=False, highlight=False, soft_wrap=True
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
        fail(f"{exc.strerror or exc}{where}.")
        return 1
    except click.ClickException as exc:
        fail(exc.format_message())
        return int(exc.exit_code)
    except InfluxpyError as exc:
        fail(str(exc))
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
