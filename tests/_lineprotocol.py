"""What the line protocol tests share: int64 bounds, the time range's
text, the refusal matcher and a plain object an ``Encoder`` reads."""

from __future__ import annotations

import re
from typing import Any

import pytest

from influxpy.exceptions import LineProtocolError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
TIME_RANGE = (
    "times are integer nanoseconds between 1677-09-21T00:12:43.145224194Z "
    "and 2262-04-11T23:47:16.854775806Z"
)


def refused(message: str) -> Any:
    """Expect a ``LineProtocolError`` with exactly *message*."""
    return pytest.raises(LineProtocolError, match=f"^{re.escape(message)}$")


class Obj:
    """A plain object whose attributes an ``Encoder`` reads."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
