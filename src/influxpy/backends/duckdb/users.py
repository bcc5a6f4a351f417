"""Users and privileges on the embedded engine, as influxd 1.6.7 keeps them.

``CREATE USER``, ``DROP USER``, ``SET PASSWORD``, ``GRANT``, ``REVOKE``,
``SHOW USERS`` and ``SHOW GRANTS`` answer as influxd's do: users listed in
the order they were created, a database's privilege read as ``READ``,
``WRITE``, ``ALL PRIVILEGES`` or ``NO PRIVILEGES`` (a revoked one stays
listed), privileges on a dropped database forgotten, and influxd's errors
(``user not found``, ``user already exists``, ``database not found: x``).

The engine keeps them in memory, for the life of the backend; it does not
check them (``influxpy serve`` takes its users from ``--user`` and
``--auth-file``), as influxd with authentication off does not.
"""

from __future__ import annotations

import dataclasses
import hmac

from influxpy import statements as st
from influxpy.backends.duckdb.show import StatementFailed
from influxpy.results import Series

__all__ = ["EngineUsers", "UserRecord"]

#: Privilege bits, as influxql's: READ 1, WRITE 2, ALL both.
_BITS = {"READ": 1, "WRITE": 2, "ALL": 3}
_NAMES = {0: "NO PRIVILEGES", 1: "READ", 2: "WRITE", 3: "ALL PRIVILEGES"}

USER_NOT_FOUND = "user not found"


@dataclasses.dataclass
class UserRecord:
    """One user: its password, whether it is an admin, its privilege bits
    on each database (in the order they were first granted)."""

    password: str = dataclasses.field(repr=False)
    admin: bool = False
    privileges: dict[str, int] = dataclasses.field(default_factory=dict)


class EngineUsers:
    """The user statements of ``EngineStatements`` (see the module)."""

    _users_by_name: dict[str, UserRecord]

    @property
    def _users(self) -> dict[str, UserRecord]:
        found = self.__dict__.get("_users_by_name")
        if found is None:
            found = self.__dict__["_users_by_name"] = {}
        return found

    def _user(self, name: str) -> UserRecord:
        user = self._users.get(name)
        if user is None:
            raise StatementFailed(USER_NOT_FOUND)
        return user

    def _has_database(self, name: str) -> bool:
        raise NotImplementedError  # pragma: no cover - EngineStatements has it

    def _do_create_user(
        self, statement: st.CreateUser, database: str | None
    ) -> list[Series]:
        user = self._users.get(statement.name)
        if user is not None:
            same = hmac.compare_digest(user.password, statement.password)
            if not same or user.admin != statement.admin:
                raise StatementFailed("user already exists")
            return []
        self._users[statement.name] = UserRecord(statement.password, statement.admin)
        return []

    def _do_drop_user(
        self, statement: st.DropUser, database: str | None
    ) -> list[Series]:
        self._user(statement.name)
        del self._users[statement.name]
        return []

    def _do_set_password(
        self, statement: st.SetPassword, database: str | None
    ) -> list[Series]:
        self._user(statement.name).password = statement.password
        return []

    def _do_grant(self, statement: st.Grant, database: str | None) -> list[Series]:
        user = self._user(statement.user)
        db = statement.database
        if db is None:
            user.admin = not statement.revoke
            return []
        if not self._has_database(db):
            msg = f"database not found: {db}"
            raise StatementFailed(msg)
        bits = _BITS[statement.privilege]
        if statement.revoke:
            # REVOKE ALL clears every bit; another privilege only its own.
            held = 0 if bits == 3 else user.privileges.get(db, 0) & ~bits
        else:
            held = bits
        user.privileges[db] = held
        return []

    def _do_show_users(
        self, statement: st.ShowUsers, database: str | None
    ) -> list[Series]:
        values = [[name, user.admin] for name, user in self._users.items()]
        return [Series("", {}, ["user", "admin"], values)]

    def _do_show_grants(
        self, statement: st.ShowGrants, database: str | None
    ) -> list[Series]:
        user = self._user(statement.user)
        values = [[db, _NAMES[bits]] for db, bits in user.privileges.items()]
        return [Series("", {}, ["database", "privilege"], values)]

    def forget_privileges(self, database: str) -> None:
        """Drop every user's privilege on *database* (it was dropped)."""
        for user in self._users.values():
            user.privileges.pop(database, None)
