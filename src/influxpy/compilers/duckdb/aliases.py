"""The names the compiled SQL gives its own columns and CTEs.

Each is spelt once here, and the parts of the compiler that write a name and
those that read it both call these. Stored tags and fields are always
double-quoted (``catalog.ident``); these names are plain identifiers.
"""

from __future__ import annotations

__all__ = [
    "aux_column",
    "call_column",
    "call_rows",
    "group_code_column",
    "group_column",
    "output_column",
    "tag_column",
]


def group_column(index: int) -> str:
    """The value of the *index*-th group tag (GROUP BY order)."""
    return f"grp_{index}"


def group_code_column(index: int) -> str:
    """The code of the *index*-th group tag's value (see ``Catalog``)."""
    return f"grp_code_{index}"


def output_column(index: int) -> str:
    """The *index*-th column of a SELECT's result, in select-list order."""
    return f"col_{index}"


def call_column(index: int) -> str:
    """The value of the *index*-th function call of a select list."""
    return f"call_{index}"


def call_rows(index: int) -> str:
    """The CTE holding the rows ``(groups…, time, v)`` of the *index*-th call."""
    return f"call_{index}_rows"


def aux_column(index: int) -> str:
    """The *index*-th raw field or tag selected next to a selector."""
    return f"aux_{index}"


def tag_column(index: int) -> str:
    """The *index*-th tag TOP/BOTTOM(x, tag…, N) picks points by."""
    return f"tag_{index}"
