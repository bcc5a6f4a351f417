"""influxd 1.6.7 answers SHOW DIAGNOSTICS in msgpack that cannot be decoded
past its configuration's durations: the HTTP backend never passes off the
readable part as the whole answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgpack
import pytest

from _influxd import InfluxServer
from influxpy.backends.http import HTTPBackend
from influxpy.compilers.base import Compiled
from influxpy.connection import DatabaseURL
from influxpy.exceptions import OperationalError


@pytest.fixture
def backend(influx_url: str) -> Iterator[HTTPBackend]:
    store = HTTPBackend(DatabaseURL.parse(influx_url), "malformed")
    yield store
    store.close()


def test_quirk_influxd_msgpack_of_show_diagnostics_is_cut_short(
    influx_server: InfluxServer,
) -> None:
    body = httpx.get(
        f"{influx_server.http_url}/query",
        params={"q": "SHOW DIAGNOSTICS"},
        headers={"Accept": "application/x-msgpack"},
    ).content
    with pytest.raises(ValueError, match="incomplete"):
        msgpack.unpackb(body, raw=False)


def test_statements_read_show_diagnostics_whole(backend: HTTPBackend) -> None:
    (result,) = backend.statements("SHOW DIAGNOSTICS")
    names = [series.name for series in result.series]
    assert result.error is None
    assert names[0] == "build"
    assert {"config-coordinator", "runtime", "system"} <= set(names)


def test_execute_refuses_a_msgpack_answer_cut_short(backend: HTTPBackend) -> None:
    with pytest.raises(OperationalError, match="ends in the middle of a value"):
        list(backend.execute(Compiled("SHOW DIAGNOSTICS")))


def test_a_series_tags_are_sorted_by_key_whatever_order_msgpack_gives() -> None:
    """influxd's msgpack writes a series' tags in Go's map order, which
    changes between answers; JSON writes them sorted, and so do we."""
    from influxpy.backends.http.reading import _series_from

    raw = {"name": "m", "tags": {"host": "a", "dc": "x"}, "columns": ["time"]}
    assert list(_series_from(raw).tags) == ["dc", "host"]
