"""CREATE DATABASE, CREATE and ALTER RETENTION POLICY: their clauses, read
as influxd 1.6's parser reads them, and its checks of their durations.

A policy shorter than one hour fails when the statement runs (``Invalid``
with influxd's text); a shard duration under one hour is raised to one
hour; ``0s`` and ``INF`` mean no limit. ``influxpy.influxql.grammar``
dispatches to the statements here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from influxpy.durations import Duration, Hour
from influxpy.exceptions import CompileError
from influxpy.influxql.parser import Parser
from influxpy.retention import DURATION_TOO_SHORT, RetentionPolicy
from influxpy.statements import (
    AlterRetentionPolicy,
    CreateDatabase,
    CreateRetentionPolicy,
    Invalid,
    Statement,
)

__all__ = ["alter_retention_policy", "create_database", "create_retention_policy"]

_INT32_MAX = 2**31 - 1
_HOUR_NS = 3_600_000_000_000

Builder = Callable[[], Statement]


def _policy(**values: Any) -> RetentionPolicy:
    try:
        return RetentionPolicy(**values)
    except (TypeError, ValueError) as exc:
        raise CompileError(str(exc)) from None


def _duration(duration: Duration | None) -> Duration | None:
    """``0s`` means no limit, as ``INF`` does."""
    return duration if duration is not None and duration.value else None


def _too_short(duration: Duration | None) -> bool:
    """Whether a policy's *duration* is under the hour influxd requires
    (the statement then fails when it runs)."""
    return duration is not None and 0 < duration.nanoseconds < _HOUR_NS


def _shard(duration: Duration | None) -> Duration | None:
    """A shard duration under one hour is raised to one hour, as influxd does."""
    duration = _duration(duration)
    if duration is not None and duration.nanoseconds < _HOUR_NS:
        return Hour(1)
    return duration


def create_database(p: Parser) -> Builder:
    name = p.ident()
    if p.accept("WITH") is None:
        return lambda: CreateDatabase(name)
    token = p.peek()
    if token.kind not in ("DURATION", "NAME", "REPLICATION", "SHARD"):
        raise p.error(token, ("DURATION", "NAME", "REPLICATION", "SHARD"))
    duration = replication = shard = None
    if p.accept("DURATION") is not None:
        duration = p.duration(infinite=True)
    if p.accept("REPLICATION") is not None:
        replication = p.integer(1, _INT32_MAX)
    if p.accept("SHARD") is not None:
        p.expect("DURATION")
        shard = p.duration()
    rp_name = p.ident() if p.accept("NAME") is not None else "autogen"
    if _too_short(duration):
        return lambda: Invalid(DURATION_TOO_SHORT)
    return lambda: CreateDatabase(
        name,
        _policy(
            name=rp_name,
            duration=_duration(duration),
            replication=replication or 1,
            shard_duration=_shard(shard),
            default=True,
        ),
    )


def _shard_duration(p: Parser) -> Duration | None:
    p.expect("DURATION")
    token = p.peek()
    if token.kind == "INF":
        raise p.scanner.error_at("invalid duration INF for shard duration", token.pos)
    return p.duration()


def create_retention_policy(p: Parser) -> Builder:
    name, database = _name_on(p)
    p.expect("DURATION")
    duration = p.duration(infinite=True)
    p.expect("REPLICATION")
    replication = p.integer(1, _INT32_MAX)
    shard = _shard_duration(p) if p.accept("SHARD") is not None else None
    default = p.accept("DEFAULT") is not None
    if _too_short(duration):
        return lambda: Invalid(DURATION_TOO_SHORT)
    return lambda: CreateRetentionPolicy(
        _policy(
            name=name,
            duration=_duration(duration),
            replication=replication,
            shard_duration=_shard(shard),
            default=default,
        ),
        database,
    )


def alter_retention_policy(p: Parser) -> Builder:
    token = p.next()
    if token.kind == "DEFAULT":
        name = "default"
    elif token.kind == "IDENT":
        name = token.value
    else:
        raise p.error(token, ("identifier",))
    p.expect("ON")
    database = p.ident()
    found: set[str] = set()
    values: dict[str, Any] = {}
    while True:
        token = p.peek()
        if token.kind in found:
            msg = f"found duplicate {token.kind} option"
            raise p.scanner.error_at(msg, token.pos)
        if token.kind == "DURATION":
            p.next()
            duration = _duration(p.duration(infinite=True))
            values["duration"] = "INF" if duration is None else duration
        elif token.kind == "REPLICATION":
            p.next()
            values["replication"] = p.integer(1, _INT32_MAX)
        elif token.kind == "SHARD":
            p.next()
            values["shard_duration"] = _shard(_shard_duration(p))
        elif token.kind == "DEFAULT":
            p.next()
            values["default"] = True
        else:
            if not found:
                expected = ("DURATION", "REPLICATION", "SHARD", "DEFAULT")
                raise p.error(p.next(), expected)
            break
        found.add(token.kind)
    # A duration under an hour fails when the statement runs, once the
    # database and the policy are found (influxd's order).
    return lambda: AlterRetentionPolicy(name, database, **values)


def _name_on(p: Parser) -> tuple[str, str]:
    name = p.ident()
    p.expect("ON")
    return name, p.ident()
