"""``influxpy demo``: a day of synthetic server metrics and a few queries."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from influxpy.cli._output import count, print_table

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.queryset import QuerySet

__all__ = ["DEMO_ALIAS", "MAX_DEMO_POINTS", "run_demo"]

#: The connection alias the demo's model uses.
DEMO_ALIAS = "influxpy-demo"

#: The most demo points per server: one a second.
MAX_DEMO_POINTS = 86_400
_DAY_US = 86_400_000_000


def _demo_points(
    model: Any, start: dt.datetime, servers: Sequence[str], points: int
) -> Iterator[Any]:
    """*points* points per server, evenly spaced over the day after *start*."""
    rnd = random.Random(42)
    regions = ["us-east-1", "eu-west-1"]
    memory = 8192
    for index, name in enumerate(servers):
        used = 2_000 + 500 * index
        for step in range(points):
            moment = start + dt.timedelta(microseconds=step * _DAY_US // points)
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


def run_demo(backend: Backend, console: Any, points_per_server: int = 8_640) -> None:
    """Write a day of data for five servers to *backend*; show a few queries.

    *backend* is registered under ``DEMO_ALIAS``. Each server gets exactly
    *points_per_server* points (1 to 86,400), evenly spaced over the day.
    """
    if not 1 <= points_per_server <= MAX_DEMO_POINTS:
        msg = (
            f"The demo writes 1 to {MAX_DEMO_POINTS} points per server, "
            f"not {points_per_server}."
        )
        raise ValueError(msg)
    from rich.progress import Progress

    from influxpy import fields, models
    from influxpy.aggregates import Derivative, Mean, Top
    from influxpy.durations import Hour, Minute

    class ServerMeasurement(models.InfluxMeasurement):
        measurement = "servers"
        cpu = fields.InfluxField()
        memory = fields.IntegerField()
        free_memory = fields.IntegerField()
        name = fields.InfluxTag()
        region = fields.InfluxTag()
        optional_tag = fields.InfluxTag(null=True)

        class Meta:
            using = DEMO_ALIAS

    console.print(f"[bold]influxpy demo[/bold] on {backend!r}")
    backend.create_database()
    servers = [f"i-3a99f2{c}" for c in "bcdef"]
    start = dt.datetime(2017, 12, 12)
    total = len(servers) * points_per_server
    written = 0
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("Writing a day of data", total=total)
        batch: list[Any] = []
        for point in _demo_points(ServerMeasurement, start, servers, points_per_server):
            batch.append(point)
            if len(batch) == 5_000:
                written += ServerMeasurement.series.bulk_create(batch)
                progress.update(task, advance=len(batch))
                batch = []
        written += ServerMeasurement.series.bulk_create(batch)
        progress.update(task, advance=len(batch))
    console.print(f"Wrote {count(written, 'point')} for {len(servers)} servers.\n")

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
        if rows:
            print_table(console, count(len(rows), "row"), rows)
        else:
            console.print("(no rows)")
        console.print()
    backend.close()
