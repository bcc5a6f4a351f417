"""``influxpy.__all__``: sorted, complete, and every name documented.

As httpx's ``test_exported_members``: what ``from influxpy import *`` gives
is exactly the public namespace of the package, less its submodules (which
``import influxpy.x`` reaches anyway), and each name says what it is.
"""

from __future__ import annotations

import re
import types
from typing import Any

import influxpy

#: Names of ``__all__`` that are values, whose docstring is their type's:
#: the version string.
UNDOCUMENTED_CONSTANTS = {"__version__"}


def _isort_key(name: str) -> tuple[int, list[Any]]:
    """The order ruff's RUF022 keeps ``__all__`` in ("isort-style").

    CONSTANT names first, then CamelCase, then the rest; within each,
    a natural sort (``Log2`` before ``Log10``).
    """
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    parts = re.split(r"(\d+)", name)
    return kind, [int(p) if p.isdigit() else p for p in parts]


def test_all_is_sorted_without_duplicates():
    names = list(influxpy.__all__)
    assert len(names) == len(set(names)), sorted(
        n for n in set(names) if names.count(n) > 1
    )
    assert names == sorted(names, key=_isort_key)


def test_every_name_in_all_exists():
    namespace = vars(influxpy)
    assert [name for name in influxpy.__all__ if name not in namespace] == []


def test_every_public_name_is_in_all():
    """Every public name that is not a submodule is exported by ``__all__``."""
    missing = [
        name
        for name, value in vars(influxpy).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        # ``from __future__ import annotations`` leaves a name behind.
        and type(value).__module__ != "__future__"
        and name not in influxpy.__all__
    ]
    assert missing == []


def test_every_name_in_all_has_a_docstring():
    """Classes and functions have their own docstring; an object (such as
    ``connections``) has its class's; constants are listed above."""
    undocumented = []
    for name in influxpy.__all__:
        if name in UNDOCUMENTED_CONSTANTS:
            continue
        value = getattr(influxpy, name)
        if isinstance(value, (type, types.FunctionType, types.ModuleType)):
            doc = value.__doc__
        else:
            doc = type(value).__doc__
        if not (doc and doc.strip()):
            undocumented.append(name)
    assert undocumented == []


def test_undocumented_constants_are_constants():
    """The exception list holds plain values only, each exported."""
    for name in UNDOCUMENTED_CONSTANTS:
        assert name in influxpy.__all__
        assert isinstance(getattr(influxpy, name), (str, int, float))
