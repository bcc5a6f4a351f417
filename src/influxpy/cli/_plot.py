"""``influxpy query --plot``: a chart of a statement's result, to a file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from influxpy.results import Series

__all__ = ["write_plot"]


def write_plot(pieces: Iterable[Series], path: str) -> int:
    """Draw one line per series and value column, as ``QuerySet.plot()``
    does, and write the picture to *path*; return the number of lines."""
    from influxpy._dataframe import series_to_dataframe, wide_frame
    from influxpy._plot import save_plot

    tags: dict[str, None] = {}

    def tagged() -> Iterator[Series]:
        for piece in pieces:
            tags.update(dict.fromkeys(piece.tags))
            yield piece

    frame = series_to_dataframe(tagged())
    return save_plot(wide_frame(frame, list(tags)), path)
