"""Credentials stay out of every traceback, and ping() checks them.

Error trackers (Sentry), rich tracebacks and ``pytest --showlocals`` show
the locals of each frame of a traceback. Each test here makes a request
fail (connection refused, 401, a 500, a rejected write, a statement error,
a timeout), then walks everything reachable from the error: its
attributes, its chained errors, each frame of its traceback and the locals
there, into containers and the attributes of any object (requests, URLs,
headers, responses, clients, httpx errors) and shows the repr of each
value. The password (as given, URL-encoded and base64-encoded in a Basic
header) or the token must never appear. Only the connection's own
configuration (the backend, its ``DatabaseURL`` and options), which holds
the credentials by design and hides them in its repr, is not entered.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import re
import socket
import traceback
import types
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest

import influxpy
from _influxd import InfluxServer, free_port
from _models import ServerMeasurement
from influxpy.backends.base import Backend
from influxpy.backends.http import HTTPBackend, HTTPOptions
from influxpy.connection import DatabaseURL
from influxpy.exceptions import (
    AuthenticationError,
    DatabaseError,
    DatabaseNotFoundError,
    InterfaceError,
    OperationalError,
    PartialWriteError,
    ProgrammingError,
)

T0 = 1_513_071_900_000_000_000
USER = "admin"
WRONG = "Wr0ng-pa55word"
TOKEN = "t0ken-S3cret-value"
#: The connection's configuration: holds the credentials, hides them in repr.
OPAQUE = (Backend, DatabaseURL, HTTPOptions)
ATOMS = (str, bytes, bytearray, int, float, complex, bool, type(None))
SKIPPED = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.CodeType,
    types.GeneratorType,
    types.CoroutineType,
    types.AsyncGeneratorType,
)


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


def forms(password: str, user: str = USER) -> tuple[str, ...]:
    """The password as given, URL-encoded, and inside a Basic header."""
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    return (password, quote(password, safe=""), basic)


def _children(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseException):
        yield from vars(value).items()
        yield "args", value.args
        yield "__cause__", value.__cause__
        yield "__context__", value.__context__
        yield "__traceback__", value.__traceback__
    elif isinstance(value, types.TracebackType):
        yield "tb_frame", value.tb_frame
        yield "tb_next", value.tb_next
    elif isinstance(value, types.FrameType):
        if value.f_code.co_filename != __file__:  # the test's own frames
            yield from value.f_locals.items()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"[{key!r}]", item
            yield "<key>", key
    elif isinstance(value, (list, tuple, set, frozenset, collections.deque)):
        for index, item in enumerate(value):
            yield f"[{index}]", item
    else:
        with_dict = getattr(value, "__dict__", None)
        if isinstance(with_dict, dict):
            yield from with_dict.items()
        for klass in type(value).__mro__:
            for name in getattr(klass, "__slots__", ()):
                if isinstance(name, str) and hasattr(value, name):
                    yield name, getattr(value, name)


def leaks(error: BaseException, secrets: tuple[str, ...]) -> list[str]:
    """The paths, from *error*, of every value whose repr shows a secret."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(error, "error")]
    while stack and len(seen) < 500_000:
        value, path = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        try:
            text = repr(value)
        except Exception as exc:  # a repr that fails shows nothing
            text = type(exc).__name__
        if isinstance(value, (str, bytes)):
            text += str(value)
        if any(secret in text for secret in secrets):
            found.append(path)
        if isinstance(value, (*ATOMS, *SKIPPED, *OPAQUE)):
            continue
        for name, child in _children(value):
            stack.append((child, f"{path}.{name}"))
    return found


def assert_secret_free(error: BaseException, secrets: tuple[str, ...]) -> None:
    """No path from *error* shows a secret, nor does a locals-capturing format."""
    assert leaks(error, secrets) == []
    shown = "".join(
        traceback.TracebackException.from_exception(error, capture_locals=True).format()
    )
    for secret in secrets:
        assert secret not in shown


def raised(call: Callable[[], object], kind: type[BaseException]) -> BaseException:
    with pytest.raises(kind) as info:
        call()
    return info.value


def araised(
    call: Callable[[], Awaitable[object]], kind: type[BaseException]
) -> BaseException:
    async def run() -> None:
        await call()

    with pytest.raises(kind) as info:
        asyncio.run(run())
    return info.value


def failing_calls(backend: Backend) -> list[Callable[[], object]]:
    """Every way a request goes out: ping, admin, query, writes, sync and async."""
    series = ServerMeasurement.series.using(backend.alias)
    points = [
        ServerMeasurement(cpu=1.0, name="a", region="b", time=T0 + n) for n in range(3)
    ]
    return [
        backend.ping,
        backend.list_databases,
        lambda: backend.write_lines(["m v=1"]),
        lambda: list(series.all()),
        lambda: series.bulk_create(points, batch_size=2),
        lambda: asyncio.run(series.abulk_create(points, batch_size=2)),
        lambda: asyncio.run(series.acount()),
    ]


def hosted(server: InfluxServer, password: str, query: str = "") -> str:
    host = f"{server.host}:{server.port}"
    return f"influxdb://{USER}:{quote(password, safe='')}@{host}/db{query}"


AUTHS = pytest.mark.parametrize("auth", ["basic", "query"])


# -- no answer -----------------------------------------------------------------------


@AUTHS
def test_connection_refused_shows_no_password(auth: str) -> None:
    """Nothing listens: every call's InterfaceError is free of the password."""
    password = f"Refused-{uuid.uuid4().hex[:6]}"
    url = (
        f"influxdb://{USER}:{password}@127.0.0.1:{free_port()}/db"
        f"?auth={auth}&retries=1&retry_timeout=1"
    )
    backend = influxpy.connect(url, alias="refused")

    for call in failing_calls(backend):
        assert_secret_free(raised(call, InterfaceError), forms(password))


@pytest.mark.parametrize("auth", ["basic", "query", "token"])
def test_a_timeout_shows_no_credentials(auth: str) -> None:
    """A listener that never answers: the timeout error is free of the secret."""
    password = f"Timeout-{uuid.uuid4().hex[:6]}"
    option = f"token={TOKEN}" if auth == "token" else f"auth={auth}"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        backend = influxpy.connect(
            f"influxdb://{USER}:{password}@127.0.0.1:{port}/db"
            f"?{option}&timeout=0.3&retries=0",
            alias="silent",
        )
        secrets = (*forms(password), TOKEN)

        error = raised(lambda: backend.write_lines(["m v=1"]), OperationalError)
        assert_secret_free(error, secrets)
        series = ServerMeasurement.series.using("silent")
        error = raised(lambda: list(series), OperationalError)
        assert_secret_free(error, secrets)


# -- the real server with authentication on -------------------------------------


@AUTHS
def test_a_wrong_password_shows_up_nowhere(
    auth_server: InfluxServer, auth: str
) -> None:
    """401 from the real server on every call: no trace of the wrong password."""
    backend = influxpy.connect(hosted(auth_server, WRONG, f"?auth={auth}"), alias="w")

    for call in failing_calls(backend):
        assert_secret_free(raised(call, AuthenticationError), forms(WRONG))


@AUTHS
def test_server_errors_with_the_right_password_show_it_nowhere(
    auth_server: InfluxServer, auth: str
) -> None:
    """A 500 (unknown retention policy), a 400 (bad line), a 404 statement
    error and a 400 statement error, all answered by the real server.
    """
    password = auth_server.password or ""
    name = f"secrets_{uuid.uuid4().hex[:8]}"
    auth_server.create_database(name)
    try:
        url = hosted(auth_server, password, f"?auth={auth}").replace(
            "/db?", f"/{name}?"
        )
        backend = influxpy.connect(url, alias="right")
        assert isinstance(backend, HTTPBackend)
        secrets = forms(password)
        cases: list[tuple[Callable[[], object], type[BaseException]]] = [
            (
                lambda: backend.write_lines(["m v=1"], retention_policy="nope"),
                DatabaseError,
            ),
            (lambda: backend.write_lines(["m v="]), PartialWriteError),
            (
                lambda: backend.query("SELECT * FROM m", database="missing"),
                DatabaseNotFoundError,
            ),
            (lambda: backend.query("SELEKT 1"), ProgrammingError),
        ]
        for call, kind in cases:
            assert_secret_free(raised(call, kind), secrets)

        async def streamed() -> None:
            from influxpy.compilers.base import Compiled

            compiled = Compiled("SELECT * FROM m", writes=False)
            async for _series in backend.aexecute(compiled, database="missing"):
                pass

        assert_secret_free(araised(streamed, DatabaseNotFoundError), secrets)
    finally:
        auth_server.drop_database(name)


# -- ping() checks the credentials -----------------------------------------------------


@AUTHS
def test_ping_with_a_wrong_password_raises_authentication_error(
    auth_server: InfluxServer, auth: str
) -> None:
    """/ping needs no credentials, so ping() checks them with a query."""
    backend = influxpy.connect(hosted(auth_server, WRONG, f"?auth={auth}"), alias="p")
    message = (
        f"InfluxDB at http://{auth_server.host}:{auth_server.port} refused the "
        "request for user 'admin' (HTTP 401): authorization failed."
    )

    with pytest.raises(AuthenticationError, match=f"^{re.escape(message)}$"):
        backend.ping()


def test_ping_with_the_right_password_or_none_returns_the_version(
    auth_server: InfluxServer,
) -> None:
    """The right password passes; without credentials there is nothing to check."""
    right = influxpy.connect(hosted(auth_server, auth_server.password or ""), alias="r")
    host = f"{auth_server.host}:{auth_server.port}"
    anonymous = influxpy.connect(f"influxdb://{host}/db", alias="anonymous")

    assert right.ping().startswith("1.")
    assert anonymous.ping() == right.ping()


def test_credentials_travel_in_a_basic_header_by_default(
    auth_server: InfluxServer,
) -> None:
    """No auth option: the right password works, sent as Authorization: Basic."""
    seen: list[tuple[str | None, str]] = []

    import httpx

    class Spy(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append((request.headers.get("Authorization"), str(request.url)))
            return super().handle_request(request)

    password = auth_server.password or ""
    url = DatabaseURL.parse(hosted(auth_server, password))
    backend = HTTPBackend(url, "spy", transport=Spy())
    try:
        assert isinstance(backend.list_databases(), list)
    finally:
        backend.close()

    [(header, sent)] = seen
    assert header == "Basic " + forms(password)[2]
    assert password not in sent
    assert "p=" not in sent
