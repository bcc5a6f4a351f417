"""The compiled part of the line-protocol encoder, when it is there.

The build compiles ``_speedups.c`` where a C compiler is found
(``hatch_build.py``); without it, or with ``INFLUXPY_PURE_PYTHON=1`` in the
environment when influxpy is imported, ``RowEncoder``, ``LineBuffer`` and
``join_columns`` are None and the pure Python encoder writes every line,
the same lines.
"""

from __future__ import annotations

import os
from typing import Any

RowEncoder: Any = None
LineBuffer: Any = None
join_columns: Any = None
if os.environ.get("INFLUXPY_PURE_PYTHON", "") in ("", "0"):
    try:
        from influxpy.lineprotocol._speedups import (
            LineBuffer,
            RowEncoder,
            join_columns,
        )
    except ImportError:  # not built here: the pure Python encoder
        pass

#: Whether the compiled encoder is in use.
COMPILED = RowEncoder is not None

__all__ = ["COMPILED", "LineBuffer", "RowEncoder", "join_columns"]
