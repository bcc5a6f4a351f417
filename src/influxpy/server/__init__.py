"""``influxpy serve``: InfluxDB 1.x's HTTP API on the embedded engine.

``InfluxApp`` (``influxpy.server.app``) is a plain ASGI application;
``serve()`` runs it with uvicorn (the ``serve`` extra) until SIGINT or
SIGTERM, then lets the requests in flight finish and closes the backend,
so no write the server acknowledged is lost. The modules:
``exchange`` (one request and its answer), ``query_route`` (``/query``),
``render`` (JSON, CSV and msgpack answers), ``writes`` (``/write`` bodies)
and ``auth`` (users and passwords).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from influxpy.server.app import InfluxApp
from influxpy.server.auth import Users, read_users_file

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["InfluxApp", "Users", "parse_bind", "read_users_file", "serve"]

DEFAULT_BIND = "127.0.0.1:8086"


def parse_bind(bind: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8086`` for IPv6; ``:8086`` is loopback)."""
    host, colon, port = bind.rpartition(":")
    if not colon or not port.isdigit() or not 0 <= int(port) <= 65535:
        msg = (
            f"The bind address {bind!r} is not of the form host:port; give "
            "one such as 127.0.0.1:8086 or [::1]:8086."
        )
        raise ValueError(msg)
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def serve(
    backend: Backend,
    bind: str = DEFAULT_BIND,
    *,
    users: Mapping[str, str] | None = None,
    workers: int = 8,
    log_level: str = "warning",
) -> None:
    """Serve *backend* on *bind* until SIGINT or SIGTERM; then close it."""
    import uvicorn

    host, port = parse_bind(bind)
    app = InfluxApp(backend, users=Users(users or {}), workers=workers)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        log_level=log_level,
        access_log=False,
        server_header=False,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        app.close()
