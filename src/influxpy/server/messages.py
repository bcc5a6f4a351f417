"""The warning influxd 1.6.7 adds when a statement that writes comes by GET.

influxd still runs such a statement, and its result carries
``{"level":"warning","text":"deprecated use of '<statement>' in a read
only context, please use a POST request instead"}``, the statement written
in InfluxQL's canonical form (``String()`` of its parsed statement). That
form is written here for the statements whose canonical text is plain:
``CREATE DATABASE`` (without ``WITH``), ``DROP DATABASE``, ``CREATE``,
``ALTER`` and ``DROP RETENTION POLICY``, ``DROP MEASUREMENT`` and ``DROP
CONTINUOUS QUERY``. Other statements that write (``SELECT … INTO``, ``DROP
SERIES``, ``CREATE CONTINUOUS QUERY``) run without the warning.
"""

from __future__ import annotations

import re
from typing import Any

from influxpy.durations import Duration
from influxpy.influxql.canonical import quote_identifier as quote_ident
from influxpy.statements import (
    AlterRetentionPolicy,
    CreateDatabase,
    CreateRetentionPolicy,
    DropContinuousQuery,
    DropDatabase,
    DropMeasurement,
    DropRetentionPolicy,
)

__all__ = ["MAY_WRITE", "canonical", "read_only_warning"]

#: Text that may hold a statement that writes (a cheap test before parsing).
MAY_WRITE = re.compile(r"\b(CREATE|DROP|ALTER|INTO|GRANT|REVOKE|KILL)\b", re.I)

_UNITS = (
    (7 * 86_400_000_000_000, "w"),
    (86_400_000_000_000, "d"),
    (3_600_000_000_000, "h"),
    (60_000_000_000, "m"),
    (1_000_000_000, "s"),
    (1_000_000, "ms"),
    (1_000, "u"),
)


def format_duration(duration: Duration | str | None) -> str:
    """A duration as influxql's ``FormatDuration`` writes it (``INF`` is 0s)."""
    ns = duration.nanoseconds if isinstance(duration, Duration) else 0
    if ns == 0:
        return "0s"
    for size, unit in _UNITS:
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return str(ns)


def canonical(statement: Any) -> str | None:
    """The statement's canonical InfluxQL, or None when not written here."""
    if isinstance(statement, CreateDatabase):
        if statement.policy is not None:
            return None
        return f"CREATE DATABASE {quote_ident(statement.name)}"
    if isinstance(statement, DropDatabase):
        return f"DROP DATABASE {quote_ident(statement.name)}"
    if isinstance(statement, DropMeasurement):
        return f"DROP MEASUREMENT {quote_ident(statement.name)}"
    if isinstance(statement, DropContinuousQuery):
        name, database = quote_ident(statement.name), quote_ident(statement.database)
        return f"DROP CONTINUOUS QUERY {name} ON {database}"
    if isinstance(statement, DropRetentionPolicy) and statement.database:
        name, database = quote_ident(statement.name), quote_ident(statement.database)
        return f"DROP RETENTION POLICY {name} ON {database}"
    if isinstance(statement, CreateRetentionPolicy) and statement.database:
        policy = statement.policy
        text = (
            f"CREATE RETENTION POLICY {quote_ident(policy.name)} ON "
            f"{quote_ident(statement.database)} DURATION "
            f"{format_duration(policy.duration)} REPLICATION {policy.replication}"
        )
        if policy.shard_duration is not None and policy.shard_duration.nanoseconds:
            text += f" SHARD DURATION {format_duration(policy.shard_duration)}"
        return text + (" DEFAULT" if policy.default else "")
    if isinstance(statement, AlterRetentionPolicy) and statement.database:
        text = (
            f"ALTER RETENTION POLICY {quote_ident(statement.name)} ON "
            f"{quote_ident(statement.database)}"
        )
        if statement.duration is not None:
            text += f" DURATION {format_duration(statement.duration)}"
        if statement.replication is not None:
            text += f" REPLICATION {statement.replication}"
        if statement.shard_duration is not None:
            text += f" SHARD DURATION {format_duration(statement.shard_duration)}"
        return text + (" DEFAULT" if statement.default else "")
    return None


def read_only_warning(statement: Any) -> dict[str, str] | None:
    """influxd's warning for *statement* sent by GET, when it writes."""
    text = canonical(statement)
    if text is None:
        return None
    return {
        "level": "warning",
        "text": (
            f"deprecated use of '{text}' in a read only context, please use "
            "a POST request instead"
        ),
    }
