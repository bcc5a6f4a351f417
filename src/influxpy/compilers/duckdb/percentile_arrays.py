"""PERCENTILE over a table's rows: the steps worked out in numpy.

When the bracket's sample is drawn from the table itself
(``percentile.nearest_rank_rows``), two statements run before the
percentile's own, each a ``Binding`` whose rows come back as arrays:

1. the sample's values (and the number of the vector each is in), with the
   count of the rows: ``bracket_of_values`` sorts the values once for the
   picks and the vectors' spread (``sample_row``) and applies the rule of
   ``bracket_of_sample``: the bracket ``(lo, hi)``, which side of it is the
   tail read, whether that tail is small enough to fetch, and how many rows
   it may hold before the fetch gives up;
2. when it is, the tail's rows (times and values): ``pick_of_tail`` finds
   the point at the nearest rank among them, by ``(value, time)``, with
   two partitions (no sort), and the percentile's statement reads that one
   row by its time and value.

The SQL of ``percentile`` says the same in the statement itself for a
sample of a subquery's rows (``bounds_sql``), and ranks the bracket's rows
by bins when the tail is too large to fetch; tests/compilers/
test_percentile_rank.py checks the two agree.
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
    "pick_of_tail",
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
) -> tuple[Any, Any, bool, bool, int]:
    """``bracket_of_sample()`` of the sampled values themselves, and the
    count of the rows: ``(lo, hi, upper, small, n)``.

    *columns* holds each sampled value (``value``), the number of its
    vector (``vector``) and the count of the rows (``n``, on every row; a
    row of nulls besides it when nothing was sampled); ``sample_row()``
    makes the row the rule reads, picked at ``sample_fractions()``. The
    tail is small only if the sample's own share of values in it is too:
    a bound tied with many values (or a sample far from the rows) does not
    make a tail of most of the rows fetched.
    """
    import numpy as np

    counts = np.asarray(columns["n"])
    n = int(counts[0]) if len(counts) else 0
    row = sample_row(columns, sample_fractions(fraction, widths))
    lo, hi, upper, small = bracket_of_sample(
        row, fraction=fraction, widths=widths, tail_share=tail_share
    )
    if small and row[0]:
        values = np.asarray(columns["value"])[~np.ma.getmaskarray(columns["value"])]
        inside = values >= lo if upper else values <= hi
        small = bool(np.count_nonzero(inside) <= tail_share * row[0])
    return lo, hi, upper, small, n


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
    ordered = np.sort(values)
    picks = ordered[[max(1, math.ceil(m * q)) - 1 for q in listed]].tolist()
    ids = vectors - vectors.min()
    counts = np.bincount(ids)
    low = np.bincount(ids, weights=values <= picks[0])
    held = counts > 0
    sampled = int(held.sum())
    shares = low[held] / counts[held]
    spread = float(shares.var(ddof=1)) if sampled > 1 else None
    return (m, picks, sampled, spread)


def pick_of_tail(
    columns: Mapping[str, Any],
    edge: Any,
    small: Any,
    n: int,
    *,
    percent: float,
    upper: bool,
    descending: bool,
) -> tuple[bool, bool, Any, Any]:
    """The point at the nearest rank among the *n* rows, from the tail's
    rows (*columns*: ``time`` and ``value``), as ``(found, rest, time,
    value)``: *rest* when the SQL must find it instead.

    The tail holds every row valued from the bracket's low bound up
    (*upper*) or up to its high bound (*edge*, None without a sample, and
    then without a tail): with ``T`` of them, the rows before it number
    ``n - T`` (upper) or none, so the rank ``k = floor(n * percent / 100 +
    0.5)`` is the tail's own rank ``j``. Its value is the ``j``-th
    smallest (a partition) and its time the one that ranks it among the
    points of that value, earliest first (latest first, *descending*).

    Neither found nor rest without a point at that rank (an empty
    answer); rest without a tail fetched (not *small*) or when the rank
    is not in it (a miss).
    """
    import numpy as np

    k = math.floor(n * percent / 100.0 + 0.5)
    if not 1 <= k <= n:
        return (False, False, None, None)
    values = np.asarray(columns["value"])
    times = np.asarray(columns["time"])
    size = len(values)
    j = k - (n - size) if upper else k
    if not small or edge is None or not 1 <= j <= size:
        return (False, True, None, None)
    value = np.partition(values, j - 1)[j - 1]
    if value != value:
        # NaN, should a value be one, sorts above every number (as in DuckDB).
        same = np.isnan(values)
        before = size - int(np.count_nonzero(same))
    else:
        same = values == value
        before = int(np.count_nonzero(values < value))
    ties = times[same]
    i = j - before
    if descending:
        i = len(ties) - i + 1
    time = np.partition(ties, i - 1)[i - 1]
    return (True, False, int(time), value.item())
