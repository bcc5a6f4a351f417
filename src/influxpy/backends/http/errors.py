"""How the HTTP backend turns failures into ``influxpy.exceptions``.

Everything is mapped from a ``Failure`` (plain values: status, the server's
text, what went wrong on the wire), never from a response or an ``httpx``
error, so no error raised here holds, or is chained to, anything that
carries credentials. Errors are raised outside any ``except`` block for the
same reason: their ``__context__`` stays empty.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NoReturn

import httpx
import msgpack

from influxpy.backends.http.retry import Failure, parse_retry_after
from influxpy.exceptions import (
    AuthenticationError,
    DatabaseError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    InterfaceError,
    OperationalError,
    PartialWriteError,
    ProgrammingError,
    RetentionPolicyNotFoundError,
)
from influxpy.lineprotocol import field_types_of

if TYPE_CHECKING:
    from influxpy.backends.http.options import HTTPOptions
    from influxpy.urls import DatabaseURL

__all__ = ["MSGPACK", "HTTPErrors"]

MSGPACK = "application/x-msgpack"
_PARSE_ERROR = re.compile(r"unable to parse '(?P<line>.*)': (?P<reason>.*?)$")
_TYPE_CONFLICT = re.compile(
    r'field type conflict: input field "(?P<field>.*)" on measurement '
    r'"(?P<measurement>.*)" is type (?P<got>\w+), already exists as type '
    r"(?P<stored>\w+)"
)
_DROPPED = re.compile(r"dropped=(\d+)")
_NOT_FOUND_DB = re.compile(r'database not found: "?(?P<db>[^"]*)"?')


class HTTPErrors:
    """The error mapping of ``HTTPBackend`` (a mixin)."""

    url: DatabaseURL
    base_url: str
    options: HTTPOptions

    def _redact(self, text: str) -> str:
        return self.url.redact(text)

    # -- failures, from what an attempt left -----------------------------------

    def _transport_failure(self, error: httpx.TransportError) -> Failure:
        """Sum up a failure on the wire; *error* itself is not kept."""
        detail = self._redact(str(error)) or type(error).__name__
        timeout = isinstance(error, httpx.TimeoutException)
        return Failure(timeout=timeout, detail=detail, reason=type(error).__name__)

    def _response_failure(self, response: httpx.Response) -> Failure:
        """Sum up an error answer, whose body has been read."""
        return Failure(
            status=response.status_code,
            reason=response.reason_phrase,
            text=self._error_text(response),
            retry_after=parse_retry_after(response.headers.get("Retry-After", "")),
        )

    def _error_text(self, response: httpx.Response) -> str:
        try:
            if MSGPACK in response.headers.get("Content-Type", ""):
                body = msgpack.unpackb(response.content, raw=False)
            else:
                body = response.json()
        except (ValueError, httpx.HTTPError, msgpack.ExtraData):
            body = None
        if isinstance(body, dict):
            text = body.get("error") or body.get("message") or ""
        else:
            text = response.headers.get("X-Influxdb-Error", "") or response.text
        return self._redact(str(text).strip())

    # -- raising -----------------------------------------------------------------

    def _raise_failure(
        self,
        failure: Failure,
        attempts: int,
        *,
        database: str | None,
        lines: list[str] | None = None,
        written: int = 0,
    ) -> NoReturn:
        """Raise the influxpy exception for the last failed attempt."""
        if failure.status is None:
            self._raise_transport(failure, attempts)
        self._map_error(failure, database=database, lines=lines, written=written)

    def _raise_transport(self, failure: Failure, attempts: int) -> NoReturn:
        tries = attempts + 1
        tried = "1 attempt" if tries == 1 else f"{tries} attempts"
        if failure.timeout:
            msg = (
                f"InfluxDB at {self.base_url} did not answer within "
                f"{self.options.timeout:g}s ({tried}): {failure.detail}. Raise "
                "the connection option 'timeout' for slow queries."
            )
            raise OperationalError(msg)
        msg = (
            f"Cannot reach InfluxDB at {self.base_url} ({tried}): "
            f"{failure.detail}. Check that the server is running and the URL is "
            "right."
        )
        raise InterfaceError(msg)

    def _map_error(
        self,
        failure: Failure,
        *,
        database: str | None,
        lines: list[str] | None = None,
        written: int = 0,
    ) -> NoReturn:
        """Raise the influxpy exception matching an error answer."""
        status = failure.status
        text = failure.text
        where = f"InfluxDB at {self.base_url}"
        done = ""
        if written:
            done = f" {written} points of earlier batches were written."
        if status in (401, 403):
            user = self.url.username
            who = f" for user {user!r}" if user else ""
            hint = (
                ""
                if user or self.options.token
                else " Put credentials in the URL: influxdb://user:password@host/db."
            )
            msg = f"{where} refused the request{who} (HTTP {status}): {text}.{hint}"
            error: DatabaseError = AuthenticationError(msg)
        elif status == 404 and "database not found" in text:
            match = _NOT_FOUND_DB.search(text)
            name = match["db"] if match else (database or "")
            msg = (
                f"The database {name!r} does not exist on {where}. Create it "
                f"with influxpy.connect(...).create_database({name!r}) or the "
                f'statement CREATE DATABASE "{name}".{done}'
            )
            error = DatabaseNotFoundError(msg)
        elif status == 404 and "no dbrp mapping" in text:
            # InfluxDB 2.x: the v1 database and retention policy map to no bucket.
            name = database or ""
            msg = (
                f"The database {name!r} maps to no bucket on {where} ({text}). "
                "On InfluxDB 2.x, create a bucket and a DBRP mapping for it "
                f"(influx v1 dbrp create).{done}"
            )
            error = DatabaseNotFoundError(msg)
        elif (
            missing := RetentionPolicyNotFoundError.from_server_text(
                text,
                f"{where} has no such retention policy: {text}.{done}",
                database=database or self.url.database or None,
            )
        ) is not None:
            error = missing
        elif status == 413:
            msg = (
                f"{where} refused a request body as too large (HTTP 413); pass a "
                f"smaller batch_size.{done}"
            )
            error = OperationalError(msg)
        elif status == 400 and lines is not None:
            error = self._write_rejection(text, lines, written)
        elif status == 400:
            msg = f"{where} rejected the statement: {text}."
            error = ProgrammingError(msg)
        else:
            msg = f"{where} failed with HTTP {status}: {text or failure.reason}."
            msg += done
            error = OperationalError(msg)
        error.written = written
        raise error

    def _write_rejection(
        self, text: str, lines: list[str], written: int
    ) -> PartialWriteError:
        dropped_match = _DROPPED.search(text)
        dropped = int(dropped_match.group(1)) if dropped_match else 0
        partial = text.startswith("partial write")
        done = f" {written} points of earlier batches were written." if written else ""
        conflict = _TYPE_CONFLICT.search(text)
        if conflict or "field type conflict" in text:
            rejected: list[str] = []
            if conflict:
                rejected = [
                    line
                    for line in lines
                    if field_types_of(line, conflict["measurement"]).get(
                        conflict["field"]
                    )
                    == conflict["got"]
                ]
            else:
                rejected = list(lines)
            if conflict is None and not partial:
                msg = self._created_group_conflict(text, len(lines)) + done
            else:
                some_kept = partial and (dropped or len(rejected)) < len(lines)
                kept = (
                    "the other points were written"
                    if some_kept
                    else "no point was written"
                )
                msg = (
                    f"InfluxDB rejected {dropped or len(rejected)} of {len(lines)} "
                    f"points because of a field type conflict ({kept}): {text}.{done}"
                )
            return FieldTypeConflictError(
                msg,
                lines=rejected,
                dropped=dropped or len(rejected),
                reason=text,
                written=written,
            )
        bad = [m["line"] for m in map(_PARSE_ERROR.search, text.split("\n")) if m]
        if not bad and not partial:
            bad = list(lines)
        some_kept = partial and len(bad) + dropped < len(lines)
        kept = "the other points were written" if some_kept else "no point was written"
        msg = (
            f"InfluxDB rejected {len(bad) + dropped} of {len(lines)} points "
            f"({kept}): {text}.{done}"
        )
        return PartialWriteError(
            msg, lines=bad, dropped=dropped, reason=text, written=written
        )

    @staticmethod
    def _created_group_conflict(text: str, count: int) -> str:
        """The message for InfluxDB's bare ``field type conflict``.

        InfluxDB 1.6.7 answers it when a request's points in a shard group
        the request creates give a field two types (or, in a group that
        exists, give two fields not stored yet two types each): it refuses
        every point of the request in that group and writes those in other
        groups, and says neither which nor how many.
        """
        return (
            f"InfluxDB refused the points of a request of {count} points in a "
            f"shard group because of a field type conflict: {text}. Its points "
            "there gave a field two types; points in other shard groups were "
            "written, and InfluxDB does not say which lines were refused (the "
            "error's lines are all the request's)."
        )

    def _statement_error(self, text: str, database: str | None) -> NoReturn:
        text = self._redact(text)
        if text.startswith("database not found"):
            match = _NOT_FOUND_DB.search(text)
            name = match["db"] if match else (database or "")
            msg = (
                f"The database {name!r} does not exist on InfluxDB at "
                f"{self.base_url}. Create it with influxpy.connect(...)"
                f".create_database({name!r})."
            )
            raise DatabaseNotFoundError(msg)
        msg = f"InfluxDB at {self.base_url} rejected the query: {text}."
        if text.startswith(RetentionPolicyNotFoundError.server_text("")):
            missing = RetentionPolicyNotFoundError.from_server_text(
                text, msg, database=database or self.url.database or None
            )
            if missing is not None:
                raise missing
        raise ProgrammingError(msg)
