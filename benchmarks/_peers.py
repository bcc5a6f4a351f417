"""In-process alternatives to the embedded engine, for benchmarks/embedded.py.

A Python user with the data in memory would otherwise pick one of these for
the engine's questions: hand-written DuckDB SQL over a plain table
(``time BIGINT, host VARCHAR, value DOUBLE``, the floor the engine sits on),
polars, or pandas. Each peer answers with the same normalised shape as
:func:`normalise` gives for the engine's points, so the answers can be
compared exactly.

The percentile peers use each library's own nearest-element percentile
(``quantile_disc``, ``interpolation="nearest"``), over all the points and
per host: on the benchmark's sizes (multiples of 1,000 points, 1,000 hosts)
they pick the element at the nearest rank, as InfluxDB does, which the
equality check confirms in every run. They answer with the value only; the
engine also finds the point's time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WINDOW_NS = 300 * 1_000_000_000
TOP = 10
PERCENTILE = 99

Answer = Any
Peer = Callable[[], Any]


def normalise(label: str, rows: list[dict[str, Any]]) -> Answer:
    """The engine's points for *label* in the peers' shape."""
    if label.startswith("mean"):
        return sorted(
            (row["name"], row["time"], row["mean"])
            for row in rows
            if row["mean"] is not None
        )
    if label.startswith("max"):
        return sorted(
            (row["name"], row["time"], row["max"], row["min"], row["count"])
            for row in rows
            if row["count"]
        )
    if label.startswith("top"):
        return sorted(((row["time"], row["top"]) for row in rows), key=_by_value)
    if label.endswith("per host"):
        return sorted((row["name"], row["percentile"]) for row in rows)
    return [row["percentile"] for row in rows]


def _by_value(pair: tuple[int, float]) -> tuple[float, int]:
    return (-pair[1], pair[0])


def peers(data: Any, start: int, end: int) -> dict[str, dict[str, tuple[Peer, Any]]]:
    """For each query label, each peer's timed run and its answer converter.

    *data* is the benchmark's DataFrame; every peer gets its own copy with
    the columns ``time``, ``host`` and ``value`` built before any timing.
    """
    import duckdb
    import pandas as pd
    import polars as pl

    plain = pd.DataFrame(
        {
            "time": data["time"].to_numpy(),
            "host": data["name"].astype(str).to_numpy(),
            "value": data["cpu"].to_numpy(),
        }
    )
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (time BIGINT, host VARCHAR, value DOUBLE)")
    con.register("plain_frame", plain)
    con.execute("INSERT INTO t SELECT time, host, value FROM plain_frame")
    con.unregister("plain_frame")
    polars_frame = pl.from_pandas(plain)
    where = f"WHERE time >= {start} AND time < {end}"

    def sql(text: str) -> Peer:
        return lambda: con.execute(text).fetchall()

    mean_sql = (
        f"SELECT host, time // {WINDOW_NS} * {WINDOW_NS} AS w, avg(value) "
        f"FROM t {where} GROUP BY ALL"
    )
    spread_sql = (
        f"SELECT host, time // {WINDOW_NS} * {WINDOW_NS} AS w, max(value), "
        f"min(value), count(value) FROM t {where} GROUP BY ALL"
    )
    top_sql = f"SELECT time, value FROM t {where} ORDER BY value DESC, time LIMIT {TOP}"
    pct_sql = f"SELECT quantile_disc(value, {PERCENTILE / 100}) FROM t {where}"
    pct_host_sql = (
        f"SELECT host, quantile_disc(value, {PERCENTILE / 100}) FROM t {where} "
        "GROUP BY host"
    )

    def polars_window() -> Any:
        return polars_frame.filter((pl.col("time") >= start) & (pl.col("time") < end))

    def pandas_window() -> Any:
        return plain[(plain["time"] >= start) & (plain["time"] < end)]

    def polars_mean() -> Any:
        return (
            polars_window()
            .group_by("host", (pl.col("time") // WINDOW_NS * WINDOW_NS).alias("w"))
            .agg(pl.col("value").mean())
        )

    def pandas_mean() -> Any:
        frame = pandas_window()
        return frame.groupby(
            [frame["host"], frame["time"] // WINDOW_NS * WINDOW_NS], sort=False
        )["value"].mean()

    def polars_spread() -> Any:
        return (
            polars_window()
            .group_by("host", (pl.col("time") // WINDOW_NS * WINDOW_NS).alias("w"))
            .agg(pl.col("value").max(), pl.col("value").min().alias("min"), pl.len())
        )

    def pandas_spread() -> Any:
        frame = pandas_window()
        return frame.groupby(
            [frame["host"], frame["time"] // WINDOW_NS * WINDOW_NS], sort=False
        )["value"].agg(["max", "min", "count"])

    return {
        "max, min and count per 5m per host": {
            "DuckDB SQL": (sql(spread_sql), sorted),
            "polars": (polars_spread, lambda f: sorted(f.iter_rows())),
            "pandas": (
                pandas_spread,
                lambda f: sorted(
                    (h, int(w), a, b, int(c))
                    for (h, w), (a, b, c) in zip(
                        f.index, f.itertuples(index=False), strict=True
                    )
                ),
            ),
        },
        "mean per 5m per host": {
            "DuckDB SQL": (sql(mean_sql), sorted),
            "polars": (polars_mean, lambda f: sorted(f.iter_rows())),
            "pandas": (
                pandas_mean,
                lambda s: sorted((h, int(w), v) for (h, w), v in s.items()),
            ),
        },
        "top 10": {
            "DuckDB SQL": (sql(top_sql), lambda rows: sorted(rows, key=_by_value)),
            "polars": (
                lambda: (
                    polars_window()
                    .sort(["value", "time"], descending=[True, False])
                    .head(TOP)
                ),
                lambda f: sorted(f.select("time", "value").iter_rows(), key=_by_value),
            ),
            "pandas": (
                lambda: pandas_window().nlargest(TOP, "value", keep="first"),
                lambda f: sorted(
                    zip(f["time"], f["value"], strict=True), key=_by_value
                ),
            ),
        },
        f"percentile {PERCENTILE}": {
            "DuckDB SQL": (sql(pct_sql), lambda rows: [rows[0][0]]),
            "polars": (
                lambda: polars_window()["value"].quantile(
                    PERCENTILE / 100, interpolation="nearest"
                ),
                lambda v: [v],
            ),
            "pandas": (
                lambda: pandas_window()["value"].quantile(
                    PERCENTILE / 100, interpolation="nearest"
                ),
                lambda v: [float(v)],
            ),
        },
        f"percentile {PERCENTILE} per host": {
            "DuckDB SQL": (sql(pct_host_sql), sorted),
            "polars": (
                lambda: (
                    polars_window()
                    .group_by("host")
                    .agg(
                        pl.col("value").quantile(
                            PERCENTILE / 100, interpolation="nearest"
                        )
                    )
                ),
                lambda f: sorted(f.iter_rows()),
            ),
            "pandas": (
                lambda: (
                    pandas_window()
                    .groupby("host", sort=False)["value"]
                    .quantile(PERCENTILE / 100, interpolation="nearest")
                ),
                lambda s: sorted((h, float(v)) for h, v in s.items()),
            ),
        },
    }


def same(left: Answer, right: Answer) -> bool:
    """Whether two normalised answers agree, floats within 1e-9 relative."""
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):
        xs = a if isinstance(a, tuple) else (a,)
        ys = b if isinstance(b, tuple) else (b,)
        if len(xs) != len(ys):
            return False
        for x, y in zip(xs, ys, strict=True):
            if isinstance(x, float) or isinstance(y, float):
                if abs(float(x) - float(y)) > 1e-9 * max(abs(x), abs(y), 1.0):
                    return False
            elif (x if isinstance(x, str) else int(x)) != (
                y if isinstance(y, str) else int(y)
            ):
                return False
    return True
