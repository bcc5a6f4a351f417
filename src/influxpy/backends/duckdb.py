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

Retention policies are names only: their durations are not enforced.
Points and queries naming no policy use the database's default policy
(``autogen`` until another is made the default), as on InfluxDB.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time as _time
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, islice
from operator import ne
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy._utils import chunks
from influxpy.backends.base import DEFAULT_BATCH_SIZE, Backend
from influxpy.compilers.duckdb import (
    TAG_CODES,
    Catalog,
    ColumnInfo,
    DuckDBCompiler,
    code_column,
)
from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS, RESERVED_KEYS
from influxpy.exceptions import (
    FieldError,
    FieldTypeConflictError,
    ImproperlyConfigured,
    InterfaceError,
    LineProtocolError,
    NotSupportedError,
    ProgrammingError,
)
from influxpy.lineprotocol import check_tag_set, check_tag_value, parse_line
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled
    from influxpy.connection import DatabaseURL
    from influxpy.models import InfluxMeasurement

__all__ = ["DuckDBBackend"]

DEFAULT_DATABASE = "influxpy"
DEFAULT_RETENTION_POLICY = "autogen"
_SQL_TYPES = {
    "float": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "string": "VARCHAR",
}
_PY_KIND = {float: "float", int: "integer", bool: "boolean", str: "string"}


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a core dependency
        msg = "The embedded engine needs duckdb: pip install duckdb."
        raise ImproperlyConfigured(msg) from None
    return duckdb


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        msg = (
            "The embedded engine ingests through Arrow: install it with "
            "pip install 'influxpy-orm[pandas]' (or pip install pyarrow)."
        )
        raise ImproperlyConfigured(msg) from None
    return pyarrow


#: Rows written between two checkpoints (see ``DuckDBBackend._checkpoint``).
_CHECKPOINT_ROWS = 1_000_000
#: Key bits up to which DuckDB aggregates in a perfect hash table.
_PERFECT_HASH_BITS = 18
#: Tag values whose codes a connection remembers before it starts afresh.
_TAG_CODE_CACHE = 1_000_000


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: Result column types whose Arrow form converts to the same Python values
#: as DuckDB's own rows (a HUGEINT sum, say, would come back as a Decimal).
_ARROW_SAFE = frozenset(
    {
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "DOUBLE",
        "FLOAT",
        "VARCHAR",
        "BOOLEAN",
    }
)


def _column_batches(
    cursor: Any, compiled: Compiled, size: int
) -> Iterator[list[list[Any]]]:
    """Run a SELECT; yield its rows in batches of at most *size*, by column.

    Columns of plain types come through Arrow and numpy, several times
    faster than DuckDB's row tuples; others are fetched as rows.
    """
    duckdb = _duckdb()
    params = dict(compiled.params) or None
    try:
        relation = cursor.sql(compiled.text, params=params)
        types = {str(kind) for kind in relation.types}
        if types <= _ARROW_SAFE:
            reader = getattr(relation, "to_arrow_reader", None)
            if reader is None:  # pragma: no cover - duckdb before 1.4
                reader = relation.fetch_record_batch
            for record_batch in reader(size):
                yield [_arrow_list(column) for column in record_batch.columns]
            return
        result = cursor.execute(compiled.text, params or {})
        while rows := result.fetchmany(size):
            yield list(map(list, zip(*rows, strict=True)))
    except duckdb.Error as exc:
        msg = f"The embedded engine failed to run the query: {exc}"
        raise ProgrammingError(msg) from None


def _arrow_list(column: Any) -> list[Any]:
    """An Arrow column of a plain type as a list of Python values."""
    if not column.null_count:
        return list(column.to_numpy(zero_copy_only=False).tolist())
    pa = _pyarrow()
    if pa.types.is_floating(column.type):
        filler: Any = 0.0
    elif pa.types.is_integer(column.type):
        filler = 0
    elif pa.types.is_boolean(column.type):
        filler = False
    else:
        filler = ""
    values = column.fill_null(filler).to_numpy(zero_copy_only=False).tolist()
    nulls = column.is_null().to_numpy(zero_copy_only=False).nonzero()[0]
    for index in nulls.tolist():
        values[index] = None
    return list(values)


def _as_list(values: Any) -> list[Any]:
    if isinstance(values, list):
        return values
    return list(values.tolist() if hasattr(values, "tolist") else values.to_pylist())


class _Batch:
    """Columns of one write: times, tags and typed fields, row-aligned."""

    def __init__(self, measurement: str, count: int) -> None:
        self.measurement = measurement
        self.count = count
        # Lists, or numpy / Arrow arrays for a DataFrame's columns.
        self.times: Any = []
        self.tags: dict[str, Any] = {}
        self.fields: dict[str, tuple[str, Any]] = {}
        #: Rows refused inside the batch: (field key, type given, row flags).
        self.mixed: list[tuple[str, str, list[bool]]] = []

    @property
    def vectorized(self) -> bool:
        """Whether some columns are arrays (from a DataFrame), not lists."""
        columns = [self.times, *self.tags.values()]
        columns += [values for _kind, values in self.fields.values()]
        return any(not isinstance(c, list) for c in columns)

    def materialize(self) -> None:
        """Turn array columns into lists, for the row-by-row paths."""
        self.times = _as_list(self.times)
        self.tags = {key: _as_list(vals) for key, vals in self.tags.items()}
        self.fields = {
            key: (kind, _as_list(vals)) for key, (kind, vals) in self.fields.items()
        }

    def drop_rows(self, keep: list[bool]) -> None:
        """Keep only the rows whose flag is true."""
        self.materialize()
        self.times = [t for t, k in zip(self.times, keep, strict=True) if k]
        self.tags = {
            key: [v for v, k in zip(vals, keep, strict=True) if k]
            for key, vals in self.tags.items()
        }
        self.fields = {
            key: (kind, [v for v, k in zip(vals, keep, strict=True) if k])
            for key, (kind, vals) in self.fields.items()
        }
        self.count = len(self.times)


class DuckDBBackend(Backend):
    """The embedded engine: ``duckdb://:memory:`` or a file.

    The URL's path names the file (``duckdb:///abs/path.duckdb`` or
    ``duckdb://relative.duckdb``); the default database is ``influxpy``
    unless ``?database=`` names another.
    """

    compiler_class: ClassVar[type[DuckDBCompiler]] = DuckDBCompiler
    vendor: ClassVar[str] = "duckdb"

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
        self._lock = threading.RLock()
        self._catalog: dict[tuple[str, str, str], dict[str, ColumnInfo]] = {}
        #: Each database's default retention policy, read once.
        self._default_policies: dict[str, str] = {}
        self._unchecked = 0
        #: Codes of tag values written by this connection (see ``_codes``).
        self._tag_codes: dict[str, int] = {}
        with self._lock:
            if read_only:
                self._check_catalog()
            else:
                self._create_catalog()
            self._load_catalog()
            if not read_only:
                self._ensure_database(self.database)
        self._register_functions(self._con, read_only=read_only)
        # Aggregates grouped by tag codes and window numbers fit a perfect
        # hash table up to 2**18 groups (DuckDB's default stops at 2**12).
        self._con.execute(f"SET GLOBAL perfect_ht_threshold = {_PERFECT_HASH_BITS}")

    def _writable(self, what: str) -> None:
        if self.read_only:
            msg = (
                f"Cannot {what}: the embedded database {self.path!r} is open "
                "read_only; connect without read_only to change it."
            )
            raise NotSupportedError(msg)

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
            f"CREATE TABLE IF NOT EXISTS {TAG_CODES} "
            "(code INTEGER PRIMARY KEY, value VARCHAR UNIQUE NOT NULL)"
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

    def _load_catalog(self) -> None:
        rows = self._con.execute(
            "SELECT database, retention_policy, measurement, key, role, type "
            "FROM main.influxpy_catalog ORDER BY position"
        ).fetchall()
        coded = []
        for db, rp, measurement, key, role, kind in rows:
            columns = self._catalog.setdefault((db, rp, measurement), {})
            if role == "code":
                coded.append((columns, key))
            else:
                columns[key] = ColumnInfo(key, role, kind)
        # Tables written before tags had codes keep grouping by the values.
        for columns, key in coded:
            columns[key] = dataclasses.replace(columns[key], coded=True)

    def catalog(self, database: str) -> Catalog:
        """The columns of every table of *database*, for the compiler."""
        return Catalog(
            database,
            {
                (rp, m): dict(cols)
                # A snapshot: a write in another thread may add a table.
                for (db, rp, m), cols in list(self._catalog.items())
                if db == database
            },
            self.default_retention_policy(database),
        )

    def default_retention_policy(self, database: str) -> str:
        """The policy of *database* that points and queries naming none use.

        ``autogen`` until another policy is made the default, as on InfluxDB.
        """
        name = self._default_policies.get(database)
        if name is None:
            name = DEFAULT_RETENTION_POLICY
            with self._lock:
                if database in self.list_databases():
                    policies = self.retention_policies(database)
                    name = next((p["name"] for p in policies if p["default"]), name)
            self._default_policies[database] = name
        return name

    def get_compiler(self, database: str | None = None) -> DuckDBCompiler:
        """A compiler that knows the tables of *database*."""
        db = self.resolve_database(database)
        return DuckDBCompiler(self.catalog(db), now_ns=_time.time_ns())

    def _ensure_database(self, name: str) -> None:
        exists = self._con.execute(
            "SELECT count(*) FROM main.influxpy_databases WHERE name = ?", [name]
        ).fetchone()
        if not exists or not exists[0]:
            self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(name)}")
            self._con.execute("INSERT INTO main.influxpy_databases VALUES (?)", [name])

    def _table(self, database: str, rp: str, measurement: str) -> str:
        return f"{_ident(database)}.{_ident(rp + '.' + measurement)}"

    def _ensure_columns(
        self, database: str, rp: str, batch: _Batch
    ) -> dict[str, ColumnInfo]:
        key = (database, rp, batch.measurement)
        columns = self._catalog.get(key)
        table = self._table(database, rp, batch.measurement)
        if columns is None:
            self._ensure_database(database)
            self._con.execute(f"CREATE TABLE {table} (time BIGINT NOT NULL)")
            columns = self._catalog[key] = {}
        position = len(columns)
        wanted = [(k, "tag", "string") for k in batch.tags]
        wanted += [(k, "field", kind) for k, (kind, _v) in batch.fields.items()]
        for name, role, kind in wanted:
            info = columns.get(name)
            if info is not None:
                if info.role != role:
                    msg = (
                        f"The embedded engine cannot store {name!r} of measurement "
                        f"{batch.measurement!r} as a {role}: it is already a "
                        f"{info.role} (InfluxDB 3 refuses a tag and a field with "
                        "the same name too)."
                    )
                    raise NotSupportedError(msg)
                continue
            added = [(name, role, kind, _SQL_TYPES[kind])]
            if role == "tag":
                # The tag's values, '' for rows written before it, and their
                # codes (0 for '').
                added = [
                    (name, role, kind, "VARCHAR NOT NULL DEFAULT ''"),
                    (
                        code_column(name),
                        "code",
                        "integer",
                        "INTEGER NOT NULL DEFAULT 0",
                    ),
                ]
            for column, column_role, column_kind, sql_type in added:
                self._con.execute(
                    f"ALTER TABLE {table} ADD COLUMN {_ident(column)} {sql_type}"
                )
                self._con.execute(
                    "INSERT INTO main.influxpy_catalog VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        database,
                        rp,
                        batch.measurement,
                        name,
                        column_role,
                        column_kind,
                        position,
                    ],
                )
            position += 1
            columns[name] = ColumnInfo(name, role, kind, coded=role == "tag")
        return columns

    # -- writes --------------------------------------------------------------

    def _ingest(self, database: str, rp: str, batch: _Batch) -> int:
        """Store one batch in one transaction; return the points stored."""
        self._writable("write points")
        if batch.count == 0:
            return 0
        pa = _pyarrow()
        conflict: FieldTypeConflictError | None = None
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                columns = self._ensure_columns(database, rp, batch)
                conflict = self._drop_conflicts(batch, columns)
                if batch.count:
                    self._merge(database, rp, batch, columns, pa)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                self._reload_catalog()
                # Codes given in the transaction are gone with it.
                self._tag_codes.clear()
                raise
        self._unchecked += batch.count
        if self._unchecked >= _CHECKPOINT_ROWS:
            self._checkpoint()
        if conflict is not None:
            raise conflict
        return batch.count

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

    def _reload_catalog(self) -> None:
        self._catalog.clear()
        self._load_catalog()

    def _drop_conflicts(
        self, batch: _Batch, columns: dict[str, ColumnInfo]
    ) -> FieldTypeConflictError | None:
        """Drop points writing a field with another type, as InfluxDB does."""
        if not batch.mixed and all(
            key not in columns or columns[key].kind == kind
            for key, (kind, _values) in batch.fields.items()
        ):
            return None
        batch.materialize()
        keep = [True] * batch.count
        reasons = []
        for key, given, refused in batch.mixed:
            for index, flag in enumerate(refused):
                if flag:
                    keep[index] = False
            reasons.append(
                f'field type conflict: input field "{key}" on measurement '
                f'"{batch.measurement}" is type {given}, already exists as type '
                f"{batch.fields[key][0]}"
            )
        for key, (kind, values) in list(batch.fields.items()):
            stored = columns[key].kind if key in columns else kind
            if stored == kind:
                continue
            for index, value in enumerate(values):
                if value is not None:
                    keep[index] = False
            reasons.append(
                f'field type conflict: input field "{key}" on measurement '
                f'"{batch.measurement}" is type {kind}, already exists as type '
                f"{stored}"
            )
            del batch.fields[key]
        if not reasons:
            return None
        dropped = keep.count(False)
        total = batch.count
        batch.drop_rows(keep)
        reason = f"partial write: {'; '.join(reasons)} dropped={dropped}"
        msg = (
            f"The embedded engine rejected {dropped} of {total} points because of "
            f"a field type conflict (the other points were written): {reason}."
        )
        return FieldTypeConflictError(msg, dropped=dropped, reason=reason)

    def _merge(
        self,
        database: str,
        rp: str,
        batch: _Batch,
        columns: dict[str, ColumnInfo],
        pa: Any,
    ) -> None:
        arrays: dict[str, Any] = {"time": pa.array(batch.times, pa.int64())}
        arrow_types = {
            "float": pa.float64(),
            "integer": pa.int64(),
            "boolean": pa.bool_(),
            "string": pa.string(),
        }
        for key, values in batch.tags.items():
            arrays[key] = _arrow_column(pa, values, pa.string())
        for key, (kind, values) in batch.fields.items():
            arrays[key] = _arrow_column(pa, values, arrow_types[kind])
        tag_keys = [k for k, c in columns.items() if c.role == "tag"]
        field_keys = [k for k, c in columns.items() if c.role == "field"]
        coded = [k for k in tag_keys if columns[k].coded]
        for key, codes in self._codes(
            {k: arrays[k] for k in coded if k in batch.tags}
        ).items():
            arrays[code_column(key)] = codes
        table = pa.table(arrays)
        con = self._con
        con.register("influxpy_batch", table)
        try:
            target = self._table(database, rp, batch.measurement)
            source = "influxpy_batch"
            key_cols = ["time", *tag_keys]
            # The tags' codes go along with the tags (0 for an absent tag).
            carried = [code_column(k) for k in coded]
            select_tags = ", ".join(
                [
                    *(
                        f"{_ident(k)}" if k in batch.tags else f"'' AS {_ident(k)}"
                        for k in tag_keys
                    ),
                    *(
                        _ident(c) if c in arrays else f"0 AS {_ident(c)}"
                        for c in carried
                    ),
                ]
            )
            select_fields = ", ".join(
                f"{_ident(k)}" if k in batch.fields else f"NULL AS {_ident(k)}"
                for k in field_keys
            )
            normalized = ", ".join(p for p in ("time", select_tags, select_fields) if p)
            group = ", ".join(_ident(k) for k in ["time", *batch.tags])
            distinct = con.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT {group} FROM influxpy_batch)"
            ).fetchone()
            duplicated = not distinct or distinct[0] != batch.count
            if duplicated:
                # Duplicate points inside the batch: later values win per field.
                merged = ", ".join(
                    f"arg_max({_ident(k)}, influxpy_row) FILTER "
                    f"(WHERE {_ident(k)} IS NOT NULL) AS {_ident(k)}"
                    for k in field_keys
                )
                group = ", ".join(_ident(k) for k in [*key_cols, *carried])
                source = (
                    f"(SELECT {group}, {merged} FROM (SELECT {normalized}, "
                    f"row_number() OVER () AS influxpy_row FROM influxpy_batch) "
                    f"GROUP BY {group})"
                )
            else:
                source = f"(SELECT {normalized} FROM influxpy_batch)"
            if isinstance(batch.times, list):
                low, high = min(batch.times), max(batch.times)
            else:
                low, high = int(batch.times.min()), int(batch.times.max())
            join = " AND ".join(f"t.{_ident(k)} = b.{_ident(k)}" for k in key_cols)
            hits = con.execute(
                f"SELECT count(*) FROM {target} t SEMI JOIN {source} b ON {join} "
                f"WHERE t.time BETWEEN {low} AND {high}"
            ).fetchone()
            all_cols = ", ".join(_ident(k) for k in (*key_cols, *carried, *field_keys))
            if not hits or not hits[0]:
                con.execute(
                    f"INSERT INTO {target} ({all_cols}) SELECT {all_cols} FROM {source}"
                )
                return
            coalesced = ", ".join(
                f"coalesce(b.{_ident(k)}, t.{_ident(k)}) AS {_ident(k)}"
                for k in field_keys
            )
            b_keys = ", ".join(f"b.{_ident(k)}" for k in [*key_cols, *carried])
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE influxpy_merged AS "
                f"SELECT {b_keys}, {coalesced} FROM {source} b LEFT JOIN "
                f"(SELECT * FROM {target} WHERE time BETWEEN {low} AND {high}) t "
                f"ON {join}"
            )
            con.execute(f"DELETE FROM {target} t USING influxpy_merged b WHERE {join}")
            con.execute(
                f"INSERT INTO {target} ({all_cols}) "
                f"SELECT {all_cols} FROM influxpy_merged"
            )
            con.execute("DROP TABLE influxpy_merged")
        finally:
            con.unregister("influxpy_batch")

    def _codes(self, tags: dict[str, Any]) -> dict[str, Any]:
        """The code of each value of the Arrow *tags* columns, as Arrow
        columns; values seen for the first time get the next codes."""
        if not tags:
            return {}
        pa = _pyarrow()
        import pyarrow.compute as pc

        encoded = {
            key: pc.dictionary_encode(
                values.combine_chunks()
                if isinstance(values, pa.ChunkedArray)
                else values
            )
            for key, values in tags.items()
        }
        seen = pc.unique(pa.concat_arrays([e.dictionary for e in encoded.values()]))
        cache = self._tag_codes
        if not all(value in cache for value in seen.to_pylist()):
            con = self._con
            con.register("influxpy_values", pa.table({"value": seen}))
            try:
                con.execute(
                    f"INSERT INTO {TAG_CODES} SELECT (SELECT max(code) FROM "
                    f"{TAG_CODES}) + row_number() OVER (ORDER BY n.value), n.value "
                    f"FROM influxpy_values AS n "
                    f"ANTI JOIN {TAG_CODES} AS c ON n.value = c.value"
                )
                known = con.execute(
                    f"SELECT c.value, c.code FROM {TAG_CODES} AS c "
                    f"SEMI JOIN influxpy_values AS n ON c.value = n.value"
                ).fetchall()
            finally:
                con.unregister("influxpy_values")
            if len(cache) > _TAG_CODE_CACHE:
                cache.clear()
            cache.update(known)
        out = {}
        for key, values in encoded.items():
            codes = pa.array(
                [cache[v] for v in values.dictionary.to_pylist()], pa.int32()
            )
            out[key] = pc.take(codes, values.indices)
        return out

    def _batch_from_objects(
        self, model: type[InfluxMeasurement], objs: Sequence[InfluxMeasurement]
    ) -> _Batch:
        meta = model._meta
        batch = _Batch(meta.measurement, len(objs))
        dicts = [o.__dict__ for o in objs]
        times: list[Any] = [d.get("time") for d in dicts]
        if None in times:
            times = [_time.time_ns() if t is None else t for t in times]
        if set(map(type, times)) != {int} or not (
            min(times) >= MIN_TIME_NS and max(times) <= MAX_TIME_NS
        ):
            for t in times:
                if t.__class__ is not int or not MIN_TIME_NS <= t <= MAX_TIME_NS:
                    meta.time_field.to_python(t)  # raises a FieldError naming time
        batch.times = times
        for field in meta.tags:
            values = [d.get(field.name) for d in dicts]
            if not field.null and (None in values or "" in values):
                bad = next(v for v in values if v is None or v == "")
                msg = (
                    f"Cannot write measurement {meta.measurement!r}: the tag "
                    f"{field.name!r} is required and was {bad!r}; give it a value "
                    "or declare it InfluxTag(null=True)."
                )
                raise FieldError(msg, field=field.name)
            if any(v is not None and v.__class__ is not str for v in values):
                for v in values:
                    if v is not None:
                        field.to_python(v)
            clean = ["" if v is None else v for v in values]
            if not any(clean):
                # Like the line protocol, a tag nobody gives is not written.
                continue
            _check_tag_values(meta.measurement, field.db_name, clean)
            batch.tags[field.db_name] = clean
        present = [False] * len(objs)
        for field in meta.values:
            values = [d.get(field.name) for d in dicts]
            if all(v is None for v in values):
                continue
            values = _clean_values(field, values)
            kind: str = field.kind
            if kind == "any":
                kind, values = _first_type(batch, field.db_name, values)
            batch.fields[field.db_name] = (kind, values)
            if None not in values:
                present = [True] * len(objs)
                continue
            for index, value in enumerate(values):
                if value is not None:
                    present[index] = True
        if not all(present):
            index = present.index(False)
            names = ", ".join(repr(f.name) for f in meta.values)
            msg = (
                f"Cannot write the point of measurement {meta.measurement!r}: a "
                f"point needs at least one field value that is not None ({names}) "
                f"(got {objs[index]!r})."
            )
            raise LineProtocolError(
                msg, measurement=meta.measurement, value=objs[index]
            )
        _check_tag_sets(batch)
        return batch

    def write(
        self,
        model: type[InfluxMeasurement],
        objs: Iterable[InfluxMeasurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write model instances batch by batch; return how many were stored."""
        batches = (self._batch_from_objects(model, c) for c in chunks(objs, batch_size))
        return self._ingest_all(database, retention_policy, batches)

    def _ingest_all(
        self,
        database: str | None,
        retention_policy: str | None,
        batches: Iterable[_Batch],
    ) -> int:
        """Store batches one transaction each; return the points stored.

        A type conflict says how many points earlier batches stored.
        """
        db = self.resolve_database(database)
        rp = retention_policy or self.default_retention_policy(db)
        written = 0
        try:
            for batch in batches:
                written += self._ingest(db, rp, batch)
        except FieldTypeConflictError as exc:
            exc.written = written
            raise
        return written

    def write_frame(
        self,
        model: type[InfluxMeasurement],
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
        batches = (self._batch_from_columns(model, *piece) for piece in pieces)
        return self._ingest_all(database, retention_policy, batches)

    def _batch_from_columns(
        self,
        model: type[InfluxMeasurement],
        times: Any,
        tags: dict[str, Any],
        fields: dict[str, tuple[str, Any]],
    ) -> _Batch:
        """A batch of a frame's columns: lists, or arrays already checked."""
        import numpy as np

        meta = model._meta
        batch = _Batch(meta.measurement, len(times))
        batch.times = times
        for field in meta.tags:
            values = tags.get(field.db_name)
            if values is None:
                continue
            if not isinstance(values, list):
                batch.tags[field.db_name] = values
                continue
            clean = ["" if v is None else str(v) for v in values]
            _check_tag_values(meta.measurement, field.db_name, clean)
            batch.tags[field.db_name] = clean
        present = np.zeros(len(times), dtype=bool)
        declared = {f.db_name: f.kind for f in meta.values}
        for key, (kind, values) in fields.items():
            if not isinstance(values, list):
                # A typed array: one type, nulls for "no value".
                if values.null_count == len(values):
                    continue
                batch.fields[key] = (kind, values)
                present |= values.is_valid().to_numpy(zero_copy_only=False)
                continue
            if all(v is None for v in values):
                continue
            if declared.get(key) == "any":
                kind, values = _first_type(batch, key, values)
            batch.fields[key] = (kind, values)
            present |= np.fromiter(
                (v is not None for v in values), dtype=bool, count=len(values)
            )
        if not present.all():
            index = int(np.argmin(present))
            msg = (
                f"Cannot write the point of measurement {meta.measurement!r} at "
                f"{times[index]}: a point needs at least one field value."
            )
            raise LineProtocolError(msg, measurement=meta.measurement)
        _check_tag_sets(batch)
        return batch

    def write_lines(
        self,
        lines: Iterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Parse and write line-protocol lines; return how many were stored."""
        db = self.resolve_database(database)
        rp = retention_policy or self.default_retention_policy(db)
        written = 0
        for chunk in chunks(lines, batch_size):
            by_measurement: dict[str, list[tuple[Any, ...]]] = {}
            for line in chunk:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                measurement, tags, fields, stamp = parse_line(line.strip())
                by_measurement.setdefault(measurement, []).append((tags, fields, stamp))
            for measurement, points in by_measurement.items():
                written += self._ingest(db, rp, _batch_from_points(measurement, points))
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
        meta = dict(compiled.meta)
        action = meta.get("action", "select")
        if action == "empty":
            return
        if action != "select":
            self._writable("run INTO or DELETE")
        if action == "into":
            # The server's answer to SELECT … INTO: one row at time 0.
            written = self._run_into(compiled, self.resolve_database(database))
            yield Series("result", {}, ["time", "written"], [[0, written]])
            return
        if action != "select":
            with self._lock:
                self._con.execute(compiled.text, dict(compiled.params))
            return
        cursor = self._con.cursor()
        try:
            n_groups = len(meta["group_keys"])
            name = meta["measurement"]
            columns = ["time", *meta["columns"]]
            group_keys = meta["group_keys"]
            current_key: tuple[Any, ...] | None = None
            values: list[list[Any]] = []

            def piece(partial: bool) -> Series:
                assert current_key is not None
                tags = dict(zip(group_keys, current_key, strict=True))
                return Series(name, tags, columns, values, partial=partial)

            # Like the server's chunked responses: each series is cut into
            # pieces of chunk_size rows, all but its last marked partial.
            size = max(chunk_size or 0, 100_000)
            for batch in _column_batches(cursor, compiled, size):
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
            cursor.close()

    def _run_into(self, compiled: Compiled, database: str) -> int:
        """Write the rows of a ``SELECT … INTO``; return how many were written.

        Each row with a value becomes a point: the group tags are its tags
        (absent when ''), the columns with a value its fields. Like the
        server, a missing database is always an error, a missing retention
        policy only when there is something to write.
        """
        meta = compiled.meta
        db = meta["database"] or database
        if db not in self.list_databases():
            from influxpy.exceptions import DatabaseNotFoundError

            msg = (
                f"The database {db!r} does not exist on the embedded engine, so "
                f"INTO cannot write there; create it with create_database({db!r})."
            )
            raise DatabaseNotFoundError(msg)
        if not compiled.text:
            return 0
        duckdb = _duckdb()
        try:
            rows = (
                self._con.cursor()
                .execute(compiled.text, dict(compiled.params))
                .fetchall()
            )
        except duckdb.Error as exc:
            msg = f"The embedded engine failed to run the query: {exc}"
            raise ProgrammingError(msg) from None
        group_keys: list[str] = list(meta["group_keys"])
        n = len(group_keys)
        rows = [r for r in rows if any(v is not None for v in r[n + 1 :])]
        if not rows:
            return 0
        rp = meta["retention_policy"] or self.default_retention_policy(db)
        if all(p["name"] != rp for p in self.retention_policies(db)):
            msg = (
                f"The retention policy {rp!r} does not exist on database {db!r} "
                "(retention policy not found), so INTO cannot write there."
            )
            raise ProgrammingError(msg)
        batch = _Batch(meta["measurement"], len(rows))
        batch.times = [int(r[n]) for r in rows]
        for index, key in enumerate(group_keys):
            values = [r[index] or "" for r in rows]
            if any(values):
                batch.tags[key] = values
        for index, (name, kind) in enumerate(
            zip(meta["columns"], meta["kinds"], strict=True)
        ):
            values = [r[n + 1 + index] for r in rows]
            if kind is not None and any(v is not None for v in values):
                batch.fields[name] = (kind, values)
        return self._ingest(db, rp, batch)

    # -- administration ------------------------------------------------------

    def ping(self) -> str:
        """Return the DuckDB version the engine runs on."""
        version = self._con.execute("SELECT version()").fetchone()
        return f"duckdb {version[0] if version else '?'}"

    def create_database(self, name: str | None = None) -> None:
        """Create a database (a DuckDB schema); existing ones are kept."""
        self._writable("create a database")
        with self._lock:
            self._ensure_database(self.resolve_database(name))

    def drop_database(self, name: str | None = None) -> None:
        """Drop a database and all its measurements."""
        self._writable("drop a database")
        db = self.resolve_database(name)
        with self._lock:
            self._con.execute(f"DROP SCHEMA IF EXISTS {_ident(db)} CASCADE")
            self._con.execute(
                "DELETE FROM main.influxpy_catalog WHERE database = ?", [db]
            )
            self._con.execute(
                "DELETE FROM main.influxpy_databases WHERE name = ?", [db]
            )
            for key in [k for k in self._catalog if k[0] == db]:
                del self._catalog[key]
            self._default_policies.pop(db, None)

    def list_databases(self) -> list[str]:
        """Return the names of the databases."""
        rows = self._con.execute(
            "SELECT name FROM main.influxpy_databases ORDER BY name"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        """Close the DuckDB connection (flushing a file database)."""
        with self._lock:
            self._con.close()

    @staticmethod
    def _register_functions(con: Any, *, read_only: bool = False) -> None:
        from influxpy.compilers.duckdb import register_functions

        register_functions(con, read_only=read_only)

    # -- schema and introspection (used by influxpy.schema and
    # influxpy.introspection; InfluxDB answers these with SHOW, DROP and
    # retention-policy statements) --------------------------------------------

    def _tables_of(
        self, database: str, measurement: str | None = None
    ) -> list[tuple[str, str, dict[str, ColumnInfo]]]:
        return [
            (rp, m, columns)
            for (db, rp, m), columns in self._catalog.items()
            if db == database and (measurement is None or m == measurement)
        ]

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
        by_measurement: dict[str, list[tuple[str, dict[str, ColumnInfo]]]] = {}
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

    def _policies_table(self, database: str) -> str:
        # Inside the database's schema, so dropping the database drops it
        # too; measurement tables are named "rp.measurement" and never
        # collide with it.
        return f"{_ident(database)}.influxpy_retention_policies"

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
            if database not in self.list_databases():
                from influxpy.exceptions import DatabaseNotFoundError

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
                f"FROM {self._policies_table(database)} ORDER BY position"
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
            self._store_policies(database, policies)

    def _store_policies(self, database: str, policies: list[dict[str, Any]]) -> None:
        self._default_policies.pop(database, None)
        table = self._policies_table(database)
        self._con.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (name VARCHAR, duration BIGINT, "
            "shard_duration BIGINT, replication INTEGER, is_default BOOLEAN, "
            "position INTEGER)"
        )
        self._con.execute(f"DELETE FROM {table}")
        for position, p in enumerate(policies):
            self._con.execute(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)",
                [
                    p["name"],
                    p["duration"],
                    p["shard_duration"],
                    p["replication"],
                    p["default"],
                    position,
                ],
            )

    def _drop_tables(self, keys: list[tuple[str, str, str]]) -> None:
        for db, rp, measurement in keys:
            self._con.execute(
                f"DROP TABLE IF EXISTS {self._table(db, rp, measurement)}"
            )
            self._con.execute(
                "DELETE FROM main.influxpy_catalog WHERE database = ? AND "
                "retention_policy = ? AND measurement = ?",
                [db, rp, measurement],
            )
            self._catalog.pop((db, rp, measurement), None)

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
            if any(p["name"] == name for p in current):
                self._store_policies(
                    database, [p for p in current if p["name"] != name]
                )
            self._drop_tables([k for k in self._catalog if k[:2] == (database, name)])

    def drop_measurement(self, database: str, measurement: str) -> None:
        """Drop *measurement* in every retention policy (idempotent)."""
        self._writable("drop a measurement")
        with self._lock:
            self._drop_tables(
                [k for k in self._catalog if k[0] == database and k[2] == measurement]
            )

    def drop_series(self, database: str, measurement: str, where: Any) -> None:
        """Delete the points of the series matching *where* in every policy.

        *where* holds tag conditions only, as ``DROP SERIES`` allows.
        """
        self._writable("drop series")
        from influxpy.query import Delete, Source

        with self._lock:
            for rp, m, _columns in self._tables_of(database, measurement):
                statement = Delete(Source(m, None, rp), where)
                compiled = statement.compile(self.get_compiler(database))
                list(self.execute(compiled, database=database))


def _check_tag_values(measurement: str, key: str, values: list[str]) -> None:
    """Refuse tag values the line protocol refuses (``check_tag_value``).

    Only a value with a backslash or a character outside printable ASCII
    can be refused; each distinct value is looked at once.
    """
    for value in set(values):
        if value and ("\\" in value or not (value.isascii() and value.isprintable())):
            check_tag_value(measurement, key, value)


def _has_backslash_space(values: Any) -> bool:
    """Whether a tag column (a list or an Arrow array) holds a backslash-space."""
    pa = _pyarrow()
    if isinstance(values, pa.Array | pa.ChunkedArray):
        import pyarrow.compute as pc

        return bool(pc.any(pc.match_substring(values, "\\ ")).as_py())
    # Values cannot hold a NUL (refused), so joining cannot make a match.
    return "\\ " in "\x00".join(map(str, filter(None, values)))


def _check_tag_sets(batch: _Batch) -> None:
    """Refuse what the line protocol refuses across a whole tag set.

    InfluxDB misreads a backslash-space in one tag followed by a
    backslash-equals and a double quote in later tags or the field keys
    (``check_tag_set``); the engine refuses the same points. Only a batch
    with a backslash-space in some tag is checked row by row.
    """
    if not any(_has_backslash_space(values) for values in batch.tags.values()):
        return
    pa = _pyarrow()
    columns = {
        key: values.to_pylist()
        if isinstance(values, pa.Array | pa.ChunkedArray)
        else list(values)
        for key, values in batch.tags.items()
    }
    keys = sorted(columns)
    field_keys = list(batch.fields)
    for row in range(batch.count):
        pairs = [(k, str(columns[k][row])) for k in keys if columns[k][row]]
        check_tag_set(batch.measurement, pairs, field_keys)


def _clean_values(field: Any, values: list[Any]) -> list[Any]:
    """Validate values like the line-protocol encoder does."""
    kind = field.kind
    expected = {"float": float, "integer": int, "boolean": bool, "string": str}.get(
        kind
    )
    if expected is not None and set(map(type, values)) <= {expected, type(None)}:
        # All of the field's type (or None): only a float can be refused (NaN
        # and infinities), found here without a loop in Python.
        present = [v for v in values if v is not None] if None in values else values
        if expected is not float or not present:
            return values
        try:
            if math.isfinite(math.fsum(present)):
                return values
        except OverflowError:  # finite values whose sum overflows
            pass
    out = values
    for index, value in enumerate(values):
        if value is None:
            continue
        cls = value.__class__
        if cls is expected or (kind == "any" and cls in (float, bool, str)):
            if cls is float and not math.isfinite(value):
                field.to_python(value)
            continue
        if out is values:
            out = list(values)
        out[index] = field.to_python(value)
    return out


def _arrow_column(pa: Any, values: Any, kind: Any) -> Any:
    """A batch column as an Arrow array of *kind*."""
    if isinstance(values, list):
        return pa.array(values, kind)
    if isinstance(values, pa.Array):
        return values if values.type == kind else values.cast(kind)
    return pa.array(values, kind)


def _first_type(batch: _Batch, key: str, values: list[Any]) -> tuple[str, list[Any]]:
    """Keep an untyped field's values of the first type seen in the batch.

    Points giving it another type are refused, as InfluxDB refuses them
    inside one batch (the first type wins).
    """
    first = next(v for v in values if v is not None)
    kind = _PY_KIND[type(first)]
    refused = [v is not None and _PY_KIND[type(v)] != kind for v in values]
    if any(refused):
        other = next(
            _PY_KIND[type(v)] for v, r in zip(values, refused, strict=True) if r
        )
        batch.mixed.append((key, other, refused))
        values = [None if r else v for v, r in zip(values, refused, strict=True)]
    return kind, values


def _batch_from_points(
    measurement: str, points: list[tuple[dict[str, str], dict[str, Any], int | None]]
) -> _Batch:
    batch = _Batch(measurement, len(points))
    tag_keys: dict[str, None] = {}
    field_kinds: dict[str, str] = {}
    for tags, fields, _stamp in points:
        for key in tags:
            tag_keys.setdefault(key, None)
        for key, value in fields.items():
            field_kinds.setdefault(key, _PY_KIND[type(value)])
    for key in list(tag_keys) + list(field_kinds):
        if key in RESERVED_KEYS:
            msg = (
                f"Cannot write {key!r} of measurement {measurement!r}: it is reserved."
            )
            raise LineProtocolError(msg, measurement=measurement, key=key)
    now = _time.time_ns()
    batch.times = [now if stamp is None else stamp for _t, _f, stamp in points]
    for key in tag_keys:
        batch.tags[key] = [tags.get(key, "") for tags, _f, _s in points]
    for key in field_kinds:
        values = [fields.get(key) for _t, fields, _s in points]
        # The first type wins; points giving another are refused, not altered.
        batch.fields[key] = _first_type(batch, key, values)
    return batch
