"""The seed's import path for functions: ``from influxpy.aggregates import Mean``."""

from __future__ import annotations

from influxpy.functions import *  # noqa: F403
from influxpy.functions import __all__ as _functions_all

__all__ = list(_functions_all)
