"""``influxpy serve`` with users refuses requests as an influxd with
``auth-enabled = true`` does (reference §2.6)."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from _influxd import InfluxServer
from conftest import ADMIN_PASSWORD, ADMIN_USER
from server._serve import Served


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``influxpy serve`` with the auth server's admin user, from a file."""
    root = tmp_path_factory.mktemp("serve-auth")
    users = root / "users"
    users.write_text(f"# users\n\nother:pw\n{ADMIN_USER}:{ADMIN_PASSWORD}\n")
    served = Served(root / "data.duckdb", "--auth-file", str(users)).start()
    try:
        yield served
    finally:
        served.close()


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


CASES = [
    ("GET", "/ping", {}, {}),
    ("GET", "/query", {"q": "SHOW DATABASES"}, {}),
    ("POST", "/write", {"db": "nope"}, {}),
    ("GET", "/query", {"q": "SHOW DATABASES", "u": ADMIN_USER, "p": "wrong"}, {}),
    ("GET", "/query", {"q": "SHOW DATABASES", "u": "ghost", "p": "x"}, {}),
    ("POST", "/write", {"db": "nope", "u": ADMIN_USER, "p": ADMIN_PASSWORD}, {}),
    ("POST", "/write", {"db": "nope"}, basic(ADMIN_USER, ADMIN_PASSWORD)),
    ("POST", "/write", {"db": "nope"}, basic(ADMIN_USER, "wrong")),
    ("POST", "/write", {"db": "nope"}, {"Authorization": "Basic !!!"}),
    ("POST", "/write", {"db": "nope"}, {"Authorization": f"Token {ADMIN_USER}:x"}),
    # u and p win over the header.
    (
        "POST",
        "/write",
        {"db": "nope", "u": ADMIN_USER, "p": "wrong"},
        basic(ADMIN_USER, ADMIN_PASSWORD),
    ),
    ("GET", "/query", {}, basic(ADMIN_USER, ADMIN_PASSWORD)),
]


@pytest.mark.parametrize(("method", "path", "params", "headers"), CASES)
def test_credentials_are_checked_as_influxd_checks_them(
    auth_server: InfluxServer, guarded: Served, method, path, params, headers
):
    kwargs = {"params": params, "headers": headers, "auth": None}
    expected = httpx.request(method, f"{auth_server.http_url}{path}", **kwargs)
    got = guarded.request(method, path, params=params, headers=headers)
    assert got.status_code == expected.status_code, got.text
    if expected.content:
        assert got.json() == expected.json()
    assert got.headers.get("www-authenticate") == expected.headers.get(
        "www-authenticate"
    )
    assert got.headers.get("x-influxdb-error") == expected.headers.get(
        "x-influxdb-error"
    )


def test_a_users_file_line_without_a_colon_is_refused(tmp_path: Path):
    from influxpy.server.auth import read_users_file

    users = tmp_path / "users"
    users.write_text("alice:pw\nbob\n")
    with pytest.raises(ValueError, match=r"line 2 of .*user:password"):
        read_users_file(users)


def test_user_flags_turn_authentication_on(tmp_path: Path):
    served = Served(tmp_path / "data.duckdb", "--user", "alice:pa:ss").start()
    try:
        refused = served.request("POST", "/write", params={"db": "nope"})
        accepted = served.request(
            "POST", "/write", params={"db": "nope", "u": "alice", "p": "pa:ss"}
        )
    finally:
        served.close()
    assert refused.status_code == 401
    assert accepted.status_code == 404


def test_credentials_in_a_form_body_are_not_read(auth_server, guarded):
    """influxd reads ``u`` and ``p`` from the URL only."""
    data = {"q": "SHOW DATABASES", "u": ADMIN_USER, "p": ADMIN_PASSWORD}
    expected = httpx.post(f"{auth_server.http_url}/query", data=data)
    got = guarded.request("POST", "/query", data=data)
    assert got.status_code == expected.status_code
    assert got.json() == expected.json()


def test_debug_requests_needs_no_credentials_and_names_the_user(auth_server, guarded):
    """Each client is ``user:address``; refused requests are not counted."""
    answers: dict[str, httpx.Response] = {}

    def track(url: str) -> None:
        answers[url] = httpx.get(
            f"{url}/debug/requests", params={"seconds": "5"}, timeout=60
        )

    urls = [auth_server.http_url, guarded.http_url]
    threads = [threading.Thread(target=track, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    # The interval starts when each server has the request: give both time.
    time.sleep(2)
    for url in urls:
        good = {"u": ADMIN_USER, "p": ADMIN_PASSWORD}
        httpx.get(f"{url}/query", params={"q": "SHOW DATABASES", **good})
        httpx.post(f"{url}/write", params={"db": "nope"}, auth=(ADMIN_USER, "wrong"))
        httpx.post(f"{url}/write", params={"db": "nope", **good}, content=b"m v=1")
    for thread in threads:
        thread.join()
    expected, got = answers[auth_server.http_url], answers[guarded.http_url]
    key = f"{ADMIN_USER}:127.0.0.1"
    assert expected.text == f'{{\n"{key}": {{"writes":1,"queries":1}}\n}}\n'
    assert (got.status_code, got.text) == (expected.status_code, expected.text)
