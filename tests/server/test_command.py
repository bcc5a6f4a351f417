"""``influxpy serve`` refuses what it cannot serve with one readable line."""

from __future__ import annotations

import socket

import pytest

from _cli import run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--url", "influxdb://localhost:8086/db"],
            "--url must name the embedded engine",
        ),
        (["--bind", "localhost"], "is not of the form host:port"),
        (["--bind", "127.0.0.1:99999"], "is not of the form host:port"),
        (["--user", "nocolon"], "is not of the form user:password"),
        (["--auth-file", "/no/such/file"], "does not exist"),
    ],
)
def test_bad_options_are_refused(args, message):
    done = run("serve", *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_help_names_the_options():
    done = run("serve", "--help")
    assert done.returncode == 0
    for option in ("--url", "--bind", "--auth-file", "--user"):
        assert option in done.stdout


def test_an_address_in_use_is_refused_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--bind", f"127.0.0.1:{port}")
    assert done.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
