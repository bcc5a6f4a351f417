"""``influxpy serve`` answers NaN and ±Inf as influxd 1.6.7 does.

influxd answers NaN as null in every format, and ±Inf as ``+Inf``/``-Inf``
in CSV and as a double in MessagePack. Its JSON cannot hold an infinity:
``encoding/json`` fails and the body is that error's text (status 200), a
broken answer; ``influxpy serve`` writes null there instead (a quirk).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

#: ``sqrt(v)``: NaN, 0, 2; ``ln(v)``: NaN, -Inf, ln 4; ``-ln(v)``: +Inf.
LINES = "m,h=a v=-1 1000000000\nm,h=a v=0 2000000000\nm,h=b v=4 3000000000\n"
LN4 = 1.3862943611198906
QUERY = "SELECT sqrt(v), ln(v), -ln(v), v % 0 FROM m"


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[InfluxServer, Served, str]]:
    served = Served(tmp_path_factory.mktemp("serve") / "data.duckdb").start()
    try:
        with seeded_pair(influx_server, served, "nan", LINES) as pair:
            yield pair
    finally:
        served.close()


@pytest.mark.parametrize(
    "accept", ["application/csv", "application/x-msgpack"], ids=["csv", "msgpack"]
)
def test_nan_and_infinities_byte_for_byte(
    pair: tuple[InfluxServer, Served, str], accept: str
) -> None:
    """NaN is null (an empty CSV field), ±Inf is kept, in both formats."""
    influxd, served, name = pair
    params = {"db": name, "q": QUERY}
    headers = {"Accept": accept}
    expected = influxd.request("GET", "/query", params=params, headers=headers)
    got = served.request("GET", "/query", params=params, headers=headers)
    assert got.status_code == expected.status_code == 200
    assert got.content == expected.content


@pytest.mark.parametrize("chunked", [False, True], ids=["whole", "chunked"])
def test_nan_in_json_is_null_byte_for_byte(
    pair: tuple[InfluxServer, Served, str], chunked: bool
) -> None:
    """Without an infinity, JSON holds null for NaN on both."""
    influxd, served, name = pair
    params = {"db": name, "q": "SELECT sqrt(v), v % 0 FROM m", "epoch": "ns"}
    if chunked:
        params["chunked"] = "true"
    expected = influxd.request("GET", "/query", params=params)
    got = served.request("GET", "/query", params=params)
    assert b"null" in expected.content
    assert got.content == expected.content


def test_quirk_json_answer_with_an_infinity(
    pair: tuple[InfluxServer, Served, str],
) -> None:
    """influxd's JSON answer with ±Inf is the text of encoding/json's error
    (status 200) instead of the results; ``influxpy serve`` answers the
    results with null for the infinities."""
    influxd, served, name = pair
    params = {"db": name, "q": "SELECT ln(v) FROM m", "epoch": "ns"}
    broken = influxd.request("GET", "/query", params=params)
    assert broken.status_code == 200
    assert b"json: unsupported value: -Inf" in broken.content
    got = served.request("GET", "/query", params=params)
    assert got.status_code == 200
    values = got.json()["results"][0]["series"][0]["values"]
    assert values == [[1000000000, None], [2000000000, None], [3000000000, LN4]]
