"""Database URLs: ``DatabaseURL`` parses one and shows it without secrets.

It lives low in the package because backends are built from one;
``influxpy.connection`` re-exports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from influxpy.exceptions import ImproperlyConfigured

__all__ = ["DatabaseURL"]

_REDACTED = "***"


@dataclasses.dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL, e.g. ``influxdb://user:pass@host:8086/db?timeout=5``.

    ``options`` holds the query-string options as strings; backends parse
    and check the ones they understand. ``str()`` and ``repr()`` hide the
    password and any token.
    """

    scheme: str
    host: str = ""
    port: int | None = None
    database: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    path: str = ""
    options: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Parse *url* with the standard library's URL parser."""
        if not isinstance(url, str) or "://" not in url:
            shown = _redact_url_text(str(url))
            msg = (
                f"{shown!r} is not a database URL; use a form such as "
                "'influxdb://user:password@localhost:8086/mydb' or "
                "'duckdb:///path/to/file.duckdb'."
            )
            raise ImproperlyConfigured(msg)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "duckdb":
            # A file path, not a network address: duckdb:///abs/path.duckdb,
            # duckdb://relative.duckdb or duckdb://:memory:.
            rest = url.split("://", 1)[1]
            path, _, query = rest.partition("?")
            return cls(
                scheme=scheme,
                path=unquote(path),
                options=dict(parse_qsl(query, keep_blank_values=True)),
            )
        try:
            port = parts.port
        except ValueError:
            netloc = parts.netloc.rsplit("@", 1)[-1]
            msg = (
                f"The port in the database URL's address {netloc!r} must be a "
                "number from 1 to 65535."
            )
            raise ImproperlyConfigured(msg) from None
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        path = unquote(parts.path)
        database = path.lstrip("/") or None
        return cls(
            scheme=scheme,
            host=parts.hostname or "",
            port=port,
            database=database,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            path=path,
            options=options,
        )

    def copy_with(self, **changes: Any) -> DatabaseURL:
        """Return a copy with some attributes replaced."""
        return dataclasses.replace(self, **changes)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The password and token, for scrubbing text before it is shown."""
        found = [self.password, self.options.get("token"), self.options.get("p")]
        return tuple(s for s in found if s)

    def redact(self, text: str) -> str:
        """Replace every secret of this URL in *text* by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, _REDACTED)
        return text

    def __str__(self) -> str:
        auth = ""
        if self.username:
            auth = self.username + (f":{_REDACTED}" if self.password else "") + "@"
        elif self.password:
            auth = f":{_REDACTED}@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            host = f"{host}:{self.port}"
        shown = {
            k: (_REDACTED if k in ("token", "p") else v)
            for k, v in self.options.items()
        }
        query = f"?{urlencode(shown, safe='*')}" if shown else ""
        path = self.path
        if self.scheme != "duckdb":
            path = "/" + quote(self.database, safe="") if self.database else ""
        return f"{self.scheme}://{auth}{host}{path}{query}"

    def __repr__(self) -> str:
        return f"DatabaseURL({str(self)!r})"


def _redact_url_text(text: str) -> str:
    if "://" not in text:
        # No scheme, but perhaps still ``user:password@host``.
        userinfo, at, address = text.rpartition("@")
        if at and ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            return f"{user}:{_REDACTED}@{address}"
        return text
    try:
        return str(DatabaseURL.parse(text))
    except ImproperlyConfigured:
        return "<unparsable URL>"
