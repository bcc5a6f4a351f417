"""Users and passwords for ``influxpy serve``, checked as InfluxDB checks them.

With users configured, every ``/query`` and ``/write`` must carry
credentials (``u`` and ``p`` parameters, which win, or ``Authorization:
Basic``), as an ``influxd`` with ``auth-enabled = true`` and an admin user
requires; ``/ping`` never does. Every user may do everything (InfluxDB's
admin users): the server has no per-database privileges.

A users file holds one ``user:password`` a line; blank lines and lines
starting with ``#`` are skipped; the password is everything after the
first colon.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["AuthError", "Users", "read_users_file"]

#: InfluxDB's answer to a request without usable credentials (status 401).
MISSING = "unable to parse authentication credentials"
#: InfluxDB's answer to a wrong user or password (status 401).
FAILED = "authorization failed"


class AuthError(Exception):
    """A request refused for its credentials; ``str()`` is InfluxDB's text."""


def parse_user(entry: str, where: str = "--user") -> tuple[str, str]:
    """Split ``user:password``; refuse an entry without a colon or a user."""
    user, colon, password = entry.partition(":")
    if not colon or not user:
        msg = (
            f"The user entry {user or entry!r} in {where} is not of the form "
            "user:password; give a user name, a colon, then the password."
        )
        raise ValueError(msg)
    return user, password


def read_users_file(path: str | Path) -> dict[str, str]:
    """Read ``user:password`` lines from *path* (see the module docstring)."""
    users: dict[str, str] = {}
    text = Path(path).read_text(encoding="utf-8")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, password = parse_user(line, f"line {number} of {path}")
        users[user] = password
    return users


class Users:
    """The users a server accepts; empty means authentication is off."""

    def __init__(
        self, users: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> None:
        self._users = dict(users)

    @property
    def enabled(self) -> bool:
        """Whether requests must carry credentials."""
        return bool(self._users)

    def check(self, params: Mapping[str, str], authorization: str | None) -> str | None:
        """The user the request's credentials name (None with
        authentication off); ``AuthError`` unless they are good.

        *params* are the request's parameters (``u`` and ``p``),
        *authorization* its ``Authorization`` header.
        """
        if not self._users:
            return None
        user, password = params.get("u", ""), params.get("p", "")
        if not user and authorization:
            scheme, _, value = authorization.strip().partition(" ")
            if scheme.lower() == "basic":
                try:
                    decoded = base64.b64decode(value.strip(), validate=True)
                    user, _, password = decoded.decode("utf-8").partition(":")
                except (binascii.Error, UnicodeDecodeError):
                    raise AuthError(MISSING) from None
        if not user:
            raise AuthError(MISSING)
        expected = self._users.get(user)
        given = password.encode("utf-8")
        if expected is None or not hmac.compare_digest(expected.encode(), given):
            raise AuthError(FAILED)
        return user
