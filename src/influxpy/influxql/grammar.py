"""InfluxQL statements: which one the text starts, and each one's clauses.

``statement`` walks the keywords that start a statement (``SHOW TAG
VALUES``, ``CREATE RETENTION POLICY``, …) as influxd 1.6's parse tree does,
so a wrong keyword reads ``found X, expected <the keywords allowed here>``;
then each statement reads its clauses into the representation of
``influxpy.statements`` (``Query`` for SELECT, ``Delete`` for DELETE);
those of databases and retention policies are read by
``influxpy.influxql.policy_grammar``.
Statements the representation cannot hold (changing users, grants,
subscriptions, KILL QUERY, ``GROUP BY`` in the cardinality forms) are
refused with ``UnsupportedCompilation`` naming them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from influxpy.exceptions import CompileError
from influxpy.influxql import nodes, policy_grammar, users
from influxpy.influxql.go_syntax import format_duration
from influxpy.influxql.parser import Call, Lit, Parser, Rx
from influxpy.influxql.scanner import parse_error
from influxpy.influxql.select_grammar import PendingSelect, select
from influxpy.influxql.show_conditions import show_where
from influxpy.query import Delete, Source
from influxpy.statements import (
    CreateContinuousQuery,
    CreateSubscription,
    DropContinuousQuery,
    DropDatabase,
    DropMeasurement,
    DropRetentionPolicy,
    DropSeries,
    DropShard,
    DropSubscription,
    Explain,
    KeyMatch,
    KillQuery,
    ShowCardinality,
    ShowContinuousQueries,
    ShowDatabases,
    ShowDiagnostics,
    ShowFieldKeys,
    ShowMeasurements,
    ShowQueries,
    ShowRetentionPolicies,
    ShowSeries,
    ShowShardGroups,
    ShowShards,
    ShowStats,
    ShowSubscriptions,
    ShowTagKeys,
    ShowTagValues,
    ShowUsers,
    Statement,
)

__all__ = ["PendingSelect", "select", "statement"]

#: Reads a statement's clauses; returns what builds it once all text parsed.
Handler = Callable[[Parser], Callable[[], Statement]]


# -- the statement tree -------------------------------------------------------------

Builder = Callable[[], Statement]


def _unsupported(name: str) -> Handler:
    """Refuse the statement *name*: when it ends here (``SHOW USERS``), once
    the rest of the text has parsed; otherwise at once, as its clauses are
    not read."""

    def refuse() -> Statement:
        msg = f"The statement {name}"
        raise nodes.unsupported(msg)

    def handler(p: Parser) -> Builder:
        if p.peek().kind in (";", "EOF"):
            return refuse
        refuse()
        raise AssertionError  # pragma: no cover - refuse() raises

    return handler


def _constant(statement: Statement) -> Handler:
    return lambda p: lambda: statement


def _select_statement(p: Parser) -> Builder:
    return select(p)


def _check_sources(p: Parser, sources: list[Any]) -> None:
    """DELETE and DROP SERIES act on every retention policy of the database."""
    message = None
    for parsed in sources:
        if not isinstance(parsed, tuple):  # pragma: no cover - no subqueries here
            continue
        if parsed[0]:
            message = "database not supported"
        if parsed[1]:
            message = "retention policy not supported"
    if message is not None:
        raise p.scanner.error_at(message, 0)


def _delete(p: Parser) -> Builder:
    token = p.peek()
    sources: list[Any] = []
    if p.accept("FROM") is not None:
        sources = p.sources(False, lambda kind: select(p, kind))
        _check_sources(p, sources)
    where = p.condition()
    if where is None and not sources:
        raise p.error(token, ("FROM", "WHERE"))

    def build() -> Delete:
        if len(sources) > 1:
            raise nodes.unsupported("DELETE from several sources")
        if sources:
            _, _, name, regex = sources[0]
            source = Source(name, regex=regex)
        else:
            # DELETE WHERE …: every measurement.
            source = Source(".*", regex=True)
        # Folded when it runs, as influxd folds it (``show_where``).
        return Delete(source, show_where(where, calls=True))

    return build


def _on(p: Parser) -> str | None:
    return p.ident() if p.accept("ON") is not None else None


def _from(p: Parser) -> tuple[Source, ...]:
    if p.accept("FROM") is None:
        return ()
    parsed = p.sources(False, lambda kind: select(p, kind))
    return tuple(Source(name, db, rp, regex) for db, rp, name, regex in parsed)


def _limits(p: Parser) -> tuple[int | None, int | None]:
    p.order_by()
    return p.optional_int("LIMIT") or None, p.optional_int("OFFSET") or None


def _show_measurements(p: Parser) -> Builder:
    database = _on(p)
    match = None
    if p.accept("WITH") is not None:
        p.expect("MEASUREMENT")
        token = p.next()
        if token.kind not in ("=", "=~"):
            raise p.error(token, ("=", "=~"))
        _, _, name, regex = p.source(False, lambda kind: select(p, kind))
        match = KeyMatch("=~" if regex else "=", (name,))
    where = p.condition()
    limit, offset = _limits(p)

    def build() -> ShowMeasurements:
        try:
            condition = show_where(where, bare=True, calls=True)
        except CompileError as error:
            # influxd reads the condition when the statement runs, and its
            # index's error leaves the next statements to run.
            return ShowMeasurements(database, match, None, limit, offset, str(error))
        return ShowMeasurements(database, match, condition, limit, offset)

    return build


def _show_tag_keys(p: Parser) -> Builder:
    database = _on(p)
    sources = _from(p)
    where = p.condition()
    limit, offset = _limits(p)
    series_limit = p.optional_int("SLIMIT") or None
    series_offset = p.optional_int("SOFFSET") or None
    return lambda: ShowTagKeys(
        database,
        sources,
        show_where(where, calls=True),
        limit,
        offset,
        series_limit,
        series_offset,
    )


def _key_match(p: Parser) -> KeyMatch:
    p.expect("WITH", "KEY")
    token = p.next()
    if token.kind == "IN":
        opening = p.next()
        if opening.kind != "(":
            raise p.error(opening, ("(",))
        keys = [p.ident()]
        while p.accept(",") is not None:
            keys.append(p.ident())
        closing = p.next()
        if closing.kind != ")":
            raise p.error(closing, (")",))
        return KeyMatch("IN", tuple(keys))
    if token.kind in ("=", "!="):
        return KeyMatch(token.kind, (p.ident(),))
    if token.kind in ("=~", "!~"):
        rx = p.regex()
        if not isinstance(rx, Rx):
            raise p.error(p.next(), ("regex",))
        return KeyMatch(token.kind, (rx.pattern,))
    raise p.error(token, ("IN", "=", "=~"))


def _cardinality(what: str, *, with_key: bool = False) -> Handler:
    """``SHOW <what> [EXACT] CARDINALITY …`` once ``<what>`` is read."""

    def handler(p: Parser) -> Builder:
        exact = p.accept("EXACT") is not None
        token = p.next()
        if token.kind != "CARDINALITY":
            raise p.error(
                token, ("CARDINALITY",) if exact else ("EXACT", "CARDINALITY")
            )
        return _cardinality_clauses(p, what, exact=exact, with_key=with_key)

    return handler


def _cardinality_clauses(
    p: Parser, what: str, *, exact: bool, with_key: bool
) -> Builder:
    database = _on(p)
    sources = _from(p)
    key = _key_match(p) if with_key else None
    where = p.condition()
    if p.peek().kind == "GROUP":
        msg = f"GROUP BY in SHOW {what.upper()} CARDINALITY"
        raise nodes.unsupported(msg)
    limit, offset = _limits(p)
    # influxd estimates only SERIES and MEASUREMENT, and counts them
    # exactly once a FROM, WHERE, LIMIT or OFFSET is given.
    exact = exact or what not in ("series", "measurement")
    exact = exact or bool(sources or where is not None or limit or offset)
    # Only TAG VALUES reads a call as an expression; the others refuse it.
    calls = what == "tag values"
    return lambda: ShowCardinality(
        what,
        exact,
        database,
        sources,
        key,
        show_where(where, calls=calls),
        limit,
        offset,
    )


def _show_tag_values(p: Parser) -> Builder:
    if p.peek().kind in ("EXACT", "CARDINALITY"):
        return _cardinality("tag values", with_key=True)(p)
    database = _on(p)
    sources = _from(p)
    key = _key_match(p)
    where = p.condition()
    limit, offset = _limits(p)
    return lambda: ShowTagValues(
        key, database, sources, show_where(where, calls=True), limit, offset
    )


def _show_field_keys(p: Parser) -> Builder:
    database = _on(p)
    sources = _from(p)
    limit, offset = _limits(p)
    return lambda: ShowFieldKeys(database, sources, limit, offset)


def _show_series(p: Parser) -> Builder:
    if p.peek().kind == "CARDINALITY":
        return _cardinality("series")(p)
    # EXACT not before CARDINALITY is read and dropped, as influxd drops it:
    # ``SHOW SERIES EXACT FROM cpu`` is ``SHOW SERIES FROM cpu``.
    if p.accept("EXACT") is not None and p.accept("CARDINALITY") is not None:
        return _cardinality_clauses(p, "series", exact=True, with_key=False)
    database = _on(p)
    sources = _from(p)
    where = p.condition()
    limit, offset = _limits(p)
    return lambda: ShowSeries(database, sources, show_where(where), limit, offset)


def _name_on(p: Parser) -> tuple[str, str]:
    name = p.ident()
    p.expect("ON")
    return name, p.ident()


def _create_continuous_query(p: Parser) -> Builder:
    name, database = _name_on(p)
    every = for_ = None
    if p.accept("RESAMPLE") is not None:
        if p.accept("EVERY") is not None:
            every = _resample_duration(p)
        if p.accept("FOR") is not None:
            for_ = _resample_duration(p)
        if every is None and for_ is None:
            raise p.error(p.next(), ("EVERY", "FOR"))
    p.expect("BEGIN", "SELECT")
    pending = select(p, "required")
    if not pending.is_raw and not pending.has_windows:
        # influxd names the last token of the SELECT.
        raise p.error(p.last, ("GROUP BY time(...)",))
    p.expect("END")
    _check_resample(pending, every, for_)
    return lambda: CreateContinuousQuery(name, database, pending(), every, for_)


def _check_resample(pending: PendingSelect, every: Any, for_: Any) -> None:
    """Refuse, as influxql's parser does, a RESAMPLE FOR shorter than the
    windows (or than EVERY, when that is longer)."""
    if for_ is None or not for_.nanoseconds:
        return
    interval = 0
    for dim in pending.dims:
        if isinstance(dim, Call) and dim.name == "time" and dim.args:
            first = dim.args[0]
            if isinstance(first, Lit) and first.kind == "duration":
                interval = first.value.nanoseconds
            break
    if every is not None and every.nanoseconds > interval:
        interval = every.nanoseconds
    if interval > for_.nanoseconds:
        msg = (
            "FOR duration must be >= GROUP BY time duration: must be a minimum "
            f"of {format_duration(interval)}, got {format_duration(for_.nanoseconds)}"
        )
        raise parse_error(msg)


def _resample_duration(p: Parser) -> Any:
    token = p.next()
    if token.kind != "DURATIONVAL":
        raise p.error(token, ("duration",))
    return p.duration_value(token)


def _drop_series(p: Parser) -> Builder:
    token = p.peek()
    sources: list[Any] = []
    if p.accept("FROM") is not None:
        sources = p.sources(False, lambda kind: select(p, kind))
        _check_sources(p, sources)
    where = p.condition()
    if where is None and not sources:
        raise p.error(token, ("FROM", "WHERE"))
    names = tuple(Source(name, regex=regex) for _, _, name, regex in sources)
    return lambda: DropSeries(names, show_where(where, calls=True))


def _explain(p: Parser) -> Builder:
    analyze = p.accept("ANALYZE") is not None
    p.expect("SELECT")
    pending = select(p)
    return lambda: Explain(pending(), analyze)


def _module(p: Parser) -> str | None:
    """``FOR 'module'`` of SHOW STATS and SHOW DIAGNOSTICS, if given."""
    if p.accept("FOR") is None:
        return None
    token = p.next()
    if token.kind != "STRING":
        raise p.error(token, ("string",))
    return str(token.value)


def _show_stats(p: Parser) -> Builder:
    module = _module(p)
    return lambda: ShowStats(module)


def _show_diagnostics(p: Parser) -> Builder:
    module = _module(p)
    return lambda: ShowDiagnostics(module)


def _integer(p: Parser) -> int:
    token = p.next()
    if token.kind != "INTEGER":
        raise p.error(token, ("integer",))
    return int(token.value)


def _kill_query(p: Parser) -> Builder:
    query_id = _integer(p)
    host = p.ident() if p.accept("ON") is not None else None
    return lambda: KillQuery(query_id, host)


def _subscription_target(p: Parser) -> tuple[str, str, str]:
    """``name ON db.rp`` of a subscription statement (no space around the
    dot: influxd reads it with ``Scan``, not ``ScanIgnoreWhitespace``)."""
    name, database = _name_on(p)
    if p.pos < len(p.scanner.text) and p.scanner.text[p.pos] in " \t\n\r":
        end = p.pos
        while end < len(p.scanner.text) and p.scanner.text[end] in " \t\n\r":
            end += 1
        raise p.scanner.error(p.scanner.text[p.pos : end], ["."], p.pos)
    dot = p.next()
    if dot.kind != ".":
        raise p.error(dot, (".",))
    return name, database, p.ident()


def _create_subscription(p: Parser) -> Builder:
    name, database, policy = _subscription_target(p)
    p.expect("DESTINATIONS")
    mode = p.next()
    if mode.kind not in ("ALL", "ANY"):
        raise p.error(mode, ("ALL", "ANY"))
    destinations = []
    while True:
        token = p.next()
        if token.kind != "STRING":
            raise p.error(token, ("string",))
        destinations.append(token.value)
        if p.accept(",") is None:
            break
    return lambda: CreateSubscription(
        name, database, policy, mode.kind, tuple(destinations)
    )


def _drop_subscription(p: Parser) -> Builder:
    name, database, policy = _subscription_target(p)
    return lambda: DropSubscription(name, database, policy)


def _drop_shard(p: Parser) -> Builder:
    shard_id = _integer(p)
    return lambda: DropShard(shard_id)


def _show_retention_policies(p: Parser) -> Builder:
    database = _on(p)
    return lambda: ShowRetentionPolicies(database)


def _drop_continuous_query(p: Parser) -> Builder:
    name, database = _name_on(p)
    return lambda: DropContinuousQuery(name, database)


def _drop_retention_policy(p: Parser) -> Builder:
    name, database = _name_on(p)
    return lambda: DropRetentionPolicy(name, database)


def _drop_database(p: Parser) -> Builder:
    name = p.ident()
    return lambda: DropDatabase(name)


def _drop_measurement(p: Parser) -> Builder:
    name = p.ident()
    return lambda: DropMeasurement(name)


#: keyword -> a handler, or the keywords that may follow (in influxd's order).
_TREE: dict[str, Any] = {
    "SELECT": _select_statement,
    "DELETE": _delete,
    "SHOW": {
        "CONTINUOUS": {"QUERIES": _constant(ShowContinuousQueries())},
        "DATABASES": _constant(ShowDatabases()),
        "DIAGNOSTICS": _show_diagnostics,
        "FIELD": {
            "KEY": _cardinality("field key"),
            "KEYS": _show_field_keys,
        },
        "GRANTS": users.show_grants,
        "MEASUREMENT": _cardinality("measurement"),
        "MEASUREMENTS": _show_measurements,
        "QUERIES": _constant(ShowQueries()),
        "RETENTION": {"POLICIES": _show_retention_policies},
        "SERIES": _show_series,
        "SHARD": {"GROUPS": _constant(ShowShardGroups())},
        "SHARDS": _constant(ShowShards()),
        "STATS": _show_stats,
        "SUBSCRIPTIONS": _constant(ShowSubscriptions()),
        "TAG": {
            "KEY": _cardinality("tag key"),
            "KEYS": _show_tag_keys,
            "VALUES": _show_tag_values,
        },
        "USERS": _constant(ShowUsers()),
    },
    "CREATE": {
        "CONTINUOUS": {"QUERY": _create_continuous_query},
        "DATABASE": policy_grammar.create_database,
        "USER": users.create_user,
        "RETENTION": {"POLICY": policy_grammar.create_retention_policy},
        "SUBSCRIPTION": _create_subscription,
    },
    "DROP": {
        "CONTINUOUS": {"QUERY": _drop_continuous_query},
        "DATABASE": _drop_database,
        "MEASUREMENT": _drop_measurement,
        "RETENTION": {"POLICY": _drop_retention_policy},
        "SERIES": _drop_series,
        "SHARD": _drop_shard,
        "SUBSCRIPTION": _drop_subscription,
        "USER": users.drop_user,
    },
    "EXPLAIN": _explain,
    "GRANT": users.grant,
    "REVOKE": users.revoke,
    "ALTER": {"RETENTION": {"POLICY": policy_grammar.alter_retention_policy}},
    "SET": users.set_password,
    "KILL": {"QUERY": _kill_query},
}


def statement(p: Parser) -> Builder:
    """One statement, from its first keyword: what builds it."""
    tree: Any = _TREE
    while True:
        token = p.next()
        branch = tree.get(token.kind)
        if branch is None:
            raise p.error(token, list(tree))
        if callable(branch):
            builder: Builder = branch(p)
            return builder
        tree = branch
