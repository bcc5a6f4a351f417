"""The engine's connection and catalog: what every job of ``DuckDBBackend`` uses.

One DuckDB connection per backend, used for changes under the backend's
lock; readers get cursors of their own and the published catalog. Changes
run in ``_change()``: one transaction, whose catalog changes are published
after COMMIT.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time as _time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from influxpy.backends.base import Backend, ClosedConnection
from influxpy.backends.duckdb.catalog import (
    TAG_CODES_COLUMNS,
    CatalogState,
    DatabaseTables,
    TableKey,
    load_state,
)
from influxpy.backends.duckdb.catalog_change import CatalogChange
from influxpy.backends.duckdb.ingest import TAG_CODE_CACHE
from influxpy.backends.duckdb.stream import SLICE_ROWS, damaged
from influxpy.backends.duckdb.subscription_table import (
    SUBSCRIPTIONS,
    SUBSCRIPTIONS_COLUMNS,
)
from influxpy.compilers.duckdb import (
    TAG_CODES,
    Catalog,
    ColumnInfo,
    DuckDBCompiler,
)
from influxpy.exceptions import (
    DatabaseNotFoundError,
    ImproperlyConfigured,
    InterfaceError,
    NotSupportedError,
    OperationalError,
)

if TYPE_CHECKING:
    from influxpy.urls import DatabaseURL

__all__ = ["DEFAULT_DATABASE", "EngineCore"]

DEFAULT_DATABASE = "influxpy"


def _duckdb() -> Any:
    try:
        import duckdb
        import numpy  # noqa: F401 - DuckDB's Python functions (MODE) need it
    except ImportError as exc:
        msg = (
            f"The embedded engine needs duckdb, numpy and pyarrow (core "
            f"dependencies of influxpy-orm), and {exc.name or 'one'} is not "
            "installed: pip install duckdb numpy pyarrow (a plain "
            "pip install influxpy-orm brings them)."
        )
        raise ImproperlyConfigured(msg) from None
    return duckdb


def _checkpoint_rows_option(rows: str | None) -> int | None:
    """The ``checkpoint_rows`` option: a whole number of rows above 0."""
    if rows is None:
        return None
    if not rows.isdigit() or int(rows) == 0:
        msg = (
            "The embedded engine's option checkpoint_rows must be a whole "
            f"number of rows above 0 (the rows written between two "
            f"checkpoints), not {rows!r}."
        )
        raise ImproperlyConfigured(msg)
    return int(rows)


def _open_error(path: str, exc: Exception) -> str:
    """The message for a database file DuckDB cannot open.

    Another process holding the file (DuckDB lets one process at a time
    open a file it writes) gets a message saying which and what to do, not
    DuckDB's lock text alone.
    """
    text = str(exc)
    if damaged(exc) is not None:
        return _damaged(path, exc)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return f"Cannot open the embedded database {path!r}: {text}"
    found = re.search(r"PID (\d+)", text)
    holder = f"process {found.group(1)}" if found else "another process"
    return (
        f"Cannot open the embedded database {path!r}: {holder} has it open, "
        "and DuckDB lets one process at a time open a database file that is "
        "written to (read_only too). Close the connection in that process "
        "first, or serve the file from one process (influxpy serve --url "
        f"duckdb://{path}) and connect the others to it over HTTP."
    )


#: DuckDB settings the embedded engine's URL may give, each with what it
#: takes: the memory DuckDB may use before it spills to disk or refuses a
#: query, where it spills, and the threads a query runs on.
ENGINE_SETTINGS = {
    "memory_limit": "a size such as 4GB or 512MB",
    "temp_directory": "a directory DuckDB may write its spilled data to",
    "threads": "a whole number of threads, at least 1",
}


def _memory_spill_directory() -> str:
    """Where an in-memory engine's DuckDB spills: a directory of its own
    under the system's temporary directory, made only when DuckDB spills
    and removed when the engine closes (DuckDB's default, ``.tmp`` in the
    working directory, writes beside the user's files, or fails where that
    directory is read-only)."""
    name = f"influxpy-duckdb-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    return os.path.join(tempfile.gettempdir(), name)


def _connect_error(path: str, settings: dict[str, str], exc: Exception) -> Exception:
    """The error for a database DuckDB did not open: a setting it refused
    (named, with what it takes) is ``ImproperlyConfigured``; anything else
    an ``InterfaceError`` (``_open_error``)."""
    text = str(exc)
    duckdb = _duckdb()
    for name, value in settings.items():
        # DuckDB's errors do not name the setting: each is tried alone.
        try:
            duckdb.connect(":memory:", config={name: value}).close()
        except duckdb.Error:
            msg = (
                f"The embedded engine's option {name}={value!r} was refused: "
                f"{name} takes {ENGINE_SETTINGS[name]} (DuckDB said: {text})"
            )
            return ImproperlyConfigured(msg)
    if settings and "different configuration" in text:
        given = ", ".join(f"{k}={v}" for k, v in settings.items())
        msg = (
            f"Cannot open the embedded database {path!r} with {given}: this "
            "process has it open already with other settings. Connect with "
            "the same options as the connection already open, or close it "
            f"first (DuckDB said: {text})"
        )
        return InterfaceError(msg)
    return InterfaceError(_open_error(path, exc))


def _damaged(path: str, exc: Exception) -> str:
    """The message for a database file DuckDB cannot open or read."""
    advice = damaged(exc) or "DuckDB could not read it."
    return f"Cannot open the embedded database {path!r}: {exc}. {advice}"


def _split_database(path: str) -> tuple[str, str | None]:
    """The file (or ``:memory:``) of a URL's path, and the database it names
    after the file, if any: ``/data/db.duckdb/d`` and ``:memory:/d`` name
    database ``d``, as ``influxdb://host/d`` does.

    A last segment is a database only after a ``.duckdb`` file (or
    ``:memory:``) and where no directory of that name exists, so a file
    inside a directory called ``x.duckdb`` stays a file.
    """
    if path in ("", "/", ":memory:", "/:memory:"):
        return ":memory:", None
    head, _, last = path.rstrip("/").rpartition("/")
    if head in (":memory:", "/:memory:") and last:
        return ":memory:", last
    if (
        last
        and head.lower().endswith(".duckdb")
        and not os.path.isdir(head)
        and not os.path.exists(path)
    ):
        return head, last
    return path, None


#: The write-ahead log size past which DuckDB checkpoints in a COMMIT.
_WAL_LIMIT = "1GB"
#: Key bits up to which DuckDB aggregates in a perfect hash table.
_PERFECT_HASH_BITS = 18


class EngineCore(Backend):
    """The connection, lock, cursors and catalog of ``DuckDBBackend``, which
    its queries, writes and administration share.
    """

    #: ``(pointsWritten, writeFailures)`` of the service that copies writes
    #: to the subscriptions' destinations, when one runs (``influxpy
    #: serve`` sets it); ``SHOW STATS`` reports them.
    subscriber_statistics: Callable[[], tuple[int, int]] | None = None

    def __init__(self, url: DatabaseURL, alias: str = "default") -> None:
        super().__init__(url, alias)
        options = dict(url.options)
        path, named = _split_database(url.path)
        self.database = options.pop("database", None) or named or DEFAULT_DATABASE
        read_only = options.pop("read_only", "false").lower() in ("1", "true", "yes")
        #: The options of the background services (``services``).
        self._service_options: dict[str, str] = {
            k: options.pop(k)
            for k in ("cq_run_interval", "retention_check_interval")
            if k in options
        }
        #: Rows written between two checkpoints (None: ``writing``'s default).
        self._checkpoint_rows = _checkpoint_rows_option(
            options.pop("checkpoint_rows", None)
        )
        #: DuckDB's own settings the URL may give (``ENGINE_SETTINGS``).
        settings = {k: options.pop(k) for k in ENGINE_SETTINGS if k in options}
        if path == ":memory:" and "temp_directory" not in settings:
            settings["temp_directory"] = _memory_spill_directory()
        if options:
            names = ", ".join(sorted(options))
            msg = (
                f"Unknown option(s) for the embedded engine: {names}; valid options "
                "are: database, read_only, cq_run_interval, "
                "retention_check_interval, checkpoint_rows, "
                f"{', '.join(ENGINE_SETTINGS)}."
            )
            raise ImproperlyConfigured(msg)
        self.path = path
        #: Opened with ``read_only``: queries only, every change refused.
        self.read_only = read_only
        duckdb = _duckdb()
        try:
            self._con = duckdb.connect(self.path, read_only=read_only, config=settings)
        except duckdb.Error as exc:
            raise _connect_error(self.path, settings, exc) from None
        #: Held by every use of ``_con``: changes, and the few reads that
        #: must see a change's own work.
        self._lock = threading.RLock()
        #: Rows written since the last checkpoint, and the thread running
        #: one (``writing``).
        self._unchecked = 0
        self._checkpointer: threading.Thread | None = None
        #: Committed codes of tag values this connection has seen (see
        #: ``tag_codes``); used by writers only, under the lock.
        self._tag_codes: dict[str, int] = {}
        #: Rows DuckDB sorts at a time for a raw query (None: all at once).
        self._slice_rows: int | None = SLICE_ROWS
        try:
            with self._lock:
                if read_only:
                    self._check_catalog()
                else:
                    self._create_catalog()
                #: The committed catalog every thread reads: replaced, never
                #: changed.
                self._state: CatalogState = load_state(self._con)
                if not read_only:
                    with self._change() as change:
                        change.ensure_database(self.database)
        except duckdb.Error as exc:
            # DuckDB opened the file but cannot read its catalog back.
            self._con.close()
            raise InterfaceError(_damaged(self.path, exc)) from None
        self._register_functions(self._con, read_only=read_only)
        # Aggregates grouped by tag codes and window numbers fit a perfect
        # hash table up to 2**18 groups (DuckDB's default stops at 2**12).
        self._con.execute(f"SET GLOBAL perfect_ht_threshold = {_PERFECT_HASH_BITS}")
        if not read_only and self.path != ":memory:":
            # DuckDB checkpoints a file inside the COMMIT that takes its
            # write-ahead log past 16 MB: inside a write. The engine's own
            # checkpoint, every ``checkpoint_rows`` in a thread of its own,
            # comes first; DuckDB's stays as a backstop for a far larger log.
            self._con.execute(f"SET GLOBAL checkpoint_threshold = '{_WAL_LIMIT}'")
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
        duckdb = _duckdb()
        with self._lock:
            change = CatalogChange(self._state, self._con)
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield change
                change.flush()
                self._con.execute("COMMIT")
            except BaseException as exc:
                try:
                    self._con.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # a failed COMMIT has ended the transaction already
                if isinstance(exc, _store_failures(duckdb)):
                    raise OperationalError(_store_failed(self.path, exc)) from exc
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
            f"CREATE TABLE IF NOT EXISTS {SUBSCRIPTIONS} ({SUBSCRIPTIONS_COLUMNS})"
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
            DatabaseTables(state, database),
            state.default_policy(database),
            state.store,
            database in state.dropped_defaults,
            shard_durations=lambda rp: self._shard_duration(database, rp),
            table_names=state.table_names(database),
            holding=lambda tables: self._holding_points(database, tables),
        )

    def _holding_points(
        self, database: str, tables: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Defined in ``admin``."""
        raise NotImplementedError

    def _shard_duration(self, database: str, rp: str) -> int:
        """Defined in ``writing``."""
        raise NotImplementedError

    @staticmethod
    def _not_found(database: str, doing: str = "") -> None:
        msg = (
            f"The database {database!r} does not exist on the embedded engine"
            f"{doing}. Create it with influxpy.connect(...).create_database("
            f"{database!r})."
        )
        raise DatabaseNotFoundError(msg, database=database)

    def default_retention_policy(self, database: str) -> str:
        """The policy of *database* that points and queries naming none use.

        ``autogen`` until another policy is made the default, as on InfluxDB.
        """
        return self._state.default_policy(database)

    def get_compiler(self, database: str | None = None) -> DuckDBCompiler:
        """A compiler that knows the tables of *database*."""
        db = self.resolve_database(database)
        compiler = DuckDBCompiler(self.catalog(db), now_ns=_time.time_ns())
        # A FROM can name measurements of other databases.
        compiler.catalogs = self.catalog
        return compiler

    def _table(self, database: str, rp: str, measurement: str) -> str:
        return self._state.table_sql((database, rp, measurement))

    def close(self) -> None:
        """Write out open batch writers, then close the DuckDB connection
        (flushing a file database). Using it afterwards raises
        ``InterfaceError``; closing twice is harmless.
        """
        if self.closed:
            return
        self._stop_background()
        failure = self.close_writers()
        self.closed = True
        checkpointer = self._checkpointer
        if checkpointer is not None:
            checkpointer.join()
        with self._lock:
            with self._cursor_lock:
                self._cursors.close()
                self._cursors = ClosedConnection(self)
            self._con.close()
            self._con = ClosedConnection(self)
            self._state = ClosedConnection(self)  # type: ignore[assignment]
        if failure is not None:
            raise failure

    def _stop_background(self) -> None:
        """Stop the background services (``services`` fills this in)."""

    def _forget_services(self, database: str, policy: str | None = None) -> None:
        """Forget the continuous queries and shard groups of a database (or
        the shard groups of one policy) being dropped, inside its change."""

    @staticmethod
    def _register_functions(con: Any, *, read_only: bool = False) -> None:
        from influxpy.backends.duckdb.functions import register_functions

        register_functions(con, read_only=read_only)


def _store_failures(duckdb: Any) -> tuple[type[BaseException], ...]:
    """DuckDB's errors of a store that failed (disk, memory, the file), not
    of a statement."""
    return (
        duckdb.IOException,
        duckdb.TransactionException,
        duckdb.OutOfMemoryException,
        duckdb.FatalException,
        duckdb.InternalException,
    )


def _store_failed(path: str, exc: BaseException) -> str:
    """The error of a change the store could not keep."""
    where = "memory" if path == ":memory:" else repr(path)
    return (
        f"The embedded engine could not store a change in {where}: {exc}. "
        "Nothing of this change was kept (what earlier writes stored stays; "
        "the error's `written` counts it). Free disk space or memory, or "
        "raise the limit that stopped it, then write the rest again."
    )
