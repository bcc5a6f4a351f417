"""Form bodies of ``/query`` requests, read as Go's ``net/http`` reads them.

influxd takes each parameter with ``Request.FormValue``: a
``application/x-www-form-urlencoded`` body of a POST comes before the
URL's parameters (its values win); a ``multipart/form-data`` body (any
method) comes after them (the URL's win), its parts without a file name
giving values and those with one giving files. A statement text may come
as the file named ``q`` (``curl -F q=@queries.txt``) when no ``q`` value
is given. A body that is not a well-formed form adds nothing, as
``FormValue`` ignores the parse error.
"""

from __future__ import annotations

import email.parser
import email.policy
from email.message import Message
from urllib.parse import parse_qsl

__all__ = ["Form", "first_values", "read_form"]


def first_values(query: str) -> dict[str, str]:
    """Each parameter's first value, as Go's ``FormValue`` reads it."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, value)
    return params


class Form:
    """A request's parameters: *values* by name (first one wins) and the
    first file uploaded under each name, as bytes."""

    def __init__(
        self, values: dict[str, str], files: dict[str, bytes] | None = None
    ) -> None:
        self.values = values
        self.files = files or {}


def read_form(
    method: str, content_type: str, body: bytes, url_values: dict[str, str]
) -> Form:
    """The parameters ``FormValue`` sees for a request with *url_values*
    in its URL and *body* of *content_type*."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded" and method == "POST":
        values = first_values(body.decode("utf-8", "replace"))
        # A form body's values come first, as Go's ParseForm has it.
        for key, value in url_values.items():
            values.setdefault(key, value)
        return Form(values)
    if media == "multipart/form-data":
        return _multipart(content_type, body, url_values)
    return Form(dict(url_values))


def _multipart(content_type: str, body: bytes, url_values: dict[str, str]) -> Form:
    values = dict(url_values)
    files: dict[str, bytes] = {}
    for name, filename, data in _parts(content_type, body):
        if filename:
            files.setdefault(name, data)
        else:
            # The URL's values come first: Go appends the parts' after them.
            values.setdefault(name, data.decode("utf-8", "replace"))
    return Form(values, files)


def _parts(content_type: str, body: bytes) -> list[tuple[str, str, bytes]]:
    """Each named part of a multipart body: its name, file name and bytes."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            head + body
        )
    except (ValueError, LookupError):
        return []
    if not message.is_multipart() or message.get_boundary() is None:
        return []
    parts: list[tuple[str, str, bytes]] = []
    for part in message.get_payload():
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if part.get_content_disposition() != "form-data" or not isinstance(name, str):
            continue
        filename = part.get_param("filename", header="content-disposition")
        # Go decodes quoted-printable parts only; any other part is as sent.
        quoted = part.get("content-transfer-encoding", "").lower()
        if quoted == "quoted-printable":
            data: object = part.get_payload(decode=True)
        else:
            data = part.get_payload()
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if not isinstance(data, bytes):
            continue
        parts.append((name, filename if isinstance(filename, str) else "", data))
    return parts
