"""The embedded engine: InfluxDB's data model and query semantics on DuckDB.

Storage: one DuckDB schema per InfluxDB database and one table per
measurement and retention policy (``"db"."rp.measurement"``), with ``time``
as BIGINT nanoseconds, one VARCHAR column per tag (``''`` when absent) and
one typed column per field (DOUBLE, BIGINT, BOOLEAN, VARCHAR). A new tag or
field adds a column. A catalog table remembers which column is a tag or a
field and each field's type, so a write with another type is refused as
InfluxDB refuses it (``FieldTypeConflictError``, the other points kept).

Writes are batches turned into Arrow tables. A point with the same tag set
and time as a stored one merges its fields over the stored point, as
InfluxDB does; the check is a semi-join limited to the batch's time range,
so appending in time order stays cheap. Each batch is one transaction, so a
process killed during a bulk write leaves every completed batch intact.

Threads: every change runs in a transaction on the one connection, holding
the backend's lock, and builds its catalog changes on a private copy that
is published (one reference swapped) only after COMMIT
(``catalog``). Queries and other readers use their own cursors and
the published catalog, so they see committed data only, and never wait for
a write to finish.

Retention policies are names only: their durations are not enforced.
Points and queries naming no policy use the database's default policy
(``autogen`` until another is made the default), as on InfluxDB.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import compress, islice
from operator import ne
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy._utils import chunks
from influxpy.backends.base import (
    DEFAULT_BATCH_SIZE,
    Backend,
    ClosedConnection,
    counting_written,
)
from influxpy.backends.duckdb.batches import (
    Batch,
    batch_from_columns,
    batch_from_objects,
    batch_from_points,
    check_names,
)
from influxpy.backends.duckdb.catalog import (
    DEFAULT_RETENTION_POLICY,
    TAG_CODES_COLUMNS,
    CatalogChange,
    CatalogState,
    TableKey,
    load_state,
    policies_table,
    table_name,
)
from influxpy.backends.duckdb.catalog import ident as _ident
from influxpy.backends.duckdb.ingest import (
    TAG_CODE_CACHE,
    conflict_error,
    merge,
    refuse_conflicts,
    tag_codes,
)
from influxpy.backends.duckdb.stream import SLICE_ROWS, Batches, stream_batches
from influxpy.backends.duckdb_schema import EmbeddedIntrospection, EmbeddedSchemaEditor
from influxpy.compilers.duckdb import (
    TAG_CODES,
    Catalog,
    ColumnInfo,
    DuckDBCompiler,
)
from influxpy.compilers.duckdb.plan import (
    DeletePlan,
    EmptyPlan,
    EnginePlan,
    IntoPlan,
    SelectPlan,
)
from influxpy.exceptions import (
    DatabaseNotFoundError,
    ImproperlyConfigured,
    InterfaceError,
    NotSupportedError,
    ProgrammingError,
)
from influxpy.lineprotocol import parse_line
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy._types import Measurement
    from influxpy.compilers.base import Compiled
    from influxpy.urls import DatabaseURL

__all__ = ["DuckDBBackend"]

DEFAULT_DATABASE = "influxpy"


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a core dependency
        msg = "The embedded engine needs duckdb: pip install duckdb."
        raise ImproperlyConfigured(msg) from None
    return duckdb


def _plan_of(compiled: Compiled) -> EnginePlan:
    """The engine's plan of *compiled*, which ``DuckDBCompiler`` made."""
    plan = compiled.plan
    if not isinstance(plan, EmptyPlan | DeletePlan | SelectPlan | IntoPlan):
        msg = (
            "The embedded engine runs only statements its own compiler "
            f"(DuckDBCompiler) produced; this one has the plan {plan!r}."
        )
        raise ProgrammingError(msg)
    return plan


#: Rows written between two checkpoints (see ``DuckDBBackend._checkpoint``).
_CHECKPOINT_ROWS = 1_000_000
#: Key bits up to which DuckDB aggregates in a perfect hash table.
_PERFECT_HASH_BITS = 18


class DuckDBBackend(Backend):
    """The embedded engine: ``duckdb://:memory:`` or a file.

    The URL's path names the file (``duckdb:///abs/path.duckdb`` or
    ``duckdb://relative.duckdb``); the default database is ``influxpy``
    unless ``?database=`` names another.
    """

    compiler_class: ClassVar[type[DuckDBCompiler]] = DuckDBCompiler
    vendor: ClassVar[str] = "duckdb"
    schema_editor_class = EmbeddedSchemaEditor
    introspection_class = EmbeddedIntrospection

    def __init__(self, url: DatabaseURL, alias: str = "default") -> None:
        super().__init__(url, alias)
        options = dict(url.options)
        self.database = options.pop("database", None) or DEFAULT_DATABASE
        read_only = options.pop("read_only", "false").lower() in ("1", "true", "yes")
        if options:
            names = ", ".join(sorted(options))
            msg = (
                f"Unknown option(s) for the embedded engine: {names}; valid options "
                "are: database, read_only."
            )
            raise ImproperlyConfigured(msg)
        self.path = self._path_of(url)
        #: Opened with ``read_only``: queries only, every change refused.
        self.read_only = read_only
        duckdb = _duckdb()
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            msg = f"Cannot open the embedded database {self.path!r}: {exc}"
            raise InterfaceError(msg) from None
        #: Held by every use of ``_con``: changes, and the few reads that
        #: must see a change's own work.
        self._lock = threading.RLock()
        self._unchecked = 0
        #: Committed codes of tag values this connection has seen (see
        #: ``tag_codes``); used by writers only, under the lock.
        self._tag_codes: dict[str, int] = {}
        #: Rows DuckDB sorts at a time for a raw query (None: all at once).
        self._slice_rows: int | None = SLICE_ROWS
        with self._lock:
            if read_only:
                self._check_catalog()
            else:
                self._create_catalog()
            #: The committed catalog every thread reads: replaced, never changed.
            self._state: CatalogState = load_state(self._con)
            if not read_only:
                with self._change() as change:
                    change.ensure_database(self.database)
        self._register_functions(self._con, read_only=read_only)
        # Aggregates grouped by tag codes and window numbers fit a perfect
        # hash table up to 2**18 groups (DuckDB's default stops at 2**12).
        self._con.execute(f"SET GLOBAL perfect_ht_threshold = {_PERFECT_HASH_BITS}")
        # Readers' cursors are made from this one, which runs no statement,
        # so making one never meets a writer's use of ``_con``.
        self._cursors = self._con.cursor()
        self._cursor_lock = threading.Lock()

    def _writable(self, what: str) -> None:
        if self.read_only:
            msg = (
                f"Cannot {what}: the embedded database {self.path!r} is open "
                "read_only; connect without read_only to change it."
            )
            raise NotSupportedError(msg)

    def _cursor(self) -> Any:
        """A cursor for one reader: its own connection to the same database,
        seeing committed data only."""
        with self._cursor_lock:
            return self._cursors.cursor()

    @contextmanager
    def _change(self) -> Iterator[CatalogChange]:
        """One transaction on the shared connection, holding the lock.

        The catalog changes are made on a private copy, published after
        COMMIT and thrown away on ROLLBACK; so are the tag codes given.
        """
        with self._lock:
            change = CatalogChange(self._state, self._con)
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield change
                self._con.execute("COMMIT")
            except BaseException:
                try:
                    self._con.execute("ROLLBACK")
                except _duckdb().Error:
                    pass  # a failed COMMIT has ended the transaction already
                raise
            self._state = change.state()
            codes = self._tag_codes
            if change.pruned or len(codes) + len(change.codes) > TAG_CODE_CACHE:
                codes.clear()
            if not change.pruned:
                codes.update(change.codes)

    def _create_catalog(self) -> None:
        """Create the engine's own tables where they are missing."""
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS main.influxpy_catalog ("
            "database VARCHAR, retention_policy VARCHAR, measurement VARCHAR, "
            "key VARCHAR, role VARCHAR, type VARCHAR, position INTEGER)"
        )
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS main.influxpy_databases (name VARCHAR)"
        )
        self._con.execute(
            f"CREATE TABLE IF NOT EXISTS {TAG_CODES} ({TAG_CODES_COLUMNS})"
        )
        self._con.execute(
            f"INSERT INTO {TAG_CODES} SELECT 0, '' "
            f"WHERE NOT EXISTS (SELECT * FROM {TAG_CODES})"
        )

    def _check_catalog(self) -> None:
        """Refuse, opened read-only, a file the engine never wrote."""
        found = self._con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND table_name IN ('influxpy_catalog', 'influxpy_databases')"
        ).fetchone()
        if not found or found[0] != 2:
            msg = (
                f"{self.path!r} holds no influxpy database, so it cannot be "
                "opened read_only; open it without read_only once to create one."
            )
            raise InterfaceError(msg)

    @staticmethod
    def _path_of(url: DatabaseURL) -> str:
        path = url.path
        if path in ("", "/", ":memory:", "/:memory:"):
            return ":memory:"
        return path

    @classmethod
    def from_url(cls, url: DatabaseURL, alias: str) -> DuckDBBackend:
        """Build the engine for a ``duckdb://`` URL."""
        return cls(url, alias)

    def __repr__(self) -> str:
        return (
            f"<DuckDBBackend {self.alias!r}: {self.path} (database {self.database!r})>"
        )

    # -- catalog -------------------------------------------------------------

    @property
    def _catalog(self) -> Mapping[TableKey, Mapping[str, ColumnInfo]]:
        """The committed tables: ``(db, rp, measurement) -> {key: ColumnInfo}``."""
        return self._state.tables

    def _reload_catalog(self) -> None:
        """Read the stored catalog again (after changes made behind its back)."""
        with self._lock:
            self._state = load_state(self._con)
            self._tag_codes.clear()

    def catalog(self, database: str) -> Catalog:
        """The committed columns of every table of *database*, for the compiler.

        Raises ``DatabaseNotFoundError`` when *database* does not exist, as
        InfluxDB answers a query on it.
        """
        state = self._state
        if database not in state.databases:
            self._not_found(database)
        return Catalog(
            database,
            {(rp, m): cols for rp, m, cols in state.tables_of(database)},
            state.default_policy(database),
        )

    @staticmethod
    def _not_found(database: str, doing: str = "") -> None:
        msg = (
            f"The database {database!r} does not exist on the embedded engine"
            f"{doing}. Create it with influxpy.connect(...).create_database("
            f"{database!r})."
        )
        raise DatabaseNotFoundError(msg)

    def default_retention_policy(self, database: str) -> str:
        """The policy of *database* that points and queries naming none use.

        ``autogen`` until another policy is made the default, as on InfluxDB.
        """
        return self._state.default_policy(database)

    def get_compiler(self, database: str | None = None) -> DuckDBCompiler:
        """A compiler that knows the tables of *database*."""
        db = self.resolve_database(database)
        return DuckDBCompiler(self.catalog(db), now_ns=_time.time_ns())

    def _table(self, database: str, rp: str, measurement: str) -> str:
        return table_name(database, rp, measurement)

    # -- writes --------------------------------------------------------------

    def _ingest(self, database: str, rp: str, batch: Batch) -> tuple[int, Any]:
        """Store one batch in one transaction.

        Return the points stored and the ``Rejection`` of the points refused
        for a field type conflict (None when there are none).
        """
        self._writable("write points")
        if batch.count == 0:
            return 0, None
        con = self._con
        with self._change() as change:
            key = (database, rp, batch.measurement)
            rejection = refuse_conflicts(batch, change.tables.get(key))
            if batch.count:
                columns = change.ensure_columns(database, rp, batch)

                def codes(tags: dict[str, Any]) -> dict[str, Any]:
                    return tag_codes(con, self._tag_codes, change, tags)

                merge(con, table_name(*key), batch, columns, codes)
        self._unchecked += batch.count
        if self._unchecked >= _CHECKPOINT_ROWS:
            self._checkpoint()
        return batch.count, rejection

    def _checkpoint(self) -> None:
        """Compress what was written since the last checkpoint.

        DuckDB keeps freshly written rows uncompressed (in memory, an
        in-memory database never checkpoints by itself). A checkpoint
        stores them dictionary/FSST-compressed strings and ALP floats: about
        a fifth of the memory, and grouping by a tag reads dictionary codes,
        so aggregations by tag run about twice as fast. Readers keep their
        snapshots; if DuckDB refuses the checkpoint, a later write retries.
        """
        with self._lock:
            try:
                self._con.execute("CHECKPOINT")
            except _duckdb().Error:
                return
            self._unchecked = 0

    def write(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write model instances batch by batch; return how many were stored."""
        batches = (batch_from_objects(model, c) for c in chunks(objs, batch_size))
        return self._ingest_all(database, retention_policy, batches)

    def _ingest_all(
        self,
        database: str | None,
        retention_policy: str | None,
        batches: Iterable[Batch],
    ) -> int:
        """Store batches one transaction each; return the points stored.

        A batch with points refused for a field type conflict stores the
        others, then raises ``FieldTypeConflictError`` (its ``written``
        counts the points of the earlier batches).
        """
        db = self.resolve_database(database)
        rp = retention_policy or self.default_retention_policy(db)
        written = 0
        # Any error leaving (a bad point, the caller's iterable) says how
        # many points were stored.
        with counting_written(lambda: written):
            for batch in batches:
                stored, rejection = self._ingest(db, rp, batch)
                if rejection is not None:
                    raise conflict_error(rejection, written)
                written += stored
        return written

    def write_frame(
        self,
        model: type[Measurement],
        frame: Any,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write a pandas DataFrame as Arrow batches, without line protocol.

        The checks are those of the line-protocol path every backend shares
        (tag text, a field per point, one type per untyped field), so both
        backends accept and store the same frames.
        """
        from influxpy._dataframe import frame_arrays, frame_batches

        pieces = frame_batches(*frame_arrays(model, frame), batch_size)
        batches = (batch_from_columns(model, *piece) for piece in pieces)
        return self._ingest_all(database, retention_policy, batches)

    def write_lines(
        self,
        lines: Iterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Parse and write line-protocol lines; return how many were stored.

        Each batch of *batch_size* lines is written whole, as InfluxDB
        writes a request: points refused for a field type conflict leave
        the others stored, and then ``FieldTypeConflictError`` carries the
        refused lines.
        """
        db = self.resolve_database(database)
        rp = retention_policy or self.default_retention_policy(db)
        written = 0
        for chunk in chunks(lines, batch_size):
            by_measurement: dict[str, tuple[list[tuple[Any, ...]], list[str]]] = {}
            for line in chunk:
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                measurement, tags, fields, stamp = parse_line(text)
                if not text.isascii():
                    check_names(measurement, tags, fields)
                points, sources = by_measurement.setdefault(measurement, ([], []))
                points.append((tags, fields, stamp))
                sources.append(text)
            batches = []
            for measurement, (points, sources) in by_measurement.items():
                batch = batch_from_points(measurement, points)
                batch.lines = sources
                batches.append(batch)
            refused = None
            for batch in batches:
                stored, rejection = self._ingest(db, rp, batch)
                written += stored
                if rejection is not None and refused is None:
                    refused = rejection
                elif rejection is not None and refused is not None:
                    refused.lines += rejection.lines
                    refused.reasons += rejection.reasons
            if refused is not None:
                refused.total = sum(len(p) for p, _s in by_measurement.values())
                raise conflict_error(
                    refused, written - refused.total + len(refused.lines)
                )
        return written

    # -- queries -------------------------------------------------------------

    def execute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[Series]:
        """Run a compiled statement and yield its series."""
        return self._results(compiled, chunk_size, database)

    def _results(
        self, compiled: Compiled, chunk_size: int | None, database: str | None = None
    ) -> Iterator[Series]:
        plan = _plan_of(compiled)
        if isinstance(plan, EmptyPlan):
            return
        if not isinstance(plan, SelectPlan):
            self._writable("run INTO or DELETE")
        if isinstance(plan, IntoPlan):
            # The server's answer to SELECT … INTO: one row at time 0.
            db = self.resolve_database(database)
            written = self._run_into(compiled, plan, db)
            yield Series("result", {}, ["time", "written"], [[0, written]])
            return
        if isinstance(plan, DeletePlan):
            self._delete(compiled)
            return
        cursor = self._cursor()
        batches: Batches | None = None
        try:
            n_groups = len(plan.group_keys)
            name = plan.measurement
            columns = ["time", *plan.columns]
            group_keys = plan.group_keys
            current_key: tuple[Any, ...] | None = None
            values: list[list[Any]] = []

            def piece(partial: bool) -> Series:
                assert current_key is not None
                tags = dict(zip(group_keys, current_key, strict=True))
                return Series(name, tags, columns, values, partial=partial)

            # Like the server's chunked responses: each series is cut into
            # pieces of chunk_size rows, all but its last marked partial.
            size = max(chunk_size or 0, 25_000)
            batches = stream_batches(
                cursor, compiled, plan.stream, size, self._slice_rows
            )
            for batch in batches:
                # Built in C: the group keys, and each row's values.
                if n_groups == 1:
                    keys: list[tuple[Any, ...]] | list[Any] = batch[0]
                else:
                    keys = list(zip(*batch[:n_groups], strict=True))
                cells = list(map(list, zip(*batch[n_groups:], strict=True)))
                count = len(cells)
                starts = [0]
                if n_groups:
                    changed = map(ne, islice(keys, 1, None), keys)
                    starts += compress(range(1, count), changed)
                for start, stop in zip(starts, [*starts[1:], count], strict=True):
                    if not n_groups:
                        key: tuple[Any, ...] = ()
                    elif n_groups == 1:
                        key = (keys[start],)
                    else:
                        key = keys[start]
                    if key != current_key:
                        if current_key is not None and values:
                            yield piece(False)
                        current_key = key
                        values = []
                    while start < stop:
                        if chunk_size and len(values) >= chunk_size:
                            yield piece(True)
                            values = []
                        room = chunk_size - len(values) if chunk_size else stop
                        values += cells[start : min(stop, start + room)]
                        start += room
            if current_key is not None and values:
                yield piece(False)
        finally:
            if batches is not None:
                # Its reading thread stops before the cursor closes.
                batches.close()
            cursor.close()

    def _delete(self, compiled: Compiled) -> None:
        """Run a DELETE; tag values no table holds any more leave the
        dictionary in the same transaction."""
        with self._change() as change:
            self._con.execute(compiled.text, dict(compiled.params))
            change.prune_tag_codes()

    def _run_into(self, compiled: Compiled, plan: IntoPlan, database: str) -> int:
        """Write the rows of a ``SELECT … INTO``; return how many were written.

        Each row with a value becomes a point: the group tags are its tags
        (absent when ''), the columns with a value its fields. Like the
        server, a missing database is always an error, a missing retention
        policy only when there is something to write.
        """
        db = plan.database or database
        if db not in self._state.databases:
            self._not_found(db, ", so INTO cannot write there")
        if not compiled.text:
            return 0
        duckdb = _duckdb()
        cursor = self._cursor()
        try:
            rows = cursor.execute(compiled.text, dict(compiled.params)).fetchall()
        except duckdb.Error as exc:
            msg = f"The embedded engine failed to run the query: {exc}"
            raise ProgrammingError(msg) from None
        finally:
            cursor.close()
        group_keys = plan.group_keys
        n = len(group_keys)
        rows = [r for r in rows if any(v is not None for v in r[n + 1 :])]
        if not rows:
            return 0
        rp = plan.retention_policy or self.default_retention_policy(db)
        if all(p["name"] != rp for p in self.retention_policies(db)):
            msg = (
                f"The retention policy {rp!r} does not exist on database {db!r} "
                "(retention policy not found), so INTO cannot write there."
            )
            raise ProgrammingError(msg)
        batch = Batch(plan.measurement, len(rows))
        batch.times = [int(r[n]) for r in rows]
        for index, key in enumerate(group_keys):
            values = [r[index] or "" for r in rows]
            if any(values):
                batch.tags[key] = values
        for index, (name, kind) in enumerate(
            zip(plan.columns, plan.kinds, strict=True)
        ):
            values = [r[n + 1 + index] for r in rows]
            if kind is not None and any(v is not None for v in values):
                batch.fields[name] = (kind, values)
        stored, rejection = self._ingest(db, rp, batch)
        if rejection is not None:
            raise conflict_error(rejection)
        return stored

    # -- administration ------------------------------------------------------

    def ping(self) -> str:
        """Return the DuckDB version the engine runs on."""
        cursor = self._cursor()
        try:
            version = cursor.execute("SELECT version()").fetchone()
        finally:
            cursor.close()
        return f"duckdb {version[0] if version else '?'}"

    def create_database(self, name: str | None = None) -> None:
        """Create a database (a DuckDB schema); existing ones are kept."""
        self._writable("create a database")
        db = self.resolve_database(name)
        if db in self._state.databases:
            return
        with self._change() as change:
            change.ensure_database(db)

    def drop_database(self, name: str | None = None) -> None:
        """Drop a database and all its measurements."""
        self._writable("drop a database")
        db = self.resolve_database(name)
        with self._change() as change:
            change.drop_database(db)

    def list_databases(self) -> list[str]:
        """Return the names of the databases."""
        return sorted(self._state.databases)

    def close(self) -> None:
        """Write out open batch writers, then close the DuckDB connection
        (flushing a file database). Using it afterwards raises
        ``InterfaceError``; closing twice is harmless.
        """
        if self.closed:
            return
        failure = self.close_writers()
        self.closed = True
        with self._lock:
            with self._cursor_lock:
                self._cursors.close()
                self._cursors = ClosedConnection(self)
            self._con.close()
            self._con = ClosedConnection(self)
            self._state = ClosedConnection(self)  # type: ignore[assignment]
        if failure is not None:
            raise failure

    @staticmethod
    def _register_functions(con: Any, *, read_only: bool = False) -> None:
        from influxpy.backends.duckdb.functions import register_functions

        register_functions(con, read_only=read_only)

    # -- schema and introspection (used by influxpy.schema and
    # influxpy.introspection; InfluxDB answers these with SHOW, DROP and
    # retention-policy statements) --------------------------------------------

    def _tables_of(
        self, database: str, measurement: str | None = None
    ) -> list[tuple[str, str, Mapping[str, ColumnInfo]]]:
        return self._state.tables_of(database, measurement)

    def _has_rows(self, database: str, rp: str, measurement: str) -> bool:
        table = self._table(database, rp, measurement)
        return (
            self._con.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
        )

    def show_measurements(self, database: str) -> list[str]:
        """Return the measurements of *database* that hold points, sorted."""
        with self._lock:
            names = {
                m
                for rp, m, _columns in self._tables_of(database)
                if self._has_rows(database, rp, m)
            }
        return sorted(names)

    def show_tag_keys(self, database: str, measurement: str) -> list[str]:
        """Return the tag keys some point of *measurement* has, sorted."""
        keys: set[str] = set()
        with self._lock:
            for rp, m, columns in self._tables_of(database, measurement):
                tags = [k for k, c in columns.items() if c.role == "tag"]
                if not tags:
                    continue
                present = ", ".join(f"bool_or({_ident(k)} <> '')" for k in tags)
                row = self._con.execute(
                    f"SELECT {present} FROM {self._table(database, rp, m)}"
                ).fetchone()
                if row is not None:
                    keys.update(k for k, found in zip(tags, row, strict=True) if found)
        return sorted(keys)

    def show_tag_values(self, database: str, measurement: str, key: str) -> list[str]:
        """Return the values the tag *key* takes in *measurement*, sorted."""
        values: set[str] = set()
        with self._lock:
            for rp, m, columns in self._tables_of(database, measurement):
                info = columns.get(key)
                if info is None or info.role != "tag":
                    continue
                rows = self._con.execute(
                    f"SELECT DISTINCT {_ident(key)} FROM "
                    f"{self._table(database, rp, m)} WHERE {_ident(key)} <> ''"
                ).fetchall()
                values.update(str(r[0]) for r in rows)
        return sorted(values)

    def show_field_keys(
        self, database: str, measurement: str, retention_policy: str | None = None
    ) -> list[tuple[str, str]]:
        """Return ``(key, type)`` of the fields of *measurement*, sorted by key.

        Without *retention_policy*, the database's default policy, where
        points naming no policy are written.
        """
        rp = retention_policy or self.default_retention_policy(database)
        with self._lock:
            columns = self._catalog.get((database, rp, measurement))
            if columns is None or not self._has_rows(database, rp, measurement):
                return []
            return sorted((k, c.kind) for k, c in columns.items() if c.role == "field")

    def series_cardinality(
        self,
        database: str,
        measurement: str | None = None,
        *,
        without_tag: str | None = None,
    ) -> int:
        """Count the series (distinct tag sets per measurement), exactly.

        *without_tag* counts only the series that lack that tag.
        """
        by_measurement: dict[str, list[tuple[str, Mapping[str, ColumnInfo]]]] = {}
        for rp, m, columns in self._tables_of(database, measurement):
            by_measurement.setdefault(m, []).append((rp, columns))
        total = 0
        with self._lock:
            for m, tables in by_measurement.items():
                keys = sorted(
                    {
                        k
                        for _rp, cols in tables
                        for k, c in cols.items()
                        if c.role == "tag"
                    }
                )
                selects = []
                for rp, cols in tables:
                    picked = [
                        _ident(k) if k in cols else f"'' AS {_ident(k)}" for k in keys
                    ]
                    select = ", ".join(picked) or "'' AS influxpy_no_tags"
                    where = "TRUE"
                    if without_tag is not None and without_tag in cols:
                        where = f"{_ident(without_tag)} = ''"
                    selects.append(
                        f"SELECT DISTINCT {select} FROM "
                        f"{self._table(database, rp, m)} WHERE {where}"
                    )
                row = self._con.execute(
                    f"SELECT count(*) FROM ({' UNION '.join(selects)})"
                ).fetchone()
                total += int(row[0]) if row else 0
        return total

    def retention_policies(self, database: str) -> list[dict[str, Any]]:
        """Return the policies of *database* as dicts (durations in ns).

        A database whose policies were never changed has ``autogen`` only:
        infinite, 7-day shards, the default, as InfluxDB creates it.
        """
        autogen = {
            "name": DEFAULT_RETENTION_POLICY,
            "duration": 0,
            "shard_duration": 7 * 86_400 * 1_000_000_000,
            "replication": 1,
            "default": True,
        }
        with self._lock:
            if database not in self._state.databases:
                msg = (
                    f"The database {database!r} does not exist on the embedded "
                    "engine; create it with create_database()."
                )
                raise DatabaseNotFoundError(msg)
            found = self._con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? "
                "AND table_name = 'influxpy_retention_policies'",
                [database],
            ).fetchone()
            if not found or not found[0]:
                return [autogen]
            rows = self._con.execute(
                "SELECT name, duration, shard_duration, replication, is_default "
                f"FROM {policies_table(database)} ORDER BY position"
            ).fetchall()
        names = ("name", "duration", "shard_duration", "replication", "default")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def create_retention_policy(
        self, database: str, policy: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Record a retention policy (``replace`` alters an existing one).

        Durations are recorded, not enforced. Creating one that exists with
        other options raises ``ProgrammingError``, as InfluxDB does.
        """
        self._writable("create a retention policy")
        with self._lock:
            current = self.retention_policies(database)
            existing = next((p for p in current if p["name"] == policy["name"]), None)
            if existing is not None and not replace:
                keys = ("duration", "shard_duration", "replication")
                if any(existing[k] != policy[k] for k in keys):
                    msg = (
                        f"The retention policy {policy['name']!r} already exists "
                        f"on {database!r} with other options."
                    )
                    raise ProgrammingError(msg)
                policy = {
                    **existing,
                    "default": existing["default"] or policy["default"],
                }
            if policy["shard_duration"] is None:
                # ALTER without SHARD DURATION keeps the shard duration.
                kept = existing["shard_duration"] if existing else 0
                policy = {**policy, "shard_duration": kept}
            if existing is None and replace:
                msg = (
                    f"The retention policy {policy['name']!r} does not exist on "
                    f"{database!r}."
                )
                raise ProgrammingError(msg)
            policies = [p for p in current if p["name"] != policy["name"]]
            if policy["default"]:
                policies = [{**p, "default": False} for p in policies]
            elif existing is not None and existing["default"]:
                policy = {**policy, "default": True}
            if existing is None:
                policies.append(policy)
            else:
                index = current.index(existing)
                policies.insert(index, policy)
            with self._change() as change:
                change.store_policies(database, policies)

    def drop_retention_policy(self, database: str, name: str) -> None:
        """Forget a retention policy and drop its points (idempotent).

        The default policy cannot be dropped: points naming no policy go
        there. Make another policy the default first.
        """
        self._writable("drop a retention policy")
        if name == self.default_retention_policy(database):
            msg = (
                "The embedded engine writes points that name no retention policy "
                f"into the default policy {name!r}, so it cannot be dropped; make "
                "another policy the default first."
            )
            raise NotSupportedError(msg)
        with self._lock:
            current = self.retention_policies(database)
            with self._change() as change:
                if any(p["name"] == name for p in current):
                    change.store_policies(
                        database, [p for p in current if p["name"] != name]
                    )
                change.drop_tables(
                    [k for k in change.tables if k[:2] == (database, name)]
                )

    def drop_measurement(self, database: str, measurement: str) -> None:
        """Drop *measurement* in every retention policy (idempotent)."""
        self._writable("drop a measurement")
        with self._change() as change:
            change.drop_tables(
                [k for k in change.tables if k[0] == database and k[2] == measurement]
            )

    def drop_series(self, database: str, measurement: str, where: Any) -> None:
        """Delete the points of the series matching *where* in every policy.

        *where* holds tag conditions only, as ``DROP SERIES`` allows.
        """
        self._writable("drop series")
        from influxpy.query import Delete, Source

        with self._change() as change:
            for rp, m, _columns in self._tables_of(database, measurement):
                statement = Delete(Source(m, None, rp), where)
                compiled = statement.compile(self.get_compiler(database))
                if compiled.text:
                    self._con.execute(compiled.text, dict(compiled.params))
            change.prune_tag_codes()
