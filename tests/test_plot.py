"""Charts: ``qs.plot()``, ``to_dataframe(wide=True)`` and ``query --plot``.

The picture is read back from the ``Axes``: one ``Line2D`` per series and
value column, its label, and the points it draws (times and values), on
the real InfluxDB and on the engine (the ``conn`` fixture). matplotlib
runs with the Agg backend (no display).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import re
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes

import influxpy
from _cli import run
from _influxd import InfluxServer
from conformance._common import Reading, at
from influxpy.aggregates import Mean
from influxpy.durations import Minute

ROOT = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


def seed(conn: str) -> Any:
    qs = Reading.series.using(conn)
    qs.bulk_create(
        [
            Reading(time=at(0), v=1.0, n=1, host="a"),
            Reading(time=at(30), v=3.0, n=2, host="a"),
            Reading(time=at(60), v=5.0, n=3, host="a"),
            Reading(time=at(10), v=10.0, n=4, host="b"),
            Reading(time=at(130), v=20.0, n=5, host="b"),
        ]
    )
    return qs


def drawn(ax: Any) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Each line's label and the points it draws."""
    return {
        line.get_label(): list(
            zip(list(line.get_xdata()), list(line.get_ydata()), strict=True)
        )
        for line in ax.get_lines()
    }


def grouped(qs: Any) -> Any:
    return (
        qs.filter(time__gte=at(0), time__lt=at(180))
        .annotate(Mean("v"))
        .resolution(Minute(1))
        .group_by("host")
        .fill("none")
    )


def test_one_line_per_series_labelled_by_its_tags(conn: str) -> None:
    ax = grouped(seed(conn)).plot()
    assert drawn(ax) == {
        "mean{host=a}": [(T0, 2.0), (T0 + MINUTE, 5.0)],
        "mean{host=b}": [(T0, 10.0), (T0 + 2 * MINUTE, 20.0)],
    }
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "mean{host=a}",
        "mean{host=b}",
    ]
    assert ax.get_xlabel() == "time (UTC)"
    assert ax.get_ylabel() == "mean"


def test_raw_points_split_by_tag_columns(conn: str) -> None:
    ax = seed(conn).plot(marker="o")
    lines = drawn(ax)
    assert sorted(lines) == ["n{host=a}", "n{host=b}", "v{host=a}", "v{host=b}"]
    assert lines["v{host=b}"] == [
        (T0 + dt.timedelta(seconds=10), 10.0),
        (T0 + dt.timedelta(seconds=130), 20.0),
    ]
    assert all(line.get_marker() == "o" for line in ax.get_lines())
    assert ax.get_ylabel() == ""


def test_time_zone_of_the_query(conn: str) -> None:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    ax = grouped(seed(conn)).tz("Europe/Paris").plot()
    assert ax.get_xlabel() == "time (Europe/Paris)"
    times = [x for line in ax.get_lines() for x in line.get_xdata()]
    assert all(t.tzinfo == paris for t in times)
    assert times[0] == T0
    assert ax.xaxis.get_major_formatter()._tz == paris


def test_into_given_axes_with_a_title(conn: str) -> None:
    _, ax = plt.subplots()
    returned = grouped(seed(conn)).plot(ax=ax, title="load", linewidth=3)
    assert returned is ax
    assert ax.get_title() == "load"
    assert {line.get_linewidth() for line in ax.get_lines()} == {3}


def test_empty_result_draws_nothing(conn: str) -> None:
    ax = Reading.series.using(conn).plot()
    assert ax.get_lines() == []


def test_wide_frame(conn: str) -> None:
    wide = grouped(seed(conn)).to_dataframe(wide=True)
    assert list(wide.columns) == ["mean{host=a}", "mean{host=b}"]
    assert [str(t) for t in wide.index] == [
        "2020-01-01 00:00:00+00:00",
        "2020-01-01 00:01:00+00:00",
        "2020-01-01 00:02:00+00:00",
    ]
    assert wide["mean{host=a}"].tolist()[:2] == [2.0, 5.0]
    assert wide["mean{host=a}"].isna().tolist() == [False, False, True]
    assert wide["mean{host=b}"].tolist()[0] == 10.0
    ungrouped = Reading.series.using(conn).only("v").to_dataframe(wide=True)
    assert list(ungrouped.columns) == ["v"]
    awaited = asyncio.run(grouped(seed(conn)).ato_dataframe(wide=True))
    assert awaited.equals(wide)


def test_cli_writes_the_same_picture(
    influx_server: InfluxServer, influx_url: str, tmp_path: Path
) -> None:
    influx_server.write(
        "cpu,host=a usage=1.5 60000000000\n"
        "cpu,host=a usage=2.5 120000000000\n"
        "cpu,host=b usage=7 60000000000",
        influx_url.rsplit("/", 1)[1],
    )
    out = tmp_path / "out.png"
    result = run(
        "query", "--url", influx_url, "--plot", str(out),
        'SELECT mean("usage") FROM "cpu" WHERE time < 180s '
        'GROUP BY time(1m), "host" fill(none)',
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out} (2 lines)." in result.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_plots_on_the_engine(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/store.duckdb"
    backend = influxpy.connect(url, alias="plot-file")
    try:
        seed("plot-file")
    finally:
        backend.close()
    out = tmp_path / "engine.svg"
    result = run(
        "query", "--url", url, "--plot", str(out),
        'SELECT "v" FROM "conformance" GROUP BY "host"',
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out} (2 lines)." in result.stdout
    assert out.read_text().lstrip().startswith("<?xml")


def test_cli_picture_lines(tmp_path: Path) -> None:
    from influxpy.cli._plot import write_plot
    from influxpy.results import Series

    pieces = [
        Series("cpu", {"host": "a"}, ["time", "mean"], [[0, 1.0], [60 * 10**9, 2.0]]),
        Series("cpu", {"host": "b"}, ["time", "mean"], [[0, 7.0]]),
    ]
    captured: list[Any] = []
    real = Axes.plot

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        captured.append((kwargs["label"], list(args[1])))
        return real(self, *args, **kwargs)

    monkey = pytest.MonkeyPatch()
    monkey.setattr(Axes, "plot", spy)
    try:
        assert write_plot(pieces, str(tmp_path / "x.svg")) == 2
    finally:
        monkey.undo()
    assert captured == [("mean{host=a}", [1.0, 2.0]), ("mean{host=b}", [7.0])]


def test_readme_picture_is_drawn_by_the_script(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert "docs/images/plot.png" in pictures
    committed = ROOT / "docs" / "images" / "plot.png"
    assert committed.is_file()
    spec = importlib.util.spec_from_file_location(
        "readme_plot", ROOT / "scripts" / "readme_plot.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_plot"] = module
    try:
        spec.loader.exec_module(module)
        fresh = tmp_path / "plot.png"
        ax = module.draw(fresh)
    finally:
        del sys.modules["readme_plot"]
    assert sorted(drawn(ax)) == ["cpu{name=i-3a99f2c}", "cpu{name=i-3a99f2d}"]
    assert all(len(points) == 6 for points in drawn(ax).values())
    assert _png_size(fresh) == _png_size(committed)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
