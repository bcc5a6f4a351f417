"""The ``influxpy`` command: demo, ping and raw queries (the ``cli`` extra).

``influxpy.__main__`` is the entry point; it reports a missing extra.

Errors are one readable line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from influxpy.exceptions import InfluxpyError

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.queryset import QuerySet

__all__ = ["main"]

_DEMO_ALIAS = "influxpy-demo"


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
        console.print(f"{backend.url}: {backend.ping()}")

    @cli.command(help="Run one InfluxQL statement on an InfluxDB server.")
    @url_option
    @click.argument("statement")
    def query(url: str | None, statement: str) -> None:
        from influxpy.backends.http import HTTPBackend

        backend = _backend(url)
        if not isinstance(backend, HTTPBackend):
            msg = (
                "query runs InfluxQL text, which needs an InfluxDB server: pass --url."
            )
            raise click.UsageError(msg)
        for series in backend.query(statement):
            rows = [dict(zip(series.columns, r, strict=False)) for r in series.values]
            console.print(_table(f"{series.name} {series.tags or ''}", rows, limit=50))

    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort:
        return 130
    except click.ClickException as exc:
        error_console.print(f"influxpy: {exc.format_message()}")
        return int(exc.exit_code)
    except InfluxpyError as exc:
        error_console.print(f"influxpy: {exc}")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
