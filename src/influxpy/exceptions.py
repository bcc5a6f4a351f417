"""The exception hierarchy: everything influxpy raises on purpose.

```
InfluxpyError
├── ImproperlyConfigured          bad Meta, bad URL, missing optional dependency
├── FieldError (ValueError)       unknown field or lookup, a value a field cannot store
├── CompileError                  a query that cannot be expressed safely
│   └── UnsupportedCompilation    a dialect cannot express a node
├── LineProtocolError (ValueError) a point the line protocol cannot carry
├── DoesNotExist                  get() found nothing (one subclass per model)
├── MultipleObjectsReturned       get() found several (one subclass per model)
└── DatabaseError                 the store failed or refused
    ├── InterfaceError            cannot reach or open the store
    ├── OperationalError          server failure, timeout
    │   └── AuthenticationError   credentials missing, wrong or not allowed
    ├── ProgrammingError          the store rejected the statement
    │   ├── DatabaseNotFoundError the database does not exist
    │   └── RetentionPolicyNotFoundError the retention policy does not exist
    ├── NotSupportedError         the backend lacks a feature
    └── PartialWriteError         some points were rejected; carries them
        ├── FieldTypeConflictError a field was written with another type
        └── BatchWriteError       a batch writer gave up on points; carries them
```

Messages are full sentences that name the thing involved, say what is
allowed and show the value received. Credentials never appear in them.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AuthenticationError",
    "BatchWriteError",
    "CompileError",
    "DatabaseError",
    "DatabaseNotFoundError",
    "DoesNotExist",
    "FieldError",
    "FieldTypeConflictError",
    "ImproperlyConfigured",
    "InfluxQLParseError",
    "InfluxpyError",
    "InterfaceError",
    "LineProtocolError",
    "MultipleObjectsReturned",
    "NotSupportedError",
    "OperationalError",
    "PartialWriteError",
    "ProgrammingError",
    "RetentionPolicyNotFoundError",
    "UnsupportedCompilation",
]


class InfluxpyError(Exception):
    """Base class of every error influxpy raises on purpose.

    ``written`` is the number of points a bulk write (``bulk_create()``,
    ``abulk_create()``, ``write_dataframe()``, ``write_lines()``) had
    stored when this error ended it: 0 when nothing was, and for errors
    that did not come from a write.
    """

    written: int = 0


class ImproperlyConfigured(InfluxpyError):
    """The library or a model is configured in a way that cannot work."""


class FieldError(InfluxpyError, ValueError):
    """A field, lookup or value is not valid for a model.

    ``field`` names the field involved, when there is one.
    """

    def __init__(self, msg: str, *, field: str | None = None) -> None:
        super().__init__(msg)
        self.field = field


class CompileError(InfluxpyError):
    """A query cannot be compiled to a statement that answers correctly."""


class UnsupportedCompilation(CompileError):
    """A dialect cannot express one node of a query.

    ``dialect`` and ``node`` name both sides.
    """

    def __init__(self, msg: str, *, dialect: str = "", node: str = "") -> None:
        super().__init__(msg)
        self.dialect = dialect
        self.node = node


class LineProtocolError(InfluxpyError, ValueError):
    """A point cannot be written in line protocol.

    ``measurement``, ``key`` and ``value`` name what was refused.
    """

    def __init__(
        self,
        msg: str,
        *,
        measurement: str | None = None,
        key: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(msg)
        self.measurement = measurement
        self.key = key
        self.value = value


class DoesNotExist(InfluxpyError):
    """A query expected to find one point found none."""


class MultipleObjectsReturned(InfluxpyError):
    """A query expected to find one point found several."""


class DatabaseError(InfluxpyError):
    """The store failed or refused an operation.

    ``written`` is the number of points a write had already stored when it
    failed (0 when nothing was written or for queries).
    """


class InterfaceError(DatabaseError):
    """The store cannot be reached or opened."""


class OperationalError(DatabaseError):
    """The store failed while working: a server error or a timeout."""


class AuthenticationError(OperationalError):
    """The server refused the credentials, or they lack a privilege."""


class ProgrammingError(DatabaseError):
    """The store rejected the statement or the write as invalid."""


class InfluxQLParseError(ProgrammingError):
    """InfluxQL text that does not parse, with InfluxDB's message.

    The message reads as influxd's: ``error parsing query: found X,
    expected Y at line L, char C``.
    """


class DatabaseNotFoundError(ProgrammingError):
    """The database named by the connection or the model does not exist.

    ``database`` names it where known; ``reason`` is then the server's text,
    ``database not found: <database>``.
    """

    def __init__(self, msg: str, *, database: str | None = None) -> None:
        super().__init__(msg)
        self.database = database
        self.reason = None if database is None else f"database not found: {database}"


class RetentionPolicyNotFoundError(ProgrammingError):
    """A write or a query names a retention policy its database does not
    have, or names none after the database's default policy was dropped.

    ``database`` and ``policy`` name them (``database`` is None where it is
    not known, as for a statement whose source names another database);
    ``reason`` is the server's text, ``retention policy not found: <policy>``
    (``server_text()``), which InfluxDB 1.x answers with HTTP 500 to a write.
    """

    def __init__(
        self, msg: str, *, database: str | None = None, policy: str = ""
    ) -> None:
        super().__init__(msg)
        self.database = database
        self.policy = policy
        self.reason = self.server_text(policy)

    @staticmethod
    def server_text(policy: str) -> str:
        """InfluxDB's text for the missing policy *policy*."""
        return f"retention policy not found: {policy}"

    @classmethod
    def missing(
        cls, database: str, policy: str, *, named: bool
    ) -> RetentionPolicyNotFoundError:
        """The error for a policy *database* does not have: one a write or a
        query names (*named*), or its default policy, which was dropped."""
        if named:
            what = (
                f"The retention policy {policy!r} does not exist on database "
                f"{database!r}"
            )
        else:
            what = (
                f"The database {database!r} has no default retention policy: its "
                f"default {policy!r} was dropped. Name a policy, create {policy!r} "
                "again or make another policy the default"
            )
        msg = f"{what} (InfluxDB answers: {cls.server_text(policy)})."
        return cls(msg, database=database, policy=policy)

    @classmethod
    def from_server_text(
        cls, text: str, msg: str, *, database: str | None = None
    ) -> RetentionPolicyNotFoundError | None:
        """The error for a server's *text*, or None when it is not InfluxDB's
        ``retention policy not found: <policy>``."""
        prefix = cls.server_text("")
        start = text.find(prefix)
        if start < 0:
            return None
        policy = text[start + len(prefix) :].strip().rstrip(".")
        return cls(msg, database=database, policy=policy)


class NotSupportedError(DatabaseError):
    """The backend lacks a feature the operation needs."""


class PartialWriteError(DatabaseError):
    """The store rejected some points of a write and kept the others.

    ``lines`` holds the rejected line-protocol lines where they are known,
    ``dropped`` the number of points the server says it dropped, ``reason``
    the server's own text and ``written`` the points stored by earlier
    batches of the same call.
    """

    def __init__(
        self,
        msg: str,
        *,
        lines: Sequence[str] = (),
        dropped: int = 0,
        reason: str = "",
        written: int = 0,
    ) -> None:
        super().__init__(msg)
        self.lines = tuple(lines)
        self.dropped = dropped
        self.reason = reason
        self.written = written


class FieldTypeConflictError(PartialWriteError):
    """A field was written with a type other than the one already stored."""


class BatchWriteError(PartialWriteError):
    """A batch writer gave up on some of the points it had accepted.

    ``lines`` holds those points as line protocol (ready to write again or
    to keep), ``failed`` their number, ``errors`` the error of each batch
    given up on, and ``written`` the points the writer had written so far.
    """

    def __init__(
        self,
        msg: str,
        *,
        lines: Sequence[str] = (),
        failed: int = 0,
        errors: Sequence[BaseException] = (),
        written: int = 0,
    ) -> None:
        reason = str(errors[0]) if errors else ""
        super().__init__(
            msg, lines=lines, dropped=failed, reason=reason, written=written
        )
        self.failed = failed
        self.errors = tuple(errors)
