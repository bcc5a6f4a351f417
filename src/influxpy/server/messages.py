"""The warning influxd 1.6.7 adds when a statement that writes comes by GET.

influxd still runs such a statement, and its result carries
``{"level":"warning","text":"deprecated use of '<statement>' in a read
only context, please use a POST request instead"}``, the statement written
in InfluxQL's canonical form (``String()`` of its parsed statement). That
form is written here for ``CREATE DATABASE`` (without ``WITH``), ``DROP
DATABASE``, ``CREATE``, ``ALTER`` and ``DROP RETENTION POLICY``, ``DROP
MEASUREMENT``, ``DROP CONTINUOUS QUERY``, ``DROP SERIES`` and the user
statements (passwords read ``[REDACTED]``); and, with
their measurements qualified by the request's database (or their own) and
its default retention policy as influxd rewrites them, for ``SELECT …
INTO`` and ``CREATE CONTINUOUS QUERY`` (the text ``SHOW CONTINUOUS
QUERIES`` lists). The form is the one ``InfluxQLCompiler`` writes, made
canonical (``influxpy.influxql.canonical``): a time literal reads as an
RFC 3339 string where influxd keeps the literal given (``time < 10s``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from influxpy.durations import Duration
from influxpy.exceptions import InfluxpyError
from influxpy.influxql.canonical import canonical_text
from influxpy.influxql.canonical import quote_identifier as quote_ident
from influxpy.query import Query, Source
from influxpy.statements import (
    AlterRetentionPolicy,
    CreateContinuousQuery,
    CreateDatabase,
    CreateRetentionPolicy,
    CreateSubscription,
    CreateUser,
    DropContinuousQuery,
    DropDatabase,
    DropMeasurement,
    DropRetentionPolicy,
    DropSeries,
    DropShard,
    DropSubscription,
    DropUser,
    Grant,
    SetPassword,
)

#: The default retention policy of a database (the engine's).
PolicyOf = Callable[[str], str]

__all__ = ["MAY_WRITE", "canonical", "read_only_warning"]

#: Text that may hold a statement that writes (a cheap test before parsing).
MAY_WRITE = re.compile(r"\b(CREATE|DROP|ALTER|INTO|GRANT|REVOKE|KILL|SET)\b", re.I)

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
    if isinstance(statement, (CreateUser, DropUser, SetPassword, Grant)):
        return _user_statement(statement)
    if isinstance(statement, DropMeasurement):
        return f"DROP MEASUREMENT {quote_ident(statement.name)}"
    if isinstance(statement, DropShard):
        return f"DROP SHARD {statement.shard_id}"
    if isinstance(statement, (CreateSubscription, DropSubscription)):
        return _subscription_statement(statement)
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


def _subscription_statement(statement: CreateSubscription | DropSubscription) -> str:
    """A subscription statement as influxql's ``String()`` writes it."""
    target = (
        f"{quote_ident(statement.name)} ON {quote_ident(statement.database)}."
        f"{quote_ident(statement.retention_policy)}"
    )
    if isinstance(statement, DropSubscription):
        return f"DROP SUBSCRIPTION {target}"
    destinations = ", ".join(
        "'" + d.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
        for d in statement.destinations
    )
    return f"CREATE SUBSCRIPTION {target} DESTINATIONS {statement.mode} {destinations}"


def _user_statement(statement: CreateUser | DropUser | SetPassword | Grant) -> str:
    """A user statement as influxd writes it, its password redacted."""
    if isinstance(statement, CreateUser):
        admin = " WITH ALL PRIVILEGES" if statement.admin else ""
        return (
            f"CREATE USER {quote_ident(statement.name)} WITH PASSWORD [REDACTED]{admin}"
        )
    if isinstance(statement, DropUser):
        return f"DROP USER {quote_ident(statement.name)}"
    if isinstance(statement, SetPassword):
        return f"SET PASSWORD FOR {quote_ident(statement.name)} = [REDACTED]"
    verb, to = ("REVOKE", "FROM") if statement.revoke else ("GRANT", "TO")
    privilege = (
        "ALL PRIVILEGES" if statement.privilege == "ALL" else statement.privilege
    )
    on = f" ON {quote_ident(statement.database)}" if statement.database else ""
    return f"{verb} {privilege}{on} {to} {quote_ident(statement.user)}"


def _drop_series(statement: DropSeries) -> str:
    from influxpy.compilers.influxql import InfluxQLCompiler

    compiler = InfluxQLCompiler()
    text = "DROP SERIES"
    if statement.sources:
        names = ", ".join(compiler.visit_source(s) for s in statement.sources)
        text += f" FROM {names}"
    if statement.where is not None:
        condition = compiler.visit_where(statement.where)
        if condition:
            text += f" WHERE {condition}"
    return canonical_text(text)


def _qualified(statement: Any, database: str, policy_of: PolicyOf) -> str | None:
    """The canonical text of a ``SELECT … INTO`` or ``CREATE CONTINUOUS
    QUERY`` with its measurements qualified, as influxd writes it."""
    from influxpy.backends.duckdb.continuous import qualify_continuous_query
    from influxpy.compilers.influxql import InfluxQLCompiler

    compiler = InfluxQLCompiler()
    if isinstance(statement, CreateContinuousQuery):
        db = database or statement.database
        query = qualify_continuous_query(statement.query, db, policy_of(db))
        compiled = compiler.create_continuous_query(
            statement.database,
            statement.name,
            query,
            resample_every=statement.resample_every,
            resample_for=statement.resample_for,
        )
        return canonical_text(compiled.text)
    if isinstance(statement, Query) and statement.into is not None:
        source = statement.source
        named = source.database if isinstance(source, Source) else None
        target = database or named
        if not target:
            return None
        query = qualify_continuous_query(statement, target, policy_of(target))
        return canonical_text(compiler.compile(query).text)
    return None


def read_only_warning(
    statement: Any, database: str = "", policy_of: PolicyOf | None = None
) -> dict[str, str] | None:
    """influxd's warning for *statement* sent by GET, when it writes.

    *database* is the request's; *policy_of* gives a database's default
    retention policy (without it, ``SELECT … INTO`` and ``CREATE
    CONTINUOUS QUERY`` get no warning).
    """
    text = canonical(statement)
    if text is None and isinstance(statement, DropSeries):
        text = _drop_series(statement)
    if text is None and policy_of is not None:
        try:
            text = _qualified(statement, database, policy_of)
        except InfluxpyError:
            # What cannot be written is refused by the statement itself.
            text = None
    if text is None:
        return None
    return {
        "level": "warning",
        "text": (
            f"deprecated use of '{text}' in a read only context, please use "
            "a POST request instead"
        ),
    }
