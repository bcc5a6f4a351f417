"""Subscriptions on the embedded engine: ``CREATE SUBSCRIPTION``, ``DROP
SUBSCRIPTION`` and ``SHOW SUBSCRIPTIONS`` kept as influxd 1.6.7 keeps them.

A subscription names a retention policy of a database, a mode (``ALL`` or
``ANY``) and destinations (``udp://``, ``http://`` or ``https://`` URLs with
a port). They are stored in ``main.influxpy_subscriptions`` and go with
their database (``DROP DATABASE``) or policy (``DROP RETENTION POLICY``),
checked and refused with influxd's texts (``invalid subscription URL:
<url>``, ``database not found: <db>``, ``retention policy not found:
<rp>``, ``subscription already exists``, ``subscription not found``).

The engine itself sends nothing: ``influxpy serve`` copies the writes it
takes to the destinations (``server/subscribers.py``), as influxd's
subscriber service does, and ``SHOW STATS`` reports its counts. Without a
server, each stored subscription is counted among the subscriber's
``createFailures`` (a writer influxd would have made and the engine did
not).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from influxpy import statements as st
from influxpy.backends.duckdb.admin import EngineAdmin
from influxpy.backends.duckdb.show import StatementFailed
from influxpy.backends.duckdb.subscription_table import (
    SUBSCRIPTIONS,
    stored_subscriptions,
)
from influxpy.results import Series

__all__ = ["EngineSubscriptions"]

_COLUMNS = ["retention_policy", "name", "mode", "destinations"]


def _valid_url(text: str) -> bool:
    """Whether influxd's ``validateURL`` takes *text*: a ``udp``, ``http``
    or ``https`` URL whose host has a port."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    if parts.scheme not in ("udp", "http", "https"):
        return False
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):
        closing = host.find("]")
        if closing < 0 or not host[closing + 1 :].startswith(":"):
            return False
        port = host[closing + 2 :]
    else:
        if host.count(":") != 1:
            return False
        port = host.partition(":")[2]
    return bool(port) and ":" not in port


class EngineSubscriptions(EngineAdmin):
    """The subscription statements of ``DuckDBBackend``."""

    def subscriptions(self) -> list[tuple[str, str, str, str, list[str]]]:
        """``(database, policy, name, mode, destinations)`` of every
        subscription, in the order they were created."""
        cursor = self._cursor()
        try:
            return stored_subscriptions(cursor)
        finally:
            cursor.close()

    def _policy_of(self, database: str, policy: str) -> None:
        """Refuse a database or a policy that does not exist, as influxd."""
        if database not in self._state.databases:
            msg = f"database not found: {database}"
            raise StatementFailed(msg)
        if policy not in [p["name"] for p in self.retention_policies(database)]:
            msg = f"retention policy not found: {policy}"
            raise StatementFailed(msg)

    def _do_create_subscription(
        self, statement: st.CreateSubscription, database: str | None
    ) -> None:
        self._writable("create a subscription")
        for url in statement.destinations:
            if not _valid_url(url):
                msg = f"invalid subscription URL: {url}"
                raise StatementFailed(msg)
        db, policy = statement.database, statement.retention_policy
        self._policy_of(db, policy)
        with self._change():
            con = self._con
            found = con.execute(
                f"SELECT 1 FROM {SUBSCRIPTIONS} WHERE database = ? AND "
                "retention_policy = ? AND name = ?",
                [db, policy, statement.name],
            ).fetchone()
            if found is not None:
                msg = "subscription already exists"
                raise StatementFailed(msg)
            con.execute(
                f"INSERT INTO {SUBSCRIPTIONS} SELECT ?, ?, ?, ?, ?, "
                f"coalesce((SELECT max(position) FROM {SUBSCRIPTIONS}), 0) + 1",
                [db, policy, statement.name, statement.mode, statement.destinations],
            )

    def _do_drop_subscription(
        self, statement: st.DropSubscription, database: str | None
    ) -> None:
        self._writable("drop a subscription")
        db, policy = statement.database, statement.retention_policy
        self._policy_of(db, policy)
        with self._change():
            dropped = self._con.execute(
                f"DELETE FROM {SUBSCRIPTIONS} WHERE database = ? AND "
                "retention_policy = ? AND name = ?",
                [db, policy, statement.name],
            ).fetchone()
            if not dropped or not dropped[0]:
                msg = "subscription not found"
                raise StatementFailed(msg)

    def _do_show_subscriptions(
        self, statement: st.ShowSubscriptions, database: str | None
    ) -> list[Series]:
        """One series per database holding subscriptions, named by it: each
        subscription's policy, name, mode and destinations, by policy."""
        by_database: dict[str, dict[str, list[list[Any]]]] = {}
        for db, policy, name, mode, destinations in self.subscriptions():
            rows = by_database.setdefault(db, {}).setdefault(policy, [])
            rows.append([policy, name, mode, destinations])
        out = []
        for db in self.list_databases():
            policies = by_database.get(db)
            if not policies:
                continue
            order = [p["name"] for p in self.retention_policies(db)]
            values = [row for p in order for row in policies.get(p, [])]
            out.append(Series(db, {}, list(_COLUMNS), values))
        return out
