"""The names the compiled SQL gives its own columns and CTEs.

Each is spelt once here, and the parts of the compiler that write a name and
those that read it both call these. Stored tags and fields are double-quoted
(``catalog.ident``) and keep their keys, so a column the SQL names for itself
must never be spelt like a key: DuckDB matches identifiers case-insensitively
whether quoted or not, and a field keyed ``grp_0`` would otherwise shadow the
group column. Each name here starts with a line break, which no InfluxDB key
can hold (as ``catalog.code_column`` does), and is returned double-quoted.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.catalog import ident

__all__ = [
    "EMITTED",
    "GROUP_SIZE",
    "ORDINAL",
    "OUTSIDE",
    "PICKED",
    "RANDOM",
    "READ",
    "ROW_NUMBER",
    "ROW_ORDER",
    "SEEN",
    "SERIES_RANK",
    "TIE",
    "WINDOW_NUMBER",
    "WINDOW_START",
    "aux_column",
    "call_column",
    "call_join",
    "call_rows",
    "group_code_column",
    "group_column",
    "output_column",
    "tag_column",
]


def _own(name: str) -> str:
    """*name* as a column no stored key can be spelt like, double-quoted."""
    return ident("\n" + name)


#: A row's rank among the rows of one time (windows in local time can
#: share a start).
ORDINAL = _own("influxpy_n")
#: The start of the window a row falls in, in local time.
WINDOW_START = _own("influxpy_w")
#: The sequence number of the window a row falls in, in local time.
WINDOW_NUMBER = _own("influxpy_k")
#: A row's rank by value in its group (PERCENTILE).
ROW_NUMBER = _own("influxpy_rn")
#: How many rows its group has (PERCENTILE).
GROUP_SIZE = _own("influxpy_size")
#: The order of rows of one time in a raw select.
TIE = _own("influxpy_tie")
#: A ``TIE`` of texts and a series key, given back a column each
#: (``tie_columns``).
TIE_KEY = _own("influxpy_tie_key")


def tie_columns(texts: int) -> tuple[str, ...]:
    """The output columns of a ``TIE`` listing *texts* text values before
    the series key (each a column of its own, which DuckDB hands over as
    arrays, where a list per row is built one Python object at a time),
    or of the ``TIE`` itself (*texts* 0: the series key alone)."""
    if not texts:
        return (TIE,)
    parts = [f"{TIE}[{i + 1}] AS {_own(f'influxpy_tie{i}')}" for i in range(texts)]
    return (*parts, f"{TIE}[-1] AS {TIE_KEY}")


#: One series' SUM or MEAN in a window, its point count and window
#: (``folds.series_rows``).
PART = _own("influxpy_part")
PART_COUNT = _own("influxpy_part_n")
PART_TIME = _own("influxpy_part_t")
#: A part's place in the order influxd merges them (``part_order``).
HEAP = _own("influxpy_heap")
#: The shard group of a part's points, where a window can span several.
PART_SHARD = _own("influxpy_part_s")
#: A series' rank among the series (SLIMIT/SOFFSET).
SERIES_RANK = _own("influxpy_rank")
#: A random number per row (SAMPLE).
RANDOM = _own("influxpy_r")
#: One point picked by TOP/BOTTOM, a ``(t, v)`` struct.
PICKED = _own("influxpy_p")
#: The time a DISTINCT value was first (or last) seen.
SEEN = _own("influxpy_seen")
#: A row's rank among the rows a subquery's TOP, BOTTOM, SAMPLE or DISTINCT
#: gives one series in one window: the order the server emits them in.
ROW_ORDER = _own("influxpy_o")
#: A transformation's row's place in the order its points were read.
READ = _own("influxpy_read")
#: A subquery row's place in the order the inner statement emits them, and
#: whether it lies outside the range (``reduce_stop``).
EMITTED = _own("influxpy_e")
OUTSIDE = _own("influxpy_out")


def group_column(index: int) -> str:
    """The value of the *index*-th group tag (GROUP BY order)."""
    return _own(f"grp_{index}")


def group_code_column(index: int) -> str:
    """The code of the *index*-th group tag's value (see ``Catalog``)."""
    return _own(f"grp_code_{index}")


def output_column(index: int) -> str:
    """The *index*-th column of a SELECT's result, in select-list order."""
    return _own(f"col_{index}")


def call_column(index: int) -> str:
    """The value of the *index*-th function call of a select list."""
    return _own(f"call_{index}")


def call_join(index: int) -> str:
    """The table alias of the *index*-th call's rows joined to the others."""
    return f"call_{index}_join"


def call_rows(index: int) -> str:
    """The CTE holding the rows ``(groups…, time, v)`` of the *index*-th call."""
    return f"call_{index}_rows"


def aux_column(index: int) -> str:
    """The *index*-th raw field or tag selected next to a selector."""
    return _own(f"aux_{index}")


def tag_column(index: int) -> str:
    """The *index*-th tag TOP/BOTTOM(x, tag…, N) picks points by, as shown."""
    return _own(f"tag_{index}")


def tag_key_column(index: int) -> str:
    """The value ``tag_column(index)`` groups points by: '' when absent."""
    return _own(f"tag_key_{index}")
