"""Statements other than SELECT, described without any query language.

InfluxQL text is parsed into these (and into ``query.Query`` for SELECT and
``query.Delete`` for DELETE); a backend runs them. Like ``Query`` they are
frozen dataclasses of plain values and expression nodes: no InfluxQL or SQL
text. ``Statement`` is the union a parser returns for one statement.

Sources named in ``FROM`` are ``query.Source`` values; one with
``regex=True`` holds a regular expression matched against measurement names.
WHERE clauses are the same ``WhereNode`` trees a QuerySet builds.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, TypeAlias

from influxpy.durations import Duration
from influxpy.expressions import WhereNode
from influxpy.query import Delete, Query, Source
from influxpy.retention import RetentionPolicy

__all__ = [
    "AlterRetentionPolicy",
    "CreateContinuousQuery",
    "CreateDatabase",
    "CreateRetentionPolicy",
    "CreateSubscription",
    "CreateUser",
    "DropContinuousQuery",
    "DropDatabase",
    "DropMeasurement",
    "DropRetentionPolicy",
    "DropSeries",
    "DropShard",
    "DropSubscription",
    "DropUser",
    "Explain",
    "Grant",
    "Invalid",
    "KeyMatch",
    "KillQuery",
    "SetPassword",
    "ShowCardinality",
    "ShowContinuousQueries",
    "ShowDatabases",
    "ShowDiagnostics",
    "ShowFieldKeys",
    "ShowGrants",
    "ShowMeasurements",
    "ShowQueries",
    "ShowRetentionPolicies",
    "ShowSeries",
    "ShowShardGroups",
    "ShowShards",
    "ShowStats",
    "ShowSubscriptions",
    "ShowTagKeys",
    "ShowTagValues",
    "ShowUsers",
    "Statement",
]


@dataclasses.dataclass(frozen=True)
class KeyMatch:
    """How a name is matched: ``op`` is ``=``, ``!=``, ``=~``, ``!~`` or ``IN``.

    ``values`` holds one name (or one regular expression for ``=~``/``!~``)
    or, for ``IN``, every listed name.
    """

    op: str
    values: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ShowDatabases:
    """``SHOW DATABASES``."""

    visit_name: ClassVar[str] = "show_databases"


@dataclasses.dataclass(frozen=True)
class ShowMeasurements:
    """``SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT …] [WHERE …] [LIMIT] [OFFSET]``."""

    database: str | None = None
    measurement: KeyMatch | None = None
    where: WhereNode | None = None
    limit: int | None = None
    offset: int | None = None
    #: The error a condition read from text gets when the statement runs
    #: (influxd's index refuses it then, and runs the next statements).
    refusal: str | None = None
    visit_name: ClassVar[str] = "show_measurements"


@dataclasses.dataclass(frozen=True)
class ShowTagKeys:
    """``SHOW TAG KEYS [ON db] [FROM …] [WHERE …] [LIMIT] [OFFSET]``."""

    database: str | None = None
    sources: tuple[Source, ...] = ()
    where: WhereNode | None = None
    limit: int | None = None
    offset: int | None = None
    series_limit: int | None = None
    series_offset: int | None = None
    visit_name: ClassVar[str] = "show_tag_keys"


@dataclasses.dataclass(frozen=True)
class ShowTagValues:
    """``SHOW TAG VALUES [ON db] [FROM …] WITH KEY … [WHERE …] [LIMIT] [OFFSET]``."""

    key: KeyMatch
    database: str | None = None
    sources: tuple[Source, ...] = ()
    where: WhereNode | None = None
    limit: int | None = None
    offset: int | None = None
    visit_name: ClassVar[str] = "show_tag_values"


@dataclasses.dataclass(frozen=True)
class ShowFieldKeys:
    """``SHOW FIELD KEYS [ON db] [FROM …] [LIMIT] [OFFSET]``."""

    database: str | None = None
    sources: tuple[Source, ...] = ()
    limit: int | None = None
    offset: int | None = None
    visit_name: ClassVar[str] = "show_field_keys"


@dataclasses.dataclass(frozen=True)
class ShowSeries:
    """``SHOW SERIES [ON db] [FROM …] [WHERE …] [LIMIT] [OFFSET]``."""

    database: str | None = None
    sources: tuple[Source, ...] = ()
    where: WhereNode | None = None
    limit: int | None = None
    offset: int | None = None
    visit_name: ClassVar[str] = "show_series"


@dataclasses.dataclass(frozen=True)
class ShowRetentionPolicies:
    """``SHOW RETENTION POLICIES [ON db]``."""

    database: str | None = None
    visit_name: ClassVar[str] = "show_retention_policies"


@dataclasses.dataclass(frozen=True)
class ShowContinuousQueries:
    """``SHOW CONTINUOUS QUERIES``."""

    visit_name: ClassVar[str] = "show_continuous_queries"


@dataclasses.dataclass(frozen=True)
class ShowCardinality:
    """``SHOW <what> [EXACT] CARDINALITY [ON db] [FROM …] [WITH KEY …] [WHERE …]
    [LIMIT] [OFFSET]``.

    ``what`` is ``series``, ``measurement``, ``tag key``, ``field key`` or
    ``tag values`` (which alone has ``key``). ``exact`` is set for the
    ``EXACT`` form and, as influxd decides, for the forms it never
    estimates (all but ``series`` and ``measurement``) and for an estimate
    with a ``FROM``, ``WHERE``, ``LIMIT`` or ``OFFSET``.
    """

    what: str
    exact: bool = False
    database: str | None = None
    sources: tuple[Source, ...] = ()
    key: KeyMatch | None = None
    where: WhereNode | None = None
    limit: int | None = None
    offset: int | None = None
    visit_name: ClassVar[str] = "show_cardinality"


@dataclasses.dataclass(frozen=True)
class ShowShards:
    """``SHOW SHARDS``."""

    visit_name: ClassVar[str] = "show_shards"


@dataclasses.dataclass(frozen=True)
class ShowShardGroups:
    """``SHOW SHARD GROUPS``."""

    visit_name: ClassVar[str] = "show_shard_groups"


@dataclasses.dataclass(frozen=True)
class ShowUsers:
    """``SHOW USERS``."""

    visit_name: ClassVar[str] = "show_users"


@dataclasses.dataclass(frozen=True)
class ShowGrants:
    """``SHOW GRANTS FOR user``."""

    user: str
    visit_name: ClassVar[str] = "show_grants"


@dataclasses.dataclass(frozen=True)
class CreateUser:
    """``CREATE USER name WITH PASSWORD 'p' [WITH ALL PRIVILEGES]``."""

    name: str
    password: str = dataclasses.field(repr=False)
    admin: bool = False
    visit_name: ClassVar[str] = "create_user"


@dataclasses.dataclass(frozen=True)
class DropUser:
    """``DROP USER name``."""

    name: str
    visit_name: ClassVar[str] = "drop_user"


@dataclasses.dataclass(frozen=True)
class SetPassword:
    """``SET PASSWORD FOR name = 'p'``."""

    name: str
    password: str = dataclasses.field(repr=False)
    visit_name: ClassVar[str] = "set_password"


@dataclasses.dataclass(frozen=True)
class Grant:
    """``GRANT READ|WRITE|ALL ON db TO user``, or ``GRANT ALL TO user`` (the
    admin privilege) when ``database`` is None; ``revoke`` for ``REVOKE …
    FROM user``."""

    user: str
    privilege: str
    database: str | None = None
    revoke: bool = False
    visit_name: ClassVar[str] = "grant"


@dataclasses.dataclass(frozen=True)
class ShowDiagnostics:
    """``SHOW DIAGNOSTICS [FOR 'module']``: the server's build and
    configuration (one module's only, with ``FOR``)."""

    module: str | None = None
    visit_name: ClassVar[str] = "show_diagnostics"


@dataclasses.dataclass(frozen=True)
class ShowStats:
    """``SHOW STATS [FOR 'module']``: the server's runtime statistics."""

    module: str | None = None
    visit_name: ClassVar[str] = "show_stats"


@dataclasses.dataclass(frozen=True)
class ShowQueries:
    """``SHOW QUERIES``: the statements the server is running."""

    visit_name: ClassVar[str] = "show_queries"


@dataclasses.dataclass(frozen=True)
class ShowSubscriptions:
    """``SHOW SUBSCRIPTIONS``: the server's subscriptions, per database."""

    visit_name: ClassVar[str] = "show_subscriptions"


@dataclasses.dataclass(frozen=True)
class CreateSubscription:
    """``CREATE SUBSCRIPTION name ON db.rp DESTINATIONS ALL|ANY 'url', …``."""

    name: str
    database: str
    retention_policy: str
    mode: str
    destinations: tuple[str, ...]
    visit_name: ClassVar[str] = "create_subscription"


@dataclasses.dataclass(frozen=True)
class DropSubscription:
    """``DROP SUBSCRIPTION name ON db.rp``."""

    name: str
    database: str
    retention_policy: str
    visit_name: ClassVar[str] = "drop_subscription"


@dataclasses.dataclass(frozen=True)
class KillQuery:
    """``KILL QUERY <qid> [ON <host>]``: stop a running query."""

    query_id: int
    host: str | None = None
    visit_name: ClassVar[str] = "kill_query"


@dataclasses.dataclass(frozen=True)
class DropShard:
    """``DROP SHARD <id>``: drop a shard and its points."""

    shard_id: int
    visit_name: ClassVar[str] = "drop_shard"


@dataclasses.dataclass(frozen=True)
class CreateDatabase:
    """``CREATE DATABASE name [WITH …]``; ``policy`` is the ``WITH`` part."""

    name: str
    policy: RetentionPolicy | None = None
    visit_name: ClassVar[str] = "create_database"


@dataclasses.dataclass(frozen=True)
class DropDatabase:
    """``DROP DATABASE name``."""

    name: str
    visit_name: ClassVar[str] = "drop_database"


@dataclasses.dataclass(frozen=True)
class CreateRetentionPolicy:
    """``CREATE RETENTION POLICY … ON db …``; ``policy.default`` is ``DEFAULT``."""

    policy: RetentionPolicy
    database: str | None = None
    visit_name: ClassVar[str] = "create_retention_policy"


@dataclasses.dataclass(frozen=True)
class AlterRetentionPolicy:
    """``ALTER RETENTION POLICY name ON db …``: only the given values change.

    ``duration`` is ``None`` when not given and ``"INF"`` for ``DURATION INF``.
    """

    name: str
    database: str | None = None
    duration: Duration | str | None = None
    replication: int | None = None
    shard_duration: Duration | None = None
    default: bool = False
    visit_name: ClassVar[str] = "alter_retention_policy"


@dataclasses.dataclass(frozen=True)
class DropRetentionPolicy:
    """``DROP RETENTION POLICY name ON db``."""

    name: str
    database: str | None = None
    visit_name: ClassVar[str] = "drop_retention_policy"


@dataclasses.dataclass(frozen=True)
class CreateContinuousQuery:
    """``CREATE CONTINUOUS QUERY name ON db [RESAMPLE …] BEGIN select END``."""

    name: str
    database: str
    query: Query
    resample_every: Duration | None = None
    resample_for: Duration | None = None
    visit_name: ClassVar[str] = "create_continuous_query"


@dataclasses.dataclass(frozen=True)
class DropContinuousQuery:
    """``DROP CONTINUOUS QUERY name ON db``."""

    name: str
    database: str
    visit_name: ClassVar[str] = "drop_continuous_query"


@dataclasses.dataclass(frozen=True)
class DropSeries:
    """``DROP SERIES [FROM …] [WHERE …]`` (tags only in WHERE)."""

    sources: tuple[Source, ...] = ()
    where: WhereNode | None = None
    visit_name: ClassVar[str] = "drop_series"


@dataclasses.dataclass(frozen=True)
class DropMeasurement:
    """``DROP MEASUREMENT name``."""

    name: str
    visit_name: ClassVar[str] = "drop_measurement"


@dataclasses.dataclass(frozen=True)
class Explain:
    """``EXPLAIN [ANALYZE] select``."""

    query: Query
    analyze: bool = False
    visit_name: ClassVar[str] = "explain"


@dataclasses.dataclass(frozen=True)
class Invalid:
    """A statement influxd parses but fails when it runs, with its *error*
    text: a retention policy shorter than one hour
    (``retention policy duration must be at least 1h0m0s``)."""

    error: str
    visit_name: ClassVar[str] = "invalid"


#: One parsed statement: a SELECT, a DELETE, or one of the classes above.
Statement: TypeAlias = (
    Query
    | Delete
    | ShowDatabases
    | ShowMeasurements
    | ShowTagKeys
    | ShowTagValues
    | ShowFieldKeys
    | ShowSeries
    | ShowRetentionPolicies
    | ShowContinuousQueries
    | ShowCardinality
    | ShowShards
    | ShowShardGroups
    | ShowUsers
    | ShowGrants
    | CreateUser
    | DropUser
    | SetPassword
    | Grant
    | ShowDiagnostics
    | ShowStats
    | ShowSubscriptions
    | CreateSubscription
    | DropSubscription
    | ShowQueries
    | KillQuery
    | DropShard
    | CreateDatabase
    | DropDatabase
    | CreateRetentionPolicy
    | AlterRetentionPolicy
    | DropRetentionPolicy
    | CreateContinuousQuery
    | DropContinuousQuery
    | DropSeries
    | DropMeasurement
    | Explain
    | Invalid
)
