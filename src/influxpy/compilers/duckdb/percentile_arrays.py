"""PERCENTILE over a table's rows: the steps worked out in numpy.

When the bracket's sample is drawn from the table itself
(``percentile.nearest_rank_rows``), statements run before the percentile's
own, each a ``Binding``; two of them come back as arrays:

1. the sample's values (and the number of the vector each is in), with the
   count of the rows: ``bracket_of_values`` partitions the values once at
   every pick's rank for the picks and the vectors' spread
   (``sample_row``) and applies the rule of ``bracket_of_sample``: the
   bracket ``(lo, hi)``, which side of it is the tail, and which rows are
   few enough to fetch;
2. the tail's rows when it is small, else the rows inside the bracket
   when they are few (their times and values; the count of the rows below
   them is a statement before it): ``pick_in_rows`` finds the point at
   the nearest rank among them, by ``(value, time)``, with two partitions
   (no sort), and the percentile's statement reads that one row by its
   time and value.

The SQL of ``percentile`` says the same in the statement itself for a
sample of a subquery's rows (``bounds_sql``), and ranks the bracket's rows
by bins when neither is few enough to fetch; tests/compilers/
test_percentile_rank.py checks they agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CLUSTERING",
    "SIGMAS",
    "bracket_of_sample",
    "bracket_of_values",
    "pick_in_rows",
    "sample_fractions",
    "sample_row",
]

#: The bracket is this many standard errors of the sample's quantile wide.
SIGMAS = 4.0
#: The sample counts as this many times fewer independent values than it
#: holds when its vectors' spread cannot be measured.
CLUSTERING = 2.0


def sample_fractions(fraction: float, widths: Sequence[float]) -> list[float]:
    """The fractions the bracket's sample is picked at: the median, then
    *fraction* less and plus each of *widths* (within 0-1)."""
    lows = [max(fraction - d, 0.0) for d in widths]
    return [0.5, *lows, *(min(fraction + d, 1.0) for d in widths)]


def bracket_of_sample(
    row: Sequence[Any],
    *,
    fraction: float,
    widths: Sequence[float],
    tail_share: float,
) -> tuple[Any, Any, bool, bool]:
    """The bracket's ``(lo, hi, upper, small)`` from the sample's row ``(m,
    the selection at the median, the lows and the highs, the vectors
    sampled, the variance of their shares)``: the narrowest of *widths* at
    least ``SIGMAS`` standard errors of a quantile of ``m`` values (those
    scaled by how much more the vectors' shares up to the median vary than
    independent values' would), the picks at that width below and above
    *fraction*; ``upper`` when the tail read is the one above ``lo``;
    ``small`` when that tail is expected to hold at most *tail_share* of
    the rows."""
    m, picks, vectors, spread = row
    count = len(widths)
    upper = fraction >= 0.5
    lo = hi = None
    width = count
    if m and picks is not None:
        clustering = CLUSTERING
        if spread is not None and vectors:
            clustering = max(spread * 4.0 * m / vectors, 1.0)
        error = SIGMAS * math.sqrt(fraction * (1.0 - fraction) * clustering / m)
        error += SIGMAS / m
        width = min(1 + sum(error > d for d in widths), count)
        lo, hi = picks[width], picks[count + width]
    share = (1.0 - fraction if upper else fraction) + widths[width - 1]
    return lo, hi, upper, share <= tail_share


def bracket_of_values(
    columns: Mapping[str, Any],
    *,
    fraction: float,
    widths: Sequence[float],
    tail_share: float,
    window_share: float,
    fetch_rows: int,
) -> tuple[Any, Any, bool, bool, bool, int]:
    """``bracket_of_sample()`` of the sampled values themselves, which rows
    to fetch, and the count of the rows: ``(lo, hi, upper, tail, window,
    n)``.

    *columns* holds each sampled value (``value``), the number of its
    vector (``vector``) and the count of the rows (``n``, on every row; a
    row of nulls besides it when nothing was sampled); ``sample_row()``
    makes the row the rule reads, picked at ``sample_fractions()``.

    *tail*: the tail is fetched, being small (``bracket_of_sample``) with
    the sample's own share of values in it at most *tail_share* too (a
    bound tied with many values, or a sample far from the rows, does not
    make a tail of most of the rows fetched); else *window*: the rows
    inside the bracket are fetched (and those below it counted), the
    sample's share of values inside it being at most *window_share*;
    neither: the SQL ranks the rows in bins. Either is fetched only when
    the sample's share of values in it, scaled to the rows, is at most
    *fetch_rows*: the fetched rows live in memory, the bins' ranking in
    DuckDB's buffers, which can spill to disk.
    """
    import numpy as np

    counts = np.asarray(columns["n"])
    n = int(counts[0]) if len(counts) else 0
    row = sample_row(columns, sample_fractions(fraction, widths))
    lo, hi, upper, small = bracket_of_sample(
        row, fraction=fraction, widths=widths, tail_share=tail_share
    )
    tail = window = False
    m = row[0]
    if m and lo is not None:
        values = np.asarray(columns["value"])[~np.ma.getmaskarray(columns["value"])]
        beyond = values >= lo if upper else values <= hi
        # fetch_rows as a number of sampled values.
        within = fetch_rows * m / max(n, 1)
        tail = small and np.count_nonzero(beyond) <= min(tail_share * m, within)
        inside = np.count_nonzero((values >= lo) & (values <= hi))
        window = not tail and inside <= min(window_share * m, within)
    return lo, hi, upper, bool(tail), bool(window), n


def sample_row(columns: Mapping[str, Any], listed: Sequence[float]) -> tuple[Any, ...]:
    """The sample's ``(m, picks, vectors, spread)`` from its values
    (``bracket_of_values()``), nulls left out.

    The picks are ``quantile_disc``'s at the fractions *listed* (the
    median, the lows, the highs): the value at rank ``max(1, ceil(m * q))``
    of the ``m`` sorted values; the spread is the variance between the
    vectors (``var_samp``) of the share of their values up to the median,
    None for fewer than two vectors.
    """
    import numpy as np

    kept = ~np.ma.getmaskarray(columns["value"])
    values = np.asarray(columns["value"])[kept]
    vectors = np.asarray(columns["vector"])[kept]
    m = len(values)
    if not m:
        return (0, None, 0, None)
    # The values at the picks' ranks, as a sort would place them: one
    # partition at every rank (half the time of sorting 100,000 values).
    ranks = [max(1, math.ceil(m * q)) - 1 for q in listed]
    picks = np.partition(values, sorted(set(ranks)))[ranks].tolist()
    ids = vectors - vectors.min()
    counts = np.bincount(ids)
    # The count per vector of the values up to the median (a weighted
    # count converts every flag to a float first: ten times slower).
    low = np.bincount(ids[values <= picks[0]], minlength=len(counts))
    held = counts > 0
    sampled = int(held.sum())
    shares = low[held] / counts[held]
    spread = float(shares.var(ddof=1)) if sampled > 1 else None
    return (m, picks, sampled, spread)


def pick_in_rows(
    columns: Mapping[str, Any],
    tail: Any,
    window: Any,
    below: Any,
    n: int,
    *,
    percent: float,
    upper: bool,
    descending: bool,
) -> tuple[bool, bool, Any, Any]:
    """The point at the nearest rank among the *n* rows, from the rows
    fetched (*columns*: ``time`` and ``value``), as ``(found, rest, time,
    value)``: *rest* when the SQL must find it instead.

    The rows fetched (``bracket_of_values``) are the *tail*, every row
    valued from the bracket's low bound up (*upper*: the rows before it
    number ``n - T`` of ``T`` fetched) or up to its high bound (none before
    it); or the *window*, the rows inside the bracket, *below* it the
    number of rows before them. The rank ``k = floor(n * percent / 100 +
    0.5)`` less the rows before them is their own rank ``j``: the point's
    value is the ``j``-th smallest (a partition), and its time the one
    that ranks it among the points of that value, earliest first (latest
    first, *descending*).

    Neither found nor rest without a point at that rank (an empty
    answer); rest when nothing was fetched or the rank is not among the
    rows fetched (a miss).
    """
    import numpy as np

    k = math.floor(n * percent / 100.0 + 0.5)
    if not 1 <= k <= n:
        return (False, False, None, None)
    values = np.asarray(columns["value"])
    times = np.asarray(columns["time"])
    size = len(values)
    if tail:
        before = n - size if upper else 0
    elif window and below is not None:
        before = below
    else:
        return (False, True, None, None)
    j = k - before
    if not 1 <= j <= size:
        return (False, True, None, None)
    # A table's values hold no NaN (no write stores one), so they order
    # as numbers do.
    value = np.partition(values, j - 1)[j - 1]
    same = values == value
    before = int(np.count_nonzero(values < value))
    ties = times[same]
    i = j - before
    if descending:
        i = len(ties) - i + 1
    time = np.partition(ties, i - 1)[i - 1]
    return (True, False, int(time), value.item())
