"""One HTTP exchange of ``influxpy serve``: the request as the handlers
read it, the refusal they raise, and the ASGI calls that answer.

influxd's own spellings live here: which parameters a form body carries
(Go's ``FormValue``, in ``forms``), how the ``Accept`` header picks a format, how the
``X-Influxdb-Error`` header is cut, and how a request's id is chosen.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from influxpy.server.forms import first_values, read_form

__all__ = [
    "CSV",
    "JSON",
    "MSGPACK",
    "Disconnected",
    "Message",
    "Receive",
    "Refusal",
    "Request",
    "Scope",
    "Send",
    "error_header",
    "first_values",
    "raw_headers",
    "request_id",
    "respond",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

JSON = "application/json"
CSV = "text/csv"
MSGPACK = "application/x-msgpack"


class Refusal(Exception):
    """An HTTP error answer: status, InfluxDB's text and extra headers."""

    def __init__(
        self, status: int, text: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.headers = dict(headers or {})


class Disconnected(Exception):
    """The client left before its request body ended."""


class Request:
    """What a handler needs of one HTTP request."""

    def __init__(
        self, scope: Scope, body: bytes, receive: Receive | None = None
    ) -> None:
        #: The ASGI channel, read after the body for the client leaving.
        self.receive = receive
        self.method: str = scope["method"]
        #: The client's address, if the server knows it.
        client = scope.get("client")
        self.client: str | None = str(client[0]) if client else None
        self.path: str = scope["path"]
        self.headers = {
            k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope.get("headers", [])
        }
        query = scope.get("query_string", b"").decode("utf-8", "replace")
        #: The URL's parameters (the only ones ``/write`` and credentials read).
        self.url_params = first_values(query)
        self.body = body
        #: What ``/query`` reads (Go's ``FormValue``): the URL's parameters
        #: and a form body's, and a form's uploaded files.
        self.params = dict(self.url_params)
        self.files: dict[str, bytes] = {}
        if self.path == "/query":
            form = read_form(
                self.method, self.headers.get("content-type", ""), body, self.url_params
            )
            self.params, self.files = form.values, form.files

    def format(self) -> str:
        """The response type the ``Accept`` header asks for (JSON unless
        exactly one of the other two is named)."""
        accept = self.headers.get("accept", "").strip()
        if accept in ("application/csv", "text/csv"):
            return CSV
        if accept == MSGPACK:
            return MSGPACK
        return JSON


def request_id(scope: Scope) -> str:
    """The request's id as influxd picks it: the client's ``X-Request-Id``,
    else its ``Request-Id``, else a new version 1 UUID."""
    headers = dict(scope.get("headers", []))
    for name in (b"x-request-id", b"request-id"):
        given = headers.get(name)
        if given:
            return str(given.decode("latin-1"))
    return str(uuid.uuid1())


#: The most bytes of an error influxd puts in ``X-Influxdb-Error``.
_ERROR_HEADER_BYTES = 1024
#: Bytes no header value may hold: Go's net/http writes CR and LF as
#: spaces; the other control characters, which influxd sends raw (an
#: invalid header), are written as spaces too.
_CONTROLS = bytes([*range(0x09), *range(0x0A, 0x20), 0x7F])
_HEADER_SPACES = bytes.maketrans(_CONTROLS, b" " * len(_CONTROLS))


def error_header(text: str) -> str:
    """The ``X-Influxdb-Error`` value of an error *text*, as influxd sends
    it: the first 1,024 bytes of its UTF-8, line breaks as spaces (the
    value is given as a Latin-1 text of those bytes, which ``_raw``
    encodes back)."""
    data = text.encode("utf-8", "replace")[:_ERROR_HEADER_BYTES]
    return data.translate(_HEADER_SPACES).decode("latin-1")


def raw_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def respond(
    send: Send, status: int, headers: Mapping[str, str], body: bytes = b""
) -> None:
    """Send a whole response."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": raw_headers(headers),
        }
    )
    await send({"type": "http.response.body", "body": body})
