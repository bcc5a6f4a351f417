"""``influxpy ping`` and ``influxpy demo``."""

from __future__ import annotations

import click

from influxpy.cli._common import backend_for, say, session
from influxpy.cli.options import url_option

__all__ = ["demo", "ping"]


@click.command(help="Write a day of demo data and run a few queries.")
@url_option
@click.option(
    "--points",
    default=8_640,
    show_default=True,
    type=click.IntRange(1, 86_400),
    help="Points per server (5 servers), evenly spaced over the day.",
)
def demo(url: str | None, points: int) -> None:
    """Write a day of demo data and run a few queries."""
    from influxpy.cli._demo import DEMO_ALIAS, run_demo

    backend = backend_for(url or "duckdb://:memory:", DEMO_ALIAS)
    run_demo(backend, session().console, points)


@click.command(help="Check the database answers and print its version.")
@url_option
def ping(url: str | None) -> None:
    """Check the database answers and print its version."""
    backend = backend_for(url)
    version = backend.ping()
    say(f"{backend.url}: {version}")
