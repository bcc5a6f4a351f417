"""Differential test on InfluxQL text: ``influxpy serve`` against influxd 1.6.7.

Hypothesis draws SELECT statements as text, among them what only text can
say (several measurements, regex sources, subqueries of them, ``/re/`` and
``*`` beside columns, ``*::field``/``*::tag``, value casts, ``count(/re/)``,
``GROUP BY /re/``),
and SHOW statements; each is sent over HTTP to the session's influxd and to
``influxpy serve`` (a subprocess on an embedded engine file) holding the
same points, and the parsed JSON answers must be equal.

A second test renders the QuerySets of ``test_differential``'s generator
to text (``str(qs.query)``) over its generated points, and compares the
answers of both servers to that text the same way (rows of series whose
order the server leaves undefined compared sorted; floats within 1e-9).

The points have distinct times within each measurement, so even an
ungrouped raw query has one defined order. Error texts are not compared
(the engine words some of its own), only that both sides fail or neither.
The number of examples defaults to 300; run many more locally with::

    INFLUXPY_DIFF_TEXT_EXAMPLES=10000 python -m pytest tests/test_differential_text.py

The seed is printed (``-s`` shows it); ``INFLUXPY_DIFF_TEXT_SEED=N`` replays
a run. ``tests/server/test_query_differential.py`` draws whole requests
(several statements, ``params``, ``epoch``, ``chunked``, CSV and msgpack,
text that does not parse) with the same settings.
"""

from __future__ import annotations

import math
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import influxpy
import test_differential as qsdiff
from _influxd import InfluxServer
from _seeds import run_seed
from server._serve import Served

EXAMPLES = int(os.environ.get("INFLUXPY_DIFF_TEXT_EXAMPLES", "300"))
SEED = run_seed("INFLUXPY_DIFF_TEXT_SEED", 9061206)

#: Several measurements sharing some keys: tags host/region/dev, float,
#: integer, string and boolean fields, a key that is a field in cpu and a
#: tag in net, one both in sh; distinct times within each.
POINTS = """\
cpu,host=a,region=x v=1,w=2i,s="p",b=true 10
cpu,host=b v=3,w=4i 20
cpu,host=a,region=x v=5,s="q" 30
cpu,host=c,region=y v=-2.5,w=7i,b=false 40
cpu,host=b w=9i 50
mem,host=a free=10i,v=0.5 15
mem,host=c free=20i 25
mem,host=a,region=y free=5i,v=1.5 35
disk,dev=sda v=7,used=1i 12
disk,dev=sdb used=3i,s="z" 22
disk,dev=sda v=8,used=2i 45
net,v=tagged x=1i 11
net,v=other x=2i,free=3i 21
sh,core=a value=1 10
sh core=5i,value=2 20
"""

SOURCES = [
    "cpu",
    "cpu, mem",
    "/./",
    "/^(cpu|disk)$/",
    "mem, disk, nope",
    "/m/",
    "cpu, net",
    "sh, /^n/",
]
RAW_COLUMNS = [
    "v",
    "w",
    "free",
    "s",
    "b",
    "host",
    "*",
    "*::field",
    "*::tag",
    "/^v|w/",
    "/e/",
    "v::integer",
    "w::float",
    "s::integer",
    "host::tag",
    "v::field",
    "v * 2",
    "w + v",
]
CALLS = [
    "count(*)",
    "count(v)",
    "mean(v)",
    "max(v)",
    "min(w)",
    "sum(w)",
    "count(/v|w/)",
    "first(*)",
    "last(v)",
    "mean(/e|v/)",
    "spread(v)",
    "count(s)",
]
WHERES = [
    "",
    "host = 'a'",
    "host != 'a'",
    "time >= 10 AND time <= 40",
    "v > 2",
    "region =~ /x|y/",
    "dev = 'sda' OR host = 'c'",
    # Row-wise math and literals reduced as influxd's Reduce reduces them.
    "abs(v) > 2",
    "pow(v, 2) >= 4 OR host = 'a'",
    "sqrt(w) < 2 AND 7 / 2 = 3.5",
    "host = 'a' + ''",
    "abs(v + 0) > 1 OR dev = 'sda'",
]
GROUPS = ["", "host", "*", "/reg/", "/o|e/", "host, dev", "v", "core"]
SHOWS = [
    "SHOW MEASUREMENTS",
    "SHOW MEASUREMENTS WITH MEASUREMENT =~ /m/",
    "SHOW TAG KEYS",
    "SHOW TAG KEYS FROM cpu, mem",
    "SHOW TAG KEYS FROM /d/",
    "SHOW FIELD KEYS",
    "SHOW FIELD KEYS FROM /./",
    "SHOW TAG VALUES WITH KEY = host",
    "SHOW TAG VALUES FROM cpu, disk WITH KEY =~ /./",
    "SHOW SERIES",
    "SHOW SERIES FROM /c/",
    "SHOW MEASUREMENTS WHERE host = 'a'",
    "SHOW SERIES WHERE abs(v) = 1 AND host = 'a' + ''",
    "SHOW TAG VALUES WITH KEY = host WHERE host = 'a' + ''",
]


@st.composite
def selects(draw: st.DrawFn) -> str:
    """One SELECT statement as text."""
    source = draw(st.sampled_from(SOURCES))
    aggregate = draw(st.booleans())
    pool = CALLS if aggregate else RAW_COLUMNS
    columns = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    where = draw(st.sampled_from(WHERES))
    group = draw(st.sampled_from(GROUPS))
    windows = aggregate and draw(st.booleans())
    if windows:
        # Bounded, so the windows are few.
        where = f"({where}) AND " if where else ""
        where += "time >= 0 AND time < 60"
        interval = draw(st.sampled_from(["10ns", "20ns", "25ns"]))
        group = f"time({interval})" + (f", {group}" if group else "")
    text = f"SELECT {', '.join(columns)} FROM {source}"
    if where:
        text += f" WHERE {where}"
    if group:
        text += f" GROUP BY {group}"
        if windows:
            fills = ["", "fill(none)", "fill(previous)"]
            if "first(*)" not in columns:
                # See test_quirk_fill_value_of_text_in_a_series_without_it.
                fills.append("fill(0)")
            text += " " + draw(st.sampled_from(fills))
    if draw(st.booleans()):
        text += " ORDER BY time DESC"
    if draw(st.booleans()):
        text += f" LIMIT {draw(st.integers(1, 3))}"
        if draw(st.booleans()):
            text += f" OFFSET {draw(st.integers(1, 2))}"
    return text.strip()


#: Casts of a subquery's column ``m`` outside it, raw and in calls.
OUTER_CASTS = [
    "m::integer",
    "m::tag",
    "m::string, m",
    "first(m::tag)",
    "count(m::string)",
    "max(m::integer)",
    "sum(m::field)",
]
#: Casts of a subquery's group tag ``host`` outside it.
TAG_CASTS = [
    "host::integer, m",
    "first(host::float)",
    "count(host::field)",
    "sum(host::field), count(m)",
    "mean(host::field)",
]


@st.composite
def subqueries(draw: st.DrawFn) -> str:
    """A SELECT over a subquery, whose source may be several measurements."""
    source = draw(st.sampled_from(SOURCES))
    fields = ["v", "w", "free", "used"]
    field = draw(st.sampled_from(fields))
    inner_group = draw(st.sampled_from(["", " GROUP BY host", " GROUP BY *"]))
    inner = f"SELECT {field} AS m FROM {source}{inner_group}"
    if draw(st.booleans()):
        # (v only a tag of net: influxd types max/sum/last of it a tag,
        # and an outer max/mean of that fails; so does the engine.)
        call = draw(st.sampled_from(["mean", "max", "count", "sum", "last"]))
        inner = f"SELECT {call}({field}) AS m FROM {source}{inner_group}"
    elif field != "v" and draw(st.integers(0, 2)) == 0:
        # SAMPLE of every point beside another call: the outer query reads
        # their rows in the cursor's order, each call sliced on its own
        # (test_sample_subquery_order.py). (v is a tag of net.)
        inner = (
            f"SELECT sample({field}, 40) AS m, count({field}) AS k "
            f"FROM {source}{inner_group}"
        )
        if draw(st.booleans()):
            inner += f" LIMIT {draw(st.integers(1, 2))}"
    outers = ["m", "max(m)", "count(m)", "mean(m), min(m)", *OUTER_CASTS]
    if inner_group:
        # The subquery's group tag, cast (tests/conformance/test_subquery_casts.py).
        outers += TAG_CASTS
    outer = draw(st.sampled_from(outers))
    text = f"SELECT {outer} FROM ({inner})"
    if inner_group and draw(st.booleans()):
        text += " GROUP BY host"
    if draw(st.booleans()):
        text += " ORDER BY time DESC"
    return text


BESIDE_SOURCES = ["cpu", "mem", "/^c/", "disk"]
_BESIDE = re.compile(
    r"\), (?:(?:cpu|mem|disk)\b|/\^c/|\()|FROM (?:cpu|mem|disk|/\^c/), \("
)


@st.composite
def beside(draw: st.DrawFn) -> str:
    """A subquery beside another source in one FROM, also beside a source
    of its own measurement (their rows merge into one series set): the
    subquery's group tags (the empty group of ``region`` too) read in its
    rows and by calls, the stored tags and fields in the others."""
    measurement = draw(st.sampled_from(["cpu", "mem"]))
    field = draw(st.sampled_from(["v", "w", "free"]))
    group = draw(
        st.sampled_from(["", " GROUP BY host", " GROUP BY region", " GROUP BY *"])
    )
    call = draw(st.sampled_from(["", "max", "count", "last"]))
    column = f"{call}({field})" if call else field
    inner = f"SELECT {column}{draw(st.sampled_from(['', ' AS m']))} FROM "
    inner += f"{measurement}{group}"
    others = [
        measurement,
        *BESIDE_SOURCES,
        "(SELECT w FROM cpu)",
        "(SELECT max(free) FROM mem GROUP BY host)",
    ]
    sources = [f"({inner})", draw(st.sampled_from(others))]
    first = not draw(st.booleans())
    if not first:
        sources.reverse()
    outers = [
        "*",
        "v, host",
        "m, host, region",
        "count(host)",
        "count(region)",
        "max(v)",
        "mean(v), count(m)",
        # sum(free): see test_quirk_a_selector_of_a_field_a_subquery_before_it_lacks.
        "count(w), mean(free)",
    ]
    if call != "count" and first and group in (" GROUP BY host", " GROUP BY *"):
        # count()'s rows are all at time 0: which group first() picks
        # among them is the order of influxd's merge. A source lacking
        # host before the one holding it: see
        # test_quirk_a_selector_of_a_field_a_subquery_before_it_lacks.
        outers.append("first(host)")
    text = f"SELECT {draw(st.sampled_from(outers))} FROM {', '.join(sources)}"
    text += draw(
        st.sampled_from(
            [
                "",
                " WHERE host = 'a'",
                " WHERE region = ''",
                " WHERE v > 1",
                " WHERE time >= 20 AND time < 45",
            ]
        )
    )
    text += draw(st.sampled_from(["", " GROUP BY host", " GROUP BY region"]))
    return text + draw(st.sampled_from(["", " ORDER BY time DESC"]))


statements = st.one_of(
    selects(), selects(), selects(), subqueries(), beside(), st.sampled_from(SHOWS)
)


def _answer(client: httpx.Client, url: str, text: str, db: str) -> Any:
    response = client.post(f"{url}/query", data={"q": text, "db": db})
    body = response.json()
    # Error texts are the engine's own: compare whether there is one.
    for result in body.get("results", []):
        if "error" in result:
            result["error"] = True
    if "error" in body:
        body["error"] = True
    return [response.status_code, body]


@pytest.fixture(scope="module")
def endpoints(
    influx_server: InfluxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """(influxd URL, ``influxpy serve`` URL, database) holding POINTS."""
    print(f"\ntest_differential_text seed: {SEED}")
    root: Path = tmp_path_factory.mktemp("difftext")
    served = Served(root / "data.duckdb").start()
    db = f"difftext_{uuid.uuid4().hex[:8]}"
    try:
        for url in (influx_server.http_url, served.http_url):
            with httpx.Client(timeout=60.0) as client:
                client.post(f"{url}/query", data={"q": f'CREATE DATABASE "{db}"'})
                written = client.post(
                    f"{url}/write", params={"db": db}, content=POINTS.encode()
                )
                assert written.status_code == 204, written.text
        yield influx_server.http_url, served.http_url, db
    finally:
        influx_server.query(f'DROP DATABASE "{db}"')
        served.close()


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(text=statements)
def test_serve_answers_text_as_influxd(
    endpoints: tuple[str, str, str], text: str
) -> None:
    """Every generated statement gets the same JSON answer from both."""
    server, engine, db = endpoints
    with httpx.Client(timeout=60.0) as client:
        expected = _answer(client, server, text, db)
        got = _answer(client, engine, text, db)
    if text.startswith("SELECT m FROM (") or _BESIDE.search(text):
        # Raw rows of several inner series at one time: their order is
        # the server's iterator's, undefined; compare them sorted. Beside
        # a source of its measurement, influxd reads a subquery's rows
        # series by series, out of time order (pinned in
        # test_sources_subqueries.py).
        for answer in (expected, got):
            for result in answer[1].get("results", []):
                for series in result.get("series", []):
                    series["values"].sort(key=repr)
    assert got == expected, text


# -- QuerySets rendered to text -------------------------------------------------

QS_SERVER = "difftext-influxdb"
QS_SERVE = "difftext-serve"


def _close(a: Any, b: Any) -> bool:
    """Equal JSON, floats within 1e-9 relative (sums in another order)."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool):
            return bool(a == b)
        if not isinstance(a, int | float) or not isinstance(b, int | float):
            return False
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return bool(a == b) and type(a) is type(b)


def _canonical(body: Any, spec: qsdiff.Spec) -> Any:
    """*body* with the orders the server leaves undefined made sorted."""
    for result in body.get("results", []):
        series = result.get("series", [])
        if spec.unordered_series:
            merged: dict[str, dict[str, Any]] = {}
            for one in series:
                key = repr((one["name"], sorted(one.get("tags", {}).items())))
                if key in merged:
                    merged[key]["values"] += one["values"]
                else:
                    merged[key] = one
            series = [merged[k] for k in sorted(merged)]
            for one in series:
                one["values"].sort(key=lambda row: row[0])
        if spec.unordered:
            for one in series:
                one["values"].sort(key=repr)
        if series:
            result["series"] = series
    return body


@pytest.fixture(scope="module")
def qs_endpoints(
    endpoints: tuple[str, str, str], influx_server: InfluxServer
) -> Iterator[tuple[str, str, str]]:
    """Connections to both servers' database, for writing generated points."""
    server, engine, db = endpoints
    host = f"{influx_server.host}:{influx_server.port}"
    to_server = influxpy.connect(f"influxdb://{host}/{db}", alias=QS_SERVER)
    to_serve = influxpy.connect(
        f"influxdb://{engine.removeprefix('http://')}/{db}", alias=QS_SERVE
    )
    try:
        yield server, engine, db
    finally:
        to_server.close()
        to_serve.close()


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(example=qsdiff.examples())
def test_serve_answers_querysets_as_text_as_influxd(
    qs_endpoints: tuple[str, str, str], example: Any
) -> None:
    """The text of generated QuerySets gets the same answer from both."""
    server, engine, db = qs_endpoints
    data, specs = example
    model = qsdiff.make_model()
    for alias in (QS_SERVER, QS_SERVE):
        for batch in data.models(model):
            model.series.using(alias).bulk_create(batch)
    problems = []
    with httpx.Client(timeout=60.0) as client:
        for spec in specs:
            text = str(spec.build(model.series.using(QS_SERVER)).query)
            expected = _canonical(_answer(client, server, text, db)[1], spec)
            got = _canonical(_answer(client, engine, text, db)[1], spec)
            if not _close(got, expected):
                problems.append(f"{text}\n  influxd: {expected}\n  serve:   {got}")
    assert not problems, "\n".join(problems)


def test_quirk_fill_value_of_text_in_a_series_without_it(
    endpoints: tuple[str, str, str],
) -> None:
    """influxd fills the windows of a string or boolean selector with the
    fill number itself (``0``, not ``''`` or ``false``) in a series that
    has no point of that field; the engine leaves them null (a column has
    one type). In a series with points of the field both fill '' / false."""
    server, engine, db = endpoints
    text = (
        "SELECT first(s), first(w) FROM cpu WHERE time >= 0 AND time < 30 "
        "GROUP BY time(10ns), host fill(0)"
    )
    with httpx.Client(timeout=60.0) as client:
        expected = _answer(client, server, text, db)[1]["results"][0]["series"]
        got = _answer(client, engine, text, db)[1]["results"][0]["series"]
    times = ["1970-01-01T00:00:00Z", _T10, "1970-01-01T00:00:00.00000002Z"]
    by_host = {s["tags"]["host"]: s["values"] for s in expected}
    assert by_host["a"] == [
        [t, s, w] for t, s, w in zip(times, ["", "p", ""], [0, 2, 0], strict=True)
    ]
    assert by_host["b"] == [[t, 0, w] for t, w in zip(times, [0, 0, 4], strict=True)]
    engine_by_host = {s["tags"]["host"]: s["values"] for s in got}
    assert engine_by_host["a"] == by_host["a"]
    assert engine_by_host["b"] == [
        [t, None, w] for t, w in zip(times, [0, 0, 4], strict=True)
    ]


_T10 = "1970-01-01T00:00:00.00000001Z"


def test_fill_value_of_a_selector_over_a_tag(
    endpoints: tuple[str, str, str],
) -> None:
    """A selector over a key that is a tag in the measurement (``v`` in net)
    has no points, but influxd types it (a tag): beside a call with points
    it fills its windows with the fill number, as for an aggregate
    (``mean``); so does the engine."""
    server, engine, db = endpoints
    text = (
        "SELECT count(x), {}(v) FROM net WHERE time >= 0 AND time < 60 "
        "GROUP BY time(20ns) fill(5)"
    )
    with httpx.Client(timeout=60.0) as client:
        for call in ("last", "max", "mean"):
            for url in (server, engine):
                answer = _answer(client, url, text.format(call), db)[1]
                rows = answer["results"][0]["series"][0]["values"]
                assert [row[1:] for row in rows] == [[1, 5], [1, 5], [5, 5]]


@pytest.mark.parametrize(
    "into",
    [
        "SELECT v INTO copy FROM cpu, mem",
        "SELECT v INTO :MEASUREMENT FROM cpu",
        (
            "SELECT mean(v) INTO :MEASUREMENT FROM /./ "
            "WHERE time >= 0 AND time < 60 GROUP BY time(20ns), *"
        ),
        "SELECT * INTO d2 FROM /c|m/ GROUP BY *",
    ],
)
def test_into_from_several_measurements_writes_as_influxd(
    endpoints: tuple[str, str, str], into: str
) -> None:
    """``SELECT … INTO`` from several measurements (or ``:MEASUREMENT``)
    answers the same count and leaves the same points."""
    server, engine, _db = endpoints
    db = f"difftext_into_{uuid.uuid4().hex[:8]}"
    answers = []
    with httpx.Client(timeout=60.0) as client:
        for url in (server, engine):
            client.post(f"{url}/query", data={"q": f'CREATE DATABASE "{db}"'})
            client.post(f"{url}/write", params={"db": db}, content=POINTS.encode())
            written = _answer(client, url, into, db)
            after = _answer(client, url, "SELECT * FROM /./ GROUP BY *", db)
            client.post(f"{url}/query", data={"q": f'DROP DATABASE "{db}"'})
            answers.append((written, after))
    assert answers[1] == answers[0]


def _series(url: str, text: str, db: str) -> list[Any]:
    with httpx.Client(timeout=60.0) as client:
        body = _answer(client, url, text, db)[1]
    return [
        (s.get("tags", {}).get("host"), [row[1] for row in s["values"]])
        for s in body["results"][0].get("series", [])
    ]


@pytest.mark.parametrize("slimit", ["", " SLIMIT 0"])
def test_quirk_soffset_without_slimit(
    endpoints: tuple[str, str, str], slimit: str
) -> None:
    """``SOFFSET n`` without ``SLIMIT`` (or with ``SLIMIT 0``, which reads
    as none): influxd 1.6.7 answers nothing (it keeps the tag sets
    ``[n:n]``, influxdata/influxdb#7578), of a measurement on both; over a
    subquery the engine skips n series, as ``series_offset()`` does on both
    backends."""
    server, engine, db = endpoints
    text = f"SELECT v FROM cpu GROUP BY host{slimit} SOFFSET 1"
    assert _series(server, text, db) == []
    assert _series(engine, text, db) == []
    outer = "SELECT count(m) FROM (SELECT v AS m FROM cpu GROUP BY host) "
    assert _series(server, outer + "GROUP BY host SOFFSET 1", db) == []
    assert _series(engine, outer + "GROUP BY host SOFFSET 1", db) == [
        ("b", [1]),
        ("c", [1]),
    ]


def test_quirk_offset_without_limit_in_a_raw_select(
    endpoints: tuple[str, str, str],
) -> None:
    """``OFFSET n`` without ``LIMIT`` in a raw select of stored points:
    influxd 1.6.7 answers only the one row at the offset of each series
    (influxdata/influxdb#7577); the engine answers every row after the
    n-th. Over a subquery, and for calls, both answer every row after it."""
    server, engine, db = endpoints
    for order, rows in (("", [4, 7, 9]), (" ORDER BY time DESC", [7, 4, 2])):
        text = f"SELECT w FROM cpu{order} OFFSET 1"
        assert _series(server, text, db) == [(None, rows[:1])]
        assert _series(engine, text, db) == [(None, rows)]
    for text in (
        "SELECT m FROM (SELECT w AS m FROM cpu) OFFSET 1",
        (
            "SELECT count(w) FROM cpu WHERE time >= 0 AND time < 60 "
            "GROUP BY time(20ns) OFFSET 1"
        ),
    ):
        assert _series(engine, text, db) == _series(server, text, db)


@pytest.fixture(scope="module")
def one_shard(endpoints: tuple[str, str, str]) -> Iterator[tuple[str, str, str]]:
    """A database of its own holding only POINTS (one shard): with several
    shards, influxd judges a SHOW condition by one shard's fields only."""
    server, engine, _db = endpoints
    db = f"difftext_show_{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=60.0) as client:
        for url in (server, engine):
            client.post(f"{url}/query", data={"q": f'CREATE DATABASE "{db}"'})
            client.post(f"{url}/write", params={"db": db}, content=POINTS.encode())
        try:
            yield server, engine, db
        finally:
            for url in (server, engine):
                client.post(f"{url}/query", data={"q": f'DROP DATABASE "{db}"'})


def _both_answers(server: str, engine: str, db: str, text: str) -> Any:
    """ "same" when both answer *text* with the same JSON, else both answers
    (error texts included)."""
    with httpx.Client(timeout=60.0) as client:
        answers = [
            client.post(f"{url}/query", data={"q": text, "db": db}).json()
            for url in (server, engine)
        ]
    return "same" if answers[1] == answers[0] else answers


@pytest.mark.parametrize(
    "text",
    [
        "SHOW TAG KEYS WHERE v = 'tagged'",
        "SHOW TAG KEYS WHERE core = 'a'",
        "SHOW SERIES WHERE v = 'tagged'",
        "SHOW SERIES WHERE v != 'tagged' AND host = 'a'",
        "SHOW TAG VALUES WITH KEY =~ /./ WHERE core = 'a' OR dev = 'sdb'",
        "SHOW MEASUREMENTS WHERE v = 'tagged'",
        # = and != a number or boolean pass every series of every measurement
        "SHOW TAG KEYS WHERE nokey = 1",
        "SHOW SERIES WHERE host = 'a' AND v != true",
        "SHOW TAG VALUES WITH KEY = host WHERE host = 1",
        # ... and are an error for SHOW MEASUREMENTS, as ordering always is
        "SHOW MEASUREMENTS WHERE host = 'a' OR v = 1",
        "SHOW MEASUREMENTS WHERE v != 1",
        "SHOW MEASUREMENTS WHERE v > 1",
        "SHOW TAG KEYS FROM cpu WHERE v > 1",
        "SHOW SERIES WHERE host <= 'a'",
        "SHOW TAG VALUES WITH KEY = host WHERE v < 1 OR host = 'a'",
        # ordering fails whatever the measurements
        "SHOW TAG KEYS FROM nope WHERE v > 0",
        "SHOW SERIES FROM nope WHERE v >= 0",
        "SHOW TAG VALUES FROM cpu WITH KEY = nokey WHERE v > 0",
        "SHOW MEASUREMENTS WITH MEASUREMENT = nope WHERE v > 0",
        # cardinalities with a WHERE are SELECTs: a field's key is never true
        "SHOW MEASUREMENT EXACT CARDINALITY WHERE host != 'a'",
        "SHOW MEASUREMENT CARDINALITY WHERE host !~ /a/ OR v = 'x'",
        "SHOW MEASUREMENT EXACT CARDINALITY WHERE dev = ''",
        "SHOW MEASUREMENT EXACT CARDINALITY WHERE host = 'a' AND time > 0",
        "SHOW SERIES EXACT CARDINALITY WHERE v != 'tagged' OR host = 'a'",
        "SHOW TAG KEY EXACT CARDINALITY WHERE v = 'tagged'",
        "SHOW SERIES EXACT CARDINALITY WHERE nokey = 1 OR host = 'a'",
        "SHOW MEASUREMENT EXACT CARDINALITY WHERE host != 1",
        "SHOW TAG KEY EXACT CARDINALITY WHERE host > 'a'",
        "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host WHERE dev = 'x' OR v = ''",
    ],
)
def test_show_conditions_on_a_key_that_is_a_field_elsewhere(
    one_shard: tuple[str, str, str], text: str
) -> None:
    """A condition of a SHOW statement passes every series of a measurement
    that has a field of that key, and reads the tag in the others (``v`` is
    a field in cpu, mem and disk, a tag in net, absent from sh). Error
    texts are compared too."""
    server, engine, db = one_shard
    assert _both_answers(server, engine, db, text) == "same"


@pytest.mark.parametrize(
    "text",
    [
        "SHOW SERIES WHERE time > 5",
        "SHOW SERIES WHERE time > 5 AND v > 1",
        "SHOW SERIES WHERE time > 5 AND host > 'a'",
        "SHOW SERIES WHERE time > 5 AND (host = 'a' OR v > 1)",
        "SHOW SERIES WHERE time > 5 AND host = 'a' OR v = 3",
        "SHOW SERIES FROM cpu WHERE time > 5 AND free = 2",
        "SHOW SERIES WHERE time > 5 AND host = 1",
    ],
)
def test_show_series_with_time_reads_the_series_as_a_select(
    one_shard: tuple[str, str, str], text: str
) -> None:
    """With time in its WHERE, influxd answers SHOW SERIES from a SELECT
    over the series instead of its index: a field's key, an ordering or a
    number is never true (no error). (Its time range selects the series of
    the shard groups it overlaps: test_show_series_time.py.)"""
    server, engine, db = one_shard
    assert _both_answers(server, engine, db, text) == "same"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT max(m) FROM (SELECT v AS m FROM sh, /^n/)",
        "SELECT mean(m) FROM (SELECT host AS m FROM cpu)",
        "SELECT max(m) FROM (SELECT v::tag AS m FROM net GROUP BY *)",
        "SELECT max(m) FROM (SELECT v AS m FROM cpu, net)",
        "SELECT count(m) FROM (SELECT host AS m FROM cpu)",
    ],
)
def test_calls_over_a_tag_read_by_a_subquery(
    endpoints: tuple[str, str, str], text: str
) -> None:
    """A subquery's column that reads a tag is a string to the outer calls:
    ``max`` and ``mean`` of it fail with influxd's iterator error."""
    server, engine, db = endpoints
    assert _both_answers(server, engine, db, text) == "same"
