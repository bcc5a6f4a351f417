"""SHOW MEASUREMENTS on the embedded engine, answered as influxd 1.6.7 does.

influxd's index reads the condition as written (no literal folded): the
first comparison it cannot read fails the statement
(``show_where.measurement_index_error``), and that error is the
statement's result, the next statements running after it. Each condition
on a tag looks at the values the tag takes in the measurement.
"""

from __future__ import annotations

import re

from influxpy import statements as st
from influxpy.backends.duckdb.catalog import ident
from influxpy.backends.duckdb.show import (
    EngineShow,
    StatementFailed,
    key_matches,
    paged,
)
from influxpy.backends.duckdb.show_names import bind_name
from influxpy.backends.duckdb.show_where import (
    ORDERING,
    has_time,
    measurement_index_error,
)
from influxpy.expressions import WhereNode
from influxpy.query import Source
from influxpy.results import Series

__all__ = ["EngineShowMeasurements"]


class EngineShowMeasurements(EngineShow):
    """SHOW MEASUREMENTS, with its condition read as influxd's index reads
    it."""

    def _do_show_measurements(
        self, statement: st.ShowMeasurements, database: str | None
    ) -> list[Series]:
        db = statement.database or database
        if not db:
            raise StatementFailed("database name required")
        if statement.where is not None and has_time(statement.where):
            msg = "SHOW MEASUREMENTS doesn't support time in WHERE clause"
            raise StatementFailed(msg)
        if db not in self._state.databases:
            return []  # influxd answers nothing, and no error
        if statement.refusal is not None:
            raise StatementFailed(statement.refusal, goes_on=True)
        try:
            return self._measurements_of(statement, db)
        except StatementFailed as failure:
            # influxd sends an error of the index's reading of the condition
            # as the statement's result, and runs the statements after it.
            raise StatementFailed(failure.text, goes_on=True) from None

    def _measurements_of(self, statement: st.ShowMeasurements, db: str) -> list[Series]:
        refused = measurement_index_error(statement.where)
        if refused is not None:
            raise StatementFailed(refused)
        tables = [
            (rp, m)
            for rp, m, _columns in self._tables(db, ())
            if key_matches(statement.measurement, m)
        ]
        where = statement.where
        if where is None:
            # Only whether each table holds a point: asked of many at once.
            names = {m for _rp, m in self._holding_points(db, tables)}
        else:
            names = set()
            for rp, m in tables:
                if m in names:
                    continue
                verdict = self._measurement_matches(db, m, where, {})
                if verdict is not None:
                    if verdict:
                        names.add(m)
                    continue
                if self._read(db, rp, m, "1", where, " LIMIT 1"):
                    names.add(m)
        values = [[m] for m in paged(sorted(names), statement.limit, statement.offset)]
        return [Series("measurements", {}, ["name"], values)] if values else []

    def _measurement_matches(
        self,
        database: str,
        measurement: str,
        where: WhereNode,
        seen: dict[str, set[str]],
    ) -> bool | None:
        """Whether *measurement* passes *where* as influxd's index decides
        for SHOW MEASUREMENTS (None: a condition it does not judge so).

        Each condition on a tag looks at the values the tag takes in the
        measurement: none (the tag is never set) fails every condition;
        ``=`` and ``=~`` pass when one value matches, ``!=`` and ``!~``
        when none does, so ``host != 'a'`` leaves out a measurement with a
        series ``host=a`` even when it has others.
        """
        verdicts = []
        for child in where.children:
            if isinstance(child, WhereNode):
                verdict = self._measurement_matches(database, measurement, child, seen)
            elif child.lhs.role == "time":
                verdict = True
            elif child.lookup_name in ORDERING:
                raise StatementFailed("invalid tag comparison operator")
            elif isinstance(
                named := bind_name(WhereNode("AND", (child,)), measurement), bool
            ):
                verdict = named  # ``_name``: the measurement's name
            elif child.lookup_name in ("exact", "ne") and not isinstance(
                child.rhs, str
            ):
                op = "!=" if child.negated != (child.lookup_name == "ne") else "="
                msg = f"right side of '{op}' must be a tag value string"
                raise StatementFailed(msg)
            elif child.lookup_name in ("exact", "ne", "regex"):
                key = child.lhs.key
                if key not in seen:
                    seen[key] = self._tag_values(database, measurement, key)
                found = seen[key]
                if child.lookup_name == "regex":
                    hit = any(re.search(child.rhs, v) for v in found)
                else:
                    hit = child.rhs in found
                negated = child.negated != (child.lookup_name == "ne")
                verdict = bool(found) and hit != negated
            else:
                verdict = None
            if verdict is None:
                return None
            verdicts.append(verdict)
        return all(verdicts) if where.connector == "AND" else any(verdicts)

    def _tag_values(self, database: str, measurement: str, key: str) -> set[str]:
        """The values tag *key* takes in *measurement*, in every policy."""
        values: set[str] = set()
        for rp, m, columns in self._tables(database, (Source(measurement),)):
            info = columns.get(key)
            if info is not None and info.role == "tag":
                rows = self._read(database, rp, m, f"DISTINCT {ident(key)}", None)
                values.update(str(r[0]) for r in rows if r[0])
        return values
