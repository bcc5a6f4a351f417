"""Draw the README's chart: docs/images/plot.png.

    python scripts/readme_plot.py [path]

The README's data set (two servers, an hour of CPU readings) is written to
the embedded engine in memory and the README's query is drawn with
``QuerySet.plot()``; tests/test_plot.py runs ``draw()`` too, so the picture
is made by the code it shows.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import influxpy
from influxpy import fields, models
from influxpy.aggregates import Mean
from influxpy.durations import Minute

PICTURE = Path(__file__).resolve().parent.parent / "docs" / "images" / "plot.png"
ALIAS = "readme-plot"


class ServerMeasurement(models.InfluxMeasurement):
    """The README's model."""

    measurement = "servers"
    cpu = fields.InfluxField()
    memory = fields.IntegerField()
    free_memory = fields.IntegerField()
    name = fields.InfluxTag()
    region = fields.InfluxTag()


def readings() -> Any:
    """The README's points: an hour of readings of two servers."""
    start = datetime.datetime(2017, 12, 12, 9, 0, tzinfo=datetime.UTC)
    for minute in range(60):
        for host, load in (("i-3a99f2c", 20.0), ("i-3a99f2d", 60.0)):
            yield ServerMeasurement(
                cpu=load + minute % 7,
                memory=8192,
                free_memory=4000 + minute,
                name=host,
                region="eu-west-1",
                time=start + datetime.timedelta(minutes=minute),
            )


def draw(path: Path = PICTURE) -> Any:
    """Write the chart to *path*; return its ``Axes``."""
    import matplotlib.pyplot as plt

    backend = influxpy.connect("duckdb://:memory:", alias=ALIAS)
    try:
        qs = ServerMeasurement.series.using(ALIAS)
        qs.bulk_create(readings())
        load = (
            qs.filter(
                region="eu-west-1",
                time__gte="2017-12-12T09:00:00Z",
                time__lt="2017-12-12T10:00:00Z",
            )
            .annotate(cpu=Mean("cpu"))
            .resolution(Minute(10))
            .group_by("name")
        )
        ax = load.plot(marker="o", title="Mean CPU per 10 minutes")
        figure = ax.get_figure()
        figure.set_size_inches(8, 4)
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=80, metadata={"Software": None})
        plt.close(figure)
        return ax
    finally:
        backend.close()


if __name__ == "__main__":
    draw(Path(sys.argv[1]) if len(sys.argv) > 1 else PICTURE)
