"""``influxpy serve``: InfluxDB 1.x's HTTP API on the embedded engine."""

from __future__ import annotations

import click

from influxpy.cli._common import backend_for, say

__all__ = ["serve"]


@click.command(help="Serve InfluxDB 1.x's HTTP API (/ping, /write, /query).")
@click.option(
    "--url",
    default="duckdb://:memory:",
    show_default=True,
    help="The embedded database: duckdb:///path/file.duckdb or duckdb://:memory:.",
)
@click.option(
    "--bind",
    default="127.0.0.1:8086",
    show_default=True,
    help="The address to listen on, host:port.",
)
@click.option(
    "--auth-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Require credentials: a file of user:password lines.",
)
@click.option(
    "--user",
    "user_entries",
    multiple=True,
    metavar="USER:PASSWORD",
    help="Require credentials and accept this user (repeatable).",
)
def serve(
    url: str, bind: str, auth_file: str | None, user_entries: tuple[str, ...]
) -> None:
    """Serve the embedded engine as InfluxDB 1.6.7's HTTP API until stopped."""
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        msg = "serve needs its extra: pip install 'influxpy-orm[serve]'."
        raise click.UsageError(msg) from None
    from influxpy.server import parse_bind
    from influxpy.server import serve as run
    from influxpy.server.auth import parse_user, read_users_file

    if not url.startswith("duckdb:"):
        msg = (
            f"--url must name the embedded engine (duckdb:///path/file.duckdb "
            f"or duckdb://:memory:), not {url.split(':', 1)[0]}:."
        )
        raise click.UsageError(msg)
    _check_free(*parse_bind(bind))
    users = read_users_file(auth_file) if auth_file else {}
    users.update(parse_user(entry) for entry in user_entries)
    backend = backend_for(url, alias="influxpy-serve")
    # influxd has no default database: the engine's goes when it is empty.
    from influxpy.server.statements import forget_empty_default

    forget_empty_default(backend)
    say(f"influxpy serve: InfluxDB 1.x API on http://{bind} ({url})", err=True)
    run(backend, bind, users=users)


def _check_free(host: str, port: int) -> None:
    """Refuse, in one line, an address this process cannot listen on."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            msg = (
                f"Cannot listen on {host}:{port}: {exc.strerror or exc}; "
                "stop what uses it or pick another --bind."
            )
            raise click.ClickException(msg) from None
