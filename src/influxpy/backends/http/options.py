"""The options of an HTTP connection, and how its credentials travel.

``HTTPOptions`` parses and checks the options of an ``influxdb://`` URL.
``credentials_auth`` makes the ``httpx`` authentication that adds the
``Authorization`` header to each request; the header's text lives in a
closure, so neither a repr nor a walk through the client's attributes (as
error trackers and rich tracebacks do with the locals of each frame) finds
it. ``_SCRUBBER`` hides a password sent as a query parameter
(``auth=query``) in ``httpx``'s request log lines.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import ssl
from collections.abc import Callable, Generator, Mapping
from typing import Any

import httpx

from influxpy._utils import suggest
from influxpy.exceptions import ImproperlyConfigured

__all__ = ["HTTPOptions", "credentials_auth", "query_auth", "scrub_logs"]


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    msg = f"The connection option {name!r} takes true or false; got {value!r}."
    raise ImproperlyConfigured(msg)


def _parse_number(name: str, value: str, kind: type, minimum: float) -> Any:
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        what = "a whole number" if kind is int else "a number"
        msg = (
            f"The connection option {name!r} takes {what} of at least "
            f"{minimum:g}; got {value!r}."
        )
        raise ImproperlyConfigured(msg)
    return number


@dataclasses.dataclass(frozen=True)
class HTTPOptions:
    """Options of an HTTP connection, from the URL's query string or keywords.

    ``timeout`` is the seconds each request may take. Connection errors,
    timeouts, 5xx and 429 are retried with exponential backoff and full
    jitter (or after the server's ``Retry-After``, in seconds or as an HTTP
    date) until ``retry_timeout`` seconds have passed since the first
    attempt: no attempt starts after that. ``retries``, when given, also
    caps the number of extra attempts (``retries=0``: one attempt only);
    by default (None) only the time bound ends the retries. A
    ``Retry-After`` longer than the time left is not waited for: the error
    is raised at once.

    ``gzip`` compresses write bodies (``auto``, the default, compresses
    unless the server is on a loopback address, where compressing only
    costs CPU); ``rp`` is the default retention policy; ``token`` sends
    ``Authorization: Token …`` (2.x, 3.x, 1.8+); ``chunk_size`` rows per
    chunk when streaming; ``verify`` checks TLS certificates (``false`` or
    a CA bundle path). ``auth`` says how a user name and password travel:
    ``basic`` (the default) in an ``Authorization: Basic`` header,
    ``query`` as the query parameters ``u`` and ``p`` (for proxies that
    strip the header; the password is then in every request URL).
    """

    timeout: float = 10.0
    retries: int | None = None
    retry_timeout: float = 30.0
    gzip: bool | None = None
    rp: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)
    chunk_size: int = 10_000
    verify: bool | str = True
    auth: str = "basic"

    @classmethod
    def from_mapping(cls, options: Mapping[str, str]) -> HTTPOptions:
        """Parse and check string options; unknown names are refused."""
        names = [f.name for f in dataclasses.fields(cls)]
        values: dict[str, Any] = {}
        for name, raw in options.items():
            if name not in names:
                valid = ", ".join(sorted(names))
                hint = suggest(name, names)
                msg = (
                    f"Unknown connection option {name!r} for an InfluxDB URL; "
                    f"valid options are: {valid}.{hint}"
                )
                raise ImproperlyConfigured(msg)
            if name in ("timeout", "retry_timeout"):
                values[name] = _parse_number(name, raw, float, 0.001)
            elif name in ("retries",):
                values[name] = _parse_number(name, raw, int, 0)
            elif name == "chunk_size":
                values[name] = _parse_number(name, raw, int, 1)
            elif name == "gzip":
                values[name] = None if raw == "auto" else _parse_bool(name, raw)
            elif name == "verify":
                lowered = raw.strip().lower()
                is_flag = lowered in ("0", "1", "true", "false", "yes", "no")
                values[name] = _parse_bool(name, raw) if is_flag else raw
            elif name == "auth":
                if raw not in ("basic", "query"):
                    msg = (
                        f"The connection option 'auth' takes 'basic' or 'query'; "
                        f"got {raw!r}."
                    )
                    raise ImproperlyConfigured(msg)
                values[name] = raw
            else:
                values[name] = raw or None
        return cls(**values)


def _ssl_context(path: str) -> ssl.SSLContext:
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        msg = (
            "The connection option 'verify' takes true, false or the path of a "
            f"CA bundle; cannot load {path!r}: {reason}."
        )
        raise ImproperlyConfigured(msg) from None


class _ScrubSecrets(logging.Filter):
    """Hide credentials in httpx's request log lines.

    With ``auth=query`` the password travels in the URL, which httpx logs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()

    def add(self, secret: str) -> None:
        encoded = str(httpx.QueryParams({"p": secret}))[2:]
        self.secrets = self.secrets | {secret, encoded}

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets
        if secrets:
            text = record.getMessage()
            scrubbed = text
            for secret in secrets:
                scrubbed = scrubbed.replace(secret, "***")
            if scrubbed != text:
                record.msg, record.args = scrubbed, None
        return True


_SCRUBBER = _ScrubSecrets()


def scrub_logs(secret: str) -> None:
    """Hide *secret* in ``httpx``'s log lines from now on."""
    _SCRUBBER.add(secret)
    httpx_logger = logging.getLogger("httpx")
    if _SCRUBBER not in httpx_logger.filters:
        httpx_logger.addFilter(_SCRUBBER)


class _HeaderAuth(httpx.Auth):
    """Set the ``Authorization`` header that *header()* returns."""

    def __init__(self, header: Callable[[], str]) -> None:
        self._header = header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ***>"

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header()
        yield request


def credentials_auth(
    username: str | None, password: str | None, token: str | None
) -> httpx.Auth | None:
    """The authentication for a token or a user name, or None without either.

    The header's text is only kept in a closure (see the module's doc).
    """
    if token:
        header = f"Token {token}"
    elif username is not None:
        pair = f"{username}:{password or ''}".encode()
        header = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        return None

    def value() -> str:
        return header

    return _HeaderAuth(value)


def query_auth(username: str, password: str | None) -> Callable[[], dict[str, str]]:
    """The ``u`` and ``p`` parameters of ``auth=query``, kept in a closure."""
    params = {"u": username, "p": password or ""}

    def value() -> dict[str, str]:
        return dict(params)

    return value
