"""Where the embedded engine keeps subscriptions: ``main.influxpy_subscriptions``.

One row per subscription, in the order they were created; the rows of a
database or a retention policy go with it (``catalog_change.CatalogChange``).
``subscriptions.py`` runs the statements that change and list them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SUBSCRIPTIONS", "SUBSCRIPTIONS_COLUMNS", "stored_subscriptions"]

SUBSCRIPTIONS = "main.influxpy_subscriptions"
SUBSCRIPTIONS_COLUMNS = (
    "database VARCHAR, retention_policy VARCHAR, name VARCHAR, mode VARCHAR, "
    "destinations VARCHAR[], position BIGINT"
)


def stored_subscriptions(con: Any) -> list[tuple[str, str, str, str, list[str]]]:
    """``(database, policy, name, mode, destinations)`` of every stored
    subscription, in the order they were created (none in a file written
    before subscriptions were kept, opened read-only)."""
    import duckdb

    try:
        rows = con.execute(
            f"SELECT database, retention_policy, name, mode, destinations "
            f"FROM {SUBSCRIPTIONS} ORDER BY position"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [(db, rp, name, mode, list(dests)) for db, rp, name, mode, dests in rows]
