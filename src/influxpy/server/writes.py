"""``POST /write``: a request body into the engine, answered as InfluxDB 1.6.7.

The body is decompressed (``Content-Encoding: gzip``) and handed whole to
the engine's ``write_line_protocol`` with the request's ``db``, ``rp`` and
``precision``: it reads the lines, stores the good points and raises
``PartialWriteError`` carrying the server's text (``unable to parse
'<line>': <why>``, ``partial write: … dropped=N``) for the others. This
module turns that into the HTTP answer: 204, or a status and InfluxDB's
error text.
"""

from __future__ import annotations

import dataclasses
import gzip
import zlib
from typing import TYPE_CHECKING, Any, Protocol, cast

from influxpy.exceptions import (
    DatabaseNotFoundError,
    PartialWriteError,
    RetentionPolicyNotFoundError,
)

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = [
    "BodyError",
    "LineProtocolStore",
    "WriteAnswer",
    "decode_body",
    "write_body",
]


class LineProtocolStore(Protocol):
    """A backend that writes a whole ``/write`` body (the embedded engine)."""

    def write_line_protocol(
        self,
        body: bytes | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        precision: str | None = None,
    ) -> Any:
        """Store *body*'s points; raise ``PartialWriteError`` for the others."""


@dataclasses.dataclass(frozen=True)
class WriteAnswer:
    """The HTTP answer to a write: 204, or a status and InfluxDB's error text."""

    status: int = 204
    error: str | None = None


class BodyError(ValueError):
    """A request body that cannot be decompressed."""


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    """The raw line protocol of a body sent with *content_encoding*."""
    if content_encoding and content_encoding.strip().lower() == "gzip":
        try:
            return gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            text = "unexpected EOF" if isinstance(exc, EOFError) else str(exc)
            raise BodyError(text) from None
    return body


def write_body(
    backend: Backend,
    body: bytes,
    *,
    database: str,
    retention_policy: str | None = None,
    precision: str | None = None,
) -> WriteAnswer:
    """Store a ``/write`` body in *database*; answer as InfluxDB does."""
    if database not in backend.list_databases():
        return WriteAnswer(404, f'database not found: "{database}"')
    if retention_policy:
        try:
            policies = backend.introspection(database).retention_policies()
            names = [policy.name for policy in policies]
        except DatabaseNotFoundError:
            names = []
        if retention_policy not in names:
            text = RetentionPolicyNotFoundError.server_text(retention_policy)
            return WriteAnswer(500, text)
    store = cast("LineProtocolStore", backend)
    try:
        store.write_line_protocol(
            body,
            database=database,
            retention_policy=retention_policy,
            precision=precision,
        )
    except DatabaseNotFoundError:
        # Dropped since the check above.
        return WriteAnswer(404, f'database not found: "{database}"')
    except PartialWriteError as exc:
        return WriteAnswer(400, exc.reason or str(exc))
    except RetentionPolicyNotFoundError as exc:
        # The default policy was dropped (or a named one since the check).
        return WriteAnswer(500, exc.reason)
    return WriteAnswer()
