"""Charts of query results (the ``plot`` extra: matplotlib and pandas).

A wide frame (one column per series and value column, see
``influxpy._dataframe.wide_frame``) becomes one line per column on a
matplotlib ``Axes``: each line is drawn through the times that series has,
so series sampled at different times are not broken by the others' gaps.
The time axis reads in the frame's zone (UTC unless the query named one).
"""

from __future__ import annotations

from typing import Any

from influxpy.exceptions import ImproperlyConfigured

__all__ = ["plot_frame", "save_plot"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        msg = (
            "plot() needs matplotlib: install it with pip install 'influxpy-orm[plot]'."
        )
        raise ImproperlyConfigured(msg) from None
    return plt


def plot_frame(
    wide: Any, *, ax: Any = None, title: str | None = None, **kwargs: Any
) -> Any:
    """Draw each numeric column of *wide* as a line; return the ``Axes``.

    *ax* is drawn into when given, else a new figure is made. *kwargs* go to
    every line (``Axes.plot``: ``marker='o'``, ``linewidth=1``…); the
    legend names each line after its column (``cpu{host=a}``).
    """
    plt = _pyplot()
    import matplotlib.dates as mdates
    import pandas as pd

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    index = wide.index
    dated = isinstance(index, pd.DatetimeIndex)
    drawn: list[str] = []
    for column in wide.columns:
        values = wide[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(
            values
        ):
            continue
        values = values.dropna()
        if values.empty:
            continue
        times = values.index.to_pydatetime() if dated else values.index.to_numpy()
        ax.plot(times, values.to_numpy(dtype="float64"), label=str(column), **kwargs)
        drawn.append(str(column))
    if dated:
        tz = index.tz
        # matplotlib does not annotate these two constructors.
        locator = mdates.AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
        formatter = mdates.ConciseDateFormatter(locator, tz=tz)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(formatter)
        ax.set_xlabel(f"time ({tz or 'UTC'})")
    else:
        ax.set_xlabel(f"{index.name or 'time'} (ns since the epoch)")
    bases = {label.split("{", 1)[0] for label in drawn}
    if len(bases) == 1:
        ax.set_ylabel(bases.pop())
    if len(drawn) > 1 or any("{" in label for label in drawn):
        ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax


def save_plot(wide: Any, path: str, *, title: str | None = None) -> int:
    """Draw *wide* as ``plot_frame`` does and write the picture to *path*
    (its format from the suffix: ``.png``, ``.svg``, ``.pdf``…); return
    how many lines were drawn. Uses no GUI: fit for scripts and servers."""
    _pyplot()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4))
    ax = figure.add_subplot()
    plot_frame(wide, ax=ax, title=title)
    figure.tight_layout()
    figure.savefig(path)
    return len(ax.get_lines())
