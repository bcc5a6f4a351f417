"""Which databases and policies a SHOW statement's FROM reads, as influxd.

influxd runs ``SHOW SERIES`` and ``SHOW FIELD KEYS`` as SELECTs of a
system source (``_series``, ``_fieldKeys``) of each source's database and
policy (the statement's database for a source naming none), with the
measurement names of every source as one condition: ``SHOW FIELD KEYS
FROM d..cpu, e..mem`` lists the fields of ``cpu`` and ``mem`` of both
databases, one series per measurement name. A database or policy a source
names that does not exist fails the statement. ``SHOW SERIES`` reads its
database's index, every policy alike. ``SHOW TAG KEYS`` and ``SHOW TAG
VALUES`` read the statement's database only, whatever database or policy
a source names (``names_only``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from influxpy.exceptions import RetentionPolicyNotFoundError
from influxpy.query import Source

__all__ = ["names_only", "source_stores"]


def names_only(sources: Sequence[Source]) -> list[Source]:
    """*sources* without their database and policy: the measurement names
    (or patterns) every store a SHOW reads is searched for."""
    return [
        dataclasses.replace(s, database=None, retention_policy=None) for s in sources
    ]


def source_stores(
    database: str,
    sources: Sequence[Source],
    existing: Callable[[str], str],
    policies: Callable[[str], list[dict[str, Any]]],
    failed: Callable[[str], Exception],
) -> list[tuple[str, str | None]]:
    """The ``(database, policy)`` pairs *sources* read, in FROM order
    without repeats (*database*, the statement's, for a source naming none;
    policy None: the default); ``[(database, None)]`` without sources.

    *existing* checks a database exists (raising influxd's error),
    *policies* lists a database's policies, *failed* makes the error of a
    policy that does not exist.
    """
    stores: list[tuple[str, str | None]] = []
    for source in sources:
        db = existing(source.database) if source.database else database
        rp = source.retention_policy
        if rp and rp not in [p["name"] for p in policies(db)]:
            raise failed(RetentionPolicyNotFoundError.server_text(rp))
        if (db, rp) not in stores:
            stores.append((db, rp))
    return stores or [(database, None)]
