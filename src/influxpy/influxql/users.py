"""The user statements of InfluxQL, read as influxd 1.6's parser reads them.

``CREATE USER name WITH PASSWORD 'p' [WITH ALL PRIVILEGES]``, ``DROP USER
name``, ``SET PASSWORD FOR name = 'p'``, ``GRANT READ|WRITE|ALL
[PRIVILEGES] ON db TO user``, ``GRANT ALL [PRIVILEGES] TO user`` (the
admin privilege), ``REVOKE … FROM user`` and ``SHOW GRANTS FOR user``,
with influxd's syntax errors (``found WITH, expected identifier at line
1, char 13``).
"""

from __future__ import annotations

from collections.abc import Callable

from influxpy.influxql.parser import Parser
from influxpy.statements import (
    CreateUser,
    DropUser,
    Grant,
    SetPassword,
    ShowGrants,
    Statement,
)

__all__ = ["create_user", "drop_user", "grant", "revoke", "set_password", "show_grants"]

Builder = Callable[[], Statement]

#: What a privilege may be, as influxd's error lists it.
_PRIVILEGES = ("READ", "WRITE", "ALL [PRIVILEGES]")


def _string(p: Parser) -> str:
    token = p.next()
    if token.kind != "STRING":
        raise p.error(token, ("string",))
    return str(token.value)


def create_user(p: Parser) -> Builder:
    """``CREATE USER`` (after those words)."""
    name = p.ident()
    p.expect("WITH", "PASSWORD")
    password = _string(p)
    admin = False
    if p.accept("WITH") is not None:
        p.expect("ALL", "PRIVILEGES")
        admin = True
    return lambda: CreateUser(name, password, admin)


def drop_user(p: Parser) -> Builder:
    """``DROP USER``."""
    name = p.ident()
    return lambda: DropUser(name)


def set_password(p: Parser) -> Builder:
    """``SET PASSWORD FOR name = 'p'`` (after ``SET``)."""
    p.expect("PASSWORD", "FOR")
    name = p.ident()
    p.expect("=")
    password = _string(p)
    return lambda: SetPassword(name, password)


def show_grants(p: Parser) -> Builder:
    """``SHOW GRANTS FOR user``."""
    p.expect("FOR")
    user = p.ident()
    return lambda: ShowGrants(user)


def _privilege(p: Parser) -> str:
    token = p.next()
    if token.kind in ("READ", "WRITE"):
        return token.kind
    if token.kind != "ALL":
        raise p.error(token, _PRIVILEGES)
    p.accept("PRIVILEGES")
    return "ALL"


def _grant(p: Parser, target: str, revoke: bool) -> Builder:
    privilege = _privilege(p)
    token = p.next()
    if token.kind == "ON":
        database = p.ident()
        p.expect(target)
        user = p.ident()
        return lambda: Grant(user, privilege, database, revoke)
    if token.kind == target and privilege == "ALL":
        user = p.ident()
        return lambda: Grant(user, privilege, None, revoke)
    raise p.error(token, ("ON", target) if privilege == "ALL" else ("ON",))


def grant(p: Parser) -> Builder:
    """``GRANT privilege [ON db] TO user``."""
    return _grant(p, "TO", revoke=False)


def revoke(p: Parser) -> Builder:
    """``REVOKE privilege [ON db] FROM user``."""
    return _grant(p, "FROM", revoke=True)
